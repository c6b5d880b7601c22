// layerImportance(options, onEvent?): how much each transformer block changes the residual stream on
// calibration text. For block i the input is the hidden state entering it (the "embd" tensor for
// block 0, "l_out-(i-1)" after) and the output is "l_out-i"; the importance is 1 - cosine similarity
// of the two, averaged over every token. Blocks that barely turn the hidden state are the cheapest
// to drop. The states are read through the eval callback, so nothing in llama.cpp is patched.
#include <napi.h>

#include <cmath>
#include <cstdio>
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
#include "gguf.h"
#include "jobEvents.h"
#include "llama.h"
#include "llamaHandles.h"
#include "options.h"
#include "partialFile.h"
#include "promiseWorker.h"
#include "stringMatch.h"

namespace cwb {

struct LayerAccumulator {
  double sumOneMinusCos = 0;
  double sumRelativeChange = 0;  // |out - in| / |in|
  int64_t tokens = 0;
};

class HiddenStateCollector {
 public:
  explicit HiddenStateCollector(int32_t nLayer) : layers_(static_cast<size_t>(nLayer)) {}

  static bool Callback(ggml_tensor* t, bool ask, void* ud) { return static_cast<HiddenStateCollector*>(ud)->Collect(t, ask); }

  const std::vector<LayerAccumulator>& Layers() const { return layers_; }
  bool SawEmbedding() const { return sawEmbd_; }
  const std::string& Error() const { return error_; }

 private:
  static int LayerOf(const char* name) {
    if (std::strncmp(name, "l_out-", 6) != 0) return -1;
    char* end = nullptr;
    long v = std::strtol(name + 6, &end, 10);
    return (end && *end == '\0') ? static_cast<int>(v) : -1;
  }

  bool Collect(ggml_tensor* t, bool ask) {
    const bool isEmbd = std::strcmp(t->name, "embd") == 0;
    const int layer = LayerOf(t->name);
    if (ask) return isEmbd || layer >= 0;
    if (!isEmbd && layer < 0) return true;
    std::lock_guard<std::mutex> lock(mutex_);
    if (t->type != GGML_TYPE_F32 || !ggml_is_contiguous(t)) {
      error_ = std::string("unexpected layout of hidden state ") + t->name;
      return true;
    }
    const int64_t width = t->ne[0];
    const int64_t rows = ggml_nrows(t);
    current_.resize(static_cast<size_t>(width * rows));
    ggml_backend_tensor_get(t, current_.data(), 0, ggml_nbytes(t));
    if (isEmbd) {
      sawEmbd_ = true;
      prevLayer_ = -1;
    } else if (layer == prevLayer_ + 1 && layer < static_cast<int>(layers_.size()) && prevRows_ == rows && prevWidth_ == width) {
      LayerAccumulator& acc = layers_[static_cast<size_t>(layer)];
      for (int64_t r = 0; r < rows; r++) {
        const float* a = prev_.data() + r * width;
        const float* b = current_.data() + r * width;
        double dot = 0, na = 0, nb = 0, nd = 0;
        for (int64_t j = 0; j < width; j++) {
          dot += static_cast<double>(a[j]) * b[j];
          na += static_cast<double>(a[j]) * a[j];
          nb += static_cast<double>(b[j]) * b[j];
          const double d = static_cast<double>(b[j]) - a[j];
          nd += d * d;
        }
        const double denom = std::sqrt(na) * std::sqrt(nb);
        const double cos = denom > 0 ? dot / denom : 1.0;
        acc.sumOneMinusCos += 1.0 - cos;
        acc.sumRelativeChange += na > 0 ? std::sqrt(nd / na) : 0.0;
        acc.tokens++;
      }
      prevLayer_ = layer;
    } else {
      // A state we cannot pair (e.g. rows filtered): start over from here.
      prevLayer_ = layer;
    }
    prev_.swap(current_);
    prevRows_ = rows;
    prevWidth_ = width;
    return true;
  }

  std::mutex mutex_;
  std::vector<LayerAccumulator> layers_;
  std::vector<float> prev_, current_;
  int64_t prevRows_ = 0, prevWidth_ = 0;
  int prevLayer_ = -2;
  bool sawEmbd_ = false;
  std::string error_;
};

class LayersWorker : public CalibrationPassWorker {
 public:
  LayersWorker(Napi::Env env, CalibrationPassJob job, Napi::Value onEvent, std::shared_ptr<AbortFlag> abort)
      : CalibrationPassWorker(env, onEvent, std::move(abort)), job_(std::move(job)) {}
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    Napi::Array layers = Napi::Array::New(env, layers_.size());
    for (size_t i = 0; i < layers_.size(); i++) {
      const LayerAccumulator& a = layers_[i];
      Napi::Object l = Napi::Object::New(env);
      l.Set("layer", static_cast<double>(i));
      l.Set("importance", a.tokens > 0 ? a.sumOneMinusCos / static_cast<double>(a.tokens) : 0.0);
      l.Set("relativeChange", a.tokens > 0 ? a.sumRelativeChange / static_cast<double>(a.tokens) : 0.0);
      l.Set("tokens", static_cast<double>(a.tokens));
      layers.Set(i, l);
    }
    o.Set("layers", layers);
    o.Set("chunks", chunks_);
    o.Set("tokens", static_cast<double>(tokensScored_));
    o.Set("seconds", seconds_);
    return o;
  }

 private:
  void Run() override {
    std::unique_ptr<HiddenStateCollector> collector;
    // Every row stays in the last block, so its input and output pair up.
    chunks_ = RunPass(
        job_, "layer importance",
        [&](llama_model* model, llama_context_params& cp) {
          collector = std::make_unique<HiddenStateCollector>(llama_model_n_layer(model));
          cp.cb_eval = &HiddenStateCollector::Callback;
          cp.cb_eval_user_data = collector.get();
        },
        [&] {
          if (!collector->Error().empty()) throw std::runtime_error(collector->Error());
        },
        &seconds_);
    if (!collector->SawEmbedding()) throw std::runtime_error(job_.modelPath + ": this architecture does not name its hidden states embd / l_out-N; layer importance is not supported for it");
    layers_ = collector->Layers();
    for (const auto& l : layers_) {
      if (l.tokens == 0) throw std::runtime_error(job_.modelPath + ": some blocks produced no paired hidden states; layer importance is not supported for this architecture");
    }
    tokensScored_ = layers_.empty() ? 0 : layers_[0].tokens;
  }

  CalibrationPassJob job_;
  std::vector<LayerAccumulator> layers_;
  int32_t chunks_ = 0;
  int64_t tokensScored_ = 0;
  double seconds_ = 0;
};

// layerImportance({modelPath, textPath, nCtx?, nChunks?, threads?, gpuLayers?}, onEvent?) -> { promise, abort }
static Napi::Value LayerImportance(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "layerImportance(options, onEvent?): options object expected");
  const OptionReader o(info[0].As<Napi::Object>(), "layerImportance");
  CalibrationPassJob job = CalibrationPassJob::Read(env, o);
  auto abort = std::make_shared<AbortFlag>();
  auto* worker = new LayersWorker(env, std::move(job), info.Length() > 1 ? info[1] : env.Undefined(), abort);
  return QueueAbortable(env, worker, abort);
}

// After llama_model_quantize's prune_layers: block_count is updated but per-layer metadata arrays
// (e.g. llama.feed_forward_length or head_count stored per block) keep their old length. This drops
// the pruned entries from every "<arch>.*" array whose length equals the old block count, rewriting
// only the header: tensor infos and the data section are unchanged, so the data is copied as bytes.
struct LayerArraysJob {
  std::string inPath;
  std::string outPath;
  uint32_t oldBlockCount = 0;
  std::vector<int32_t> dropped;
};

static size_t GgufScalarSize(gguf_type type) {
  switch (type) {
    case GGUF_TYPE_UINT8: case GGUF_TYPE_INT8: case GGUF_TYPE_BOOL: return 1;
    case GGUF_TYPE_UINT16: case GGUF_TYPE_INT16: return 2;
    case GGUF_TYPE_UINT32: case GGUF_TYPE_INT32: case GGUF_TYPE_FLOAT32: return 4;
    case GGUF_TYPE_UINT64: case GGUF_TYPE_INT64: case GGUF_TYPE_FLOAT64: return 8;
    default: throw std::runtime_error("unsupported GGUF array element type");
  }
}

class FixLayerArraysWorker : public PromiseWorker {
 public:
  FixLayerArraysWorker(Napi::Env env, LayerArraysJob job) : PromiseWorker(env), job_(std::move(job)) {}
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    Napi::Array keys = Napi::Array::New(env, keys_.size());
    for (size_t i = 0; i < keys_.size(); i++) keys.Set(i, keys_[i]);
    o.Set("keys", keys);
    o.Set("written", !keys_.empty());
    return o;
  }

 private:
  void Run() override {
    const GgufPtr handle = ReadGgufOrThrow(job_.inPath, "GGUF file");
    gguf_context* gguf = handle.get();
    const int64_t archKey = gguf_find_key(gguf, "general.architecture");
    if (archKey < 0) throw std::runtime_error(job_.inPath + ": no general.architecture");
    const std::string prefix = std::string(gguf_get_val_str(gguf, archKey)) + ".";
    std::vector<bool> drop(job_.oldBlockCount, false);
    for (int32_t d : job_.dropped) {
      if (d < 0 || static_cast<uint32_t>(d) >= job_.oldBlockCount) throw std::runtime_error("dropped block " + std::to_string(d) + " is out of range");
      drop[static_cast<size_t>(d)] = true;
    }
    std::vector<std::string> fix;
    for (int64_t i = 0; i < gguf_get_n_kv(gguf); i++) {
      const std::string key = gguf_get_key(gguf, i);
      if (!StartsWith(key, prefix) || gguf_get_kv_type(gguf, i) != GGUF_TYPE_ARRAY) continue;
      if (gguf_get_arr_n(gguf, i) != job_.oldBlockCount) continue;
      fix.push_back(key);
    }
    if (fix.empty()) return;
    for (const auto& key : fix) {
      const int64_t id = gguf_find_key(gguf, key.c_str());
      const gguf_type type = gguf_get_arr_type(gguf, id);
      if (type == GGUF_TYPE_STRING) {
        std::vector<std::string> kept;
        for (uint32_t j = 0; j < job_.oldBlockCount; j++)
          if (!drop[j]) kept.emplace_back(gguf_get_arr_str(gguf, id, j));
        std::vector<const char*> ptrs;
        for (const auto& s : kept) ptrs.push_back(s.c_str());
        gguf_set_arr_str(gguf, key.c_str(), ptrs.data(), ptrs.size());
      } else {
        const size_t elem = GgufScalarSize(type);
        const char* src = static_cast<const char*>(gguf_get_arr_data(gguf, id));
        std::vector<char> kept;
        for (uint32_t j = 0; j < job_.oldBlockCount; j++)
          if (!drop[j]) kept.insert(kept.end(), src + j * elem, src + (j + 1) * elem);
        gguf_set_arr_data(gguf, key.c_str(), type, kept.data(), kept.size() / elem);
      }
    }
    const size_t dataOffset = gguf_get_data_offset(gguf);
    std::vector<char> meta(gguf_get_meta_size(gguf));
    gguf_get_meta_data(gguf, meta.data());

    // Header rewritten, data section copied as bytes; outPath may be inPath, hence the partial file.
    PartialFile file(job_.outPath);
    {
      FilePtr in(std::fopen(job_.inPath.c_str(), "rb"));
      if (!in) throw std::runtime_error(job_.inPath + ": cannot open");
      FilePtr out(std::fopen(file.Path().c_str(), "wb"));
      if (!out) throw std::runtime_error(file.Path() + ": cannot create");
      bool ok = std::fwrite(meta.data(), 1, meta.size(), out.get()) == meta.size() && std::fseek(in.get(), static_cast<long>(dataOffset), SEEK_SET) == 0;
      std::vector<char> buf(1 << 20);
      while (ok) {
        const size_t n = std::fread(buf.data(), 1, buf.size(), in.get());
        if (n == 0) break;
        ok = std::fwrite(buf.data(), 1, n, out.get()) == n;
      }
      ok = ok && !std::ferror(in.get());
      ok = CloseChecked(out) && ok;
      if (!ok) throw std::runtime_error(job_.outPath + ": cannot write the model with fixed per-layer metadata");
    }
    if (!file.Commit()) throw std::runtime_error(job_.outPath + ": cannot write the model with fixed per-layer metadata");
    keys_ = fix;
  }

  LayerArraysJob job_;
  std::vector<std::string> keys_;
};

// fixLayerArrays(inPath, outPath, {oldBlockCount, dropped}): resolves {keys, written}; writes outPath
// only when some array needed fixing (outPath may equal inPath: written through a temp file).
static Napi::Value FixLayerArrays(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsString() || !info[2].IsObject()) {
    throw Napi::TypeError::New(env, "fixLayerArrays(inPath, outPath, {oldBlockCount, dropped})");
  }
  const OptionReader o(info[2].As<Napi::Object>(), "fixLayerArrays");
  LayerArraysJob job;
  job.inPath = info[0].As<Napi::String>();
  job.outPath = info[1].As<Napi::String>();
  if (!o.Has("oldBlockCount")) throw o.TypeError("oldBlockCount", "a block count");
  job.oldBlockCount = o.Count("oldBlockCount", 0);
  if (!o.Raw("dropped").IsArray()) throw o.TypeError("dropped", "an array of block indices");
  Napi::Array d = o.Raw("dropped").As<Napi::Array>();
  for (uint32_t i = 0; i < d.Length(); i++) job.dropped.push_back(d.Get(i).As<Napi::Number>().Int32Value());
  auto* worker = new FixLayerArraysWorker(env, std::move(job));
  return QueuePromise(worker);
}

void RegisterLayers(Napi::Env env, Napi::Object exports) {
  exports.Set("layerImportance", Napi::Function::New(env, LayerImportance, "layerImportance"));
  exports.Set("fixLayerArrays", Napi::Function::New(env, FixLayerArrays, "fixLayerArrays"));
}

}  // namespace cwb
