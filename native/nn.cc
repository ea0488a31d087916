// The ATen ops behind torch.nn: convolution, batch norm, pooling, linear, dropout, softmax,
// losses and the in-place initialisers nn.init uses. lib/nn owns modules and argument checks.
#include "common.h"

#include <cstdint>
#include <cstring>

namespace tts {
namespace {

Opt<at::Tensor> OptTensor(const Napi::Value& v) {
  if (IsNullish(v)) return {};
  return Unwrap(v);
}

// conv2d(input, weight, bias|null, stride[2], padding[2], dilation[2], groups)
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::conv2d(Unwrap(info[0]), Unwrap(info[1]), OptTensor(info[2]), ToIntList(info[3]),
                                     ToIntList(info[4]), ToIntList(info[5]), ToInt(info[6])));
}

// batchNorm(input, weight|null, bias|null, runningMean|null, runningVar|null, training, momentum, eps)
// Updates the running statistics in place when training, as F.batch_norm does.
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::batch_norm(Unwrap(info[0]), OptTensor(info[1]), OptTensor(info[2]), OptTensor(info[3]),
                                         OptTensor(info[4]), ToBool(info[5]), ToDouble(info[6]), ToDouble(info[7]),
                                         at::globalContext().userEnabledCuDNN()));
}

// maxPool2d(input, kernel[2], stride[2], padding[2], dilation[2], ceilMode)
Napi::Value MaxPool2d(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::max_pool2d(Unwrap(info[0]), ToIntList(info[1]), ToIntList(info[2]), ToIntList(info[3]),
                                         ToIntList(info[4]), ToBool(info[5])));
}

// avgPool2d(input, kernel[2], stride[2], padding[2], ceilMode, countIncludePad, divisorOverride|null)
Napi::Value AvgPool2d(const Napi::CallbackInfo& info) {
  Opt<int64_t> divisor;
  if (!IsNullish(info[6])) divisor = ToInt(info[6]);
  return Wrap(info.Env(), at::avg_pool2d(Unwrap(info[0]), ToIntList(info[1]), ToIntList(info[2]), ToIntList(info[3]),
                                         ToBool(info[4]), ToBool(info[5]), divisor));
}

// adaptiveAvgPool2d(input, outputSize[2])
Napi::Value AdaptiveAvgPool2d(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::adaptive_avg_pool2d(Unwrap(info[0]), ToIntList(info[1])));
}

// linear(input, weight, bias|null)
Napi::Value Linear(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::linear(Unwrap(info[0]), Unwrap(info[1]), OptTensor(info[2])));
}

// dropout(input, p, training)
Napi::Value Dropout(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::dropout(Unwrap(info[0]), ToDouble(info[1]), ToBool(info[2])));
}

// softmax/logSoftmax(input, dim, dtype|null)
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::softmax(Unwrap(info[0]), ToInt(info[1]), ToOptDtype(info[2])));
}
Napi::Value LogSoftmax(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::log_softmax(Unwrap(info[0]), ToInt(info[1]), ToOptDtype(info[2])));
}

// Reductions as at::Reduction: 0 none, 1 mean, 2 sum.
// nllLoss(input, target, weight|null, reduction, ignoreIndex)
Napi::Value NllLoss(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::nll_loss_nd(Unwrap(info[0]), Unwrap(info[1]), OptTensor(info[2]), ToInt(info[3]),
                                          ToInt(info[4])));
}
// crossEntropy(input, target, weight|null, reduction, ignoreIndex, labelSmoothing)
Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::cross_entropy_loss(Unwrap(info[0]), Unwrap(info[1]), OptTensor(info[2]), ToInt(info[3]),
                                                 ToInt(info[4]), ToDouble(info[5])));
}
// mseLoss(input, target, reduction)
Napi::Value MseLoss(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::mse_loss(Unwrap(info[0]), Unwrap(info[1]), ToInt(info[2])));
}

// In-place initialisers, drawing from the same generator as Python's nn.init.
Napi::Value Normal_(const Napi::CallbackInfo& info) {
  Unwrap(info[0]).normal_(ToDouble(info[1]), ToDouble(info[2]));
  return info.Env().Undefined();
}
Napi::Value Uniform_(const Napi::CallbackInfo& info) {
  Unwrap(info[0]).uniform_(ToDouble(info[1]), ToDouble(info[2]));
  return info.Env().Undefined();
}

// setData(h, src): Python's `param.data = src`: the handle keeps its identity (and autograd
// leaf status) while its storage, dtype or device change. Module.to() relies on it.
Napi::Value SetData(const Napi::CallbackInfo& info) {
  Unwrap(info[0]).set_data(Unwrap(info[1]));
  return info.Env().Undefined();
}

// ---- storage access for checkpoint files ----
// storageInfo(h) -> [key, nbytes, offset]: key identifies the storage (device + data pointer)
// so tensors that share one are written once; offset is in elements.
Napi::Value StorageInfo(const Napi::CallbackInfo& info) {
  const at::Tensor& t = Unwrap(info[0]);
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env, 3);
  const void* ptr = t.has_storage() ? t.storage().data() : nullptr;
  out.Set(0u, t.device().str() + ":" + std::to_string(reinterpret_cast<uintptr_t>(ptr)));
  out.Set(1u, static_cast<double>(t.has_storage() ? t.storage().nbytes() : 0));
  out.Set(2u, static_cast<double>(t.storage_offset()));
  return out;
}
// storageData(h) -> ArrayBuffer: every byte of the tensor's storage (copied to the CPU).
Napi::Value StorageData(const Napi::CallbackInfo& info) {
  const at::Tensor& t = Unwrap(info[0]);
  int64_t bytes = t.has_storage() ? static_cast<int64_t>(t.storage().nbytes()) : 0;
  int64_t n = bytes / static_cast<int64_t>(t.element_size());
  at::Tensor flat = t.detach().as_strided({n}, {1}, 0).cpu().contiguous();
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(info.Env(), static_cast<size_t>(n * t.element_size()));
  if (n) std::memcpy(ab.Data(), flat.data_ptr(), static_cast<size_t>(n * t.element_size()));
  return ab;
}
// rebuildTensor(h, size, stride, offset): a new tensor over h's storage, as Python's
// _rebuild_tensor makes it (an empty tensor set_ to the storage). Checkpoint tensors share
// storages this way; unlike as_strided it is not a view, so it needs no detach() after.
// set_ checks that the extent stays inside the storage (lib/ has checked it already).
Napi::Value RebuildTensor(const Napi::CallbackInfo& info) {
  const at::Tensor& base = Unwrap(info[0]);
  at::Tensor t = at::empty({0}, base.options());
  t.set_(base.storage(), ToInt(info[3]), ToIntList(info[1]), ToIntList(info[2]));
  return Wrap(info.Env(), std::move(t));
}

}  // namespace

void RegisterNn(Napi::Env env, Napi::Object exports) {
  Export<Conv2d>(env, exports, "conv2d");
  Export<BatchNorm>(env, exports, "batchNorm");
  Export<MaxPool2d>(env, exports, "maxPool2d");
  Export<AvgPool2d>(env, exports, "avgPool2d");
  Export<AdaptiveAvgPool2d>(env, exports, "adaptiveAvgPool2d");
  Export<Linear>(env, exports, "linear");
  Export<Dropout>(env, exports, "dropout");
  Export<Softmax>(env, exports, "softmax");
  Export<LogSoftmax>(env, exports, "logSoftmax");
  Export<NllLoss>(env, exports, "nllLoss");
  Export<CrossEntropy>(env, exports, "crossEntropy");
  Export<MseLoss>(env, exports, "mseLoss");
  Export<Normal_>(env, exports, "normal_");
  Export<Uniform_>(env, exports, "uniform_");
  Export<SetData>(env, exports, "setData");
  Export<StorageInfo>(env, exports, "storageInfo");
  Export<StorageData>(env, exports, "storageData");
  Export<RebuildTensor>(env, exports, "rebuildTensor");
}

}  // namespace tts
