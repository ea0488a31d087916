// Process-level settings and queries: configuration, threads, seeds, CUDA.
import type { NativeConfig } from "../binding.js";
import { native } from "./binding.js";
import { argError, isInt } from "./validate.js";

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
};
