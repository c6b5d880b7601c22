// Owning handles for llama.cpp and ggml objects (models, contexts, batches, GGUF and ggml contexts),
// and the loading steps every addon call repeats: load or throw an error that names the file, create
// a context or throw, apply a thread count, put a token in a batch.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "ggml.h"
#include "gguf.h"
#include "llama.h"

namespace cwb {

struct ModelDeleter {
  void operator()(llama_model* m) const { llama_model_free(m); }
};
struct ContextDeleter {
  void operator()(llama_context* c) const { llama_free(c); }
};
struct GgufDeleter {
  void operator()(gguf_context* g) const { gguf_free(g); }
};
struct GgmlContextDeleter {
  void operator()(ggml_context* c) const { ggml_free(c); }
};
using ModelPtr = std::unique_ptr<llama_model, ModelDeleter>;
using ContextPtr = std::unique_ptr<llama_context, ContextDeleter>;
using GgufPtr = std::unique_ptr<gguf_context, GgufDeleter>;
using GgmlContextPtr = std::unique_ptr<ggml_context, GgmlContextDeleter>;

/** A token batch (one sequence id per token) freed when it goes out of scope. */
class BatchHandle {
 public:
  explicit BatchHandle(int32_t capacity) : batch_(llama_batch_init(capacity, 0, 1)) {}
  ~BatchHandle() { llama_batch_free(batch_); }
  BatchHandle(const BatchHandle&) = delete;
  BatchHandle& operator=(const BatchHandle&) = delete;

  llama_batch& get() { return batch_; }
  void Clear() { batch_.n_tokens = 0; }
  /** Appends one token, as llama.cpp's common_batch_add; returns its index in the batch. */
  int32_t Add(llama_token token, llama_pos pos, llama_seq_id seq, bool output) {
    const int32_t i = batch_.n_tokens++;
    batch_.token[i] = token;
    batch_.pos[i] = pos;
    batch_.n_seq_id[i] = 1;
    batch_.seq_id[i][0] = seq;
    batch_.logits[i] = output ? 1 : 0;
    return i;
  }

 private:
  llama_batch batch_;
};

inline ModelPtr LoadModelOrThrow(const std::string& path, const llama_model_params& params) {
  ModelPtr model(llama_model_load_from_file(path.c_str(), params));
  if (!model) throw std::runtime_error(path + ": llama.cpp cannot load this model (see the log)");
  return model;
}

inline ContextPtr NewContextOrThrow(llama_model* model, const llama_context_params& params, const std::string& modelPath) {
  ContextPtr ctx(llama_init_from_model(model, params));
  if (!ctx) throw std::runtime_error(modelPath + ": cannot create a llama.cpp context of " + std::to_string(params.n_ctx) + " tokens");
  return ctx;
}

/** Reads a GGUF file's header (and, with `data`, its tensors into a new ggml context), or throws naming the file. */
inline GgufPtr ReadGgufOrThrow(const std::string& path, const char* what, ggml_context** data = nullptr) {
  gguf_init_params params = {/*no_alloc=*/data == nullptr, /*ctx=*/data};
  GgufPtr gguf(gguf_init_from_file(path.c_str(), params));
  if (!gguf) throw std::runtime_error(path + ": cannot read this " + what);
  return gguf;
}

/** threads <= 0 keeps llama.cpp's default. */
inline void ApplyThreads(llama_context_params& params, int32_t threads) {
  if (threads <= 0) return;
  params.n_threads = threads;
  params.n_threads_batch = threads;
}

}  // namespace cwb
