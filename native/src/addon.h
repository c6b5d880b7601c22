// Registration functions, one per source file pair; each adds its functions to the exports object.
#pragma once
#include <napi.h>

namespace cwb {
void RegisterBackend(Napi::Env env, Napi::Object exports);
void RegisterEvaluate(Napi::Env env, Napi::Object exports);
void RegisterBandwidth(Napi::Env env, Napi::Object exports);
void RegisterPageCache(Napi::Env env, Napi::Object exports);
void RegisterModelFactory(Napi::Env env, Napi::Object exports);
void RegisterTraining(Napi::Env env, Napi::Object exports);
void RegisterQuantize(Napi::Env env, Napi::Object exports);
void RegisterImatrix(Napi::Env env, Napi::Object exports);
void RegisterLayers(Napi::Env env, Napi::Object exports);
void RegisterChannelImportance(Napi::Env env, Napi::Object exports);
void RegisterWidthPrune(Napi::Env env, Napi::Object exports);
void RegisterEngineBench(Napi::Env env, Napi::Object exports);
void RegisterSpeculate(Napi::Env env, Napi::Object exports);
}  // namespace cwb
