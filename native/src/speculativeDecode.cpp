// The speculative loop (see speculativeDecode.h). Round by round, as speculative-simple runs it:
//   1. the draft reads the last token and proposes up to draftMax tokens one decode at a time,
//      stopping early when its top-10 confidence is below p-min or the round's budget is reached;
//      its cache is then cut back to the kept length;
//   2. the target decodes [last, proposal...] in one batch and keeps the accepted prefix plus one
//      token of its own;
//   3. the draft reads that same batch (draft-simple's process step), and both caches are cut back
//      to the kept length. It stops once more than maxTokens were written, or at end of generation.
// Decoding the same tokens in the same batches as llama.cpp matters: batched and single-token
// decodes round differently, and the counts must be equal, not close.
#include "speculativeDecode.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>

#include "llamaHandles.h"

namespace cwb {

namespace {

using Clock = std::chrono::steady_clock;
double SecondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

constexpr llama_seq_id kSeq = 0;
// draft-simple's sampler keeps this many candidates before its softmax.
constexpr int32_t kDraftCandidates = 10;

void Decode(llama_context* ctx, llama_batch& batch, const AbortCheck& checkAbort, const char* what) {
  const int32_t rc = llama_decode(ctx, batch);
  checkAbort();
  if (rc != 0) throw std::runtime_error(std::string("llama_decode failed (") + std::to_string(rc) + ") in the " + what);
}

/** Cuts the cache back to positions [0, length). */
void Trim(llama_context* ctx, llama_pos length, const char* which) {
  if (!llama_memory_seq_rm(llama_get_memory(ctx), kSeq, length, -1)) {
    throw std::runtime_error(std::string("the ") + which + " model's cache cannot be cut back to a position (a recurrent model?)");
  }
}

/** Decodes every prompt token but the last (the loop starts from it), logits for the last one only. */
void DecodePromptHead(llama_context* ctx, BatchHandle& batch, const std::vector<llama_token>& prompt, const AbortCheck& checkAbort) {
  if (prompt.size() < 2) return;
  batch.Clear();
  for (size_t i = 0; i + 1 < prompt.size(); i++) batch.Add(prompt[i], static_cast<llama_pos>(i), kSeq, i + 2 == prompt.size());
  Decode(ctx, batch.get(), checkAbort, "prompt");
}

int32_t VocabSize(llama_context* ctx) { return llama_vocab_n_tokens(llama_model_get_vocab(llama_get_model(ctx))); }

llama_token Argmax(const float* logits, int32_t n) { return static_cast<llama_token>(std::max_element(logits, logits + n) - logits); }

/** softmax(logits / temperature) over the whole vocabulary, in double. */
void Softmax(const float* logits, int32_t n, double temperature, std::vector<double>& out) {
  out.resize(static_cast<size_t>(n));
  const double top = *std::max_element(logits, logits + n);
  double sum = 0;
  for (int32_t i = 0; i < n; i++) sum += out[i] = std::exp((logits[i] - top) / temperature);
  for (double& p : out) p /= sum;
}

/** A draw from weights (not necessarily normalised; the total must be positive). */
llama_token Sample(const std::vector<double>& weights, std::mt19937_64& rng) {
  double total = 0;
  for (double w : weights) total += w;
  const double target = UniformUnit(rng) * total;
  double running = 0;
  for (size_t i = 0; i < weights.size(); i++) {
    running += weights[i];
    if (running > target && weights[i] > 0) return static_cast<llama_token>(i);
  }
  // Rounding left the draw past the last positive weight: take that one.
  for (size_t i = weights.size(); i-- > 0;)
    if (weights[i] > 0) return static_cast<llama_token>(i);
  throw std::runtime_error("sampling from an empty distribution");
}

llama_token CorruptToken(llama_token token) { return token > 0 ? token - 1 : token + 1; }

}  // namespace

double UniformUnit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0); }

float DraftTopProbability(const float* logits, int32_t nVocab) {
  const int32_t k = std::min(kDraftCandidates, nVocab);
  std::vector<float> top(logits, logits + nVocab);
  std::nth_element(top.begin(), top.begin() + (k - 1), top.end(), std::greater<float>());
  const float best = *std::max_element(top.begin(), top.begin() + k);
  // As llama.cpp's dist sampler: float exponentials summed in double, each divided by the sum.
  double sum = 0;
  for (int32_t i = 0; i < k; i++) sum += expf(top[static_cast<size_t>(i)] - best);
  return static_cast<float>(1.0f / sum);
}

SpeculativeOutcome SpeculativeGenerate(llama_context* target, llama_context* draft, const std::vector<llama_token>& prompt,
                                       const SpeculativeSettings& settings, std::mt19937_64& rng, const AbortCheck& checkAbort) {
  if (prompt.empty()) throw std::runtime_error("an empty prompt");
  const bool sampling = settings.temperature > 0;
  const int32_t nVocab = VocabSize(target);
  const int32_t nCtx = static_cast<int32_t>(llama_n_ctx(target));
  const llama_vocab* vocab = llama_model_get_vocab(llama_get_model(target));
  BatchHandle batch(std::max<int32_t>(static_cast<int32_t>(prompt.size()), settings.draftMax + 1));

  // Untimed, like speculative-simple's decode timer: the prompt is not part of generation speed.
  DecodePromptHead(target, batch, prompt, checkAbort);
  DecodePromptHead(draft, batch, prompt, checkAbort);
  SpeculativeOutcome out;
  Clock::time_point t;

  llama_token last = prompt.back();
  llama_pos nPast = static_cast<llama_pos>(prompt.size() - 1);
  int64_t draftedSoFar = 0;
  std::vector<llama_token> proposal;
  std::vector<std::vector<double>> draftProbs;  // sampling: q at each proposed position
  std::vector<double> p;
  std::vector<llama_token> kept;
  const auto start = Clock::now();

  for (;;) {
    checkAbort();
    // The round's budget as speculative-simple computes it; 0 leaves only draftMax as the limit.
    const int32_t budget = std::max(0, std::min(nCtx - nPast - 2, settings.maxTokens - out.generated - 1));

    // 1. The draft proposes.
    t = Clock::now();
    proposal.clear();
    batch.Clear();
    batch.Add(last, nPast, kSeq, true);
    Decode(draft, batch.get(), checkAbort, "draft");
    // Proposed tokens the draft has read (all but a last one cut by draft-max or the budget): its cache
    // keeps them, and the accepted ones need no second reading, as draft-simple reuses its cache.
    int32_t draftRead = 0;
    for (int32_t i = 0;; i++) {
      const float* logits = llama_get_logits_ith(draft, -1);
      if (settings.pMin > 0 && DraftTopProbability(logits, nVocab) < settings.pMin) break;
      llama_token token;
      if (sampling) {
        if (draftProbs.size() <= proposal.size()) draftProbs.emplace_back();
        Softmax(logits, nVocab, settings.temperature, draftProbs[proposal.size()]);
        token = Sample(draftProbs[proposal.size()], rng);
      } else {
        token = Argmax(logits, nVocab);
      }
      draftedSoFar++;
      if (settings.corruptDraftEvery > 0 && draftedSoFar % settings.corruptDraftEvery == 0) token = CorruptToken(token);
      proposal.push_back(token);
      const int32_t size = static_cast<int32_t>(proposal.size());
      if (size >= settings.draftMax || (budget > 0 && size >= budget)) break;
      batch.Clear();
      batch.Add(token, nPast + i + 1, kSeq, true);
      Decode(draft, batch.get(), checkAbort, "draft");
      draftRead++;
    }
    if (static_cast<int32_t>(proposal.size()) < settings.draftMin) proposal.clear();
    out.draftSeconds += SecondsSince(t);

    // 2. The target checks [last, proposal...] in one batch.
    t = Clock::now();
    batch.Clear();
    batch.Add(last, nPast, kSeq, true);
    for (size_t i = 0; i < proposal.size(); i++) batch.Add(proposal[i], nPast + 1 + static_cast<llama_pos>(i), kSeq, true);
    Decode(target, batch.get(), checkAbort, "target's check");
    kept.clear();
    if (sampling) {
      bool rejected = false;
      for (size_t i = 0; i < proposal.size() && !rejected; i++) {
        Softmax(llama_get_logits_ith(target, static_cast<int32_t>(i)), nVocab, settings.temperature, p);
        const std::vector<double>& q = draftProbs[i];
        const llama_token x = proposal[i];
        if (UniformUnit(rng) * q[x] < p[x]) {
          kept.push_back(x);  // accepted with probability min(1, p(x)/q(x))
          continue;
        }
        // Rejected: the target's own token from the residual max(0, p - q), which restores p exactly.
        bool any = false;
        for (int32_t v = 0; v < nVocab; v++) {
          p[v] = std::max(0.0, p[v] - q[v]);
          any = any || p[v] > 0;
        }
        if (!any) Softmax(llama_get_logits_ith(target, static_cast<int32_t>(i)), nVocab, settings.temperature, p);
        kept.push_back(Sample(p, rng));
        rejected = true;
      }
      if (!rejected) {
        Softmax(llama_get_logits_ith(target, static_cast<int32_t>(proposal.size())), nVocab, settings.temperature, p);
        kept.push_back(Sample(p, rng));
      }
    } else {
      for (size_t i = 0; i <= proposal.size(); i++) {
        const llama_token choice = Argmax(llama_get_logits_ith(target, static_cast<int32_t>(i)), nVocab);
        kept.push_back(choice);
        if (i == proposal.size() || proposal[i] != choice) break;
      }
    }
    out.targetSeconds += SecondsSince(t);

    const int32_t acceptedCount = static_cast<int32_t>(kept.size()) - 1;

    // 3. The draft keeps what it read of the accepted tokens (last, then the proposal's prefix) and
    // reads only an accepted token it had not (the proposal's last, cut before its reading); the
    // target's own token is read at the start of the next round.
    t = Clock::now();
    const int32_t draftKept = std::min(acceptedCount, draftRead);
    Trim(draft, nPast + 1 + draftKept, "draft");
    if (acceptedCount > draftKept) {
      batch.Clear();
      for (int32_t i = draftKept; i < acceptedCount; i++) batch.Add(proposal[static_cast<size_t>(i)], nPast + 1 + i, kSeq, i + 1 == acceptedCount);
      Decode(draft, batch.get(), checkAbort, "draft's reading of the accepted tokens");
    }
    out.draftSeconds += SecondsSince(t);

    out.rounds++;
    out.drafted += static_cast<int32_t>(proposal.size());
    out.accepted += acceptedCount;
    out.generated += static_cast<int32_t>(kept.size());
    nPast += 1 + acceptedCount;
    bool endOfGeneration = false;
    for (size_t i = 0; i < kept.size(); i++) {
      last = kept[i];
      if (llama_vocab_is_eog(vocab, last)) {
        endOfGeneration = true;
        break;
      }
      out.tokens.push_back(last);
      out.acceptedMask.push_back(static_cast<int32_t>(i) < acceptedCount ? 1 : 0);
    }
    t = Clock::now();
    Trim(target, nPast, "target");
    out.targetSeconds += SecondsSince(t);
    t = Clock::now();
    Trim(draft, nPast, "draft");
    out.draftSeconds += SecondsSince(t);
    // speculative-simple stops once it has written more than the budget.
    if (out.generated > settings.maxTokens || endOfGeneration) break;
  }
  out.totalSeconds = SecondsSince(start);
  return out;
}

AloneOutcome TargetAlone(llama_context* target, const std::vector<llama_token>& prompt, int32_t count, double temperature,
                         std::mt19937_64& rng, const AbortCheck& checkAbort) {
  if (prompt.empty()) throw std::runtime_error("an empty prompt");
  const int32_t nVocab = VocabSize(target);
  const llama_vocab* vocab = llama_model_get_vocab(llama_get_model(target));
  BatchHandle batch(static_cast<int32_t>(prompt.size()));
  DecodePromptHead(target, batch, prompt, checkAbort);
  AloneOutcome out;
  llama_token last = prompt.back();
  llama_pos pos = static_cast<llama_pos>(prompt.size() - 1);
  std::vector<double> p;
  const auto start = Clock::now();
  while (static_cast<int32_t>(out.tokens.size()) < count) {
    batch.Clear();
    batch.Add(last, pos++, kSeq, true);
    Decode(target, batch.get(), checkAbort, "target's generation");
    const float* logits = llama_get_logits_ith(target, -1);
    llama_token next;
    if (temperature > 0) {
      Softmax(logits, nVocab, temperature, p);
      next = Sample(p, rng);
    } else {
      next = Argmax(logits, nVocab);
    }
    if (llama_vocab_is_eog(vocab, next)) break;
    out.tokens.push_back(next);
    last = next;
  }
  out.seconds = SecondsSince(start);
  return out;
}

}  // namespace cwb
