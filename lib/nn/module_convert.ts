// Module.to / half / float / double / bfloat16: parameters (and their grads) and buffers
// converted in place (the tensor objects stay, their data changes), so an optimizer or any
// other holder of a parameter keeps a valid reference, as in Python.
import { native } from "../binding.js";
import { noGrad } from "../autograd.js";
import { parseDevice, type Device } from "../device.js";
import { DTYPES, isDType, type DType } from "../dtype.js";
import { tidy } from "../memory.js";
import { handleOf, memoryFormatOption, type MemoryFormat, type Tensor } from "../tensor/index.js";
import { argError, checkDType, checkOptions } from "../validate.js";
import type { Module } from "./module.js";

/** Replaces each parameter's, grad's and buffer's data by `convert(t)` when that is a new tensor. */
function convertEach(module: Module, convert: (t: Tensor) => Tensor): void {
  const apply = (t: Tensor) => {
    const moved = convert(t);
    if (moved !== t) {
      native.setData(handleOf(t), handleOf(moved));
      moved.dispose();
    }
  };
  tidy(() => noGrad(() => {
    for (const p of module.parameters()) {
      apply(p);
      const g = p.grad;
      if (g !== null) {
        apply(g);
        p.grad = g;
      }
    }
    for (const b of module.buffers()) apply(b);
  }));
}

/** Python's `module.half()` & co.: `t.to(dtype) if t.is_floating_point() else t`. */
export function castFloating(module: Module, dtype: DType): void {
  convertEach(module, (t) => (DTYPES[t.dtype].isFloatingPoint ? t.to(dtype) : t));
}

/** Python: `module.to(device | dtype | memory_format=…)`. */
export function moduleTo(module: Module, target: Device | "auto" | DType | { device?: Device | "auto"; dtype?: DType; memoryFormat?: MemoryFormat }): void {
  let device: Device | undefined;
  let dtype: DType | undefined;
  let format: MemoryFormat | undefined;
  if (typeof target === "string") {
    if (isDType(target)) dtype = target;
    else device = parseDevice("Module.to", "device", target);
  } else if (target !== null && typeof target === "object") {
    const { memoryFormat, ...rest } = target as Record<string, unknown>;
    const o = checkOptions("Module.to", rest, ["device", "dtype"]);
    if (o.device !== undefined) device = parseDevice("Module.to", "device", o.device);
    if (o.dtype !== undefined) dtype = checkDType("Module.to", "dtype", o.dtype);
    format = memoryFormatOption("Module.to", { memoryFormat });
  } else {
    throw argError("Module.to", "target", "a device, a dtype or {device, dtype, memoryFormat}", target);
  }
  if (dtype !== undefined && !DTYPES[dtype].isFloatingPoint && !DTYPES[dtype].isComplex) {
    throw new TypeError(`Module.to: nn.Module.to only accepts floating point or complex dtypes, but got ${dtype}`);
  }
  const formatRank = format === "channelsLast" ? 4 : format === "channelsLast3d" ? 5 : -1;
  convertEach(module, (t) => {
    // As Python: floating and complex tensors take the dtype; integer buffers keep theirs.
    const cast = dtype !== undefined && (DTYPES[t.dtype].isFloatingPoint || DTYPES[t.dtype].isComplex) ? dtype : undefined;
    let moved = t.to({ device, dtype: cast });
    if (format !== undefined && (formatRank < 0 || t.ndim === formatRank)) {
      const laid = moved.contiguous({ memoryFormat: format });
      if (moved !== t) moved.dispose();
      moved = laid;
    }
    return moved;
  });
}
