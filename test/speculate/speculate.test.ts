// `cwb speculate` as a user runs it, on the quick reference model: greedy output identical to the
// target alone (asserted by the worker on every repetition; a broken loop fails the job), counts
// recorded as 'speculate' runs, forced rejections trimming both caches without changing the output,
// a draft with another vocabulary refused with both files and the first differing token named, and
// Ctrl+C cancelling the job.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SpeculateReport } from "../../src/shared/domain/speculate.js";
import type { Job } from "../../src/shared/domain/job.js";
import { Store } from "../../src/core/store/Store.js";
import { listRuns } from "../../src/core/store/runs.js";
import { buildNode, repoRoot, runCwb } from "../cli/runCwb.js";
import { makeDataDir, removeDataDir, waitUntil } from "../jobs/queueHarness.js";
import { referenceModelPath } from "../helpers/referenceModel.js";
import { writeTinyGguf } from "../helpers/gguf.js";

let dataDir: string;
let target: string;
let draft: string;
let prompts: string;
beforeAll(async () => {
  buildNode();
  dataDir = makeDataDir();
  target = await referenceModelPath("quick");
  draft = path.join(dataDir, "draft-Q4_0.gguf");
  // Made by cwb itself, so the test needs no separately built llama.cpp tool.
  const made = await runCwb(["--data-dir", dataDir, "quantize", target, "--type", "Q4_0", "--out", draft]);
  expect(made.code, made.stderr).toBe(0);
  prompts = path.join(dataDir, "prompts.txt");
  writeFileSync(prompts, "The state of the Union is\n");
}, 600_000);
afterAll(() => removeDataDir(dataDir));

const cwb = (...args: string[]) => runCwb(["--data-dir", dataDir, ...args]);

async function speculate(...extra: string[]): Promise<SpeculateReport> {
  const result = await cwb(
    "speculate",
    "--target",
    target,
    "--prompts",
    prompts,
    "--max-tokens",
    "12",
    "--reps",
    "1",
    "--gpu",
    "cpu",
    "--json",
    ...extra,
  );
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as SpeculateReport;
}

describe("cwb speculate", () => {
  let selfDraft: SpeculateReport;

  it("writes the target's own greedy text with a quantized draft and records a run per draft size", async () => {
    const report = await speculate("--draft", draft, "--draft-max", "4");
    const [point] = report.points;
    expect(report.points).toHaveLength(1);
    expect(point!.draftMax).toBe(4);
    expect(point!.counts.drafted).toBeGreaterThan(0);
    expect(point!.counts.accepted).toBeGreaterThan(0);
    expect(point!.counts.accepted).toBeLessThanOrEqual(point!.counts.drafted);
    // speculative-simple writes tokens until it has more than the budget.
    for (const p of point!.prompts) expect(p.counts.generated).toBeGreaterThan(12);
    expect(report.runIds).toHaveLength(1);
    const store = Store.open(path.join(dataDir, "workbench.sqlite"));
    try {
      const [run] = listRuns(store.db, { kind: "speculate" });
      expect(run?.id).toBe(report.runIds[0]);
      expect(run?.modelId).toBe(report.targetModelId);
      expect(run?.settings).toMatchObject({ draftMax: 4, draftModelId: report.draftModelId });
      expect(run?.metrics.find((m) => m.name === "accepted")?.value).toBe(point!.counts.accepted);
    } finally {
      store.close();
    }
  }, 300_000);

  it("accepts nearly everything when the draft is the target, and forced rejections leave the text unchanged", async () => {
    selfDraft = await speculate("--draft", target, "--draft-max", "4");
    const clean = selfDraft.points[0]!;
    expect(clean.counts.accepted / clean.counts.drafted).toBeGreaterThan(0.9);

    // Every third drafted token corrupted: the target rejects it, both caches are cut back to the
    // accepted prefix, and the next round must continue from there as if nothing happened.
    const forced = (await speculate("--draft", target, "--draft-max", "4", "--corrupt-draft-every", "3"))
      .points[0]!;
    expect(forced.counts.accepted).toBeLessThan(forced.counts.drafted);
    expect(forced.counts.rounds).toBeGreaterThan(clean.counts.rounds);
    // Both runs stop once past the budget, after rounds of different sizes: compare the common part.
    for (const [index, p] of forced.prompts.entries()) {
      const other = clean.prompts[index]!.text;
      const common = Math.min(p.text.length, other.length);
      expect(common).toBeGreaterThan(10);
      expect(p.text.slice(0, common)).toBe(other.slice(0, common));
    }
    for (const p of forced.prompts) expect(p.acceptedMask.includes(false)).toBe(true);
  }, 300_000);

  it("samples with --temp and --seed: a self draft is still almost always accepted, and the seed repeats the text", async () => {
    const sampled = await speculate("--draft", target, "--draft-max", "4", "--temp", "0.8", "--seed", "5");
    const point = sampled.points[0]!;
    expect(sampled.settings).toMatchObject({ temperature: 0.8, seed: 5 });
    expect(point.counts.accepted / point.counts.drafted).toBeGreaterThan(0.9);
    const again = await speculate("--draft", target, "--draft-max", "4", "--temp", "0.8", "--seed", "5");
    expect(again.points[0]!.prompts.map((p) => p.text)).toEqual(point.prompts.map((p) => p.text));
  }, 300_000);

  it("refuses a draft whose vocabulary differs, naming both files and the first differing token", async () => {
    const a = writeTinyGguf(path.join(dataDir, "tiny-a.gguf")).path;
    const b = writeTinyGguf(path.join(dataDir, "tiny-b.gguf"), {
      seed: 2,
      replaceToken: { id: 270, text: "▁zz" },
    }).path;
    const result = await cwb("speculate", "--target", a, "--draft", b, "--prompts", prompts, "--gpu", "cpu");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(a);
    expect(result.stderr).toContain(b);
    expect(result.stderr).toContain("first at token 270");
  }, 60_000);

  it("cancels on Ctrl+C", async () => {
    const child = spawn(
      process.execPath,
      [
        path.join(repoRoot, "bin", "cwb.js"),
        "--data-dir",
        dataDir,
        "--progress",
        "speculate",
        "--target",
        target,
        "--draft",
        draft,
        "--prompts",
        prompts,
        "--max-tokens",
        "800",
        "--reps",
        "5",
        "--gpu",
        "cpu",
      ],
      { cwd: repoRoot, env: { ...process.env, CWB_DATA_DIR: "" } },
    );
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    await waitUntil(() => stderr.includes("draft size 8") || undefined, 180_000);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    const jobs = JSON.parse((await cwb("jobs", "list", "--json")).stdout) as Job[];
    expect(jobs.find((job) => job.kind === "speculate" && job.state === "cancelled")).toBeDefined();
  }, 240_000);
});
