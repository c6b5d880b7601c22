// See gradientAccumulators.h for why this exists.
#include "gradientAccumulators.h"

#include "ggml-backend.h"

namespace cwb {

void GradientAccumulators::NoteParameter(ggml_tensor* tensor) { parameters_.push_back(tensor); }

void GradientAccumulators::BeforeOptimizerStep(bool singleMicroBatch) {
  if (!accumulators_.empty() || ctx_ == nullptr) return;
  for (ggml_tensor* p : parameters_) {
    // null for tensors llama.cpp declined to train (token_embd, rope_freqs) or that the graph skips
    if (ggml_tensor* acc = ggml_opt_grad_acc(ctx_, p)) accumulators_.push_back(acc);
  }
  if (singleMicroBatch) Clear();
}

void GradientAccumulators::AfterStep() { Clear(); }

void GradientAccumulators::Clear() {
  for (ggml_tensor* acc : accumulators_) ggml_backend_tensor_memset(acc, 0, 0, ggml_nbytes(acc));
}

}  // namespace cwb
