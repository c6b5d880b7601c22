// Registration functions, one per source file pair; each adds its functions to the exports object.
#pragma once
#include <napi.h>

namespace cwb {
void RegisterBackend(Napi::Env env, Napi::Object exports);
}  // namespace cwb
