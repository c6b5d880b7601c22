// A persistent ggml CPU thread pool, as llama-bench attaches one to its context: without one
// (node-llama-cpp's contexts) every graph computation starts and joins its own threads, which costs a
// visible share of a small model's token time at 2+ threads. Shared by engineBench and speculate.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "ggml-backend.h"
#include "ggml-cpu.h"

namespace cwb {

// The CPU backend is loaded dynamically, so its thread-pool functions come from its registry entry.
class CpuThreadpool {
 public:
  explicit CpuThreadpool(int32_t threads) {
    ggml_backend_dev_t cpu = ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU);
    if (!cpu) throw std::runtime_error("the llama.cpp CPU backend is not loaded");
    ggml_backend_reg_t reg = ggml_backend_dev_backend_reg(cpu);
    auto* create = reinterpret_cast<decltype(ggml_threadpool_new)*>(ggml_backend_reg_get_proc_address(reg, "ggml_threadpool_new"));
    free_ = reinterpret_cast<decltype(ggml_threadpool_free)*>(ggml_backend_reg_get_proc_address(reg, "ggml_threadpool_free"));
    if (!create || !free_) throw std::runtime_error("the llama.cpp CPU backend does not export its thread pool functions");
    ggml_threadpool_params params = ggml_threadpool_params_default(threads);  // llama-bench's defaults: poll 50, any CPU
    pool_ = create(&params);
    if (!pool_) throw std::runtime_error("cannot create a thread pool of " + std::to_string(threads) + " threads");
  }
  ~CpuThreadpool() { free_(pool_); }
  CpuThreadpool(const CpuThreadpool&) = delete;
  CpuThreadpool& operator=(const CpuThreadpool&) = delete;
  ggml_threadpool_t get() const { return pool_; }

 private:
  decltype(ggml_threadpool_free)* free_ = nullptr;
  ggml_threadpool_t pool_ = nullptr;
};

}  // namespace cwb
