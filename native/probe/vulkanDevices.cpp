// cwb_gpu_probe: lists the Vulkan devices the system's Vulkan loader reports, with their type, before
// any llama.cpp build is chosen. It links to no llama.cpp library (loading one would commit the
// process to that build), and it needs no Vulkan SDK: the loader is opened at run time and the few
// entry points and structures used are declared here as the Vulkan specification defines them.
// ggml-vulkan skips CPU-type devices (software renderers such as llvmpipe) unless
// GGML_VK_VISIBLE_DEVICES names them; the worker uses this list to say so, and to name them when the
// user forces one.
#include <napi.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#endif

namespace {

using VkInstance = struct VkInstance_T*;
using VkPhysicalDevice = struct VkPhysicalDevice_T*;
using VkResult = int32_t;
using PFN_vkVoidFunction = void (*)();
using PFN_vkGetInstanceProcAddr = PFN_vkVoidFunction (*)(VkInstance, const char*);

constexpr int32_t kStructureTypeApplicationInfo = 0;
constexpr int32_t kStructureTypeInstanceCreateInfo = 1;
constexpr uint32_t kApiVersion10 = 1u << 22;

struct ApplicationInfo {
  int32_t sType;
  const void* pNext;
  const char* pApplicationName;
  uint32_t applicationVersion;
  const char* pEngineName;
  uint32_t engineVersion;
  uint32_t apiVersion;
};

struct InstanceCreateInfo {
  int32_t sType;
  const void* pNext;
  uint32_t flags;
  const ApplicationInfo* pApplicationInfo;
  uint32_t enabledLayerCount;
  const char* const* ppEnabledLayerNames;
  uint32_t enabledExtensionCount;
  const char* const* ppEnabledExtensionNames;
};

// The leading fields of VkPhysicalDeviceProperties; the rest (limits, sparse properties) is kept in
// the padding so the loader can write the whole structure (824 bytes in the specification).
struct PhysicalDeviceProperties {
  uint32_t apiVersion;
  uint32_t driverVersion;
  uint32_t vendorID;
  uint32_t deviceID;
  int32_t deviceType;
  char deviceName[256];
  uint8_t rest[2048];
};

using PFN_vkCreateInstance = VkResult (*)(const InstanceCreateInfo*, const void*, VkInstance*);
using PFN_vkDestroyInstance = void (*)(VkInstance, const void*);
using PFN_vkEnumeratePhysicalDevices = VkResult (*)(VkInstance, uint32_t*, VkPhysicalDevice*);
using PFN_vkGetPhysicalDeviceProperties = void (*)(VkPhysicalDevice, PhysicalDeviceProperties*);

const char* DeviceTypeName(int32_t type) {
  switch (type) {
    case 1: return "integrated";
    case 2: return "discrete";
    case 3: return "virtual";
    case 4: return "cpu";
    default: return "other";
  }
}

void* OpenLoader(std::string& tried) {
#ifdef _WIN32
  const char* names[] = {"vulkan-1.dll"};
#elif defined(__APPLE__)
  const char* names[] = {"libvulkan.1.dylib", "libvulkan.dylib", "libMoltenVK.dylib"};
#else
  const char* names[] = {"libvulkan.so.1", "libvulkan.so"};
#endif
  for (const char* name : names) {
    if (!tried.empty()) tried += ", ";
    tried += name;
#ifdef _WIN32
    if (HMODULE handle = LoadLibraryA(name)) return reinterpret_cast<void*>(handle);
#else
    if (void* handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)) return handle;
#endif
  }
  return nullptr;
}

PFN_vkGetInstanceProcAddr LoaderEntry(void* loader) {
#ifdef _WIN32
  return reinterpret_cast<PFN_vkGetInstanceProcAddr>(
      GetProcAddress(reinterpret_cast<HMODULE>(loader), "vkGetInstanceProcAddr"));
#else
  return reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(loader, "vkGetInstanceProcAddr"));
#endif
}

// vulkanDevices(): {loader: boolean, error: string | null, devices: [{index, name, type, apiVersion}]}.
// The loader stays open: unloading it while a later llama.cpp build uses it would be wasted work.
Napi::Value VulkanDevices(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  Napi::Array devices = Napi::Array::New(env);
  result.Set("devices", devices);
  std::string tried;
  void* loader = OpenLoader(tried);
  result.Set("loader", loader != nullptr);
  if (!loader) {
    result.Set("error", "no Vulkan loader library (" + tried + ")");
    return result;
  }
  auto getProc = LoaderEntry(loader);
  auto create = getProc ? reinterpret_cast<PFN_vkCreateInstance>(getProc(nullptr, "vkCreateInstance")) : nullptr;
  if (!create) {
    result.Set("error", "the Vulkan loader has no vkCreateInstance");
    return result;
  }
  ApplicationInfo app{kStructureTypeApplicationInfo, nullptr, "cwb-gpu-probe", 1, "cwb", 1, kApiVersion10};
  InstanceCreateInfo create_info{kStructureTypeInstanceCreateInfo, nullptr, 0, &app, 0, nullptr, 0, nullptr};
  VkInstance instance = nullptr;
  VkResult status = create(&create_info, nullptr, &instance);
  if (status != 0 || !instance) {
    result.Set("error", "vkCreateInstance failed (VkResult " + std::to_string(status) + ")");
    return result;
  }
  auto destroy = reinterpret_cast<PFN_vkDestroyInstance>(getProc(instance, "vkDestroyInstance"));
  auto enumerate = reinterpret_cast<PFN_vkEnumeratePhysicalDevices>(getProc(instance, "vkEnumeratePhysicalDevices"));
  auto properties =
      reinterpret_cast<PFN_vkGetPhysicalDeviceProperties>(getProc(instance, "vkGetPhysicalDeviceProperties"));
  uint32_t count = 0;
  if (enumerate && properties && enumerate(instance, &count, nullptr) == 0 && count > 0) {
    std::vector<VkPhysicalDevice> handles(count);
    enumerate(instance, &count, handles.data());
    for (uint32_t i = 0; i < count; i++) {
      PhysicalDeviceProperties props{};
      properties(handles[i], &props);
      Napi::Object device = Napi::Object::New(env);
      device.Set("index", i);
      device.Set("name", std::string(props.deviceName, strnlen(props.deviceName, sizeof(props.deviceName))));
      device.Set("type", DeviceTypeName(props.deviceType));
      device.Set("apiVersion", std::to_string(props.apiVersion >> 22) + "." +
                                   std::to_string((props.apiVersion >> 12) & 0x3ff) + "." +
                                   std::to_string(props.apiVersion & 0xfff));
      devices.Set(i, device);
    }
  }
  if (destroy) destroy(instance, nullptr);
  result.Set("error", env.Null());
  return result;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("vulkanDevices", Napi::Function::New(env, VulkanDevices, "vulkanDevices"));
  return exports;
}

}  // namespace

NODE_API_MODULE(cwb_gpu_probe, Init)
