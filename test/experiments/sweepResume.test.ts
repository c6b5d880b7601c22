// A sweep is a persistent job graph: a `cwb sweep` killed with SIGKILL mid-run leaves its experiment
// interrupted with every step still recorded and no job queued forever; `cwb experiments resume`
// runs only the steps left, in the same experiment, and re-running the same sweep command after
// another kill resumes that experiment instead of starting a new one.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExperimentListItem, ExperimentSummary } from "../../src/shared/domain/experiment.js";
import { dataPaths } from "../../src/core/paths.js";
import { listExperimentJobRecords, type JobRecord } from "../../src/core/store/jobs.js";
import { Store } from "../../src/core/store/Store.js";
import { crashSweepArgs } from "../../bench/crash/crashSweepArgs.js";
import { buildNode, repoRoot, runCwb } from "../cli/runCwb.js";
import { referenceModel, referenceBuildTimeoutMs } from "../helpers/referenceModel.js";

let dataDir: string;
let sweepArgs: string[];

beforeAll(async () => {
  const ref = await referenceModel();
  buildNode();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-sweep-resume-"));
  sweepArgs = crashSweepArgs(ref.modelPath, ref.evalText.path);
}, referenceBuildTimeoutMs);

afterAll(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function jobsOf(experimentId: string): JobRecord[] {
  const store = Store.open(dataPaths(dataDir).database, { readonly: true });
  try {
    return listExperimentJobRecords(store.db, experimentId);
  } finally {
    store.close();
  }
}

function experimentIds(): string[] {
  const store = Store.open(dataPaths(dataDir).database, { readonly: true });
  try {
    return (store.db.prepare("SELECT id FROM experiments ORDER BY created_at").all() as { id: string }[]).map(
      (r) => r.id,
    );
  } finally {
    store.close();
  }
}

/** Starts `cwb sweep` and kills it with SIGKILL once `ready` holds for the experiment's jobs. */
async function killSweepWhen(ready: (jobs: JobRecord[]) => boolean): Promise<string> {
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, "bin", "cwb.js"), "--data-dir", dataDir, ...sweepArgs],
    {
      cwd: repoRoot,
      env: { ...process.env, CWB_DATA_DIR: "" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdout.resume();
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const id = /experiment (\S+)/.exec(stderr)?.[1];
    if (id && ready(jobsOf(id))) {
      child.kill("SIGKILL");
      await exited;
      return id;
    }
    if (child.exitCode !== null) throw new Error(`the sweep ended before it was killed:\n${stderr}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting to kill the sweep:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const running = (key: string) => (jobs: JobRecord[]) =>
  jobs.some((j) => j.stepKey === key && j.state === "running");

describe("a killed sweep", () => {
  let experimentId: string;

  it("leaves its experiment interrupted, every step recorded, nothing queued forever", async () => {
    experimentId = await killSweepWhen(running("quantize:Q4_0"));
    const jobs = jobsOf(experimentId);
    // The whole plan was written at the start: 3 quantize steps and the evaluation.
    expect(jobs.map((j) => j.stepKey)).toEqual(["quantize:Q8_0", "quantize:Q4_0", "quantize:Q2_K", "eval"]);
    const list = await runCwb(["--data-dir", dataDir, "--json", "experiments", "list"]);
    expect(list.code, list.stderr).toBe(0);
    const item = (JSON.parse(list.stdout) as ExperimentListItem[]).find((e) => e.id === experimentId)!;
    expect(item.state).toBe("interrupted");
    // Any command that opens the queue records the dead process's steps as interrupted.
    await runCwb(["--data-dir", dataDir, "--json", "jobs", "list"]);
    const after = jobsOf(experimentId);
    expect(after.filter((j) => j.state === "queued" || j.state === "running")).toEqual([]);
    expect(after.find((j) => j.stepKey === "quantize:Q8_0")!.state).toBe("succeeded");
  }, 180_000);

  it("re-running the same sweep resumes that experiment; `cwb experiments resume` finishes it", async () => {
    // Killed again, during the step the first resume queued: still one experiment.
    const again = await killSweepWhen(running("quantize:Q2_K"));
    expect(again).toBe(experimentId);
    expect(experimentIds()).toEqual([experimentId]);

    const resume = await runCwb([
      "--data-dir",
      dataDir,
      "--json",
      "experiments",
      "resume",
      experimentId.slice(0, 8),
    ]);
    expect(resume.code, resume.stderr).toBe(0);
    const summary = JSON.parse(resume.stdout) as ExperimentSummary;
    expect(summary.id).toBe(experimentId);
    expect(summary.state).toBe("succeeded");
    expect(summary.rows.map((r) => r.label)).toEqual(["base", "Q8_0", "Q4_0", "Q2_K"]);
    for (const row of summary.rows.filter((r) => !r.isBase)) expect(row.kldMean).toBeGreaterThan(0);
    // Only the steps left ran: Q8_0 and Q4_0 were quantized once each.
    const jobs = jobsOf(experimentId);
    const succeeded = (key: string) =>
      jobs.filter((j) => j.stepKey === key && j.state === "succeeded").length;
    expect([
      succeeded("quantize:Q8_0"),
      succeeded("quantize:Q4_0"),
      succeeded("quantize:Q2_K"),
      succeeded("eval"),
    ]).toEqual([1, 1, 1, 1]);
    expect(jobs.filter((j) => j.state === "queued" || j.state === "running")).toEqual([]);
    expect(experimentIds()).toEqual([experimentId]);

    const nothing = await runCwb(["--data-dir", dataDir, "experiments", "resume", experimentId]);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/nothing to resume: every step succeeded/);
  }, 300_000);
});
