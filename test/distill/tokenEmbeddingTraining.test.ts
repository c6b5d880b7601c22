// llama.cpp's training skips token_embd by name; flagged as a parameter by us before llama_opt_init,
// the prebuilt library trains it: the rows of the tokens seen move, the others do not (see
// docs/distillation.md, "Why some tensors stay frozen"). The addon's trainTokenEmbedding does the
// same (test/training/trainTokenEmbedding.test.ts).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bundledLlamaCppRelease } from "../../src/core/machine/machineFingerprint.js";
import { repoRoot } from "../cli/runCwb.js";
import { makeRandomModel, makeTempDir, removeDir } from "../quantize/fixtures.js";

const binsDir = path.join(repoRoot, "node_modules", "@node-llama-cpp", "linux-x64", "bins", "linux-x64");
const llamaSource = path.join(repoRoot, "native", "llama-src", bundledLlamaCppRelease());
const source = path.join(repoRoot, "native", "experiments", "tokenEmbeddingTraining.cpp");
const runnable = os.platform() === "linux" && os.arch() === "x64" && existsSync(llamaSource);

describe.runIf(runnable)("training token_embd through the prebuilt libllama", () => {
  it("moves exactly the rows of the tokens seen when flagged, none when not", async () => {
    const dir = makeTempDir("tok-embd");
    try {
      const model = await makeRandomModel(path.join(dir, "model.gguf"), { layers: 1 });
      const exe = path.join(dir, "tokenEmbeddingTraining");
      execFileSync("c++", [
        "-std=c++17",
        `-I${path.join(llamaSource, "include")}`,
        `-I${path.join(llamaSource, "ggml", "include")}`,
        source,
        "-o",
        exe,
        ...[
          `libllama.${bundledLlamaCppRelease()}.so`,
          `libggml.${bundledLlamaCppRelease()}.so`,
          "libggml-base.so",
        ].map((f) => path.join(binsDir, f)),
        `-Wl,-rpath,${binsDir}`,
      ]);
      const run = (flag: "on" | "off") =>
        execFileSync(exe, [model, flag, binsDir, "1"], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "ignore"],
        });
      expect(run("off")).toContain("token_embd flagged off: rows changed: seen 0/256, unseen 0/3840");
      expect(run("on")).toContain("token_embd flagged on: rows changed: seen 256/256, unseen 0/3840");
    } finally {
      removeDir(dir);
    }
  }, 180_000);
});
