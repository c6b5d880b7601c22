// evaluate(options, onEvent?) -> { promise, abort }: perplexity of one model over a text, chunked exactly
// as llama-perplexity chunks it (tokenize once with BOS, chunks of n_ctx tokens, BOS at each chunk start,
// only the second half of each chunk scored, n_batch / n_ctx chunks decoded together as sequences).
// Modes: plain perplexity; base pass (also writes the compact base-distribution file); variant pass
// (reads that file: same tokens, KL divergence against the base). Optionally a second model decoded in
// lockstep gives the exact full-vocabulary KLD, to measure the error of the compact format.
// Log-softmax runs in C++ on worker threads; JS receives per-position figures, never logits.
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "abortHandle.h"
#include "addon.h"
#include "calibrationText.h"
#include "evaluate.h"
#include "llama.h"
#include "llamaHandles.h"
#include "options.h"
#include "partialFile.h"
#include "promiseWorker.h"

namespace cwb {

namespace {

struct EvaluateJob {
  std::string modelPath;
  std::string textPath;
  std::string basePath;       // variant pass: read
  std::string writeBasePath;  // base pass: write
  std::string exactBaseModelPath;
  int32_t nCtx = 512;
  int32_t nChunks = -1;
  int32_t nBatch = 2048;
  int32_t nUbatch = 512;
  int32_t threads = 0;     // 0: every hardware thread
  int32_t gpuLayers = -2;  // -2: library default
  uint32_t topKMax = 64;
  float topMass = 0.999f;
  uint32_t tailSamples = 64;
  int32_t scoreFrom = -1;  // first scored position; -1: the second half of each chunk, as llama-perplexity
};

struct EvaluateResult {
  int32_t nVocab = 0;
  int32_t nCtx = 0;
  int32_t nChunk = 0;
  int32_t nScored = 0;
  size_t nTokens = 0;
  bool addBos = false;
  std::vector<double> nll, baseNll, kld, kldExact;
  std::vector<uint8_t> sameTop;
  // base pass: file statistics
  size_t baseBytes = 0;
  double sumK = 0, sumRest = 0, maxRest = 0;
  double loadMs = 0, tokenizeMs = 0, evalMs = 0, decodeMs = 0;
};

using Clock = std::chrono::steady_clock;
double MsSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

std::vector<llama_token> Tokenize(const llama_vocab* vocab, const std::string& text) {
  // One pass, as llama.cpp's common_tokenize (a count-then-fill call tokenized a 684 KB text twice).
  std::vector<llama_token> tokens = TokenizeLikeCommon(vocab, text, true, false);
  if (tokens.empty() && !text.empty()) throw std::runtime_error("tokenization failed");
  return tokens;
}

// Runs fn(i) for i in [0, n) on `threads` threads (the caller's included).
template <typename Fn>
void ParallelFor(int n, int threads, Fn fn) {
  std::atomic<int> next{0};
  auto work = [&]() {
    for (int i = next++; i < n; i = next++) fn(i);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads && t < n; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

Napi::Float64Array ToArray(Napi::Env env, const std::vector<double>& v) {
  auto a = Napi::Float64Array::New(env, v.size());
  std::copy(v.begin(), v.end(), a.Data());
  return a;
}

class EvaluateWorker : public AbortableWorker {
 public:
  EvaluateWorker(Napi::Env env, EvaluateJob job, Napi::Value onEvent, std::shared_ptr<AbortFlag> abort)
      : AbortableWorker(env, onEvent, std::move(abort)), job_(std::move(job)) {}

  Napi::Value Result(Napi::Env env) override {
    Napi::Object r = Napi::Object::New(env);
    r.Set("nVocab", result_.nVocab);
    r.Set("nCtx", result_.nCtx);
    r.Set("nChunks", result_.nChunk);
    r.Set("nScoredPerChunk", result_.nScored);
    r.Set("nTokens", static_cast<double>(result_.nTokens));
    r.Set("addBos", result_.addBos);
    r.Set("nll", ToArray(env, result_.nll));
    if (!result_.baseNll.empty()) r.Set("baseNll", ToArray(env, result_.baseNll));
    if (!result_.kld.empty()) r.Set("kld", ToArray(env, result_.kld));
    if (!result_.kldExact.empty()) r.Set("kldExact", ToArray(env, result_.kldExact));
    if (!result_.sameTop.empty()) {
      auto a = Napi::Uint8Array::New(env, result_.sameTop.size());
      std::copy(result_.sameTop.begin(), result_.sameTop.end(), a.Data());
      r.Set("sameTop", a);
    }
    if (!job_.writeBasePath.empty()) {
      Napi::Object b = Napi::Object::New(env);
      const double n = static_cast<double>(result_.nll.size());
      b.Set("path", job_.writeBasePath);
      b.Set("bytes", static_cast<double>(result_.baseBytes));
      b.Set("meanK", n > 0 ? result_.sumK / n : 0);
      b.Set("meanRestMass", n > 0 ? result_.sumRest / n : 0);
      b.Set("maxRestMass", result_.maxRest);
      b.Set("kMax", job_.topKMax);
      b.Set("massTarget", job_.topMass);
      b.Set("tailSamples", job_.tailSamples);
      r.Set("baseFile", b);
    }
    Napi::Object t = Napi::Object::New(env);
    t.Set("loadMs", result_.loadMs);
    t.Set("tokenizeMs", result_.tokenizeMs);
    t.Set("evalMs", result_.evalMs);
    t.Set("decodeMs", result_.decodeMs);
    r.Set("timings", t);
    return r;
  }

 private:
  ModelPtr LoadModel(const std::string& path) const {
    llama_model_params mp = llama_model_default_params();
    if (job_.gpuLayers != -2) mp.n_gpu_layers = job_.gpuLayers;
    return LoadModelOrThrow(path, mp);
  }

  ContextPtr NewContext(llama_model* model, const std::string& path, int32_t nCtxTotal, int32_t nBatch, int32_t nSeq, int32_t threads) const {
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = static_cast<uint32_t>(nCtxTotal);
    cp.n_batch = static_cast<uint32_t>(nBatch);
    cp.n_ubatch = static_cast<uint32_t>(std::min(job_.nUbatch, nBatch));
    cp.n_seq_max = static_cast<uint32_t>(nSeq);
    ApplyThreads(cp, threads);
    cp.kv_unified = false;
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_AUTO;
    AttachAbort(cp);
    return NewContextOrThrow(model, cp, path);
  }

  // The tokens of the text: with a chunk limit only nChunks * nCtx tokens are used, so a prefix of the
  // text that yields them with a margin is tokenized (tokens far from the cut are those of the whole
  // text: pre-tokenizer splits and merges are local), else the whole text. Tokenizing a 684 KB text
  // took 0.65 s, a good part of a base pass over 16 x 256 tokens.
  std::vector<llama_token> TextTokens(const llama_vocab* vocab, int32_t nCtx) const {
    const std::string text = ReadCalibrationText(job_.textPath);
    if (nCtx < 4) throw std::runtime_error("context must be at least 4 tokens");
    if (job_.nChunks > 0) {
      const size_t needed = static_cast<size_t>(job_.nChunks) * nCtx;
      const size_t margin = 256;
      size_t prefix = std::min(text.size(), (needed + margin) * 8 + 4096);
      // Cut at a line break so the cut never splits a word or a UTF-8 sequence.
      const size_t nl = prefix < text.size() ? text.rfind('\n', prefix) : std::string::npos;
      if (prefix < text.size() && nl != std::string::npos && nl > prefix / 2) prefix = nl + 1;
      if (prefix < text.size()) {
        std::vector<llama_token> tokens = Tokenize(vocab, text.substr(0, prefix));
        if (tokens.size() >= needed + margin) {
          tokens.resize(needed);
          return tokens;
        }
      }
    }
    return Tokenize(vocab, text);
  }

  void Run() override {
    const auto loadStarted = Clock::now();
    const int32_t threads = job_.threads > 0 ? job_.threads : static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
    const ModelPtr model = LoadModel(job_.modelPath);
    ModelPtr exactModel;
    if (!job_.exactBaseModelPath.empty()) exactModel = LoadModel(job_.exactBaseModelPath);
    result_.loadMs = MsSince(loadStarted);

    const llama_vocab* vocab = llama_model_get_vocab(model.get());
    const int32_t nVocab = llama_vocab_n_tokens(vocab);
    const bool addBos = llama_vocab_get_add_bos(vocab);
    if (llama_vocab_get_add_eos(vocab)) throw std::runtime_error(job_.modelPath + ": the vocabulary adds EOS; perplexity chunking does not support it");
    if (exactModel && llama_vocab_n_tokens(llama_model_get_vocab(exactModel.get())) != nVocab) {
      throw std::runtime_error(job_.exactBaseModelPath + ": vocabulary size differs from the evaluated model");
    }

    // Tokens: from the base file in a variant pass (identical tokens), else from the text.
    const auto tokenizeStarted = Clock::now();
    std::unique_ptr<BaseFile> base;
    std::vector<llama_token> tokens;
    int32_t nCtx = job_.nCtx;
    int32_t nChunk = 0;
    if (!job_.basePath.empty()) {
      base = std::make_unique<BaseFile>(ReadBaseFile(job_.basePath));
      if (static_cast<int32_t>(base->header.nVocab) != nVocab) {
        throw std::runtime_error(job_.basePath + ": base vocabulary has " + std::to_string(base->header.nVocab) + " tokens, " + job_.modelPath +
                                 " has " + std::to_string(nVocab));
      }
      nCtx = static_cast<int32_t>(base->header.nCtx);
      nChunk = static_cast<int32_t>(base->header.nChunk);
      tokens.assign(base->tokens.begin(), base->tokens.end());
    } else {
      tokens = TextTokens(vocab, nCtx);
      if (static_cast<int32_t>(tokens.size()) < 2 * nCtx) {
        throw std::runtime_error(job_.textPath + ": tokenizes to " + std::to_string(tokens.size()) + " tokens; at least " +
                                 std::to_string(2 * nCtx) + " are needed for a context of " + std::to_string(nCtx));
      }
      const int32_t nChunkMax = static_cast<int32_t>(tokens.size()) / nCtx;
      nChunk = job_.nChunks < 0 ? nChunkMax : std::min(job_.nChunks, nChunkMax);
      if (nChunk < 1) throw std::runtime_error("no chunk to evaluate");
    }
    result_.tokenizeMs = MsSince(tokenizeStarted);
    result_.nTokens = tokens.size();

    // Sequences per decode as llama-perplexity: nSeq = nBatch / nCtx, context = nSeq * nCtx.
    int32_t nBatch = job_.nBatch;
    if (!(nBatch < nCtx || nBatch % nCtx == 0)) {
      throw std::runtime_error("batch size " + std::to_string(nBatch) + " must be below the context " + std::to_string(nCtx) + " or a multiple of it");
    }
    const int32_t nSeq = std::max(1, nBatch / nCtx);
    const int32_t nCtxTotal = nSeq * nCtx;
    nBatch = std::min(nBatch, nCtxTotal);
    const int32_t numBatches = (nCtx + nBatch - 1) / nBatch;
    // A variant pass scores what its base file scored (distillation teachers score from position 0).
    const int32_t first = base ? nCtx - 1 - static_cast<int32_t>(base->header.nScored)
                               : (job_.scoreFrom >= 0 ? std::min(job_.scoreFrom, nCtx - 2) : nCtx / 2);
    const int32_t nScored = nCtx - 1 - first;

    const ContextPtr ctx = NewContext(model.get(), job_.modelPath, nCtxTotal, nBatch, nSeq, threads);
    ContextPtr exactCtx;
    if (exactModel) exactCtx = NewContext(exactModel.get(), job_.exactBaseModelPath, nCtxTotal, nBatch, nSeq, threads);

    result_.nVocab = nVocab;
    result_.nCtx = nCtx;
    result_.nChunk = nChunk;
    result_.nScored = nScored;
    result_.addBos = addBos;
    const size_t nPositions = static_cast<size_t>(nChunk) * nScored;
    result_.nll.assign(nPositions, 0.0);
    if (base) {
      result_.baseNll.assign(nPositions, 0.0);
      result_.kld.assign(nPositions, 0.0);
      result_.sameTop.assign(nPositions, 0);
    }
    if (exactCtx) result_.kldExact.assign(nPositions, 0.0);

    // Base pass: records go to a partial file renamed into place only when complete.
    std::unique_ptr<PartialFile> baseFile;
    FilePtr baseOut;
    if (!job_.writeBasePath.empty()) {
      baseFile = std::make_unique<PartialFile>(job_.writeBasePath);
      baseOut.reset(std::fopen(baseFile->Path().c_str(), "wb"));
      if (!baseOut) throw std::runtime_error(baseFile->Path() + ": cannot create the base distribution file");
      BaseHeader h;
      h.nVocab = nVocab;
      h.nCtx = nCtx;
      h.nChunk = nChunk;
      h.nScored = nScored;
      h.kMax = job_.topKMax;
      h.massTarget = job_.topMass;
      h.tailSamples = job_.tailSamples;
      h.addBos = addBos;
      h.bos = llama_vocab_bos(vocab);
      std::vector<int32_t> stored(tokens.begin(), tokens.begin() + static_cast<size_t>(nCtx) * nChunk);
      WriteBaseHeader(baseOut.get(), h, stored);
      result_.baseBytes = kBaseHeaderBytes + stored.size() * 4;
    }

    BatchHandle batch(std::min(nBatch, nCtxTotal));
    struct Row {
      int32_t batchIndex;
      size_t position;  // index into the per-position outputs
      int32_t target;
    };
    std::vector<BaseRecord> records;

    const auto evalStarted = Clock::now();
    events_.Steps(0, nChunk, ChunkMessage(0, nChunk));
    for (int32_t i = 0; i < nChunk; i += nSeq) {
      const int32_t nSeqBatch = std::min(nSeq, nChunk - i);
      llama_memory_clear(llama_get_memory(ctx.get()), true);
      if (exactCtx) llama_memory_clear(llama_get_memory(exactCtx.get()), true);
      if (baseOut) records.assign(static_cast<size_t>(nSeqBatch) * nScored, BaseRecord{});

      for (int32_t j = 0; j < numBatches; ++j) {
        const int32_t batchStart = j * nBatch;
        const int32_t batchSize = std::min(nCtx - batchStart, nBatch);
        std::vector<Row> rows;
        batch.Clear();
        for (int32_t seq = 0; seq < nSeqBatch; ++seq) {
          const int32_t chunk = i + seq;
          const size_t chunkStart = static_cast<size_t>(chunk) * nCtx;
          for (int32_t k = 0; k < batchSize; ++k) {
            const int32_t pos = batchStart + k;
            const llama_token token = addBos && pos == 0 ? llama_vocab_bos(vocab) : tokens[chunkStart + pos];
            const int32_t index = batch.Add(token, pos, seq, pos >= first);
            if (pos >= first && pos < nCtx - 1) {
              rows.push_back({index, static_cast<size_t>(chunk) * nScored + (pos - first), tokens[chunkStart + pos + 1]});
            }
          }
        }
        const auto decodeStarted = Clock::now();
        if (llama_decode(ctx.get(), batch.get()) != 0) {
          ThrowIfAborted("evaluation");
          throw std::runtime_error(job_.modelPath + ": llama_decode failed");
        }
        if (exactCtx && llama_decode(exactCtx.get(), batch.get()) != 0) {
          ThrowIfAborted("evaluation");
          throw std::runtime_error(job_.exactBaseModelPath + ": llama_decode failed");
        }
        const size_t groupBase = static_cast<size_t>(i) * nScored;
        // llama_get_logits_ith synchronizes and may reorder outputs on first use: not thread-safe, so
        // every row pointer is fetched here before the parallel part.
        std::vector<const float*> rowLogits(rows.size()), rowBaseLogits(exactCtx ? rows.size() : 0);
        for (size_t r = 0; r < rows.size(); ++r) {
          rowLogits[r] = llama_get_logits_ith(ctx.get(), rows[r].batchIndex);
          if (exactCtx) rowBaseLogits[r] = llama_get_logits_ith(exactCtx.get(), rows[r].batchIndex);
          if (!rowLogits[r] || (exactCtx && !rowBaseLogits[r])) throw std::runtime_error("no logits for a scored position");
        }
        result_.decodeMs += MsSince(decodeStarted);  // includes the wait for the outputs (llama_get_logits_ith synchronizes)
        ParallelFor(static_cast<int>(rows.size()), threads, [&](int r) {
          const Row& row = rows[r];
          const float* logits = rowLogits[r];
          const RowNorm norm = NormalizeRow(logits, nVocab);
          result_.nll[row.position] = static_cast<double>(norm.maxLogit) + norm.logSumExp - logits[row.target];
          if (baseOut) {
            thread_local std::vector<int32_t> order;
            thread_local std::vector<uint8_t> mask;
            BuildBaseRecord(logits, nVocab, norm, row.target, job_.topKMax, job_.topMass, job_.tailSamples, order, mask,
                            records[row.position - groupBase]);
          }
          if (base) {
            const BaseFile::View b = base->Record(row.position);
            const RowVersusBase v = CompareWithBase(logits, norm, b);
            result_.baseNll[row.position] = b.nll;
            result_.kld[row.position] = v.kld;
            result_.sameTop[row.position] = v.sameTop ? 1 : 0;
          }
          if (exactCtx) {
            const float* baseLogits = rowBaseLogits[r];
            const RowNorm baseNorm = NormalizeRow(baseLogits, nVocab);
            result_.kldExact[row.position] = ExactKld(baseLogits, baseNorm, logits, norm, nVocab);
          }
        });
      }

      if (baseOut) {
        for (const BaseRecord& rec : records) {
          result_.baseBytes += WriteBaseRecord(baseOut.get(), rec);
          result_.sumK += rec.k;
          result_.sumRest += rec.rest;
          result_.maxRest = std::max(result_.maxRest, static_cast<double>(rec.rest));
        }
        if (std::ferror(baseOut.get())) throw std::runtime_error(baseFile->Path() + ": write failed (disk full?)");
      }
      ThrowIfAborted("evaluation");
      events_.Steps(i + nSeqBatch, nChunk, ChunkMessage(i + nSeqBatch, nChunk));
    }
    result_.evalMs = MsSince(evalStarted);

    if (baseOut) {
      if (!CloseChecked(baseOut)) throw std::runtime_error(baseFile->Path() + ": write failed (disk full?)");
      if (!baseFile->Commit()) throw std::runtime_error(job_.writeBasePath + ": cannot move the finished file into place");
    }
  }

  static std::string ChunkMessage(int32_t done, int32_t total) { return "chunk " + std::to_string(done) + "/" + std::to_string(total); }

  EvaluateJob job_;
  EvaluateResult result_;
};

Napi::Value Evaluate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "evaluate(options, onEvent?) needs an options object");
  const OptionReader o(info[0].As<Napi::Object>(), "evaluate");
  EvaluateJob job;
  job.modelPath = o.String("modelPath", "");
  job.textPath = o.String("textPath", "");
  job.basePath = o.String("basePath", "");
  job.writeBasePath = o.String("writeBasePath", "");
  job.exactBaseModelPath = o.String("exactBaseModelPath", "");
  job.nCtx = o.Int("nCtx", job.nCtx);
  job.nChunks = o.Int("nChunks", job.nChunks);
  job.nBatch = o.Int("nBatch", job.nBatch);
  job.nUbatch = o.Int("nUbatch", job.nUbatch);
  job.threads = o.Int("nThreads", job.threads);
  job.gpuLayers = o.Int("nGpuLayers", job.gpuLayers);
  job.topKMax = static_cast<uint32_t>(o.Int("topKMax", 64));
  job.topMass = static_cast<float>(o.Number("topMass", 0.999));
  job.tailSamples = static_cast<uint32_t>(o.Int("tailSamples", 64));
  job.scoreFrom = o.Int("scoreFrom", job.scoreFrom);
  if (job.modelPath.empty()) throw Napi::TypeError::New(env, "evaluate: modelPath is required");
  if (job.basePath.empty() && job.textPath.empty()) throw Napi::TypeError::New(env, "evaluate: textPath or basePath is required");
  if (!job.basePath.empty() && !job.writeBasePath.empty()) throw Napi::TypeError::New(env, "evaluate: basePath and writeBasePath exclude each other");
  if (job.topKMax < 1 || job.topKMax > 65535) throw Napi::RangeError::New(env, "evaluate: topKMax must be in 1..65535");
  if (job.tailSamples > 65535) throw Napi::RangeError::New(env, "evaluate: tailSamples must be in 0..65535");
  if (job.nBatch < 1 || job.nUbatch < 1) throw Napi::RangeError::New(env, "evaluate: nBatch and nUbatch must be positive");

  auto abort = std::make_shared<AbortFlag>();
  auto* worker = new EvaluateWorker(env, std::move(job), info.Length() > 1 ? info[1] : env.Undefined(), abort);
  return QueueAbortable(env, worker, abort);
}

}  // namespace

void RegisterEvaluate(Napi::Env env, Napi::Object exports) {
  exports.Set("evaluate", Napi::Function::New(env, Evaluate, "evaluate"));
}

}  // namespace cwb
