// channelImportance(options, onEvent?): how much each FFN channel and each attention head of every
// block carries on calibration text, the ranking width pruning keeps the top of. Read through
// llama.cpp's eval callback (nothing patched):
// - FFN channel j of block i: the root mean square over tokens of the gated hidden state, the input
//   of ffn_down ("ffn_swiglu-i" for llama's SwiGLU, "ffn_gate_par-i" where the product is not fused).
//   A channel that stays near zero adds next to nothing through ffn_down.
// - head h of block i: the mean over tokens of the L2 norm of its attention output, the slice
//   [h*headDim, (h+1)*headDim) of "kqv_out-i", before attn_output mixes the heads.
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "abortHandle.h"
#include "addon.h"
#include "calibrationPass.h"
#include "ggml-backend.h"
#include "ggml.h"
#include "jobEvents.h"
#include "llama.h"
#include "llamaHandles.h"
#include "options.h"
#include "promiseWorker.h"

namespace cwb {

struct ChannelSums {
  std::vector<double> ffnSquares;  // per channel, sum over tokens of a^2
  int64_t ffnTokens = 0;
  std::vector<double> headNorms;  // per head, sum over tokens of |o_h|
  int64_t headTokens = 0;
};

class ChannelCollector {
 public:
  ChannelCollector(int32_t nLayer, int64_t nHead) : layers_(static_cast<size_t>(nLayer)), nHead_(nHead) {}

  static bool Callback(ggml_tensor* t, bool ask, void* ud) { return static_cast<ChannelCollector*>(ud)->Collect(t, ask); }

  const std::vector<ChannelSums>& Layers() const { return layers_; }
  const std::string& Error() const { return error_; }

 private:
  enum class Kind { None, Ffn, Heads };

  // "<prefix>-<layer>" -> layer, else -1
  static int LayerAfter(const char* name, const char* prefix) {
    const size_t n = std::strlen(prefix);
    if (std::strncmp(name, prefix, n) != 0 || name[n] != '-') return -1;
    char* end = nullptr;
    const long v = std::strtol(name + n + 1, &end, 10);
    return (end && *end == '\0' && end != name + n + 1) ? static_cast<int>(v) : -1;
  }

  Kind KindOf(const char* name, int* layer) const {
    for (const char* p : {"ffn_swiglu", "ffn_gate_par"}) {
      *layer = LayerAfter(name, p);
      if (*layer >= 0) return Kind::Ffn;
    }
    *layer = LayerAfter(name, "kqv_out");
    return *layer >= 0 ? Kind::Heads : Kind::None;
  }

  bool Collect(ggml_tensor* t, bool ask) {
    int layer = -1;
    const Kind kind = KindOf(t->name, &layer);
    if (ask) return kind != Kind::None;
    if (kind == Kind::None || layer >= static_cast<int>(layers_.size())) return true;
    std::lock_guard<std::mutex> lock(mutex_);
    if (t->type != GGML_TYPE_F32 || !ggml_is_contiguous(t)) {
      error_ = std::string("unexpected layout of ") + t->name;
      return true;
    }
    const int64_t width = t->ne[0];
    const int64_t rows = ggml_nrows(t);
    values_.resize(static_cast<size_t>(width * rows));
    ggml_backend_tensor_get(t, values_.data(), 0, ggml_nbytes(t));
    ChannelSums& sums = layers_[static_cast<size_t>(layer)];
    if (kind == Kind::Ffn) {
      if (sums.ffnSquares.empty()) sums.ffnSquares.assign(static_cast<size_t>(width), 0.0);
      for (int64_t r = 0; r < rows; r++) {
        const float* a = values_.data() + r * width;
        for (int64_t j = 0; j < width; j++) sums.ffnSquares[static_cast<size_t>(j)] += static_cast<double>(a[j]) * a[j];
      }
      sums.ffnTokens += rows;
    } else {
      if (width % nHead_ != 0) {
        error_ = std::string(t->name) + ": width " + std::to_string(width) + " is not a multiple of " + std::to_string(nHead_) + " heads";
        return true;
      }
      const int64_t headDim = width / nHead_;
      if (sums.headNorms.empty()) sums.headNorms.assign(static_cast<size_t>(nHead_), 0.0);
      for (int64_t r = 0; r < rows; r++) {
        const float* o = values_.data() + r * width;
        for (int64_t h = 0; h < nHead_; h++) {
          double sq = 0;
          for (int64_t k = h * headDim; k < (h + 1) * headDim; k++) sq += static_cast<double>(o[k]) * o[k];
          sums.headNorms[static_cast<size_t>(h)] += std::sqrt(sq);
        }
      }
      sums.headTokens += rows;
    }
    return true;
  }

  std::mutex mutex_;
  std::vector<ChannelSums> layers_;
  int64_t nHead_;
  std::vector<float> values_;
  std::string error_;
};

static Napi::Float64Array ToFloat64Array(Napi::Env env, const std::vector<double>& sums, int64_t count, bool rootOfMean) {
  Napi::Float64Array a = Napi::Float64Array::New(env, sums.size());
  for (size_t i = 0; i < sums.size(); i++) {
    const double mean = count > 0 ? sums[i] / static_cast<double>(count) : 0.0;
    a[i] = rootOfMean ? std::sqrt(mean) : mean;
  }
  return a;
}

class ChannelWorker : public CalibrationPassWorker {
 public:
  ChannelWorker(Napi::Env env, CalibrationPassJob job, Napi::Value onEvent, std::shared_ptr<AbortFlag> abort)
      : CalibrationPassWorker(env, onEvent, std::move(abort)), job_(std::move(job)) {}
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    Napi::Array layers = Napi::Array::New(env, layers_.size());
    for (size_t i = 0; i < layers_.size(); i++) {
      const ChannelSums& s = layers_[i];
      Napi::Object l = Napi::Object::New(env);
      l.Set("layer", static_cast<double>(i));
      l.Set("ffn", ToFloat64Array(env, s.ffnSquares, s.ffnTokens, true));
      l.Set("heads", ToFloat64Array(env, s.headNorms, s.headTokens, false));
      layers.Set(i, l);
    }
    o.Set("layers", layers);
    o.Set("headCount", static_cast<double>(nHead_));
    o.Set("headCountKv", static_cast<double>(nHeadKv_));
    o.Set("chunks", chunks_);
    o.Set("tokens", static_cast<double>(tokens_));
    o.Set("seconds", seconds_);
    return o;
  }

 private:
  void Run() override {
    std::unique_ptr<ChannelCollector> collector;
    chunks_ = RunPass(
        job_, "channel importance",
        [&](llama_model* model, llama_context_params& cp) {
          nHead_ = llama_model_n_head(model);
          nHeadKv_ = llama_model_n_head_kv(model);
          if (nHead_ <= 0) throw std::runtime_error(job_.modelPath + ": the model has no attention heads");
          collector = std::make_unique<ChannelCollector>(llama_model_n_layer(model), nHead_);
          cp.cb_eval = &ChannelCollector::Callback;
          cp.cb_eval_user_data = collector.get();
        },
        [&] {
          if (!collector->Error().empty()) throw std::runtime_error(collector->Error());
        },
        &seconds_);
    layers_ = collector->Layers();
    for (size_t i = 0; i < layers_.size(); i++) {
      if (layers_[i].ffnTokens == 0 || layers_[i].headTokens == 0)
        throw std::runtime_error(job_.modelPath + ": block " + std::to_string(i) + " showed no gated FFN state or attention output; channel importance is not supported for this architecture");
    }
    tokens_ = layers_.empty() ? 0 : layers_[0].ffnTokens;
  }

  CalibrationPassJob job_;
  std::vector<ChannelSums> layers_;
  int64_t nHead_ = 0, nHeadKv_ = 0;
  int32_t chunks_ = 0;
  int64_t tokens_ = 0;
  double seconds_ = 0;
};

// channelImportance({modelPath, textPath, nCtx?, nChunks?, threads?, gpuLayers?}, onEvent?) -> { promise, abort }
static Napi::Value ChannelImportance(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "channelImportance(options, onEvent?): options object expected");
  const OptionReader o(info[0].As<Napi::Object>(), "channelImportance");
  CalibrationPassJob job = CalibrationPassJob::Read(env, o);
  auto abort = std::make_shared<AbortFlag>();
  auto* worker = new ChannelWorker(env, std::move(job), info.Length() > 1 ? info[1] : env.Undefined(), abort);
  return QueueAbortable(env, worker, abort);
}

void RegisterChannelImportance(Napi::Env env, Napi::Object exports) {
  exports.Set("channelImportance", Napi::Function::New(env, ChannelImportance, "channelImportance"));
}

}  // namespace cwb
