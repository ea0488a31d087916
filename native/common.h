// Shared plumbing of the addon: the tensor handle, argument conversion and the one
// error boundary. Every exported function goes through Guarded<> so that no c10::Error
// or std::exception can escape into Node and abort the process.
#pragma once

#include <ATen/ATen.h>
// at::NoGradGuard / at::GradMode: ATen.h stopped including this header in PyTorch 2.x.
#include <ATen/core/grad_mode.h>
#include <napi.h>
#include <torch/version.h>

#include <deque>
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

// A JS handle is a small integer naming a slot in the per-environment tensor table:
// slot index * 1024 + (generation mod 1024). Numbers cost nothing to create or pass, unlike
// a JS object with a native finalizer, which is what keeps per-op overhead low. A stale or
// forged handle is detected (wrong generation, index out of range, freed slot) and refused.
// The GC safety net lives in lib/ (a FinalizationRegistry that calls release()).
struct Slot {
  at::Tensor tensor;
  int64_t reported = 0;  // bytes reported to V8 as external memory (CPU storage)
  uint32_t index = 0;
  uint32_t generation = 0;
  bool live = false;
};

// Per-environment state (main thread and each worker_thread get their own); its destructor
// runs when the environment shuts down and frees every tensor still held.
struct AddonData {
  Napi::FunctionReference torchError;  // lib/errors.ts TorchError, handed over at load
  std::deque<Slot> slots;  // a deque: growing it never moves a slot an at::Tensor& points into
  std::vector<uint32_t> freeSlots;
  int64_t live = 0;
  // A buffer of doubles shared with lib/ (native/dispatch.cc opScratch): hot entry points pass
  // numbers through it instead of one Node-API call per value (several returned tensor
  // handles, index elements). Off the V8 heap, so `scratch` stays valid while the reference lives.
  Napi::Reference<Napi::ArrayBuffer> scratchBuffer;
  double* scratch = nullptr;
  size_t scratchLength = 0;
  AddonData() = default;
  AddonData(const AddonData&) = delete;
  AddonData& operator=(const AddonData&) = delete;
  ~AddonData();  // the environment is gone: its tensors leave the process-wide count
};

// Live tensors in every environment of the process (main thread and worker_threads), so a
// test can prove that a worker's exit frees what it held.
int64_t ProcessLive();

// native/allocator.cc: glibc thresholds and libtorch's CPU allocator (counted, huge pages for
// large buffers), set once at load.
void ConfigureCpuMemory();
bool MallocTuned();
bool HugePages();
int64_t CpuBytesAllocated();

// native/addon.cc: the CPUs this process may run on (its affinity mask: taskset, a container's
// cpuset), at least 1. Not hardware_concurrency(), which counts the whole machine.
size_t UsableCpus();

AddonData& Data(Napi::Env env);

[[noreturn]] void ThrowTorchError(Napi::Env env, const std::string& message);

Napi::Value Wrap(Napi::Env env, at::Tensor tensor);
double WrapId(Napi::Env env, at::Tensor tensor);  // Wrap's handle as a plain number
Napi::Value WrapOptional(Napi::Env env, const at::Tensor& tensor);  // undefined tensor -> null
at::Tensor& Unwrap(const Napi::Value& value);
// Reports a live tensor's CPU bytes to V8 as external memory (once), so that GC pressure
// reflects native memory the garbage collector may have to free.
void ReportMemory(Napi::Env env, const Napi::Value& value);
// Frees the tensor behind a handle; returns false when the handle was already released.
bool Release(Napi::Env env, const Napi::Value& value);

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
void RegisterNn(Napi::Env env, Napi::Object exports);
void RegisterAsync(Napi::Env env, Napi::Object exports);
void RegisterDevice(Napi::Env env, Napi::Object exports);
void RegisterImage(Napi::Env env, Napi::Object exports);
void RegisterStorageIo(Napi::Env env, Napi::Object exports);
void RegisterOptim(Napi::Env env, Napi::Object exports);
void RegisterDispatch(Napi::Env env, Napi::Object exports);
void RegisterIndexing(Napi::Env env, Napi::Object exports);

}  // namespace tts
