// See tokenEmbedding.h.
#include "tokenEmbedding.h"

#include <cstring>

#include "ggml-backend.h"
#include "softTargets.h"

namespace cwb {

bool TrainingEvalCallback(ggml_tensor* t, bool ask, void* userdata) {
  auto* hooks = static_cast<TrainingEvalHooks*>(userdata);
  if (ask && hooks->findTokenEmbedding && hooks->tokenEmbedding == nullptr) {
    for (int j = 0; j < GGML_MAX_SRC; j++) {
      if (t->src[j] && std::strcmp(t->src[j]->name, "token_embd.weight") == 0) hooks->tokenEmbedding = t->src[j];
    }
  }
  if (hooks->feed) return SoftTargetEvalCallback(t, ask, hooks->feed);
  return !ask;  // observe nothing; never stop a graph
}

std::vector<uint64_t> RowFingerprints(const ggml_tensor* matrix) {
  const int64_t width = matrix->ne[0], rows = matrix->ne[1];
  std::vector<uint64_t> out(static_cast<size_t>(rows));
  std::vector<uint32_t> row(static_cast<size_t>(width));
  for (int64_t r = 0; r < rows; r++) {
    ggml_backend_tensor_get(matrix, row.data(), static_cast<size_t>(r) * matrix->nb[1], row.size() * sizeof(uint32_t));
    uint64_t h = 1469598103934665603ull;  // FNV-1a over the bit patterns: any changed value changes it
    for (uint32_t v : row) h = (h ^ v) * 1099511628211ull;
    out[static_cast<size_t>(r)] = h;
  }
  return out;
}

int64_t ChangedRows(const std::vector<uint64_t>& before, const std::vector<uint64_t>& after) {
  int64_t n = 0;
  for (size_t i = 0; i < before.size() && i < after.size(); i++) n += before[i] != after[i];
  return n;
}

}  // namespace cwb
