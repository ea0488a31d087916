// Device strings as PyTorch spells them: "cpu", "cuda", "cuda:N"; "auto" picks CUDA when present.
import { native } from "./binding.js";
import { TorchError } from "./errors.js";
import { argError } from "./validate.js";

export type Device = "cpu" | "cuda" | `cuda:${number}`;
export type DeviceLike = Device | "auto";

const PATTERN = /^(cpu|cuda)(?::(\d+))?$/;

let cudaCount: number | undefined;
function cudaDevices(): number {
  cudaCount ??= native.cudaDeviceCount();
  return cudaCount;
}

/**
 * Validates a device argument and returns the canonical string native/ receives.
 * Python equivalent: `torch.device(...)`, plus "auto" (CUDA if available, else CPU).
 */
export function parseDevice(fn: string, arg: string, value: unknown): Device {
  if (value === "auto") return cudaDevices() > 0 ? "cuda" : "cpu";
  const m = typeof value === "string" ? PATTERN.exec(value) : null;
  if (!m || (m[1] === "cpu" && m[2] !== undefined)) {
    throw argError(fn, arg, 'a device: "cpu", "cuda", "cuda:N" or "auto"', value);
  }
  if (m[1] === "cuda") {
    const n = cudaDevices();
    if (n === 0) {
      const cfg = native.config();
      throw new TorchError(
        `${fn}: CUDA is not available (${arg} ${JSON.stringify(value)} requested, but ` +
          `${cfg.cudaBuild ? "no CUDA device was found" : `torch-ts was built against a CPU-only libtorch ${cfg.libtorchVersion}`}); ` +
          "use device \"cpu\" or rebuild with LIBTORCH pointing at a CUDA libtorch",
      );
    }
    if (m[2] !== undefined && Number(m[2]) >= n) {
      throw new TorchError(`${fn}: ${arg} "${value}" does not exist: ${n} CUDA device(s) available`);
    }
  }
  return value as Device;
}

/** Python equivalent: `torch.device(x)`; resolves "auto". */
export function device(value: DeviceLike): Device {
  return parseDevice("torch.device", "device", value);
}
