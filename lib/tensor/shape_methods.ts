// Tensor reduction and shape methods (sum, mean, max, reshape, permute, …), attached to
// Tensor.prototype like the math in tensor_ops.ts; lib/index.ts imports both.
import type { Handle } from "../../binding.js";
import { native } from "../binding.js";
import { DTYPES } from "../dtype.js";
import type { DType } from "../dtype.js";
import { TorchError } from "../errors.js";
import { handleOf, sizeArgs, Tensor, tensorArg, wrap, type Reduced } from "./tensor.js";
import { defineMethods } from "./define_methods.js";
import { checkBool, checkDType, checkDims, checkInt, checkIntList, checkOptions, isInt } from "../validate.js";

function reduced(pair: [Handle, Handle]): Reduced {
  const values = wrap(pair[0]);
  const indices = wrap(pair[1]);
  return Object.assign([values, indices] as [Tensor, Tensor], { values, indices });
}

declare module "./tensor.js" {
  interface Tensor {
    // ---- reductions: dim = an integer, a list, or omitted for all ----
    sum(dim?: number | number[] | null, options?: { keepdim?: boolean; dtype?: DType }): Tensor;
    mean(dim?: number | number[] | null, options?: { keepdim?: boolean; dtype?: DType }): Tensor;
    /** Python: `t.std(dim=None, unbiased=True, keepdim=False)`. */
    std(dim?: number | number[] | null, options?: { unbiased?: boolean; keepdim?: boolean }): Tensor;
    var(dim?: number | number[] | null, options?: { unbiased?: boolean; keepdim?: boolean }): Tensor;
    /** Python: `t.max()` -> tensor; `t.max(dim, keepdim)` -> (values, indices). */
    max(): Tensor;
    max(dim: number, options?: { keepdim?: boolean }): Reduced;
    min(): Tensor;
    min(dim: number, options?: { keepdim?: boolean }): Reduced;
    argmax(dim?: number | null, options?: { keepdim?: boolean }): Tensor;
    argmin(dim?: number | null, options?: { keepdim?: boolean }): Tensor;
    // ---- shape ----
    reshape(...shape: number[] | [number[]]): Tensor;
    view(...shape: number[] | [number[]]): Tensor;
    expand(...shape: number[] | [number[]]): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    permute(...dims: number[] | [number[]]): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    /** Python: `t.t()` / `t.T` for 2-D tensors. */
    t(): Tensor;
    squeeze(dim?: number): Tensor;
    unsqueeze(dim: number): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    select(dim: number, index: number): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
  }
}

// ---- reductions: dim = an integer, a list, or omitted for all ----
function sum(this: Tensor, dim?: number | number[] | null, options?: { keepdim?: boolean; dtype?: DType }): Tensor {
  const [dims, keepdim, dtype] = reduceArgs("Tensor.sum", dim, options);
  return wrap(native.sum(handleOf(this), dims, keepdim, dtype));
}

function mean(this: Tensor, dim?: number | number[] | null, options?: { keepdim?: boolean; dtype?: DType }): Tensor {
  const [dims, keepdim, dtype] = reduceArgs("Tensor.mean", dim, options);
  return wrap(native.mean(handleOf(this), dims, keepdim, dtype));
}

function std(this: Tensor, dim?: number | number[] | null, options?: { unbiased?: boolean; keepdim?: boolean }): Tensor {
  const [dims, unbiased, keepdim] = spreadArgs("Tensor.std", dim, options);
  return wrap(native.std(handleOf(this), dims, unbiased, keepdim));
}

function var_fn(this: Tensor, dim?: number | number[] | null, options?: { unbiased?: boolean; keepdim?: boolean }): Tensor {
  const [dims, unbiased, keepdim] = spreadArgs("Tensor.var", dim, options);
  return wrap(native.var(handleOf(this), dims, unbiased, keepdim));
}

function max(this: Tensor, dim?: number, options?: { keepdim?: boolean }): Tensor | Reduced {
  if (dim === undefined) return wrap(native.max(handleOf(this), null, false));
  return reduced(native.max(handleOf(this), checkInt("Tensor.max", "dim", dim), keepdimOf("Tensor.max", options)));
}

function min(this: Tensor, dim?: number, options?: { keepdim?: boolean }): Tensor | Reduced {
  if (dim === undefined) return wrap(native.min(handleOf(this), null, false));
  return reduced(native.min(handleOf(this), checkInt("Tensor.min", "dim", dim), keepdimOf("Tensor.min", options)));
}

function argmax(this: Tensor, dim?: number | null, options?: { keepdim?: boolean }): Tensor {
  const d = dim === undefined || dim === null ? null : checkInt("Tensor.argmax", "dim", dim);
  return wrap(native.argmax(handleOf(this), d, keepdimOf("Tensor.argmax", options)));
}

function argmin(this: Tensor, dim?: number | null, options?: { keepdim?: boolean }): Tensor {
  const d = dim === undefined || dim === null ? null : checkInt("Tensor.argmin", "dim", dim);
  return wrap(native.argmin(handleOf(this), d, keepdimOf("Tensor.argmin", options)));
}

// ---- shape ----
function reshape(this: Tensor, ...shape: number[] | [number[]]): Tensor {
  return wrap(native.reshape(handleOf(this), sizeArgs("Tensor.reshape", shape)));
}

function view(this: Tensor, ...shape: number[] | [number[]]): Tensor {
  return wrap(native.view(handleOf(this), sizeArgs("Tensor.view", shape, "size")));
}

function expand(this: Tensor, ...shape: number[] | [number[]]): Tensor {
  return wrap(native.expand(handleOf(this), sizeArgs("Tensor.expand", shape, "size")));
}

function flatten(this: Tensor, startDim = 0, endDim = -1): Tensor {
  return wrap(native.flatten(handleOf(this), checkInt("Tensor.flatten", "startDim", startDim), checkInt("Tensor.flatten", "endDim", endDim)));
}

function permute(this: Tensor, ...dims: number[] | [number[]]): Tensor {
  const list = dims.length === 1 && Array.isArray(dims[0]) ? dims[0] : dims;
  return wrap(native.permute(handleOf(this), checkIntList("Tensor.permute", "dims", list)));
}

function transpose(this: Tensor, dim0: number, dim1: number): Tensor {
  return wrap(native.transpose(handleOf(this), checkInt("Tensor.transpose", "dim0", dim0), checkInt("Tensor.transpose", "dim1", dim1)));
}

function t(this: Tensor): Tensor {
  if (this.ndim > 2) throw new TorchError(`t() expects a tensor with <= 2 dimensions, but self is ${this.ndim}D`);
  return this.ndim < 2 ? wrap(native.view(handleOf(this), this.shape)) : this.transpose(0, 1);
}

function squeeze(this: Tensor, dim?: number): Tensor {
  return wrap(native.squeeze(handleOf(this), dim === undefined ? null : checkInt("Tensor.squeeze", "dim", dim)));
}

function unsqueeze(this: Tensor, dim: number): Tensor {
  return wrap(native.unsqueeze(handleOf(this), checkInt("Tensor.unsqueeze", "dim", dim)));
}

function narrow(this: Tensor, dim: number, start: number, length: number): Tensor {
  return wrap(native.narrow(handleOf(this), checkInt("Tensor.narrow", "dim", dim), checkInt("Tensor.narrow", "start", start),
    checkInt("Tensor.narrow", "length", length)));
}

function select(this: Tensor, dim: number, index: number): Tensor {
  return wrap(native.select(handleOf(this), checkInt("Tensor.select", "dim", dim), checkInt("Tensor.select", "index", index)));
}

function indexSelect(this: Tensor, dim: number, index: Tensor): Tensor {
  return wrap(native.indexSelect(handleOf(this), checkInt("Tensor.indexSelect", "dim", dim), tensorArg("Tensor.indexSelect", "index", index)));
}

function keepdimOf(fn: string, options: unknown, allowed: readonly string[] = ["keepdim"]): boolean {
  const o = checkOptions(fn, options, allowed);
  return o.keepdim === undefined ? false : checkBool(fn, "keepdim", o.keepdim);
}

const REDUCE_OPTIONS = ["keepdim", "dtype"] as const;
// sum/mean run per step of a training loop: the options are checked once (keepdimOf would
// check them again), and one dimension goes to native as the integer itself (native.sum
// takes it without reading an array).
function reduceArgs(fn: string, dim: unknown, options: unknown): [number | number[] | null, boolean, number | null] {
  const o = checkOptions(fn, options, REDUCE_OPTIONS);
  const dtype = o.dtype === undefined ? null : DTYPES[checkDType(fn, "dtype", o.dtype)].code;
  const dims = isInt(dim) ? dim : checkDims(fn, "dim", dim);
  return [dims, o.keepdim === undefined ? false : checkBool(fn, "keepdim", o.keepdim), dtype];
}

function spreadArgs(fn: string, dim: unknown, options: unknown): [number[] | null, boolean, boolean] {
  const o = checkOptions(fn, options, ["unbiased", "keepdim"]);
  const unbiased = o.unbiased === undefined ? true : checkBool(fn, "unbiased", o.unbiased);
  return [checkDims(fn, "dim", dim), unbiased, keepdimOf(fn, options, ["unbiased", "keepdim"])];
}

const methods: Record<string, unknown> = {
  sum,
  mean,
  std,
  "var": var_fn,
  max,
  min,
  argmax,
  argmin,
  reshape,
  view,
  expand,
  flatten,
  permute,
  transpose,
  t,
  squeeze,
  unsqueeze,
  narrow,
  select,
  indexSelect,
};
// These take their common forms fast; the generated methods behind them (ops.ts) take the rest
// of the calling rule: positional keepdim, every argument by name, std's unbiased positionally.
defineMethods(methods as Parameters<typeof defineMethods>[0], {
  optionsLast: ["sum", "mean", "std", "var", "max", "min", "argmax", "argmin"],
  positional: ["reshape", "view", "expand", "permute", "flatten", "transpose", "squeeze", "unsqueeze", "narrow", "select", "indexSelect"],
});
