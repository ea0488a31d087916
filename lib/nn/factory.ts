// The device/dtype options of layers that create parameters (Python's factory_kwargs).
import { parseDevice, type Device } from "../device.js";
import { DTYPES, type DType } from "../dtype.js";
import { argError, checkDType } from "../validate.js";

/**
 * Checks a layer's `device` and `dtype` options under the layer's own name, so `nn.Conv2d(…,
 * {device: "cuda"})` on a CPU-only machine says nn.Conv2d, not the torch.empty it calls.
 * Parameters are floating point: an integer dtype would fail later, in the initialiser.
 */
export function factoryOptions(fn: string, o: Record<string, unknown>): { device?: Device; dtype?: DType } {
  const device = o.device === undefined ? undefined : parseDevice(fn, "device", o.device);
  const dtype = o.dtype === undefined ? undefined : checkDType(fn, "dtype", o.dtype);
  if (dtype !== undefined && !DTYPES[dtype].isFloatingPoint) throw argError(fn, "dtype", "a floating point dtype", dtype);
  return { device, dtype };
}
