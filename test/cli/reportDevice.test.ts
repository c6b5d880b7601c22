// `cwb report EXPERIMENT --device D` as a real child process: the reference model and its Q8_0
// variant in an experiment, llama-bench's JSON for only the F16 one imported for a device through
// `cwb results import`; every format carries the device's columns, names the device and says
// which numbers are predictions.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertExperiment, addExperimentModel } from "../../src/core/store/experiments.js";
import { Store } from "../../src/core/store/Store.js";
import type { DeviceComparison } from "../../src/shared/domain/deviceComparison.js";
import { llamaBenchJson } from "../deviceResults/llamaBenchOutput.js";
import { quantizedVariant } from "../eval/models.js";
import { referenceBuildTimeoutMs, referenceModelPath } from "../helpers/referenceModel.js";
import { buildNode, runCwb } from "./runCwb.js";

let dir: string;
let dataDir: string;
let experimentId: string;
let f16Id: string;

const cwb = (...args: string[]) => runCwb(["--data-dir", dataDir, ...args]);

async function importModel(file: string): Promise<string> {
  const run = await cwb("--json", "models", "import", file);
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { model: { id: string } }).model.id;
}

beforeAll(async () => {
  buildNode();
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-report-device-"));
  dataDir = path.join(dir, "data");
  const base = await referenceModelPath();
  const q8 = quantizedVariant(base, "Q8_0");
  f16Id = await importModel(base);
  const q8Id = await importModel(q8);
  const store = Store.open(path.join(dataDir, "workbench.sqlite"));
  try {
    experimentId = insertExperiment(store.db, { name: "phone check", kind: "sweep", recipe: null }).id;
    addExperimentModel(store.db, experimentId, { modelId: f16Id, label: "F16", position: 0 });
    addExperimentModel(store.db, experimentId, { modelId: q8Id, label: "Q8_0", position: 1 });
  } finally {
    store.close();
  }
  const results = path.join(dir, "pixel-8.json");
  writeFileSync(results, llamaBenchJson([base]));
  const imported = await cwb("results", "import", results, "--device", "pixel-8");
  expect(imported.code, imported.stderr).toBe(0);
}, referenceBuildTimeoutMs);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("cwb report --device", () => {
  it("adds measured, predicted and predicted-vs-measured columns to Markdown, naming the device", async () => {
    const run = await cwb("report", experimentId, "--device", "pixel-8");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("- Device: Google Pixel 8 (pixel-8).");
    expect(run.stdout).toContain("every other device number is a prediction");
    expect(run.stdout).toContain("leave-one-out");
    const header = run.stdout.split("\n").find((line) => line.startsWith("| Variant"))!;
    expect(header).toContain(
      "| Fits on Google Pixel 8 | Generation on Google Pixel 8 | Prompt on Google Pixel 8 | Predicted vs measured |",
    );
    const f16 = run.stdout.split("\n").find((line) => line.startsWith("| F16 "))!;
    // The experiment's own columns are this machine's: nothing was benchmarked here.
    expect(f16).toMatch(/^\| F16 \| [\d.]+ MB \| [\d.]+ bpw \| — \| — \|/);
    expect(run.stdout).toContain("- Machine: (no benchmark recorded)");
    const q8 = run.stdout.split("\n").find((line) => line.startsWith("| Q8_0 "))!;
    expect(f16).toMatch(
      /\| fits \(\+[\d.]+ GiB\) \| measured on Google Pixel 8: [\d.,]+ tok\/s ± [\d.,]+ tok\/s \(n=2\) \|/,
    );
    expect(f16).toMatch(
      /\| measured on Google Pixel 8: [\d.,]+ tok\/s ± [\d.,]+ tok\/s \(n=2\) \| [+−][\d.]+ %, (inside|outside) [\d.,]+–[\d.,]+ tok\/s \|$/,
    );
    expect(q8).toMatch(/\| predicted [\d.,]+–[\d.,]+ tok\/s \| not predicted \| — \|$/);
  });

  it("writes the device's raw columns to CSV and its comparison to JSON", async () => {
    const csvRun = await cwb("report", experimentId, "--device", "pixel-8", "--format", "csv");
    expect(csvRun.code, csvRun.stderr).toBe(0);
    const [header, ...lines] = csvRun.stdout.trim().split("\n");
    expect(header).toContain(",device,device_fit,device_margin (B),device_tg_measured (tok/s),");
    expect(header).toContain("device_tg_error (ratio),device_tg_inside");
    const columns = header!.split(",");
    const f16 = lines.find((line) => line.startsWith(f16Id))!.split(",");
    const q8 = lines.find((line) => !line.startsWith(f16Id))!.split(",");
    const cell = (row: string[], key: string) => row[columns.findIndex((c) => c.startsWith(key))];
    expect(cell(f16, "device ")).toBeUndefined();
    expect(cell(f16, "device")).toBe("pixel-8");
    expect(Number(cell(f16, "device_tg_measured (tok/s)"))).toBeGreaterThan(0);
    expect(Number.isFinite(Number(cell(f16, "device_tg_error")))).toBe(true);
    expect(cell(q8, "device_tg_measured (tok/s)")).toBe("");
    expect(Number(cell(q8, "device_tg_predicted_low"))).toBeGreaterThan(0);

    const jsonRun = await cwb("report", experimentId, "--device", "pixel-8", "--format", "json");
    const report = JSON.parse(jsonRun.stdout) as { device: DeviceComparison };
    expect(report.device.device.id).toBe("pixel-8");
    const measured = report.device.rows.find((r) => r.prediction.modelId === f16Id)!;
    // Only the F16 variant was measured: its check cannot use its own result, so it is from the spec sheet.
    expect(measured.check!.efficiency.basis).toBe("default");
    expect(Number(cell(f16, "device_tg_error"))).toBeCloseTo(measured.check!.error, 9);
  });

  it("puts the device columns and notes into the HTML report", async () => {
    const out = path.join(dir, "report.html");
    const run = await cwb("report", experimentId, "--device", "pixel-8", "--format", "html", "--out", out);
    expect(run.code, run.stderr).toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html).toContain("<th>Generation on Google Pixel 8</th>");
    expect(html).toContain("<li>Device: Google Pixel 8 (pixel-8).");
    expect(html).toMatch(/<td>predicted [\d.,]+–[\d.,]+ tok\/s<\/td>/);
  });

  it("refuses an unknown device, naming it", async () => {
    const run = await cwb("report", experimentId, "--device", "no-such-phone");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("no-such-phone");
  });
});
