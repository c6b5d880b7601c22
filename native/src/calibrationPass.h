// One pass of a model over calibration text with llama.cpp's eval callback attached: the loop that
// block importance (layers.cpp) and channel importance (channelImportance.cpp) share. The text is
// cut into chunks of nCtx tokens (BOS first when the vocabulary adds one), each decoded with every
// row output so the last block sees every token; the worker's abort flag stops it between chunks
// and inside llama_decode.
#pragma once
#include <napi.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "abortHandle.h"
#include "calibrationText.h"
#include "llama.h"
#include "llamaHandles.h"
#include "options.h"

namespace cwb {

struct CalibrationPassJob {
  std::string modelPath;
  std::string textPath;
  int32_t nCtx = 512;
  int32_t nChunks = 16;
  int32_t threads = 0;
  int32_t gpuLayers = 0;  // llama.cpp's n_gpu_layers: negative offloads every layer

  /** {modelPath, textPath, nCtx?, nChunks?, threads?, gpuLayers?}; errors name the call. */
  static CalibrationPassJob Read(Napi::Env env, const OptionReader& o) {
    CalibrationPassJob job;
    job.modelPath = o.String("modelPath");
    job.textPath = o.String("textPath");
    job.nCtx = o.Int("nCtx", job.nCtx);
    job.nChunks = o.Int("nChunks", job.nChunks);
    job.threads = o.Int("threads", job.threads);
    job.gpuLayers = o.Int("gpuLayers", job.gpuLayers);
    if (job.nCtx < 16) throw Napi::RangeError::New(env, o.Call() + ": nCtx must be at least 16");
    return job;
  }
};

class CalibrationPassWorker : public AbortableWorker {
 public:
  using AbortableWorker::AbortableWorker;

 protected:
  /**
   * Loads the model, lets `attach` set the eval callback on the context parameters (it sees the
   * model), then decodes the chunks, calling `afterChunk` after each (to surface a collector's
   * error). Returns the chunks decoded; `seconds` is the pass's wall time.
   */
  int32_t RunPass(const CalibrationPassJob& job, const char* what, const std::function<void(llama_model*, llama_context_params&)>& attach,
                  const std::function<void()>& afterChunk, double* seconds) {
    const auto started = std::chrono::steady_clock::now();
    const std::string text = ReadCalibrationText(job.textPath);
    llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = job.gpuLayers;
    ModelPtr modelHandle = LoadModelOrThrow(job.modelPath, mp);
    llama_model* model = modelHandle.get();

    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = static_cast<uint32_t>(job.nCtx);
    cp.n_batch = static_cast<uint32_t>(job.nCtx);
    cp.n_ubatch = static_cast<uint32_t>(std::min(job.nCtx, 512));
    ApplyThreads(cp, job.threads);
    attach(model, cp);
    AttachAbort(cp);
    ContextPtr ctxHandle = NewContextOrThrow(model, cp, job.modelPath);
    llama_context* ctx = ctxHandle.get();

    const llama_vocab* vocab = llama_model_get_vocab(model);
    const bool addBos = llama_vocab_get_add_bos(vocab);
    const std::vector<llama_token> tokens = TokenizeLikeCommon(vocab, text, true, false);
    const int32_t available = static_cast<int32_t>(tokens.size() / static_cast<size_t>(job.nCtx));
    if (available < 1)
      throw std::runtime_error(job.textPath + ": the text has " + std::to_string(tokens.size()) + " tokens, fewer than one context of " + std::to_string(job.nCtx));
    const int32_t nChunk = job.nChunks > 0 ? std::min(job.nChunks, available) : available;

    BatchHandle batch(job.nCtx);
    int32_t done = 0;
    for (int32_t c = 0; c < nChunk; c++) {
      ThrowIfAborted(what);
      llama_memory_clear(llama_get_memory(ctx), true);
      batch.Clear();
      for (int32_t k = 0; k < job.nCtx; k++) {
        const llama_token token = (addBos && k == 0) ? llama_vocab_bos(vocab) : tokens[static_cast<size_t>(c * job.nCtx + k)];
        batch.Add(token, k, 0, true);
      }
      if (llama_decode(ctx, batch.get()) != 0) {
        ThrowIfAborted(what);
        throw std::runtime_error("llama_decode failed on chunk " + std::to_string(c + 1));
      }
      afterChunk();
      done = c + 1;
      events_.Steps(done, nChunk, "chunk " + std::to_string(done) + "/" + std::to_string(nChunk));
    }
    llama_synchronize(ctx);
    *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return done;
  }
};

}  // namespace cwb
