// `cwb eval` end to end: the real binary, a worker process through the job queue, real llama.cpp, and
// what lands in SQLite (runs, metrics, the base-logits artifact) and on disk (the cached base file).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EvalJobResult } from "../../src/shared/domain/eval.js";
import { buildNode, runCwb } from "../cli/runCwb.js";
import { writeEvalText } from "./evalText.js";
import { evalBase, quantizedVariant } from "./models.js";

let dir: string;
let dataDir: string;
let text: string;
let base: string;
let q4: string;
let q8: string;

beforeAll(async () => {
  buildNode();
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-eval-cli-"));
  dataDir = path.join(dir, "data");
  text = writeEvalText(dir, 40_000);
  base = (await evalBase()).model;
  q4 = quantizedVariant(base, "Q4_0");
  q8 = quantizedVariant(base, "Q8_0");
}, 1_800_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cwb = (...args: string[]) => runCwb(["--data-dir", dataDir, ...args]);
const evalArgs = ["--base", "", "--text", "", "--ctx", "128", "--chunks", "4"];
function args(...variants: string[]): string[] {
  const a = [...evalArgs];
  a[1] = base;
  a[3] = text;
  return ["--json", "eval", ...variants, ...a];
}

describe("cwb eval", () => {
  let first: EvalJobResult;

  it("evaluates two variants in one job: base pass, cached base file, runs with metrics", async () => {
    const result = await cwb(...args(q4, q8));
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    first = JSON.parse(result.stdout) as EvalJobResult;
    expect(first.variants).toHaveLength(2);
    expect(first.baseCache.reused).toBe(false);
    expect(existsSync(first.baseCache.path)).toBe(true);
    expect(first.baseCache.path.startsWith(path.join(dataDir, "artifacts", "base-logits"))).toBe(true);
    const [v4, v8] = first.variants;
    // Q8_0 is closer to the base than Q4_0
    expect(v8!.figures.kldMean.value).toBeLessThan(v4!.figures.kldMean.value);
    expect(v4!.figures.basePpl.value).toBeCloseTo(first.basePpl.value, 3);
    expect(v4!.figures.positions).toBe(4 * 63);

    const db = new Database(path.join(dataDir, "workbench.sqlite"), { readonly: true });
    try {
      const runs = db.prepare("SELECT * FROM runs WHERE kind = 'eval' ORDER BY created_at").all() as {
        id: string;
        model_id: string;
        base_model_id: string;
        machine_id: string;
        llama_build: string;
      }[];
      expect(runs).toHaveLength(3); // base + two variants
      expect(new Set(runs.map((r) => r.base_model_id)).size).toBe(1);
      expect(runs.every((r) => r.machine_id && r.llama_build)).toBe(true);
      const metrics = db
        .prepare("SELECT name, value, unit, stddev, samples FROM metrics WHERE run_id = ?")
        .all(v4!.runId) as {
        name: string;
        value: number;
        unit: string;
        stddev: number | null;
        samples: number;
      }[];
      const byName = new Map(metrics.map((m) => [m.name, m]));
      for (const name of [
        "ppl",
        "ppl.base",
        "ppl.ratio",
        "ppl.delta",
        "kld.mean",
        "kld.median",
        "kld.p99",
        "kld.p99.9",
        "kld.max",
        "top.same",
        "dp.rms",
        "eval.time",
      ]) {
        expect(byName.has(name), name).toBe(true);
      }
      expect(byName.get("ppl")!.value).toBeCloseTo(v4!.figures.ppl.value, 6);
      expect(byName.get("ppl")!.stddev).toBeCloseTo(v4!.figures.ppl.uncertainty, 6);
      expect(byName.get("kld.mean")!.samples).toBe(4 * 63);
      const artifacts = db.prepare("SELECT kind, path, bytes, model_id FROM artifacts").all() as {
        kind: string;
        path: string;
        bytes: number;
      }[];
      expect(artifacts).toEqual([
        expect.objectContaining({
          kind: "base-logits",
          path: first.baseCache.path,
          bytes: first.baseCache.bytes,
        }),
      ]);
    } finally {
      db.close();
    }
  }, 600_000);

  it("a later evaluation against the same base, text and settings reuses the cached base file", async () => {
    const out = path.join(dir, "report.json");
    const result = await cwb(...args(q4), "--out", out);
    expect(result.code).toBe(0);
    const second = JSON.parse(result.stdout) as EvalJobResult;
    expect(second.baseCache).toMatchObject({ reused: true, artifactId: first.baseCache.artifactId });
    expect(second.baseRunId).toBeNull();
    expect(second.variants[0]!.figures.ppl.value).toBe(first.variants[0]!.figures.ppl.value);
    expect(second.variants[0]!.figures.kldMean.value).toBe(first.variants[0]!.figures.kldMean.value);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(second);
    expect(readdirSync(dir).filter((f) => f.includes(".partial"))).toEqual([]);
  }, 600_000);

  it("bad input fails with exit code 1, names the file, and records nothing", async () => {
    const missing = path.join(dir, "no-such-text.txt");
    const r1 = await cwb("eval", q4, "--base", base, "--text", missing, "--ctx", "128");
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain(missing);
    const short = writeEvalText(dir, 200, 1990);
    const r2 = await cwb("eval", q4, "--base", base, "--text", short, "--ctx", "128");
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/tokens; at least 256 are needed/);
    const db = new Database(path.join(dataDir, "workbench.sqlite"), { readonly: true });
    try {
      expect((db.prepare("SELECT count(*) AS n FROM runs").get() as { n: number }).n).toBe(4);
      expect((db.prepare("SELECT count(*) AS n FROM artifacts").get() as { n: number }).n).toBe(1);
    } finally {
      db.close();
    }
    expect(readdirSync(path.join(dataDir, "artifacts", "base-logits"))).toHaveLength(1);
  }, 600_000);
});
