// Shared plumbing of the addon: the tensor handle, argument conversion and the one
// error boundary. Every exported function goes through Guarded<> so that no c10::Error
// or std::exception can escape into Node and abort the process.
#pragma once

#include <ATen/ATen.h>
#include <napi.h>
#include <torch/version.h>

#include <atomic>
#include <string>
#include <vector>

#if TORCH_VERSION_MAJOR >= 2
#include <optional>
template <class T>
using Opt = std::optional<T>;
#else
template <class T>
using Opt = c10::optional<T>;
#endif

namespace tts {

// What a JS handle (a Napi::External) points at. The JS Tensor owns one reference to
// the at::Tensor; dispose() drops it at once, the GC finalizer is only a safety net.
struct TensorBox {
  at::Tensor tensor;
  int64_t reported = 0;  // bytes reported to V8 as external memory (CPU storage)
  bool disposed = false;
};

// Per-environment state (main thread and each worker_thread get their own).
struct AddonData {
  Napi::FunctionReference torchError;  // lib/errors.ts TorchError, handed over at load
};

int64_t LiveTensors();

[[noreturn]] void ThrowTorchError(Napi::Env env, const std::string& message);

Napi::Value Wrap(Napi::Env env, at::Tensor tensor);
Napi::Value WrapOptional(Napi::Env env, const at::Tensor& tensor);  // undefined tensor -> null
bool IsTensor(const Napi::Value& value);
at::Tensor& Unwrap(const Napi::Value& value);
TensorBox* UnwrapBox(const Napi::Value& value);
void DisposeBox(Napi::Env env, TensorBox* box);
// Re-measures a handle's storage after an op that may have reallocated it in place.
void Rereport(Napi::Env env, TensorBox* box);

int64_t ToInt(const Napi::Value& value);
double ToDouble(const Napi::Value& value);
bool ToBool(const Napi::Value& value);
std::vector<int64_t> ToIntList(const Napi::Value& value);
std::vector<at::Tensor> ToTensorList(const Napi::Value& value);
at::Scalar ToScalar(const Napi::Value& value);
at::ScalarType ToDtype(const Napi::Value& value);
Opt<at::ScalarType> ToOptDtype(const Napi::Value& value);
at::Device ToDevice(const Napi::Value& value);
bool IsNullish(const Napi::Value& value);
Napi::Value ScalarToJs(Napi::Env env, const at::Scalar& scalar);

using Fn = Napi::Value (*)(const Napi::CallbackInfo&);

template <Fn F>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    ThrowTorchError(info.Env(), e.what_without_backtrace());
  } catch (const std::exception& e) {
    ThrowTorchError(info.Env(), e.what());
  }
}

template <Fn F>
void Export(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New<Guarded<F>>(env, name));
}

void RegisterTensor(Napi::Env env, Napi::Object exports);
void RegisterOps(Napi::Env env, Napi::Object exports);

}  // namespace tts
