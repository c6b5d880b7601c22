// Provenance: the worker reads llama.cpp's upstream commit from the loaded library's build-info
// (llama-common's LLAMA_COMMIT, what llama-bench prints as "build: 5b4ebc5"), and runs record it
// beside node-llama-cpp's release tag.
import { expect, it } from "vitest";
import { loadNative } from "../../src/worker/native/loadAddon.js";
import { llamaBuildLabel } from "../../src/shared/domain/llamaBuild.js";

it("the loaded llama.cpp names its commit, recorded beside the release", async () => {
  const native = await loadNative({ gpu: "cpu" });
  expect(native.llamaCommit).toMatch(/^[0-9a-f]{7,40}$/);
  expect(native.buildLabel).toBe(`${native.llama.llamaCppRelease.release} (${native.llamaCommit})`);
  expect(llamaBuildLabel("v0.4.0", null)).toBe("v0.4.0");
});
