// The starting weights of a new model: seeded random tensors, and optionally a bigram start for the
// token embedding and the output matrix.
#pragma once

#include <cstdint>
#include <vector>

#include "ggufWriter.h"

namespace cwb {

/**
 * Fills t.data (ne0 x ne1 x ne2) from a generator seeded by the tensor's name and `seed`, so a seed gives
 * the same weights on every platform. Norm weights start at one; the token embedding at unit scale
 * (llama.cpp's optimizer does not train it, so it stays a fixed random code the layers learn to read);
 * projections into the residual stream (attn_output, ffn_down, ffn_down_exps) at initStd / sqrt(2 nLayer); everything
 * else at initStd.
 */
void InitTensor(TensorF32& t, float initStd, uint32_t nLayer, uint32_t seed);

/**
 * Starts the model as a bigram model of `tokens`, using only what llama.cpp's optimizer cannot learn
 * well in a few minutes: token_embd (never updated by it) becomes each token's coordinates in the
 * leading singular directions of the centred, smoothed log p(next | prev) matrix, and output.weight
 * the weighted least-squares map from those (RMS-normalised) coordinates back to log p(next | prev).
 * Everything is estimated on the training tokens only. `prior`: Dirichlet prior strength (in tokens)
 * towards the unigram distribution; `eps`: the model's RMS-norm epsilon.
 */
void BigramStart(TensorF32& embedding, TensorF32& output, const std::vector<int32_t>& tokens, float prior, float eps, uint32_t seed);

}  // namespace cwb
