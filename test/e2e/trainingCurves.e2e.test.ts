// The Jobs screen's training curves and a variant's lineage, in a browser against the built
// `cwb serve` with real llama.cpp work on the quick reference model: a short distillation of a pruned
// student is queued on the server; the Jobs page draws its train loss and held-out series from the
// points streamed while it runs, and a page opened afterwards draws the same from the stored series.
// The student quantized by a sweep shows its three steps (pruned → distilled → quantized) in
// `cwb models show` and in History.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReferenceModelResult } from "../../src/shared/domain/referenceModel.js";
import { distillJobResult, type DistillJobParams } from "../../src/shared/domain/distill.js";
import type { TrainingMetricsUpdate } from "../../src/shared/domain/trainingMetrics.js";
import { planDistill } from "../../src/core/distill/planDistill.js";
import { dataPaths } from "../../src/core/paths.js";
import { listModelRecords } from "../../src/core/store/models.js";
import { Store } from "../../src/core/store/Store.js";
import { runCwb } from "../cli/runCwb.js";
import { launchBrowser, openPage, saveScreenshot } from "../helpers/browser.js";
import { referenceBuildTimeoutMs, referenceModel } from "../helpers/referenceModel.js";
import { startServedApp, type ServedApp } from "../helpers/servedApp.js";
import { connectProtocol, type ProtocolConnection } from "../helpers/wsProtocolClient.js";

let dataDir: string;
let app: ServedApp;
let browser: Browser;
let ws: ProtocolConnection;
let ref: ReferenceModelResult;

beforeAll(async () => {
  ref = await referenceModel("quick");
  dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-e2e-curves-"));
  const imported = await runCwb(["--data-dir", dataDir, "models", "import", ref.modelPath]);
  expect(imported.code, imported.stderr).toBe(0);
  const pruned = await runCwb([
    "--data-dir",
    dataDir,
    "prune",
    ref.modelPath,
    "--layers",
    "1",
    "--threads",
    "2",
  ]);
  expect(pruned.code, pruned.stderr).toBe(0);
  app = await startServedApp(dataDir);
  ws = await connectProtocol(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`, { Origin: app.origin });
  browser = await launchBrowser();
}, referenceBuildTimeoutMs);

afterAll(async () => {
  await ws?.close();
  await browser?.close();
  await app?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function withStore<T>(use: (store: Store) => T | Promise<T>): Promise<T> {
  const store = Store.open(dataPaths(dataDir).database);
  return Promise.resolve(use(store)).finally(() => store.close());
}

/** The newest library model whose file name contains `part`. */
const modelNamed = (part: string): Promise<string> =>
  withStore((s) => listModelRecords(s.db).find((m) => m.fileName.includes(part))!.id);

async function call(method: string, params: unknown): Promise<unknown> {
  const frame = await ws.call(method, params);
  if (!frame.ok) throw new Error(`${method}: ${JSON.stringify(frame.error)}`);
  return frame.value;
}

const curves = (page: Page) =>
  page.locator('[data-testid="job-row"][data-kind="distill"] + tr [data-testid="training-curves"]');
const points = async (page: Page, which: "train" | "heldout"): Promise<number> =>
  Number(
    (await curves(page)
      .getAttribute(`data-${which}-points`, { timeout: 1000 })
      .catch(() => "0")) ?? 0,
  );

describe("training curves and lineage", () => {
  it("draws a distillation's curves live and afterwards; its quantized variant shows its chain", async () => {
    const { page, problems } = await openPage(browser, `${app.url}#/jobs`);
    await page.getByRole("heading", { name: "Jobs" }).waitFor();

    const studentId = await modelNamed("prune");
    const params: DistillJobParams = await withStore(async (s) => {
      const plan = await planDistill(s.db, dataDir, {
        teacher: ref.modelPath,
        student: studentId,
        text: ref.calibrationText.path,
        heldout: ref.evalText.path,
        settings: {
          contextSize: 256,
          accumulate: 2,
          tokens: 6 * 256,
          lr: 3e-4,
          warmupSteps: 2,
          evalEvery: 2,
          heldoutChunks: 2,
          textChunks: 6,
          threads: 2,
        },
        out: path.join(dataDir, "distilled.gguf"),
      });
      if (plan.kind !== "job") throw new Error("an existing student is one job");
      return plan.params;
    });
    const job = (await call("jobs.start", { kind: "distill", params })) as { id: string };

    // While it trains the curves open by themselves and fill as the points arrive.
    await expect.poll(() => points(page, "train"), { timeout: 120_000, interval: 200 }).toBeGreaterThan(0);
    // Points were drawn before the job ended: they came live, not from the result.
    expect(
      await page.locator(`[data-testid="job-row"][data-job-id="${job.id}"]`).getAttribute("data-state"),
    ).toBe("running");
    await page
      .locator(`[data-testid="job-row"][data-job-id="${job.id}"][data-state="succeeded"]`)
      .waitFor({ timeout: 120_000 });
    const result = distillJobResult.parse(
      ((await call("jobs.get", { id: job.id })) as { result: unknown }).result,
    );
    // Fast steps may share a progress report, but each carries its own loss: one point per step.
    expect(result.training.steps).toBe(6);
    expect(result.training.lossCurve.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    const steps = result.training.lossCurve.length;
    const heldout = result.training.heldout.length;
    expect(heldout).toBeGreaterThanOrEqual(4); // step 0, every 2nd, the end
    await expect.poll(() => points(page, "train")).toBe(steps);
    await expect.poll(() => points(page, "heldout")).toBe(heldout);
    await expect(page.getByTestId("training-kld-chart").isVisible()).resolves.toBe(true);
    const facts = await page.getByTestId("training-facts").innerText();
    expect(facts).toMatch(/step 6 of 6, train loss \d+\.\d{4}/);
    expect(facts).toMatch(/\d[\d,.]* tok\/s/);
    expect(facts).toMatch(/KLD \d+\.\d{4} ± \d+\.\d{4} \(95 %\), PPL \d+\.\d{2}/);

    await saveScreenshot(page, "jobs-training-curves");

    // The WebSocket carried each point once, in batches.
    const batches = ws.events
      .filter((e) => e.topic === "jobs.metrics" && (e.payload as TrainingMetricsUpdate).jobId === job.id)
      .map((e) => e.payload as TrainingMetricsUpdate);
    const streamed = batches.flatMap((b) => b.train.map((p) => p.step));
    expect(streamed).toEqual(result.training.lossCurve.map((p) => p.step));
    expect(batches.flatMap((b) => b.heldout.map((p) => p.step))).toEqual(
      result.training.heldout.map((p) => p.step),
    );

    // A page opened afterwards fetches the stored series: the same points.
    const later = await openPage(browser, `${app.url}#/jobs`);
    await later.page
      .locator(`[data-testid="job-row"][data-job-id="${job.id}"]`)
      .getByRole("button", { name: "Curves" })
      .click();
    await expect.poll(() => points(later.page, "train")).toBe(steps);
    await expect.poll(() => points(later.page, "heldout")).toBe(heldout);

    // Lineage: the distilled student quantized by a one-type sweep.
    const sweep = await runCwb([
      "--data-dir",
      dataDir,
      "sweep",
      result.model.id,
      "--types",
      "Q8_0",
      "--threads",
      "2",
    ]);
    expect(sweep.code, sweep.stderr).toBe(0);
    const quantized = await modelNamed("Q8_0");
    const shown = await runCwb(["--data-dir", dataDir, "models", "show", quantized]);
    expect(shown.code, shown.stderr).toBe(0);
    const chain = shown.stdout.split("lineage (original first):\n")[1]!.split("\n\n")[0]!.split("\n");
    expect(chain).toHaveLength(4);
    expect(chain[0]).toMatch(/^ {2}original: /);
    expect(chain[1]).toMatch(/^ {2}pruned \(dropped block 1 of \d+\): /);
    expect(chain[2]).toMatch(
      /^ {2}distilled \(teacher .+, data [0-9a-f]{12}, soft targets, final loss \d+\.\d{4}, held-out KLD \d+\.\d{4} ± \d+\.\d{4}, 6 steps\): distilled\.gguf$/,
    );
    expect(chain[3]).toMatch(/^ {2}quantized \(Q8_0, no imatrix\): /);

    const experimentId = await withStore(
      (s) =>
        (s.db.prepare("SELECT id FROM experiments ORDER BY created_at DESC LIMIT 1").get() as { id: string })
          .id,
    );
    await page.evaluate((id) => (window.location.hash = `#/history/${id}`), experimentId);
    const history = page.locator(`[data-testid="lineage-chain"][data-model-id="${quantized}"]`);
    await expect
      .poll(() => history.getAttribute("data-steps"), { timeout: 30_000 })
      .toBe("original pruned distilled quantized");
    expect(await history.locator('[data-testid="lineage-step"][data-kind="distilled"]').innerText()).toMatch(
      /6 steps/,
    );

    // Compare: the variant's row opens the same chain.
    await page.evaluate((id) => (window.location.hash = `#/compare/${id}`), experimentId);
    const row = page.locator(`[data-testid="compare-row"][data-model-id="${quantized}"]`);
    const selectedBefore = await row.getAttribute("aria-selected");
    await row.getByTestId("lineage-toggle").click();
    await expect
      .poll(() => row.getByTestId("lineage-chain").getAttribute("data-steps"), { timeout: 30_000 })
      .toBe("original pruned distilled quantized");
    expect(await row.getAttribute("aria-selected")).toBe(selectedBefore); // the toggle is not a row click
    await saveScreenshot(page, "compare-lineage");
    expect(problems).toEqual([]);
  }, 300_000);
});
