// Prefix and suffix tests on tensor and metadata key names ("blk.", "_norm.weight", "_token_id").
#pragma once

#include <cstring>
#include <string>

namespace cwb {

inline bool StartsWith(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

inline bool EndsWith(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

}  // namespace cwb
