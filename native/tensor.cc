// Tensor creation, data transfer, properties, conversion and autograd entry points.
#include "common.h"

#include <cstring>

namespace tts {
namespace {

at::TensorOptions Options(const Napi::Value& dtype, const Napi::Value& device) {
  at::TensorOptions o = at::TensorOptions().dtype(ToDtype(dtype));
  if (!IsNullish(device)) o = o.device(ToDevice(device));
  return o;
}

// The tensor a creation function returns: leaf, requiring grad when asked.
Napi::Value Created(Napi::Env env, at::Tensor t, const Napi::Value& requiresGrad) {
  if (!IsNullish(requiresGrad) && ToBool(requiresGrad)) t.requires_grad_(true);
  return Wrap(env, std::move(t));
}

// empty|zeros|ones(shape, dtype, device, requiresGrad)
Napi::Value Empty(const Napi::CallbackInfo& info) {
  return Created(info.Env(), at::empty(ToIntList(info[0]), Options(info[1], info[2])), info[3]);
}
Napi::Value Zeros(const Napi::CallbackInfo& info) {
  return Created(info.Env(), at::zeros(ToIntList(info[0]), Options(info[1], info[2])), info[3]);
}
Napi::Value Ones(const Napi::CallbackInfo& info) {
  return Created(info.Env(), at::ones(ToIntList(info[0]), Options(info[1], info[2])), info[3]);
}
// full(shape, value, dtype, device, requiresGrad)
Napi::Value Full(const Napi::CallbackInfo& info) {
  return Created(info.Env(), at::full(ToIntList(info[0]), ToScalar(info[1]), Options(info[2], info[3])),
                 info[4]);
}
// arange(start, end, step, dtype, device, requiresGrad)
Napi::Value Arange(const Napi::CallbackInfo& info) {
  return Created(info.Env(),
                 at::arange(ToScalar(info[0]), ToScalar(info[1]), ToScalar(info[2]), Options(info[3], info[4])),
                 info[5]);
}
// linspace(start, end, steps, dtype, device, requiresGrad)
Napi::Value Linspace(const Napi::CallbackInfo& info) {
  return Created(info.Env(),
                 at::linspace(ToScalar(info[0]), ToScalar(info[1]), ToInt(info[2]), Options(info[3], info[4])),
                 info[5]);
}
// rand|randn(shape, dtype, device, requiresGrad)
Napi::Value Rand(const Napi::CallbackInfo& info) {
  return Created(info.Env(), at::rand(ToIntList(info[0]), Options(info[1], info[2])), info[3]);
}
Napi::Value Randn(const Napi::CallbackInfo& info) {
  return Created(info.Env(), at::randn(ToIntList(info[0]), Options(info[1], info[2])), info[3]);
}
// randint(low, high, shape, dtype, device)
Napi::Value Randint(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::randint(ToInt(info[0]), ToInt(info[1]), ToIntList(info[2]), Options(info[3], info[4])));
}

// fromData(view: ArrayBufferView | ArrayBuffer, shape, dtype, device, requiresGrad): copies the bytes.
Napi::Value FromData(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint8_t* src = nullptr;
  size_t bytes = 0;
  if (info[0].IsTypedArray()) {
    auto ta = info[0].As<Napi::TypedArray>();
    src = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    bytes = ta.ByteLength();
  } else if (info[0].IsDataView()) {
    auto dv = info[0].As<Napi::DataView>();
    src = static_cast<const uint8_t*>(dv.ArrayBuffer().Data()) + dv.ByteOffset();
    bytes = dv.ByteLength();
  } else if (info[0].IsArrayBuffer()) {
    auto ab = info[0].As<Napi::ArrayBuffer>();
    src = static_cast<const uint8_t*>(ab.Data());
    bytes = ab.ByteLength();
  } else {
    throw Napi::TypeError::New(env, "fromData: expected a TypedArray, DataView, Buffer or ArrayBuffer");
  }
  at::Tensor t = at::empty(ToIntList(info[1]), at::TensorOptions().dtype(ToDtype(info[2])));
  size_t need = t.numel() * t.element_size();
  if (need != bytes) {
    ThrowTorchError(env, "data has " + std::to_string(bytes) + " bytes but shape " + c10::str(t.sizes()) +
                             " of " + std::string(c10::toString(t.scalar_type())) + " needs " + std::to_string(need));
  }
  if (bytes) std::memcpy(t.data_ptr(), src, bytes);
  if (!IsNullish(info[3])) {
    at::Device device = ToDevice(info[3]);
    if (!device.is_cpu()) t = t.to(device);
  }
  return Created(env, std::move(t), info[4]);
}

// toData(h) -> ArrayBuffer holding a contiguous CPU copy of the elements. A conjugate or
// negative view (x.conj()) keeps its bit through contiguous(): resolve it, or the bytes
// would be those of the tensor it views.
Napi::Value ToData(const Napi::CallbackInfo& info) {
  at::Tensor t = Unwrap(info[0]).detach();
  if (!t.is_cpu()) t = t.cpu();
  t = t.resolve_conj().resolve_neg().contiguous();
  size_t bytes = t.numel() * t.element_size();
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(info.Env(), bytes);
  if (bytes) std::memcpy(ab.Data(), t.data_ptr(), bytes);
  return ab;
}

Napi::Value Item(const Napi::CallbackInfo& info) { return ScalarToJs(info.Env(), Unwrap(info[0]).item()); }

// dispose(h) -> whether h was live. Also the GC safety net's entry point, so a handle
// that is already released is not an error.
Napi::Value Dispose(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Release(info.Env(), info[0]));
}

Napi::Value TrackMemory(const Napi::CallbackInfo& info) {
  ReportMemory(info.Env(), info[0]);
  return info.Env().Undefined();
}

Napi::Value Shape(const Napi::CallbackInfo& info) {
  const at::Tensor& t = Unwrap(info[0]);
  auto sizes = t.sizes();
  Napi::Array out = Napi::Array::New(info.Env(), sizes.size());
  for (size_t i = 0; i < sizes.size(); i++) out.Set(static_cast<uint32_t>(i), static_cast<double>(sizes[i]));
  return out;
}
Napi::Value Strides(const Napi::CallbackInfo& info) {
  const at::Tensor& t = Unwrap(info[0]);
  auto strides = t.strides();
  Napi::Array out = Napi::Array::New(info.Env(), strides.size());
  for (size_t i = 0; i < strides.size(); i++) out.Set(static_cast<uint32_t>(i), static_cast<double>(strides[i]));
  return out;
}
Napi::Value Dtype(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<int>(Unwrap(info[0]).scalar_type()));
}
Napi::Value DeviceOf(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), Unwrap(info[0]).device().str());
}
Napi::Value Numel(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(Unwrap(info[0]).numel()));
}
Napi::Value IsContiguous(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Unwrap(info[0]).is_contiguous());
}

// to(h, device|null, dtype|null, nonBlocking, copy)
Napi::Value To(const Napi::CallbackInfo& info) {
  const at::Tensor& t = Unwrap(info[0]);
  at::Device device = IsNullish(info[1]) ? t.device() : ToDevice(info[1]);
  at::ScalarType dtype = IsNullish(info[2]) ? t.scalar_type() : ToDtype(info[2]);
  return Wrap(info.Env(), t.to(device, dtype, ToBool(info[3]), ToBool(info[4])));
}
Napi::Value Clone(const Napi::CallbackInfo& info) { return Wrap(info.Env(), Unwrap(info[0]).clone()); }
Napi::Value Detach(const Napi::CallbackInfo& info) { return Wrap(info.Env(), Unwrap(info[0]).detach()); }
Napi::Value Contiguous(const Napi::CallbackInfo& info) { return Wrap(info.Env(), Unwrap(info[0]).contiguous()); }

// ---- autograd ----
Napi::Value RequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Unwrap(info[0]).requires_grad());
}
Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  Unwrap(info[0]).requires_grad_(ToBool(info[1]));
  return info.Env().Undefined();
}
Napi::Value IsLeaf(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Unwrap(info[0]).is_leaf());
}
Napi::Value Grad(const Napi::CallbackInfo& info) { return WrapOptional(info.Env(), Unwrap(info[0]).grad()); }
// setGrad(h, g|null): null drops the gradient (zeroGrad({setToNone: true})).
Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  at::Tensor& t = Unwrap(info[0]);
  t.mutable_grad() = IsNullish(info[1]) ? at::Tensor() : Unwrap(info[1]);
  return info.Env().Undefined();
}
Napi::Value RetainGrad(const Napi::CallbackInfo& info) {
  Unwrap(info[0]).retain_grad();
  return info.Env().Undefined();
}
// backward(h, gradient|null, retainGraph|null, createGraph)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  const at::Tensor& t = Unwrap(info[0]);
  at::Tensor gradient = IsNullish(info[1]) ? at::Tensor() : Unwrap(info[1]);
  Opt<bool> retain;
  if (!IsNullish(info[2])) retain = ToBool(info[2]);
  t.backward(gradient, retain, ToBool(info[3]));
  return info.Env().Undefined();
}
Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled());
}
Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  at::GradMode::set_enabled(ToBool(info[0]));
  return info.Env().Undefined();
}

}  // namespace

void RegisterTensor(Napi::Env env, Napi::Object exports) {
  Export<Empty>(env, exports, "empty");
  Export<Zeros>(env, exports, "zeros");
  Export<Ones>(env, exports, "ones");
  Export<Full>(env, exports, "full");
  Export<Arange>(env, exports, "arange");
  Export<Linspace>(env, exports, "linspace");
  Export<Rand>(env, exports, "rand");
  Export<Randn>(env, exports, "randn");
  Export<Randint>(env, exports, "randint");
  Export<FromData>(env, exports, "fromData");
  Export<ToData>(env, exports, "toData");
  Export<Item>(env, exports, "item");
  Export<Dispose>(env, exports, "dispose");
  Export<TrackMemory>(env, exports, "trackMemory");
  Export<Shape>(env, exports, "shape");
  Export<Strides>(env, exports, "strides");
  Export<Dtype>(env, exports, "dtype");
  Export<DeviceOf>(env, exports, "device");
  Export<Numel>(env, exports, "numel");
  Export<IsContiguous>(env, exports, "isContiguous");
  Export<To>(env, exports, "to");
  Export<Clone>(env, exports, "clone");
  Export<Detach>(env, exports, "detach");
  Export<Contiguous>(env, exports, "contiguous");
  Export<RequiresGrad>(env, exports, "requiresGrad");
  Export<SetRequiresGrad>(env, exports, "setRequiresGrad");
  Export<IsLeaf>(env, exports, "isLeaf");
  Export<Grad>(env, exports, "grad");
  Export<SetGrad>(env, exports, "setGrad");
  Export<RetainGrad>(env, exports, "retainGrad");
  Export<Backward>(env, exports, "backward");
  Export<IsGradEnabled>(env, exports, "isGradEnabled");
  Export<SetGradEnabled>(env, exports, "setGradEnabled");
}

}  // namespace tts
