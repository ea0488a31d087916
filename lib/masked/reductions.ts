// torch.masked's reductions (PyTorch 1.13, torch/masked/_ops.py), ported for strided tensors:
// masked-out elements are replaced by the reduction's identity (0 for sum, -inf for amax …) and
// the ordinary ATen reduction runs on the result; mean, var and std divide by the count of
// masked-in elements instead. Called by the calling rule: `masked.sum(x, 1, { keepdim, mask })`.
import type { DType } from "../dtype.js";
import { TorchError } from "../errors.js";
import type { Tensor } from "../tensor/index.js";
import * as ops from "../tensor/ops.generated.js";
import type { PyArgs } from "../nn/functional_util.js";
import { checkBool, checkNumber } from "../validate.js";
import { bindMasked, canonicalDim, combine, dimArg, dimsArg, dtypeArg, input, inputMask, isFloating, maskArg, run, type Dims } from "./common.js";

/** Python's `Optional[bool] = False` arguments: None reads as False (`bool(keepdim)`). */
const flag = (fn: string, arg: string, value: unknown): boolean => (value === undefined || value === null ? false : checkBool(fn, arg, value));

/** The integer dtypes sum and prod accumulate in int64 when no dtype is given, as torch.sum. */
const PROMOTED = new Set<DType>(["uint8", "bool", "int8", "int16", "int32"]);
const accumulated = (x: Tensor, dtype: DType | null): DType => dtype ?? (PROMOTED.has(x.dtype) ? "int64" : x.dtype);

interface Keywords {
  keepdim: boolean | null;
  dtype: DType | null;
  mask: Tensor | null;
}
const KEYWORDS = ["keepdim", "dtype", "mask"] as const;
export type ReductionOptions = Keywords & { dim: Dims };

type Impl<D> = (fn: string, x: Tensor, dim: D, keepdim: boolean, dtype: DType | null, mask: Tensor | null) => Tensor;

/** A public reduction `(input, dim, *, keepdim, dtype, mask)` over its implementation. */
function reduction<D>(name: string, parseDim: (fn: string, v: unknown) => D, impl: Impl<D>) {
  const fn = `masked.${name}`;
  return (x: Tensor, ...args: PyArgs<[dim: D], Keywords & { dim: D }>): Tensor => {
    const a = bindMasked(fn, ["dim"], KEYWORDS, args);
    const t = input(fn, x);
    const dim = parseDim(fn, a.dim);
    const keepdim = flag(fn, "keepdim", a.keepdim);
    const dtype = dtypeArg(fn, a.dtype);
    const mask = maskArg(fn, a.mask);
    return run(fn, () => impl(fn, t, dim, keepdim, dtype, mask));
  };
}

export const sumOf: Impl<Dims> = (fn, x, dim, keepdim, dtype, mask) =>
  ops.sum(combine(fn, "sum", x, mask), canonicalDim(dim, x.ndim), keepdim, { dtype: accumulated(x, dtype) });

const prodOf: Impl<Dims> = (fn, x, dim, keepdim, dtype, mask) => {
  const dims = canonicalDim(dim, x.ndim);
  // One dim at a time: ATen's prod takes a single dim (pytorch#56586).
  let r = combine(fn, "prod", x, mask).to(accumulated(x, dtype));
  for (const d of dims.reverse()) r = ops.prod(r, d, keepdim);
  return r;
};

/** amax / amin: the identity is the dtype's lowest (highest) value, -inf (inf) for floats. */
const extremum = (op: "amax" | "amin"): Impl<Dims> => (fn, x, dim, keepdim, dtype, mask) => {
  const m = combine(fn, op, x, mask);
  return ops[op](m, canonicalDim(dim, m.ndim), keepdim).to(dtype ?? x.dtype);
};

/** argmax / argmin: as Python, the indices come back in `dtype`, by default the input's. */
const argExtremum = (op: "argmax" | "argmin"): Impl<number | null> => (fn, x, dim, keepdim, dtype, mask) =>
  ops[op](combine(fn, op, x, mask), dim, keepdim).to(dtype ?? x.dtype);

/** Sum over the masked-in elements and their count (int64), for mean, var and std. */
function totalAndCount(fn: string, x: Tensor, dim: Dims, keepdim: boolean, dtype: DType, mask: Tensor | null): { total: Tensor; count: Tensor; mask: Tensor | null } {
  const m = mask === null ? null : inputMask(x, mask);
  const count = sumOf(fn, ops.onesLike(m ?? x, { dtype: "int64" }), dim, keepdim, null, m);
  return { total: sumOf(fn, x, dim, keepdim, dtype, m), count, mask: m };
}

const meanOf: Impl<Dims> = (fn, x, dim, keepdim, dtype, mask) => {
  const { total, count } = totalAndCount(fn, x, dim, keepdim, dtype ?? x.dtype, mask);
  return ops.div(total, count); // fully masked-out slices are 0 / 0: NaN, as documented
};

const medianOf: Impl<number> = (fn, x, dim, keepdim, dtype, mask) => {
  const d = canonicalDim(dim, x.ndim)[0]!;
  const float = isFloating(x.dtype);
  // nanmedian skips the NaNs that fill masked-out elements; integers are widened to hold them.
  const out = ops.nanmedian(combine(fn, "median", float ? x : x.to("float32"), mask), d, keepdim).values;
  if (float) return out;
  if (ops.isnan(out).any().item() === true) throw new TorchError("masked median expects no fully masked out rows if dtype is not floating point");
  return out.to(dtype ?? x.dtype);
};

const logsumexpOf: Impl<Dims> = (fn, x, dim, keepdim, dtype, mask) =>
  ops.logsumexp(combine(fn, "logsumexp", x, mask), canonicalDim(dim, x.ndim), keepdim).to(dtype ?? x.dtype);

/**
 * Python: `torch.masked.sum(input, dim=None, *, keepdim=False, dtype=None, mask=None)`: masked-out
 * elements count as 0; integer inputs sum in int64 unless `dtype` says otherwise.
 */
export const sum = reduction("sum", dimsArg, sumOf);
/** Python: `torch.masked.prod(input, dim=None, *, keepdim=False, dtype=None, mask=None)`: masked-out elements count as 1. */
export const prod = reduction("prod", dimsArg, prodOf);
/** Python: `torch.masked.amax(input, dim=None, *, keepdim=False, dtype=None, mask=None)`. */
export const amax = reduction("amax", dimsArg, extremum("amax"));
/** Python: `torch.masked.amin(input, dim=None, *, keepdim=False, dtype=None, mask=None)`. */
export const amin = reduction("amin", dimsArg, extremum("amin"));
/** Python: `torch.masked.argmax(input, dim=None, *, keepdim=False, dtype=None, mask=None)` (indices in `dtype`, by default the input's). */
export const argmax = reduction("argmax", (fn, v) => (v === undefined || v === null ? null : dimArg(fn, v)), argExtremum("argmax"));
/** Python: `torch.masked.argmin(input, dim=None, *, keepdim=False, dtype=None, mask=None)` (indices in `dtype`, by default the input's). */
export const argmin = reduction("argmin", (fn, v) => (v === undefined || v === null ? null : dimArg(fn, v)), argExtremum("argmin"));
/** Python: `torch.masked.mean(input, dim=None, *, keepdim=False, dtype=None, mask=None)`: NaN where every element is masked out. */
export const mean = reduction("mean", dimsArg, meanOf);
/**
 * Python: `torch.masked.median(input, dim=-1, *, keepdim=False, dtype=None, mask=None)`: NaN where
 * every element is masked out (an error for integer inputs, which cannot hold NaN).
 */
export const median = reduction("median", (fn, v) => (v === undefined ? -1 : dimArg(fn, v)), medianOf);
/** Python: `torch.masked.logsumexp(input, dim=None, *, keepdim=False, dtype=None, mask=None)`: masked-out elements count as -inf. */
export const logsumexp = reduction("logsumexp", dimsArg, logsumexpOf);

export const normOf = (fn: string, x: Tensor, ord: number, dim: Dims, keepdim: boolean, dtype: DType | null, mask: Tensor | null): Tensor => {
  const m = combine(fn, "norm", x, mask, ord);
  return ops.linalg.vectorNorm(m, ord, canonicalDim(dim, x.ndim), keepdim, { dtype: dtype ?? x.dtype });
};

/**
 * Python: `torch.masked.norm(input, ord=2.0, dim=None, *, keepdim=False, dtype=None, mask=None)`:
 * the vector norm of the masked-in elements (masked-out ones count as 0, or inf for ord=-inf).
 */
export function norm(x: Tensor, ...args: PyArgs<[ord: number, dim: Dims], ReductionOptions & { ord: number }>): Tensor {
  const fn = "masked.norm";
  const a = bindMasked(fn, ["ord", "dim"], KEYWORDS, args);
  const t = input(fn, x);
  const ord = a.ord === undefined ? 2 : checkNumber(fn, "ord", a.ord);
  const dim = dimsArg(fn, a.dim);
  const keepdim = flag(fn, "keepdim", a.keepdim);
  const dtype = dtypeArg(fn, a.dtype);
  const mask = maskArg(fn, a.mask);
  return run(fn, () => normOf(fn, t, ord, dim, keepdim, dtype, mask));
}

/** Python's `_std_var`: the (unbiased) variance of the masked-in elements, or its square root. */
function stdVar(fn: string, x: Tensor, dim: Dims, unbiased: boolean, keepdim: boolean, dtype: DType | null, mask: Tensor | null, sqrt: boolean): Tensor {
  const out = dtype ?? (isFloating(x.dtype) ? x.dtype : "float32");
  const compute: DType = isFloating(out) ? out : "float32";
  const sample = totalAndCount(fn, x, dim, true, out, mask);
  const dev = ops.subtract(x, ops.divide(sample.total, sample.count));
  const total = sumOf(fn, ops.mul(dev, ops.conj(dev)), dim, keepdim, compute, sample.mask);
  let count = keepdim ? sample.count : ops.reshape(sample.count, total.shape);
  if (unbiased) count = ops.maximum(ops.subtract(count, 1), ops.full([], 0, { dtype: count.dtype, device: count.device }));
  const variance = ops.divide(total, count).to(out);
  return sqrt ? ops.sqrt(variance) : variance;
}

type StdVarOptions = ReductionOptions & { unbiased: boolean | null };
function stdVarFn(name: string, sqrt: boolean) {
  const fn = `masked.${name}`;
  return (x: Tensor, ...args: PyArgs<[dim: Dims, unbiased: boolean | null], StdVarOptions>): Tensor => {
    const a = bindMasked(fn, ["dim", "unbiased"], KEYWORDS, args);
    const t = input(fn, x);
    const dim = dimsArg(fn, a.dim);
    const unbiased = flag(fn, "unbiased", a.unbiased);
    const keepdim = flag(fn, "keepdim", a.keepdim);
    const dtype = dtypeArg(fn, a.dtype);
    const mask = maskArg(fn, a.mask);
    return run(fn, () => stdVar(fn, t, dim, unbiased, keepdim, dtype, mask, sqrt));
  };
}

/**
 * Python: `torch.masked.var(input, dim=None, unbiased=False, *, keepdim=False, dtype=None, mask=None)`:
 * NaN where every element is masked out (or only one is, when unbiased); integer inputs give float32.
 */
export const var_ = stdVarFn("var", false);
/** Python: `torch.masked.std(input, dim=None, unbiased=False, *, keepdim=False, dtype=None, mask=None)`. */
export const std = stdVarFn("std", true);
