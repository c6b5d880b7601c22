// Per-family metadata and tensors of new models (see modelArchitectures.h). Shapes follow
// llama.cpp's load_arch_tensors of each family; only what a family requires is written.
#include "modelArchitectures.h"

#include <algorithm>
#include <stdexcept>

#include "modelFiles.h"

namespace cwb {

const std::vector<std::string>& KnownArchitectures() {
  static const std::vector<std::string> known = {"llama", "qwen2", "qwen3", "qwen3moe", "gemma2", "gemma3", "phi3"};
  return known;
}

static bool IsGemma(const std::string& arch) { return arch == "gemma2" || arch == "gemma3"; }
static bool HasQkNorm(const std::string& arch) { return arch == "qwen3" || arch == "qwen3moe" || arch == "gemma3"; }

void CheckArchitecture(const ModelSpec& spec) {
  const auto& known = KnownArchitectures();
  if (std::find(known.begin(), known.end(), spec.architecture) == known.end()) {
    std::string list;
    for (const auto& a : known) list += (list.empty() ? "" : ", ") + a;
    throw std::runtime_error("unknown architecture \"" + spec.architecture + "\"; createModel writes " + list);
  }
  if (spec.architecture == "qwen3moe" && (spec.nExpert < 2 || spec.nExpertUsed == 0 || spec.nExpertUsed > spec.nExpert)) {
    throw std::runtime_error("qwen3moe needs nExpert >= 2 and 1 <= nExpertUsed <= nExpert");
  }
  if (!spec.statsTokens.empty() && spec.architecture != "llama") {
    throw std::runtime_error("a bigram start is only written for the llama architecture");
  }
}

void SetArchitectureKeys(gguf_context* meta, const ModelSpec& spec, uint32_t nVocab) {
  const std::string& arch = spec.architecture;
  const uint32_t headDim = spec.nEmbd / spec.nHead;
  auto key = [&](const char* name) { return arch + "." + name; };
  gguf_set_val_u32(meta, key("vocab_size").c_str(), nVocab);
  gguf_set_val_u32(meta, key("context_length").c_str(), spec.nCtx);
  gguf_set_val_u32(meta, key("embedding_length").c_str(), spec.nEmbd);
  gguf_set_val_u32(meta, key("block_count").c_str(), spec.nLayer);
  gguf_set_val_u32(meta, key("feed_forward_length").c_str(), spec.nFf);
  gguf_set_val_u32(meta, key("attention.head_count").c_str(), spec.nHead);
  gguf_set_val_u32(meta, key("attention.head_count_kv").c_str(), spec.nHeadKv);
  gguf_set_val_f32(meta, key("attention.layer_norm_rms_epsilon").c_str(), spec.rmsEps);
  gguf_set_val_u32(meta, key("rope.dimension_count").c_str(), headDim);
  gguf_set_val_f32(meta, key("rope.freq_base").c_str(), spec.ropeFreqBase);
  if (IsGemma(arch)) {
    gguf_set_val_u32(meta, key("attention.key_length").c_str(), headDim);
    gguf_set_val_u32(meta, key("attention.value_length").c_str(), headDim);
    // A window shorter than the test contexts, so the sliding-window layers really slide.
    gguf_set_val_u32(meta, key("attention.sliding_window").c_str(), 128);
    gguf_set_val_f32(meta, key("final_logit_softcapping").c_str(), 30.0f);
    if (arch == "gemma2") gguf_set_val_f32(meta, key("attn_logit_softcapping").c_str(), 50.0f);
    if (arch == "gemma3") gguf_set_val_f32(meta, key("rope.freq_base_swa").c_str(), 10000.0f);
  }
  if (arch == "qwen3moe") {
    gguf_set_val_u32(meta, key("expert_count").c_str(), spec.nExpert);
    gguf_set_val_u32(meta, key("expert_used_count").c_str(), spec.nExpertUsed);
    gguf_set_val_u32(meta, key("expert_feed_forward_length").c_str(), spec.nFf);
  }
}

std::vector<TensorShape> ArchitectureTensors(const ModelSpec& spec, uint32_t nVocab) {
  const std::string& arch = spec.architecture;
  const int64_t nEmbd = spec.nEmbd;
  const int64_t nFf = spec.nFf;
  const int64_t headDim = nEmbd / spec.nHead;
  const int64_t nEmbdKv = headDim * spec.nHeadKv;
  std::vector<TensorShape> out;
  auto add = [&](const std::string& name, int64_t ne0, int64_t ne1 = 0, int64_t ne2 = 1) { out.push_back({name, ne0, ne1, ne2}); };
  add("token_embd.weight", nEmbd, nVocab);
  for (uint32_t il = 0; il < spec.nLayer; il++) {
    const std::string b = "blk." + std::to_string(il) + ".";
    add(b + "attn_norm.weight", nEmbd);
    if (arch == "phi3") {
      add(b + "attn_qkv.weight", nEmbd, nEmbd + 2 * nEmbdKv);  // fused Q, K, V
    } else {
      add(b + "attn_q.weight", nEmbd, nEmbd);
      add(b + "attn_k.weight", nEmbd, nEmbdKv);
      add(b + "attn_v.weight", nEmbd, nEmbdKv);
    }
    if (arch == "qwen2") {
      add(b + "attn_q.bias", nEmbd);
      add(b + "attn_k.bias", nEmbdKv);
      add(b + "attn_v.bias", nEmbdKv);
    }
    if (HasQkNorm(arch)) {
      add(b + "attn_q_norm.weight", headDim);
      add(b + "attn_k_norm.weight", headDim);
    }
    add(b + "attn_output.weight", nEmbd, nEmbd);
    if (IsGemma(arch)) add(b + "post_attention_norm.weight", nEmbd);
    add(b + "ffn_norm.weight", nEmbd);
    if (arch == "phi3") {
      add(b + "ffn_up.weight", nEmbd, 2 * nFf);  // fused gate and up
      add(b + "ffn_down.weight", nFf, nEmbd);
    } else if (arch == "qwen3moe") {
      add(b + "ffn_gate_inp.weight", nEmbd, spec.nExpert);
      add(b + "ffn_gate_exps.weight", nEmbd, nFf, spec.nExpert);
      add(b + "ffn_down_exps.weight", nFf, nEmbd, spec.nExpert);
      add(b + "ffn_up_exps.weight", nEmbd, nFf, spec.nExpert);
    } else {
      add(b + "ffn_gate.weight", nEmbd, nFf);
      add(b + "ffn_down.weight", nFf, nEmbd);
      add(b + "ffn_up.weight", nEmbd, nFf);
    }
    if (IsGemma(arch)) add(b + "post_ffw_norm.weight", nEmbd);
  }
  add("output_norm.weight", nEmbd);
  if (!IsGemma(arch)) add("output.weight", nEmbd, nVocab);  // Gemma ties the output to token_embd
  return out;
}

}  // namespace cwb
