// A new llama-architecture model file (see modelFiles.h): metadata first, then the tokenizer keys of
// the vocabulary file, then every tensor of the architecture with its starting weights.
#include <stdexcept>
#include <string>
#include <vector>

#include "ggufWriter.h"
#include "llamaHandles.h"
#include "modelFiles.h"
#include "stringMatch.h"
#include "weightInit.h"

namespace cwb {

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
    if (!StartsWith(key, "tokenizer.")) continue;
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

  const GgufPtr vocab = ReadGgufOrThrow(spec.vocabPath, "GGUF vocabulary file");
  // general.* and the architecture keys first, so a reader sees them before the tokenizer.
  GgufPtr meta(gguf_init_empty());
  gguf_set_val_str(meta.get(), "general.architecture", "llama");
  gguf_set_val_str(meta.get(), "general.name", spec.name.c_str());
  gguf_set_val_u32(meta.get(), "general.file_type", FileType(spec.storage));
  gguf_set_val_u32(meta.get(), "general.quantization_version", 2);
  WrittenModel out;
  {
    GgufPtr tok(gguf_init_empty());
    out.nVocab = CopyTokenizer(tok.get(), vocab.get(), spec.nVocab, spec.vocabPath);
    const uint32_t headDim = spec.nEmbd / spec.nHead;
    gguf_set_val_u32(meta.get(), "llama.vocab_size", out.nVocab);
    gguf_set_val_u32(meta.get(), "llama.context_length", spec.nCtx);
    gguf_set_val_u32(meta.get(), "llama.embedding_length", spec.nEmbd);
    gguf_set_val_u32(meta.get(), "llama.block_count", spec.nLayer);
    gguf_set_val_u32(meta.get(), "llama.feed_forward_length", spec.nFf);
    gguf_set_val_u32(meta.get(), "llama.attention.head_count", spec.nHead);
    gguf_set_val_u32(meta.get(), "llama.attention.head_count_kv", spec.nHeadKv);
    gguf_set_val_f32(meta.get(), "llama.attention.layer_norm_rms_epsilon", spec.rmsEps);
    gguf_set_val_u32(meta.get(), "llama.rope.dimension_count", headDim);
    gguf_set_val_f32(meta.get(), "llama.rope.freq_base", spec.ropeFreqBase);
    gguf_set_kv(meta.get(), tok.get());
  }

  const int64_t nEmbdKv = static_cast<int64_t>(spec.nEmbd / spec.nHead) * spec.nHeadKv;
  std::vector<TensorF32> tensors;
  auto add = [&](const std::string& name, int64_t ne0, int64_t ne1) {
    TensorF32 t;
    t.name = name;
    t.ne0 = ne0;
    t.ne1 = ne1 > 0 ? ne1 : 1;
    t.matrix = ne1 > 0;
    InitTensor(t, spec.initStd, spec.nLayer, spec.seed);
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

  out.fileBytes = WriteModelFile(meta.get(), spec.extra, tensors, spec.storage, spec.outPath);
  return out;
}

}  // namespace cwb
