// The hooks graph steps may name (JobGraph.ts), by name: a stored step refers to its hooks by this
// name, so every name stays here as long as rows that use it may exist. A new multi-step recipe
// adds its hooks here.
import type { StepHookRegistry } from "./JobGraph.js";
import { sweepStepHooks } from "../experiments/sweepSteps.js";
import { distillStepHooks } from "../distill/distillSteps.js";

export const stepHooks: StepHookRegistry = {
  ...sweepStepHooks,
  ...distillStepHooks,
};
