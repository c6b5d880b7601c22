// What differs between the model families createModel can write: the architecture's metadata keys
// and its tensors (names and shapes as llama.cpp's src/models/<arch>.cpp loads them).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gguf.h"

namespace cwb {

struct ModelSpec;

/** A tensor to create: ne1 == 0 is a vector, ne2 > 1 a stack of expert matrices. */
struct TensorShape {
  std::string name;
  int64_t ne0 = 0;
  int64_t ne1 = 0;
  int64_t ne2 = 1;
};

/** "llama", "qwen2", "qwen3", "qwen3moe", "gemma2", "gemma3", "phi3". */
const std::vector<std::string>& KnownArchitectures();

/** Throws std::runtime_error naming the architecture (and the known ones) or the bad shape. */
void CheckArchitecture(const ModelSpec& spec);

/** The <arch>.* hyperparameter keys llama.cpp reads for this family. */
void SetArchitectureKeys(gguf_context* meta, const ModelSpec& spec, uint32_t nVocab);

/** Every tensor of the family, token_embd first; the output matrix (when not tied) last. */
std::vector<TensorShape> ArchitectureTensors(const ModelSpec& spec, uint32_t nVocab);

}  // namespace cwb
