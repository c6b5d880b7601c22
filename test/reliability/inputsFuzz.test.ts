// The CI slice of `npm run fuzz:inputs`: seeded mutations of importance matrices, calibration texts
// and export bundles are read or refused with a coded error, never anything else; and the defects
// the full run found stay fixed: a GGUF matrix whose chunk key has another type aborted the worker
// (llama.cpp's gguf_get_val_u32 asserts), and a missing or empty text was refused without a code.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planEvaluation } from "../../src/core/eval/planEvaluation.js";
import { checkImatrixMatchesModel } from "../../src/core/quantize/checkQuantizeInput.js";
import { planImatrix } from "../../src/core/quantize/planImatrix.js";
import type { Store } from "../../src/core/store/Store.js";
import {
  fuzzedInputs,
  makeInputSeeds,
  openFuzzStore,
  runInputsFuzz,
  type InputSeeds,
} from "../../bench/fuzz/inputsFuzz.js";
import { buildNode } from "../cli/runCwb.js";
import { nativeAddon } from "../quantize/fixtures.js";

const workDir = mkdtempSync(path.join(os.tmpdir(), "cwb-inputs-fuzz-"));
let store: Store;
let dataDir: string;
let seeds: InputSeeds;

beforeAll(async () => {
  buildNode();
  ({ store, dataDir } = openFuzzStore(workDir));
  seeds = await makeInputSeeds(path.join(workDir, "seeds"), store);
}, 180_000);
afterAll(() => {
  store?.close();
  rmSync(workDir, { recursive: true, force: true });
});

it("reads or refuses with a coded error every one of 150 mutants of each input", async () => {
  const tables = await runInputsFuzz({
    inputs: fuzzedInputs,
    count: 150,
    seed: 15,
    cliCount: 0,
    workDir,
    seeds,
    store,
    dataDir,
  });
  for (const [input, table] of tables) {
    expect(table.defects, `${input}\n${table.format()}`).toEqual([]);
    for (const row of table.rows().filter((r) => !r.path.startsWith("cli")))
      expect(row.verdict, `${input}: ${row.path}`).toMatch(/^(accepted|refused)$/);
  }
  const count = (input: (typeof fuzzedInputs)[number], p: string, verdict: "accepted" | "refused") =>
    tables.get(input)!.count(p, verdict);
  // Both verdicts occur on every path, so the slice exercises the readers and not only their first check.
  expect(count("imatrix", "imatrix preflight", "refused")).toBeGreaterThan(30);
  expect(count("imatrix", "imatrix preflight", "accepted")).toBeGreaterThan(10);
  expect(count("text", "text store", "refused")).toBeGreaterThan(30);
  expect(count("text", "eval text plan", "accepted")).toBeGreaterThan(10);
  expect(count("bundle", "bundle verifier", "refused")).toBeGreaterThan(30);
  expect(count("bundle", "bundle verifier", "accepted")).toBeGreaterThan(5);
}, 120_000);

describe("regressions", () => {
  /** The seed GGUF matrix with imatrix.chunk_count's type turned from uint32 into int32 (same size). */
  function retypedChunkCount(): string {
    const { bytes, kvs } = seeds.imatrixGguf;
    const copy = Buffer.from(bytes);
    const kv = kvs.find((k) => copy.toString("utf8", k.start + 8, k.keyEnd) === "imatrix.chunk_count")!;
    expect(copy.readUInt32LE(kv.keyEnd)).toBe(4);
    copy.writeUInt32LE(5, kv.keyEnd);
    const file = path.join(workDir, "retyped.imatrix.gguf");
    writeFileSync(file, copy);
    return file;
  }

  it("a GGUF matrix whose chunk count is not a uint32 is refused before a job, and by the worker's reader", async () => {
    const file = retypedChunkCount();
    await expect(checkImatrixMatchesModel(file, seeds.record)).rejects.toMatchObject({
      code: "IMATRIX_INVALID",
      message: `${file}: damaged importance matrix: imatrix.chunk_count is not a uint32`,
    });
    // The worker's own reader refuses it too, where it used to abort the process (SIGABRT).
    const addon = await nativeAddon();
    await expect(
      addon.quantize({
        inPath: seeds.model,
        outPath: path.join(workDir, "never.gguf"),
        ftype: 15, // Q4_K_M
        imatrixPath: file,
        threads: 1,
      }).promise,
    ).rejects.toThrow(`${file}: imatrix.chunk_count is not a uint32`);
  });

  it("an empty or missing text is refused with a coded error naming it, by every planner", async () => {
    const empty = path.join(workDir, "empty.txt");
    writeFileSync(empty, "");
    await expect(
      planImatrix(store.db, dataDir, { model: seeds.record.id, text: empty }),
    ).rejects.toMatchObject({
      code: "TEXT_SIZE_REFUSED",
      message: "empty.txt is empty",
    });
    const missing = path.join(workDir, "missing.txt");
    await expect(
      planEvaluation(store.db, { base: seeds.record.id, variants: [], textPath: missing }),
    ).rejects.toMatchObject({ code: "TEXT_SIZE_REFUSED", message: `${missing}: no such text file` });
  });
});
