// `cwb quantize` against llama.cpp's own llama-quantize built from the same bundled source: the same
// input and options must give byte-identical files (sha256), for plain, k-quant, imatrix, i-quant
// and per-tensor-override recipes. Runs the real CLI (node bin/cwb.js), so every quantization goes
// through the job queue in a worker process and is recorded as a variant.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QuantizeJobResult } from "../../src/shared/domain/compression.js";
import { buildNode, runCwb } from "../cli/runCwb.js";
import { bundledLlamaCppRelease, nodeLlamaCppVersion } from "../../src/core/machine/machineFingerprint.js";
import {
  llamaTools,
  makeRandomModel,
  makeTempDir,
  removeDir,
  runLlamaImatrix,
  runTool,
  sha256,
  writeCalibrationText,
} from "./fixtures.js";

const tools = llamaTools();
const skip = "skip" in tools ? tools.skip : null;
if (skip) console.warn(`[parity] skipped: ${skip}`);

let dir: string;
let dataDir: string;
let model: string;
let imatrix: string;

beforeAll(async () => {
  if (skip) return;
  buildNode();
  dir = makeTempDir("qparity");
  dataDir = path.join(dir, "data");
  model = await makeRandomModel(path.join(dir, "base-f32.gguf"));
  const text = writeCalibrationText(path.join(dir, "calibration.txt"));
  imatrix = path.join(dir, "reference.imatrix.gguf");
  if (!("skip" in tools))
    runLlamaImatrix(tools.imatrix, { model, text, out: imatrix, chunks: 8, threads: 2 });
});
afterAll(() => removeDir(dir));

const cwb = (...args: string[]) => runCwb(["--data-dir", dataDir, ...args]);

interface Case {
  type: string;
  label: string;
  toolArgs: () => string[];
  cwbArgs: () => string[];
  /** File size relative to the F32 input. */
  ratio: [number, number];
}

const cases: Case[] = [
  { type: "Q8_0", label: "Q8_0", toolArgs: () => [], cwbArgs: () => [], ratio: [0.26, 0.28] },
  { type: "Q4_K_M", label: "Q4_K_M", toolArgs: () => [], cwbArgs: () => [], ratio: [0.14, 0.18] },
  {
    type: "Q2_K",
    label: "Q2_K + imatrix",
    toolArgs: () => ["--imatrix", imatrix],
    cwbArgs: () => ["--imatrix", imatrix],
    ratio: [0.09, 0.13],
  },
  { type: "IQ4_XS", label: "IQ4_XS", toolArgs: () => [], cwbArgs: () => [], ratio: [0.13, 0.16] },
  {
    type: "Q4_K_M",
    label: "Q4_K_M + --tensor-type attn_v=q8_0 ffn_down=q5_k",
    toolArgs: () => ["--tensor-type", "attn_v=q8_0", "--tensor-type", "ffn_down=q5_k"],
    cwbArgs: () => ["--tensor-type", "attn_v=q8_0", "--tensor-type", "ffn_down=q5_k"],
    ratio: [0.15, 0.19],
  },
];

describe.skipIf(skip !== null)("quantize parity with llama-quantize", () => {
  const made: { label: string; result: QuantizeJobResult; file: string }[] = [];

  for (const [i, c] of cases.entries()) {
    it(`${c.label}: byte-identical output`, async () => {
      const theirs = path.join(dir, `theirs-${i}.gguf`);
      const ours = path.join(dir, `ours-${i}.gguf`);
      const t =
        "skip" in tools ? null : runTool(tools.quantize, [...c.toolArgs(), model, theirs, c.type, "2"]);
      const started = performance.now();
      const run = await cwb(
        "--json",
        "quantize",
        model,
        "--type",
        c.type,
        ...c.cwbArgs(),
        "--threads",
        "2",
        "--out",
        ours,
      );
      const wall = (performance.now() - started) / 1000;
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as QuantizeJobResult;
      expect(sha256(ours)).toBe(sha256(theirs));
      const ratio = statSync(ours).size / statSync(model).size;
      expect(ratio).toBeGreaterThan(c.ratio[0]);
      expect(ratio).toBeLessThan(c.ratio[1]);
      expect(result.model?.path).toBe(ours);
      made.push({ label: c.label, result, file: ours });
      console.log(
        `[parity] ${c.label}: identical sha256, ${(statSync(ours).size / 1e6).toFixed(2)} MB (${(100 * ratio).toFixed(1)} % of F32); ` +
          `quantize ${result.report.seconds.toFixed(2)} s vs llama-quantize process ${t?.seconds.toFixed(2)} s; cwb command ${wall.toFixed(1)} s`,
      );
    });
  }

  it("overrides land on the tensors they name", () => {
    const override = made.find((m) => m.label.includes("--tensor-type"))!;
    const plain = made.find((m) => m.label === "Q4_K_M")!;
    for (const t of override.result.report.tensors) {
      if (t.name.includes("attn_v")) expect(t.toType, t.name).toBe("q8_0");
      if (t.name.includes("ffn_down")) expect(t.toType, t.name).toBe("q5_K");
    }
    // Without overrides Q4_K_M keeps attn_v / ffn_down at q4_K or q6_K.
    for (const t of plain.result.report.tensors.filter(
      (x) => x.name.includes("attn_v") || x.name.includes("ffn_down"),
    )) {
      expect(["q4_K", "q6_K"]).toContain(t.toType);
    }
  });

  it("records every result as a variant of the input with its recipe and llama.cpp build", () => {
    const db = new Database(path.join(dataDir, "workbench.sqlite"), { readonly: true });
    try {
      const rows = db
        .prepare(
          "SELECT v.*, m.path FROM variants v JOIN models m ON m.id = v.model_id ORDER BY v.created_at",
        )
        .all() as {
        parent_id: string;
        recipe_kind: string;
        recipe_json: string;
        llama_build: string;
        path: string;
        imatrix_id: string | null;
      }[];
      expect(rows).toHaveLength(cases.length);
      const parent = db.prepare("SELECT id FROM models WHERE path = ?").get(model) as { id: string };
      for (const row of rows) {
        expect(row.parent_id).toBe(parent.id);
        expect(row.recipe_kind).toBe("quantize");
        expect(row.llama_build).toMatch(new RegExp(`^${bundledLlamaCppRelease()} \\([0-9a-f]{7,}\\)$`));
        const recipe = JSON.parse(row.recipe_json) as {
          type: string;
          imatrix: { path: string } | null;
          build: { release: string; nodeLlamaCpp: string };
        };
        expect(recipe.build.release).toBe(bundledLlamaCppRelease());
        expect(recipe.build.nodeLlamaCpp).toBe(nodeLlamaCppVersion());
        if (row.path.endsWith("ours-2.gguf")) expect(recipe.imatrix?.path).toBe(imatrix);
      }
    } finally {
      db.close();
    }
  });

  it("--dry-run predicts the sizes and types of the real run and writes nothing", async () => {
    const before = readdirSync(path.join(dataDir, "models"));
    const run = await cwb(
      "--json",
      "quantize",
      model,
      "--type",
      "Q4_K_M",
      "--tensor-type",
      "attn_v=q8_0",
      "--tensor-type",
      "ffn_down=q5_k",
      "--dry-run",
    );
    expect(run.code, run.stderr).toBe(0);
    const dry = JSON.parse(run.stdout) as QuantizeJobResult;
    expect(dry.dryRun).toBe(true);
    expect(dry.model).toBeNull();
    const real = made.find((m) => m.label.includes("--tensor-type"))!.result;
    expect(dry.report.tensors.map((t) => [t.name, t.toType, t.bytes])).toEqual(
      real.report.tensors.map((t) => [t.name, t.toType, t.bytes]),
    );
    expect(dry.report.tensorBytes).toBe(real.report.tensorBytes);
    expect(readdirSync(path.join(dataDir, "models"))).toEqual(before);
  });

  it("refuses a type that needs an importance matrix without one, writing nothing", async () => {
    const out = path.join(dir, "iq2.gguf");
    const run = await cwb("quantize", model, "--type", "IQ2_XS", "--out", out);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/IQ2_XS needs an importance matrix/);
    expect(existsSync(out)).toBe(false);
  });

  it("refuses an unknown tensor type in --tensor-type", async () => {
    const run = await cwb("quantize", model, "--type", "Q4_K_M", "--tensor-type", "attn_v=q9_9", "--dry-run");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/unknown tensor type "q9_9"/);
  });

  it("--list-types names every type with bits per weight and the imatrix requirement", async () => {
    const run = await cwb("--json", "quantize", "--list-types");
    expect(run.code, run.stderr).toBe(0);
    const types = JSON.parse(run.stdout) as { name: string; bpw: number; needsImatrix: boolean }[];
    const byName = new Map(types.map((t) => [t.name, t]));
    for (const name of ["IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "Q2_K_S"])
      expect(byName.get(name)?.needsImatrix, name).toBe(true);
    for (const name of ["Q8_0", "Q4_K_M", "Q2_K", "IQ4_XS", "F16"])
      expect(byName.get(name)?.needsImatrix, name).toBe(false);
    expect(byName.get("Q8_0")?.bpw).toBe(8.5);
    expect(types.length).toBeGreaterThanOrEqual(38);
    const human = await cwb("quantize", "--list-types");
    expect(human.stdout).toMatch(/Q4_K_M\s+15\s+4\.50/);
  });
});
