// Page-cache control for cold-load measurements: how much of a file the OS holds in memory, and a
// request to drop it (posix_fadvise DONTNEED), which Node cannot make. The kernel only drops clean
// pages that no process maps, so the caller checks residency afterwards instead of trusting it.
#include <napi.h>
#include <string>
#include "addon.h"

#if defined(__linux__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>
#define CWB_HAS_MINCORE 1
#endif

namespace cwb {

namespace {

#ifdef CWB_HAS_MINCORE
// Fraction of the file's pages resident in the page cache, or a negative value when unknown.
double ResidentFraction(int fd, off_t size) {
  if (size <= 0) return 1.0;
  void* map = mmap(nullptr, size_t(size), PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) return -1.0;
  const long page = sysconf(_SC_PAGESIZE);
  const size_t pages = (size_t(size) + size_t(page) - 1) / size_t(page);
#if defined(__APPLE__)
  std::vector<char> vec(pages);
#else
  std::vector<unsigned char> vec(pages);
#endif
  double fraction = -1.0;
  if (mincore(map, size_t(size), vec.data()) == 0) {
    size_t resident = 0;
    for (auto flag : vec) resident += (flag & 1) ? 1 : 0;
    fraction = double(resident) / double(pages);
  }
  munmap(map, size_t(size));
  return fraction;
}
#endif

Napi::Value Residency(Napi::Env env, const std::string& path, bool evict) {
  Napi::Object out = Napi::Object::New(env);
#ifdef CWB_HAS_MINCORE
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) throw Napi::Error::New(env, "cannot open " + path);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    throw Napi::Error::New(env, "cannot stat " + path);
  }
  const double before = ResidentFraction(fd, st.st_size);
  out.Set("residentBefore", before < 0 ? env.Null() : Napi::Number::New(env, before));
  bool requested = false;
#if defined(__linux__)
  if (evict) requested = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0;
#endif
  const double after = evict ? ResidentFraction(fd, st.st_size) : before;
  close(fd);
  out.Set("evictSupported", Napi::Boolean::New(env, requested));
  out.Set("residentAfter", after < 0 ? env.Null() : Napi::Number::New(env, after));
#else
  (void)path;
  (void)evict;
  out.Set("residentBefore", env.Null());
  out.Set("residentAfter", env.Null());
  out.Set("evictSupported", Napi::Boolean::New(env, false));
#endif
  return out;
}

std::string PathArgument(const Napi::CallbackInfo& info, const char* name) {
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(info.Env(), std::string(name) + "(path): path must be a string");
  return info[0].As<Napi::String>();
}

// fileResidency(path) → {residentBefore, residentAfter, evictSupported: false}
Napi::Value FileResidency(const Napi::CallbackInfo& info) { return Residency(info.Env(), PathArgument(info, "fileResidency"), false); }

// evictFromPageCache(path) → {residentBefore, residentAfter, evictSupported}
Napi::Value EvictFromPageCache(const Napi::CallbackInfo& info) { return Residency(info.Env(), PathArgument(info, "evictFromPageCache"), true); }

}  // namespace

void RegisterPageCache(Napi::Env env, Napi::Object exports) {
  exports.Set("fileResidency", Napi::Function::New(env, FileResidency, "fileResidency"));
  exports.Set("evictFromPageCache", Napi::Function::New(env, EvictFromPageCache, "evictFromPageCache"));
}

}  // namespace cwb
