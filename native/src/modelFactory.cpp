// createModel, packModel and describeModel: the N-API side of the model files (modelFiles.h) and what
// llama.cpp reports about a model it loads.
#include <napi.h>

#include <functional>
#include <stdexcept>
#include <string>

#include "addon.h"
#include "ggufWriter.h"
#include "llama.h"
#include "llamaHandles.h"
#include "modelFiles.h"
#include "options.h"
#include "promiseWorker.h"

namespace cwb {

// Runs one model-file operation off the JS thread; resolves {path, nParams, nVocab?, fileBytes}.
class ModelFileWorker : public PromiseWorker {
 public:
  ModelFileWorker(Napi::Env env, std::string path, std::function<WrittenModel()> write)
      : PromiseWorker(env), path_(std::move(path)), write_(std::move(write)) {}

 private:
  void Run() override { written_ = write_(); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("path", path_);
    o.Set("nParams", Napi::Number::New(env, static_cast<double>(written_.nParams)));
    if (written_.nVocab > 0) o.Set("nVocab", Napi::Number::New(env, written_.nVocab));
    o.Set("fileBytes", Napi::Number::New(env, static_cast<double>(written_.fileBytes)));
    return o;
  }

  std::string path_;
  std::function<WrittenModel()> write_;
  WrittenModel written_;
};

static Storage StorageOption(const OptionReader& o, Napi::Env env, Storage fallback) {
  if (!o.Has("type")) return fallback;
  try {
    return ParseStorage(o.String("type"));
  } catch (const std::runtime_error& e) {
    throw Napi::RangeError::New(env, e.what());
  }
}

static StringPairs Metadata(const OptionReader& o) {
  StringPairs out;
  if (!o.Raw("metadata").IsObject()) return out;
  Napi::Object m = o.Raw("metadata").As<Napi::Object>();
  Napi::Array keys = m.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); i++) {
    std::string k = keys.Get(i).ToString();
    out.emplace_back(k, m.Get(k).ToString().Utf8Value());
  }
  return out;
}

// createModel(spec): writes a model of spec.architecture (default llama) with seeded random weights; resolves {path, nParams, nVocab, fileBytes}.
static Napi::Value CreateModel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "createModel(spec): spec object expected");
  const OptionReader o(info[0].As<Napi::Object>(), "createModel");
  ModelSpec s;
  s.outPath = o.String("outPath");
  s.vocabPath = o.String("vocabPath");
  s.name = o.String("name", s.name);
  s.architecture = o.String("architecture", s.architecture);
  s.nVocab = o.Count("nVocab", s.nVocab);
  s.nEmbd = o.Count("nEmbd", s.nEmbd);
  s.nFf = o.Count("nFf", s.nFf);
  s.nLayer = o.Count("nLayer", s.nLayer);
  s.nHead = o.Count("nHead", s.nHead);
  s.nHeadKv = o.Count("nHeadKv", s.nHead);
  s.nCtx = o.Count("nCtx", s.nCtx);
  s.nExpert = o.Count("nExpert", s.nExpert);
  s.nExpertUsed = o.Count("nExpertUsed", s.nExpertUsed);
  s.ropeFreqBase = static_cast<float>(o.Number("ropeFreqBase", s.ropeFreqBase));
  s.rmsEps = static_cast<float>(o.Number("rmsEps", s.rmsEps));
  s.initStd = static_cast<float>(o.Number("initStd", s.initStd));
  s.seed = o.Count("seed", s.seed);
  s.storage = StorageOption(o, env, Storage::F32);
  s.extra = Metadata(o);
  if (o.Has("bigramTokens")) {
    s.statsTokens = o.Int32s("bigramTokens");
    s.bigramPrior = static_cast<float>(o.Number("bigramPrior", s.bigramPrior));
  }
  if (s.nEmbd == 0 || s.nFf == 0 || s.nLayer == 0 || s.nHead == 0 || s.nHeadKv == 0 || s.nCtx == 0) {
    throw Napi::RangeError::New(env, "createModel: nEmbd, nFf, nLayer, nHead, nHeadKv and nCtx must be positive");
  }
  auto* w = new ModelFileWorker(env, s.outPath, [s]() { return CreateModelFile(s); });
  return QueuePromise(w);
}

// packModel({weightsPath, metadataPath, outPath, type?, metadata?}): tensors of one file, metadata of another.
static Napi::Value PackModel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "packModel(options): options object expected");
  const OptionReader o(info[0].As<Napi::Object>(), "packModel");
  PackJob job;
  job.weightsPath = o.String("weightsPath");
  job.metadataPath = o.String("metadataPath");
  job.outPath = o.String("outPath");
  job.storage = StorageOption(o, env, Storage::F16);
  job.extra = Metadata(o);
  auto* w = new ModelFileWorker(env, job.outPath, [job]() { return PackModelFile(job); });
  return QueuePromise(w);
}

// describeModel(path): what llama.cpp itself reports after loading the file (weights included).
static Napi::Value DescribeModel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "describeModel(path)");
  const std::string path = info[0].As<Napi::String>();
  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = 0;
  const ModelPtr handle(llama_model_load_from_file(path.c_str(), mp));
  if (!handle) throw Napi::Error::New(env, path + ": llama.cpp cannot load this model");
  const llama_model* model = handle.get();
  char desc[256];
  llama_model_desc(model, desc, sizeof(desc));
  Napi::Object o = Napi::Object::New(env);
  o.Set("description", std::string(desc));
  o.Set("nParams", Napi::Number::New(env, static_cast<double>(llama_model_n_params(model))));
  o.Set("sizeBytes", Napi::Number::New(env, static_cast<double>(llama_model_size(model))));
  o.Set("nCtxTrain", Napi::Number::New(env, llama_model_n_ctx_train(model)));
  o.Set("nEmbd", Napi::Number::New(env, llama_model_n_embd(model)));
  o.Set("nLayer", Napi::Number::New(env, llama_model_n_layer(model)));
  o.Set("nHead", Napi::Number::New(env, llama_model_n_head(model)));
  o.Set("nVocab", Napi::Number::New(env, llama_vocab_n_tokens(llama_model_get_vocab(model))));
  return o;
}

void RegisterModelFactory(Napi::Env env, Napi::Object exports) {
  exports.Set("describeModel", Napi::Function::New(env, DescribeModel, "describeModel"));
  exports.Set("createModel", Napi::Function::New(env, CreateModel, "createModel"));
  exports.Set("packModel", Napi::Function::New(env, PackModel, "packModel"));
}

}  // namespace cwb
