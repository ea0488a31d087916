// Python's indexing, x[...] and x[...] = v, through libtorch's own implementation of it
// (ATen/TensorIndexing.h: the code behind THPVariable_getitem / setitem), so views, advanced
// indexing, broadcasting and autograd are exactly Python's. lib/tensor/indexing.ts parses the
// JS index elements ("1:3", null, "...", tensors) into kinds and values.
#include "common.h"

#include <ATen/TensorIndexing.h>
#include <c10/util/SmallVector.h>

#include <cmath>

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

// An integer index element that lib/ wrote into the scratch buffer as a double.
int64_t ScratchInt(Napi::Env env, double d) {
  if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9007199254740991.0) {
    throw Napi::TypeError::New(env, "an index element must be an integer, got " + std::to_string(d));
  }
  return static_cast<int64_t>(d);
}
Opt<int64_t> ScratchOptInt(Napi::Env env, double d) {
  if (std::isnan(d)) return {};
  return ScratchInt(env, d);
}

// The index elements lib/tensor/indexing.ts wrote into the scratch buffer (native/dispatch.cc
// opScratch), its path for expressions of integers, slices, null, "..." and booleans, which is
// what a loop indexes with: four doubles each, [kind, a, b, c]: an integer or a boolean (0/1)
// in a, a slice a:b:c with NaN for an omitted bound. This reads no JS value per element (the
// array form costs a Node-API call per element and per bound) and allocates nothing for up to
// 8 elements.
using ScratchIndices = c10::SmallVector<at::indexing::TensorIndex, 8>;
ScratchIndices FromScratch(Napi::Env env, const Napi::Value& countValue) {
  const AddonData& data = Data(env);
  int64_t count = ToInt(countValue);
  if (data.scratch == nullptr || count < 0 || static_cast<size_t>(count) * 4 > data.scratchLength) {
    throw Napi::RangeError::New(env, "index: the scratch buffer does not hold " + std::to_string(count) + " elements");
  }
  ScratchIndices out;
  const double* e = data.scratch;
  for (int64_t i = 0; i < count; i++, e += 4) {
    switch (static_cast<int32_t>(e[0])) {
      case kNoneIndex: out.emplace_back(at::indexing::None); break;
      case kEllipsis: out.emplace_back(at::indexing::Ellipsis); break;
      case kInt: out.emplace_back(ScratchInt(env, e[1])); break;
      case kBool: out.emplace_back(e[1] != 0); break;
      case kSlice: out.emplace_back(at::indexing::Slice(ScratchOptInt(env, e[1]), ScratchOptInt(env, e[2]), ScratchOptInt(env, e[3]))); break;
      default: throw Napi::RangeError::New(env, "unknown index kind");
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

// indexGetScratch(h, count) -> x[...], the elements in the scratch buffer (FromScratch).
Napi::Value IndexGetScratch(const Napi::CallbackInfo& info) {
  ScratchIndices indices = FromScratch(info.Env(), info[1]);
  return Wrap(info.Env(), Unwrap(info[0]).index(at::ArrayRef<at::indexing::TensorIndex>(indices)));
}

// indexPutScratch(h, count, value, valueIsTensor): x[...] = value, the elements in the scratch buffer.
Napi::Value IndexPutScratch(const Napi::CallbackInfo& info) {
  ScratchIndices indices = FromScratch(info.Env(), info[1]);
  at::Tensor& x = Unwrap(info[0]);
  at::ArrayRef<at::indexing::TensorIndex> ref(indices);
  if (ToBool(info[3])) {
    x.index_put_(ref, Unwrap(info[2]));
  } else {
    x.index_put_(ref, ToScalar(info[2]));
  }
  return info.Env().Undefined();
}

}  // namespace

void RegisterIndexing(Napi::Env env, Napi::Object exports) {
  Export<IndexGet>(env, exports, "indexGet");
  Export<IndexPut>(env, exports, "indexPut");
  Export<IndexGetScratch>(env, exports, "indexGetScratch");
  Export<IndexPutScratch>(env, exports, "indexPutScratch");
}

}  // namespace tts
