// Repacking a model file (see modelFiles.h): every tensor of the weights file read as F32, written
// with the metadata file's keys in the requested storage type.
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "ggml.h"
#include "ggufWriter.h"
#include "llamaHandles.h"
#include "modelFiles.h"

namespace cwb {

std::vector<TensorF32> ReadTensorsAsF32(const std::string& path) {
  ggml_context* dataContext = nullptr;
  const GgufPtr weights = ReadGgufOrThrow(path, "GGUF file", &dataContext);
  const GgmlContextPtr data(dataContext);
  std::vector<TensorF32> tensors;
  const int64_t nTensors = gguf_get_n_tensors(weights.get());
  for (int64_t i = 0; i < nTensors; i++) {
    const char* name = gguf_get_tensor_name(weights.get(), i);
    ggml_tensor* g = ggml_get_tensor(data.get(), name);
    if (!g || ggml_n_dims(g) > 2) throw std::runtime_error(path + ": tensor " + name + " is missing or has more than two dimensions");
    TensorF32 t;
    t.name = name;
    t.ne0 = g->ne[0];
    t.ne1 = g->ne[1];
    t.matrix = ggml_n_dims(g) == 2;
    t.data.resize(static_cast<size_t>(ggml_nelements(g)));
    if (g->type == GGML_TYPE_F32) std::memcpy(t.data.data(), g->data, ggml_nbytes(g));
    else if (g->type == GGML_TYPE_F16) ggml_fp16_to_fp32_row(static_cast<const ggml_fp16_t*>(g->data), t.data.data(), ggml_nelements(g));
    else if (g->type == GGML_TYPE_BF16) ggml_bf16_to_fp32_row(static_cast<const ggml_bf16_t*>(g->data), t.data.data(), ggml_nelements(g));
    else throw std::runtime_error(path + ": tensor " + name + " is " + ggml_type_name(g->type) + "; only F32, F16 and BF16 can be repacked");
    tensors.push_back(std::move(t));
  }
  return tensors;
}

WrittenModel PackModelFile(const PackJob& job) {
  const GgufPtr meta = ReadGgufOrThrow(job.metadataPath, "GGUF file");
  const std::vector<TensorF32> tensors = ReadTensorsAsF32(job.weightsPath);
  WrittenModel out;
  for (const TensorF32& t : tensors) out.nParams += t.data.size();
  out.fileBytes = WriteModelFile(meta.get(), job.extra, tensors, job.storage, job.outPath);
  return out;
}

}  // namespace cwb
