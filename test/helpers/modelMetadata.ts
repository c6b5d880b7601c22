// The metadata of a small llama model, for tests that record models in the store without a file.
import type { ModelMetadata } from "../../src/shared/domain/model.js";

export function testModelMetadata(name: string): ModelMetadata {
  return {
    architecture: "llama",
    name,
    parameterCount: 10,
    layers: 2,
    heads: 4,
    headsKv: 2,
    embeddingLength: 64,
    feedForwardLength: 128,
    contextLength: 256,
    vocabularySize: 300,
    fileType: "MOSTLY_F16",
    bitsPerWeight: 16,
    chatTemplate: null,
    tensors: [],
  };
}
