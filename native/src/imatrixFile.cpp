// Importance-matrix file reading (see imatrixFile.h). Mirrors what llama-quantize accepts: a GGUF
// file with paired "<name>.in_sum2" / "<name>.counts" F32 tensors, else the legacy binary layout.
#include "imatrixFile.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "ggml.h"
#include "gguf.h"
#include "llamaHandles.h"
#include "stringMatch.h"

namespace cwb {

static ImatrixFile ReadLegacy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open the importance matrix file");
  ImatrixFile out;
  int32_t nEntries = 0;
  in.read(reinterpret_cast<char*>(&nEntries), sizeof(nEntries));
  if (in.fail() || nEntries < 1) throw std::runtime_error(path + ": not an importance matrix (neither GGUF nor legacy .dat with entries)");
  for (int32_t i = 0; i < nEntries; i++) {
    int32_t len = 0;
    in.read(reinterpret_cast<char*>(&len), sizeof(len));
    if (in.fail() || len <= 0 || len > 4096) throw std::runtime_error(path + ": corrupt legacy importance matrix (bad name length in entry " + std::to_string(i + 1) + ")");
    std::string name(static_cast<size_t>(len), '\0');
    in.read(&name[0], len);
    int32_t ncall = 0, nval = 0;
    in.read(reinterpret_cast<char*>(&ncall), sizeof(ncall));
    in.read(reinterpret_cast<char*>(&nval), sizeof(nval));
    if (in.fail() || nval < 1) throw std::runtime_error(path + ": corrupt legacy importance matrix (entry " + std::to_string(i + 1) + ")");
    ImatrixEntry& e = out.entries[name];
    e.sums.resize(static_cast<size_t>(nval));
    in.read(reinterpret_cast<char*>(e.sums.data()), static_cast<std::streamsize>(nval) * sizeof(float));
    if (in.fail()) throw std::runtime_error(path + ": truncated legacy importance matrix (entry " + name + ")");
    e.counts = {ncall};
  }
  // Optional trailer: chunk count and the dataset name.
  if (in.peek() != EOF) {
    int32_t chunks = 0;
    in.read(reinterpret_cast<char*>(&chunks), sizeof(chunks));
    out.chunkCount = chunks;
    if (!in.fail()) {
      int32_t len = 0;
      in.read(reinterpret_cast<char*>(&len), sizeof(len));
      if (!in.fail() && len > 0) {
        std::string dataset(static_cast<size_t>(len), '\0');
        in.read(&dataset[0], len);
        if (!in.fail()) out.datasets.push_back(dataset.c_str());
      }
    }
  }
  out.isLegacy = true;
  return out;
}

static bool StripSuffix(std::string& s, const char* suffix) {
  if (!EndsWith(s, suffix)) return false;
  s.resize(s.size() - std::strlen(suffix));
  return true;
}

ImatrixFile ReadImatrixFile(const std::string& path) {
  {
    std::ifstream probe(path, std::ios::binary);
    if (!probe) throw std::runtime_error(path + ": cannot open the importance matrix file");
  }
  ggml_context* data = nullptr;
  gguf_init_params params = {/*no_alloc=*/false, /*ctx=*/&data};
  const GgufPtr handle(gguf_init_from_file(path.c_str(), params));
  if (!handle) return ReadLegacy(path);
  const GgmlContextPtr dataHandle(data);
  const gguf_context* gguf = handle.get();

  ImatrixFile out;
  if (gguf_get_n_tensors(gguf) < 1) throw std::runtime_error(path + ": the importance matrix holds no tensors");
  const int64_t datasetsKey = gguf_find_key(gguf, "imatrix.datasets");
  const int64_t chunkCountKey = gguf_find_key(gguf, "imatrix.chunk_count");
  const int64_t chunkSizeKey = gguf_find_key(gguf, "imatrix.chunk_size");
  if (datasetsKey >= 0 && gguf_get_kv_type(gguf, datasetsKey) == GGUF_TYPE_ARRAY && gguf_get_arr_type(gguf, datasetsKey) == GGUF_TYPE_STRING) {
    const size_t n = gguf_get_arr_n(gguf, datasetsKey);
    for (size_t i = 0; i < n; i++) out.datasets.push_back(gguf_get_arr_str(gguf, datasetsKey, i));
  }
  out.hasMetadata = datasetsKey >= 0 && chunkCountKey >= 0 && chunkSizeKey >= 0;
  // gguf_get_val_u32 aborts the process on a value of another type; a damaged file is refused instead.
  const auto readU32 = [&](int64_t key, const char* name) -> int32_t {
    if (gguf_get_kv_type(gguf, key) != GGUF_TYPE_UINT32) throw std::runtime_error(path + ": " + name + " is not a uint32");
    return static_cast<int32_t>(gguf_get_val_u32(gguf, key));
  };
  if (chunkCountKey >= 0) out.chunkCount = readU32(chunkCountKey, "imatrix.chunk_count");
  if (chunkSizeKey >= 0) out.chunkSize = readU32(chunkSizeKey, "imatrix.chunk_size");

  std::map<std::string, std::pair<ggml_tensor*, ggml_tensor*>> pairs;
  for (ggml_tensor* t = ggml_get_first_tensor(data); t; t = ggml_get_next_tensor(data, t)) {
    std::string name = t->name;
    if (name.empty()) continue;
    if (StripSuffix(name, ".in_sum2")) pairs[name].first = t;
    else if (StripSuffix(name, ".counts")) pairs[name].second = t;
  }
  for (const auto& [name, pair] : pairs) {
    if (!pair.first || !pair.second) throw std::runtime_error(path + ": sums and counts do not pair up for " + name);
    if (pair.first->type != GGML_TYPE_F32 || pair.second->type != GGML_TYPE_F32) throw std::runtime_error(path + ": sums and counts of " + name + " must be F32");
    ImatrixEntry& e = out.entries[name];
    const int64_t nval = ggml_nelements(pair.first);
    const int64_t ncounts = ggml_nelements(pair.second);
    const float* sums = static_cast<const float*>(pair.first->data);
    const float* counts = static_cast<const float*>(pair.second->data);
    e.sums.assign(sums, sums + nval);
    e.counts.resize(static_cast<size_t>(ncounts));
    for (int64_t j = 0; j < ncounts; j++) e.counts[static_cast<size_t>(j)] = std::lround(counts[j]);
  }
  return out;
}

std::unordered_map<std::string, std::vector<float>> ImatrixWeights(const ImatrixFile& file) {
  std::unordered_map<std::string, std::vector<float>> out;
  for (const auto& [name, entry] : file.entries) {
    std::vector<float>& w = out[name];
    w.resize(entry.sums.size());
    if (!file.isLegacy) {
      const size_t nCounts = entry.counts.size();
      if (nCounts == 0 || entry.sums.size() % nCounts != 0) throw std::runtime_error("importance matrix entry " + name + " has sums and counts of mismatched sizes");
      const size_t ne0 = entry.sums.size() / nCounts;
      for (size_t j = 0; j < nCounts; j++) {
        const float count = static_cast<float>(entry.counts[j]);
        for (size_t i = 0; i < ne0; i++) w[j * ne0 + i] = count > 0.0f ? entry.sums[j * ne0 + i] / count : 1.0f;
      }
    } else {
      // Legacy sums hold (sum/count)*ncall; dividing by ncall gives the mean.
      const int64_t ncall = entry.counts.empty() ? 0 : entry.counts[0];
      for (size_t i = 0; i < entry.sums.size(); i++) w[i] = ncall > 0 ? entry.sums[i] / static_cast<float>(ncall) : entry.sums[i];
    }
  }
  return out;
}

}  // namespace cwb
