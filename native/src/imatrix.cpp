// computeImatrix(options, onEvent?): llama.cpp's importance matrix, computed the way llama-imatrix
// (tools/imatrix/imatrix.cpp) computes it so the values agree: the same tokenization (special tokens
// added, one trailing newline of the text dropped), chunks of n_ctx tokens with BOS put in front of
// each, several chunks per batch as parallel sequences (n_batch / n_ctx of them), every token an
// output, and in the eval callback the per-column sums of squared inputs of every MUL_MAT (batches of
// at least 16 rows, blk.* weights) and MUL_MAT_ID (per expert) with token counts. Written in the GGUF
// imatrix format llama-quantize reads ("<w>.in_sum2", "<w>.counts", imatrix.* keys).
#include <napi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "abortHandle.h"
#include "addon.h"
#include "calibrationText.h"
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

struct ImatrixJob {
  std::string modelPath;
  std::string textPath;
  std::string outPath;
  std::string datasetName;  // recorded in imatrix.datasets; defaults to textPath
  int32_t nCtx = 512;
  int32_t nChunks = -1;
  int32_t nBatch = 2048;
  int32_t nUbatch = 512;
  int32_t threads = 0;
  int32_t gpuLayers = 0;  // llama.cpp's n_gpu_layers: negative offloads every layer
  bool processOutput = false;
  bool parseSpecial = false;
};

struct ImatrixStats {
  std::vector<float> values;
  std::vector<int64_t> counts;
};

// The callback side: accumulates sums of squared activations per weight, like IMatrixCollector.
class ImatrixCollector {
 public:
  ImatrixCollector(int32_t chunkSize, bool processOutput) : chunkSize_(chunkSize), processOutput_(processOutput) {}

  static bool Callback(ggml_tensor* t, bool ask, void* ud) { return static_cast<ImatrixCollector*>(ud)->Collect(t, ask); }

  const std::unordered_map<std::string, ImatrixStats>& Stats() const { return stats_; }
  int32_t LastChunk() const { return lastChunk_; }
  const std::string& Error() const { return error_; }

 private:
  // "CUDA0#blk.0.attn_k.weight#0" -> "blk.0.attn_k.weight"
  static std::string WeightName(const char* name) {
    const char* p = std::strchr(name, '#');
    if (!p) return name;
    p++;
    const char* q = std::strchr(p, '#');
    return q ? std::string(p, q - p) : std::string(p);
  }

  static bool AllFinite(const float* v, size_t n) {
    for (size_t i = 0; i < n; i++)
      if (!std::isfinite(v[i])) return false;
    return true;
  }

  void NoteChunks(int64_t count) {
    const int32_t nChunk = static_cast<int32_t>(count / chunkSize_);
    if (nChunk > lastChunk_) lastChunk_ = nChunk;
  }

  bool Collect(ggml_tensor* t, bool ask) {
    const ggml_tensor* src0 = t->src[0];
    const ggml_tensor* src1 = t->src[1];
    if (ask) {
      if (t->op == GGML_OP_MUL_MAT_ID) return true;
      if (t->op != GGML_OP_MUL_MAT) return false;
      if (src1->ne[1] < 16 || src1->type != GGML_TYPE_F32) return false;
      const std::string wname = WeightName(src0->name);
      return StartsWith(wname, "blk.") || (processOutput_ && wname == "output.weight");
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (!error_.empty()) return true;
    const std::string wname = WeightName(src0->name);
    const bool isHost = ggml_backend_buffer_is_host(src1->buffer);
    if (!isHost) {
      src1Data_.resize(ggml_nbytes(src1));
      ggml_backend_tensor_get(src1, src1Data_.data(), 0, ggml_nbytes(src1));
    }
    const char* data = isHost ? static_cast<const char*>(src1->data) : src1Data_.data();

    if (t->op == GGML_OP_MUL_MAT_ID) {
      const ggml_tensor* ids = t->src[2];
      const int64_t nAs = src0->ne[2];
      const int64_t nIds = ids->ne[0];
      if (ggml_nrows(src1) != src1->ne[1] * src1->ne[2]) {
        error_ = "tensor with more than 3 dimensions: " + wname;
        return true;
      }
      ids_.resize(ggml_nbytes(ids));
      ggml_backend_tensor_get(ids, ids_.data(), 0, ggml_nbytes(ids));
      ImatrixStats& e = stats_[wname];
      if (e.counts.size() == 1 && nAs > 1) e.counts.resize(static_cast<size_t>(nAs), e.counts[0]);
      if (e.values.empty()) {
        e.values.resize(static_cast<size_t>(src1->ne[0] * nAs), 0);
        e.counts.resize(static_cast<size_t>(nAs), 0);
      } else if (e.values.size() != static_cast<size_t>(src1->ne[0] * nAs) || e.counts.size() != static_cast<size_t>(nAs)) {
        error_ = "inconsistent size for " + wname;
        return true;
      }
      const int64_t ne0 = src1->ne[0];
      const int64_t nTokens = src1->ne[2];
      std::vector<uint8_t> touched(static_cast<size_t>(nAs), 0);
      for (int64_t idx = 0; idx < nIds; idx++) {
        for (int64_t row = 0; row < nTokens; row++) {
          const int32_t ex = *reinterpret_cast<const int32_t*>(ids_.data() + row * ids->nb[1] + idx * ids->nb[0]);
          if (ex < 0 || ex >= nAs) {
            error_ = "expert id out of range in " + wname;
            return true;
          }
          const int64_t i11 = idx % src1->ne[1];
          const float* x = reinterpret_cast<const float*>(data + i11 * src1->nb[1] + row * src1->nb[2]);
          float* acc = e.values.data() + ex * ne0;
          e.counts[static_cast<size_t>(ex)]++;
          touched[static_cast<size_t>(ex)] = 1;
          for (int64_t j = 0; j < ne0; j++) acc[j] += x[j] * x[j];
        }
      }
      for (int64_t ex = 0; ex < nAs; ex++) {
        if (touched[static_cast<size_t>(ex)] && !AllFinite(e.values.data() + ex * ne0, static_cast<size_t>(ne0))) {
          error_ = "non-finite activations in " + wname;
          return true;
        }
      }
      for (int64_t ex = 0; ex < nAs; ex++) NoteChunks(e.counts[static_cast<size_t>(ex)]);
    } else {
      ImatrixStats& e = stats_[wname];
      const int64_t nMat = src0->ne[2] * src0->ne[3];
      if (e.counts.size() > 1 && std::all_of(e.counts.begin(), e.counts.end(), [&](int64_t c) { return c == e.counts[0]; })) e.counts.resize(1);
      if (e.values.empty()) {
        e.values.resize(static_cast<size_t>(src1->ne[0] * nMat), 0);
        e.counts.resize(1, 0);
      } else if (e.values.size() != static_cast<size_t>(src1->ne[0] * nMat)) {
        error_ = "inconsistent size for " + wname;
        return true;
      }
      const int64_t ne0 = src1->ne[0];
      for (int64_t i3 = 0; i3 < src1->ne[3]; i3++) {
        for (int64_t i2 = 0; i2 < src1->ne[2]; i2++) {
          const int64_t matId = (i3 % src0->ne[3]) * src0->ne[2] + (i2 % src0->ne[2]);
          float* acc = e.values.data() + matId * ne0;
          for (int64_t row = 0; row < src1->ne[1]; row++) {
            const float* x = reinterpret_cast<const float*>(data + row * src1->nb[1] + i2 * src1->nb[2] + i3 * src1->nb[3]);
            for (int64_t j = 0; j < ne0; j++) acc[j] += x[j] * x[j];
          }
        }
      }
      if (!AllFinite(e.values.data(), e.values.size())) {
        error_ = "non-finite activations in " + wname;
        return true;
      }
      for (auto& c : e.counts) {
        c += ggml_nrows(src1) / nMat;
        NoteChunks(c);
      }
    }
    return true;
  }

  int32_t chunkSize_;
  bool processOutput_;
  std::mutex mutex_;
  std::unordered_map<std::string, ImatrixStats> stats_;
  int32_t lastChunk_ = 0;
  std::vector<char> src1Data_;
  std::vector<char> ids_;
  std::string error_;
};

// Writes the GGUF imatrix file exactly as llama-imatrix lays it out (sorted names, F32 sums and counts).
static void WriteImatrixGguf(const std::string& path, const std::unordered_map<std::string, ImatrixStats>& stats, const std::string& dataset, int32_t chunkCount, int32_t chunkSize) {
  std::vector<std::string> names;
  size_t dataSize = 0;
  for (const auto& kv : stats) {
    names.push_back(kv.first);
    dataSize += GGML_PAD(ggml_tensor_overhead() + sizeof(float) * kv.second.values.size(), GGML_MEM_ALIGN);
    dataSize += GGML_PAD(ggml_tensor_overhead() + sizeof(float) * kv.second.counts.size(), GGML_MEM_ALIGN);
  }
  std::sort(names.begin(), names.end());
  ggml_init_params ip = {/*mem_size=*/dataSize, /*mem_buffer=*/nullptr, /*no_alloc=*/false};
  const GgmlContextPtr ctx(ggml_init(ip));
  const GgufPtr gguf(gguf_init_empty());
  gguf_set_val_str(gguf.get(), "general.type", "imatrix");
  const char* datasets[1] = {dataset.c_str()};
  gguf_set_arr_str(gguf.get(), "imatrix.datasets", datasets, dataset.empty() ? 0 : 1);
  gguf_set_val_u32(gguf.get(), "imatrix.chunk_count", static_cast<uint32_t>(chunkCount));
  gguf_set_val_u32(gguf.get(), "imatrix.chunk_size", static_cast<uint32_t>(chunkSize));
  for (const auto& name : names) {
    const ImatrixStats& s = stats.at(name);
    const int32_t nval = static_cast<int32_t>(s.values.size());
    const int32_t nmat = static_cast<int32_t>(s.counts.size());
    if (nval <= 0 || nmat <= 0) continue;
    ggml_tensor* sums = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, nval / nmat, nmat);
    ggml_tensor* counts = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, 1, nmat);
    ggml_format_name(sums, "%s.in_sum2", name.c_str());
    ggml_format_name(counts, "%s.counts", name.c_str());
    std::memcpy(sums->data, s.values.data(), sizeof(float) * static_cast<size_t>(nval));
    for (int32_t j = 0; j < nmat; j++) static_cast<float*>(counts->data)[j] = static_cast<float>(s.counts[static_cast<size_t>(j)]);
    gguf_add_tensor(gguf.get(), sums);
    gguf_add_tensor(gguf.get(), counts);
  }
  PartialFile file(path);
  if (!gguf_write_to_file(gguf.get(), file.Path().c_str(), false) || !file.Commit()) {
    throw std::runtime_error(path + ": cannot write the importance matrix");
  }
}

struct ImatrixResult {
  int32_t chunks = 0;
  int32_t chunkCount = 0;
  size_t entries = 0;
  size_t tokens = 0;
  double seconds = 0;
};

class ImatrixWorker : public AbortableWorker {
 public:
  ImatrixWorker(Napi::Env env, ImatrixJob job, Napi::Value onEvent, std::shared_ptr<AbortFlag> abort)
      : AbortableWorker(env, onEvent, std::move(abort)), job_(std::move(job)) {}
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("outPath", job_.outPath);
    o.Set("chunks", result_.chunks);
    o.Set("chunkCount", result_.chunkCount);
    o.Set("chunkSize", job_.nCtx);
    o.Set("entries", Napi::Number::New(env, static_cast<double>(result_.entries)));
    o.Set("tokens", Napi::Number::New(env, static_cast<double>(result_.tokens)));
    o.Set("seconds", result_.seconds);
    return o;
  }

 private:
  void Run() override {
    const auto started = std::chrono::steady_clock::now();
    const std::string text = ReadCalibrationText(job_.textPath);
    if (job_.nCtx <= 0) throw std::runtime_error("the context size must be positive");

    // Several chunks per batch as parallel sequences, as llama-imatrix arranges them.
    const int32_t nCtx = job_.nCtx;
    const int32_t nSeq = std::max(1, job_.nBatch / nCtx);
    const int32_t nKv = nSeq * nCtx;
    const int32_t nBatch = std::min(job_.nBatch, nKv);
    if (!(nBatch < nCtx || nBatch % nCtx == 0)) throw std::runtime_error("the batch size must be below the context size or a multiple of it");

    llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = job_.gpuLayers;
    ModelPtr modelHandle = LoadModelOrThrow(job_.modelPath, mp);
    llama_model* model = modelHandle.get();

    ImatrixCollector collector(nKv / nSeq, job_.processOutput);
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = static_cast<uint32_t>(nKv);
    cp.n_seq_max = static_cast<uint32_t>(nSeq);
    cp.n_batch = static_cast<uint32_t>(nBatch);
    cp.n_ubatch = static_cast<uint32_t>(std::min(job_.nUbatch, nBatch));
    ApplyThreads(cp, job_.threads);
    cp.cb_eval = &ImatrixCollector::Callback;
    cp.cb_eval_user_data = &collector;
    AttachAbort(cp);
    ContextPtr ctxHandle = NewContextOrThrow(model, cp, job_.modelPath);
    llama_context* ctx = ctxHandle.get();

    const llama_vocab* vocab = llama_model_get_vocab(model);
    const bool addBos = llama_vocab_get_add_bos(vocab);
    std::vector<llama_token> tokens = TokenizeLikeCommon(vocab, text, true, job_.parseSpecial);
    result_.tokens = tokens.size();
    if (static_cast<int64_t>(tokens.size()) < 2LL * nCtx) {
      throw std::runtime_error(job_.textPath + ": the text has " + std::to_string(tokens.size()) + " tokens; at least " + std::to_string(2 * nCtx) +
                               " are needed for a context of " + std::to_string(nCtx));
    }
    const int32_t nChunkMax = static_cast<int32_t>(tokens.size() / static_cast<size_t>(nCtx));
    const int32_t nChunk = job_.nChunks < 0 ? nChunkMax : std::min(job_.nChunks, nChunkMax);
    const int32_t numBatches = (nCtx + nBatch - 1) / nBatch;
    events_.Log("info", "computing over " + std::to_string(nChunk) + " chunks of " + std::to_string(nCtx) + " tokens, " + std::to_string(nSeq) + " per batch");

    BatchHandle batch(std::min(nBatch, nCtx * nSeq));

    for (int32_t i = 0; i < nChunk; i += nSeq) {
      const int32_t start = i * nCtx;
      const int32_t end = start + nCtx;
      const int32_t nSeqBatch = std::min(nSeq, nChunk - i);
      ThrowIfAborted("importance matrix");
      llama_memory_clear(llama_get_memory(ctx), true);
      for (int32_t j = 0; j < numBatches; j++) {
        const int32_t batchStart = start + j * nBatch;
        const int32_t batchSize = std::min(end - batchStart, nBatch);
        batch.Clear();
        for (int32_t seq = 0; seq < nSeqBatch; seq++) {
          const int32_t seqStart = batchStart + seq * nCtx;
          for (int32_t k = 0; k < batchSize; k++) {
            const llama_token token = (addBos && j == 0 && k == 0) ? llama_vocab_bos(vocab) : tokens[static_cast<size_t>(seqStart + k)];
            batch.Add(token, j * nBatch + k, seq, true);  // every position is an output, so the last layer sees all rows
          }
        }
        if (llama_decode(ctx, batch.get()) != 0) {
          ThrowIfAborted("importance matrix");
          throw std::runtime_error("llama_decode failed on chunk " + std::to_string(i + 1));
        }
        if (!collector.Error().empty()) throw std::runtime_error(collector.Error());
      }
      result_.chunks = i + nSeqBatch;
      events_.Steps(result_.chunks, nChunk, "chunk " + std::to_string(result_.chunks) + "/" + std::to_string(nChunk));
    }
    llama_synchronize(ctx);
    if (collector.Stats().empty()) throw std::runtime_error(job_.modelPath + ": no matrix multiplication was seen; nothing to write");
    result_.entries = collector.Stats().size();
    result_.chunkCount = collector.LastChunk();
    WriteImatrixGguf(job_.outPath, collector.Stats(), job_.datasetName.empty() ? job_.textPath : job_.datasetName, collector.LastChunk(), nKv / nSeq);
    result_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }

  ImatrixJob job_;
  ImatrixResult result_;
};

// computeImatrix({modelPath, textPath, outPath, datasetName?, nCtx?, nChunks?, nBatch?, nUbatch?,
//                 threads?, gpuLayers?, processOutput?, parseSpecial?}, onEvent?) -> { promise, abort }
static Napi::Value ComputeImatrix(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "computeImatrix(options, onEvent?): options object expected");
  const OptionReader o(info[0].As<Napi::Object>(), "computeImatrix");
  ImatrixJob job;
  job.modelPath = o.String("modelPath");
  job.textPath = o.String("textPath");
  job.outPath = o.String("outPath");
  job.datasetName = o.String("datasetName", "");
  job.nCtx = o.Int("nCtx", job.nCtx);
  job.nChunks = o.Int("nChunks", job.nChunks);
  job.nBatch = o.Int("nBatch", job.nBatch);
  job.nUbatch = o.Int("nUbatch", job.nUbatch);
  job.threads = o.Int("threads", job.threads);
  job.gpuLayers = o.Int("gpuLayers", job.gpuLayers);
  job.processOutput = o.Bool("processOutput");
  job.parseSpecial = o.Bool("parseSpecial");
  if (job.nCtx <= 0 || job.nBatch <= 0 || job.nUbatch <= 0) throw Napi::RangeError::New(env, "computeImatrix: nCtx, nBatch and nUbatch must be positive");
  auto abort = std::make_shared<AbortFlag>();
  auto* worker = new ImatrixWorker(env, std::move(job), info.Length() > 1 ? info[1] : env.Undefined(), abort);
  return QueueAbortable(env, worker, abort);
}

void RegisterImatrix(Napi::Env env, Napi::Object exports) {
  exports.Set("computeImatrix", Napi::Function::New(env, ComputeImatrix, "computeImatrix"));
}

}  // namespace cwb
