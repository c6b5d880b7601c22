// `cwb results import` as a real child process: --json output of a recorded import, the second
// import of the same file reported as such, and --yes refusing an ambiguous file with its candidates.
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deviceResultsImport } from "../../src/shared/deviceResults/deviceResultsImport.js";
import { buildNode, runCwb } from "../cli/runCwb.js";
import { referenceBuildTimeoutMs, referenceModelPath } from "../helpers/referenceModel.js";
import { llamaBenchTwice } from "./llamaBenchOutput.js";

let dir: string;
let modelPath: string;
let csvFile: string;

const cwb = (...args: string[]) => runCwb(["--data-dir", path.join(dir, "data"), ...args]);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-results-cli-"));
  modelPath = await referenceModelPath();
  buildNode();
  const { out } = await llamaBenchTwice("csv", "md");
  csvFile = path.join(dir, "phone.csv");
  writeFileSync(csvFile, out);
  expect((await cwb("models", "import", modelPath)).code).toBe(0);
}, referenceBuildTimeoutMs);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("cwb results import", () => {
  it("records a csv file's rows and prints them as JSON; the same file again adds nothing", async () => {
    const run = await cwb("--json", "results", "import", csvFile, "--device", "pixel-8");
    expect(run.code, run.stderr).toBe(0);
    const outcome = deviceResultsImport.parse(JSON.parse(run.stdout));
    expect(outcome.status).toBe("recorded");
    expect(outcome.format).toBe("llama-bench-csv");
    expect(outcome.runs[0]!.metrics).toEqual(["pp.16", "tg.4"]);

    const again = await cwb("results", "import", csvFile, "--device", "pixel-8");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      `Already imported: this file's content was recorded before as ${outcome.runs[0]!.runId}`,
    );
  });

  it("with --yes, refuses rows that fit two variants and lists them", async () => {
    const twin = path.join(dir, "twin.gguf");
    copyFileSync(modelPath, twin);
    appendFileSync(twin, Buffer.alloc(4096));
    expect((await cwb("models", "import", twin)).code).toBe(0);
    const other = path.join(dir, "other.csv");
    // The same measurement with another thread count: new content, the same model.
    writeFileSync(other, readFileSync(csvFile, "utf8").replace(/,"1","0x0",/g, ',"2","0x0",'));
    const run = await cwb("results", "import", other, "--device", "pixel-8", "--yes");
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("rows fit several variants");
    expect(run.stderr).toContain("(twin.gguf)");
    expect(run.stderr).toContain("(model.gguf)");

    const chosen = await cwb("results", "import", other, "--device", "pixel-8", "--variant", "twin.gguf");
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(chosen.stdout).toMatch(/Recorded 1 run on pixel-8/);
    expect(chosen.stdout).toContain("chosen");
  });
});
