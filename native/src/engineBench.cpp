// engineBench(options, onEvent?) -> { promise, abort }: prompt processing and token generation measured the way
// llama-bench measures them, on the llama.cpp libraries node-llama-cpp selected for this machine:
//   pp<N>: N random tokens (BOS first where the model wants one) decoded in batches from an empty
//          cache, one untimed warm-up run first;
//   tg<N>: after `depth` random prompt tokens (untimed), N single-token llama_decode calls with
//          logits, llama_synchronize after each, the next token drawn at random (no sampling);
//          one warm-up token first.
// Like llama-bench, the context gets a persistent ggml thread pool; without one (node-llama-cpp's
// contexts) every graph computation starts and joins its own threads, which costs a visible share of
// a small model's token time at 2+ threads. The speed benchmark reports these figures as the
// model's speed and node-llama-cpp's own path next to them.
#include <napi.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "abortHandle.h"
#include "addon.h"
#include "cpuThreadpool.h"
#include "llama.h"
#include "llamaHandles.h"
#include "options.h"
#include "promiseWorker.h"

namespace cwb {

namespace {

struct EngineBenchJob {
  std::string modelPath;
  int32_t threads = 0;
  int32_t contextSize = 0;  // 0: the longest test, as llama-bench sizes it
  int32_t batchSize = 512;
  int32_t gpuLayers = 0;
  llama_flash_attn_type flashAttention = LLAMA_FLASH_ATTN_TYPE_AUTO;
  std::vector<int32_t> promptLengths;
  int32_t depth = 0;
  int32_t tokens = 128;  // 0: no generation test
  int32_t reps = 5;
  uint32_t seed = 0;
};

class EngineBenchWorker : public AbortableWorker {
 public:
  EngineBenchWorker(Napi::Env env, EngineBenchJob job, std::shared_ptr<AbortFlag> abort, Napi::Value onEvent)
      : AbortableWorker(env, onEvent, std::move(abort)), job_(std::move(job)) {}

  Napi::Value Result(Napi::Env env) override {
    auto array = [&](const std::vector<double>& values) {
      Napi::Array a = Napi::Array::New(env, values.size());
      for (size_t i = 0; i < values.size(); i++) a.Set(i, values[i]);
      return a;
    };
    Napi::Object o = Napi::Object::New(env);
    Napi::Array prompt = Napi::Array::New(env, promptSeconds_.size());
    for (size_t i = 0; i < promptSeconds_.size(); i++) {
      Napi::Object p = Napi::Object::New(env);
      p.Set("length", job_.promptLengths[i]);
      p.Set("repSeconds", array(promptSeconds_[i]));
      prompt.Set(i, p);
    }
    o.Set("prompt", prompt);
    o.Set("generation", job_.tokens > 0 ? Napi::Value(array(generationSeconds_)) : env.Null());
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

    int32_t longest = job_.tokens > 0 ? job_.depth + job_.tokens : 0;
    for (int32_t length : job_.promptLengths) longest = std::max(longest, length);
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = static_cast<uint32_t>(job_.contextSize > 0 ? job_.contextSize : longest);
    cp.n_batch = static_cast<uint32_t>(job_.batchSize);
    cp.n_ubatch = static_cast<uint32_t>(job_.batchSize);  // as node-llama-cpp uses it
    cp.flash_attn_type = job_.flashAttention;
    cp.no_perf = true;
    AttachAbort(cp);
    ApplyThreads(cp, job_.threads);
    ContextPtr ctxHandle = NewContextOrThrow(model.get(), cp, job_.modelPath);
    llama_context* ctx = ctxHandle.get();
    contextSize_ = static_cast<int32_t>(llama_n_ctx(ctx));
    if (longest > contextSize_) {
      throw std::runtime_error("engineBench: the longest test needs " + std::to_string(longest) + " tokens but the context holds " +
                               std::to_string(contextSize_));
    }
    threads_ = static_cast<int32_t>(llama_n_threads(ctx));
    CpuThreadpool threadpool(threads_);
    llama_attach_threadpool(ctx, threadpool.get(), nullptr);
    struct Detach {
      llama_context* ctx;
      ~Detach() { llama_detach_threadpool(ctx); }
    } detach{ctx};

    const llama_vocab* vocab = llama_model_get_vocab(model.get());
    const int32_t nVocab = llama_vocab_n_tokens(vocab);
    const bool addBos = llama_vocab_get_add_bos(vocab);
    std::mt19937 random(job_.seed);
    auto randomToken = [&]() { return static_cast<llama_token>(random() % static_cast<uint32_t>(nVocab)); };
    auto decode = [&](std::vector<llama_token>& tokens, const char* what) {
      const int32_t rc = llama_decode(ctx, llama_batch_get_one(tokens.data(), static_cast<int32_t>(tokens.size())));
      ThrowIfAborted("engine benchmark");
      if (rc != 0) throw std::runtime_error(std::string("llama_decode failed (") + std::to_string(rc) + ") during the " + what);
    };
    auto prompt = [&](int32_t length, const char* what) {
      std::vector<llama_token> chunk;
      for (int32_t done = 0; done < length;) {
        const int32_t n = std::min(length - done, job_.batchSize);
        chunk.resize(static_cast<size_t>(n));
        for (int32_t i = 0; i < n; i++) chunk[static_cast<size_t>(i)] = (done == 0 && i == 0 && addBos) ? llama_vocab_bos(vocab) : randomToken();
        decode(chunk, what);
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
    auto seconds = [](std::chrono::steady_clock::time_point since) {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
    };
    auto clear = [&]() { llama_memory_clear(llama_get_memory(ctx), false); };
    const int32_t totalReps = job_.reps * static_cast<int32_t>(job_.promptLengths.size() + (job_.tokens > 0 ? 1 : 0));
    int32_t doneReps = 0;
    auto repDone = [&](const std::string& test, int32_t rep) {
      doneReps++;
      events_.Progress(static_cast<double>(doneReps) / totalReps, test + ": rep " + std::to_string(rep + 1) + "/" + std::to_string(job_.reps));
    };

    for (int32_t length : job_.promptLengths) {
      clear();
      prompt(length, "prompt warm-up");
      std::vector<double> reps;
      for (int32_t rep = 0; rep < job_.reps; rep++) {
        clear();
        const auto t0 = std::chrono::steady_clock::now();
        prompt(length, "prompt");
        reps.push_back(seconds(t0));
        repDone("pp" + std::to_string(length), rep);
      }
      promptSeconds_.push_back(std::move(reps));
    }
    if (job_.tokens > 0) {
      clear();
      generate(1);
      for (int32_t rep = 0; rep < job_.reps; rep++) {
        clear();
        prompt(job_.depth, "depth prompt");
        const auto t0 = std::chrono::steady_clock::now();
        generate(job_.tokens);
        generationSeconds_.push_back(seconds(t0));
        repDone("tg" + std::to_string(job_.tokens), rep);
      }
    }
  }

  EngineBenchJob job_;
  std::vector<std::vector<double>> promptSeconds_;
  std::vector<double> generationSeconds_;
  int32_t contextSize_ = 0;
  int32_t threads_ = 0;
  double loadMs_ = 0;
};

// engineBench({modelPath, threads?, contextSize?, batchSize?, gpuLayers?, flashAttention?, promptLengths?,
//              depth?, tokens?, reps?, seed?}, onEvent?): progress events after every repetition.
Napi::Value EngineBench(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "engineBench(options): options object expected");
  const OptionReader o(info[0].As<Napi::Object>(), "engineBench");
  EngineBenchJob job;
  job.modelPath = o.String("modelPath");
  job.threads = o.Int("threads", 0, 0);
  job.contextSize = o.Int("contextSize", 0, 0);
  job.batchSize = o.Int("batchSize", 512, 1);
  job.gpuLayers = o.Int("gpuLayers", 0, 0);
  job.depth = o.Int("depth", 0, 0);
  job.tokens = o.Int("tokens", 128, 0);
  job.reps = o.Int("reps", 5, 1);
  job.seed = static_cast<uint32_t>(o.Int("seed", 0, 0));
  Napi::Value lengths = o.Raw("promptLengths");
  if (!lengths.IsUndefined()) {
    if (!lengths.IsArray()) throw Napi::TypeError::New(env, "engineBench: promptLengths must be an array of token counts");
    Napi::Array a = lengths.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) {
      Napi::Value v = a.Get(i);
      if (!v.IsNumber() || v.As<Napi::Number>().Int32Value() < 1) throw Napi::RangeError::New(env, "engineBench: every prompt length must be at least 1");
      job.promptLengths.push_back(v.As<Napi::Number>().Int32Value());
    }
  }
  Napi::Value fa = o.Raw("flashAttention");
  if (!fa.IsUndefined()) {
    const std::string mode = fa.IsString() ? fa.As<Napi::String>().Utf8Value() : "";
    if (mode == "auto") job.flashAttention = LLAMA_FLASH_ATTN_TYPE_AUTO;
    else if (mode == "on") job.flashAttention = LLAMA_FLASH_ATTN_TYPE_ENABLED;
    else if (mode == "off") job.flashAttention = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    else throw Napi::TypeError::New(env, "engineBench: flashAttention must be \"auto\", \"on\" or \"off\"");
  }
  if (job.promptLengths.empty() && job.tokens == 0) throw Napi::RangeError::New(env, "engineBench: nothing to measure (no prompt lengths, tokens 0)");

  auto abort = std::make_shared<AbortFlag>();
  auto* worker = new EngineBenchWorker(env, std::move(job), abort, info.Length() > 1 ? info[1] : env.Undefined());
  return QueueAbortable(env, worker, abort);
}

}  // namespace

void RegisterEngineBench(Napi::Env env, Napi::Object exports) {
  exports.Set("engineBench", Napi::Function::New(env, EngineBench, "engineBench"));
}

}  // namespace cwb
