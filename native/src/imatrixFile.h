// Reading importance-matrix files as llama-quantize does: the GGUF format (tensors "<name>.in_sum2"
// and "<name>.counts", keys imatrix.datasets / chunk_count / chunk_size) or the legacy .dat format.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace cwb {

struct ImatrixEntry {
  std::vector<float> sums;
  std::vector<int64_t> counts;
};

struct ImatrixFile {
  std::map<std::string, ImatrixEntry> entries;
  std::vector<std::string> datasets;
  int32_t chunkCount = 0;
  int32_t chunkSize = 0;
  bool isLegacy = false;
  bool hasMetadata = false;
};

// Throws std::runtime_error naming the file and the problem.
ImatrixFile ReadImatrixFile(const std::string& path);

// The per-column weights the quantizer uses: sums divided by their counts (GGUF), or by the call
// count (legacy); columns never activated get 1.
std::unordered_map<std::string, std::vector<float>> ImatrixWeights(const ImatrixFile& file);

}  // namespace cwb
