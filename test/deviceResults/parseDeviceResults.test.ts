// The results parsers on real llama-bench output in its four formats (one measurement printed two
// ways at a time must read as the same numbers), on hand-written llama.rn bench() results of both
// documented shapes, and on broken files, whose errors must name the line and the field.
import { describe, expect, it } from "vitest";
import type { DeviceBenchRow } from "../../src/shared/deviceResults/deviceBenchRow.js";
import { parseDeviceResults } from "../../src/shared/deviceResults/parseDeviceResults.js";
import { ResultsFormatError } from "../../src/shared/deviceResults/ResultsFormatError.js";
import { referenceBuildTimeoutMs } from "../helpers/referenceModel.js";
import { llamaBenchTwice } from "./llamaBenchOutput.js";

/** What two formats of one measurement must agree on, with md's rounding allowed for. */
function expectSameMeasurement(a: DeviceBenchRow[], b: DeviceBenchRow[]): void {
  expect(a.length).toBe(2);
  expect(b.length).toBe(a.length);
  a.forEach((row, i) => {
    const other = b[i]!;
    expect(other.test).toEqual(row.test);
    expect(other.model.description).toBe(row.model.description);
    expect(other.model.fileType).toBe(row.model.fileType);
    const tolerance = Math.max(row.model.sizeToleranceBytes, other.model.sizeToleranceBytes);
    expect(Math.abs(other.model.sizeBytes! - row.model.sizeBytes!)).toBeLessThanOrEqual(tolerance);
    const exact = row.format !== "llama-bench-md" && other.format !== "llama-bench-md";
    const rateTolerance = exact ? 0 : 0.005 + 1e-9;
    expect(Math.abs(other.tokensPerSecond.mean - row.tokensPerSecond.mean)).toBeLessThanOrEqual(
      rateTolerance,
    );
    expect(Math.abs(other.tokensPerSecond.stddev! - row.tokensPerSecond.stddev!)).toBeLessThanOrEqual(
      rateTolerance,
    );
    expect(other.threads).toBe(row.threads);
    expect(other.build).toEqual(row.build);
  });
}

describe("llama-bench output produced here", () => {
  it(
    "json and jsonl of one measurement read the same, with the samples",
    async () => {
      const { out, err } = await llamaBenchTwice("json", "jsonl");
      const json = parseDeviceResults(out);
      const jsonl = parseDeviceResults(err); // after llama.cpp's log lines on stderr
      expect(json.format).toBe("llama-bench-json");
      expect(jsonl.format).toBe("llama-bench-jsonl");
      expectSameMeasurement(json.rows, jsonl.rows);
      expect(json.rows.map((r) => r.test)).toEqual([
        { promptTokens: 16, generateTokens: 0, depth: 0 },
        { promptTokens: 0, generateTokens: 4, depth: 0 },
      ]);
      expect(json.rows[0]!.tokensPerSecond.samples).toBe(2);
      expect(json.rows[0]!.model).toMatchObject({
        architecture: "llama",
        fileType: "F16",
        sizeToleranceBytes: 0,
      });
      expect(json.rows[0]!.flashAttention).toBe("auto");
    },
    referenceBuildTimeoutMs,
  );

  it("csv and md of one measurement read the same, md within its rounding", async () => {
    const { out, err } = await llamaBenchTwice("csv", "md");
    const csv = parseDeviceResults(out);
    const md = parseDeviceResults(err);
    expect([csv.format, md.format]).toEqual(["llama-bench-csv", "llama-bench-md"]);
    expectSameMeasurement(csv.rows, md.rows);
    expect(md.rows[0]!.model.sizeToleranceBytes).toBeGreaterThan(0);
  });

  it("json and csv of one measurement read the same (linking the two pairs)", async () => {
    const { out, err } = await llamaBenchTwice("json", "csv");
    expectSameMeasurement(parseDeviceResults(out).rows, parseDeviceResults(err).rows);
  });
});

describe("llama.rn bench() results (shapes from llama.rn's src/index.ts BenchResult)", () => {
  it("reads the current shape into a pp row and a tg row at depth pp", () => {
    const result = {
      nKvMax: 1024,
      nBatch: 512,
      nUBatch: 512,
      flashAttn: 0,
      isPpShared: 0,
      nGpuLayers: 99,
      nThreads: 4,
      nThreadsBatch: 4,
      pp: 512,
      tg: 128,
      pl: 1,
      nKv: 640,
      tPp: 1.6,
      speedPp: 320,
      tTg: 8,
      speedTg: 16,
      t: 9.6,
      speed: 66.67,
      model_sha256: "ab".repeat(32),
    };
    const { format, rows } = parseDeviceResults(JSON.stringify(result, null, 2));
    expect(format).toBe("llama-rn");
    expect(rows.map((r) => [r.test, r.tokensPerSecond.mean])).toEqual([
      [{ promptTokens: 512, generateTokens: 0, depth: 0 }, 320],
      [{ promptTokens: 0, generateTokens: 128, depth: 512 }, 16],
    ]);
    expect(rows[0]!.model.sha256).toBe("ab".repeat(32));
    expect(rows[0]).toMatchObject({ threads: 4, gpuLayers: 99, flashAttention: "off" });
  });

  it("reads the earlier shape with its model description, size and spreads", () => {
    const results = [
      {
        modelDesc: "llama 1B Q4_K - Medium",
        modelSize: 807690240,
        modelNParams: 1235814432,
        ppAvg: 210.5,
        ppStd: 3.25,
        tgAvg: 21.75,
        tgStd: 0.5,
        pp: 512,
        tg: 128,
        nr: 3,
      },
    ];
    const { rows } = parseDeviceResults(JSON.stringify(results));
    expect(rows[0]!.model).toMatchObject({
      architecture: "llama",
      sizeLabel: "1B",
      fileType: "Q4_K_M",
      sizeBytes: 807690240,
    });
    expect(rows.map((r) => r.tokensPerSecond)).toEqual([
      { mean: 210.5, stddev: 3.25, samples: 3 },
      { mean: 21.75, stddev: 0.5, samples: 3 },
    ]);
  });

  it("refuses parallel sequences and a result without its test sizes", () => {
    expect(() =>
      parseDeviceResults(JSON.stringify({ pp: 512, tg: 128, pl: 4, speedPp: 1, speedTg: 1 })),
    ).toThrow(/line 1, field pl: 4 parallel sequences/);
    expect(() =>
      parseDeviceResults(JSON.stringify({ modelDesc: "llama 1B F16", ppAvg: 1, tgAvg: 1 })),
    ).toThrow(/line 1, field pp: missing/);
  });
});

describe("broken files name the line and the field", () => {
  const jsonRow = (fields: Record<string, unknown>) =>
    JSON.stringify({
      model_type: "llama 1B F16",
      model_size: 100,
      model_n_params: 50,
      n_prompt: 16,
      n_gen: 0,
      avg_ts: 10,
      ...fields,
    });

  function errorOf(text: string): ResultsFormatError {
    try {
      parseDeviceResults(text);
    } catch (error) {
      if (error instanceof ResultsFormatError) return error;
      throw error;
    }
    throw new Error("parsed without an error");
  }

  it("json: a row with a text where a number belongs", () => {
    const error = errorOf(`[\n  ${jsonRow({})},\n  ${jsonRow({ avg_ts: "fast" })}\n]\n`);
    expect(error.message).toBe('line 3, field avg_ts: "fast" is not a number');
    expect([error.line, error.field]).toEqual([3, "avg_ts"]);
  });

  it("json: a syntax error names its line", () => {
    expect(errorOf(`[\n  ${jsonRow({})},\n  {"model_type": }\n]`).line).toBe(3);
  });

  it("jsonl: a row without its model size", () => {
    const error = errorOf(`${jsonRow({})}\n${jsonRow({ model_size: undefined })}\n`);
    expect(error.message).toBe("line 2, field model_size: missing");
  });

  it("csv: a row with too few values, and a bad number", () => {
    const header = "build_commit,model_type,model_size,model_n_params,n_prompt,n_gen,avg_ts";
    expect(errorOf(`${header}\n"abc","llama 1B F16","100","50","16","0"\n`).message).toBe(
      "line 2: 6 values for the header's 7 fields",
    );
    expect(
      errorOf(
        `${header}\n"abc","llama 1B F16","100","50","16","0","1"\n"abc","llama 1B F16","1x0","50","16","0","1"\n`,
      ).message,
    ).toBe('line 3, field model_size: "1x0" is not a number');
  });

  it("md: a rate that is not avg ± stddev, and a table without its test column", () => {
    const table = [
      "| model | size | params | backend | threads | test | t/s |",
      "| --- | ---: | ---: | --- | ---: | ---: | ---: |",
      "| llama 1B F16 | 1.00 GiB | 1.24 B | CPU | 4 | pp512 | 100.00 ± 1.00 |",
      "| llama 1B F16 | 1.00 GiB | 1.24 B | CPU | 4 | tg128 | quick |",
    ].join("\n");
    expect(errorOf(table).message).toBe('line 4, field t/s: "quick" is not a rate (average ± stddev)');
    expect(errorOf("| model | size | params | t/s |\n| --- | --- | --- | --- |\n").message).toBe(
      "line 1, field test: column missing from the table",
    );
  });

  it("a file that is none of the formats", () => {
    expect(errorOf("hello\nworld\n").message).toMatch(/not a llama-bench .* or llama.rn bench\(\) result/);
  });
});
