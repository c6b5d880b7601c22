// Memory-bandwidth probe: how fast this machine can stream a buffer much larger than any cache
// through all cores. Token generation on CPU is bound by reading every weight once per token, so
// this number is the ceiling that generation speed is compared against.
#include <napi.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>
#include "addon.h"
#include "options.h"
#include "promiseWorker.h"

namespace cwb {

namespace {

#if defined(__GNUC__) || defined(__clang__)
// 32-byte lanes: one AVX load where available, two SSE2/NEON loads otherwise.
typedef uint64_t Lane __attribute__((vector_size(32)));
constexpr size_t kLaneWords = 4;
#else
struct Lane {
  uint64_t w[4];
};
constexpr size_t kLaneWords = 4;
#endif

// Sums a slice with four independent accumulators so the loads, not the adds, are the bottleneck.
// The sum is returned so the compiler cannot drop the reads.
uint64_t SumSlice(const uint64_t* data, size_t words) {
  const size_t step = kLaneWords * 4;
  const size_t whole = words - words % step;
#if defined(__GNUC__) || defined(__clang__)
  Lane a = {0, 0, 0, 0}, b = a, c = a, d = a;
  for (size_t i = 0; i < whole; i += step) {
    Lane x, y, z, w;
    std::memcpy(&x, data + i, sizeof(Lane));
    std::memcpy(&y, data + i + kLaneWords, sizeof(Lane));
    std::memcpy(&z, data + i + 2 * kLaneWords, sizeof(Lane));
    std::memcpy(&w, data + i + 3 * kLaneWords, sizeof(Lane));
    a += x;
    b += y;
    c += z;
    d += w;
  }
  Lane s = a + b + c + d;
  uint64_t total = s[0] + s[1] + s[2] + s[3];
#else
  uint64_t a = 0, b = 0, c = 0, d = 0;
  for (size_t i = 0; i < whole; i += 4) {
    a += data[i];
    b += data[i + 1];
    c += data[i + 2];
    d += data[i + 3];
  }
  uint64_t total = a + b + c + d;
#endif
  for (size_t i = whole; i < words; i++) total += data[i];
  return total;
}

struct ProbeResult {
  double bestSeconds = 0;
  std::vector<double> runSeconds;
  uint64_t checksum = 0;
};

// Runs `repeats` timed rounds; in each, the threads read the buffer `passes` times in 4 MiB chunks
// taken from a shared counter, so a thread the OS descheduled (a busy machine) does not hold the
// round up with a fixed share of its own. Threads start together on a flag so the round's wall time
// covers only the reading.
ProbeResult RunProbe(const uint64_t* data, size_t words, unsigned threads, unsigned passes, unsigned repeats) {
  ProbeResult result;
  constexpr size_t kChunkWords = (size_t(4) << 20) / sizeof(uint64_t);
  const size_t chunksPerPass = (words + kChunkWords - 1) / kChunkWords;
  const size_t totalChunks = chunksPerPass * passes;
  std::vector<uint64_t> sums(threads * 8, 0);  // 64 bytes apart: no false sharing
  for (unsigned r = 0; r < repeats; r++) {
    std::atomic<unsigned> ready{0};
    std::atomic<bool> go{false};
    std::atomic<size_t> next{0};
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; t++) {
      pool.emplace_back([&, t] {
        ready.fetch_add(1);
        while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
        uint64_t sum = 0;
        for (size_t chunk = next.fetch_add(1); chunk < totalChunks; chunk = next.fetch_add(1)) {
          const size_t begin = (chunk % chunksPerPass) * kChunkWords;
          sum += SumSlice(data + begin, std::min(kChunkWords, words - begin));
        }
        sums[t * 8] += sum;
      });
    }
    while (ready.load() < threads) std::this_thread::yield();
    const auto start = std::chrono::steady_clock::now();
    go.store(true, std::memory_order_release);
    for (auto& thread : pool) thread.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.runSeconds.push_back(seconds);
    if (r == 0 || seconds < result.bestSeconds) result.bestSeconds = seconds;
  }
  for (unsigned t = 0; t < threads; t++) result.checksum += sums[t * 8];
  return result;
}

class BandwidthWorker : public PromiseWorker {
 public:
  BandwidthWorker(Napi::Env env, size_t bytes, unsigned threads, unsigned passes, unsigned repeats)
      : PromiseWorker(env), bytes_(bytes), threads_(threads), passes_(passes), repeats_(repeats) {}

 private:
  void Run() override {
    const size_t words = bytes_ / sizeof(uint64_t);
    std::unique_ptr<uint8_t[]> raw;
    try {
      raw.reset(new uint8_t[words * sizeof(uint64_t) + 64]);
    } catch (const std::bad_alloc&) {
      throw std::runtime_error("could not allocate the bandwidth probe buffer");
    }
    auto* data = reinterpret_cast<uint64_t*>((reinterpret_cast<uintptr_t>(raw.get()) + 63) & ~uintptr_t(63));
    // Write every page first (in parallel) so the reads hit real memory, not the shared zero page.
    {
      std::vector<std::thread> pool;
      const size_t per = words / threads_;
      for (unsigned t = 0; t < threads_; t++) {
        const size_t begin = t * per;
        const size_t end = t + 1 == threads_ ? words : begin + per;
        pool.emplace_back([data, begin, end] {
          for (size_t i = begin; i < end; i++) data[i] = i * 0x9E3779B97F4A7C15ull;
        });
      }
      for (auto& thread : pool) thread.join();
    }
    // One untimed pass warms the TLB and wakes the cores up from idle clocks.
    RunProbe(data, words, threads_, 1, 1);
    result_ = RunProbe(data, words, threads_, passes_, repeats_);
  }

  Napi::Value Result(Napi::Env env) override {
    const double bytesRead = double(bytes_ / sizeof(uint64_t) * sizeof(uint64_t)) * passes_;
    Napi::Object out = Napi::Object::New(env);
    out.Set("bytesPerSecond", bytesRead / result_.bestSeconds);
    out.Set("bytesPerRound", bytesRead);
    out.Set("bestSeconds", result_.bestSeconds);
    Napi::Array runs = Napi::Array::New(env, result_.runSeconds.size());
    for (size_t i = 0; i < result_.runSeconds.size(); i++) runs.Set(uint32_t(i), result_.runSeconds[i]);
    out.Set("roundSeconds", runs);
    out.Set("bufferBytes", double(bytes_));
    out.Set("threads", threads_);
    out.Set("passes", passes_);
    out.Set("checksum", double(result_.checksum & 0xFFFFFFFFull));
    return out;
  }

  size_t bytes_;
  unsigned threads_, passes_, repeats_;
  ProbeResult result_;
};

// measureBandwidth({bufferMiB?, threads?, passes?, repeats?}) → Promise<result>
Napi::Value MeasureBandwidth(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const OptionReader options(
      info.Length() > 0 && info[0].IsObject() ? info[0].As<Napi::Object>() : Napi::Object::New(env), "measureBandwidth");
  const int32_t hardware = static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
  const unsigned mib = static_cast<unsigned>(options.Int("bufferMiB", 1024, 16, 1 << 16));
  const unsigned threads = static_cast<unsigned>(options.Int("threads", hardware, 1, 1024));
  const unsigned passes = static_cast<unsigned>(options.Int("passes", 2, 1, 1000));
  const unsigned repeats = static_cast<unsigned>(options.Int("repeats", 3, 1, 1000));
  auto* worker = new BandwidthWorker(env, size_t(mib) << 20, threads, passes, repeats);
  return QueuePromise(worker);
}

}  // namespace

void RegisterBandwidth(Napi::Env env, Napi::Object exports) {
  exports.Set("measureBandwidth", Napi::Function::New(env, MeasureBandwidth, "measureBandwidth"));
}

}  // namespace cwb
