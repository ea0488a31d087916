// Process-level settings and queries: configuration, threads, seeds, CUDA.
import type { NativeConfig } from "../binding.js";
import { native } from "./binding.js";
import { TorchError } from "./errors.js";
import { argError, checkBool, isInt } from "./validate.js";

/** What this build runs on. Python equivalent: `torch.__config__.show()`, `torch.__version__`. */
export function config(): NativeConfig {
  return native.config();
}

/** Python: `torch.set_num_threads(n)` (intra-op threads). */
export function setNumThreads(n: number): void {
  if (!isInt(n) || n < 1) throw argError("torch.setNumThreads", "n", "a positive integer", n);
  native.setNumThreads(n);
}

/** Python: `torch.get_num_threads()`. */
export function getNumThreads(): number {
  return native.getNumThreads();
}

/**
 * Python: `torch.manual_seed(seed)`: seeds the CPU and every CUDA generator. The same
 * seed gives the same rand/randn/randint draws as Python PyTorch on the same libtorch.
 */
export function manualSeed(seed: number | bigint): void {
  if (typeof seed === "bigint" ? seed < 0n || seed >= 1n << 64n : !isInt(seed) || seed < 0) {
    throw argError("torch.manualSeed", "seed", "a non-negative integer below 2^64", seed);
  }
  native.manualSeed(seed);
}

/** Python: `torch.cuda`. */
export const cuda = {
  /** Python: `torch.cuda.is_available()`. */
  isAvailable(): boolean {
    return native.cudaDeviceCount() > 0;
  },
  /** Python: `torch.cuda.device_count()`. */
  deviceCount(): number {
    return native.cudaDeviceCount();
  },
  /** Python: `torch.cuda.synchronize(device=None)`. */
  synchronize(device?: number): void {
    if (device !== undefined && (!isInt(device) || device < 0)) throw argError("torch.cuda.synchronize", "device", "a device index", device);
    native.cudaSynchronize(device ?? null);
  },
  /** Python: `torch.cuda.manual_seed_all(seed)` (manualSeed already seeds CUDA too). */
  manualSeedAll(seed: number | bigint): void {
    manualSeed(seed);
  },
  /** Python: `torch.cuda.manual_seed(seed)` (here: every CUDA device, and the CPU). */
  manualSeed(seed: number | bigint): void {
    manualSeed(seed);
  },
  /** Python: `torch.cuda.memory_allocated(device=None)`: bytes held by tensors. */
  memoryAllocated(device?: number): number {
    return cudaMemory("memoryAllocated", "allocated", device);
  },
  /** Python: `torch.cuda.max_memory_allocated(device=None)`. */
  maxMemoryAllocated(device?: number): number {
    return cudaMemory("maxMemoryAllocated", "maxAllocated", device);
  },
  /** Python: `torch.cuda.memory_reserved(device=None)`: bytes held by the caching allocator. */
  memoryReserved(device?: number): number {
    return cudaMemory("memoryReserved", "reserved", device);
  },
  /** Python: `torch.cuda.max_memory_reserved(device=None)`. */
  maxMemoryReserved(device?: number): number {
    return cudaMemory("maxMemoryReserved", "maxReserved", device);
  },
  /** Python: `torch.cuda.reset_peak_memory_stats(device=None)`. */
  resetPeakMemoryStats(device?: number): void {
    cudaMemory("resetPeakMemoryStats", "resetPeak", device);
  },
  /** Python: `torch.cuda.empty_cache()`: returns cached, unused blocks to the driver. */
  emptyCache(): void {
    if (native.cudaDeviceCount() > 0) native.cudaMemory("emptyCache", 0);
  },
};

function cudaMemory(fn: string, op: "allocated" | "maxAllocated" | "reserved" | "maxReserved" | "resetPeak", device?: number): number {
  const name = `torch.cuda.${fn}`;
  if (device !== undefined && (!isInt(device) || device < 0)) throw argError(name, "device", "a device index", device);
  const count = native.cudaDeviceCount();
  if (count === 0) throw new TorchError(`${name}: CUDA is not available (torch-ts ${native.config().cudaBuild ? "found no CUDA device" : "was built against a CPU-only libtorch"})`);
  if ((device ?? 0) >= count) throw new TorchError(`${name}: device ${device} does not exist (${count} CUDA device${count === 1 ? "" : "s"})`);
  return (native.cudaMemory(op, device ?? 0) as number | undefined) ?? 0;
}

/** Python: `torch.backends`. */
export const backends = {
  cudnn: {
    /** Python: `torch.backends.cudnn.benchmark`: let cuDNN time its algorithms per input shape. */
    get benchmark(): boolean {
      return native.cudnnBenchmark();
    },
    set benchmark(enabled: boolean) {
      native.setCudnnBenchmark(checkBool("torch.backends.cudnn.benchmark", "value", enabled));
    },
    /** Python: `torch.backends.cudnn.is_available()`. */
    isAvailable(): boolean {
      return native.config().cudnnAvailable;
    },
  },
};
