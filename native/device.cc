// Accelerator-facing runtime: cuDNN's benchmark flag, autocast state, device memory statistics,
// pinned host memory and memory formats. Everything here compiles against a CPU-only libtorch
// too (where the CUDA parts report "not available") and against libtorch 1.13 and 2.x.
#include "common.h"

#include <ATen/autocast_mode.h>

#ifdef TORCH_TS_ACCEL_MEMORY
#include <ATen/DeviceAccelerator.h>
#endif

namespace tts {
namespace {

// TORCH_TS_AUTOCAST_GENERIC and TORCH_TS_ACCEL_MEMORY come from CMakeLists.txt's probes: the
// autocast API became per-device-type in PyTorch 2.4 (1.13 has per-device functions), and
// allocator statistics became device-generic in 2.9.

at::DeviceType AutocastDevice(const Napi::Value& value) {
  std::string name = value.As<Napi::String>().Utf8Value();
  if (name == "cpu") return at::kCPU;
  if (name == "cuda") return at::kCUDA;
  throw Napi::TypeError::New(value.Env(), "autocast: device type must be \"cpu\" or \"cuda\", got \"" + name + "\"");
}

bool AutocastEnabled(at::DeviceType d) {
#ifdef TORCH_TS_AUTOCAST_GENERIC
  return at::autocast::is_autocast_enabled(d);
#else
  return d == at::kCPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled();
#endif
}

at::ScalarType AutocastDtype(at::DeviceType d) {
#ifdef TORCH_TS_AUTOCAST_GENERIC
  return at::autocast::get_autocast_dtype(d);
#else
  return d == at::kCPU ? at::autocast::get_autocast_cpu_dtype() : at::autocast::get_autocast_gpu_dtype();
#endif
}

void SetAutocast(at::DeviceType d, bool enabled, at::ScalarType dtype) {
#ifdef TORCH_TS_AUTOCAST_GENERIC
  at::autocast::set_autocast_enabled(d, enabled);
  at::autocast::set_autocast_dtype(d, dtype);
#else
  if (d == at::kCPU) {
    at::autocast::set_cpu_enabled(enabled);
    at::autocast::set_autocast_cpu_dtype(dtype);
  } else {
    at::autocast::set_enabled(enabled);
    at::autocast::set_autocast_gpu_dtype(dtype);
  }
#endif
}

// autocastEnter(device, enabled, dtype) -> [previousEnabled, previousDtype]: what Python's
// torch.autocast.__enter__ does (state + nesting count); autocastExit restores and, leaving
// the outermost scope, frees the cache of casted weights.
Napi::Value AutocastEnter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::DeviceType d = AutocastDevice(info[0]);
  Napi::Array previous = Napi::Array::New(env, 2);
  previous.Set(0u, Napi::Boolean::New(env, AutocastEnabled(d)));
  previous.Set(1u, Napi::Number::New(env, static_cast<int>(AutocastDtype(d))));
  SetAutocast(d, ToBool(info[1]), ToDtype(info[2]));
  at::autocast::increment_nesting();
  return previous;
}

Napi::Value AutocastExit(const Napi::CallbackInfo& info) {
  at::DeviceType d = AutocastDevice(info[0]);
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  SetAutocast(d, ToBool(info[1]), ToDtype(info[2]));
  return info.Env().Undefined();
}

Napi::Value IsAutocastEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), AutocastEnabled(AutocastDevice(info[0])));
}

Napi::Value CudnnBenchmark(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::globalContext().benchmarkCuDNN());
}

Napi::Value SetCudnnBenchmark(const Napi::CallbackInfo& info) {
  at::globalContext().setBenchmarkCuDNN(ToBool(info[0]));
  return info.Env().Undefined();
}

// cudaMemory(op, device): op "allocated" | "maxAllocated" | "reserved" | "maxReserved" →
// bytes; "resetPeak" | "emptyCache" → undefined. The caching allocator's statistics come
// through ATen's device-generic accelerator API (PyTorch ≥ 2.9), so no CUDA header is needed.
Napi::Value CudaMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string op = info[0].As<Napi::String>().Utf8Value();
#ifdef TORCH_TS_ACCEL_MEMORY
  auto device = static_cast<c10::DeviceIndex>(ToInt(info[1]));
  // The caching allocator exists only once CUDA is initialized; before the first CUDA tensor
  // its statistics refuse every device ("Invalid device argument"). Python's torch.cuda calls
  // _lazy_init() first for the same reason.
  at::globalContext().lazyInitDevice(c10::DeviceType::CUDA);
  if (op == "emptyCache") {
    at::accelerator::emptyCache();
    return env.Undefined();
  }
  if (op == "resetPeak") {
    at::accelerator::resetPeakStats(device);
    return env.Undefined();
  }
  auto stats = at::accelerator::getDeviceStats(device);
  const size_t all = 0;  // StatType::AGGREGATE
  int64_t bytes;
  if (op == "allocated") bytes = stats.allocated_bytes[all].current;
  else if (op == "maxAllocated") bytes = stats.allocated_bytes[all].peak;
  else if (op == "reserved") bytes = stats.reserved_bytes[all].current;
  else if (op == "maxReserved") bytes = stats.reserved_bytes[all].peak;
  else throw Napi::TypeError::New(env, "cudaMemory: unknown op " + op);
  return Napi::Number::New(env, static_cast<double>(bytes));
#else
  ThrowTorchError(env, "torch.cuda memory statistics need a libtorch with ATen's accelerator memory API (PyTorch >= 2.9); "
                       "this build uses libtorch " TORCH_VERSION);
#endif
}

Napi::Value PinMemory(const Napi::CallbackInfo& info) { return Wrap(info.Env(), Unwrap(info[0]).pin_memory()); }

Napi::Value IsPinned(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Unwrap(info[0]).is_pinned());
}

at::MemoryFormat ToMemoryFormat(const Napi::Value& value) {
  std::string name = value.As<Napi::String>().Utf8Value();
  if (name == "contiguousFormat") return at::MemoryFormat::Contiguous;
  if (name == "channelsLast") return at::MemoryFormat::ChannelsLast;
  if (name == "channelsLast3d") return at::MemoryFormat::ChannelsLast3d;
  if (name == "preserveFormat") return at::MemoryFormat::Preserve;
  throw Napi::TypeError::New(value.Env(), "unknown memory format " + name);
}

Napi::Value ContiguousAs(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0]).contiguous(ToMemoryFormat(info[1])));
}

Napi::Value IsContiguousAs(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Unwrap(info[0]).is_contiguous(ToMemoryFormat(info[1])));
}

}  // namespace

void RegisterDevice(Napi::Env env, Napi::Object exports) {
  Export<AutocastEnter>(env, exports, "autocastEnter");
  Export<AutocastExit>(env, exports, "autocastExit");
  Export<IsAutocastEnabled>(env, exports, "isAutocastEnabled");
  Export<CudnnBenchmark>(env, exports, "cudnnBenchmark");
  Export<SetCudnnBenchmark>(env, exports, "setCudnnBenchmark");
  Export<CudaMemory>(env, exports, "cudaMemory");
  Export<PinMemory>(env, exports, "pinMemory");
  Export<IsPinned>(env, exports, "isPinned");
  Export<ContiguousAs>(env, exports, "contiguousAs");
  Export<IsContiguousAs>(env, exports, "isContiguousAs");
}

}  // namespace tts
