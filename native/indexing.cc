// Python's indexing, x[...] and x[...] = v, through libtorch's own implementation of it
// (ATen/TensorIndexing.h: the code behind THPVariable_getitem / setitem), so views, advanced
// indexing, broadcasting and autograd are exactly Python's. lib/tensor/indexing.ts parses the
// JS index elements ("1:3", null, "...", tensors) into kinds and values.
#include "common.h"

#include <ATen/TensorIndexing.h>

namespace tts {
namespace {

enum Kind : int32_t { kNoneIndex = 0, kEllipsis = 1, kInt = 2, kBool = 3, kSlice = 4, kTensorIndex = 5 };

Opt<int64_t> OptInt(const Napi::Value& v) {
  if (IsNullish(v)) return {};
  return ToInt(v);
}

std::vector<at::indexing::TensorIndex> Indices(const Napi::Value& kindsValue, const Napi::Value& valuesValue) {
  Napi::Int32Array kinds = kindsValue.As<Napi::Int32Array>();
  Napi::Array values = valuesValue.As<Napi::Array>();
  std::vector<at::indexing::TensorIndex> out;
  out.reserve(kinds.ElementLength());
  for (uint32_t i = 0; i < kinds.ElementLength(); i++) {
    Napi::Value v = values.Get(i);
    switch (kinds[i]) {
      case kNoneIndex: out.emplace_back(at::indexing::None); break;
      case kEllipsis: out.emplace_back(at::indexing::Ellipsis); break;
      case kInt: out.emplace_back(ToInt(v)); break;
      case kBool: out.emplace_back(ToBool(v)); break;
      case kSlice: {
        Napi::Array s = v.As<Napi::Array>();
        out.emplace_back(at::indexing::Slice(OptInt(s.Get(0u)), OptInt(s.Get(1u)), OptInt(s.Get(2u))));
        break;
      }
      case kTensorIndex: out.emplace_back(Unwrap(v)); break;
      default: throw Napi::RangeError::New(v.Env(), "unknown index kind");
    }
  }
  return out;
}

// indexGet(h, kinds, values) -> x[...]
Napi::Value IndexGet(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0]).index(Indices(info[1], info[2])));
}

// indexPut(h, kinds, values, value, valueIsTensor): x[...] = value, in place.
Napi::Value IndexPut(const Napi::CallbackInfo& info) {
  at::Tensor& x = Unwrap(info[0]);
  auto indices = Indices(info[1], info[2]);
  if (ToBool(info[4])) {
    x.index_put_(indices, Unwrap(info[3]));
  } else {
    x.index_put_(indices, ToScalar(info[3]));
  }
  return info.Env().Undefined();
}

}  // namespace

void RegisterIndexing(Napi::Env env, Napi::Object exports) {
  Export<IndexGet>(env, exports, "indexGet");
  Export<IndexPut>(env, exports, "indexPut");
}

}  // namespace tts
