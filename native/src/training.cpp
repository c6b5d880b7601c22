// Training and validation loss through llama.cpp's own optimizer (llama_opt_init / llama_opt_epoch).
// Inputs and labels are separate token arrays (labels are the targets, not derived from the inputs),
// so next-token training and distillation (labels sampled from a teacher) use the same entry point.
//
// One optimizer step = one sequence of n_ctx tokens, evaluated in n_ctx / n_ubatch micro-batches whose
// gradients are accumulated (llama.cpp sets opt_period = n_batch / n_ubatch; n_batch = n_ctx here).
// llama_opt_epoch is called once per step on a one-sequence dataset, so we pick the order (seeded
// shuffle), see every step's loss, and a cancel request stops the run within one step.
// Distillation: with a teacher file the sequences and their soft targets come from it (softTargets.h),
// and a held-out teacher file is scored at intervals (objective, NLL, KL divergence to the teacher).
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <numeric>
#include <random>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "abortHandle.h"
#include "addon.h"
#include "ggml-opt.h"
#include "gradientAccumulators.h"
#include "llama.h"
#include "llamaHandles.h"
#include "options.h"
#include "partialFile.h"
#include "promiseWorker.h"
#include "softTargets.h"
#include "tokenEmbedding.h"

namespace cwb {

struct TrainOptions {
  std::string modelPath;
  std::string outPath;  // empty = do not save at the end
  std::vector<int32_t> data;
  std::vector<int32_t> labels;
  uint32_t nCtx = 1024;
  uint32_t nUbatch = 256;
  uint32_t epochs = 1;
  uint32_t maxSteps = 0;  // 0 = epochs * sequences
  double maxSeconds = 0;  // 0 = no time limit; else the schedule also runs on the clock (see Schedule)
  float lr = 1e-3f;
  float lrMin = 1e-4f;
  uint32_t warmupSteps = 0;
  float weightDecay = 0.0f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  bool sgd = false;
  bool shuffle = true;
  uint32_t seed = 1;
  int32_t threads = 0;
  bool adaptiveThreads = true;  // also try one thread now and then, keep whichever steps faster
  int32_t gpuLayers = 0;
  std::string checkpointPath;
  uint32_t checkpointEvery = 0;  // steps; 0 = never
  std::string trainable;         // ECMAScript regex on tensor names; empty = every tensor llama.cpp trains
  bool trainTokenEmbedding = false;  // also train token_embd, which llama_opt_init skips by name
  uint32_t progressIntervalMs = 500;
  // distillation
  std::string teacherPath;         // compact teacher distributions of the training text; replaces data/labels
  std::string heldoutTeacherPath;  // scored every evalEvery steps and at the end
  SoftTargetSettings soft;
  uint32_t evalEvery = 0;
  uint32_t heldoutSequences = 0;  // 0 = every sequence of the held-out file
  uint64_t startStep = 0;         // resume: steps already done (schedule and data order continue from here)
  double startSeconds = 0;        // resume: seconds already spent (counts against maxSeconds)
};

// Held-out figures of the model against a teacher file.
struct HeldoutPoint {
  uint64_t step = 0;
  double objective = 0;  // mean distillation objective per position
  double nll = 0;        // mean -ln p(next token)
  double kld = 0;        // mean KL(teacher || model) at T = 1, compact estimate as the evaluation's
  double kldStdErr = 0;
  uint64_t positions = 0;
};

struct TrainProgress {
  uint64_t step = 0;
  uint64_t totalSteps = 0;
  uint32_t epoch = 0;
  double loss = 0;      // mean over the steps since the previous report
  std::vector<float> stepLosses;  // each of those steps' loss, oldest first (the last is step `step`)
  double lr = 0;
  uint64_t tokens = 0;  // trained so far
  double elapsedSeconds = 0;
  double tokensPerSecond = 0;
  double etaSeconds = 0;
  bool checkpoint = false;  // this report follows a checkpoint save
  int32_t threads = 0;
  bool hasHeldout = false;  // this report follows a held-out measurement
  HeldoutPoint heldout;
};

struct TrainResult {
  uint64_t steps = 0;
  uint64_t totalSteps = 0;
  uint64_t tokens = 0;
  double seconds = 0;
  double tokensPerSecond = 0;
  double finalLoss = 0;  // mean over the last 5% of steps (at least one)
  bool cancelled = false;
  bool timeLimited = false;  // the clock, not the step count, ended the run
  bool saved = false;
  std::vector<float> stepLoss;
  std::vector<float> stepHardLoss;  // distillation: the hard-label cross-entropy of each step
  std::vector<HeldoutPoint> heldout;
  int64_t tokenEmbeddingRows = 0;         // vocabulary rows of token_embd (0: not trained)
  int64_t tokenEmbeddingRowsChanged = 0;  // rows whose values moved during the run
};

// Linear warm-up over warmupSteps, then cosine from lr down to lrMin. Progress is the larger of
// step / totalSteps and elapsed / maxSeconds: on a fast machine the run is fixed by its step count
// (reproducible); on a slow or busy one the clock ends it on time, still with an annealed rate.
struct Schedule {
  const TrainOptions* opts = nullptr;
  GradientAccumulators* accumulators = nullptr;
  bool singleMicroBatch = false;  // n_ctx == n_ubatch: one graph per optimizer step
  uint64_t step = 0;
  uint64_t totalSteps = 1;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  double Elapsed() const { return opts->startSeconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); }

  double Fraction() const {
    double f = static_cast<double>(step) / static_cast<double>(totalSteps);
    if (opts->maxSeconds > 0) f = std::max(f, Elapsed() / opts->maxSeconds);
    return std::min(1.0, f);
  }

  bool Done() const { return step >= totalSteps || (opts->maxSeconds > 0 && Elapsed() >= opts->maxSeconds); }

  float Lr() const {
    const TrainOptions& o = *opts;
    if (step < o.warmupSteps) return o.lr * static_cast<float>(step + 1) / static_cast<float>(o.warmupSteps);
    const double warm = static_cast<double>(o.warmupSteps) / static_cast<double>(totalSteps);
    const double t = warm < 1 ? std::clamp((Fraction() - warm) / (1 - warm), 0.0, 1.0) : 1.0;
    return static_cast<float>(o.lrMin + 0.5 * (o.lr - o.lrMin) * (1.0 + std::cos(3.14159265358979323846 * t)));
  }
};

static ggml_opt_optimizer_params ScheduleParams(void* userdata) {
  const Schedule& s = *static_cast<const Schedule*>(userdata);
  // The only moment the optimizer-step graph (and so the accumulators' handles) exists.
  if (s.accumulators) s.accumulators->BeforeOptimizerStep(s.singleMicroBatch);
  ggml_opt_optimizer_params p = ggml_opt_get_default_optimizer_params(nullptr);
  const float lr = s.Lr();
  p.adamw.alpha = lr;
  p.adamw.beta1 = s.opts->beta1;
  p.adamw.beta2 = s.opts->beta2;
  p.adamw.wd = s.opts->weightDecay;
  p.sgd.alpha = lr;
  p.sgd.wd = s.opts->weightDecay;
  return p;
}

// ggml_opt_epoch_callback has no user data; the run on this thread registers itself here.
struct EpochWatch {
  const AbortFlag* abort = nullptr;
  GradientAccumulators* accumulators = nullptr;
  int64_t ubatches = 0;
  bool abortSeen = false;
};
static thread_local EpochWatch* t_watch = nullptr;

static void EpochCallback(bool train, ggml_opt_context_t optCtx, ggml_opt_dataset_t, ggml_opt_result_t, int64_t, int64_t, int64_t) {
  if (!train || !t_watch) return;
  t_watch->ubatches++;
  if (t_watch->accumulators) t_watch->accumulators->NoteContext(optCtx);
  // llama_opt_epoch cannot be interrupted from here; we note the request and stop after this step.
  if (t_watch->abort && t_watch->abort->set.load()) t_watch->abortSeen = true;
}

struct ParameterFilter {
  std::regex trainable;
  GradientAccumulators* accumulators;
};

// Called by llama_opt_init for every tensor it could train; we also learn which ones it will.
static bool TrainableFilter(const ggml_tensor* tensor, void* userdata) {
  auto* f = static_cast<ParameterFilter*>(userdata);
  if (!std::regex_search(ggml_get_name(tensor), f->trainable)) return false;
  f->accumulators->NoteParameter(const_cast<ggml_tensor*>(tensor));
  return true;
}

static void SaveModelAtomically(llama_model* model, const std::string& path) {
  PartialFile file(path);
  llama_model_save_to_file(model, file.Path().c_str());
  if (!file.Commit()) throw std::runtime_error(path + ": cannot write the model file");
}

// Loads a model with writable F32 weights and a context able to train or score n_ctx-token sequences.
struct TrainingContext {
  ModelPtr modelHandle;  // declared first: the context is freed before its model
  ContextPtr ctxHandle;
  llama_model* model = nullptr;
  llama_context* ctx = nullptr;
};

static void OpenContext(TrainingContext& tc, const std::string& path, uint32_t nCtx, uint32_t nUbatch, int32_t threads, int32_t gpuLayers, bool allLogits,
                        TrainingEvalHooks* hooks = nullptr) {
  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = gpuLayers;
  mp.load_mode = LLAMA_LOAD_MODE_NONE;  // weights in writable buffers, not a read-only mapping
  mp.use_extra_bufts = false;           // no repacked layouts: the optimizer needs plain F32 tensors
  tc.modelHandle = LoadModelOrThrow(path, mp);
  tc.model = tc.modelHandle.get();

  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = nCtx;
  cp.n_batch = nCtx;
  cp.n_ubatch = nUbatch;
  cp.n_seq_max = 1;
  const int32_t nThreads = threads > 0 ? threads : static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
  cp.n_threads = nThreads;
  cp.n_threads_batch = nThreads;
  cp.type_k = GGML_TYPE_F32;  // the backward pass has no F16 OUT_PROD
  cp.type_v = GGML_TYPE_F32;
  cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;  // no backward pass for flash attention
  cp.no_perf = true;
  if (allLogits) cp.n_outputs_max = nCtx;
  if (hooks) {
    cp.cb_eval = TrainingEvalCallback;
    cp.cb_eval_user_data = hooks;
  }
  tc.ctxHandle = NewContextOrThrow(tc.model, cp, path);
  tc.ctx = tc.ctxHandle.get();
}

// Scores the context's model against a teacher file (its first maxSequences sequences, 0 = all): the
// distillation objective, NLL and the compact KL divergence of every position with a record.
static HeldoutPoint ScoreTeacher(llama_context* ctx, const TeacherData& teacher, const SoftTargetSettings& soft, uint32_t maxSequences,
                                 const AbortFlag* abort) {
  HeldoutPoint h;
  const int nVocab = static_cast<int>(teacher.file.header.nVocab);
  const uint32_t nSeq = maxSequences > 0 ? std::min(maxSequences, teacher.nSeq) : teacher.nSeq;
  BatchHandle batch(static_cast<int32_t>(teacher.nCtx));
  double kldSum = 0, kldSq = 0;
  for (uint32_t s = 0; s < nSeq; s++) {
    if (abort && abort->set.load()) break;
    llama_memory_clear(llama_get_memory(ctx), true);
    batch.Clear();
    const int32_t* in = teacher.inputs.data() + static_cast<size_t>(s) * teacher.nCtx;
    for (uint32_t i = 0; i < teacher.nCtx; i++) batch.Add(in[i], static_cast<llama_pos>(i), 0, teacher.RecordIndex(s, i) >= 0);
    if (llama_decode(ctx, batch.get()) != 0) throw std::runtime_error("decode failed while scoring held-out sequence " + std::to_string(s));
    for (uint32_t i = 0; i < teacher.nCtx; i++) {
      const int64_t rec = teacher.RecordIndex(s, i);
      if (rec < 0) continue;
      const float* logits = llama_get_logits_ith(ctx, static_cast<int32_t>(i));
      const BaseFile::View view = teacher.file.Record(static_cast<size_t>(rec));
      const RowObjective o = SoftTargetRow(logits, nVocab, view, teacher.labels[static_cast<size_t>(s) * teacher.nCtx + i], soft, nullptr);
      const double kld = CompareWithBase(logits, NormalizeRow(logits, nVocab), view).kld;
      h.objective += o.objective;
      h.nll += o.nll;
      kldSum += kld;
      kldSq += kld * kld;
      h.positions++;
    }
  }
  llama_memory_clear(llama_get_memory(ctx), true);
  if (h.positions > 0) {
    const double n = static_cast<double>(h.positions);
    h.objective /= n;
    h.nll /= n;
    h.kld = kldSum / n;
    h.kldStdErr = n > 1 ? std::sqrt(std::max(0.0, (kldSq / n - h.kld * h.kld) / (n - 1))) : 0;
  }
  return h;
}

static void SetHeldout(Napi::Env env, Napi::Object o, const HeldoutPoint& h) {
  o.Set("step", Napi::Number::New(env, static_cast<double>(h.step)));
  o.Set("objective", Napi::Number::New(env, h.objective));
  o.Set("nll", Napi::Number::New(env, h.nll));
  o.Set("kld", Napi::Number::New(env, h.kld));
  o.Set("kldStdErr", Napi::Number::New(env, h.kldStdErr));
  o.Set("positions", Napi::Number::New(env, static_cast<double>(h.positions)));
}

class TrainWorker : public Napi::AsyncProgressQueueWorker<TrainProgress> {
 public:
  TrainWorker(Napi::Env env, TrainOptions opts, std::shared_ptr<AbortFlag> abort, Napi::Function onProgress)
      : Napi::AsyncProgressQueueWorker<TrainProgress>(env),
        opts_(std::move(opts)),
        abort_(std::move(abort)),
        deferred_(Napi::Promise::Deferred::New(env)) {
    if (!onProgress.IsEmpty()) progress_ = Napi::Persistent(onProgress);
  }
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute(const ExecutionProgress& progress) override {
    try {
      Run(progress);
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }

  void OnProgress(const TrainProgress* items, size_t count) override {
    if (progress_.IsEmpty() || count == 0) return;
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    for (size_t i = 0; i < count; i++) {
      const TrainProgress& p = items[i];
      Napi::Object o = Napi::Object::New(env);
      o.Set("step", Napi::Number::New(env, static_cast<double>(p.step)));
      o.Set("totalSteps", Napi::Number::New(env, static_cast<double>(p.totalSteps)));
      o.Set("epoch", Napi::Number::New(env, p.epoch));
      o.Set("loss", Napi::Number::New(env, p.loss));
      Napi::Float32Array stepLosses = Napi::Float32Array::New(env, p.stepLosses.size());
      std::copy(p.stepLosses.begin(), p.stepLosses.end(), stepLosses.Data());
      o.Set("stepLosses", stepLosses);
      o.Set("lr", Napi::Number::New(env, p.lr));
      o.Set("tokens", Napi::Number::New(env, static_cast<double>(p.tokens)));
      o.Set("elapsedSeconds", Napi::Number::New(env, p.elapsedSeconds));
      o.Set("tokensPerSecond", Napi::Number::New(env, p.tokensPerSecond));
      o.Set("etaSeconds", Napi::Number::New(env, p.etaSeconds));
      o.Set("checkpoint", Napi::Boolean::New(env, p.checkpoint));
      o.Set("threads", Napi::Number::New(env, p.threads));
      if (p.hasHeldout) {
        Napi::Object h = Napi::Object::New(env);
        SetHeldout(env, h, p.heldout);
        o.Set("heldout", h);
      }
      try {
        progress_.Call({o});
      } catch (const Napi::Error&) {
        // a throwing listener must not abort training
      }
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("steps", Napi::Number::New(env, static_cast<double>(result_.steps)));
    o.Set("totalSteps", Napi::Number::New(env, static_cast<double>(result_.totalSteps)));
    o.Set("tokens", Napi::Number::New(env, static_cast<double>(result_.tokens)));
    o.Set("seconds", Napi::Number::New(env, result_.seconds));
    o.Set("tokensPerSecond", Napi::Number::New(env, result_.tokensPerSecond));
    o.Set("finalLoss", Napi::Number::New(env, result_.finalLoss));
    o.Set("cancelled", Napi::Boolean::New(env, result_.cancelled));
    o.Set("timeLimited", Napi::Boolean::New(env, result_.timeLimited));
    o.Set("tokenEmbeddingRows", Napi::Number::New(env, static_cast<double>(result_.tokenEmbeddingRows)));
    o.Set("tokenEmbeddingRowsChanged", Napi::Number::New(env, static_cast<double>(result_.tokenEmbeddingRowsChanged)));
    o.Set("outPath", result_.saved ? Napi::Value(Napi::String::New(env, opts_.outPath)) : env.Null());
    Napi::Float32Array curve = Napi::Float32Array::New(env, result_.stepLoss.size());
    std::copy(result_.stepLoss.begin(), result_.stepLoss.end(), curve.Data());
    o.Set("stepLoss", curve);
    Napi::Float32Array hardCurve = Napi::Float32Array::New(env, result_.stepHardLoss.size());
    std::copy(result_.stepHardLoss.begin(), result_.stepHardLoss.end(), hardCurve.Data());
    o.Set("stepHardLoss", hardCurve);
    Napi::Array heldout = Napi::Array::New(env, result_.heldout.size());
    for (size_t i = 0; i < result_.heldout.size(); i++) {
      Napi::Object h = Napi::Object::New(env);
      SetHeldout(env, h, result_.heldout[i]);
      heldout.Set(static_cast<uint32_t>(i), h);
    }
    o.Set("heldout", heldout);
    deferred_.Resolve(o);
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  void Run(const ExecutionProgress& progress) {
    const TrainOptions& o = opts_;
    const bool distill = !o.teacherPath.empty();
    TeacherData teacher, heldout;
    if (distill) {
      teacher = ReadTeacherData(o.teacherPath);
      if (teacher.nCtx != o.nCtx) throw std::runtime_error(o.teacherPath + ": teacher sequences are " + std::to_string(teacher.nCtx) + " tokens, training uses " + std::to_string(o.nCtx));
      if (!o.heldoutTeacherPath.empty()) heldout = ReadTeacherData(o.heldoutTeacherPath);
    }
    const std::vector<int32_t>& data = distill ? teacher.inputs : o.data;
    const std::vector<int32_t>& labels = distill ? teacher.labels : o.labels;
    const uint64_t nSeq = data.size() / o.nCtx;
    SoftTargetFeed feed;
    feed.teacher = &teacher;
    feed.settings = o.soft;
    feed.nUbatch = o.nUbatch;
    TrainingContext tc;
    TrainingEvalHooks hooks;
    hooks.feed = distill ? &feed : nullptr;
    hooks.findTokenEmbedding = o.trainTokenEmbedding;
    OpenContext(tc, o.modelPath, o.nCtx, o.nUbatch, o.threads, o.gpuLayers, distill, distill || o.trainTokenEmbedding ? &hooks : nullptr);
    const int32_t nVocab = llama_vocab_n_tokens(llama_model_get_vocab(tc.model));
    if (distill) {
      for (const TeacherData* t : {&teacher, &heldout}) {
        if (!t->inputs.empty() && static_cast<int32_t>(t->file.header.nVocab) != nVocab) {
          throw std::runtime_error(o.modelPath + ": the student's vocabulary has " + std::to_string(nVocab) + " pieces, the teacher's " + std::to_string(t->file.header.nVocab));
        }
      }
    }
    for (size_t i = 0; i < data.size(); i++) {
      if (data[i] < 0 || data[i] >= nVocab || labels[i] < 0 || labels[i] >= nVocab) {
        throw std::runtime_error("token " + std::to_string(i) + " is outside the vocabulary of " + o.modelPath + " (" + std::to_string(nVocab) + " pieces)");
      }
    }

    // The CPU backend takes its thread count from the last decode, so every change of thread count
    // (and the first one: a context that never decoded trains with the library default) is followed by
    // a one-token decode.
    const int32_t maxThreads = llama_n_threads(tc.ctx);
    int32_t threads = maxThreads;
    auto applyThreads = [&](int32_t n) {
      llama_set_n_threads(tc.ctx, n, n);
      llama_memory_clear(llama_get_memory(tc.ctx), true);  // training leaves the cache full
      llama_token t = data[0];
      llama_batch b = llama_batch_get_one(&t, 1);
      const int32_t rc = llama_decode(tc.ctx, b);
      if (rc != 0) throw std::runtime_error("warm-up decode failed (" + std::to_string(rc) + ")");
      llama_memory_clear(llama_get_memory(tc.ctx), true);
      threads = n;
    };
    applyThreads(maxThreads);
    // ggml's CPU threads meet at spinning barriers: on a machine busy with other work, two threads can
    // be several times slower than one. Seconds per step are tracked per thread count; every
    // kProbeEvery steps the other count gets one step, and the faster one is kept.
    constexpr uint64_t kProbeEvery = 16;  // first probe at step 2, when step 1 (graph set-up) is behind us
    const bool adaptive = o.adaptiveThreads && maxThreads > 1;
    double secondsPerStep[2] = {0, 0};  // [0]: one thread, [1]: maxThreads
    auto slot = [&](int32_t n) { return n == 1 ? 0 : 1; };

    Schedule schedule;
    schedule.opts = &o;
    schedule.totalSteps = o.maxSteps > 0 ? std::min<uint64_t>(o.maxSteps, nSeq * o.epochs) : nSeq * o.epochs;
    schedule.step = std::min(o.startStep, schedule.totalSteps);
    GradientAccumulators accumulators;
    schedule.accumulators = &accumulators;
    schedule.singleMicroBatch = o.nUbatch >= o.nCtx;
    llama_opt_params lp{};
    lp.n_ctx_train = 0;
    ParameterFilter filter{std::regex(o.trainable.empty() ? std::string(".*") : o.trainable), &accumulators};
    lp.param_filter = TrainableFilter;
    lp.param_filter_ud = &filter;
    lp.get_opt_pars = ScheduleParams;
    lp.get_opt_pars_ud = &schedule;
    lp.optimizer_type = o.sgd ? GGML_OPT_OPTIMIZER_TYPE_SGD : GGML_OPT_OPTIMIZER_TYPE_ADAMW;
    // The warm-up decode above found token_embd; flagged now, llama_opt_init's graphs train it too.
    std::vector<uint64_t> embeddingBefore;
    if (o.trainTokenEmbedding) {
      ggml_tensor* embd = hooks.tokenEmbedding;
      if (embd == nullptr) throw std::runtime_error(o.modelPath + ": token_embd.weight is not in the decode graph");
      if (embd->type != GGML_TYPE_F32) throw std::runtime_error(o.modelPath + ": token_embd.weight is " + ggml_type_name(embd->type) + ", training needs F32");
      ggml_set_param(embd);
      accumulators.NoteParameter(embd);
      embeddingBefore = RowFingerprints(embd);
    }
    llama_opt_init(tc.ctx, tc.model, lp);

    ggml_opt_dataset_t dataset = ggml_opt_dataset_init(GGML_TYPE_I32, GGML_TYPE_I32, o.nCtx, o.nCtx, 1, 1);
    ggml_opt_result_t stepResult = ggml_opt_result_init();
    int32_t* dsData = static_cast<int32_t*>(ggml_opt_dataset_data(dataset)->data);
    int32_t* dsLabels = static_cast<int32_t*>(ggml_opt_dataset_labels(dataset)->data);

    EpochWatch watch;
    watch.abort = abort_.get();
    watch.accumulators = &accumulators;
    t_watch = &watch;

    std::vector<uint64_t> order(nSeq);
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(o.seed);
    // Resume: replay the shuffles of the epochs already begun, so the order continues where it stopped.
    if (o.shuffle) {
      for (uint64_t e = 0; e < (schedule.step + nSeq - 1) / nSeq; e++) std::shuffle(order.begin(), order.end(), rng);
    }
    schedule.start = std::chrono::steady_clock::now();
    const auto t0 = schedule.start;
    auto lastReport = t0;
    double lossSinceReport = 0;
    uint64_t stepsSinceReport = 0;
    size_t heldoutReported = 0;
    result_.totalSteps = schedule.totalSteps;

    auto report = [&](bool checkpoint) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      TrainProgress p;
      p.step = schedule.step;
      p.totalSteps = schedule.totalSteps;
      p.epoch = static_cast<uint32_t>(nSeq > 0 ? (schedule.step == 0 ? 0 : (schedule.step - 1) / nSeq) : 0);
      p.loss = stepsSinceReport > 0 ? lossSinceReport / static_cast<double>(stepsSinceReport) : (result_.stepLoss.empty() ? 0 : result_.stepLoss.back());
      // Fast steps share a report; their losses still travel one by one so no curve skips them.
      const size_t fresh = std::min<size_t>(static_cast<size_t>(stepsSinceReport), result_.stepLoss.size());
      p.stepLosses.assign(result_.stepLoss.end() - static_cast<std::ptrdiff_t>(fresh), result_.stepLoss.end());
      p.lr = schedule.Lr();
      p.tokens = result_.tokens;
      // Each measurement rides on the first report after it, oldest first: the one at step 0 is
      // taken before any step is reported and would otherwise reach the screens only at the end.
      if (heldoutReported < result_.heldout.size()) {
        p.hasHeldout = true;
        p.heldout = result_.heldout[heldoutReported++];
      }
      p.elapsedSeconds = o.startSeconds + elapsed;
      p.tokensPerSecond = elapsed > 0 ? static_cast<double>(result_.tokens) / elapsed : 0;
      // The rate of this run (not of the run it resumed) over what is left of the budget.
      const double fraction = schedule.Fraction();
      const double startFraction = std::min(1.0, std::max(static_cast<double>(o.startStep) / static_cast<double>(schedule.totalSteps),
                                                          o.maxSeconds > 0 ? o.startSeconds / o.maxSeconds : 0.0));
      const double doneHere = fraction - startFraction;
      p.etaSeconds = doneHere > 0 ? elapsed / doneHere * (1 - fraction) : 0;
      p.checkpoint = checkpoint;
      p.threads = threads;
      progress.Send(&p, 1);
      lossSinceReport = 0;
      stepsSinceReport = 0;
      lastReport = std::chrono::steady_clock::now();
    };

    auto measureHeldout = [&]() {
      if (heldout.inputs.empty()) return;
      HeldoutPoint h = ScoreTeacher(tc.ctx, heldout, o.soft, o.heldoutSequences, abort_.get());
      h.step = schedule.step;
      result_.heldout.push_back(h);
    };

    try {
      if (distill) measureHeldout();  // the starting point
      while (!schedule.Done()) {
        const uint64_t inEpoch = schedule.step % nSeq;
        if (inEpoch == 0 && o.shuffle) std::shuffle(order.begin(), order.end(), rng);
        if (abort_->set.load()) {
          result_.cancelled = true;
          break;
        }
        const uint64_t seq = order[inEpoch];
        std::memcpy(dsData, data.data() + seq * o.nCtx, o.nCtx * sizeof(int32_t));
        std::memcpy(dsLabels, labels.data() + seq * o.nCtx, o.nCtx * sizeof(int32_t));
        feed.BeginStep(static_cast<uint32_t>(seq));
        int32_t stepThreads = threads;
        if (adaptive && schedule.step % kProbeEvery == 2) stepThreads = threads == 1 ? maxThreads : 1;
        else if (adaptive && secondsPerStep[0] > 0 && secondsPerStep[1] > 0) stepThreads = secondsPerStep[0] < secondsPerStep[1] ? 1 : maxThreads;
        if (stepThreads != threads) applyThreads(stepThreads);
        ggml_opt_result_reset(stepResult);
        const auto stepStart = std::chrono::steady_clock::now();
        llama_opt_epoch(tc.ctx, dataset, stepResult, nullptr, /*idata_split=*/1, EpochCallback, nullptr);
        accumulators.AfterStep();
        if (!feed.error.empty()) throw std::runtime_error(feed.error);
        const double stepSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - stepStart).count();
        double& avg = secondsPerStep[slot(threads)];
        avg = avg > 0 ? 0.7 * avg + 0.3 * stepSeconds : stepSeconds;
        double loss = 0;
        ggml_opt_result_loss(stepResult, &loss, nullptr);
        if (distill) {
          // ggml's loss was computed from llama.cpp's one-hot labels: the hard cross-entropy
          result_.stepHardLoss.push_back(static_cast<float>(loss));
          loss = feed.rows > 0 ? feed.objectiveSum / static_cast<double>(feed.rows) : 0;
        }
        if (!std::isfinite(loss)) throw std::runtime_error("training diverged at step " + std::to_string(schedule.step + 1) + " (loss is not finite); lower the learning rate");
        result_.stepLoss.push_back(static_cast<float>(loss));
        result_.tokens += o.nCtx;
        lossSinceReport += loss;
        stepsSinceReport++;
        schedule.step++;

        const bool checkpointDue = o.checkpointEvery > 0 && !o.checkpointPath.empty() && schedule.step % o.checkpointEvery == 0 && schedule.step < schedule.totalSteps;
        if (checkpointDue) SaveModelAtomically(tc.model, o.checkpointPath);
        const bool heldoutDue = distill && (schedule.Done() || (o.evalEvery > 0 && schedule.step % o.evalEvery == 0));
        if (heldoutDue) measureHeldout();
        const auto now = std::chrono::steady_clock::now();
        if (checkpointDue || heldoutDue || schedule.Done() ||
            std::chrono::duration_cast<std::chrono::milliseconds>(now - lastReport).count() >= o.progressIntervalMs) {
          report(checkpointDue);
        }
      }
    } catch (...) {
      t_watch = nullptr;
      ggml_opt_result_free(stepResult);
      ggml_opt_dataset_free(dataset);
      throw;
    }
    t_watch = nullptr;
    ggml_opt_result_free(stepResult);
    ggml_opt_dataset_free(dataset);

    result_.steps = schedule.step;
    result_.timeLimited = !result_.cancelled && schedule.step < schedule.totalSteps;
    result_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    result_.tokensPerSecond = result_.seconds > 0 ? static_cast<double>(result_.tokens) / result_.seconds : 0;
    if (o.trainTokenEmbedding) {
      result_.tokenEmbeddingRows = hooks.tokenEmbedding->ne[1];
      result_.tokenEmbeddingRowsChanged = ChangedRows(embeddingBefore, RowFingerprints(hooks.tokenEmbedding));
    }
    const size_t n = result_.stepLoss.size();
    const size_t tail = std::max<size_t>(1, n / 20);
    if (n > 0) {
      double sum = 0;
      for (size_t i = n - std::min(n, tail); i < n; i++) sum += result_.stepLoss[i];
      result_.finalLoss = sum / static_cast<double>(std::min(n, tail));
    }
    if (!result_.cancelled && !o.outPath.empty()) {
      SaveModelAtomically(tc.model, o.outPath);
      result_.saved = true;
    }
  }

  TrainOptions opts_;
  std::shared_ptr<AbortFlag> abort_;
  Napi::FunctionReference progress_;
  Napi::Promise::Deferred deferred_;
  TrainResult result_;
};

// ---- validation loss: mean cross-entropy of labels given inputs, on a loaded model (any type) ----

struct EvalOptions {
  std::string modelPath;
  std::vector<int32_t> data;
  std::vector<int32_t> labels;
  uint32_t nCtx = 1024;
  uint32_t nUbatch = 512;
  int32_t threads = 0;
  int32_t gpuLayers = 0;
};

struct EvalResult {
  double nll = 0;  // summed over every scored position, nats
  uint64_t count = 0;
  double seconds = 0;
};

class EvalWorker : public PromiseWorker {
 public:
  EvalWorker(Napi::Env env, EvalOptions opts) : PromiseWorker(env), opts_(std::move(opts)) {}
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    const double mean = result_.count > 0 ? result_.nll / static_cast<double>(result_.count) : 0;
    o.Set("nll", Napi::Number::New(env, result_.nll));
    o.Set("count", Napi::Number::New(env, static_cast<double>(result_.count)));
    o.Set("meanLoss", Napi::Number::New(env, mean));
    o.Set("perplexity", Napi::Number::New(env, std::exp(mean)));
    o.Set("seconds", Napi::Number::New(env, result_.seconds));
    return o;
  }

 private:
  void Run() override {
    const EvalOptions& o = opts_;
    const auto t0 = std::chrono::steady_clock::now();
    TrainingContext tc;
    OpenContext(tc, o.modelPath, o.nCtx, std::min(o.nUbatch, o.nCtx), o.threads, o.gpuLayers, true);
    const llama_vocab* vocab = llama_model_get_vocab(tc.model);
    const int32_t nVocab = llama_vocab_n_tokens(vocab);
    const uint64_t nSeq = o.data.size() / o.nCtx;
    BatchHandle batch(static_cast<int32_t>(o.nCtx));
    for (uint64_t s = 0; s < nSeq; s++) {
      llama_memory_clear(llama_get_memory(tc.ctx), true);
      const int32_t* in = o.data.data() + s * o.nCtx;
      const int32_t* lab = o.labels.data() + s * o.nCtx;
      batch.Clear();
      for (uint32_t i = 0; i < o.nCtx; i++) {
        if (in[i] < 0 || in[i] >= nVocab || lab[i] < 0 || lab[i] >= nVocab) throw std::runtime_error("token outside the vocabulary of " + o.modelPath);
        batch.Add(in[i], static_cast<llama_pos>(i), 0, true);
      }
      if (llama_decode(tc.ctx, batch.get()) != 0) throw std::runtime_error("decode failed while scoring sequence " + std::to_string(s));
      for (uint32_t i = 0; i < o.nCtx; i++) {
        const float* logits = llama_get_logits_ith(tc.ctx, static_cast<int32_t>(i));
        float maxLogit = logits[0];
        for (int32_t v = 1; v < nVocab; v++) maxLogit = std::max(maxLogit, logits[v]);
        double sum = 0;
        for (int32_t v = 0; v < nVocab; v++) sum += std::exp(static_cast<double>(logits[v] - maxLogit));
        result_.nll += std::log(sum) + maxLogit - logits[lab[i]];
        result_.count++;
      }
    }
    result_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }

  EvalOptions opts_;
  EvalResult result_;
};

// ---- argument parsing (options.h reads the fields) ----

static void CheckShapes(Napi::Env env, const std::vector<int32_t>& data, const std::vector<int32_t>& labels, uint32_t nCtx, uint32_t nUbatch) {
  if (nCtx == 0 || nUbatch == 0 || nCtx % nUbatch != 0) throw Napi::RangeError::New(env, "nCtx must be a positive multiple of nUbatch");
  if (data.size() != labels.size()) throw Napi::RangeError::New(env, "data and labels must have the same length");
  if (data.empty() || data.size() % nCtx != 0) throw Napi::RangeError::New(env, "data length must be a positive multiple of nCtx");
}

static SoftTargetSettings ReadSoftTargetSettings(Napi::Env env, const OptionReader& o) {
  SoftTargetSettings soft;
  soft.temperature = static_cast<float>(o.Number("temperature", 1.0));
  soft.hardWeight = static_cast<float>(o.Number("hardWeight", 0.0));
  if (!(soft.temperature > 0)) throw Napi::RangeError::New(env, "temperature must be positive");
  if (!(soft.hardWeight >= 0 && soft.hardWeight <= 1)) throw Napi::RangeError::New(env, "hardWeight must be in 0..1");
  return soft;
}

// train(options, onProgress?) -> { promise, abort }: abort stops after the current step (resolves cancelled).
static Napi::Value Train(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "train(options, onProgress?): options object expected");
  const OptionReader o(info[0].As<Napi::Object>(), "train");
  TrainOptions t;
  t.modelPath = o.String("modelPath");
  t.outPath = o.String("outPath", "");
  t.teacherPath = o.String("teacherPath", "");
  t.nCtx = o.Count("nCtx", t.nCtx);
  t.nUbatch = o.Count("nUbatch", t.nUbatch);
  if (t.teacherPath.empty()) {
    t.data = o.Int32s("data");
    t.labels = o.Int32s("labels");
    CheckShapes(env, t.data, t.labels, t.nCtx, t.nUbatch);
  } else if (t.nCtx % t.nUbatch != 0) {
    throw Napi::RangeError::New(env, "nCtx must be a positive multiple of nUbatch");
  }
  t.heldoutTeacherPath = o.String("heldoutTeacherPath", "");
  t.soft = ReadSoftTargetSettings(env, o);
  t.evalEvery = o.Count("evalEvery", 0);
  t.heldoutSequences = o.Count("heldoutSequences", 0);
  t.startStep = o.Count("startStep", 0);
  t.startSeconds = o.Number("startSeconds", 0);
  t.epochs = o.Count("epochs", t.epochs);
  t.maxSteps = o.Count("maxSteps", t.maxSteps);
  t.maxSeconds = o.Number("maxSeconds", 0);
  if (t.maxSeconds < 0) throw Napi::RangeError::New(env, "maxSeconds must be non-negative");
  t.lr = static_cast<float>(o.Number("lr", t.lr));
  t.lrMin = static_cast<float>(o.Number("lrMin", t.lr * 0.1));
  t.warmupSteps = o.Count("warmupSteps", t.warmupSteps);
  t.weightDecay = static_cast<float>(o.Number("weightDecay", t.weightDecay));
  t.beta1 = static_cast<float>(o.Number("beta1", t.beta1));
  t.beta2 = static_cast<float>(o.Number("beta2", t.beta2));
  const std::string optimizer = o.String("optimizer", "");
  if (!optimizer.empty() && optimizer != "adamw" && optimizer != "sgd") throw Napi::RangeError::New(env, "optimizer must be adamw or sgd");
  t.sgd = optimizer == "sgd";
  t.shuffle = o.Bool("shuffle", t.shuffle);
  t.seed = o.Count("seed", t.seed);
  t.threads = static_cast<int32_t>(o.Count("threads", 0));
  t.adaptiveThreads = o.Bool("adaptiveThreads", t.adaptiveThreads);
  t.gpuLayers = static_cast<int32_t>(o.Count("gpuLayers", 0));
  t.checkpointPath = o.String("checkpointPath", "");
  t.trainable = o.String("trainable", "");
  t.trainTokenEmbedding = o.Bool("trainTokenEmbedding", false);
  // ggml-opt applies one weight decay to every parameter; it would shrink the rows of unseen tokens.
  if (t.trainTokenEmbedding && t.weightDecay > 0) throw Napi::RangeError::New(env, "trainTokenEmbedding needs weightDecay 0 (it would decay the rows of unseen tokens)");
  try {
    std::regex check(t.trainable);
  } catch (const std::regex_error&) {
    throw Napi::RangeError::New(env, "trainable must be a valid regular expression");
  }
  t.checkpointEvery = o.Count("checkpointEvery", 0);
  t.progressIntervalMs = o.Count("progressIntervalMs", t.progressIntervalMs);
  if (t.epochs == 0) throw Napi::RangeError::New(env, "epochs must be at least 1");
  if (!(t.lr > 0) || t.lrMin < 0) throw Napi::RangeError::New(env, "lr must be positive and lrMin non-negative");

  Napi::Function onProgress;
  if (info.Length() > 1 && info[1].IsFunction()) onProgress = info[1].As<Napi::Function>();
  auto abort = std::make_shared<AbortFlag>();
  auto* w = new TrainWorker(env, std::move(t), abort, onProgress);
  return QueueAbortable(env, w, abort);
}

// evaluateLoss(options): Promise<{nll, count, meanLoss, perplexity, seconds}>
static Napi::Value EvaluateLoss(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "evaluateLoss(options): options object expected");
  const OptionReader o(info[0].As<Napi::Object>(), "evaluateLoss");
  EvalOptions e;
  e.modelPath = o.String("modelPath");
  e.data = o.Int32s("data");
  e.labels = o.Int32s("labels");
  e.nCtx = o.Count("nCtx", e.nCtx);
  e.nUbatch = o.Count("nUbatch", std::min(e.nUbatch, e.nCtx));
  if (e.nUbatch > e.nCtx) e.nUbatch = e.nCtx;
  CheckShapes(env, e.data, e.labels, e.nCtx, e.nCtx);
  e.threads = static_cast<int32_t>(o.Count("threads", 0));
  e.gpuLayers = static_cast<int32_t>(o.Count("gpuLayers", 0));
  auto* w = new EvalWorker(env, std::move(e));
  return QueuePromise(w);
}

// ---- distillation objective of a model against a teacher file (held-out figures, gradient checks) ----

struct DistillLossOptions {
  std::string modelPath;
  std::string teacherPath;
  SoftTargetSettings soft;
  uint32_t maxSequences = 0;
  int32_t threads = 0;
};

class DistillLossWorker : public PromiseWorker {
 public:
  DistillLossWorker(Napi::Env env, DistillLossOptions opts) : PromiseWorker(env), opts_(std::move(opts)) {}
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    SetHeldout(env, o, point_);
    o.Set("nCtx", Napi::Number::New(env, nCtx_));
    return o;
  }

 private:
  void Run() override {
    const TeacherData teacher = ReadTeacherData(opts_.teacherPath);
    nCtx_ = teacher.nCtx;
    TrainingContext tc;
    OpenContext(tc, opts_.modelPath, teacher.nCtx, teacher.nCtx, opts_.threads, 0, true);
    if (llama_vocab_n_tokens(llama_model_get_vocab(tc.model)) != static_cast<int32_t>(teacher.file.header.nVocab)) {
      throw std::runtime_error(opts_.modelPath + ": vocabulary size differs from the teacher's in " + opts_.teacherPath);
    }
    point_ = ScoreTeacher(tc.ctx, teacher, opts_.soft, opts_.maxSequences, nullptr);
  }

  DistillLossOptions opts_;
  HeldoutPoint point_;
  uint32_t nCtx_ = 0;
};

// distillLoss(options): Promise<{objective, nll, kld, kldStdErr, positions, nCtx}> (means per position)
static Napi::Value DistillLoss(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "distillLoss(options): options object expected");
  const OptionReader o(info[0].As<Napi::Object>(), "distillLoss");
  DistillLossOptions d;
  d.modelPath = o.String("modelPath");
  d.teacherPath = o.String("teacherPath");
  d.soft = ReadSoftTargetSettings(env, o);
  d.maxSequences = o.Count("maxSequences", 0);
  d.threads = static_cast<int32_t>(o.Count("threads", 0));
  return QueuePromise(new DistillLossWorker(env, std::move(d)));
}

void RegisterTraining(Napi::Env env, Napi::Object exports) {
  exports.Set("distillLoss", Napi::Function::New(env, DistillLoss, "distillLoss"));
  exports.Set("train", Napi::Function::New(env, Train, "train"));
  exports.Set("evaluateLoss", Napi::Function::New(env, EvaluateLoss, "evaluateLoss"));
}

}  // namespace cwb
