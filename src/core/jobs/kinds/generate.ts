// generate, parent half: nothing to record; the worker's texts and speeds are the job's result.
import { defineJobKindHost } from "../JobKindHost.js";

export const generateHost = defineJobKindHost({ kind: "generate" });
