// Owning handles for llama.cpp models and contexts, and the loading steps every addon call repeats:
// load or throw an error that names the file, create a context or throw, apply a thread count.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "llama.h"

namespace cwb {

struct ModelDeleter {
  void operator()(llama_model* m) const { llama_model_free(m); }
};
struct ContextDeleter {
  void operator()(llama_context* c) const { llama_free(c); }
};
using ModelPtr = std::unique_ptr<llama_model, ModelDeleter>;
using ContextPtr = std::unique_ptr<llama_context, ContextDeleter>;

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

/** threads <= 0 keeps llama.cpp's default. */
inline void ApplyThreads(llama_context_params& params, int32_t threads) {
  if (threads <= 0) return;
  params.n_threads = threads;
  params.n_threads_batch = threads;
}

}  // namespace cwb
