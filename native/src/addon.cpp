// Module entry: registers every part of the cwb_native surface (typed in src/core/native/AddonTypes.ts).
#include <napi.h>
#include "addon.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  cwb::RegisterBackend(env, exports);
  cwb::RegisterEvaluate(env, exports);
  cwb::RegisterBandwidth(env, exports);
  cwb::RegisterPageCache(env, exports);
  cwb::RegisterModelFactory(env, exports);
  cwb::RegisterTraining(env, exports);
  cwb::RegisterQuantize(env, exports);
  cwb::RegisterImatrix(env, exports);
  cwb::RegisterLayers(env, exports);
  cwb::RegisterChannelImportance(env, exports);
  cwb::RegisterWidthPrune(env, exports);
  cwb::RegisterEngineBench(env, exports);
  cwb::RegisterSpeculate(env, exports);
  return exports;
}

NODE_API_MODULE(cwb_native, Init)
