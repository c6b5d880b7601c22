// Training token_embd through llama.cpp's optimizer (issue 12).
//
// llama_opt_init skips token_embd by name, so the trainer finds the tensor as the source of a node of
// a plain decode (cb_eval, ask phase) and flags it a parameter before llama_opt_init. Row fingerprints
// taken before and after training tell how many vocabulary rows moved.
#pragma once

#include <cstdint>
#include <vector>

#include "ggml.h"

namespace cwb {

struct SoftTargetFeed;

// The user data of the training context's eval callback: the soft-target feed (distillation) and the
// token_embd search, which may both be wanted.
struct TrainingEvalHooks {
  SoftTargetFeed* feed = nullptr;
  bool findTokenEmbedding = false;
  ggml_tensor* tokenEmbedding = nullptr;
};

bool TrainingEvalCallback(ggml_tensor* t, bool ask, void* userdata);

// One 64-bit hash per row (per token) of an F32 matrix read from its backend buffer.
std::vector<uint64_t> RowFingerprints(const ggml_tensor* matrix);

// Rows whose fingerprints differ.
int64_t ChangedRows(const std::vector<uint64_t>& before, const std::vector<uint64_t>& after);

}  // namespace cwb
