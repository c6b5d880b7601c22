// quantize(options, onEvent?) -> { promise, abort }: llama_model_quantize with the same parameter set-up as llama-quantize
// (tools/quantize/quantize.cpp) so the output is byte-identical for the same options: importance
// matrix loading and its metadata overrides, per-tensor type overrides, output / token-embedding
// types, pure, dry run, layer pruning. Progress comes from the per-tensor log lines.
// loadImatrix(path): the file's raw sums and counts, for inspection and tests.
#include <napi.h>

#include <algorithm>
#include <chrono>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <regex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "abortHandle.h"
#include "addon.h"
#include "ggml.h"
#include "imatrixFile.h"
#include "jobEvents.h"
#include "llama.h"
#include "options.h"
#include "promiseWorker.h"

namespace cwb {

struct TensorTypeOverride {
  std::string pattern;
  ggml_type type;
};

struct QuantizeJob {
  std::string inPath;
  std::string outPath;
  llama_ftype ftype = LLAMA_FTYPE_MOSTLY_Q8_0;
  bool onlyCopy = false;
  std::string imatrixPath;
  std::vector<TensorTypeOverride> tensorTypes;
  ggml_type outputTensorType = GGML_TYPE_COUNT;
  ggml_type tokenEmbeddingType = GGML_TYPE_COUNT;
  bool pure = false;
  bool dryRun = false;
  bool allowRequantize = false;
  bool leaveOutputTensor = false;
  int32_t threads = 0;
  std::vector<int32_t> pruneLayers;
};

struct TensorReport {
  int index = 0;
  std::string name;
  std::vector<int64_t> shape;
  std::string fromType;
  std::string toType;
  uint64_t bytes = 0;
};

struct QuantizeResult {
  std::vector<TensorReport> tensors;
  int tensorCount = 0;
  double originalMiB = 0, originalBpw = 0, quantizedMiB = 0, quantizedBpw = 0;
  uint64_t bytesNew = 0;
  double seconds = 0;
  size_t imatrixEntries = 0;
  int32_t imatrixChunks = 0;
  std::vector<std::string> imatrixDatasets;
  int fallbacks = 0;
};

static bool IEquals(const char* a, const char* b) {
  for (; *a && *b; a++, b++) {
    if (std::tolower(static_cast<unsigned char>(*a)) != std::tolower(static_cast<unsigned char>(*b))) return false;
  }
  return *a == *b;
}

// ggml type by name, case-insensitive, as llama-quantize parses --tensor-type and friends.
static ggml_type GgmlTypeByName(const std::string& name) {
  for (int i = 0; i < GGML_TYPE_COUNT; i++) {
    const char* n = ggml_type_name(static_cast<ggml_type>(i));
    if (n && IEquals(n, name.c_str())) return static_cast<ggml_type>(i);
  }
  return GGML_TYPE_COUNT;
}

static uint64_t TensorBytes(ggml_type type, const std::vector<int64_t>& shape) {
  if (shape.empty() || type == GGML_TYPE_COUNT) return 0;
  uint64_t rows = 1;
  for (size_t i = 1; i < shape.size(); i++) rows *= static_cast<uint64_t>(shape[i]);
  return rows * ggml_row_size(type, shape[0]);
}

// "[  12/  30] blk.1.attn_q.weight - [  256,   256,     1,     1], type =    f32, converting to q4_K .. size = ..."
static const std::regex kTensorLine(R"(^\[\s*(\d+)/\s*(\d+)\]\s+(\S+)\s+- \[([^\]]*)\], type =\s*(\S+), ?(.*)$)");
static const std::regex kConverting(R"(converting to (\S+) \.\.)");
static const std::regex kDryRunTarget(R"(MiB \((\S+)\)\s*$)");
static const std::regex kSizeLine(R"((model|quant) size\s*=\s*([\d.]+) MiB \(([\d.]+) BPW\))");
static const std::regex kFallbacks(R"(WARNING: (\d+) of \d+ tensor\(s\) required fallback)");

class QuantizeWorker : public AbortableWorker {
 public:
  QuantizeWorker(Napi::Env env, QuantizeJob job, Napi::Value onEvent, std::shared_ptr<AbortFlag> abort)
      : AbortableWorker(env, onEvent, std::move(abort)), job_(std::move(job)) {}

  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("outPath", job_.dryRun ? Napi::Value(env.Null()) : Napi::String::New(env, job_.outPath));
    o.Set("dryRun", job_.dryRun);
    o.Set("seconds", result_.seconds);
    o.Set("tensorCount", result_.tensorCount);
    o.Set("originalMiB", result_.originalMiB);
    o.Set("originalBpw", result_.originalBpw);
    o.Set("quantizedMiB", result_.quantizedMiB);
    o.Set("quantizedBpw", result_.quantizedBpw);
    o.Set("tensorBytes", Napi::Number::New(env, static_cast<double>(result_.bytesNew)));
    o.Set("fallbacks", result_.fallbacks);
    Napi::Array tensors = Napi::Array::New(env, result_.tensors.size());
    for (size_t i = 0; i < result_.tensors.size(); i++) {
      const TensorReport& t = result_.tensors[i];
      Napi::Object to = Napi::Object::New(env);
      to.Set("index", t.index);
      to.Set("name", t.name);
      Napi::Array shape = Napi::Array::New(env, t.shape.size());
      for (size_t k = 0; k < t.shape.size(); k++) shape.Set(k, Napi::Number::New(env, static_cast<double>(t.shape[k])));
      to.Set("shape", shape);
      to.Set("fromType", t.fromType);
      to.Set("toType", t.toType);
      to.Set("bytes", Napi::Number::New(env, static_cast<double>(t.bytes)));
      tensors.Set(i, to);
    }
    o.Set("tensors", tensors);
    if (!job_.imatrixPath.empty()) {
      Napi::Object im = Napi::Object::New(env);
      im.Set("path", job_.imatrixPath);
      im.Set("entries", Napi::Number::New(env, static_cast<double>(result_.imatrixEntries)));
      im.Set("chunks", result_.imatrixChunks);
      Napi::Array ds = Napi::Array::New(env, result_.imatrixDatasets.size());
      for (size_t i = 0; i < result_.imatrixDatasets.size(); i++) ds.Set(i, result_.imatrixDatasets[i]);
      im.Set("datasets", ds);
      o.Set("imatrix", im);
    }
    return o;
  }

 private:
  void Run() override {
    llama_model_quantize_params params = llama_model_quantize_default_params();
    params.ftype = job_.ftype;
    params.only_copy = job_.onlyCopy;
    params.nthread = job_.threads;
    params.pure = job_.pure;
    params.dry_run = job_.dryRun;
    params.allow_requantize = job_.allowRequantize;
    params.quantize_output_tensor = !job_.leaveOutputTensor;
    params.output_tensor_type = job_.outputTensorType;
    params.token_embedding_type = job_.tokenEmbeddingType;

    // Same order and content of metadata overrides as llama-quantize writes for an imatrix.
    std::vector<llama_model_kv_override> kvOverrides;
    std::unordered_map<std::string, std::vector<float>> weights;
    std::vector<llama_model_imatrix_data> imatrixData;
    if (!job_.imatrixPath.empty()) {
      ImatrixFile file = ReadImatrixFile(job_.imatrixPath);
      if (!file.isLegacy && !file.hasMetadata) throw std::runtime_error(job_.imatrixPath + ": importance matrix without its metadata (imatrix.datasets, chunk_count, chunk_size)");
      weights = ImatrixWeights(file);
      result_.imatrixEntries = weights.size();
      result_.imatrixChunks = file.chunkCount;
      result_.imatrixDatasets = file.datasets;
      if (!weights.empty()) {
        for (const auto& kv : weights) imatrixData.push_back({kv.first.c_str(), kv.second.data(), kv.second.size()});
        imatrixData.push_back({nullptr, nullptr, 0});
        params.imatrix = imatrixData.data();
        kvOverrides.push_back(StrOverride("quantize.imatrix.file", job_.imatrixPath));
        if (!file.datasets.empty()) kvOverrides.push_back(StrOverride("quantize.imatrix.dataset", file.datasets[0]));
        kvOverrides.push_back(IntOverride("quantize.imatrix.entries_count", static_cast<int64_t>(weights.size())));
        if (file.chunkCount > 0) kvOverrides.push_back(IntOverride("quantize.imatrix.chunks_count", file.chunkCount));
      }
    }
    if (!kvOverrides.empty()) {
      kvOverrides.emplace_back();
      kvOverrides.back().key[0] = 0;
      params.kv_overrides = kvOverrides.data();
    }
    std::vector<llama_model_tensor_override> tt;
    if (!job_.tensorTypes.empty()) {
      for (const auto& o : job_.tensorTypes) tt.push_back({o.pattern.c_str(), o.type});
      tt.push_back({nullptr, GGML_TYPE_COUNT});
      params.tt_overrides = tt.data();
    }
    std::vector<int32_t> prune = job_.pruneLayers;
    if (!prune.empty()) {
      prune.push_back(-1);
      params.prune_layers = prune.data();
    }

    std::string lastError;
    int lastReported = 0;
    {
      LlamaLogCapture capture([&](ggml_log_level level, const std::string& line, bool complete) {
        OnLogLine(level, line, complete, lastReported, lastError);
      });
      const auto started = std::chrono::steady_clock::now();
      const uint32_t rc = llama_model_quantize(job_.inPath.c_str(), job_.dryRun ? "" : job_.outPath.c_str(), &params);
      result_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (rc != 0) {
        std::string reason = lastError.empty() ? "llama_model_quantize failed" : lastError;
        if (!job_.dryRun) std::remove(job_.outPath.c_str());
        if (abortThrown_) ThrowIfAborted("quantization");
        throw std::runtime_error(job_.inPath + ": quantization failed: " + reason);
      }
    }
    for (const auto& t : result_.tensors) result_.bytesNew += t.bytes;
    events_.Progress(1.0, "done");
  }

  // "[ 12/ 39] ..." → 12, else 0. A cheap test ahead of std::regex, which costs tens of microseconds
  // per line and ran on every fragment of every tensor line (~3 per tensor): measurable next to the
  // 30-50 ms llama_model_quantize takes for a small model.
  static constexpr const char* kFailedMarker = "failed to quantize: ";

  static int TensorLineIndex(const std::string& line) {
    size_t p = 0;
    if (p >= line.size() || line[p] != '[') return 0;
    p++;
    while (p < line.size() && line[p] == ' ') p++;
    int index = 0;
    const size_t digits = p;
    while (p < line.size() && std::isdigit(static_cast<unsigned char>(line[p]))) index = index * 10 + (line[p++] - '0');
    return p > digits && p < line.size() && line[p] == '/' ? index : 0;
  }

  void OnLogLine(ggml_log_level level, const std::string& line, bool complete, int& lastReported, std::string& lastError) {
    // llama_model_quantize has no abort hook, but it logs every tensor before quantizing it (no
    // worker threads alive then) and catches std::exception around all its work: throwing here
    // stops it there, and its files close as the stack unwinds. Once only: its catch logs again.
    if (Aborted() && !abortThrown_) {
      abortThrown_ = true;
      throw std::runtime_error("quantization aborted");
    }
    // llama_model_quantize logs "failed to quantize: REASON" while a tensor line is still open (no
    // newline yet), so the reason can arrive joined to that fragment: take what follows the marker.
    const size_t failedAt = line.find(kFailedMarker);
    if (failedAt != std::string::npos) {
      if (!complete) return;
      lastError = line.substr(failedAt + std::strlen(kFailedMarker));
      events_.Log("error", lastError);
      return;
    }
    std::smatch m;
    const int cheapIndex = TensorLineIndex(line);
    if (cheapIndex > 0 && !complete && cheapIndex <= lastReported) return;  // a fragment already reported
    if (cheapIndex > 0 && std::regex_search(line, m, kTensorLine)) {
      const int index = std::stoi(m[1]);
      const int total = std::stoi(m[2]);
      result_.tensorCount = total;
      if (index > lastReported) {
        lastReported = index;
        events_.Progress(static_cast<double>(index - 1) / total, std::string(job_.dryRun ? "sizing " : "quantizing ") + m[3].str());
      }
      if (!complete) return;
      TensorReport t;
      t.index = index;
      t.name = m[3];
      std::string shape = m[4];
      for (size_t p = 0; p < shape.size();) {
        while (p < shape.size() && (shape[p] == ' ' || shape[p] == ',')) p++;
        if (p >= shape.size()) break;
        size_t end = p;
        while (end < shape.size() && std::isdigit(static_cast<unsigned char>(shape[end]))) end++;
        if (end == p) break;
        t.shape.push_back(std::stoll(shape.substr(p, end - p)));
        p = end;
      }
      while (t.shape.size() > 1 && t.shape.back() == 1) t.shape.pop_back();
      t.fromType = m[5];
      const std::string rest = m[6];
      std::smatch target;
      if (std::regex_search(rest, target, kConverting) || std::regex_search(rest, target, kDryRunTarget)) t.toType = target[1];
      else t.toType = t.fromType;
      t.bytes = TensorBytes(GgmlTypeByName(t.toType), t.shape);
      result_.tensors.push_back(std::move(t));
      return;
    }
    if (!complete) return;
    if (line.find("size") != std::string::npos && std::regex_search(line, m, kSizeLine)) {
      if (m[1] == "model") {
        result_.originalMiB = std::stod(m[2]);
        result_.originalBpw = std::stod(m[3]);
      } else {
        result_.quantizedMiB = std::stod(m[2]);
        result_.quantizedBpw = std::stod(m[3]);
      }
    } else if (line.find("WARNING") != std::string::npos && std::regex_search(line, m, kFallbacks)) {
      result_.fallbacks = std::stoi(m[1]);
    }
    const bool blank = line.find_first_not_of(" \t=") == std::string::npos;
    if (blank) return;
    if (level == GGML_LOG_LEVEL_ERROR) lastError = line;
    if (level == GGML_LOG_LEVEL_ERROR || level == GGML_LOG_LEVEL_WARN || line.find("quantize") != std::string::npos) {
      events_.Log(LogLevelName(level), line);
    }
  }

  static llama_model_kv_override StrOverride(const char* key, const std::string& value) {
    llama_model_kv_override o{};
    std::strcpy(o.key, key);
    o.tag = LLAMA_KV_OVERRIDE_TYPE_STR;
    std::strncpy(o.val_str, value.c_str(), 127);
    o.val_str[127] = '\0';
    return o;
  }
  static llama_model_kv_override IntOverride(const char* key, int64_t value) {
    llama_model_kv_override o{};
    std::strcpy(o.key, key);
    o.tag = LLAMA_KV_OVERRIDE_TYPE_INT;
    o.val_i64 = value;
    return o;
  }

  QuantizeJob job_;
  QuantizeResult result_;
  bool abortThrown_ = false;
};

static ggml_type OptType(const OptionReader& o, const char* key, Napi::Env env) {
  if (!o.Has(key)) return GGML_TYPE_COUNT;
  const std::string name = o.String(key);
  ggml_type t = GgmlTypeByName(name);
  if (t == GGML_TYPE_COUNT) throw Napi::RangeError::New(env, o.Call() + ": " + key + ": unknown ggml type '" + name + "'");
  return t;
}

// quantize({inPath, outPath, ftype, onlyCopy?, imatrixPath?, tensorTypes?: [{pattern, type}],
//           outputTensorType?, tokenEmbeddingType?, pure?, dryRun?, allowRequantize?,
//           leaveOutputTensor?, threads?, pruneLayers?: number[]}, onEvent?)
static Napi::Value Quantize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "quantize(options, onEvent?): options object expected");
  const OptionReader o(info[0].As<Napi::Object>(), "quantize");
  QuantizeJob job;
  job.inPath = o.String("inPath");
  job.dryRun = o.Bool("dryRun");
  if (!job.dryRun) job.outPath = o.String("outPath");
  if (!o.Has("ftype")) throw o.TypeError("ftype", "a llama_ftype number");
  job.ftype = static_cast<llama_ftype>(o.Int("ftype", 0));
  job.onlyCopy = o.Bool("onlyCopy");
  job.imatrixPath = o.String("imatrixPath", "");
  job.outputTensorType = OptType(o, "outputTensorType", env);
  job.tokenEmbeddingType = OptType(o, "tokenEmbeddingType", env);
  job.pure = o.Bool("pure");
  job.allowRequantize = o.Bool("allowRequantize");
  job.leaveOutputTensor = o.Bool("leaveOutputTensor");
  job.threads = o.Int("threads", job.threads);
  Napi::Value tt = o.Raw("tensorTypes");
  if (tt.IsArray()) {
    Napi::Array arr = tt.As<Napi::Array>();
    for (uint32_t i = 0; i < arr.Length(); i++) {
      Napi::Value item = arr.Get(i);
      if (!item.IsObject()) throw Napi::TypeError::New(env, "quantize: tensorTypes entries must be {pattern, type}");
      const OptionReader e(item.As<Napi::Object>(), "quantize: tensorTypes");
      std::string pattern = e.String("pattern");
      // llama-quantize lower-cases the name part of --tensor-type.
      for (auto& c : pattern) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string typeName = e.String("type");
      ggml_type t = GgmlTypeByName(typeName);
      if (pattern.empty()) throw Napi::RangeError::New(env, "quantize: tensorTypes: empty tensor pattern");
      if (t == GGML_TYPE_COUNT) throw Napi::RangeError::New(env, "quantize: tensorTypes: unknown ggml type '" + typeName + "'");
      try {
        std::regex check(pattern);
      } catch (const std::regex_error&) {
        throw Napi::RangeError::New(env, "quantize: tensorTypes: invalid regular expression '" + pattern + "'");
      }
      job.tensorTypes.push_back({pattern, t});
    }
  }
  Napi::Value prune = o.Raw("pruneLayers");
  if (prune.IsArray()) {
    Napi::Array arr = prune.As<Napi::Array>();
    for (uint32_t i = 0; i < arr.Length(); i++) {
      Napi::Value v = arr.Get(i);
      if (!v.IsNumber() || v.As<Napi::Number>().Int32Value() < 0) throw Napi::RangeError::New(env, "quantize: pruneLayers must be non-negative block indices");
      job.pruneLayers.push_back(v.As<Napi::Number>().Int32Value());
    }
    std::sort(job.pruneLayers.begin(), job.pruneLayers.end());
    job.pruneLayers.erase(std::unique(job.pruneLayers.begin(), job.pruneLayers.end()), job.pruneLayers.end());
  }
  auto abort = std::make_shared<AbortFlag>();
  auto* worker = new QuantizeWorker(env, std::move(job), info.Length() > 1 ? info[1] : env.Undefined(), abort);
  return QueueAbortable(env, worker, abort);
}

class LoadImatrixWorker : public PromiseWorker {
 public:
  LoadImatrixWorker(Napi::Env env, std::string path) : PromiseWorker(env), path_(std::move(path)) {}
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("isLegacy", file_.isLegacy);
    o.Set("hasMetadata", file_.hasMetadata);
    o.Set("chunkCount", file_.chunkCount);
    o.Set("chunkSize", file_.chunkSize);
    Napi::Array ds = Napi::Array::New(env, file_.datasets.size());
    for (size_t i = 0; i < file_.datasets.size(); i++) ds.Set(i, file_.datasets[i]);
    o.Set("datasets", ds);
    Napi::Object entries = Napi::Object::New(env);
    for (const auto& [name, e] : file_.entries) {
      Napi::Object eo = Napi::Object::New(env);
      Napi::Float32Array sums = Napi::Float32Array::New(env, e.sums.size());
      std::memcpy(sums.Data(), e.sums.data(), e.sums.size() * sizeof(float));
      eo.Set("sums", sums);
      Napi::Array counts = Napi::Array::New(env, e.counts.size());
      for (size_t i = 0; i < e.counts.size(); i++) counts.Set(i, Napi::Number::New(env, static_cast<double>(e.counts[i])));
      eo.Set("counts", counts);
      entries.Set(name, eo);
    }
    o.Set("entries", entries);
    return o;
  }

 private:
  void Run() override { file_ = ReadImatrixFile(path_); }
  std::string path_;
  ImatrixFile file_;
};

static Napi::Value LoadImatrix(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "loadImatrix(path)");
  auto* worker = new LoadImatrixWorker(env, info[0].As<Napi::String>());
  return QueuePromise(worker);
}

static Napi::Value GgmlTypeNames(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  for (int i = 0; i < GGML_TYPE_COUNT; i++) {
    const char* n = ggml_type_name(static_cast<ggml_type>(i));
    if (n && std::strcmp(n, "NONE") != 0 && ggml_get_type_traits(static_cast<ggml_type>(i))->blck_size > 0) out.Set(out.Length(), n);
  }
  return out;
}

void RegisterQuantize(Napi::Env env, Napi::Object exports) {
  exports.Set("quantize", Napi::Function::New(env, Quantize, "quantize"));
  exports.Set("loadImatrix", Napi::Function::New(env, LoadImatrix, "loadImatrix"));
  exports.Set("ggmlTypeNames", Napi::Function::New(env, GgmlTypeNames, "ggmlTypeNames"));
}

}  // namespace cwb
