// Starting weights of a new model (see weightInit.h).
#include "weightInit.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>

#include "linearAlgebra.h"
#include "stringMatch.h"

namespace cwb {

// FNV-1a: the same on every platform, so a seed gives the same weights everywhere.
static uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

void InitTensor(TensorF32& t, float initStd, uint32_t nLayer, uint32_t seed) {
  t.data.resize(static_cast<size_t>(t.ne0 * t.ne1 * t.ne2));
  if (EndsWith(t.name, "_norm.weight")) {
    std::fill(t.data.begin(), t.data.end(), 1.0f);
    return;
  }
  float std = initStd;
  if (t.name == "token_embd.weight") std = 1.0f;
  else if (EndsWith(t.name, "attn_output.weight") || EndsWith(t.name, "ffn_down.weight") || EndsWith(t.name, "ffn_down_exps.weight")) std = initStd / std::sqrt(2.0f * static_cast<float>(nLayer));
  const uint64_t h = Fnv1a(t.name) ^ (static_cast<uint64_t>(seed) * 0x9E3779B97F4A7C15ull);
  std::mt19937 gen(static_cast<uint32_t>(h ^ (h >> 32)));
  std::normal_distribution<float> dist(0.0f, std);
  for (auto& v : t.data) v = dist(gen);
}

void BigramStart(TensorF32& embedding, TensorF32& output, const std::vector<int32_t>& tokens, float prior, float eps, uint32_t seed) {
  const int64_t V = embedding.ne1;
  const int64_t D = embedding.ne0;
  std::vector<float> M(static_cast<size_t>(V * V), 0.0f);  // counts, then weighted centred log-probs
  std::vector<double> unigram(static_cast<size_t>(V), 0.0), rowTotal(static_cast<size_t>(V), 0.0);
  for (size_t i = 0; i < tokens.size(); i++) {
    const int32_t t = tokens[i];
    if (t < 0 || t >= V) throw std::runtime_error("statistics token " + std::to_string(t) + " is outside the vocabulary");
    unigram[t] += 1;
    if (i + 1 < tokens.size()) {
      M[static_cast<size_t>(t) * V + tokens[i + 1]] += 1;
      rowTotal[t] += 1;
    }
  }
  double total = 0;
  for (double u : unigram) total += u;
  std::vector<float> pu(static_cast<size_t>(V));
  for (int64_t v = 0; v < V; v++) pu[v] = static_cast<float>((unigram[v] + 1) / (total + static_cast<double>(V)));
  std::vector<float> rowWeight(static_cast<size_t>(V));
  for (int64_t t = 0; t < V; t++) {
    float* row = M.data() + t * V;
    const double w = rowTotal[t];
    double mean = 0;
    for (int64_t v = 0; v < V; v++) {
      row[v] = std::log((row[v] + prior * pu[v]) / static_cast<float>(w + prior));
      mean += row[v];
    }
    mean /= static_cast<double>(V);
    rowWeight[t] = static_cast<float>(std::sqrt(w + 1));
    for (int64_t v = 0; v < V; v++) row[v] = static_cast<float>((row[v] - mean) * rowWeight[t]);
  }

  // Randomised SVD of M (V x V): range of M * Omega with one power iteration, then an exact
  // eigen-decomposition of the small k x k problem.
  const int64_t k = std::min<int64_t>(V, D + 16);
  std::vector<float> Y(static_cast<size_t>(V * k), 0.0f), Z(static_cast<size_t>(V * k), 0.0f);
  {
    std::mt19937 gen(seed ^ 0x5bd1e995u);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    for (auto& z : Z) z = dist(gen);
  }
  auto multiply = [&](const std::vector<float>& in, std::vector<float>& out) {  // out = M in
    std::fill(out.begin(), out.end(), 0.0f);
    for (int64_t t = 0; t < V; t++) {
      const float* m = M.data() + t * V;
      float* o = out.data() + t * k;
      for (int64_t j = 0; j < V; j++) {
        const float a = m[j];
        const float* x = in.data() + j * k;
        for (int64_t c = 0; c < k; c++) o[c] += a * x[c];
      }
    }
  };
  auto multiplyT = [&](const std::vector<float>& in, std::vector<float>& out) {  // out = M^T in
    std::fill(out.begin(), out.end(), 0.0f);
    for (int64_t t = 0; t < V; t++) {
      const float* m = M.data() + t * V;
      const float* x = in.data() + t * k;
      for (int64_t j = 0; j < V; j++) {
        const float a = m[j];
        float* o = out.data() + j * k;
        for (int64_t c = 0; c < k; c++) o[c] += a * x[c];
      }
    }
  };
  multiply(Z, Y);
  Orthonormalize(Y, V, k);
  multiplyT(Y, Z);
  Orthonormalize(Z, V, k);
  multiply(Z, Y);
  Orthonormalize(Y, V, k);  // Q = Y: orthonormal basis of M's leading column space
  multiplyT(Y, Z);          // Z = M^T Q  (V x k), so Q^T M = Z^T
  const std::vector<double> G = Gram(Z, V, k);  // (Q^T M)(Q^T M)^T = Z^T Z
  std::vector<double> w, E;
  SymmetricEigen(G, k, w, E);
  std::vector<int64_t> order(static_cast<size_t>(k));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return w[a] > w[b]; });

  // Row t of M projected on the leading D singular directions: (U S)_t = (Q E)_t sqrt(w), unweighted.
  for (int64_t t = 0; t < V; t++) {
    const float* q = Y.data() + t * k;
    float* e = embedding.data.data() + t * D;
    for (int64_t d = 0; d < D; d++) {
      const int64_t col = order[d];
      double sum = 0;
      for (int64_t i = 0; i < k; i++) sum += q[i] * E[i * k + col];
      e[d] = static_cast<float>(sum * std::sqrt(std::max(0.0, w[col])) / rowWeight[t]);
    }
  }
  // Unit RMS per token, like the random start (the model normalises it anyway).
  std::vector<float> x(static_cast<size_t>(V * D));
  for (int64_t t = 0; t < V; t++) {
    float* e = embedding.data.data() + t * D;
    double ss = 0;
    for (int64_t d = 0; d < D; d++) ss += static_cast<double>(e[d]) * e[d];
    const float scale = static_cast<float>(1.0 / std::sqrt(ss / static_cast<double>(D) + 1e-12));
    for (int64_t d = 0; d < D; d++) e[d] *= scale;
    const float norm = static_cast<float>(1.0 / std::sqrt(1.0 + eps));
    for (int64_t d = 0; d < D; d++) x[t * D + d] = e[d] * norm;
  }

  // output.weight: weighted least squares from x_t to the centred log-probs (weights: counts of t).
  std::vector<double> A(static_cast<size_t>(D * D), 0.0);
  std::vector<float> B(static_cast<size_t>(V * D), 0.0f);
  for (int64_t t = 0; t < V; t++) {
    const double wt = rowTotal[t];
    if (wt <= 0) continue;
    const float* xt = x.data() + t * D;
    for (int64_t i = 0; i < D; i++)
      for (int64_t j = 0; j <= i; j++) A[i * D + j] += wt * xt[i] * xt[j];
    const float* row = M.data() + t * V;
    const float unweight = static_cast<float>(wt) / rowWeight[t];
    for (int64_t v = 0; v < V; v++) {
      const float coef = row[v] * unweight;
      float* b = B.data() + v * D;
      for (int64_t d = 0; d < D; d++) b[d] += coef * xt[d];
    }
  }
  AddRidge(A, D, 1e-3);
  MirrorLower(A, D);
  const std::vector<double> L = Cholesky(A, D);
  std::vector<double> y(static_cast<size_t>(D));
  for (int64_t v = 0; v < V; v++) {
    SolveLower(L, D, B.data() + v * D, y.data());
    SolveLowerTransposed(L, D, y.data(), output.data.data() + v * D);
  }
}

}  // namespace cwb
