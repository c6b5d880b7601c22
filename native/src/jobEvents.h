// Shared by the long-running addon jobs (quantize, imatrix, layer importance): a thread-safe way to
// send progress and log lines from a worker thread to a JS callback, and a scoped capture of
// llama.cpp's log output (the only progress signal llama_model_quantize gives).
#pragma once
#include <napi.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "llama.h"

namespace cwb {

struct JobEvent {
  bool isProgress = false;
  double fraction = 0;
  std::string message;
  std::string level;  // for log lines: "info" | "warn" | "error"
  int64_t done = -1;  // for progress counted in steps (done of total); -1: not counted
  int64_t total = -1;
};

// Wraps an optional JS function onEvent({type:'progress', fraction, message, done?, total?} |
// {type:'log', level, message}).
class JobEvents {
 public:
  JobEvents(Napi::Env env, Napi::Value fn) {
    if (fn.IsFunction()) {
      tsfn_ = Napi::ThreadSafeFunction::New(env, fn.As<Napi::Function>(), "cwb-job-events", 0, 1);
      active_ = true;
    }
  }
  void Progress(double fraction, const std::string& message) { Send(JobEvent{true, fraction, message, "", -1, -1}); }
  /** Progress counted in steps: fraction done / total, and both counts for the listener's own estimates. */
  void Steps(int64_t done, int64_t total, const std::string& message) {
    Send(JobEvent{true, total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0, message, "", done, total});
  }
  void Log(const std::string& level, const std::string& message) { Send(JobEvent{false, 0, message, level}); }
  // Must be called once when the job ends (any thread); afterwards events are dropped.
  void Release() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (active_) tsfn_.Release();
    active_ = false;
  }

 private:
  void Send(JobEvent event) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!active_) return;
    auto* data = new JobEvent(std::move(event));
    napi_status status = tsfn_.NonBlockingCall(data, [](Napi::Env env, Napi::Function fn, JobEvent* e) {
      Napi::Object o = Napi::Object::New(env);
      if (e->isProgress) {
        o.Set("type", "progress");
        o.Set("fraction", Napi::Number::New(env, e->fraction));
        if (e->total >= 0) {
          o.Set("done", Napi::Number::New(env, static_cast<double>(e->done)));
          o.Set("total", Napi::Number::New(env, static_cast<double>(e->total)));
        }
      } else {
        o.Set("type", "log");
        o.Set("level", e->level);
      }
      o.Set("message", e->message);
      delete e;
      try {
        fn.Call({o});
      } catch (...) {
        // a throwing listener must not take the job down
      }
    });
    if (status != napi_ok) delete data;
  }

  Napi::ThreadSafeFunction tsfn_;
  bool active_ = false;
  std::mutex mutex_;
};

// While alive, llama.cpp's log goes line by line to `onLine(level, line)` instead of the previous
// callback (restored afterwards). Only one capture can be active per process.
class LlamaLogCapture {
 public:
  using LineHandler = std::function<void(ggml_log_level, const std::string&, bool complete)>;

  explicit LlamaLogCapture(LineHandler onLine) : onLine_(std::move(onLine)), lock_(Mutex()) {
    llama_log_get(&prevCb_, &prevUd_);
    llama_log_set(&LlamaLogCapture::Callback, this);
  }
  ~LlamaLogCapture() {
    Flush();
    llama_log_set(prevCb_, prevUd_);
  }
  LlamaLogCapture(const LlamaLogCapture&) = delete;
  LlamaLogCapture& operator=(const LlamaLogCapture&) = delete;

 private:
  static std::mutex& Mutex() {
    static std::mutex m;
    return m;
  }
  static void Callback(ggml_log_level level, const char* text, void* ud) {
    auto* self = static_cast<LlamaLogCapture*>(ud);
    // CONT continues the previous message at its level.
    if (level != GGML_LOG_LEVEL_CONT) self->level_ = level;
    self->buffer_ += text;
    size_t pos;
    while ((pos = self->buffer_.find('\n')) != std::string::npos) {
      std::string line = self->buffer_.substr(0, pos);
      self->buffer_.erase(0, pos + 1);
      self->onLine_(self->level_, line, true);
    }
    // A partial line is also shown, so "[ 3/30] name ... converting to .." reports before the work.
    if (!self->buffer_.empty()) self->onLine_(self->level_, self->buffer_, false);
  }
  void Flush() {
    if (!buffer_.empty()) onLine_(level_, buffer_, true);
    buffer_.clear();
  }

  LineHandler onLine_;
  std::lock_guard<std::mutex> lock_;
  ggml_log_callback prevCb_ = nullptr;
  void* prevUd_ = nullptr;
  ggml_log_level level_ = GGML_LOG_LEVEL_INFO;
  std::string buffer_;
};

inline std::string LogLevelName(ggml_log_level level) {
  switch (level) {
    case GGML_LOG_LEVEL_ERROR: return "error";
    case GGML_LOG_LEVEL_WARN: return "warn";
    default: return "info";
  }
}

}  // namespace cwb
