// Perplexity / KL-divergence evaluation: the compact base-distribution file format and the per-position
// arithmetic shared by the base pass (writes the file) and the variant pass (reads it).
//
// File layout (little-endian), version 1:
//   header  64 bytes: "CWBBASE1", u32 version, u32 nVocab, u32 nCtx, u32 nChunk, u32 nScored,
//                     u32 kMax, f32 massTarget, u32 flags (bit 0: addBos), i32 bos,
//                     u32 tailSamples, zero padding
//   (nScored is nCtx - 1 - nCtx / 2 for an evaluation, the second half of each chunk; nCtx - 1 for a
//   distillation teacher, every position but the last: the first scored one is nCtx - 1 - nScored)
//   tokens  nCtx * nChunk i32: the tokenized text, so every variant scores exactly the same tokens
//   records nChunk * nScored, in chunk then position order, each:
//           u16 k, u16 s, f32 nll (base -ln p of the correct token), f32 rest (base mass outside the
//           top k, summed directly rather than as 1 - sum), (k + s) * u32 token id, (k + s) * f32 ln p.
//           The first k are the top tokens by probability, descending (ties: lower id first, so entry
//           0 is the base argmax as llama-perplexity picks it). The next s are tail samples: tokens
//           outside the top k drawn by systematic sampling from the base's tail distribution (fixed
//           offsets (j + 1/2)/s over its cumulative mass in vocabulary order), so the divergence
//           inside the tail can be estimated instead of ignored.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace cwb {

constexpr char kBaseMagic[8] = {'C', 'W', 'B', 'B', 'A', 'S', 'E', '1'};
constexpr uint32_t kBaseVersion = 1;
constexpr size_t kBaseHeaderBytes = 64;

struct BaseHeader {
  uint32_t nVocab = 0;
  uint32_t nCtx = 0;
  uint32_t nChunk = 0;
  uint32_t nScored = 0;
  uint32_t kMax = 0;
  float massTarget = 0;
  bool addBos = false;
  int32_t bos = -1;
  uint32_t tailSamples = 0;
};

// One scored position of the base model, as stored.
struct BaseRecord {
  float nll = 0;
  float rest = 0;
  uint16_t k = 0;  // top entries; ids/logProbs hold k top entries followed by the tail samples
  std::vector<uint32_t> ids;
  std::vector<float> logProbs;
};

// The whole base file held in memory (it is small); records point into `bytes`.
struct BaseFile {
  BaseHeader header;
  std::vector<int32_t> tokens;
  std::vector<char> bytes;
  std::vector<size_t> recordOffsets;  // one per scored position
  struct View {
    uint16_t k;
    uint16_t s;
    float nll;
    float rest;
    const uint32_t* ids;
    const float* logProbs;
  };
  View Record(size_t i) const;
};

// Reads and validates a base file; throws std::runtime_error naming the file and the problem.
BaseFile ReadBaseFile(const std::string& path);

// Per-row results of the variant pass against one base record.
struct RowVersusBase {
  double kld = 0;       // compact-format KL(base || variant)
  bool sameTop = false;  // variant argmax == base argmax
};

// Log-softmax of one row: max logit, its first index and ln(sum exp(l - max)), as llama-perplexity computes them.
struct RowNorm {
  float maxLogit;
  int imax;
  double sumExp;     // sum of expf(l - maxLogit), accumulated in double
  double logSumExp;  // ln(sumExp)
};
RowNorm NormalizeRow(const float* logits, int nVocab);

// Builds the compact record of one base row (top tokens up to kMax or massTarget, rest mass, tail
// samples). `order` and `mask` are per-thread scratch buffers.
void BuildBaseRecord(const float* logits, int nVocab, const RowNorm& norm, int target, uint32_t kMax,
                     float massTarget, uint32_t tailSamples, std::vector<int32_t>& order,
                     std::vector<uint8_t>& mask, BaseRecord& out);

// KL(base || variant) from the compact record: the top k exactly (sum of p ln(p/q)), the tail as
// rest * ln(rest / qRest) (the divergence of the lumped tail masses) plus rest * KL(tail || tail'),
// the divergence inside the tail, estimated from the samples with the non-negative unbiased
// estimator mean(f + e^-f - 1), f = ln(p~/q~) of the tail-normalised probabilities.
RowVersusBase CompareWithBase(const float* logits, const RowNorm& norm, const BaseFile::View& base);

// Writes the header and tokens of a base file.
void WriteBaseHeader(std::FILE* out, const BaseHeader& header, const std::vector<int32_t>& tokens);
// Appends one record; returns the bytes written.
size_t WriteBaseRecord(std::FILE* out, const BaseRecord& record);

// Exact KL(base || variant) over the whole vocabulary, in double precision (validation only).
double ExactKld(const float* baseLogits, const RowNorm& baseNorm, const float* logits, const RowNorm& norm, int nVocab);

}  // namespace cwb
