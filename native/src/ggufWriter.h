// Writes a llama model file from F32 tensors and a metadata context: matrices stored as F32, F16 or
// BF16, vectors always F32, general.file_type set to match. Shared by createModel and packModel.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gguf.h"

namespace cwb {

enum class Storage { F32, F16, BF16 };

/** "f32" | "f16" | "bf16"; throws std::runtime_error naming the value otherwise. */
Storage ParseStorage(const std::string& name);

/** The llama_ftype value written to general.file_type (ALL_F32, MOSTLY_F16, MOSTLY_BF16). */
uint32_t FileType(Storage storage);

struct TensorF32 {
  std::string name;
  int64_t ne0 = 0;
  int64_t ne1 = 1;
  int64_t ne2 = 1;  // > 1: a stack of expert matrices
  bool matrix = false;
  std::vector<float> data;
};

using StringPairs = std::vector<std::pair<std::string, std::string>>;

/**
 * Writes the keys of `kv` (general.file_type replaced), the `extra` string keys and the tensors to
 * outPath, through a partial file renamed into place, so a failure never leaves a half-written model.
 * Returns the size of the written file in bytes.
 */
uint64_t WriteModelFile(const gguf_context* kv, const StringPairs& extra, const std::vector<TensorF32>& tensors, Storage storage,
                        const std::string& outPath);

}  // namespace cwb
