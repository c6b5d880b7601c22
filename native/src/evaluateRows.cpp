// Per-position arithmetic of the evaluation and the compact base-distribution file (see evaluate.h).
// Sums follow llama-perplexity: float expf terms accumulated in double, so figures match its output.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numeric>
#include <stdexcept>
#include "evaluate.h"

namespace cwb {

RowNorm NormalizeRow(const float* logits, int n_vocab) {
  float max_logit = logits[0];
  int imax = 0;
  for (int i = 1; i < n_vocab; ++i) {
    if (logits[i] > max_logit) {
      max_logit = logits[i];
      imax = i;
    }
  }
  double sum_exp = 0.0;
  for (int i = 0; i < n_vocab; ++i) sum_exp += expf(logits[i] - max_logit);
  return {max_logit, imax, sum_exp, std::log(sum_exp)};
}

void BuildBaseRecord(const float* logits, int n_vocab, const RowNorm& norm, int target, uint32_t k_max,
                     float mass_target, uint32_t tail_samples, std::vector<int32_t>& order,
                     std::vector<uint8_t>& mask, BaseRecord& out) {
  out.nll = static_cast<float>(norm.max_logit + norm.log_sum_exp - logits[target]);
  const size_t kk = std::min<size_t>(std::max<uint32_t>(k_max, 1), static_cast<size_t>(n_vocab));
  order.resize(n_vocab);
  std::iota(order.begin(), order.end(), 0);
  auto higher = [logits](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); };
  std::nth_element(order.begin(), order.begin() + (kk - 1), order.end(), higher);
  std::sort(order.begin(), order.begin() + kk, higher);

  out.ids.clear();
  out.log_probs.clear();
  double top_exp = 0.0;  // the same float terms as in norm.sum_exp, so sum_exp - top_exp is the tail without cancellation loss
  for (size_t j = 0; j < kk; ++j) {
    const int32_t id = order[j];
    const float e = expf(logits[id] - norm.max_logit);
    top_exp += e;
    out.ids.push_back(static_cast<uint32_t>(id));
    out.log_probs.push_back(static_cast<float>(logits[id] - norm.max_logit - norm.log_sum_exp));
    if (top_exp >= mass_target * norm.sum_exp) break;
  }
  out.k = static_cast<uint16_t>(out.ids.size());
  const double tail_exp = std::max(0.0, norm.sum_exp - top_exp);
  out.rest = static_cast<float>(tail_exp / norm.sum_exp);

  // Systematic sample of the tail: walk the vocabulary (top tokens masked out) accumulating mass and
  // take the token where the running sum passes (j + 1/2) / s of the tail mass.
  // A tail within the mass target (top tokens stopped early) is only lumped: it is too light to matter.
  if (tail_samples == 0 || out.rest <= 0 || top_exp >= mass_target * norm.sum_exp || static_cast<size_t>(out.k) >= static_cast<size_t>(n_vocab)) return;
  mask.assign(n_vocab, 0);
  for (uint16_t j = 0; j < out.k; ++j) mask[out.ids[j]] = 1;
  double running = 0.0;
  uint32_t next = 0;
  int32_t last_tail = -1;
  double goal = 0.5 / tail_samples * tail_exp;
  for (int i = 0; i < n_vocab && next < tail_samples; ++i) {
    if (mask[i]) continue;
    last_tail = i;
    running += expf(logits[i] - norm.max_logit);
    while (next < tail_samples && running >= goal) {
      out.ids.push_back(static_cast<uint32_t>(i));
      out.log_probs.push_back(static_cast<float>(logits[i] - norm.max_logit - norm.log_sum_exp));
      ++next;
      goal = (next + 0.5) / tail_samples * tail_exp;
    }
  }
  // Rounding can leave the last goals just beyond the running sum: they belong to the last tail token.
  while (next < tail_samples && last_tail >= 0) {
    out.ids.push_back(static_cast<uint32_t>(last_tail));
    out.log_probs.push_back(static_cast<float>(logits[last_tail] - norm.max_logit - norm.log_sum_exp));
    ++next;
  }
}

RowVersusBase CompareWithBase(const float* logits, const RowNorm& norm, const BaseFile::View& base) {
  const double lse = static_cast<double>(norm.max_logit) + norm.log_sum_exp;
  double kl = 0.0;
  double top_exp = 0.0;
  for (uint16_t j = 0; j < base.k; ++j) {
    const uint32_t id = base.ids[j];
    top_exp += expf(logits[id] - norm.max_logit);
    const double lp = base.log_probs[j];
    kl += std::exp(lp) * (lp - (logits[id] - lse));
  }
  if (base.rest > 0) {
    const double q_rest = std::max((norm.sum_exp - top_exp) / norm.sum_exp, 1e-300);
    const double log_r = std::log(static_cast<double>(base.rest));
    const double log_q_rest = std::log(q_rest);
    kl += base.rest * (log_r - log_q_rest);
    if (base.s > 0) {
      double inside = 0.0;
      for (uint16_t j = base.k; j < base.k + base.s; ++j) {
        const double f = (base.log_probs[j] - log_r) - ((logits[base.ids[j]] - lse) - log_q_rest);
        inside += f + std::exp(-f) - 1.0;
      }
      kl += base.rest * inside / base.s;
    }
  }
  RowVersusBase r;
  r.kld = kl;
  r.same_top = base.k > 0 && static_cast<uint32_t>(norm.imax) == base.ids[0];
  return r;
}

double ExactKld(const float* base_logits, const RowNorm& base_norm, const float* logits, const RowNorm& norm, int n_vocab) {
  const double base_lse = static_cast<double>(base_norm.max_logit) + base_norm.log_sum_exp;
  const double lse = static_cast<double>(norm.max_logit) + norm.log_sum_exp;
  double kl = 0.0;
  for (int i = 0; i < n_vocab; ++i) {
    const double lp = base_logits[i] - base_lse;
    const double lq = logits[i] - lse;
    kl += std::exp(lp) * (lp - lq);
  }
  return kl;
}

static void PutU32(std::FILE* out, uint32_t v) { std::fwrite(&v, 4, 1, out); }

void WriteBaseHeader(std::FILE* out, const BaseHeader& h, const std::vector<int32_t>& tokens) {
  char header[kBaseHeaderBytes] = {0};
  size_t o = 0;
  auto put = [&](const void* p, size_t n) { std::memcpy(header + o, p, n); o += n; };
  put(kBaseMagic, 8);
  put(&kBaseVersion, 4);
  put(&h.n_vocab, 4);
  put(&h.n_ctx, 4);
  put(&h.n_chunk, 4);
  put(&h.n_scored, 4);
  put(&h.k_max, 4);
  put(&h.mass_target, 4);
  const uint32_t flags = h.add_bos ? 1u : 0u;
  put(&flags, 4);
  put(&h.bos, 4);
  put(&h.tail_samples, 4);
  std::fwrite(header, 1, sizeof(header), out);
  std::fwrite(tokens.data(), sizeof(int32_t), tokens.size(), out);
}

size_t WriteBaseRecord(std::FILE* out, const BaseRecord& r) {
  const uint16_t s = static_cast<uint16_t>(r.ids.size() - r.k);
  std::fwrite(&r.k, 2, 1, out);
  std::fwrite(&s, 2, 1, out);
  std::fwrite(&r.nll, 4, 1, out);
  std::fwrite(&r.rest, 4, 1, out);
  for (uint32_t id : r.ids) PutU32(out, id);
  std::fwrite(r.log_probs.data(), 4, r.log_probs.size(), out);
  return 12 + 8 * r.ids.size();
}

BaseFile ReadBaseFile(const std::string& path) {
  auto fail = [&path](const std::string& what) { return std::runtime_error(path + ": " + what); };
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw fail("cannot open the base distribution file");
  BaseFile f;
  const std::streamsize size = in.tellg();
  in.seekg(0);
  f.bytes.resize(static_cast<size_t>(size));
  if (size > 0 && !in.read(f.bytes.data(), size)) throw fail("read failed");
  if (f.bytes.size() < kBaseHeaderBytes || std::memcmp(f.bytes.data(), kBaseMagic, 8) != 0) {
    throw fail("not a cwb base distribution file (bad magic)");
  }
  const char* p = f.bytes.data() + 8;
  auto u32 = [&p]() { uint32_t v; std::memcpy(&v, p, 4); p += 4; return v; };
  const uint32_t version = u32();
  if (version != kBaseVersion) throw fail("unsupported version " + std::to_string(version));
  BaseHeader& h = f.header;
  h.n_vocab = u32();
  h.n_ctx = u32();
  h.n_chunk = u32();
  h.n_scored = u32();
  h.k_max = u32();
  std::memcpy(&h.mass_target, p, 4); p += 4;
  h.add_bos = (u32() & 1u) != 0;
  std::memcpy(&h.bos, p, 4); p += 4;
  h.tail_samples = u32();
  if (h.n_ctx < 4 || h.n_chunk == 0 || h.n_scored != h.n_ctx - 1 - h.n_ctx / 2) throw fail("inconsistent header");

  size_t o = kBaseHeaderBytes;
  const size_t n_tokens = static_cast<size_t>(h.n_ctx) * h.n_chunk;
  if (f.bytes.size() < o + n_tokens * 4) throw fail("truncated (tokens)");
  f.tokens.resize(n_tokens);
  std::memcpy(f.tokens.data(), f.bytes.data() + o, n_tokens * 4);
  o += n_tokens * 4;
  for (int32_t t : f.tokens) {
    if (t < 0 || static_cast<uint32_t>(t) >= h.n_vocab) throw fail("token id out of range");
  }
  const size_t n_records = static_cast<size_t>(h.n_chunk) * h.n_scored;
  f.record_offsets.reserve(n_records);
  for (size_t i = 0; i < n_records; ++i) {
    if (o + 12 > f.bytes.size()) throw fail("truncated (record " + std::to_string(i) + ")");
    uint16_t k, s;
    std::memcpy(&k, f.bytes.data() + o, 2);
    std::memcpy(&s, f.bytes.data() + o + 2, 2);
    const size_t entries = static_cast<size_t>(k) + s;
    const size_t len = 12 + 8 * entries;
    if (o + len > f.bytes.size()) throw fail("truncated (record " + std::to_string(i) + ")");
    f.record_offsets.push_back(o);
    const uint32_t* ids = reinterpret_cast<const uint32_t*>(f.bytes.data() + o + 12);
    for (size_t j = 0; j < entries; ++j) {
      uint32_t id;
      std::memcpy(&id, ids + j, 4);
      if (id >= h.n_vocab) throw fail("token id out of range in record " + std::to_string(i));
    }
    o += len;
  }
  if (o != f.bytes.size()) throw fail("trailing bytes after the last record");
  return f;
}

BaseFile::View BaseFile::record(size_t i) const {
  const char* p = bytes.data() + record_offsets[i];
  View v;
  std::memcpy(&v.k, p, 2);
  std::memcpy(&v.s, p + 2, 2);
  std::memcpy(&v.nll, p + 4, 4);
  std::memcpy(&v.rest, p + 8, 4);
  // Records start on 4-byte boundaries (header, tokens and every record are multiples of 4 bytes).
  v.ids = reinterpret_cast<const uint32_t*>(p + 12);
  v.log_probs = reinterpret_cast<const float*>(p + 12 + 4 * (static_cast<size_t>(v.k) + v.s));
  return v;
}

}  // namespace cwb
