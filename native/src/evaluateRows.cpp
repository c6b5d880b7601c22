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

RowNorm NormalizeRow(const float* logits, int nVocab) {
  float maxLogit = logits[0];
  int imax = 0;
  for (int i = 1; i < nVocab; ++i) {
    if (logits[i] > maxLogit) {
      maxLogit = logits[i];
      imax = i;
    }
  }
  double sumExp = 0.0;
  for (int i = 0; i < nVocab; ++i) sumExp += expf(logits[i] - maxLogit);
  return {maxLogit, imax, sumExp, std::log(sumExp)};
}

void BuildBaseRecord(const float* logits, int nVocab, const RowNorm& norm, int target, uint32_t kMax,
                     float massTarget, uint32_t tailSamples, std::vector<int32_t>& order,
                     std::vector<uint8_t>& mask, BaseRecord& out) {
  out.nll = static_cast<float>(norm.maxLogit + norm.logSumExp - logits[target]);
  const size_t kk = std::min<size_t>(std::max<uint32_t>(kMax, 1), static_cast<size_t>(nVocab));
  order.resize(nVocab);
  std::iota(order.begin(), order.end(), 0);
  auto higher = [logits](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); };
  std::nth_element(order.begin(), order.begin() + (kk - 1), order.end(), higher);
  std::sort(order.begin(), order.begin() + kk, higher);

  out.ids.clear();
  out.logProbs.clear();
  double topExp = 0.0;  // the same float terms as in norm.sumExp, so sumExp - topExp is the tail without cancellation loss
  for (size_t j = 0; j < kk; ++j) {
    const int32_t id = order[j];
    const float e = expf(logits[id] - norm.maxLogit);
    topExp += e;
    out.ids.push_back(static_cast<uint32_t>(id));
    out.logProbs.push_back(static_cast<float>(logits[id] - norm.maxLogit - norm.logSumExp));
    if (topExp >= massTarget * norm.sumExp) break;
  }
  out.k = static_cast<uint16_t>(out.ids.size());
  const double tailExp = std::max(0.0, norm.sumExp - topExp);
  out.rest = static_cast<float>(tailExp / norm.sumExp);

  // Systematic sample of the tail: walk the vocabulary (top tokens masked out) accumulating mass and
  // take the token where the running sum passes (j + 1/2) / s of the tail mass.
  // A tail within the mass target (top tokens stopped early) is only lumped: it is too light to matter.
  if (tailSamples == 0 || out.rest <= 0 || topExp >= massTarget * norm.sumExp || static_cast<size_t>(out.k) >= static_cast<size_t>(nVocab)) return;
  mask.assign(nVocab, 0);
  for (uint16_t j = 0; j < out.k; ++j) mask[out.ids[j]] = 1;
  double running = 0.0;
  uint32_t next = 0;
  int32_t lastTail = -1;
  double goal = 0.5 / tailSamples * tailExp;
  for (int i = 0; i < nVocab && next < tailSamples; ++i) {
    if (mask[i]) continue;
    lastTail = i;
    running += expf(logits[i] - norm.maxLogit);
    while (next < tailSamples && running >= goal) {
      out.ids.push_back(static_cast<uint32_t>(i));
      out.logProbs.push_back(static_cast<float>(logits[i] - norm.maxLogit - norm.logSumExp));
      ++next;
      goal = (next + 0.5) / tailSamples * tailExp;
    }
  }
  // Rounding can leave the last goals just beyond the running sum: they belong to the last tail token.
  while (next < tailSamples && lastTail >= 0) {
    out.ids.push_back(static_cast<uint32_t>(lastTail));
    out.logProbs.push_back(static_cast<float>(logits[lastTail] - norm.maxLogit - norm.logSumExp));
    ++next;
  }
}

RowVersusBase CompareWithBase(const float* logits, const RowNorm& norm, const BaseFile::View& base) {
  const double lse = static_cast<double>(norm.maxLogit) + norm.logSumExp;
  double kl = 0.0;
  double topExp = 0.0;
  for (uint16_t j = 0; j < base.k; ++j) {
    const uint32_t id = base.ids[j];
    topExp += expf(logits[id] - norm.maxLogit);
    const double lp = base.logProbs[j];
    kl += std::exp(lp) * (lp - (logits[id] - lse));
  }
  if (base.rest > 0) {
    const double qRest = std::max((norm.sumExp - topExp) / norm.sumExp, 1e-300);
    const double logR = std::log(static_cast<double>(base.rest));
    const double logQRest = std::log(qRest);
    kl += base.rest * (logR - logQRest);
    if (base.s > 0) {
      double inside = 0.0;
      for (uint16_t j = base.k; j < base.k + base.s; ++j) {
        const double f = (base.logProbs[j] - logR) - ((logits[base.ids[j]] - lse) - logQRest);
        inside += f + std::exp(-f) - 1.0;
      }
      kl += base.rest * inside / base.s;
    }
  }
  RowVersusBase r;
  r.kld = kl;
  r.sameTop = base.k > 0 && static_cast<uint32_t>(norm.imax) == base.ids[0];
  return r;
}

double ExactKld(const float* baseLogits, const RowNorm& baseNorm, const float* logits, const RowNorm& norm, int nVocab) {
  const double baseLse = static_cast<double>(baseNorm.maxLogit) + baseNorm.logSumExp;
  const double lse = static_cast<double>(norm.maxLogit) + norm.logSumExp;
  double kl = 0.0;
  for (int i = 0; i < nVocab; ++i) {
    const double lp = baseLogits[i] - baseLse;
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
  put(&h.nVocab, 4);
  put(&h.nCtx, 4);
  put(&h.nChunk, 4);
  put(&h.nScored, 4);
  put(&h.kMax, 4);
  put(&h.massTarget, 4);
  const uint32_t flags = h.addBos ? 1u : 0u;
  put(&flags, 4);
  put(&h.bos, 4);
  put(&h.tailSamples, 4);
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
  std::fwrite(r.logProbs.data(), 4, r.logProbs.size(), out);
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
  h.nVocab = u32();
  h.nCtx = u32();
  h.nChunk = u32();
  h.nScored = u32();
  h.kMax = u32();
  std::memcpy(&h.massTarget, p, 4); p += 4;
  h.addBos = (u32() & 1u) != 0;
  std::memcpy(&h.bos, p, 4); p += 4;
  h.tailSamples = u32();
  // nScored: the second half of each chunk (evaluation) or every position but the last (a teacher's).
  if (h.nCtx < 4 || h.nChunk == 0 || h.nScored == 0 || h.nScored > h.nCtx - 1) throw fail("inconsistent header");

  size_t o = kBaseHeaderBytes;
  const size_t nTokens = static_cast<size_t>(h.nCtx) * h.nChunk;
  if (f.bytes.size() < o + nTokens * 4) throw fail("truncated (tokens)");
  f.tokens.resize(nTokens);
  std::memcpy(f.tokens.data(), f.bytes.data() + o, nTokens * 4);
  o += nTokens * 4;
  for (int32_t t : f.tokens) {
    if (t < 0 || static_cast<uint32_t>(t) >= h.nVocab) throw fail("token id out of range");
  }
  const size_t nRecords = static_cast<size_t>(h.nChunk) * h.nScored;
  f.recordOffsets.reserve(nRecords);
  for (size_t i = 0; i < nRecords; ++i) {
    if (o + 12 > f.bytes.size()) throw fail("truncated (record " + std::to_string(i) + ")");
    uint16_t k, s;
    std::memcpy(&k, f.bytes.data() + o, 2);
    std::memcpy(&s, f.bytes.data() + o + 2, 2);
    const size_t entries = static_cast<size_t>(k) + s;
    const size_t len = 12 + 8 * entries;
    if (o + len > f.bytes.size()) throw fail("truncated (record " + std::to_string(i) + ")");
    f.recordOffsets.push_back(o);
    const uint32_t* ids = reinterpret_cast<const uint32_t*>(f.bytes.data() + o + 12);
    for (size_t j = 0; j < entries; ++j) {
      uint32_t id;
      std::memcpy(&id, ids + j, 4);
      if (id >= h.nVocab) throw fail("token id out of range in record " + std::to_string(i));
    }
    o += len;
  }
  if (o != f.bytes.size()) throw fail("trailing bytes after the last record");
  return f;
}

BaseFile::View BaseFile::Record(size_t i) const {
  const char* p = bytes.data() + recordOffsets[i];
  View v;
  std::memcpy(&v.k, p, 2);
  std::memcpy(&v.s, p + 2, 2);
  std::memcpy(&v.nll, p + 4, 4);
  std::memcpy(&v.rest, p + 8, 4);
  // Records start on 4-byte boundaries (header, tokens and every record are multiples of 4 bytes).
  v.ids = reinterpret_cast<const uint32_t*>(p + 12);
  v.logProbs = reinterpret_cast<const float*>(p + 12 + 4 * (static_cast<size_t>(v.k) + v.s));
  return v;
}

}  // namespace cwb
