// Clears llama.cpp's gradient accumulators between optimizer steps.
//
// ggml-opt keeps one gradient accumulator per trained tensor and is meant to zero it at the start of
// every optimizer step (ggml_opt_alloc -> ggml_graph_reset(gb_grad)). With the dynamic graphs that
// llama_opt_epoch builds, gb_grad is already null at that point, so the reset never happens: step k
// optimizes with the sum of every gradient since the first step. Measured on the prebuilt v0.5.0
// libraries: SGD on one repeated sequence changes the loss by 1x, 2x, 3x per step instead of 1x each
// time, and AdamW drives a 4-layer model back up to the unigram loss and beyond.
//
// The accumulators are persistent tensors owned by the optimizer context. Their handles are only
// reachable (ggml_opt_grad_acc) while the optimizer-step graph exists, which is during the
// get_opt_pars callback; the context pointer itself arrives with the epoch callback. So we learn
// both there and zero the accumulators after each step (and, when every step is a single
// micro-batch, right before the step that first reveals them).
#pragma once

#include <vector>

#include "ggml-opt.h"
#include "ggml.h"

namespace cwb {

class GradientAccumulators {
 public:
  /** A tensor llama.cpp will train (noted from the parameter filter). */
  void NoteParameter(ggml_tensor* tensor);
  /** The optimizer context, from llama_opt_epoch's per-micro-batch callback. */
  void NoteContext(ggml_opt_context_t ctx) { ctx_ = ctx; }
  /**
   * Called from get_opt_pars, just before the optimizer-step graph runs. `singleMicroBatch`: the step
   * is this one graph, so anything already in the accumulators belongs to earlier steps.
   */
  void BeforeOptimizerStep(bool singleMicroBatch);
  /** After llama_opt_epoch returned: the next step starts from zero. */
  void AfterStep();
  /** How many accumulators are known (0 until the first step that reveals them). */
  size_t Known() const { return accumulators_.size(); }

 private:
  void Clear();
  std::vector<ggml_tensor*> parameters_;
  std::vector<ggml_tensor*> accumulators_;
  ggml_opt_context_t ctx_ = nullptr;
};

}  // namespace cwb
