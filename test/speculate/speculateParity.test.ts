// `cwb speculate` against llama.cpp's own llama-speculative-simple (draft-simple, greedy) on the
// quick reference model with a Q2_K draft: the drafted and accepted counts must be equal.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llamaToolPath, linkPrebuiltTools } from "../../scripts/build-llama-tools.js";
import type { SpeculateReport } from "../../src/shared/domain/speculate.js";
import { buildNode, runCwb } from "../cli/runCwb.js";
import { makeDataDir, removeDataDir } from "../jobs/queueHarness.js";
import { referenceModelPath } from "../helpers/referenceModel.js";
import { runLlamaSpeculativeSimple } from "./llamaSpeculativeSimple.js";

const prompt = "The state of the Union is";
let dataDir: string;
let target: string;
let draft: string;
beforeAll(async () => {
  buildNode();
  linkPrebuiltTools();
  dataDir = makeDataDir();
  target = await referenceModelPath("quick");
  // Q2_K disagrees with the target often, so both accepted and rejected drafts are exercised.
  draft = path.join(dataDir, "draft-Q2_K.gguf");
  const made = spawnSync(llamaToolPath("llama-quantize", "prebuilt"), [target, draft, "Q2_K"], {
    encoding: "utf8",
  });
  expect(made.status, made.stderr).toBe(0);
}, 600_000);
afterAll(() => removeDataDir(dataDir));

describe("cwb speculate parity", () => {
  it("drafts and accepts as many tokens as llama-speculative-simple", async () => {
    const theirs = runLlamaSpeculativeSimple({ target, draft, prompt, maxTokens: 12, draftMax: 4 });
    const prompts = path.join(dataDir, "prompts.txt");
    writeFileSync(prompts, `${prompt}\n`);
    const result = await runCwb([
      ...["--data-dir", dataDir, "speculate", "--target", target, "--draft", draft, "--prompts", prompts],
      ...["--max-tokens", "12", "--draft-max", "4", "--reps", "1", "--gpu", "cpu", "--json"],
    ]);
    expect(result.code, result.stderr).toBe(0);
    const ours = (JSON.parse(result.stdout) as SpeculateReport).points[0]!.counts;
    expect(theirs.accepted).toBeGreaterThan(0);
    expect(theirs.drafted).toBeGreaterThan(theirs.accepted);
    expect({ drafted: ours.drafted, accepted: ours.accepted, generated: ours.generated }).toEqual({
      drafted: theirs.drafted,
      accepted: theirs.accepted,
      generated: theirs.generated,
    });
  }, 180_000);
});
