// The build job's progress comes from the compiler's own counter lines; anything else is not progress.
import { describe, expect, it } from "vitest";
import { parseCompileProgress } from "../../src/worker/llamaBuild/buildProgress.js";

describe("parseCompileProgress", () => {
  it("reads ninja's step counter", () => {
    expect(parseCompileProgress("[54/277] Building CXX object llama.cpp/src/llama-chat.cpp.o")).toEqual({
      fraction: 54 / 277,
      detail: "54 of 277",
    });
  });

  it("reads make's percentage", () => {
    expect(parseCompileProgress("[ 42%] Building CXX object ggml/src/ggml.c.o")).toEqual({
      fraction: 0.42,
      detail: null,
    });
    expect(parseCompileProgress("[100%] Built target llama-addon")?.fraction).toBe(1);
  });

  it("ignores cmake's messages, compiler warnings and impossible counters", () => {
    expect(parseCompileProgress("-- Found Threads: TRUE")).toBeNull();
    expect(parseCompileProgress("warning: [-Wunused] in [3/4] something")).toBeNull();
    expect(parseCompileProgress("[300/277] Linking")).toBeNull();
    expect(parseCompileProgress("[250%] nonsense")).toBeNull();
  });
});
