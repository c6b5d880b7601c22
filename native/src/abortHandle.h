// Cancellation shared by the addon calls that return { promise, abort }: a flag the JS thread sets and
// the worker polls between steps and from llama.cpp's abort callback (which stops a llama_decode).
#pragma once
#include <napi.h>

#include <atomic>
#include <memory>

namespace cwb {

struct AbortFlag {
  std::atomic<bool> set{false};
};

/** For llama_context_params.abort_callback, with the flag as abort_callback_data. */
inline bool AbortRequested(void* data) { return static_cast<AbortFlag*>(data)->set.load(); }

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
