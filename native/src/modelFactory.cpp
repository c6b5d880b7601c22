// Creates llama-architecture GGUF models from scratch and repacks trained weights into clean files.
// createModel: metadata we choose + a tokenizer copied from a vocabulary GGUF (optionally trimmed to
// its first pieces) + seeded random weights, written directly with the gguf writer (F32 for training).
// packModel: the tensors of one file (e.g. what llama_model_save_to_file wrote after training, which
// carries a hundred irrelevant keys) with the metadata of another, stored as F32, F16 or BF16.
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <functional>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "addon.h"
#include "ggml.h"
#include "gguf.h"
#include "llama.h"
#include "options.h"

namespace cwb {

enum class Storage { F32, F16, BF16 };

// llama_ftype values written to general.file_type (ALL_F32, MOSTLY_F16, MOSTLY_BF16).
static uint32_t FileType(Storage s) { return s == Storage::F32 ? 0 : s == Storage::F16 ? 1 : 32; }

static Storage ParseStorage(const std::string& t) {
  if (t == "f32") return Storage::F32;
  if (t == "f16") return Storage::F16;
  if (t == "bf16") return Storage::BF16;
  throw std::runtime_error("storage type must be f32, f16 or bf16, got " + t);
}

struct TensorF32 {
  std::string name;
  int64_t ne0 = 0;
  int64_t ne1 = 1;
  bool matrix = false;
  std::vector<float> data;
};

using StringPairs = std::vector<std::pair<std::string, std::string>>;

static uint64_t FileSize(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return 0;
  std::fseek(f, 0, SEEK_END);
  const long n = std::ftell(f);
  std::fclose(f);
  return n > 0 ? static_cast<uint64_t>(n) : 0;
}

// Writes kv (general.file_type replaced) + tensors; matrices in the storage type, vectors in F32.
// Temp file then rename, so a failure never leaves a half-written model at outPath.
static void WriteModel(const gguf_context* kv, const StringPairs& extra, const std::vector<TensorF32>& tensors, Storage storage,
                       const std::string& outPath) {
  gguf_context* out = gguf_init_empty();
  gguf_set_kv(out, kv);
  gguf_set_val_u32(out, "general.file_type", FileType(storage));
  for (const auto& p : extra) gguf_set_val_str(out, p.first.c_str(), p.second.c_str());

  ggml_init_params cp = {/*mem_size=*/ggml_tensor_overhead() * (tensors.size() + 1), /*mem_buffer=*/nullptr, /*no_alloc=*/true};
  ggml_context* shapes = ggml_init(cp);
  std::vector<std::vector<uint8_t>> buffers(tensors.size());
  for (size_t i = 0; i < tensors.size(); i++) {
    const TensorF32& t = tensors[i];
    const ggml_type type = !t.matrix || storage == Storage::F32 ? GGML_TYPE_F32 : storage == Storage::F16 ? GGML_TYPE_F16 : GGML_TYPE_BF16;
    ggml_tensor* g = t.matrix ? ggml_new_tensor_2d(shapes, type, t.ne0, t.ne1) : ggml_new_tensor_1d(shapes, type, t.ne0);
    ggml_set_name(g, t.name.c_str());
    auto& buf = buffers[i];
    buf.resize(ggml_nbytes(g));
    const int64_t n = static_cast<int64_t>(t.data.size());
    if (type == GGML_TYPE_F32) std::memcpy(buf.data(), t.data.data(), buf.size());
    else if (type == GGML_TYPE_F16) ggml_fp32_to_fp16_row(t.data.data(), reinterpret_cast<ggml_fp16_t*>(buf.data()), n);
    else ggml_fp32_to_bf16_row(t.data.data(), reinterpret_cast<ggml_bf16_t*>(buf.data()), n);
    gguf_add_tensor(out, g);
    gguf_set_tensor_data(out, t.name.c_str(), buf.data());
  }
  const std::string temp = outPath + ".tmp";
  const bool ok = gguf_write_to_file(out, temp.c_str(), /*only_meta=*/false);
  gguf_free(out);
  ggml_free(shapes);
  if (!ok || std::rename(temp.c_str(), outPath.c_str()) != 0) {
    std::remove(temp.c_str());
    throw std::runtime_error(outPath + ": cannot write the model file");
  }
}

struct ModelSpec {
  std::string outPath;
  std::string vocabPath;
  std::string name = "cwb-model";
  uint32_t nVocab = 0;  // 0 = every piece of the vocabulary file
  uint32_t nEmbd = 256;
  uint32_t nFf = 768;
  uint32_t nLayer = 4;
  uint32_t nHead = 4;
  uint32_t nHeadKv = 4;
  uint32_t nCtx = 1024;
  float ropeFreqBase = 10000.0f;
  float rmsEps = 1e-5f;
  float initStd = 0.02f;
  uint32_t seed = 42;
  Storage storage = Storage::F32;
  StringPairs extra;  // additional string metadata
  std::vector<int32_t> statsTokens;  // when set: output.weight starts as a bigram model of these tokens
  float bigramPrior = 4.0f;           // Dirichlet prior strength (in tokens) towards the unigram distribution
};

// FNV-1a: the same on every platform, so a seed gives the same weights everywhere.
static uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

static bool EndsWith(const std::string& s, const char* suffix) {
  const size_t n = strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// Norm weights start at one; the token embedding at unit scale (llama.cpp's optimizer does not train
// it, so it stays a fixed random code the layers learn to read); projections into the residual stream
// scaled down by depth; everything else small.
static void InitTensor(TensorF32& t, const ModelSpec& spec) {
  t.data.resize(static_cast<size_t>(t.ne0 * t.ne1));
  if (EndsWith(t.name, "_norm.weight")) {
    std::fill(t.data.begin(), t.data.end(), 1.0f);
    return;
  }
  float std = spec.initStd;
  if (t.name == "token_embd.weight") std = 1.0f;
  else if (EndsWith(t.name, "attn_output.weight") || EndsWith(t.name, "ffn_down.weight")) std = spec.initStd / std::sqrt(2.0f * static_cast<float>(spec.nLayer));
  const uint64_t h = Fnv1a(t.name) ^ (static_cast<uint64_t>(spec.seed) * 0x9E3779B97F4A7C15ull);
  std::mt19937 gen(static_cast<uint32_t>(h ^ (h >> 32)));
  std::normal_distribution<float> dist(0.0f, std);
  for (auto& v : t.data) v = dist(gen);
}

// Lower-triangular L with A = L L^T (A symmetric positive definite, n x n, row-major).
static std::vector<double> Cholesky(const std::vector<double>& A, int64_t n) {
  std::vector<double> L(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; i++) {
    for (int64_t j = 0; j <= i; j++) {
      double sum = A[i * n + j];
      for (int64_t k = 0; k < j; k++) sum -= L[i * n + k] * L[j * n + k];
      if (i == j) {
        if (!(sum > 0)) throw std::runtime_error("bigram start: singular matrix");
        L[i * n + i] = std::sqrt(sum);
      } else {
        L[i * n + j] = sum / L[j * n + j];
      }
    }
  }
  return L;
}

// Orthonormal columns spanning Y's (rows x k, row-major) by Cholesky QR, twice for accuracy.
static void Orthonormalize(std::vector<float>& Y, int64_t rows, int64_t k) {
  for (int pass = 0; pass < 2; pass++) {
    std::vector<double> G(static_cast<size_t>(k * k), 0.0);
    for (int64_t r = 0; r < rows; r++) {
      const float* y = Y.data() + r * k;
      for (int64_t i = 0; i < k; i++)
        for (int64_t j = 0; j <= i; j++) G[i * k + j] += static_cast<double>(y[i]) * y[j];
    }
    double trace = 0;
    for (int64_t i = 0; i < k; i++) trace += G[i * k + i];
    for (int64_t i = 0; i < k; i++) {
      G[i * k + i] += 1e-10 * trace / static_cast<double>(k);
      for (int64_t j = 0; j < i; j++) G[j * k + i] = G[i * k + j];
    }
    const std::vector<double> L = Cholesky(G, k);  // Y = Q L^T  ->  each row q solves L q = y
    std::vector<double> q(static_cast<size_t>(k));
    for (int64_t r = 0; r < rows; r++) {
      float* y = Y.data() + r * k;
      for (int64_t i = 0; i < k; i++) {
        double sum = y[i];
        for (int64_t j = 0; j < i; j++) sum -= L[i * k + j] * q[j];
        q[i] = sum / L[i * k + i];
      }
      for (int64_t i = 0; i < k; i++) y[i] = static_cast<float>(q[i]);
    }
  }
}

// Eigen-decomposition of a symmetric n x n matrix by cyclic Jacobi: values in w, vectors in columns of V.
static void SymmetricEigen(std::vector<double> A, int64_t n, std::vector<double>& w, std::vector<double>& V) {
  V.assign(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; i++) V[i * n + i] = 1.0;
  for (int sweep = 0; sweep < 30; sweep++) {
    double off = 0;
    for (int64_t i = 0; i < n; i++)
      for (int64_t j = i + 1; j < n; j++) off += A[i * n + j] * A[i * n + j];
    if (off < 1e-22) break;
    for (int64_t p = 0; p < n; p++) {
      for (int64_t q = p + 1; q < n; q++) {
        const double apq = A[p * n + q];
        if (std::fabs(apq) < 1e-300) continue;
        const double theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), sn = t * c;
        for (int64_t k = 0; k < n; k++) {
          const double akp = A[k * n + p], akq = A[k * n + q];
          A[k * n + p] = c * akp - sn * akq;
          A[k * n + q] = sn * akp + c * akq;
        }
        for (int64_t k = 0; k < n; k++) {
          const double apk = A[p * n + k], aqk = A[q * n + k];
          A[p * n + k] = c * apk - sn * aqk;
          A[q * n + k] = sn * apk + c * aqk;
        }
        for (int64_t k = 0; k < n; k++) {
          const double vkp = V[k * n + p], vkq = V[k * n + q];
          V[k * n + p] = c * vkp - sn * vkq;
          V[k * n + q] = sn * vkp + c * vkq;
        }
      }
    }
  }
  w.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; i++) w[i] = A[i * n + i];
}

// Starts the model as a bigram model of `tokens`, using only what llama.cpp's optimizer cannot learn
// well in a few minutes: token_embd (never updated by it) becomes each token's coordinates in the
// leading singular directions of the centred, smoothed log p(next | prev) matrix, and output.weight
// the weighted least-squares map from those (RMS-normalised) coordinates back to log p(next | prev).
// Everything is estimated on the training tokens only.
static void BigramStart(TensorF32& embedding, TensorF32& output, const std::vector<int32_t>& tokens, float prior, float eps, uint32_t seed) {
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
  std::vector<double> G(static_cast<size_t>(k * k), 0.0);  // (Q^T M)(Q^T M)^T = Z^T Z
  for (int64_t r = 0; r < V; r++) {
    const float* z = Z.data() + r * k;
    for (int64_t i = 0; i < k; i++)
      for (int64_t j = 0; j <= i; j++) G[i * k + j] += static_cast<double>(z[i]) * z[j];
  }
  for (int64_t i = 0; i < k; i++)
    for (int64_t j = 0; j < i; j++) G[j * k + i] = G[i * k + j];
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
  double trace = 0;
  for (int64_t i = 0; i < D; i++) trace += A[i * D + i];
  for (int64_t i = 0; i < D; i++) {
    A[i * D + i] += 1e-3 * trace / static_cast<double>(D);
    for (int64_t j = 0; j < i; j++) A[j * D + i] = A[i * D + j];
  }
  const std::vector<double> L = Cholesky(A, D);
  std::vector<double> y(static_cast<size_t>(D));
  for (int64_t v = 0; v < V; v++) {
    const float* b = B.data() + v * D;
    for (int64_t i = 0; i < D; i++) {
      double sum = b[i];
      for (int64_t j = 0; j < i; j++) sum -= L[i * D + j] * y[j];
      y[i] = sum / L[i * D + i];
    }
    float* out = output.data.data() + v * D;
    for (int64_t i = D - 1; i >= 0; i--) {
      double sum = y[i];
      for (int64_t j = i + 1; j < D; j++) sum -= L[j * D + i] * out[j];
      out[i] = static_cast<float>(sum / L[i * D + i]);
    }
  }
}

// Copies tokenizer.* keys of the vocabulary file, cutting the per-piece arrays to nVocab entries.
static uint32_t CopyTokenizer(gguf_context* dst, const gguf_context* src, uint32_t nVocab, const std::string& path) {
  const int64_t tokensKey = gguf_find_key(src, "tokenizer.ggml.tokens");
  if (tokensKey < 0) throw std::runtime_error(path + ": no tokenizer.ggml.tokens in this file");
  const uint32_t available = static_cast<uint32_t>(gguf_get_arr_n(src, tokensKey));
  if (nVocab == 0 || nVocab > available) nVocab = available;
  const int64_t mergesKey = gguf_find_key(src, "tokenizer.ggml.merges");
  if (mergesKey >= 0 && gguf_get_arr_n(src, mergesKey) > 0 && nVocab < available) {
    throw std::runtime_error(path + ": trimming a BPE vocabulary (with merges) is not supported; use a SentencePiece vocabulary");
  }
  const int64_t nKv = gguf_get_n_kv(src);
  for (int64_t i = 0; i < nKv; i++) {
    const std::string key = gguf_get_key(src, i);
    if (key.rfind("tokenizer.", 0) != 0) continue;
    const gguf_type type = gguf_get_kv_type(src, i);
    if (type == GGUF_TYPE_ARRAY) {
      const gguf_type at = gguf_get_arr_type(src, i);
      size_t n = gguf_get_arr_n(src, i);
      if (n == available) n = nVocab;  // one entry per piece
      if (at == GGUF_TYPE_STRING) {
        std::vector<const char*> strs(n);
        for (size_t j = 0; j < n; j++) strs[j] = gguf_get_arr_str(src, i, j);
        gguf_set_arr_str(dst, key.c_str(), strs.data(), n);
      } else {
        gguf_set_arr_data(dst, key.c_str(), at, gguf_get_arr_data(src, i), n);
      }
      continue;
    }
    if (EndsWith(key, "_token_id") && (type == GGUF_TYPE_UINT32 || type == GGUF_TYPE_INT32)) {
      const int64_t id = type == GGUF_TYPE_UINT32 ? gguf_get_val_u32(src, i) : gguf_get_val_i32(src, i);
      if (id < 0 || id >= nVocab) continue;  // a special token that did not survive the trim
    }
    switch (type) {
      case GGUF_TYPE_STRING: gguf_set_val_str(dst, key.c_str(), gguf_get_val_str(src, i)); break;
      case GGUF_TYPE_UINT32: gguf_set_val_u32(dst, key.c_str(), gguf_get_val_u32(src, i)); break;
      case GGUF_TYPE_INT32: gguf_set_val_i32(dst, key.c_str(), gguf_get_val_i32(src, i)); break;
      case GGUF_TYPE_BOOL: gguf_set_val_bool(dst, key.c_str(), gguf_get_val_bool(src, i)); break;
      case GGUF_TYPE_FLOAT32: gguf_set_val_f32(dst, key.c_str(), gguf_get_val_f32(src, i)); break;
      case GGUF_TYPE_UINT64: gguf_set_val_u64(dst, key.c_str(), gguf_get_val_u64(src, i)); break;
      default: break;  // no tokenizer key of another scalar type is in use
    }
  }
  return nVocab;
}

struct WrittenModel {
  uint64_t nParams = 0;
  uint32_t nVocab = 0;
  uint64_t fileBytes = 0;
};

static WrittenModel CreateModelFile(const ModelSpec& spec) {
  if (spec.nEmbd % spec.nHead != 0) throw std::runtime_error("nEmbd must be a multiple of nHead");
  if (spec.nHead % spec.nHeadKv != 0) throw std::runtime_error("nHead must be a multiple of nHeadKv");

  gguf_init_params vp = {/*no_alloc=*/true, /*ctx=*/nullptr};
  gguf_context* vocab = gguf_init_from_file(spec.vocabPath.c_str(), vp);
  if (!vocab) throw std::runtime_error(spec.vocabPath + ": cannot read this GGUF vocabulary file");

  // general.* and the architecture keys first, so a reader sees them before the tokenizer.
  gguf_context* meta = gguf_init_empty();
  gguf_set_val_str(meta, "general.architecture", "llama");
  gguf_set_val_str(meta, "general.name", spec.name.c_str());
  gguf_set_val_u32(meta, "general.file_type", FileType(spec.storage));
  gguf_set_val_u32(meta, "general.quantization_version", 2);
  WrittenModel out;
  try {
    gguf_context* tok = gguf_init_empty();
    out.nVocab = CopyTokenizer(tok, vocab, spec.nVocab, spec.vocabPath);
    const uint32_t headDim = spec.nEmbd / spec.nHead;
    gguf_set_val_u32(meta, "llama.vocab_size", out.nVocab);
    gguf_set_val_u32(meta, "llama.context_length", spec.nCtx);
    gguf_set_val_u32(meta, "llama.embedding_length", spec.nEmbd);
    gguf_set_val_u32(meta, "llama.block_count", spec.nLayer);
    gguf_set_val_u32(meta, "llama.feed_forward_length", spec.nFf);
    gguf_set_val_u32(meta, "llama.attention.head_count", spec.nHead);
    gguf_set_val_u32(meta, "llama.attention.head_count_kv", spec.nHeadKv);
    gguf_set_val_f32(meta, "llama.attention.layer_norm_rms_epsilon", spec.rmsEps);
    gguf_set_val_u32(meta, "llama.rope.dimension_count", headDim);
    gguf_set_val_f32(meta, "llama.rope.freq_base", spec.ropeFreqBase);
    gguf_set_kv(meta, tok);
    gguf_free(tok);
  } catch (...) {
    gguf_free(meta);
    gguf_free(vocab);
    throw;
  }
  gguf_free(vocab);

  const int64_t nEmbdKv = static_cast<int64_t>(spec.nEmbd / spec.nHead) * spec.nHeadKv;
  std::vector<TensorF32> tensors;
  auto add = [&](const std::string& name, int64_t ne0, int64_t ne1) {
    TensorF32 t;
    t.name = name;
    t.ne0 = ne0;
    t.ne1 = ne1 > 0 ? ne1 : 1;
    t.matrix = ne1 > 0;
    InitTensor(t, spec);
    out.nParams += t.data.size();
    tensors.push_back(std::move(t));
  };
  add("token_embd.weight", spec.nEmbd, out.nVocab);
  for (uint32_t il = 0; il < spec.nLayer; il++) {
    const std::string b = "blk." + std::to_string(il) + ".";
    add(b + "attn_norm.weight", spec.nEmbd, 0);
    add(b + "attn_q.weight", spec.nEmbd, spec.nEmbd);
    add(b + "attn_k.weight", spec.nEmbd, nEmbdKv);
    add(b + "attn_v.weight", spec.nEmbd, nEmbdKv);
    add(b + "attn_output.weight", spec.nEmbd, spec.nEmbd);
    add(b + "ffn_norm.weight", spec.nEmbd, 0);
    add(b + "ffn_gate.weight", spec.nEmbd, spec.nFf);
    add(b + "ffn_down.weight", spec.nFf, spec.nEmbd);
    add(b + "ffn_up.weight", spec.nEmbd, spec.nFf);
  }
  add("output_norm.weight", spec.nEmbd, 0);
  add("output.weight", spec.nEmbd, out.nVocab);
  if (!spec.statsTokens.empty()) BigramStart(tensors.front(), tensors.back(), spec.statsTokens, spec.bigramPrior, spec.rmsEps, spec.seed);

  try {
    WriteModel(meta, spec.extra, tensors, spec.storage, spec.outPath);
  } catch (...) {
    gguf_free(meta);
    throw;
  }
  gguf_free(meta);
  out.fileBytes = FileSize(spec.outPath);
  return out;
}

struct PackJob {
  std::string weightsPath;
  std::string metadataPath;
  std::string outPath;
  Storage storage = Storage::F16;
  StringPairs extra;
};

static WrittenModel PackModelFile(const PackJob& job) {
  gguf_init_params mp = {/*no_alloc=*/true, /*ctx=*/nullptr};
  gguf_context* meta = gguf_init_from_file(job.metadataPath.c_str(), mp);
  if (!meta) throw std::runtime_error(job.metadataPath + ": cannot read this GGUF file");
  ggml_context* data = nullptr;
  gguf_init_params wp = {/*no_alloc=*/false, /*ctx=*/&data};
  gguf_context* weights = gguf_init_from_file(job.weightsPath.c_str(), wp);
  if (!weights) {
    gguf_free(meta);
    throw std::runtime_error(job.weightsPath + ": cannot read this GGUF file");
  }
  WrittenModel out;
  std::vector<TensorF32> tensors;
  std::string error;
  const int64_t nTensors = gguf_get_n_tensors(weights);
  for (int64_t i = 0; i < nTensors && error.empty(); i++) {
    const char* name = gguf_get_tensor_name(weights, i);
    ggml_tensor* g = ggml_get_tensor(data, name);
    if (!g || ggml_n_dims(g) > 2) {
      error = job.weightsPath + ": tensor " + name + " is missing or has more than two dimensions";
      break;
    }
    TensorF32 t;
    t.name = name;
    t.ne0 = g->ne[0];
    t.ne1 = g->ne[1];
    t.matrix = ggml_n_dims(g) == 2;
    t.data.resize(static_cast<size_t>(ggml_nelements(g)));
    if (g->type == GGML_TYPE_F32) std::memcpy(t.data.data(), g->data, ggml_nbytes(g));
    else if (g->type == GGML_TYPE_F16) ggml_fp16_to_fp32_row(static_cast<const ggml_fp16_t*>(g->data), t.data.data(), ggml_nelements(g));
    else if (g->type == GGML_TYPE_BF16) ggml_bf16_to_fp32_row(static_cast<const ggml_bf16_t*>(g->data), t.data.data(), ggml_nelements(g));
    else error = job.weightsPath + ": tensor " + name + " is " + ggml_type_name(g->type) + "; only F32, F16 and BF16 can be repacked";
    out.nParams += t.data.size();
    tensors.push_back(std::move(t));
  }
  gguf_free(weights);
  ggml_free(data);
  if (error.empty()) {
    try {
      WriteModel(meta, job.extra, tensors, job.storage, job.outPath);
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  gguf_free(meta);
  if (!error.empty()) throw std::runtime_error(error);
  out.fileBytes = FileSize(job.outPath);
  return out;
}

// One promise-returning worker for both operations.
class ModelFileWorker : public Napi::AsyncWorker {
 public:
  ModelFileWorker(Napi::Env env, std::string path, std::function<WrittenModel()> run)
      : Napi::AsyncWorker(env), path_(std::move(path)), run_(std::move(run)), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    try {
      result_ = run_();
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("path", path_);
    o.Set("nParams", Napi::Number::New(env, static_cast<double>(result_.nParams)));
    if (result_.nVocab > 0) o.Set("nVocab", Napi::Number::New(env, result_.nVocab));
    o.Set("fileBytes", Napi::Number::New(env, static_cast<double>(result_.fileBytes)));
    deferred_.Resolve(o);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  std::string path_;
  std::function<WrittenModel()> run_;
  WrittenModel result_;
  Napi::Promise::Deferred deferred_;
};

static Storage StorageOption(const OptionReader& o, Napi::Env env, Storage fallback) {
  if (!o.Has("type")) return fallback;
  try {
    return ParseStorage(o.String("type"));
  } catch (const std::runtime_error& e) {
    throw Napi::RangeError::New(env, e.what());
  }
}

static StringPairs Metadata(const OptionReader& o) {
  StringPairs out;
  if (!o.Raw("metadata").IsObject()) return out;
  Napi::Object m = o.Raw("metadata").As<Napi::Object>();
  Napi::Array keys = m.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); i++) {
    std::string k = keys.Get(i).ToString();
    out.emplace_back(k, m.Get(k).ToString().Utf8Value());
  }
  return out;
}

// createModel(spec): writes a llama model with seeded random weights; resolves {path, nParams, nVocab, fileBytes}.
static Napi::Value CreateModel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "createModel(spec): spec object expected");
  const OptionReader o(info[0].As<Napi::Object>(), "createModel");
  ModelSpec s;
  s.outPath = o.String("outPath");
  s.vocabPath = o.String("vocabPath");
  s.name = o.String("name", s.name);
  s.nVocab = o.Count("nVocab", s.nVocab);
  s.nEmbd = o.Count("nEmbd", s.nEmbd);
  s.nFf = o.Count("nFf", s.nFf);
  s.nLayer = o.Count("nLayer", s.nLayer);
  s.nHead = o.Count("nHead", s.nHead);
  s.nHeadKv = o.Count("nHeadKv", s.nHead);
  s.nCtx = o.Count("nCtx", s.nCtx);
  s.ropeFreqBase = static_cast<float>(o.Number("ropeFreqBase", s.ropeFreqBase));
  s.rmsEps = static_cast<float>(o.Number("rmsEps", s.rmsEps));
  s.initStd = static_cast<float>(o.Number("initStd", s.initStd));
  s.seed = o.Count("seed", s.seed);
  s.storage = StorageOption(o, env, Storage::F32);
  s.extra = Metadata(o);
  if (o.Has("bigramTokens")) {
    s.statsTokens = o.Int32s("bigramTokens");
    s.bigramPrior = static_cast<float>(o.Number("bigramPrior", s.bigramPrior));
  }
  if (s.nEmbd == 0 || s.nFf == 0 || s.nLayer == 0 || s.nHead == 0 || s.nHeadKv == 0 || s.nCtx == 0) {
    throw Napi::RangeError::New(env, "createModel: nEmbd, nFf, nLayer, nHead, nHeadKv and nCtx must be positive");
  }
  const std::string path = s.outPath;
  auto* w = new ModelFileWorker(env, path, [s]() { return CreateModelFile(s); });
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

// packModel({weightsPath, metadataPath, outPath, type?, metadata?}): tensors of one file, metadata of another.
static Napi::Value PackModel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "packModel(options): options object expected");
  const OptionReader o(info[0].As<Napi::Object>(), "packModel");
  PackJob job;
  job.weightsPath = o.String("weightsPath");
  job.metadataPath = o.String("metadataPath");
  job.outPath = o.String("outPath");
  job.storage = StorageOption(o, env, Storage::F16);
  job.extra = Metadata(o);
  const std::string path = job.outPath;
  auto* w = new ModelFileWorker(env, path, [job]() { return PackModelFile(job); });
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

// describeModel(path): what llama.cpp itself reports after loading the file (weights included).
static Napi::Value DescribeModel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "describeModel(path)");
  const std::string path = info[0].As<Napi::String>();
  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = 0;
  llama_model* model = llama_model_load_from_file(path.c_str(), mp);
  if (!model) throw Napi::Error::New(env, path + ": llama.cpp cannot load this model");
  char desc[256];
  llama_model_desc(model, desc, sizeof(desc));
  Napi::Object o = Napi::Object::New(env);
  o.Set("description", std::string(desc));
  o.Set("nParams", Napi::Number::New(env, static_cast<double>(llama_model_n_params(model))));
  o.Set("sizeBytes", Napi::Number::New(env, static_cast<double>(llama_model_size(model))));
  o.Set("nCtxTrain", Napi::Number::New(env, llama_model_n_ctx_train(model)));
  o.Set("nEmbd", Napi::Number::New(env, llama_model_n_embd(model)));
  o.Set("nLayer", Napi::Number::New(env, llama_model_n_layer(model)));
  o.Set("nHead", Napi::Number::New(env, llama_model_n_head(model)));
  o.Set("nVocab", Napi::Number::New(env, llama_vocab_n_tokens(llama_model_get_vocab(model))));
  llama_model_free(model);
  return o;
}

void RegisterModelFactory(Napi::Env env, Napi::Object exports) {
  exports.Set("describeModel", Napi::Function::New(env, DescribeModel, "describeModel"));
  exports.Set("createModel", Napi::Function::New(env, CreateModel, "createModel"));
  exports.Set("packModel", Napi::Function::New(env, PackModel, "packModel"));
}

}  // namespace cwb
