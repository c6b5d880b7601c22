// A new model file (see modelFiles.h): metadata first, then the tokenizer keys of the vocabulary
// file, then every tensor of the architecture (modelArchitectures.h) with its starting weights.
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

#include "ggufWriter.h"
#include "llamaHandles.h"
#include "modelArchitectures.h"
#include "modelFiles.h"
#include "stringMatch.h"
#include "weightInit.h"

namespace cwb {

// The BPE merges "a b" whose two parts and result are all among the first nVocab pieces: the merges
// a tokenizer cut to those pieces can still apply (a merge producing a missing piece would make
// llama.cpp look up a token that is not there).
static std::vector<std::string> KeptMerges(const gguf_context* src, int64_t tokensKey, int64_t mergesKey, uint32_t nVocab) {
  std::unordered_set<std::string> kept;
  for (uint32_t i = 0; i < nVocab; i++) kept.insert(gguf_get_arr_str(src, tokensKey, i));
  std::vector<std::string> out;
  const size_t n = gguf_get_arr_n(src, mergesKey);
  for (size_t j = 0; j < n; j++) {
    const std::string merge = gguf_get_arr_str(src, mergesKey, j);
    const size_t space = merge.find(' ', 1);
    if (space == std::string::npos) continue;
    const std::string left = merge.substr(0, space), right = merge.substr(space + 1);
    if (kept.count(left) && kept.count(right) && kept.count(left + right)) out.push_back(merge);
  }
  return out;
}

// Copies tokenizer.* keys of the vocabulary file, cutting the per-piece arrays to nVocab entries
// (and the BPE merges to those that stay applicable).
static uint32_t CopyTokenizer(gguf_context* dst, const gguf_context* src, uint32_t nVocab, const std::string& path) {
  const int64_t tokensKey = gguf_find_key(src, "tokenizer.ggml.tokens");
  if (tokensKey < 0) throw std::runtime_error(path + ": no tokenizer.ggml.tokens in this file");
  const uint32_t available = static_cast<uint32_t>(gguf_get_arr_n(src, tokensKey));
  if (nVocab == 0 || nVocab > available) nVocab = available;
  const int64_t mergesKey = gguf_find_key(src, "tokenizer.ggml.merges");
  if (mergesKey >= 0 && nVocab < available) {
    const std::vector<std::string> merges = KeptMerges(src, tokensKey, mergesKey, nVocab);
    if (merges.empty()) throw std::runtime_error(path + ": no BPE merge survives cutting the vocabulary to " + std::to_string(nVocab) + " pieces");
    std::vector<const char*> strs(merges.size());
    for (size_t j = 0; j < merges.size(); j++) strs[j] = merges[j].c_str();
    gguf_set_arr_str(dst, "tokenizer.ggml.merges", strs.data(), strs.size());
  }
  const int64_t nKv = gguf_get_n_kv(src);
  for (int64_t i = 0; i < nKv; i++) {
    const std::string key = gguf_get_key(src, i);
    if (!StartsWith(key, "tokenizer.")) continue;
    if (i == mergesKey && nVocab < available) continue;  // already cut above
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

WrittenModel CreateModelFile(const ModelSpec& spec) {
  if (spec.nEmbd % spec.nHead != 0) throw std::runtime_error("nEmbd must be a multiple of nHead");
  if (spec.nHead % spec.nHeadKv != 0) throw std::runtime_error("nHead must be a multiple of nHeadKv");
  CheckArchitecture(spec);

  const GgufPtr vocab = ReadGgufOrThrow(spec.vocabPath, "GGUF vocabulary file");
  // general.* and the architecture keys first, so a reader sees them before the tokenizer.
  GgufPtr meta(gguf_init_empty());
  gguf_set_val_str(meta.get(), "general.architecture", spec.architecture.c_str());
  gguf_set_val_str(meta.get(), "general.name", spec.name.c_str());
  gguf_set_val_u32(meta.get(), "general.file_type", FileType(spec.storage));
  gguf_set_val_u32(meta.get(), "general.quantization_version", 2);
  WrittenModel out;
  {
    GgufPtr tok(gguf_init_empty());
    out.nVocab = CopyTokenizer(tok.get(), vocab.get(), spec.nVocab, spec.vocabPath);
    SetArchitectureKeys(meta.get(), spec, out.nVocab);
    gguf_set_kv(meta.get(), tok.get());
  }

  std::vector<TensorF32> tensors;
  for (const TensorShape& shape : ArchitectureTensors(spec, out.nVocab)) {
    TensorF32 t;
    t.name = shape.name;
    t.ne0 = shape.ne0;
    t.ne1 = shape.ne1 > 0 ? shape.ne1 : 1;
    t.ne2 = shape.ne2;
    t.matrix = shape.ne1 > 0;
    InitTensor(t, spec.initStd, spec.nLayer, spec.seed);
    out.nParams += t.data.size();
    tensors.push_back(std::move(t));
  }
  if (!spec.statsTokens.empty()) BigramStart(tensors.front(), tensors.back(), spec.statsTokens, spec.bigramPrior, spec.rmsEps, spec.seed);

  out.fileBytes = WriteModelFile(meta.get(), spec.extra, tensors, spec.storage, spec.outPath);
  return out;
}

}  // namespace cwb
