// The screens word a coded error's remedies as their controls, never as CLI flags; a job's stored
// error data, a string-only job error and a rejected call (CallError off the wire) all read.
import { describe, expect, it } from "vitest";
import { CallError } from "../../src/renderer/client/CallError.js";
import {
  errorText,
  jobErrorWords,
  remedyAsControl,
  thrownErrorWords,
} from "../../src/renderer/errorWords.js";
import { remedyActions, type AppError } from "../../src/shared/domain/errors.js";
import type { Job } from "../../src/shared/domain/job.js";
import { toWireError } from "../../src/shared/protocol/wire.js";
import { CodedError } from "../../src/core/errors.js";
import { remedyAsFlag } from "../../src/headless/cli/errorWords.js";

const flagText = /(^|[^\w-])--[a-z]/i;

const requantize: AppError = {
  code: "REQUANTIZE_DISABLED",
  message: "/m/q8.gguf: the model is already quantized (its tensor output.weight is Q8_0)",
  llamaReason: "requantizing from type q8_0 is disabled",
  remedies: ["allow-requantize"],
};

function failedJob(error: string | null, errorDetail: AppError | null): Job {
  return {
    id: "j",
    kind: "quantize",
    params: {},
    state: "failed",
    progress: null,
    result: null,
    error,
    errorDetail,
    experimentId: null,
    dependsOn: null,
    stepKey: null,
    createdAt: "2026-11-23T09:00:00.000Z",
    startedAt: null,
    finishedAt: null,
  };
}

describe("remedies on the screens", () => {
  it("name a control for every action, with no CLI flag, unlike the CLI's words", () => {
    for (const action of remedyActions) {
      const words = remedyAsControl(action);
      expect(words, action).toMatch(/^[A-Z]/);
      expect(words, action).not.toMatch(flagText);
      expect(words, action).not.toBe(remedyAsFlag(action));
    }
    expect(remedyAsControl("allow-requantize")).toMatch(/Allow requantizing/);
    expect(remedyAsFlag("allow-requantize")).toBe("pass --allow-requantize");
  });

  it("show a failed job's message, llama.cpp's reason and the remedy as its control", () => {
    const words = jobErrorWords(failedJob(requantize.message, requantize));
    expect(words).toEqual({
      message: requantize.message,
      llamaReason: "requantizing from type q8_0 is disabled",
      remedies: [remedyAsControl("allow-requantize")],
    });
    const text = errorText(words!);
    expect(text).toContain("llama.cpp: requantizing from type q8_0 is disabled");
    expect(text).toContain("Allow requantizing");
    expect(text).not.toMatch(flagText);
  });

  it("show a job recorded before errors were data by its message alone", () => {
    expect(jobErrorWords(failedJob("it broke", null))).toEqual({
      message: "it broke",
      llamaReason: null,
      remedies: [],
    });
    expect(jobErrorWords({ ...failedJob(null, null), state: "succeeded" })).toBeNull();
  });

  it("word a rejected call's coded error as it crossed the transport", () => {
    const thrown = new CodedError("GPU_UNAVAILABLE", "Vulkan has no hardware device on this machine", {
      remedies: ["allow-software-gpu", "choose-cpu"],
    });
    const words = thrownErrorWords(new CallError("experiments.sweep", toWireError(thrown)));
    expect(words.message).toBe("Vulkan has no hardware device on this machine");
    expect(words.remedies).toEqual([remedyAsControl("allow-software-gpu"), remedyAsControl("choose-cpu")]);
    expect(errorText(words)).not.toMatch(flagText);
    // A plain error stays its message.
    expect(
      thrownErrorWords(new CallError("x", { name: "ProtocolError", message: "nope", code: "BAD_INPUT" })),
    ).toEqual({ message: "nope", llamaReason: null, remedies: [] });
  });
});
