// Cancellation shared by the addon calls that return { promise, abort }: a flag the JS thread sets and
// the worker polls between steps and from llama.cpp's abort callback (which stops a llama_decode).
#pragma once
#include <napi.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

#include "llama.h"
#include "promiseWorker.h"

namespace cwb {

struct AbortFlag {
  std::atomic<bool> set{false};
};

/** For llama_context_params.abort_callback, with the flag as abort_callback_data. */
inline bool AbortRequested(void* data) { return static_cast<AbortFlag*>(data)->set.load(); }

/** An EventedWorker whose loops stop at the flag: between steps, and inside llama_decode. */
class AbortableWorker : public EventedWorker {
 public:
  AbortableWorker(Napi::Env env, Napi::Value onEvent, std::shared_ptr<AbortFlag> abort)
      : EventedWorker(env, onEvent), abort_(std::move(abort)) {}

 protected:
  bool Aborted() const override { return abort_->set.load(); }
  /** Between steps: ends Run with "<what> aborted" (the promise rejects). */
  void ThrowIfAborted(const char* what) const {
    if (Aborted()) throw std::runtime_error(std::string(what) + " aborted");
  }
  /** Lets the flag stop a llama_decode of this context part-way. */
  void AttachAbort(llama_context_params& cp) const {
    cp.abort_callback = AbortRequested;
    cp.abort_callback_data = abort_.get();
  }

 private:
  std::shared_ptr<AbortFlag> abort_;
};

/** Queues the worker and returns { promise, abort } for it. */
template <typename Worker>
Napi::Object QueueAbortable(Napi::Env env, Worker* worker, std::shared_ptr<AbortFlag> flag) {
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("promise", worker->Promise());
  handle.Set("abort", Napi::Function::New(env, [flag](const Napi::CallbackInfo& cb) {
    flag->set.store(true);
    return cb.Env().Undefined();
  }, "abort"));
  worker->Queue();
  return handle;
}

}  // namespace cwb
