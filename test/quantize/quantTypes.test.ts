// The type table (src/shared/quantTypes.ts) against llama.cpp itself: the same names and ftype
// values llama-quantize lists, and every type really quantizes through the addon, refusing without
// an importance matrix exactly when the table says it needs one. Calls the addon in this process.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quantTypes } from "../../src/shared/quantTypes.js";
import { llamaTools, makeRandomModel, makeTempDir, nativeAddon, removeDir, usableTools } from "./fixtures.js";

const tools = llamaTools();
let dir: string;
let model: string;

beforeAll(async () => {
  if (!("skip" in tools)) expect(tools.quantize).toBeTruthy(); // builds the tools when not cached
  dir = makeTempDir("qtypes");
  model = await makeRandomModel(path.join(dir, "base-f32.gguf"), { layers: 2 });
});
afterAll(() => removeDir(dir));

describe("quantization type table", () => {
  it.skipIf("skip" in tools)("names the same types and ftype values llama-quantize offers", () => {
    const usage = spawnSync(usableTools(tools).quantize, ["--help"], { encoding: "utf8" });
    const listed = [...`${usage.stdout}${usage.stderr}`.matchAll(/^\s+(\d+)\s+or\s+(\S+)\s+:/gm)].map(
      (m) => `${m[2]}=${m[1]}`,
    );
    expect(listed.length).toBeGreaterThan(30);
    const ours = quantTypes.filter((q) => !q.copyOnly).map((q) => `${q.name}=${q.ftype}`);
    expect([...ours].sort()).toEqual([...listed].sort());
    expect(`${usage.stdout}${usage.stderr}`).toMatch(/COPY\s+:/);
  });

  it("every type quantizes, and refuses without an importance matrix exactly when marked", async () => {
    const addon = await nativeAddon();
    const out = path.join(dir, "out.gguf");
    const mismatches: string[] = [];
    for (const q of quantTypes) {
      if (q.aliasOf) continue;
      try {
        await addon.quantize({
          inPath: model,
          outPath: out,
          ftype: q.ftype,
          onlyCopy: q.copyOnly === true,
          threads: 2,
        }).promise;
        if (q.needsImatrix) mismatches.push(`${q.name} quantized without an imatrix`);
      } catch (error) {
        const refusedForImatrix = /requires an imatrix/.test(String(error));
        if (!refusedForImatrix || !q.needsImatrix) mismatches.push(`${q.name}: ${String(error)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
