// The two model-file operations behind createModel and packModel (the N-API side is modelFactory.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ggufWriter.h"

namespace cwb {

struct ModelSpec {
  std::string outPath;
  std::string vocabPath;
  std::string name = "cwb-model";
  std::string architecture = "llama";  // see modelArchitectures.h
  uint32_t nVocab = 0;  // 0 = every piece of the vocabulary file
  uint32_t nEmbd = 256;
  uint32_t nFf = 768;
  uint32_t nLayer = 4;
  uint32_t nHead = 4;
  uint32_t nHeadKv = 4;
  uint32_t nCtx = 1024;
  uint32_t nExpert = 0;      // mixture-of-experts families only
  uint32_t nExpertUsed = 0;
  float ropeFreqBase = 10000.0f;
  float rmsEps = 1e-5f;
  float initStd = 0.02f;
  uint32_t seed = 42;
  Storage storage = Storage::F32;
  StringPairs extra;  // additional string metadata
  std::vector<int32_t> statsTokens;  // when set: output.weight starts as a bigram model of these tokens
  float bigramPrior = 4.0f;           // Dirichlet prior strength (in tokens) towards the unigram distribution
};

struct PackJob {
  std::string weightsPath;
  std::string metadataPath;
  std::string outPath;
  Storage storage = Storage::F16;
  StringPairs extra;
};

struct WrittenModel {
  uint64_t nParams = 0;
  uint32_t nVocab = 0;  // createModel only
  uint64_t fileBytes = 0;
};

/**
 * A model of spec.architecture from scratch: the metadata of `spec`, the tokenizer of spec.vocabPath
 * (optionally cut to its first nVocab pieces, BPE merges cut with them) and seeded starting weights
 * (weightInit.h).
 */
WrittenModel CreateModelFile(const ModelSpec& spec);

/**
 * The tensors of one file (e.g. what llama_model_save_to_file wrote after training, which carries a
 * hundred irrelevant keys) with the metadata of another, stored as F32, F16 or BF16.
 */
WrittenModel PackModelFile(const PackJob& job);

/** Every tensor of a file as F32 (the file's data is freed on return); only F32, F16 and BF16 tensors. */
std::vector<TensorF32> ReadTensorsAsF32(const std::string& path);

}  // namespace cwb
