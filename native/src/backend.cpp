// Backend bootstrap and build information. The ggml backends are loaded dynamically; when
// node-llama-cpp already loaded them in this process they are reused, else we load them from the
// folder of the library we are bound to.
#include <napi.h>
#include <string>
#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#endif
#include "addon.h"
#include "ggml-backend.h"
#include "llama.h"

namespace cwb {

static bool g_ready = false;

// Loads backends from the given folder unless some are already registered (node-llama-cpp did it).
static Napi::Value EnsureBackends(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!g_ready) {
    if (ggml_backend_dev_count() == 0) {
      if (info.Length() < 1 || !info[0].IsString()) {
        throw Napi::TypeError::New(env, "ensureBackends(binsDir): no backend loaded yet, pass the library folder");
      }
      std::string dir = info[0].As<Napi::String>();
      ggml_backend_load_all_from_path(dir.c_str());
    }
    llama_backend_init();
    g_ready = ggml_backend_dev_count() > 0;
    if (!g_ready) throw Napi::Error::New(env, "no ggml backend could be loaded (no CPU backend found)");
  }
  Napi::Array devices = Napi::Array::New(env);
  for (size_t i = 0; i < ggml_backend_dev_count(); i++) {
    ggml_backend_dev_t dev = ggml_backend_dev_get(i);
    Napi::Object d = Napi::Object::New(env);
    d.Set("name", ggml_backend_dev_name(dev));
    d.Set("description", ggml_backend_dev_description(dev));
    const char* type = "cpu";
    switch (ggml_backend_dev_type(dev)) {
      case GGML_BACKEND_DEVICE_TYPE_GPU: type = "gpu"; break;
      case GGML_BACKEND_DEVICE_TYPE_IGPU: type = "igpu"; break;
      case GGML_BACKEND_DEVICE_TYPE_ACCEL: type = "accel"; break;
      default: break;
    }
    d.Set("type", type);
    size_t free = 0, total = 0;
    ggml_backend_dev_memory(dev, &free, &total);
    d.Set("memoryFree", Napi::Number::New(env, static_cast<double>(free)));
    d.Set("memoryTotal", Napi::Number::New(env, static_cast<double>(total)));
    d.Set("backend", ggml_backend_reg_name(ggml_backend_dev_backend_reg(dev)));
    devices.Set(devices.Length(), d);
  }
  return devices;
}

// llama.cpp's build-info (common/build-info.cpp): the upstream commit and build number the library
// was compiled from, as llama-bench prints them ("build: de3ff81 (1)"). They live in llama-common,
// which node-llama-cpp's addon loaded into this process; looked up there, never loaded here.
static const void* FindCommonSymbol(const char* name) {
#ifdef _WIN32
  HMODULE common = GetModuleHandleA("llama-common.dll");
  return common ? reinterpret_cast<const void*>(GetProcAddress(common, name)) : nullptr;
#else
  const char* names[] = {"libllama-common.so", "libllama-common.dylib", "@rpath/libllama-common.dylib"};
  for (const char* file : names) {
    void* handle = dlopen(file, RTLD_LAZY | RTLD_NOLOAD);
    if (!handle) continue;
    const void* symbol = dlsym(handle, name);
    dlclose(handle);
    if (symbol) return symbol;
  }
  return nullptr;
#endif
}

static Napi::Value LlamaCommit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto commit = static_cast<const char* const*>(FindCommonSymbol("LLAMA_COMMIT"));
  auto number = static_cast<const int*>(FindCommonSymbol("LLAMA_BUILD_NUMBER"));
  if (!commit || !*commit) return env.Null();
  Napi::Object out = Napi::Object::New(env);
  out.Set("commit", std::string(*commit));
  out.Set("buildNumber", number ? Napi::Value(Napi::Number::New(env, *number)) : env.Null());
  return out;
}

static Napi::Value SystemInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("systemInfo", llama_print_system_info());
  out.Set("supportsMmap", llama_supports_mmap());
  out.Set("supportsGpuOffload", llama_supports_gpu_offload());
  return out;
}

void RegisterBackend(Napi::Env env, Napi::Object exports) {
  exports.Set("ensureBackends", Napi::Function::New(env, EnsureBackends, "ensureBackends"));
  exports.Set("systemInfo", Napi::Function::New(env, SystemInfo, "systemInfo"));
  exports.Set("llamaCommit", Napi::Function::New(env, LlamaCommit, "llamaCommit"));
}

}  // namespace cwb
