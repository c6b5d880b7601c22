// `cwb speculate` against llama.cpp's own llama-speculative-simple (draft-simple, greedy) on the
// quick reference model with a Q2_K draft: the drafted and accepted counts must be equal.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error -- plain JS build script without type declarations
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

async function ourCounts(pMin: number) {
  const prompts = path.join(dataDir, "prompts.txt");
  writeFileSync(prompts, `${prompt}\n`);
  const result = await runCwb([
    ...["--data-dir", dataDir, "speculate", "--target", target, "--draft", draft, "--prompts", prompts],
    ...[
      "--max-tokens",
      "12",
      "--draft-max",
      "4",
      "--p-min",
      String(pMin),
      "--reps",
      "1",
      "--gpu",
      "cpu",
      "--json",
    ],
  ]);
  expect(result.code, result.stderr).toBe(0);
  const counts = (JSON.parse(result.stdout) as SpeculateReport).points[0]!.counts;
  return { drafted: counts.drafted, accepted: counts.accepted, generated: counts.generated };
}

// 0.2 stops some of this draft's proposals early, not all (llama-speculative-simple: 27 drafted, 42 at 0).
const PMIN = 0.2;
let draftedAtZero = 0;

describe("cwb speculate parity", () => {
  it("drafts and accepts as many tokens as llama-speculative-simple", async () => {
    const theirs = runLlamaSpeculativeSimple({ target, draft, prompt, maxTokens: 12, draftMax: 4 });
    expect(theirs.accepted).toBeGreaterThan(0);
    expect(theirs.drafted).toBeGreaterThan(theirs.accepted);
    draftedAtZero = theirs.drafted;
    const { drafted, accepted, generated } = theirs;
    expect(await ourCounts(0)).toEqual({ drafted, accepted, generated });
  }, 180_000);

  // p-min stops a draft where the draft's top-10 probability falls below it: same stops, same counts.
  it("stops drafts at the same places with --p-min", async () => {
    const theirs = runLlamaSpeculativeSimple({
      target,
      draft,
      prompt,
      maxTokens: 12,
      draftMax: 4,
      pMin: PMIN,
    });
    expect(theirs.drafted).toBeGreaterThan(0);
    if (draftedAtZero > 0) expect(theirs.drafted).toBeLessThan(draftedAtZero);
    const { drafted, accepted, generated } = theirs;
    expect(await ourCounts(PMIN)).toEqual({ drafted, accepted, generated });
  }, 180_000);
});
