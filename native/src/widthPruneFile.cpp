// pruneWidth(options, onEvent?): writes a narrower copy of a llama model. Per block it keeps the
// listed FFN channels (rows of ffn_gate / ffn_up, columns of ffn_down) and the listed KV groups
// (rows of attn_k / attn_v; the query heads sharing each group: rows of attn_q, columns of
// attn_output); every other tensor and key is copied. Uniform widths stay a llama model with scalar
// widths. Per-block widths are written as llama.cpp's "deci" architecture (the llama graph with
// per-block feed_forward_length and head counts), because this release's llama builder sizes every
// block from block 0's values. The head size is written explicitly, since llama.cpp would otherwise
// derive it from the embedding width over the (now smaller) head count.
#include <napi.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "abortHandle.h"
#include "addon.h"
#include "ggml.h"
#include "gguf.h"
#include "ggufWriter.h"
#include "llamaHandles.h"
#include "modelFiles.h"
#include "options.h"
#include "promiseWorker.h"
#include "stringMatch.h"

namespace cwb {

using IndexList = std::vector<int32_t>;

struct WidthPruneJob {
  std::string inPath;
  std::string outPath;
  std::vector<IndexList> ffnKeep;     // per block: FFN channels kept, ascending
  std::vector<IndexList> groupsKeep;  // per block: KV groups kept, ascending
};

// A per-block u32 key stored as a scalar or an array; `fallback` when absent.
static std::vector<uint32_t> PerBlock(const gguf_context* g, const std::string& key, uint32_t nBlock, const std::vector<uint32_t>* fallback,
                                      const std::string& path) {
  const int64_t id = gguf_find_key(g, key.c_str());
  if (id < 0) {
    if (fallback) return *fallback;
    throw std::runtime_error(path + ": no " + key);
  }
  const gguf_type type = gguf_get_kv_type(g, id);
  if (type == GGUF_TYPE_UINT32 || type == GGUF_TYPE_INT32) return std::vector<uint32_t>(nBlock, gguf_get_val_u32(g, id));
  if (type == GGUF_TYPE_ARRAY && gguf_get_arr_n(g, id) == nBlock &&
      (gguf_get_arr_type(g, id) == GGUF_TYPE_UINT32 || gguf_get_arr_type(g, id) == GGUF_TYPE_INT32)) {
    const auto* data = static_cast<const uint32_t*>(gguf_get_arr_data(g, id));
    return std::vector<uint32_t>(data, data + nBlock);
  }
  throw std::runtime_error(path + ": " + key + " is neither a number nor one number per block");
}

static void SetPerBlock(gguf_context* g, const std::string& key, const std::vector<uint32_t>& values) {
  const bool uniform = std::all_of(values.begin(), values.end(), [&](uint32_t v) { return v == values[0]; });
  gguf_remove_key(g, key.c_str());
  if (uniform) gguf_set_val_u32(g, key.c_str(), values[0]);
  else gguf_set_arr_data(g, key.c_str(), GGUF_TYPE_UINT32, values.data(), values.size());
}

// Copies key `id` of `src` into `dst` under `name` (any scalar or array type).
static void CopyKeyAs(gguf_context* dst, const gguf_context* src, int64_t id, const std::string& name) {
  const char* k = name.c_str();
  switch (gguf_get_kv_type(src, id)) {
    case GGUF_TYPE_UINT8: gguf_set_val_u8(dst, k, gguf_get_val_u8(src, id)); break;
    case GGUF_TYPE_INT8: gguf_set_val_i8(dst, k, gguf_get_val_i8(src, id)); break;
    case GGUF_TYPE_UINT16: gguf_set_val_u16(dst, k, gguf_get_val_u16(src, id)); break;
    case GGUF_TYPE_INT16: gguf_set_val_i16(dst, k, gguf_get_val_i16(src, id)); break;
    case GGUF_TYPE_UINT32: gguf_set_val_u32(dst, k, gguf_get_val_u32(src, id)); break;
    case GGUF_TYPE_INT32: gguf_set_val_i32(dst, k, gguf_get_val_i32(src, id)); break;
    case GGUF_TYPE_FLOAT32: gguf_set_val_f32(dst, k, gguf_get_val_f32(src, id)); break;
    case GGUF_TYPE_UINT64: gguf_set_val_u64(dst, k, gguf_get_val_u64(src, id)); break;
    case GGUF_TYPE_INT64: gguf_set_val_i64(dst, k, gguf_get_val_i64(src, id)); break;
    case GGUF_TYPE_FLOAT64: gguf_set_val_f64(dst, k, gguf_get_val_f64(src, id)); break;
    case GGUF_TYPE_BOOL: gguf_set_val_bool(dst, k, gguf_get_val_bool(src, id)); break;
    case GGUF_TYPE_STRING: gguf_set_val_str(dst, k, gguf_get_val_str(src, id)); break;
    case GGUF_TYPE_ARRAY: {
      const gguf_type et = gguf_get_arr_type(src, id);
      const size_t n = gguf_get_arr_n(src, id);
      if (et == GGUF_TYPE_STRING) {
        std::vector<const char*> items(n);
        for (size_t i = 0; i < n; i++) items[i] = gguf_get_arr_str(src, id, i);
        gguf_set_arr_str(dst, k, items.data(), n);
      } else {
        gguf_set_arr_data(dst, k, et, gguf_get_arr_data(src, id), n);
      }
      break;
    }
    default: throw std::runtime_error("cannot copy metadata key " + name);
  }
}

// Every "<from>.*" key becomes "<to>.*" (the other keys are left alone).
static void RenameArchitecture(gguf_context* g, const std::string& from, const std::string& to) {
  const std::string prefix = from + ".";
  GgufPtr copy(gguf_init_empty());
  gguf_set_kv(copy.get(), g);
  for (int64_t i = 0; i < gguf_get_n_kv(copy.get()); i++) {
    const std::string key = gguf_get_key(copy.get(), i);
    if (!StartsWith(key, prefix)) continue;
    gguf_remove_key(g, key.c_str());
    CopyKeyAs(g, copy.get(), i, to + "." + key.substr(prefix.size()));
  }
  gguf_set_val_str(g, "general.architecture", to.c_str());
}

// Keeps the listed rows (each `rowLength` values) of a row-major tensor.
static void KeepRows(TensorF32& t, const IndexList& rows, int64_t rowLength) {
  std::vector<float> out;
  out.reserve(rows.size() * static_cast<size_t>(rowLength));
  for (int32_t r : rows) {
    const float* src = t.data.data() + static_cast<int64_t>(r) * rowLength;
    out.insert(out.end(), src, src + rowLength);
  }
  t.data.swap(out);
  if (t.matrix) t.ne1 = static_cast<int64_t>(rows.size()) * rowLength / t.ne0;
  else t.ne0 = static_cast<int64_t>(t.data.size());
}

// Keeps the listed columns of every row.
static void KeepColumns(TensorF32& t, const IndexList& columns) {
  std::vector<float> out;
  out.reserve(columns.size() * static_cast<size_t>(t.ne1));
  for (int64_t r = 0; r < t.ne1; r++) {
    const float* row = t.data.data() + r * t.ne0;
    for (int32_t c : columns) out.push_back(row[c]);
  }
  t.data.swap(out);
  t.ne0 = static_cast<int64_t>(columns.size());
}

// Indices first*span .. first*span+span-1 for each listed block of `span`.
static IndexList Expand(const IndexList& blocks, int64_t span) {
  IndexList out;
  for (int32_t b : blocks)
    for (int64_t k = 0; k < span; k++) out.push_back(static_cast<int32_t>(b * span + k));
  return out;
}

static void CheckKeep(const IndexList& keep, uint32_t count, const std::string& what, size_t block) {
  if (keep.empty()) throw std::runtime_error("block " + std::to_string(block) + ": no " + what + " kept");
  for (size_t i = 0; i < keep.size(); i++) {
    if (keep[i] < 0 || static_cast<uint32_t>(keep[i]) >= count || (i > 0 && keep[i] <= keep[i - 1]))
      throw std::runtime_error("block " + std::to_string(block) + ": " + what + " to keep must be ascending indices below " + std::to_string(count));
  }
}

// "blk.<n>.<rest>" -> n and rest; -1 otherwise.
static int BlockOf(const std::string& name, std::string* rest) {
  if (!StartsWith(name, "blk.")) return -1;
  const size_t dot = name.find('.', 4);
  if (dot == std::string::npos) return -1;
  *rest = name.substr(dot + 1);
  return std::atoi(name.substr(4, dot - 4).c_str());
}

// The storage of the input's matrices, from general.file_type (ALL_F32, MOSTLY_F16, MOSTLY_BF16).
static Storage StorageOf(const gguf_context* g) {
  const int64_t id = gguf_find_key(g, "general.file_type");
  const uint32_t fileType = id >= 0 ? gguf_get_val_u32(g, id) : 1;
  return fileType == 0 ? Storage::F32 : fileType == 32 ? Storage::BF16 : Storage::F16;
}

class WidthPruneWorker : public AbortableWorker {
 public:
  WidthPruneWorker(Napi::Env env, WidthPruneJob job, Napi::Value onEvent, std::shared_ptr<AbortFlag> abort)
      : AbortableWorker(env, onEvent, std::move(abort)), job_(std::move(job)) {}
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("architecture", architecture_);
    auto toArray = [&](const std::vector<uint32_t>& v) {
      Napi::Array a = Napi::Array::New(env, v.size());
      for (size_t i = 0; i < v.size(); i++) a.Set(i, static_cast<double>(v[i]));
      return a;
    };
    o.Set("ffnLengths", toArray(ffnLengths_));
    o.Set("headCounts", toArray(headCounts_));
    o.Set("headCountsKv", toArray(headCountsKv_));
    o.Set("nParams", static_cast<double>(written_.nParams));
    o.Set("fileBytes", static_cast<double>(written_.fileBytes));
    return o;
  }

 private:
  void Run() override {
    const std::string& path = job_.inPath;
    const GgufPtr meta = ReadGgufOrThrow(path, "GGUF file");
    const gguf_context* g = meta.get();
    const int64_t archId = gguf_find_key(g, "general.architecture");
    const std::string arch = archId >= 0 ? gguf_get_val_str(g, archId) : "";
    if (arch != "llama") throw std::runtime_error(path + ": width pruning needs a llama-architecture model, this one is \"" + arch + "\"");
    const int64_t blockId = gguf_find_key(g, (arch + ".block_count").c_str());
    const int64_t embdId = gguf_find_key(g, (arch + ".embedding_length").c_str());
    if (blockId < 0 || embdId < 0) throw std::runtime_error(path + ": no block_count or embedding_length");
    const uint32_t nBlock = gguf_get_val_u32(g, blockId);
    const uint32_t nEmbd = gguf_get_val_u32(g, embdId);
    if (job_.ffnKeep.size() != nBlock || job_.groupsKeep.size() != nBlock)
      throw std::runtime_error(path + ": has " + std::to_string(nBlock) + " blocks; the kept channels and groups must list one entry per block");
    const std::vector<uint32_t> nFf = PerBlock(g, arch + ".feed_forward_length", nBlock, nullptr, path);
    const std::vector<uint32_t> nHead = PerBlock(g, arch + ".attention.head_count", nBlock, nullptr, path);
    const std::vector<uint32_t> nHeadKv = PerBlock(g, arch + ".attention.head_count_kv", nBlock, &nHead, path);
    const std::vector<uint32_t> headDimDefault(nBlock, nHead[0] > 0 ? nEmbd / nHead[0] : 0);
    const uint32_t headDimK = PerBlock(g, arch + ".attention.key_length", nBlock, &headDimDefault, path)[0];
    const uint32_t headDimV = PerBlock(g, arch + ".attention.value_length", nBlock, &headDimDefault, path)[0];

    for (size_t b = 0; b < nBlock; b++) {
      if (nHeadKv[b] == 0 || nHead[b] % nHeadKv[b] != 0) throw std::runtime_error(path + ": block " + std::to_string(b) + " has an unsupported head layout");
      CheckKeep(job_.ffnKeep[b], nFf[b], "FFN channels", b);
      CheckKeep(job_.groupsKeep[b], nHeadKv[b], "KV groups", b);
      ffnLengths_.push_back(static_cast<uint32_t>(job_.ffnKeep[b].size()));
      headCountsKv_.push_back(static_cast<uint32_t>(job_.groupsKeep[b].size()));
      headCounts_.push_back(static_cast<uint32_t>(job_.groupsKeep[b].size()) * (nHead[b] / nHeadKv[b]));
    }

    const Storage storage = StorageOf(g);
    std::vector<TensorF32> tensors = ReadTensorsAsF32(path);
    for (size_t b = 0; b < nBlock; b++) {
      ThrowIfAborted("width pruning");
      const IndexList& ffn = job_.ffnKeep[b];
      const int64_t gqa = nHead[b] / nHeadKv[b];
      const IndexList qHeads = Expand(job_.groupsKeep[b], gqa);
      const IndexList qRows = Expand(qHeads, headDimK);
      const IndexList kRows = Expand(job_.groupsKeep[b], headDimK);
      const IndexList vRows = Expand(job_.groupsKeep[b], headDimV);
      const IndexList outColumns = Expand(qHeads, headDimV);
      for (TensorF32& t : tensors) {
        std::string rest;
        if (BlockOf(t.name, &rest) != static_cast<int>(b)) continue;
        if (rest == "ffn_gate.weight" || rest == "ffn_up.weight") KeepRows(t, ffn, t.ne0);
        else if (rest == "ffn_gate.bias" || rest == "ffn_up.bias") KeepRows(t, ffn, 1);
        else if (rest == "ffn_down.weight") KeepColumns(t, ffn);
        else if (rest == "attn_q.weight") KeepRows(t, qRows, t.ne0);
        else if (rest == "attn_q.bias") KeepRows(t, qRows, 1);
        else if (rest == "attn_k.weight") KeepRows(t, kRows, t.ne0);
        else if (rest == "attn_k.bias") KeepRows(t, kRows, 1);
        else if (rest == "attn_v.weight") KeepRows(t, vRows, t.ne0);
        else if (rest == "attn_v.bias") KeepRows(t, vRows, 1);
        else if (rest == "attn_output.weight") KeepColumns(t, outColumns);
        else if (StartsWith(rest, "attn_qkv") || rest.find("_exps") != std::string::npos)
          throw std::runtime_error(path + ": tensor " + t.name + " (fused attention or experts) cannot be width-pruned");
      }
      events_.Steps(static_cast<int64_t>(b + 1), nBlock + 1, "block " + std::to_string(b + 1) + "/" + std::to_string(nBlock));
    }
    ThrowIfAborted("width pruning");

    GgufPtr out(gguf_init_empty());
    gguf_set_kv(out.get(), g);
    SetPerBlock(out.get(), arch + ".feed_forward_length", ffnLengths_);
    SetPerBlock(out.get(), arch + ".attention.head_count", headCounts_);
    SetPerBlock(out.get(), arch + ".attention.head_count_kv", headCountsKv_);
    gguf_set_val_u32(out.get(), (arch + ".attention.key_length").c_str(), headDimK);
    gguf_set_val_u32(out.get(), (arch + ".attention.value_length").c_str(), headDimV);
    const bool uniform = gguf_get_kv_type(out.get(), gguf_find_key(out.get(), (arch + ".feed_forward_length").c_str())) != GGUF_TYPE_ARRAY &&
                         gguf_get_kv_type(out.get(), gguf_find_key(out.get(), (arch + ".attention.head_count").c_str())) != GGUF_TYPE_ARRAY &&
                         gguf_get_kv_type(out.get(), gguf_find_key(out.get(), (arch + ".attention.head_count_kv").c_str())) != GGUF_TYPE_ARRAY;
    architecture_ = uniform ? arch : "deci";
    if (!uniform) RenameArchitecture(out.get(), arch, architecture_);
    written_ = WrittenModel{};
    for (const TensorF32& t : tensors) written_.nParams += t.data.size();
    events_.Progress(static_cast<double>(nBlock) / (nBlock + 1), "writing " + job_.outPath);
    written_.fileBytes = WriteModelFile(out.get(), {}, tensors, storage, job_.outPath);
  }

  WidthPruneJob job_;
  std::string architecture_;
  std::vector<uint32_t> ffnLengths_, headCounts_, headCountsKv_;
  WrittenModel written_;
};

static std::vector<IndexList> ReadIndexLists(const OptionReader& o, const char* key) {
  const Napi::Value v = o.Raw(key);
  if (!v.IsArray()) throw o.TypeError(key, "an array of Int32Array, one per block");
  const Napi::Array a = v.As<Napi::Array>();
  std::vector<IndexList> lists;
  for (uint32_t i = 0; i < a.Length(); i++) {
    const Napi::Value item = a.Get(i);
    if (!item.IsTypedArray() || item.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
      throw o.TypeError(key, "an array of Int32Array, one per block");
    const Napi::Int32Array ints = item.As<Napi::Int32Array>();
    lists.emplace_back(ints.Data(), ints.Data() + ints.ElementLength());
  }
  return lists;
}

// pruneWidth({inPath, outPath, ffnKeep: Int32Array[], groupsKeep: Int32Array[]}, onEvent?) -> { promise, abort }
static Napi::Value PruneWidth(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "pruneWidth(options, onEvent?): options object expected");
  const OptionReader o(info[0].As<Napi::Object>(), "pruneWidth");
  WidthPruneJob job;
  job.inPath = o.String("inPath");
  job.outPath = o.String("outPath");
  job.ffnKeep = ReadIndexLists(o, "ffnKeep");
  job.groupsKeep = ReadIndexLists(o, "groupsKeep");
  auto abort = std::make_shared<AbortFlag>();
  auto* worker = new WidthPruneWorker(env, std::move(job), info.Length() > 1 ? info[1] : env.Undefined(), abort);
  return QueueAbortable(env, worker, abort);
}

void RegisterWidthPrune(Napi::Env env, Napi::Object exports) {
  exports.Set("pruneWidth", Napi::Function::New(env, PruneWidth, "pruneWidth"));
}

}  // namespace cwb
