// The shape every asynchronous addon call shares: work on a libuv thread that settles a Promise.
// Run() does the work (an exception rejects the promise with its message, and with code "ABORTED"
// when the job was aborted), Result() builds the value on the JS thread. EventedWorker adds the progress/log channel and closes it when Run ends, so a job
// can never leave its JS callback referenced.
#pragma once
#include <napi.h>

#include <exception>

#include "jobEvents.h"

namespace cwb {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  explicit PromiseWorker(Napi::Env env) : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() final {
    try {
      Run();
    } catch (const std::exception& e) {
      SetError(e.what());
    }
    Finished();
  }
  void OnOK() final { deferred_.Resolve(Result(Env())); }
  void OnError(const Napi::Error& e) final {
    Napi::Object error = e.Value();
    if (Aborted()) error.Set("code", "ABORTED");
    deferred_.Reject(error);
  }

 protected:
  /** True when the job ended because it was asked to stop: its rejection then carries code "ABORTED". */
  virtual bool Aborted() const { return false; }
  /** On the worker thread. */
  virtual void Run() = 0;
  /** On the JS thread, after Run succeeded. */
  virtual Napi::Value Result(Napi::Env env) = 0;
  /** On the worker thread, after Run, whether it succeeded or not. */
  virtual void Finished() {}

 private:
  Napi::Promise::Deferred deferred_;
};

/** Queues the worker and returns its promise. */
template <typename Worker>
Napi::Promise QueuePromise(Worker* worker) {
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

class EventedWorker : public PromiseWorker {
 public:
  EventedWorker(Napi::Env env, Napi::Value onEvent) : PromiseWorker(env), events_(env, onEvent) {}

 protected:
  void Finished() override { events_.Release(); }
  JobEvents events_;
};

}  // namespace cwb
