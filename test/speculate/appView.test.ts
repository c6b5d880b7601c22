// The app view of `cwb speculate` on the quick reference model: node-llama-cpp's own token predictors
// through sequence.evaluate. The worker fails the job when a predicted output differs from the plain
// one (greedy), so a passing run is the identity check; here the counts and speeds must make sense,
// the marked tokens must be the ones written from predictions, and prompt lookup on a prompt that
// repeats itself must have predictions validated.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SpeculateReport } from "../../src/shared/domain/speculate.js";
import { buildNode, runCwb } from "../cli/runCwb.js";
import { makeDataDir, removeDataDir } from "../jobs/queueHarness.js";
import { referenceModelPath } from "../helpers/referenceModel.js";

let dataDir: string;
let target: string;
let prompts: string;
beforeAll(async () => {
  buildNode();
  dataDir = makeDataDir();
  target = await referenceModelPath("quick");
  prompts = path.join(dataDir, "prompts.txt");
  writeFileSync(prompts, "The state of the Union is\n");
}, 600_000);
afterAll(() => removeDataDir(dataDir));

async function speculate(...args: string[]): Promise<SpeculateReport> {
  const result = await runCwb([
    "--data-dir",
    dataDir,
    "speculate",
    "--target",
    target,
    "--prompts",
    prompts,
    "--max-tokens",
    "12",
    "--reps",
    "1",
    "--draft-max",
    "4",
    "--gpu",
    "cpu",
    "--json",
    ...args,
  ]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as SpeculateReport;
}

describe("cwb speculate --app-view", () => {
  it("reports the draft predictor and prompt lookup next to the engine view", async () => {
    const report = await speculate("--draft", target, "--app-view");
    expect(report.points).toHaveLength(1);
    const view = report.appView!;
    expect(view.baselineTokensPerSecond.mean).toBeGreaterThan(0);
    for (const predictor of [view.draft!, view.inputLookup]) {
      expect(predictor.counts.drafted).toBeGreaterThanOrEqual(predictor.counts.accepted);
      expect(predictor.counts.accepted).toBeGreaterThanOrEqual(predictor.counts.used);
      expect(predictor.tokensPerSecond.mean).toBeGreaterThan(0);
      const [prompt] = predictor.prompts;
      expect(prompt!.acceptedMask).toHaveLength(12);
      expect(prompt!.acceptedMask.filter(Boolean).length).toBe(prompt!.counts.used);
    }
    // Same greedy text with and without a predictor, and as the engine view's target alone writes.
    expect(view.draft!.prompts[0]!.text).toBe(view.inputLookup.prompts[0]!.text);
    expect(report.points[0]!.prompts[0]!.text.startsWith(view.draft!.prompts[0]!.text)).toBe(true);
  }, 180_000);

  it("runs prompt lookup alone without a draft and validates predictions taken from the prompt", async () => {
    // The quick model writes address-like text; a prompt of such text gives lookup matches.
    writeFileSync(prompts, "The state of the Union is strong. The state of the Union is\n");
    const report = await speculate("--draft", "none", "--max-tokens", "24");
    expect(report.points).toEqual([]);
    expect(report.draftModelId).toBeNull();
    expect(report.appView!.draft).toBeNull();
    const lookup = report.appView!.inputLookup;
    expect(lookup.counts.accepted).toBeGreaterThan(0);
    expect(lookup.prompts[0]!.acceptedMask.some(Boolean)).toBe(true);
  }, 180_000);
});
