// Pins the reason attn_k/attn_v stay frozen in `cwb distill` (docs/distillation.md, Limits): built
// against the prebuilt libggml-base, a key projection that reaches attention through a KV cache gets
// no gradient, and ggml has no backward pass for SET_ROWS. If an upgrade of node-llama-cpp changes
// either, this fails and the limit is worth revisiting.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bundledLlamaCppRelease } from "../../src/core/machine/machineFingerprint.js";
import { repoRoot } from "../cli/runCwb.js";
import { makeTempDir, removeDir } from "../quantize/fixtures.js";

const binsDir = path.join(repoRoot, "node_modules", "@node-llama-cpp", "linux-x64", "bins", "linux-x64");
const ggmlInclude = path.join(repoRoot, "native", "llama-src", bundledLlamaCppRelease(), "ggml", "include");
const source = path.join(repoRoot, "native", "experiments", "kvCacheGradient.cpp");
const runnable = os.platform() === "linux" && os.arch() === "x64" && existsSync(ggmlInclude);

describe.runIf(runnable)("gradient through llama.cpp's KV cache", () => {
  it("reaches attn_q but not attn_k; a cache flagged as a parameter gets one; SET_ROWS has no backward", () => {
    const dir = makeTempDir("kv-gradient");
    try {
      const exe = path.join(dir, "kvCacheGradient");
      execFileSync("c++", [
        "-std=c++17",
        `-I${ggmlInclude}`,
        source,
        "-o",
        exe,
        path.join(binsDir, "libggml-base.so"),
        `-Wl,-rpath,${binsDir}`,
      ]);
      const out = execFileSync(exe, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      const lines = out.trim().split("\n");
      expect(lines).toContain(
        "attention reads the cache tensor: grad(attn_q) present, grad(attn_k) ABSENT, grad(cache) ABSENT",
      );
      expect(lines).toContain(
        "attention reads the cache tensor (cache flagged as a parameter): grad(attn_q) present, grad(attn_k) ABSENT, grad(cache) present",
      );
      expect(lines).toContain("set_rows on the path: child aborted (see the ggml message above)");
    } finally {
      removeDir(dir);
    }
  });
});
