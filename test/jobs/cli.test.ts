// `cwb jobs …` as a user runs it (node bin/cwb.js over the tsc build): a foreground job with its
// progress line, Ctrl+C (SIGINT) cancelling it, cancelling from a second CLI process, and a CLI
// killed outright leaving its job 'interrupted' for the next process to see, and retrying a step of an
// experiment's graph through the graph.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "../../src/shared/domain/job.js";
import { buildNode, repoRoot, runCwb } from "../cli/runCwb.js";
import { makeDataDir, processAlive, removeDataDir, tmpEntries, waitUntil } from "./queueHarness.js";

let dataDir: string;
beforeAll(() => {
  buildNode();
  dataDir = makeDataDir();
});
afterAll(() => removeDataDir(dataDir));

const cwb = (...args: string[]) => runCwb(["--data-dir", dataDir, ...args]);

interface Foreground {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startForeground(params: object): Foreground {
  const child = spawn(
    process.execPath,
    [
      path.join(repoRoot, "bin", "cwb.js"),
      "--data-dir",
      dataDir,
      "--progress",
      "jobs",
      "run",
      "debug.sleep",
      "--params",
      JSON.stringify(params),
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, CWB_DATA_DIR: "" },
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/**
 * A process that queues a two-step graph (a, then b which needs it) in an experiment and is killed
 * with SIGKILL while a runs: a is left running and b queued, both by a process that is gone.
 */
async function graphOfKilledProcess(): Promise<{ experimentId: string; a: string; b: string }> {
  const script = `
    const { openHarness, waitUntil } = await import(${JSON.stringify(path.join(repoRoot, "test/jobs/queueHarness.ts"))});
    const { insertExperiment } = await import(${JSON.stringify(path.join(repoRoot, "src/core/store/experiments.ts"))});
    const h = await openHarness({ dataDir: ${JSON.stringify(dataDir)} });
    const experimentId = insertExperiment(h.store.db, { name: "graph", kind: "test", recipe: {} }).id;
    const [a, b] = h.queue.enqueueGraph(experimentId, [
      { key: "a", kind: "debug.sleep", params: { seconds: 5 } },
      { key: "b", kind: "debug.sleep", params: { seconds: 0.1 }, dependsOn: ["a"] },
    ]);
    await waitUntil(() => (h.queue.get(a.id).state === "running" ? true : undefined));
    console.log(JSON.stringify({ experimentId, a: a.id, b: b.id }));
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: repoRoot,
  });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  const exited = new Promise((resolve) => child.on("close", resolve));
  const ids = await waitUntil(() => (stdout.includes("\n") ? stdout : undefined), 30_000, "the graph");
  child.kill("SIGKILL");
  await exited;
  return JSON.parse(ids) as { experimentId: string; a: string; b: string };
}

async function jobsList(): Promise<Job[]> {
  const result = await cwb("jobs", "list", "--json");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Job[];
}

async function runningJobWithProgress(): Promise<{ job: Job; workerPid: number }> {
  let job: Job | undefined;
  for (let i = 0; i < 300 && !job; i++) {
    job = (await jobsList()).find((j) => j.state === "running" && (j.progress?.fraction ?? 0) > 0);
    if (!job) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!job) throw new Error("no running job with progress appeared");
  const logs = JSON.parse((await cwb("jobs", "logs", job.id, "--json")).stdout) as { message: string }[];
  const workerPid = Number(/worker started \(pid (\d+)\)/.exec(logs.map((l) => l.message).join("\n"))?.[1]);
  expect(processAlive(workerPid)).toBe(true);
  return { job, workerPid };
}

describe("cwb jobs", () => {
  it("runs a job in the foreground with a progress line on stderr and the job as --json on stdout", async () => {
    const result = await cwb(
      "--progress",
      "--json",
      "jobs",
      "run",
      "debug.sleep",
      "--params",
      '{"seconds":4}',
    );
    expect(result.code, result.stderr).toBe(0);
    const job = JSON.parse(result.stdout) as Job;
    expect(job).toMatchObject({ kind: "debug.sleep", state: "succeeded", result: { tempFileWritten: true } });
    expect(result.stderr).toMatch(/Diagnostic sleep +\d+\.\d % {2}sleeping: /);
    expect(result.stderr).toMatch(/ETA \d/);

    const shown = await cwb("jobs", "show", job.id.slice(0, 6));
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`id:         ${job.id}`);
    expect(shown.stdout).toContain("state:      succeeded");
    expect(shown.stdout).toContain("sleeping 4 s");

    const listed = await cwb("jobs", "list");
    expect(listed.stdout).toMatch(new RegExp(`${job.id}  debug\\.sleep  succeeded`));
  });

  it("exits non-zero with the reason when the job fails, and says so for bad input", async () => {
    const failed = await cwb("jobs", "run", "debug.sleep", "--params", '{"seconds":0.2,"crash":"exit"}');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /cwb: error: job \w+ \(Diagnostic sleep\) failed: worker exited with exit code 3/,
    );

    const bad = await cwb("jobs", "run", "debug.sleep", "--params", '{"seconds":"x"}');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Invalid parameters for job kind debug.sleep: seconds");

    const missing = await cwb("jobs", "show", "ffffffffffff");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("No job with id ffffffffffff");
  });

  it("cancels the foreground job on Ctrl+C (SIGINT) within a second and exits 130, leaving nothing behind", async () => {
    const run = startForeground({ seconds: 60 });
    const { job, workerPid } = await runningJobWithProgress();

    const sent = Date.now();
    run.child.kill("SIGINT");
    const code = await run.exited;
    const took = Date.now() - sent;
    console.log(`SIGINT → cwb exited in ${took} ms`);

    expect(code).toBe(130);
    expect(took).toBeLessThan(1500);
    expect(run.stderr()).toContain(`cancelling job ${job.id}`);
    expect(run.stderr()).toContain("cancelled: cancelled by user (Ctrl+C)");
    expect(processAlive(workerPid)).toBe(false);
    const after = JSON.parse((await cwb("jobs", "show", job.id, "--json")).stdout) as Job;
    expect(after.state).toBe("cancelled");
    expect(tmpEntries(dataDir)).toEqual([]);
  });

  it("cancels a job that another cwb process runs", async () => {
    const run = startForeground({ seconds: 60 });
    const { job, workerPid } = await runningJobWithProgress();

    const cancel = await cwb("jobs", "cancel", job.id);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toContain(`Cancelled job ${job.id}`);
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain("cancelled: cancelled by user (from another process)");
    expect(processAlive(workerPid)).toBe(false);
    expect(tmpEntries(dataDir)).toEqual([]);
  });

  it("marks the job of a killed cwb 'interrupted'; its worker exits by itself", async () => {
    const run = startForeground({ seconds: 60 });
    const { job, workerPid } = await runningJobWithProgress();

    run.child.kill("SIGKILL");
    await run.exited;
    await waitUntil(() => (processAlive(workerPid) ? undefined : true), 5000, "the orphaned worker to exit");
    const listed = (await jobsList()).find((j) => j.id === job.id)!;
    expect(listed.state).toBe("interrupted");
    expect(listed.error).toMatch(
      /^interrupted: the process running it \(pid \d+\) stopped before it finished$/,
    );
    expect(tmpEntries(dataDir)).toEqual([]);
  });

  it("retries a step of an experiment through its graph, with the steps it needs that did not succeed", async () => {
    const { experimentId, b } = await graphOfKilledProcess();
    const retried = await cwb("--json", "jobs", "retry", b);
    expect(retried.code).toBe(0);
    expect(retried.stderr).toContain(
      `job ${b} is step b of experiment ${experimentId}: retried through the experiment as job`,
    );
    expect(retried.stderr).toContain("after the steps it needs that did not succeed (a)");
    const job = JSON.parse(retried.stdout) as Job;
    expect(job.id).not.toBe(b);
    expect(job).toMatchObject({ stepKey: "b", experimentId, state: "succeeded" });
    const steps = (await jobsList()).filter((j) => j.experimentId === experimentId);
    expect(steps.map((j) => [j.stepKey, j.state]).sort()).toEqual([
      ["a", "interrupted"],
      ["a", "succeeded"],
      ["b", "interrupted"],
      ["b", "succeeded"],
    ]);
  }, 60_000);
});
