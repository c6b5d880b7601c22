// Reading and tokenizing a text as llama.cpp's tools do (see calibrationText.h).
#include "calibrationText.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace cwb {

std::string ReadCalibrationText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open this text file");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  // llama.cpp's -f drops one trailing newline; do the same so both see the same tokens.
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

std::vector<llama_token> TokenizeLikeCommon(const llama_vocab* vocab, const std::string& text, bool addSpecial, bool parseSpecial) {
  std::vector<llama_token> tokens(text.size() + 2 * (addSpecial ? 1 : 0));
  int32_t n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), tokens.data(), static_cast<int32_t>(tokens.size()), addSpecial, parseSpecial);
  if (n == INT32_MIN) throw std::runtime_error("tokenization failed: the text is too long");
  if (n < 0) {
    tokens.resize(static_cast<size_t>(-n));
    n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), tokens.data(), static_cast<int32_t>(tokens.size()), addSpecial, parseSpecial);
  }
  tokens.resize(static_cast<size_t>(std::max(n, 0)));
  return tokens;
}

}  // namespace cwb
