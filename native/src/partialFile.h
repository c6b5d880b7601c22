// Writing a file so that a failure never leaves a half-written one under its name: the work goes to
// "<target>.partial", renamed onto the target only once complete; a partial file never committed is
// removed. Also the owning FILE handle the writers (and readers) use.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <utility>

namespace cwb {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

/** Flushes and closes the file; false when any write to it failed (disk full, ...). */
inline bool CloseChecked(FilePtr& file) {
  bool ok = std::fflush(file.get()) == 0 && !std::ferror(file.get());
  ok = std::fclose(file.release()) == 0 && ok;
  return ok;
}

class PartialFile {
 public:
  explicit PartialFile(std::string target) : target_(std::move(target)), path_(target_ + ".partial") {}
  ~PartialFile() {
    if (!committed_) std::remove(path_.c_str());
  }
  PartialFile(const PartialFile&) = delete;
  PartialFile& operator=(const PartialFile&) = delete;

  /** Where to write. */
  const std::string& Path() const { return path_; }
  /** Moves the finished file onto the target; false when that failed (the partial file is then removed). */
  bool Commit() {
    committed_ = std::rename(path_.c_str(), target_.c_str()) == 0;
    return committed_;
  }

 private:
  std::string target_;
  std::string path_;
  bool committed_ = false;
};

}  // namespace cwb
