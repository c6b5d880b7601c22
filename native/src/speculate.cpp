// speculate(options, onEvent?) -> { promise, abort }: speculative decoding measured natively. Loads the
// target and the draft once, then for every draft size, prompt and repetition runs one speculative
// generation (speculativeDecode.cpp) and the target alone on the same prompt and token count, each
// timed with a steady clock. Both contexts share one persistent CPU thread pool, as engineBench's
// (and llama-bench's) context has one. Tokens come from JS (the runner tokenizes and checks that the
// vocabularies agree); the caller compares the greedy texts.
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
#include "speculativeDecode.h"

namespace cwb {

namespace {

struct SpeculateJob {
  std::string targetPath;
  std::string draftPath;
  std::vector<std::vector<llama_token>> prompts;
  std::vector<int32_t> draftMaxes;
  SpeculativeSettings settings;  // draftMax set per point
  uint32_t seed = 0;
  int32_t reps = 1;
  int32_t contextSize = 1024;
  int32_t threads = 0;
  int32_t gpuLayers = -2;  // -2: llama.cpp's default
  bool targetAlone = true;
};

struct SpeculateRun {
  int32_t draftMax = 0;
  int32_t prompt = 0;
  int32_t rep = 0;
  SpeculativeOutcome spec;
  bool hasAlone = false;
  AloneOutcome alone;
};

Napi::Int32Array Int32s(Napi::Env env, const std::vector<llama_token>& values) {
  Napi::Int32Array a = Napi::Int32Array::New(env, values.size());
  std::copy(values.begin(), values.end(), a.Data());
  return a;
}

class SpeculateWorker : public AbortableWorker {
 public:
  SpeculateWorker(Napi::Env env, SpeculateJob job, std::shared_ptr<AbortFlag> abort, Napi::Value onEvent)
      : AbortableWorker(env, onEvent, std::move(abort)), job_(std::move(job)) {}

  Napi::Value Result(Napi::Env env) override {
    Napi::Array runs = Napi::Array::New(env, runs_.size());
    for (size_t i = 0; i < runs_.size(); i++) {
      const SpeculateRun& r = runs_[i];
      Napi::Object o = Napi::Object::New(env);
      o.Set("draftMax", r.draftMax);
      o.Set("prompt", r.prompt);
      o.Set("rep", r.rep);
      o.Set("tokens", Int32s(env, r.spec.tokens));
      Napi::Uint8Array mask = Napi::Uint8Array::New(env, r.spec.acceptedMask.size());
      std::copy(r.spec.acceptedMask.begin(), r.spec.acceptedMask.end(), mask.Data());
      o.Set("acceptedMask", mask);
      Napi::Object counts = Napi::Object::New(env);
      counts.Set("drafted", r.spec.drafted);
      counts.Set("accepted", r.spec.accepted);
      counts.Set("rounds", r.spec.rounds);
      counts.Set("generated", r.spec.generated);
      o.Set("counts", counts);
      o.Set("draftSeconds", r.spec.draftSeconds);
      o.Set("targetSeconds", r.spec.targetSeconds);
      o.Set("totalSeconds", r.spec.totalSeconds);
      if (r.hasAlone) {
        Napi::Object alone = Napi::Object::New(env);
        alone.Set("tokens", Int32s(env, r.alone.tokens));
        alone.Set("seconds", r.alone.seconds);
        o.Set("alone", alone);
      } else {
        o.Set("alone", env.Null());
      }
      runs.Set(i, o);
    }
    Napi::Object result = Napi::Object::New(env);
    result.Set("runs", runs);
    result.Set("targetBytes", static_cast<double>(targetBytes_));
    result.Set("draftBytes", static_cast<double>(draftBytes_));
    result.Set("threads", threads_);
    result.Set("contextSize", contextSize_);
    result.Set("loadMs", loadMs_);
    return result;
  }

 private:
  ContextPtr NewContext(llama_model* model, const std::string& path) const {
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = static_cast<uint32_t>(job_.contextSize);
    cp.n_batch = static_cast<uint32_t>(job_.contextSize);  // the prompt goes in one decode, as speculative-simple requires
    cp.n_ubatch = static_cast<uint32_t>(std::min(job_.contextSize, 512));
    cp.n_seq_max = 1;
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_AUTO;
    cp.no_perf = true;
    AttachAbort(cp);
    ApplyThreads(cp, job_.threads);
    return NewContextOrThrow(model, cp, path);
  }

  void Run() override {
    const auto started = std::chrono::steady_clock::now();
    llama_model_params mp = llama_model_default_params();
    if (job_.gpuLayers != -2) mp.n_gpu_layers = job_.gpuLayers;
    ModelPtr target = LoadModelOrThrow(job_.targetPath, mp);
    ModelPtr draft = LoadModelOrThrow(job_.draftPath, mp);
    targetBytes_ = llama_model_size(target.get());
    draftBytes_ = llama_model_size(draft.get());
    const int32_t nVocab = llama_vocab_n_tokens(llama_model_get_vocab(target.get()));
    if (llama_vocab_n_tokens(llama_model_get_vocab(draft.get())) != nVocab) {
      throw std::runtime_error(job_.draftPath + ": the draft's vocabulary size differs from the target's (" + job_.targetPath + ")");
    }
    for (size_t i = 0; i < job_.prompts.size(); i++) {
      const auto& prompt = job_.prompts[i];
      if (prompt.empty()) throw std::runtime_error("speculate: prompt " + std::to_string(i + 1) + " has no tokens");
      for (llama_token token : prompt) {
        if (token < 0 || token >= nVocab) throw std::runtime_error("speculate: prompt " + std::to_string(i + 1) + " holds token " + std::to_string(token) + ", outside the vocabulary");
      }
    }
    ContextPtr targetCtx = NewContext(target.get(), job_.targetPath);
    ContextPtr draftCtx = NewContext(draft.get(), job_.draftPath);
    contextSize_ = static_cast<int32_t>(llama_n_ctx(targetCtx.get()));
    threads_ = static_cast<int32_t>(llama_n_threads(targetCtx.get()));
    CpuThreadpool threadpool(threads_);
    llama_attach_threadpool(targetCtx.get(), threadpool.get(), nullptr);
    llama_attach_threadpool(draftCtx.get(), threadpool.get(), nullptr);
    struct Detach {
      llama_context* a;
      llama_context* b;
      ~Detach() {
        llama_detach_threadpool(a);
        llama_detach_threadpool(b);
      }
    } detach{targetCtx.get(), draftCtx.get()};
    loadMs_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();

    const AbortCheck checkAbort = [this]() { ThrowIfAborted("speculative decoding"); };
    auto clear = [&]() {
      llama_memory_clear(llama_get_memory(targetCtx.get()), true);
      llama_memory_clear(llama_get_memory(draftCtx.get()), true);
    };
    // One untimed generation first, so the first timed repetition does not pay for cold caches and
    // the thread pool's start.
    {
      std::mt19937_64 rng(job_.seed);
      SpeculativeSettings warm = job_.settings;
      warm.draftMax = job_.draftMaxes.front();
      warm.maxTokens = std::min(warm.maxTokens, 4);
      clear();
      SpeculativeGenerate(targetCtx.get(), draftCtx.get(), job_.prompts.front(), warm, rng, checkAbort);
    }

    const int64_t total = static_cast<int64_t>(job_.draftMaxes.size() * job_.prompts.size()) * job_.reps;
    int64_t done = 0;
    for (int32_t draftMax : job_.draftMaxes) {
      SpeculativeSettings settings = job_.settings;
      settings.draftMax = draftMax;
      for (size_t prompt = 0; prompt < job_.prompts.size(); prompt++) {
        for (int32_t rep = 0; rep < job_.reps; rep++) {
          events_.Steps(done, total,
                        "draft size " + std::to_string(draftMax) + ", prompt " + std::to_string(prompt + 1) + "/" + std::to_string(job_.prompts.size()) +
                            ", repetition " + std::to_string(rep + 1) + "/" + std::to_string(job_.reps));
          // Seeded per prompt and repetition (not per draft size): every draft size meets the same draws.
          std::seed_seq specSeed{job_.seed, static_cast<uint32_t>(prompt), static_cast<uint32_t>(rep), 0u};
          std::mt19937_64 specRng(specSeed);
          SpeculateRun run;
          run.draftMax = draftMax;
          run.prompt = static_cast<int32_t>(prompt);
          run.rep = rep;
          clear();
          run.spec = SpeculativeGenerate(targetCtx.get(), draftCtx.get(), job_.prompts[prompt], settings, specRng, checkAbort);
          if (job_.targetAlone) {
            std::seed_seq aloneSeed{job_.seed, static_cast<uint32_t>(prompt), static_cast<uint32_t>(rep), 1u};
            std::mt19937_64 aloneRng(aloneSeed);
            clear();
            run.alone = TargetAlone(targetCtx.get(), job_.prompts[prompt], static_cast<int32_t>(run.spec.tokens.size()), settings.temperature, aloneRng, checkAbort);
            run.hasAlone = true;
          }
          runs_.push_back(std::move(run));
          done++;
        }
      }
    }
    events_.Steps(done, total, "done");
  }

  SpeculateJob job_;
  std::vector<SpeculateRun> runs_;
  uint64_t targetBytes_ = 0;
  uint64_t draftBytes_ = 0;
  int32_t threads_ = 0;
  int32_t contextSize_ = 0;
  double loadMs_ = 0;
};

// speculate({targetPath, draftPath, prompts: Int32Array[], draftMax: number[], maxTokens?, draftMin?, pMin?,
//            temperature?, seed?, reps?, contextSize?, threads?, gpuLayers?, corruptDraftEvery?, targetAlone?}, onEvent?)
Napi::Value Speculate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "speculate(options): options object expected");
  const OptionReader o(info[0].As<Napi::Object>(), "speculate");
  SpeculateJob job;
  job.targetPath = o.String("targetPath");
  job.draftPath = o.String("draftPath");
  Napi::Value prompts = o.Raw("prompts");
  if (!prompts.IsArray() || prompts.As<Napi::Array>().Length() == 0) throw o.TypeError("prompts", "a non-empty array of Int32Array token lists");
  for (uint32_t i = 0; i < prompts.As<Napi::Array>().Length(); i++) {
    Napi::Value p = prompts.As<Napi::Array>().Get(i);
    if (!p.IsTypedArray() || p.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) throw o.TypeError("prompts", "a non-empty array of Int32Array token lists");
    Napi::Int32Array a = p.As<Napi::Int32Array>();
    if (a.ElementLength() == 0) throw Napi::RangeError::New(env, "speculate: prompt " + std::to_string(i + 1) + " has no tokens");
    job.prompts.emplace_back(a.Data(), a.Data() + a.ElementLength());
  }
  Napi::Value sizes = o.Raw("draftMax");
  if (!sizes.IsArray() || sizes.As<Napi::Array>().Length() == 0) throw o.TypeError("draftMax", "a non-empty array of draft sizes");
  for (uint32_t i = 0; i < sizes.As<Napi::Array>().Length(); i++) {
    Napi::Value v = sizes.As<Napi::Array>().Get(i);
    if (!v.IsNumber() || v.As<Napi::Number>().Int32Value() < 1 || v.As<Napi::Number>().Int32Value() > 256) {
      throw Napi::RangeError::New(env, "speculate: every draft size must be within 1..256");
    }
    job.draftMaxes.push_back(v.As<Napi::Number>().Int32Value());
  }
  job.settings.maxTokens = o.Int("maxTokens", 64, 1);
  job.settings.draftMin = o.Int("draftMin", 0, 0, 256);
  const double pMin = o.Number("pMin", 0);
  if (!(pMin >= 0 && pMin <= 1)) throw Napi::RangeError::New(env, "speculate: pMin must be within 0..1");
  job.settings.pMin = static_cast<float>(pMin);
  const double temperature = o.Number("temperature", 0);
  if (!(temperature >= 0 && temperature <= 100)) throw Napi::RangeError::New(env, "speculate: temperature must be within 0..100");
  job.settings.temperature = temperature;
  job.settings.corruptDraftEvery = o.Int("corruptDraftEvery", 0, 0);
  job.seed = o.Count("seed", 0);
  job.reps = o.Int("reps", 1, 1, 1000000);
  job.contextSize = o.Int("contextSize", 1024, 16);
  job.threads = o.Int("threads", 0, 0);
  job.gpuLayers = o.Int("gpuLayers", -2, -2);
  job.targetAlone = o.Bool("targetAlone", true);
  for (const auto& prompt : job.prompts) {
    const int64_t needed = static_cast<int64_t>(prompt.size()) + job.settings.maxTokens + 2 + *std::max_element(job.draftMaxes.begin(), job.draftMaxes.end());
    if (needed > job.contextSize) {
      throw Napi::RangeError::New(env, "speculate: a prompt of " + std::to_string(prompt.size()) + " tokens and " + std::to_string(job.settings.maxTokens) +
                                           " new tokens do not fit in a " + std::to_string(job.contextSize) + "-token context");
    }
  }

  auto abort = std::make_shared<AbortFlag>();
  auto* worker = new SpeculateWorker(env, std::move(job), abort, info.Length() > 1 ? info[1] : env.Undefined());
  return QueueAbortable(env, worker, abort);
}

}  // namespace

void RegisterSpeculate(Napi::Env env, Napi::Object exports) {
  exports.Set("speculate", Napi::Function::New(env, Speculate, "speculate"));
}

}  // namespace cwb
