{
  # Built by scripts/build-native.js, which passes the patched llama.cpp source folder (headers only)
  # and the prebuilt library folder of node-llama-cpp. Every native/src/*.cpp is part of the addon.
  "targets": [
    {
      "target_name": "cwb_native",
      "sources": ["<!@(node -p \"require('fs').readdirSync('src').filter(f => f.endsWith('.cpp')).map(f => 'src/' + f).join(' ')\")"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<(llama_src)/include",
        "<(llama_src)/ggml/include"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions"],
      "libraries": ["<@(llama_libs)"],
      "conditions": [
        ["OS=='mac'", {
          "xcode_settings": {
            "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "OTHER_LDFLAGS": ["-Wl,-rpath,<(llama_bins)"]
          }
        }],
        ["OS=='linux'", {
          "ldflags": ["-Wl,-rpath,<(llama_bins)"]
        }]
      ]
    }
  ]
}
