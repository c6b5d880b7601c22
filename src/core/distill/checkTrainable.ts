// Refuses, before any worker starts, to train (distill into) a model whose forward graph the
// prebuilt ggml cannot differentiate: its backward pass aborts the whole process on an operation it
// does not implement. Measured on the families of test/architectures (docs/reliability.md).
import type { ModelMetadata } from "../../shared/domain/model.js";
import { CodedError } from "../errors.js";
import { readModelMetadata } from "../library/readModelMetadata.js";

/** Families whose training was run end to end here: loss falls, the result loads. */
const trainedFamilies = new Set(["llama", "qwen2", "qwen3"]);

/** Why a known family cannot be trained, in ggml's terms. */
const knownObstacles: Record<string, string> = {
  gemma: "its GELU activation has no backward pass in ggml",
  gemma2: "its GELU activation and logit softcap have no backward pass in ggml",
  gemma3: "its GELU activation and logit softcap have no backward pass in ggml",
  phi3: "its fused gate+up FFN runs a one-input SwiGLU, whose backward pass ggml does not implement",
};

export function checkTrainable(
  file: string,
  metadata: Pick<ModelMetadata, "architecture" | "tensors">,
  role: string,
): void {
  const { architecture } = metadata;
  const experts = metadata.tensors.find((t) => t.shape.length > 2);
  const obstacle = experts
    ? `its mixture-of-experts blocks (3-D expert tensors such as ${experts.name}) cannot be trained here`
    : (knownObstacles[architecture] ??
      (trainedFamilies.has(architecture)
        ? null
        : `training is supported for ${[...trainedFamilies].join(", ")} models; ${architecture} has not been checked and ggml may abort on its graph`));
  if (obstacle === null) return;
  throw new CodedError(
    "NOT_TRAINABLE",
    `${file}: the ${role} (${architecture}) cannot be trained: ${obstacle}`,
    {
      file,
    },
  );
}

/** checkTrainable for a file, read from its header (a job's step whose model was made by an earlier step). */
export async function checkFileTrainable(file: string, role: string): Promise<void> {
  checkTrainable(file, (await readModelMetadata(file)).metadata, role);
}
