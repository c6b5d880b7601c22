// One speculative generation on a target and a draft context, with the rules of llama.cpp's
// speculative-simple and its draft-simple drafter (so drafted/accepted counts equal its own), and the
// target alone for comparison. Greedy at temperature 0; above it, speculative sampling that keeps
// the target's distribution (accept x with min(1, p(x)/q(x)), else sample the residual max(0, p - q)).
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "llama.h"

namespace cwb {

struct SpeculativeSettings {
  int32_t maxTokens = 64;
  int32_t draftMax = 8;
  int32_t draftMin = 0;
  float pMin = 0;
  /** 0: greedy (the target's own argmax text); above: speculative sampling at this temperature. */
  double temperature = 0;
  /** Every Nth drafted token is replaced by its neighbour id (a forced rejection); 0: off. */
  int32_t corruptDraftEvery = 0;
};

struct SpeculativeOutcome {
  std::vector<llama_token> tokens;  // written tokens, end-of-generation excluded
  std::vector<uint8_t> acceptedMask;  // per token: an accepted draft token
  int32_t drafted = 0, accepted = 0, rounds = 0, generated = 0;
  double draftSeconds = 0, targetSeconds = 0, totalSeconds = 0;
};

struct AloneOutcome {
  std::vector<llama_token> tokens;
  double seconds = 0;
};

/** Thrown between steps (and checked after every decode) when the job is aborted. */
using AbortCheck = std::function<void()>;

/** Both contexts must hold nothing; afterwards they hold the generation. */
SpeculativeOutcome SpeculativeGenerate(llama_context* target, llama_context* draft, const std::vector<llama_token>& prompt,
                                       const SpeculativeSettings& settings, std::mt19937_64& rng, const AbortCheck& checkAbort);

/** The target alone, `count` tokens (fewer at end of generation), greedy or sampled at `temperature`. */
AloneOutcome TargetAlone(llama_context* target, const std::vector<llama_token>& prompt, int32_t count, double temperature,
                         std::mt19937_64& rng, const AbortCheck& checkAbort);

/** draft-simple's confidence in its top token: the softmax over the 10 largest logits, as its sampler computes it. */
float DraftTopProbability(const float* logits, int32_t nVocab);

/** A uniform double in [0, 1) from 53 random bits (the same on every standard library). */
double UniformUnit(std::mt19937_64& rng);

}  // namespace cwb
