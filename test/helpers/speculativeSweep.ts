// The small speculative sweep the sweep and Compare tests run on the quick reference model: Q8_0 and
// Q4_0, each as a draft of the base, one prompt of 8 tokens, one repetition, on the CPU.
import { writeFileSync } from "node:fs";
import path from "node:path";

/** `cwb sweep` arguments; writes the prompts file into `dataDir`. */
export function speculativeSweepArgs(dataDir: string, modelPath: string): string[] {
  const prompts = path.join(dataDir, "prompts.txt");
  writeFileSync(prompts, "The state of the Union is\n");
  return [
    "sweep",
    modelPath,
    "--types",
    "Q8_0,Q4_0",
    "--spec-target",
    "original",
    "--spec-drafts",
    "all",
    "--spec-prompts",
    prompts,
    "--spec-max-tokens",
    "8",
    "--spec-reps",
    "1",
    "--threads",
    "2",
    "--gpu",
    "cpu",
  ];
}
