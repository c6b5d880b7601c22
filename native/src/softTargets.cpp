// Soft-target rows and the eval callback that writes them into the optimizer's labels (softTargets.h).
#include "softTargets.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "ggml-backend.h"

namespace cwb {

RowObjective SoftTargetRow(const float* z, int nVocab, const BaseFile::View& teacher, int32_t target,
                           const SoftTargetSettings& s, float* labels) {
  RowObjective r;
  const double a = s.hardWeight;
  const double T = s.temperature;
  const RowNorm norm = NormalizeRow(z, nVocab);
  r.nll = static_cast<double>(norm.maxLogit) + norm.logSumExp - z[target];

  // Student at temperature T: ln q_T(i) = (z_i - max) / T - ln sum exp((z - max) / T).
  double sumT = 0;
  for (int i = 0; i < nVocab; ++i) sumT += std::exp((static_cast<double>(z[i]) - norm.maxLogit) / T);
  const double logSumT = std::log(sumT);
  auto lnqT = [&](uint32_t id) { return (static_cast<double>(z[id]) - norm.maxLogit) / T - logSumT; };

  // Teacher at temperature T: its top k, p_T(i) proportional to p(i)^(1/T), and the rest of the
  // vocabulary as one lumped mass. At T = 1 both are exact; at other temperatures the tail's mass is
  // that of a tail spread evenly over its tokens (the file keeps only its total).
  const int k = teacher.k;
  const int tailTokens = nVocab - k;
  const double rest = teacher.rest > 0 && tailTokens > 0 ? static_cast<double>(teacher.rest) : 0.0;
  double maxScaled = -INFINITY;
  for (int j = 0; j < k; ++j) maxScaled = std::max(maxScaled, static_cast<double>(teacher.logProbs[j]) / T);
  const double tailScaled = rest > 0 ? std::log(rest / tailTokens) / T : -INFINITY;
  if (rest > 0) maxScaled = std::max(maxScaled, tailScaled);
  double sumP = rest > 0 ? tailTokens * std::exp(tailScaled - maxScaled) : 0.0;
  for (int j = 0; j < k; ++j) sumP += std::exp(teacher.logProbs[j] / T - maxScaled);
  const double logSumP = std::log(sumP) + maxScaled;
  const double restT = rest > 0 ? tailTokens * std::exp(tailScaled - logSumP) : 0.0;

  double qTopT = 0;
  for (int j = 0; j < k; ++j) {
    const double lnp = teacher.logProbs[j] / T - logSumP;
    const double lq = lnqT(teacher.ids[j]);
    qTopT += std::exp(lq);
    r.klT += std::exp(lnp) * (lnp - lq);
  }
  const double qRestT = std::max(1e-30, 1.0 - qTopT);
  if (restT > 0) r.klT += restT * (std::log(restT) - std::log(qRestT));
  r.objective = a * r.nll + (1 - a) * T * T * r.klT;

  if (labels) {
    // L = softmax(z) - g, g = a (softmax(z) - onehot(y)) + (1 - a) T (q_T - target_T), where target_T
    // is p_T on the top k and rest_T * q_T(i) / q_T(rest) on the tail (only the tail's mass is matched).
    const double tailShare = restT / qRestT;
    for (int i = 0; i < nVocab; ++i) {
      const double q = std::exp(static_cast<double>(z[i]) - norm.maxLogit - norm.logSumExp);
      const double qT = std::exp((static_cast<double>(z[i]) - norm.maxLogit) / T - logSumT);
      labels[i] = static_cast<float>((1 - a) * q - (1 - a) * T * qT * (1 - tailShare));
    }
    for (int j = 0; j < k; ++j) {
      const uint32_t id = teacher.ids[j];
      const double q = std::exp(static_cast<double>(z[id]) - norm.maxLogit - norm.logSumExp);
      const double qT = std::exp(lnqT(id));
      const double pT = std::exp(teacher.logProbs[j] / T - logSumP);
      labels[id] = static_cast<float>((1 - a) * q - (1 - a) * T * qT + (1 - a) * T * pT);
    }
    labels[target] += static_cast<float>(a);
  }
  return r;
}

int64_t TeacherData::RecordIndex(uint32_t seq, uint32_t pos) const {
  if (pos < first || pos + 1 >= nCtx) return -1;
  return static_cast<int64_t>(seq) * file.header.nScored + (pos - first);
}

TeacherData ReadTeacherData(const std::string& path) {
  TeacherData d;
  d.file = ReadBaseFile(path);
  const BaseHeader& h = d.file.header;
  d.nCtx = h.nCtx;
  d.nSeq = h.nChunk;
  if (h.nScored + 1 > h.nCtx) throw std::runtime_error(path + ": more scored positions than the context holds");
  d.first = h.nCtx - 1 - h.nScored;
  d.inputs.resize(static_cast<size_t>(d.nSeq) * d.nCtx);
  d.labels.resize(d.inputs.size());
  for (uint32_t s = 0; s < d.nSeq; ++s) {
    const size_t base = static_cast<size_t>(s) * d.nCtx;
    for (uint32_t p = 0; p < d.nCtx; ++p) {
      d.inputs[base + p] = h.addBos && p == 0 ? h.bos : d.file.tokens[base + p];
      d.labels[base + p] = p + 1 < d.nCtx ? d.file.tokens[base + p + 1] : d.inputs[base + p];
    }
  }
  return d;
}

bool SoftTargetEvalCallback(ggml_tensor* t, bool ask, void* userdata) {
  if (t->op != GGML_OP_CROSS_ENTROPY_LOSS) return false;
  if (ask) return true;  // compute up to the loss, then come back before the backward nodes
  auto* feed = static_cast<SoftTargetFeed*>(userdata);
  ggml_tensor* logits = t->src[0];
  ggml_tensor* labels = t->src[1];
  const int nVocab = static_cast<int>(logits->ne[0]);
  const int rows = static_cast<int>(logits->ne[1]);
  if (logits->type != GGML_TYPE_F32 || labels->type != GGML_TYPE_F32 || !ggml_is_contiguous(logits) || !ggml_is_contiguous(labels)) {
    feed->error = "soft targets: unexpected logits or labels layout in the training graph";
    return false;  // stops this graph; the trainer reports the error after the step
  }
  feed->logits.resize(static_cast<size_t>(nVocab) * rows);
  feed->labels.resize(feed->logits.size());
  ggml_backend_tensor_get(logits, feed->logits.data(), 0, ggml_nbytes(logits));
  const TeacherData& td = *feed->teacher;
  for (int r = 0; r < rows; ++r) {
    const uint32_t pos = feed->ubatch * feed->nUbatch + static_cast<uint32_t>(r);
    const float* z = feed->logits.data() + static_cast<size_t>(r) * nVocab;
    float* out = feed->labels.data() + static_cast<size_t>(r) * nVocab;
    const int64_t rec = td.RecordIndex(feed->seq, pos);
    if (rec < 0) {
      const RowNorm norm = NormalizeRow(z, nVocab);
      for (int i = 0; i < nVocab; ++i) out[i] = static_cast<float>(std::exp(static_cast<double>(z[i]) - norm.maxLogit - norm.logSumExp));
      continue;
    }
    const int32_t target = td.labels[static_cast<size_t>(feed->seq) * td.nCtx + pos];
    const RowObjective o = SoftTargetRow(z, nVocab, td.file.Record(static_cast<size_t>(rec)), target, feed->settings, out);
    feed->objectiveSum += o.objective;
    feed->rows++;
  }
  ggml_backend_tensor_set(labels, feed->labels.data(), 0, ggml_nbytes(labels));
  feed->ubatch++;
  return true;
}

}  // namespace cwb
