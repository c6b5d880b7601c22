// Distillation through llama.cpp's optimizer: token-level soft targets from a teacher's compact
// distributions (the evaluation's base-distribution file, evaluate.h), written into the optimizer's
// label tensor while the training graph runs.
//
// How the labels get in: ggml-opt's loss is cross_entropy_loss(logits, labels) and its backward pass
// computes (softmax(z) - labels) / rows. llama.cpp fills the labels with one-hot rows before each
// micro-batch; the context's eval callback (cb_eval, called by the scheduler before and after graph
// nodes) stops the graph right after the forward loss node, where the student's logits z are known and
// the backward nodes have not run. There the rows are replaced by L = softmax(z) - g, so the backward
// pass yields exactly g, the gradient of the distillation objective per position:
//   objective = a * CE(y, softmax(z)) + (1 - a) * T^2 * KL(p_T || softmax(z / T))
//   g         = a * (softmax(z) - onehot(y)) + (1 - a) * T * (softmax(z / T) - target_T)
// with p_T the teacher's distribution at temperature T as stored: its top k tokens and the rest of the
// vocabulary as one lumped mass. The KL is taken over the k tokens plus the lumped tail, so target_T is
// p_T on the top k and, on the tail, the tail mass spread as the student spreads it: the student is
// taught how much mass the tail holds, not a shape the file does not know. (Renormalising the top k
// instead teaches the student to drop the tail: on the reference model, k = 64 keeps 79 % of the mass,
// and one such step doubled the held-out KLD, 0.046 to 0.094.)
// Positions without a teacher record (the last of each sequence) get L = softmax(z): no gradient.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "evaluate.h"
#include "ggml.h"

namespace cwb {

struct SoftTargetSettings {
  float temperature = 1.0f;
  float hardWeight = 0.0f;  // a: weight of the hard label's cross-entropy
};

// One row's objective terms.
struct RowObjective {
  double objective = 0;  // a * nll + (1 - a) * T^2 * kl
  double nll = 0;        // -ln softmax(z)[y]
  double klT = 0;        // KL(p_T || softmax(z / T)) over the teacher's top k and the lumped tail
};

// Objective and, when `labels` is not null, the label row L = softmax(z) - g (see above).
RowObjective SoftTargetRow(const float* logits, int nVocab, const BaseFile::View& teacher, int32_t target,
                           const SoftTargetSettings& settings, float* labels);

// A teacher file read for training: sequences, their inputs and next-token labels, and the record of
// each position (or -1 where the teacher has none).
struct TeacherData {
  BaseFile file;
  uint32_t nCtx = 0;
  uint32_t nSeq = 0;
  uint32_t first = 0;  // first position with a record; records cover [first, nCtx - 1)
  std::vector<int32_t> inputs;  // nSeq * nCtx, BOS at each sequence start where the vocabulary adds it
  std::vector<int32_t> labels;  // the next token; the last position repeats its input (no record)
  int64_t RecordIndex(uint32_t seq, uint32_t pos) const;
};
TeacherData ReadTeacherData(const std::string& path);

// The eval callback's state for one training run: which sequence and micro-batch the graph is on.
struct SoftTargetFeed {
  const TeacherData* teacher = nullptr;
  SoftTargetSettings settings;
  uint32_t nUbatch = 0;
  uint32_t seq = 0;       // set before each optimizer step
  uint32_t ubatch = 0;    // counts loss nodes within the step
  double objectiveSum = 0;  // over the step's positions with a record
  uint64_t rows = 0;
  std::string error;  // set by the callback (it must not throw through ggml), checked after each step
  std::vector<float> logits, labels;  // scratch
  void BeginStep(uint32_t sequence) {
    seq = sequence;
    ubatch = 0;
    objectiveSum = 0;
    rows = 0;
  }
};

// ggml_backend_sched_eval_callback: pass a SoftTargetFeed as user data.
bool SoftTargetEvalCallback(ggml_tensor* t, bool ask, void* userdata);

}  // namespace cwb
