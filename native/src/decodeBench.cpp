// decodeBench(options) -> { promise, abort }: token-generation throughput measured the way llama-bench
// measures "tg": one token per llama_decode with its logits computed, llama_synchronize after each,
// the next input token drawn at random (no sampling), after `depth` random prompt tokens that are not
// timed. The worker loads the model on the llama.cpp libraries node-llama-cpp selected for this machine,
// so the figure is the model's own decode speed on this build, free of any per-token round trip through
// JS. The speed benchmark reports it next to node-llama-cpp's end-to-end greedy generation.
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "addon.h"
#include "llama.h"
#include "llamaHandles.h"
#include "promiseWorker.h"

namespace cwb {

namespace {

struct DecodeBenchJob {
  std::string modelPath;
  int32_t threads = 0;
  int32_t contextSize = 0;  // 0: depth + tokens, as llama-bench sizes it
  int32_t batchSize = 512;
  int32_t gpuLayers = 0;
  llama_flash_attn_type flashAttention = LLAMA_FLASH_ATTN_TYPE_AUTO;
  int32_t depth = 0;
  int32_t tokens = 128;
  int32_t reps = 5;
  uint32_t seed = 0;
};

struct AbortFlag {
  std::atomic<bool> set{false};
};

bool AbortRequested(void* data) { return static_cast<AbortFlag*>(data)->set.load(); }

class DecodeBenchWorker : public PromiseWorker {
 public:
  DecodeBenchWorker(Napi::Env env, DecodeBenchJob job, std::shared_ptr<AbortFlag> abort)
      : PromiseWorker(env), job_(std::move(job)), abort_(std::move(abort)) {}

  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    Napi::Array reps = Napi::Array::New(env, repSeconds_.size());
    for (size_t i = 0; i < repSeconds_.size(); i++) reps.Set(i, repSeconds_[i]);
    o.Set("repSeconds", reps);
    Napi::Array depth = Napi::Array::New(env, depthSeconds_.size());
    for (size_t i = 0; i < depthSeconds_.size(); i++) depth.Set(i, depthSeconds_[i]);
    o.Set("depthSeconds", depth);
    o.Set("tokens", job_.tokens);
    o.Set("depth", job_.depth);
    o.Set("contextSize", contextSize_);
    o.Set("threads", threads_);
    o.Set("loadMs", loadMs_);
    return o;
  }

 private:
  void Run() override {
    auto started = std::chrono::steady_clock::now();
    llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = job_.gpuLayers;
    ModelPtr model = LoadModelOrThrow(job_.modelPath, mp);
    loadMs_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();

    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = static_cast<uint32_t>(job_.contextSize > 0 ? job_.contextSize : job_.depth + job_.tokens);
    cp.n_batch = static_cast<uint32_t>(job_.batchSize);
    cp.n_ubatch = static_cast<uint32_t>(job_.batchSize);  // as node-llama-cpp and our pp runs use it
    cp.flash_attn_type = job_.flashAttention;
    cp.no_perf = true;
    cp.abort_callback = AbortRequested;
    cp.abort_callback_data = abort_.get();
    ApplyThreads(cp, job_.threads);
    ContextPtr ctxHandle = NewContextOrThrow(model.get(), cp, job_.modelPath);
    llama_context* ctx = ctxHandle.get();
    contextSize_ = static_cast<int32_t>(llama_n_ctx(ctx));
    if (job_.depth + job_.tokens > contextSize_) {
      throw std::runtime_error("decodeBench: depth " + std::to_string(job_.depth) + " + " + std::to_string(job_.tokens) +
                               " tokens do not fit the context of " + std::to_string(contextSize_));
    }
    threads_ = static_cast<int32_t>(llama_n_threads(ctx));


    const llama_vocab* vocab = llama_model_get_vocab(model.get());
    const int32_t nVocab = llama_vocab_n_tokens(vocab);
    const bool addBos = llama_vocab_get_add_bos(vocab);
    std::mt19937 random(job_.seed);
    auto randomToken = [&]() { return static_cast<llama_token>(random() % static_cast<uint32_t>(nVocab)); };
    auto decode = [&](std::vector<llama_token>& tokens, const char* what) {
      const int32_t rc = llama_decode(ctx, llama_batch_get_one(tokens.data(), static_cast<int32_t>(tokens.size())));
      if (abort_->set.load()) throw std::runtime_error("decode benchmark aborted");
      if (rc != 0) throw std::runtime_error(std::string("llama_decode failed (") + std::to_string(rc) + ") during the " + what);
    };
    // Untimed: fills the KV cache up to `depth` with random tokens, BOS first where the model wants one.
    auto fillDepth = [&]() {
      std::vector<llama_token> chunk;
      for (int32_t done = 0; done < job_.depth;) {
        const int32_t n = std::min(job_.depth - done, job_.batchSize);
        chunk.resize(static_cast<size_t>(n));
        for (int32_t i = 0; i < n; i++) chunk[static_cast<size_t>(i)] = (done == 0 && i == 0 && addBos) ? llama_vocab_bos(vocab) : randomToken();
        decode(chunk, "depth prompt");
        done += n;
      }
      llama_synchronize(ctx);
    };
    auto generate = [&](int32_t count) {
      std::vector<llama_token> one{addBos ? llama_vocab_bos(vocab) : randomToken()};
      for (int32_t i = 0; i < count; i++) {
        decode(one, "generation");
        llama_synchronize(ctx);
        one[0] = randomToken();
      }
    };

    // One warm-up token, as llama-bench does before its repetitions.
    generate(1);
    for (int32_t rep = 0; rep < job_.reps; rep++) {
      llama_memory_clear(llama_get_memory(ctx), false);
      const auto p0 = std::chrono::steady_clock::now();
      fillDepth();
      depthSeconds_.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - p0).count());
      const auto t0 = std::chrono::steady_clock::now();
      generate(job_.tokens);
      repSeconds_.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
  }

  DecodeBenchJob job_;
  std::shared_ptr<AbortFlag> abort_;
  std::vector<double> repSeconds_;
  std::vector<double> depthSeconds_;
  int32_t contextSize_ = 0;
  int32_t threads_ = 0;
  double loadMs_ = 0;
};

int32_t IntOption(Napi::Object o, const char* key, int32_t fallback, int32_t min) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("decodeBench: ") + key + " must be a number");
  const int32_t n = v.As<Napi::Number>().Int32Value();
  if (n < min) throw Napi::RangeError::New(o.Env(), std::string("decodeBench: ") + key + " must be at least " + std::to_string(min));
  return n;
}

// decodeBench({modelPath, threads?, contextSize?, batchSize?, gpuLayers?, flashAttention?, depth?, tokens?, reps?, seed?})
Napi::Value DecodeBench(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "decodeBench(options): options object expected");
  Napi::Object o = info[0].As<Napi::Object>();
  if (!o.Get("modelPath").IsString()) throw Napi::TypeError::New(env, "decodeBench: modelPath must be a string");
  DecodeBenchJob job;
  job.modelPath = o.Get("modelPath").As<Napi::String>();
  job.threads = IntOption(o, "threads", 0, 0);
  job.contextSize = IntOption(o, "contextSize", 0, 0);
  job.batchSize = IntOption(o, "batchSize", 512, 1);
  job.gpuLayers = IntOption(o, "gpuLayers", 0, 0);
  job.depth = IntOption(o, "depth", 0, 0);
  job.tokens = IntOption(o, "tokens", 128, 1);
  job.reps = IntOption(o, "reps", 5, 1);
  job.seed = static_cast<uint32_t>(IntOption(o, "seed", 0, 0));
  Napi::Value fa = o.Get("flashAttention");
  if (!fa.IsUndefined()) {
    const std::string mode = fa.IsString() ? fa.As<Napi::String>().Utf8Value() : "";
    if (mode == "auto") job.flashAttention = LLAMA_FLASH_ATTN_TYPE_AUTO;
    else if (mode == "on") job.flashAttention = LLAMA_FLASH_ATTN_TYPE_ENABLED;
    else if (mode == "off") job.flashAttention = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    else throw Napi::TypeError::New(env, "decodeBench: flashAttention must be \"auto\", \"on\" or \"off\"");
  }

  auto abort = std::make_shared<AbortFlag>();
  auto* worker = new DecodeBenchWorker(env, std::move(job), abort);
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("promise", worker->Promise());
  handle.Set("abort", Napi::Function::New(env, [abort](const Napi::CallbackInfo& cb) {
    abort->set.store(true);
    return cb.Env().Undefined();
  }, "abort"));
  worker->Queue();
  return handle;
}

}  // namespace

void RegisterDecodeBench(Napi::Env env, Napi::Object exports) {
  exports.Set("decodeBench", Napi::Function::New(env, DecodeBench, "decodeBench"));
}

}  // namespace cwb
