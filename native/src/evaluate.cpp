// evaluate(options, onProgress?) -> { promise, abort }: perplexity of one model over a text, chunked exactly
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
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include "abortHandle.h"
#include "addon.h"
#include "calibrationText.h"
#include "evaluate.h"
#include "llama.h"
#include "options.h"

namespace cwb {

namespace {

struct EvalOptions {
  std::string model_path;
  std::string text_path;
  std::string base_path;        // variant pass: read
  std::string write_base_path;  // base pass: write
  std::string exact_base_model_path;
  int n_ctx = 512;
  int n_chunks = -1;
  int n_batch = 2048;
  int n_ubatch = 512;
  int n_threads = 0;
  int n_gpu_layers = -2;  // -2: library default
  uint32_t k_max = 64;
  float mass_target = 0.999f;
  uint32_t tail_samples = 64;
};

struct ProgressData {
  int chunks_done;
  int chunks;
  double elapsed_ms;
};

struct EvalOutput {
  int n_vocab = 0;
  int n_ctx = 0;
  int n_chunk = 0;
  int n_scored = 0;
  size_t n_tokens = 0;
  bool add_bos = false;
  std::vector<double> nll, base_nll, kld, kld_exact;
  std::vector<uint8_t> same_top;
  // base pass: file statistics
  size_t base_bytes = 0;
  double sum_k = 0, sum_rest = 0, max_rest = 0;
  double load_ms = 0, tokenize_ms = 0, eval_ms = 0, decode_ms = 0;
};

using Clock = std::chrono::steady_clock;
double MsSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

struct ModelDeleter { void operator()(llama_model* m) const { llama_model_free(m); } };
struct ContextDeleter { void operator()(llama_context* c) const { llama_free(c); } };
using ModelPtr = std::unique_ptr<llama_model, ModelDeleter>;
using ContextPtr = std::unique_ptr<llama_context, ContextDeleter>;

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open the text file");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // llama-perplexity's -f drops one trailing newline; do the same so the tokens are identical.
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

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

class EvaluateWorker : public Napi::AsyncWorker {
 public:
  EvaluateWorker(Napi::Env env, EvalOptions opts, std::shared_ptr<AbortFlag> abort, Napi::Function progress)
      : Napi::AsyncWorker(env, "cwbEvaluate"), opts_(std::move(opts)), abort_(std::move(abort)),
        deferred_(Napi::Promise::Deferred::New(env)) {
    if (!progress.IsEmpty()) {
      progress_ = Napi::ThreadSafeFunction::New(env, progress, "cwbEvaluateProgress", 0, 1);
      has_progress_ = true;
    }
  }

  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      Run();
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }

  void OnOK() override {
    Release();
    Napi::Env env = Env();
    Napi::Object r = Napi::Object::New(env);
    r.Set("nVocab", out_.n_vocab);
    r.Set("nCtx", out_.n_ctx);
    r.Set("nChunks", out_.n_chunk);
    r.Set("nScoredPerChunk", out_.n_scored);
    r.Set("nTokens", static_cast<double>(out_.n_tokens));
    r.Set("addBos", out_.add_bos);
    r.Set("nll", ToArray(env, out_.nll));
    if (!out_.base_nll.empty()) r.Set("baseNll", ToArray(env, out_.base_nll));
    if (!out_.kld.empty()) r.Set("kld", ToArray(env, out_.kld));
    if (!out_.kld_exact.empty()) r.Set("kldExact", ToArray(env, out_.kld_exact));
    if (!out_.same_top.empty()) {
      auto a = Napi::Uint8Array::New(env, out_.same_top.size());
      std::copy(out_.same_top.begin(), out_.same_top.end(), a.Data());
      r.Set("sameTop", a);
    }
    if (!opts_.write_base_path.empty()) {
      Napi::Object b = Napi::Object::New(env);
      const double n = static_cast<double>(out_.nll.size());
      b.Set("path", opts_.write_base_path);
      b.Set("bytes", static_cast<double>(out_.base_bytes));
      b.Set("meanK", n > 0 ? out_.sum_k / n : 0);
      b.Set("meanRestMass", n > 0 ? out_.sum_rest / n : 0);
      b.Set("maxRestMass", out_.max_rest);
      b.Set("kMax", opts_.k_max);
      b.Set("massTarget", opts_.mass_target);
      b.Set("tailSamples", opts_.tail_samples);
      r.Set("baseFile", b);
    }
    Napi::Object t = Napi::Object::New(env);
    t.Set("loadMs", out_.load_ms);
    t.Set("tokenizeMs", out_.tokenize_ms);
    t.Set("evalMs", out_.eval_ms);
    t.Set("decodeMs", out_.decode_ms);
    r.Set("timings", t);
    deferred_.Resolve(r);
  }

  void OnError(const Napi::Error& e) override {
    Release();
    Napi::Error err = Napi::Error::New(Env(), e.Message());
    if (abort_->set.load()) err.Set("code", "ABORTED");
    deferred_.Reject(err.Value());
  }

 private:
  static Napi::Float64Array ToArray(Napi::Env env, const std::vector<double>& v) {
    auto a = Napi::Float64Array::New(env, v.size());
    std::copy(v.begin(), v.end(), a.Data());
    return a;
  }

  void Release() {
    if (has_progress_) {
      progress_.Release();
      has_progress_ = false;
    }
  }

  void Report(int done, int total, Clock::time_point started) {
    if (!has_progress_) return;
    auto* data = new ProgressData{done, total, MsSince(started)};
    napi_status status = progress_.BlockingCall(data, [](Napi::Env env, Napi::Function fn, ProgressData* d) {
      Napi::Object p = Napi::Object::New(env);
      p.Set("chunksDone", d->chunks_done);
      p.Set("chunks", d->chunks);
      p.Set("elapsedMs", d->elapsed_ms);
      delete d;
      try {
        fn.Call({p});
      } catch (...) {
        // a throwing listener must not take the evaluation down
      }
    });
    if (status != napi_ok) delete data;
  }

  ModelPtr LoadModel(const std::string& path) {
    llama_model_params mp = llama_model_default_params();
    if (opts_.n_gpu_layers != -2) mp.n_gpu_layers = opts_.n_gpu_layers;
    llama_model* m = llama_model_load_from_file(path.c_str(), mp);
    if (!m) throw std::runtime_error(path + ": failed to load the model");
    return ModelPtr(m);
  }

  ContextPtr MakeContext(llama_model* model, int n_ctx_total, int n_batch, int n_seq, int threads) {
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = static_cast<uint32_t>(n_ctx_total);
    cp.n_batch = static_cast<uint32_t>(n_batch);
    cp.n_ubatch = static_cast<uint32_t>(std::min(opts_.n_ubatch, n_batch));
    cp.n_seq_max = static_cast<uint32_t>(n_seq);
    cp.n_threads = threads;
    cp.n_threads_batch = threads;
    cp.kv_unified = false;
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_AUTO;
    cp.abort_callback = AbortRequested;
    cp.abort_callback_data = abort_.get();
    llama_context* c = llama_init_from_model(model, cp);
    if (!c) throw std::runtime_error("failed to create a llama context (n_ctx " + std::to_string(n_ctx_total) + ")");
    return ContextPtr(c);
  }

  void Run() {
    const auto t_load = Clock::now();
    const int threads = opts_.n_threads > 0 ? opts_.n_threads : std::max(1u, std::thread::hardware_concurrency());
    ModelPtr model = LoadModel(opts_.model_path);
    ModelPtr exact_model;
    if (!opts_.exact_base_model_path.empty()) exact_model = LoadModel(opts_.exact_base_model_path);
    out_.load_ms = MsSince(t_load);

    const llama_vocab* vocab = llama_model_get_vocab(model.get());
    const int n_vocab = llama_vocab_n_tokens(vocab);
    const bool add_bos = llama_vocab_get_add_bos(vocab);
    if (llama_vocab_get_add_eos(vocab)) throw std::runtime_error(opts_.model_path + ": the vocabulary adds EOS; perplexity chunking does not support it");
    if (exact_model && llama_vocab_n_tokens(llama_model_get_vocab(exact_model.get())) != n_vocab) {
      throw std::runtime_error(opts_.exact_base_model_path + ": vocabulary size differs from the evaluated model");
    }

    // Tokens: from the base file in a variant pass (identical tokens), else from the text.
    const auto t_tok = Clock::now();
    std::unique_ptr<BaseFile> base;
    std::vector<llama_token> tokens;
    int n_ctx = opts_.n_ctx;
    int n_chunk = 0;
    if (!opts_.base_path.empty()) {
      base = std::make_unique<BaseFile>(ReadBaseFile(opts_.base_path));
      if (static_cast<int>(base->header.n_vocab) != n_vocab) {
        throw std::runtime_error(opts_.base_path + ": base vocabulary has " + std::to_string(base->header.n_vocab) +
                                 " tokens, " + opts_.model_path + " has " + std::to_string(n_vocab));
      }
      n_ctx = static_cast<int>(base->header.n_ctx);
      n_chunk = static_cast<int>(base->header.n_chunk);
      tokens.assign(base->tokens.begin(), base->tokens.end());
    } else {
      const std::string text = ReadText(opts_.text_path);
      if (n_ctx < 4) throw std::runtime_error("context must be at least 4 tokens");
      // With a chunk limit only n_chunks * n_ctx tokens are used: tokenize a prefix of the text that
      // yields them with a margin (tokens far from the cut are those of the whole text: pre-tokenizer
      // splits and merges are local), falling back to the whole text when the prefix is too short.
      // Tokenizing a 684 KB text took 0.65 s, a good part of a base pass over 16 x 256 tokens.
      if (opts_.n_chunks > 0) {
        const size_t needed = static_cast<size_t>(opts_.n_chunks) * n_ctx;
        const size_t margin = 256;
        size_t prefix = std::min(text.size(), (needed + margin) * 8 + 4096);
        // Cut at a line break so the cut never splits a word or a UTF-8 sequence.
        const size_t nl = prefix < text.size() ? text.rfind('\n', prefix) : std::string::npos;
        if (prefix < text.size() && nl != std::string::npos && nl > prefix / 2) prefix = nl + 1;
        if (prefix < text.size()) {
          tokens = Tokenize(vocab, text.substr(0, prefix));
          if (tokens.size() >= needed + margin) tokens.resize(needed);
          else tokens.clear();
        }
      }
      if (tokens.empty()) tokens = Tokenize(vocab, text);
      if (static_cast<int>(tokens.size()) < 2 * n_ctx) {
        throw std::runtime_error(opts_.text_path + ": tokenizes to " + std::to_string(tokens.size()) + " tokens; at least " +
                                 std::to_string(2 * n_ctx) + " are needed for a context of " + std::to_string(n_ctx));
      }
      const int n_chunk_max = static_cast<int>(tokens.size()) / n_ctx;
      n_chunk = opts_.n_chunks < 0 ? n_chunk_max : std::min(opts_.n_chunks, n_chunk_max);
      if (n_chunk < 1) throw std::runtime_error("no chunk to evaluate");
    }
    out_.tokenize_ms = MsSince(t_tok);
    out_.n_tokens = tokens.size();

    // Sequences per decode as llama-perplexity: n_seq = n_batch / n_ctx, context = n_seq * n_ctx.
    int n_batch = opts_.n_batch;
    if (!(n_batch < n_ctx || n_batch % n_ctx == 0)) {
      throw std::runtime_error("batch size " + std::to_string(n_batch) + " must be below the context " + std::to_string(n_ctx) + " or a multiple of it");
    }
    const int n_seq = std::max(1, n_batch / n_ctx);
    const int n_ctx_total = n_seq * n_ctx;
    n_batch = std::min(n_batch, n_ctx_total);
    const int num_batches = (n_ctx + n_batch - 1) / n_batch;
    const int first = n_ctx / 2;
    const int n_scored = n_ctx - 1 - first;

    ContextPtr ctx = MakeContext(model.get(), n_ctx_total, n_batch, n_seq, threads);
    ContextPtr exact_ctx;
    if (exact_model) exact_ctx = MakeContext(exact_model.get(), n_ctx_total, n_batch, n_seq, threads);

    out_.n_vocab = n_vocab;
    out_.n_ctx = n_ctx;
    out_.n_chunk = n_chunk;
    out_.n_scored = n_scored;
    out_.add_bos = add_bos;
    const size_t n_positions = static_cast<size_t>(n_chunk) * n_scored;
    out_.nll.assign(n_positions, 0.0);
    if (base) {
      out_.base_nll.assign(n_positions, 0.0);
      out_.kld.assign(n_positions, 0.0);
      out_.same_top.assign(n_positions, 0);
    }
    if (exact_ctx) out_.kld_exact.assign(n_positions, 0.0);

    // Base pass: records go to a temporary file renamed into place only when complete.
    std::FILE* base_out = nullptr;
    const std::string temp_path = opts_.write_base_path.empty() ? "" : opts_.write_base_path + ".partial";
    struct FileCloser {
      std::FILE*& f;
      const std::string& temp;
      bool keep = false;
      ~FileCloser() {
        if (f) std::fclose(f);
        if (!keep && !temp.empty()) std::remove(temp.c_str());
      }
    } closer{base_out, temp_path};
    if (!temp_path.empty()) {
      base_out = std::fopen(temp_path.c_str(), "wb");
      if (!base_out) throw std::runtime_error(temp_path + ": cannot create the base distribution file");
      BaseHeader h;
      h.n_vocab = n_vocab;
      h.n_ctx = n_ctx;
      h.n_chunk = n_chunk;
      h.n_scored = n_scored;
      h.k_max = opts_.k_max;
      h.mass_target = opts_.mass_target;
      h.tail_samples = opts_.tail_samples;
      h.add_bos = add_bos;
      h.bos = llama_vocab_bos(vocab);
      std::vector<int32_t> stored(tokens.begin(), tokens.begin() + static_cast<size_t>(n_ctx) * n_chunk);
      WriteBaseHeader(base_out, h, stored);
      out_.base_bytes = kBaseHeaderBytes + stored.size() * 4;
    }

    llama_batch batch = llama_batch_init(std::min(n_batch, n_ctx_total), 0, 1);
    struct BatchFree {
      llama_batch& b;
      ~BatchFree() { llama_batch_free(b); }
    } batch_free{batch};

    struct Row {
      int batch_index;
      size_t position;  // index into the per-position outputs
      int target;
    };
    std::vector<BaseRecord> records;

    const auto t_eval = Clock::now();
    Report(0, n_chunk, t_eval);
    for (int i = 0; i < n_chunk; i += n_seq) {
      const int n_seq_batch = std::min(n_seq, n_chunk - i);
      llama_memory_clear(llama_get_memory(ctx.get()), true);
      if (exact_ctx) llama_memory_clear(llama_get_memory(exact_ctx.get()), true);
      if (base_out) records.assign(static_cast<size_t>(n_seq_batch) * n_scored, BaseRecord{});

      for (int j = 0; j < num_batches; ++j) {
        const int batch_start = j * n_batch;
        const int batch_size = std::min(n_ctx - batch_start, n_batch);
        std::vector<Row> rows;
        batch.n_tokens = 0;
        for (int seq = 0; seq < n_seq_batch; ++seq) {
          const int chunk = i + seq;
          const size_t chunk_start = static_cast<size_t>(chunk) * n_ctx;
          for (int k = 0; k < batch_size; ++k) {
            const int pos = batch_start + k;
            const int idx = batch.n_tokens;
            llama_token tok = tokens[chunk_start + pos];
            if (add_bos && pos == 0) tok = llama_vocab_bos(vocab);
            batch.token[idx] = tok;
            batch.pos[idx] = pos;
            batch.n_seq_id[idx] = 1;
            batch.seq_id[idx][0] = seq;
            batch.logits[idx] = pos >= first ? 1 : 0;
            batch.n_tokens++;
            if (pos >= first && pos < n_ctx - 1) {
              rows.push_back({idx, static_cast<size_t>(chunk) * n_scored + (pos - first), tokens[chunk_start + pos + 1]});
            }
          }
        }
        const auto t_decode = Clock::now();
        if (llama_decode(ctx.get(), batch) != 0) {
          if (abort_->set.load()) throw std::runtime_error("evaluation aborted");
          throw std::runtime_error(opts_.model_path + ": llama_decode failed");
        }
        if (exact_ctx && llama_decode(exact_ctx.get(), batch) != 0) {
          if (abort_->set.load()) throw std::runtime_error("evaluation aborted");
          throw std::runtime_error(opts_.exact_base_model_path + ": llama_decode failed");
        }
        const size_t group_base = static_cast<size_t>(i) * n_scored;
        // llama_get_logits_ith synchronizes and may reorder outputs on first use: not thread-safe, so
        // every row pointer is fetched here before the parallel part.
        std::vector<const float*> row_logits(rows.size()), row_base_logits(exact_ctx ? rows.size() : 0);
        for (size_t r = 0; r < rows.size(); ++r) {
          row_logits[r] = llama_get_logits_ith(ctx.get(), rows[r].batch_index);
          if (exact_ctx) row_base_logits[r] = llama_get_logits_ith(exact_ctx.get(), rows[r].batch_index);
          if (!row_logits[r] || (exact_ctx && !row_base_logits[r])) throw std::runtime_error("no logits for a scored position");
        }
        out_.decode_ms += MsSince(t_decode);  // includes the wait for the outputs (llama_get_logits_ith synchronizes)
        ParallelFor(static_cast<int>(rows.size()), threads, [&](int r) {
          const Row& row = rows[r];
          const float* logits = row_logits[r];
          const RowNorm norm = NormalizeRow(logits, n_vocab);
          out_.nll[row.position] = static_cast<double>(norm.max_logit) + norm.log_sum_exp - logits[row.target];
          if (base_out) {
            thread_local std::vector<int32_t> order;
            thread_local std::vector<uint8_t> mask;
            BuildBaseRecord(logits, n_vocab, norm, row.target, opts_.k_max, opts_.mass_target, opts_.tail_samples, order, mask,
                            records[row.position - group_base]);
          }
          if (base) {
            const BaseFile::View b = base->record(row.position);
            const RowVersusBase v = CompareWithBase(logits, norm, b);
            out_.base_nll[row.position] = b.nll;
            out_.kld[row.position] = v.kld;
            out_.same_top[row.position] = v.same_top ? 1 : 0;
          }
          if (exact_ctx) {
            const float* base_logits = row_base_logits[r];
            const RowNorm base_norm = NormalizeRow(base_logits, n_vocab);
            out_.kld_exact[row.position] = ExactKld(base_logits, base_norm, logits, norm, n_vocab);
          }
        });
      }

      if (base_out) {
        for (const BaseRecord& rec : records) {
          out_.base_bytes += WriteBaseRecord(base_out, rec);
          out_.sum_k += rec.k;
          out_.sum_rest += rec.rest;
          out_.max_rest = std::max(out_.max_rest, static_cast<double>(rec.rest));
        }
        if (std::ferror(base_out)) throw std::runtime_error(temp_path + ": write failed (disk full?)");
      }
      if (abort_->set.load()) throw std::runtime_error("evaluation aborted");
      Report(i + n_seq_batch, n_chunk, t_eval);
    }
    out_.eval_ms = MsSince(t_eval);

    if (base_out) {
      const bool ok = std::fflush(base_out) == 0 && !std::ferror(base_out);
      std::fclose(base_out);
      base_out = nullptr;
      if (!ok) throw std::runtime_error(temp_path + ": write failed (disk full?)");
      if (std::rename(temp_path.c_str(), opts_.write_base_path.c_str()) != 0) {
        throw std::runtime_error(opts_.write_base_path + ": cannot move the finished file into place");
      }
      closer.keep = true;
    }
  }

  EvalOptions opts_;
  std::shared_ptr<AbortFlag> abort_;
  Napi::Promise::Deferred deferred_;
  Napi::ThreadSafeFunction progress_;
  bool has_progress_ = false;
  EvalOutput out_;
};

Napi::Value Evaluate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "evaluate(options, onProgress?) needs an options object");
  const OptionReader o(info[0].As<Napi::Object>(), "evaluate");
  EvalOptions opts;
  opts.model_path = o.String("modelPath", "");
  opts.text_path = o.String("textPath", "");
  opts.base_path = o.String("basePath", "");
  opts.write_base_path = o.String("writeBasePath", "");
  opts.exact_base_model_path = o.String("exactBaseModelPath", "");
  opts.n_ctx = o.Int("nCtx", 512);
  opts.n_chunks = o.Int("nChunks", -1);
  opts.n_batch = o.Int("nBatch", 2048);
  opts.n_ubatch = o.Int("nUbatch", 512);
  opts.n_threads = o.Int("nThreads", 0);
  opts.n_gpu_layers = o.Int("nGpuLayers", -2);
  opts.k_max = static_cast<uint32_t>(o.Int("topKMax", 64));
  opts.mass_target = static_cast<float>(o.Number("topMass", 0.999));
  opts.tail_samples = static_cast<uint32_t>(o.Int("tailSamples", 64));
  if (opts.model_path.empty()) throw Napi::TypeError::New(env, "evaluate: modelPath is required");
  if (opts.base_path.empty() && opts.text_path.empty()) throw Napi::TypeError::New(env, "evaluate: textPath or basePath is required");
  if (!opts.base_path.empty() && !opts.write_base_path.empty()) throw Napi::TypeError::New(env, "evaluate: basePath and writeBasePath exclude each other");
  if (opts.k_max < 1 || opts.k_max > 65535) throw Napi::RangeError::New(env, "evaluate: topKMax must be in 1..65535");
  if (opts.tail_samples > 65535) throw Napi::RangeError::New(env, "evaluate: tailSamples must be in 0..65535");
  if (opts.n_batch < 1 || opts.n_ubatch < 1) throw Napi::RangeError::New(env, "evaluate: nBatch and nUbatch must be positive");

  Napi::Function progress;
  if (info.Length() > 1 && info[1].IsFunction()) progress = info[1].As<Napi::Function>();

  auto abort = std::make_shared<AbortFlag>();
  auto* worker = new EvaluateWorker(env, std::move(opts), abort, progress);
  return QueueAbortable(env, worker, abort);
}

}  // namespace

void RegisterEvaluate(Napi::Env env, Napi::Object exports) {
  exports.Set("evaluate", Napi::Function::New(env, Evaluate, "evaluate"));
}

}  // namespace cwb
