// The GGUF model writer (see ggufWriter.h).
#include "ggufWriter.h"

#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "ggml.h"
#include "llamaHandles.h"
#include "partialFile.h"

namespace cwb {

Storage ParseStorage(const std::string& name) {
  if (name == "f32") return Storage::F32;
  if (name == "f16") return Storage::F16;
  if (name == "bf16") return Storage::BF16;
  throw std::runtime_error("storage type must be f32, f16 or bf16, got " + name);
}

uint32_t FileType(Storage storage) { return storage == Storage::F32 ? 0 : storage == Storage::F16 ? 1 : 32; }

static uint64_t FileSize(const std::string& path) {
  FilePtr f(std::fopen(path.c_str(), "rb"));
  if (!f) return 0;
  std::fseek(f.get(), 0, SEEK_END);
  const long n = std::ftell(f.get());
  return n > 0 ? static_cast<uint64_t>(n) : 0;
}

uint64_t WriteModelFile(const gguf_context* kv, const StringPairs& extra, const std::vector<TensorF32>& tensors, Storage storage,
                        const std::string& outPath) {
  GgufPtr out(gguf_init_empty());
  gguf_set_kv(out.get(), kv);
  gguf_set_val_u32(out.get(), "general.file_type", FileType(storage));
  for (const auto& p : extra) gguf_set_val_str(out.get(), p.first.c_str(), p.second.c_str());

  ggml_init_params cp = {/*mem_size=*/ggml_tensor_overhead() * (tensors.size() + 1), /*mem_buffer=*/nullptr, /*no_alloc=*/true};
  GgmlContextPtr shapes(ggml_init(cp));
  std::vector<std::vector<uint8_t>> buffers(tensors.size());
  for (size_t i = 0; i < tensors.size(); i++) {
    const TensorF32& t = tensors[i];
    const ggml_type type = !t.matrix || storage == Storage::F32 ? GGML_TYPE_F32 : storage == Storage::F16 ? GGML_TYPE_F16 : GGML_TYPE_BF16;
    ggml_tensor* g = !t.matrix ? ggml_new_tensor_1d(shapes.get(), type, t.ne0)
                     : t.ne2 > 1 ? ggml_new_tensor_3d(shapes.get(), type, t.ne0, t.ne1, t.ne2)
                                 : ggml_new_tensor_2d(shapes.get(), type, t.ne0, t.ne1);
    ggml_set_name(g, t.name.c_str());
    auto& buf = buffers[i];
    buf.resize(ggml_nbytes(g));
    const int64_t n = static_cast<int64_t>(t.data.size());
    if (type == GGML_TYPE_F32) std::memcpy(buf.data(), t.data.data(), buf.size());
    else if (type == GGML_TYPE_F16) ggml_fp32_to_fp16_row(t.data.data(), reinterpret_cast<ggml_fp16_t*>(buf.data()), n);
    else ggml_fp32_to_bf16_row(t.data.data(), reinterpret_cast<ggml_bf16_t*>(buf.data()), n);
    gguf_add_tensor(out.get(), g);
    gguf_set_tensor_data(out.get(), t.name.c_str(), buf.data());
  }
  PartialFile file(outPath);
  if (!gguf_write_to_file(out.get(), file.Path().c_str(), /*only_meta=*/false) || !file.Commit()) {
    throw std::runtime_error(outPath + ": cannot write the model file");
  }
  return FileSize(outPath);
}

}  // namespace cwb
