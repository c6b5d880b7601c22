// Reading an addon call's options object: one reader per call, so every error names the call and the
// field ("computeImatrix: nCtx must be a number") and every call treats undefined and null alike
// (the default applies).
#pragma once
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace cwb {

class OptionReader {
 public:
  OptionReader(Napi::Object options, std::string call) : o_(options), call_(std::move(call)) {}

  bool Has(const char* key) const {
    Napi::Value v = o_.Get(key);
    return !v.IsUndefined() && !v.IsNull();
  }

  std::string String(const char* key) const {
    Napi::Value v = o_.Get(key);
    if (!v.IsString()) throw TypeError(key, "a string");
    return v.As<Napi::String>();
  }

  std::string String(const char* key, const std::string& fallback) const {
    return Has(key) ? String(key) : fallback;
  }

  double Number(const char* key, double fallback) const {
    if (!Has(key)) return fallback;
    Napi::Value v = o_.Get(key);
    if (!v.IsNumber()) throw TypeError(key, "a number");
    return v.As<Napi::Number>().DoubleValue();
  }

  int32_t Int(const char* key, int32_t fallback, int32_t min = std::numeric_limits<int32_t>::min(),
              int32_t max = std::numeric_limits<int32_t>::max()) const {
    if (!Has(key)) return fallback;
    const double value = Number(key, fallback);
    if (!(value >= min && value <= max)) {
      throw Napi::RangeError::New(o_.Env(), call_ + ": " + key + " must be within " + std::to_string(min) + ".." +
                                                std::to_string(max) + ", got " + std::to_string(value));
    }
    return static_cast<int32_t>(value);
  }

  /** A non-negative whole number (a count, a size, a seed). */
  uint32_t Count(const char* key, uint32_t fallback) const {
    const double value = Number(key, fallback);
    if (value < 0 || value != std::floor(value) || value > std::numeric_limits<uint32_t>::max()) {
      throw Napi::RangeError::New(o_.Env(), call_ + ": " + key + " must be a non-negative integer");
    }
    return static_cast<uint32_t>(value);
  }

  std::vector<int32_t> Int32s(const char* key) const {
    Napi::Value v = o_.Get(key);
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
      throw TypeError(key, "an Int32Array");
    }
    Napi::Int32Array a = v.As<Napi::Int32Array>();
    return std::vector<int32_t>(a.Data(), a.Data() + a.ElementLength());
  }

  bool Bool(const char* key, bool fallback = false) const {
    if (!Has(key)) return fallback;
    Napi::Value v = o_.Get(key);
    if (!v.IsBoolean()) throw TypeError(key, "true or false");
    return v.As<Napi::Boolean>().Value();
  }

  Napi::Value Raw(const char* key) const { return o_.Get(key); }
  Napi::Error TypeError(const char* key, const char* expected) const {
    return Napi::TypeError::New(o_.Env(), call_ + ": " + key + " must be " + expected);
  }
  const std::string& Call() const { return call_; }

 private:
  Napi::Object o_;
  std::string call_;
};

}  // namespace cwb
