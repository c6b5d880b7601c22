// The text a job runs a model over (imatrix and layer-importance calibration, evaluation): read a text
// file the way llama.cpp's -f reads it (one trailing newline dropped) and tokenize it as
// common_tokenize does, so the tokens match the tools'.
#pragma once
#include <string>
#include <vector>

#include "llama.h"

namespace cwb {

std::string ReadCalibrationText(const std::string& path);
std::vector<llama_token> TokenizeLikeCommon(const llama_vocab* vocab, const std::string& text, bool addSpecial, bool parseSpecial);

}  // namespace cwb
