// The bundle's bench-on-device.sh and the device results import agree: the script, run here with
// llama.cpp's own llama-bench on the exported bundle (short workload through its environment
// overrides), writes JSON whose rows carry the model's SHA-256, and `cwb results import` matches
// every row to the exported variant by hash and records it for the device.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deviceResultsImport } from "../../src/shared/deviceResults/deviceResultsImport.js";
import { exportManifest } from "../../src/shared/domain/exportManifest.js";
import { buildNode, runCwb } from "../cli/runCwb.js";
import { runBundleBenchScript } from "../deviceResults/llamaBenchOutput.js";
import { referenceBuildTimeoutMs, referenceModelPath } from "../helpers/referenceModel.js";

const work = mkdtempSync(path.join(os.tmpdir(), "cwb-device-bench-"));
const dataDir = path.join(work, "data");
const bundle = path.join(work, "bundle");
let model = "";

beforeAll(async () => {
  model = await referenceModelPath();
  buildNode();
}, referenceBuildTimeoutMs);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("bench-on-device.sh", () => {
  it("writes llama-bench JSON that the import matches to the exported variant by hash", async () => {
    const exported = await runCwb([
      "--data-dir",
      dataDir,
      "export",
      model,
      "--out",
      bundle,
      "--device",
      "pixel-8",
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    const manifest = exportManifest.parse(
      JSON.parse(readFileSync(path.join(bundle, "manifest.json"), "utf8")),
    );

    const results = path.join(work, "pixel-8.json");
    runBundleBenchScript(bundle, results);
    const rows = JSON.parse(readFileSync(results, "utf8")) as {
      model_sha256?: string;
      model_filename?: string;
    }[];
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.model_sha256).toBe(manifest.model.sha256);
      expect(row.model_filename).toBe(manifest.entry);
    }

    const imported = await runCwb([
      "--data-dir",
      dataDir,
      "--json",
      "results",
      "import",
      results,
      "--device",
      "pixel-8",
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    const outcome = deviceResultsImport.parse(JSON.parse(imported.stdout));
    expect(outcome.status).toBe("recorded");
    expect(outcome.rows.map((row) => row.metric).sort()).toEqual(["pp.16", "tg.4"]);
    const models = await runCwb(["--data-dir", dataDir, "--json", "models", "list"]);
    const exportedModel = (JSON.parse(models.stdout) as { id: string; sha256: string }[]).find(
      (m) => m.sha256 === manifest.model.sha256,
    )!;
    for (const row of outcome.rows) expect(row.match).toEqual({ modelId: exportedModel.id, by: "hash" });
  }, 600_000);
});
