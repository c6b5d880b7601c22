// train, parent half: moves the trained model from the job's temp folder to the requested path
// (never over an existing file).
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { commitOutput, OutputExistsError } from "../commitOutput.js";
import { defineJobKindHost } from "../JobKindHost.js";
import { checkFileTrainable } from "../../distill/checkTrainable.js";

export const trainHost = defineJobKindHost({
  kind: "train",
  async estimateOutput(params) {
    if (existsSync(params.outPath)) throw new OutputExistsError(params.outPath);
    await checkFileTrainable(params.modelPath, "model");
    // The output is at most the F32 size: twice an F16 input; scratch F32 copies live in tmp.
    return { bytes: statSync(params.modelPath).size * 4, dir: path.dirname(path.resolve(params.outPath)) };
  },
  async complete(result, params) {
    const outPath = path.resolve(params.outPath);
    await commitOutput(result.outPath, outPath);
    return { ...result, outPath };
  },
});
