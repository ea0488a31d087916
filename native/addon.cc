// Module entry point and process-level runtime: configuration, threads, seeds, CUDA queries.
#include "common.h"
#include "distributed.h"
#include "jit.h"

#include <ATen/Parallel.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>

#ifdef __linux__
#include <sched.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace tts {
namespace {

// Handed lib/errors.ts's TorchError once, so native code throws the real class.
Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  Data(info.Env()).torchError = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Value Live(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(Data(info.Env()).live));
}

// Bytes of CPU tensor memory the process holds (every environment), as malloc sizes them.
Napi::Value CpuMemoryAllocated(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(CpuBytesAllocated()));
}

Napi::Value ProcessLiveTensors(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(ProcessLive()));
}

int CudaDeviceCount() {
  if (!at::globalContext().hasCUDA() || !c10::impl::hasDeviceGuardImpl(c10::DeviceType::CUDA)) return 0;
  return c10::impl::getDeviceGuardImpl(c10::DeviceType::CUDA)->deviceCount();
}

Napi::Value Config(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("libtorchVersion", TORCH_VERSION);
  o.Set("builtFrom", TORCH_TS_BUILT_FROM);
#ifdef TORCH_TS_CUDA
  o.Set("cudaBuild", true);
#else
  o.Set("cudaBuild", false);
#endif
  o.Set("cudaAvailable", CudaDeviceCount() > 0);
  o.Set("cudaDeviceCount", CudaDeviceCount());
  o.Set("cudnnAvailable", at::globalContext().hasCuDNN());
  o.Set("numThreads", at::get_num_threads());
  o.Set("numInteropThreads", at::get_num_interop_threads());
  o.Set("openmp", at::globalContext().hasOpenMP());
  o.Set("mkldnn", at::globalContext().hasMKLDNN());
  o.Set("lapack", at::globalContext().hasLAPACK());
  o.Set("parallelInfo", at::get_parallel_info());
  o.Set("mallocTuned", MallocTuned());
  o.Set("hugePages", HugePages());
  Napi::Array backends = Napi::Array::New(info.Env());
  if (HasGloo()) backends.Set(0u, "gloo");
  o.Set("distributedBackends", backends);
  return o;
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  at::set_num_threads(static_cast<int>(ToInt(info[0])));
  return info.Env().Undefined();
}
Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

// Same generators as Python's torch.manual_seed, so seeded draws match PyTorch's.
Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  bool lossless = true;  // N-API refuses a null out-parameter here ("Invalid argument")
  uint64_t seed = info[0].IsBigInt() ? info[0].As<Napi::BigInt>().Uint64Value(&lossless)
                                     : static_cast<uint64_t>(ToInt(info[0]));
  {
    auto gen = at::globalContext().defaultGenerator(at::DeviceType::CPU);
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(seed);
  }
  int n = CudaDeviceCount();
  for (int i = 0; i < n; i++) {
    auto gen = at::globalContext().defaultGenerator(at::Device(at::DeviceType::CUDA, static_cast<c10::DeviceIndex>(i)));
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(seed);
  }
  return info.Env().Undefined();
}

Napi::Value CudaCount(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), CudaDeviceCount()); }

// Waits for the current stream of a CUDA device (all queued kernels) to finish.
Napi::Value CudaSynchronize(const Napi::CallbackInfo& info) {
  if (CudaDeviceCount() == 0) ThrowTorchError(info.Env(), "CUDA is not available: no CUDA device to synchronize");
  auto* impl = c10::impl::getDeviceGuardImpl(c10::DeviceType::CUDA);
  c10::DeviceIndex index = IsNullish(info[0]) ? impl->getDevice().index() : static_cast<c10::DeviceIndex>(ToInt(info[0]));
  impl->getStream(at::Device(at::DeviceType::CUDA, index)).synchronize();
  return info.Env().Undefined();
}

// benchNativeLoop(op, a, b, n): the libtorch floor under an op's dispatch cost, timed in
// C++ so scripts/bench can tell binding overhead from the work itself.
Napi::Value BenchNativeLoop(const Napi::CallbackInfo& info) {
  std::string op = info[0].As<Napi::String>().Utf8Value();
  at::Tensor a = Unwrap(info[1]);
  at::Tensor b = Unwrap(info[2]);
  int64_t n = ToInt(info[3]);
  bool matmul = op == "matmul";
  if (!matmul && op != "add") ThrowTorchError(info.Env(), "benchNativeLoop: op must be \"add\" or \"matmul\"");
  auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < n; i++) {
    at::Tensor r = matmul ? at::matmul(a, b) : at::add(a, b);
  }
  std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
  return Napi::Number::New(info.Env(), n > 0 ? took.count() / static_cast<double>(n) : 0.0);
}

}  // namespace

size_t UsableCpus() {
#ifdef __linux__
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return static_cast<size_t>(CPU_COUNT(&set));
#endif
  return std::max(1u, std::thread::hardware_concurrency());
}

namespace {

// Debian's libtorch starts with one intra-op thread; use the CPUs we may run on (as OpenMP's
// own default does) unless the user pinned a count through the usual environment variables.
void DefaultThreads() {
  if (std::getenv("OMP_NUM_THREADS") || std::getenv("MKL_NUM_THREADS")) return;
  static std::once_flag once;
  std::call_once(once, [] { at::set_num_threads(static_cast<int>(UsableCpus())); });
}

void RegisterAll(Napi::Env env, Napi::Object exports) {
  Export<SetErrorClass>(env, exports, "setErrorClass");
  Export<Live>(env, exports, "liveTensors");
  Export<ProcessLiveTensors>(env, exports, "processLiveTensors");
  Export<CpuMemoryAllocated>(env, exports, "cpuMemoryAllocated");
  Export<Config>(env, exports, "config");
  Export<SetNumThreads>(env, exports, "setNumThreads");
  Export<GetNumThreads>(env, exports, "getNumThreads");
  Export<ManualSeed>(env, exports, "manualSeed");
  Export<CudaCount>(env, exports, "cudaDeviceCount");
  Export<CudaSynchronize>(env, exports, "cudaSynchronize");
  Export<BenchNativeLoop>(env, exports, "benchNativeLoop");
  RegisterTensor(env, exports);
  RegisterOps(env, exports);
  RegisterNn(env, exports);
  RegisterAsync(env, exports);
  RegisterDevice(env, exports);
  RegisterImage(env, exports);
  RegisterStorageIo(env, exports);
  RegisterOptim(env, exports);
  RegisterDispatch(env, exports);
  RegisterIndexing(env, exports);
  RegisterJit(env, exports);
  RegisterDistributed(env, exports);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new AddonData());
  ConfigureCpuMemory();
  DefaultThreads();
  try {
    RegisterAll(env, exports);
  } catch (const Napi::Error&) {
    // A worker_thread terminated while it loaded the addon: its environment can no longer run
    // JS, so creating the exports failed. Rethrowing would reach node-addon-api's handler,
    // whose attempt to throw into the stopping environment fails in turn — std::terminate for
    // the whole process. Nobody is left to use the exports: return them as they are.
  }
  return exports;
}

}  // namespace
}  // namespace tts

static Napi::Object InitTorchTs(Napi::Env env, Napi::Object exports) { return tts::Init(env, exports); }
NODE_API_MODULE(torch_ts, InitTorchTs)
