{
  # Built by scripts/build-native.js, which passes the patched llama.cpp source folder (headers only)
  # and writes backends.gypi: one addon per llama.cpp library folder on this machine (CPU, Vulkan,
  # CUDA, Metal), each linked to that folder's libraries. The code is compiled once, into
  # cwb_native_core; each backend's addon is addon.cpp (the module entry) linked with it.
  "includes": ["backends.gypi"],
  "target_defaults": {
    "include_dirs": [
      "<!(node -p \"require('node-addon-api').include_dir\")",
      "<(llama_src)/include",
      "<(llama_src)/ggml/include"
    ],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
    "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-fPIC"],
    "conditions": [
      ["OS=='mac'", {
        "xcode_settings": {
          "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
          "CLANG_CXX_LANGUAGE_STANDARD": "c++17"
        }
      }],
      ["OS=='win'", {
        "msvs_settings": {
          "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"] }
        }
      }]
    ]
  },
  "targets": [
    {
      # Lists Vulkan devices before a llama.cpp build is chosen; links to no llama.cpp library.
      "target_name": "cwb_gpu_probe",
      "sources": ["probe/vulkanDevices.cpp"],
      "conditions": [["OS=='linux'", { "libraries": ["-ldl"] }]]
    },
    {
      "target_name": "cwb_native_core",
      "type": "static_library",
      "sources": ["<!@(node -p \"require('fs').readdirSync('src').filter(f => f.endsWith('.cpp') && f !== 'addon.cpp').map(f => 'src/' + f).join(' ')\")"]
    }
  ]
}
