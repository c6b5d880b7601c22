// Which of llama.cpp's log lines becomes a failed job's reason (worker/native/llamaLog.ts): the
// cause from the last burst of error lines, even when a generic line arrived before it.
import { expect, it } from "vitest";
import { lastLlamaError, logLlamaLine } from "../../src/worker/native/llamaLog.js";

it("takes the cause from the last burst of errors, whatever order its lines arrived in", () => {
  logLlamaLine("error", "llama_model_load: error loading model: first failure");
  logLlamaLine("warn", "something else in between");
  logLlamaLine("error", "llama_model_load_from_file_impl: failed to load model");
  logLlamaLine("error", "llama_model_load: error loading model hyperparameters: invalid n_rot: 64");
  expect(lastLlamaError()).toBe("llama_model_load: error loading model hyperparameters: invalid n_rot: 64");

  logLlamaLine("info", "a new attempt");
  logLlamaLine("error", "llama_model_load_from_file_impl: failed to load model");
  // A burst with nothing but the generic line still names it.
  expect(lastLlamaError()).toBe("llama_model_load_from_file_impl: failed to load model");
});
