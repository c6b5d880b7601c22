// The project's own GGUF header reader (core/library/ggufLayout.ts), which the app process uses
// instead of node-llama-cpp's, must read every key/value as node-llama-cpp's reader does: checked on
// the test helper's tiny model (scalars, strings, a chat template, a 298-token vocabulary) and on the
// reference model.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readGgufLayout, type GgufValue } from "../../src/core/library/ggufLayout.js";
import { readModelMetadata } from "../../src/core/library/readModelMetadata.js";
import { writeTinyGguf } from "../helpers/gguf.js";
import { referenceModel, referenceBuildTimeoutMs } from "../helpers/referenceModel.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "cwb-gguf-reader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** node-llama-cpp's metadata, flattened to dotted keys like the GGUF file's own. */
async function theirMetadata(file: string): Promise<Map<string, unknown>> {
  const { readGgufFileInfo } = await import("node-llama-cpp");
  const info = await readGgufFileInfo(file, { logWarnings: false, spliceSplitFiles: false });
  const flat = new Map<string, unknown>();
  const walk = (value: unknown, prefix: string): void => {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else flat.set(prefix, value);
  };
  walk(info.metadata, "");
  return flat;
}

function comparable(value: GgufValue | unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(comparable);
  return value;
}

async function expectSameMetadata(file: string): Promise<number> {
  const ours = (await readGgufLayout(file, statSync(file).size)).metadata;
  const theirs = await theirMetadata(file);
  expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
  let decoded = 0;
  for (const [key, value] of ours) {
    const other = theirs.get(key);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      // A long array is only counted: the count must be right.
      expect((other as unknown[]).length, key).toBe((value as { length: number }).length);
      continue;
    }
    if (typeof value === "number" && !Number.isInteger(value))
      expect(value, key).toBeCloseTo(other as number, 6);
    else expect(comparable(value), key).toEqual(comparable(other));
    decoded++;
  }
  return decoded;
}

describe("the GGUF header reader", () => {
  it("reads the tiny model's keys and values as node-llama-cpp does", async () => {
    const tiny = writeTinyGguf(path.join(dir, "tiny.gguf"));
    const decoded = await expectSameMetadata(tiny.path);
    expect(decoded).toBeGreaterThan(10);
    const { metadata } = await readModelMetadata(tiny.path);
    expect(metadata.vocabularySize).toBe(298);
    expect(metadata.chatTemplate).toContain("{%");
    expect(metadata.fileType).toMatch(/^(ALL|MOSTLY)_/);
  });

  it(
    "reads the reference model's keys and values as node-llama-cpp does",
    async () => {
      const reference = await referenceModel();
      await expectSameMetadata(reference.modelPath);
      const { metadata } = await readModelMetadata(reference.modelPath);
      expect(metadata.vocabularySize).toBe(4096);
      expect(metadata.layers).toBeGreaterThan(0);
    },
    referenceBuildTimeoutMs,
  );
});
