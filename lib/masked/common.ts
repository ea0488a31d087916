// What the torch.masked ports share (PyTorch 1.13, torch/masked/_ops.py): binding Python's
// (input, *positional, *, **keyword-only) to one trailing options object, the canonical dim
// tuple, the canonical input mask, the reduction identities, and the fill of masked-out elements
// with them. The public functions are in reductions.ts and normalizations.ts.
import { DTYPES, type DType } from "../dtype.js";
import { TorchError } from "../errors.js";
import { tidy } from "../memory.js";
import type { Tensor } from "../tensor/index.js";
import * as ops from "../tensor/ops.generated.js";
import { bindArgs, isPlainObject, tensor } from "../nn/functional_util.js";
import { argError, checkDType, isInt } from "../validate.js";

/** Python's `DimOrDims`: one dim, several, or null (every dim). */
export type Dims = number | number[] | null;

/**
 * Binds what follows `input` as Python does for a torch.masked function: the `positional`
 * parameters in order (the first `required` of them must come), then one options object that
 * may name any parameter; the keyword-only ones (after Python's `*`) only go there.
 */
export function bindMasked(fn: string, positional: readonly string[], keywordOnly: readonly string[], args: readonly unknown[], required = 0): Record<string, unknown> {
  const given = args.length > 0 && isPlainObject(args[args.length - 1]) ? args.length - 1 : args.length;
  if (given > positional.length) {
    const kw = keywordOnly.length > 0 ? `; ${keywordOnly.join(", ")} go in the options object` : "";
    throw new TypeError(`${fn}: expected at most ${positional.length + 1} positional arguments (input${positional.map((p) => `, ${p}`).join("")}), but received ${given + 1}${kw}`);
  }
  return bindArgs(fn, [...positional, ...keywordOnly], args, required);
}

/** The input tensor (named `arg` in errors). */
export const input = (fn: string, value: unknown, arg = "input"): Tensor => tensor(fn, value, arg);

/** An optional mask: a Tensor of any dtype (it is read as bool), or null/undefined for none. */
export function maskArg(fn: string, value: unknown, arg = "mask"): Tensor | null {
  if (value === undefined || value === null) return null;
  return tensor(fn, value, arg);
}

/** An optional dtype (null/undefined: the function's default). */
export const dtypeArg = (fn: string, value: unknown): DType | null => (value === undefined || value === null ? null : checkDType(fn, "dtype", value));

/** A `DimOrDims` argument, checked (its range is checked by canonicalDim). */
export function dimsArg(fn: string, value: unknown, arg = "dim"): Dims {
  if (value === undefined || value === null) return null;
  if (isInt(value)) return value;
  if (Array.isArray(value) && value.every(isInt)) return [...value] as number[];
  throw argError(fn, arg, "an integer, an array of integers or null", value);
}

/** A single-dim argument (`dim: int`). */
export function dimArg(fn: string, value: unknown, arg = "dim"): number {
  if (!isInt(value)) throw argError(fn, arg, "an integer", value);
  return value;
}

export const isFloating = (dtype: DType): boolean => DTYPES[dtype].isFloatingPoint;

/**
 * Python's `_canonical_dim`: the dims as a sorted list of non-negative dims; null (or an empty
 * list, which reductions read as "every dim" in 1.13, pytorch#29137) gives every dim of `ndim`.
 * A 0-d input accepts dim 0 and -1, as ATen's reductions do.
 */
export function canonicalDim(dim: Dims, ndim: number): number[] {
  if (dim === null || (Array.isArray(dim) && dim.length === 0)) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dim === "number" ? [dim] : dim;
  const n = Math.max(ndim, 1);
  const out: number[] = [];
  for (const d of list) {
    // As Python: the dim as given is looked up among the wrapped ones seen before it.
    if (out.includes(d)) throw new TorchError(`dim=${d} appears multiple times in the list of dims`);
    if (d >= n || d < -n) throw new TorchError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${d})`);
    out.push(((d % n) + n) % n);
  }
  return out.sort((a, b) => a - b);
}

/**
 * Python's `_input_mask`: the mask broadcast to the input's shape (never the other way) and
 * read as bool.
 */
export function inputMask(x: Tensor, mask: Tensor): Tensor {
  let m = mask;
  if (m.shape.length !== x.shape.length || m.shape.some((d, i) => d !== x.shape[i])) {
    if (m.ndim > x.ndim) throw new TorchError("_input_mask expected broadcastable mask (got mask dimensionality higher than of the input)");
    m = ops.broadcastTo(m, x.shape);
  }
  return m.to("bool");
}

const IINFO: Partial<Record<DType, [min: number | bigint, max: number | bigint]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};

/**
 * Python's `_reduction_identity`: the value that leaves reduction `op` unchanged (0 for sum, 1
 * for prod, -inf or the dtype's minimum for amax …), as a 0-d tensor of the input's dtype, or
 * null where there is none (mean, var, std; amax of bool).
 */
export function reductionIdentity(op: string, x: Tensor, ord?: number): Tensor | null {
  const dtype = x.dtype;
  const float = isFloating(dtype);
  const make = (v: number | bigint, dt: DType = dtype) => ops.full([], v, { dtype: dt, device: x.device });
  switch (op) {
    case "sum":
    case "cumsum":
      return make(0);
    case "prod":
    case "cumprod":
      return make(1);
    case "amax":
    case "argmax":
    case "logsumexp":
      return float ? make(-Infinity) : IINFO[dtype] ? make(IINFO[dtype]![0]) : null;
    case "amin":
    case "argmin":
      return float ? make(Infinity) : IINFO[dtype] ? make(IINFO[dtype]![1]) : null;
    case "norm":
      if (ord === -Infinity) {
        if (!float) throw new TorchError(`masked.norm: ord=-inf needs a floating-point input, but received ${dtype}`);
        return make(Infinity);
      }
      return make(0);
    case "median":
      // NaN: median is computed by nanmedian, which skips NaNs.
      return make(NaN, float ? dtype : "float32");
    default:
      return null; // mean, var, std: the identity depends on the data
  }
}

/**
 * Python's `_combine_input_and_mask` for strided tensors: the input with its masked-out
 * elements replaced by `op`'s identity (gradients flow to the masked-in elements only).
 */
export function combine(fn: string, op: string, x: Tensor, mask: Tensor | null, ord?: number): Tensor {
  if (mask === null) return x;
  const fill = reductionIdentity(op, x, ord);
  if (fill === null) throw new TypeError(`${fn}: ${op} has no identity for ${x.dtype} input, so masked-out elements cannot be filled`);
  return ops.where(inputMask(x, mask), x, fill);
}

/**
 * Runs a masked op's body in a tidy scope (its intermediates are freed at once). libtorch
 * refuses sparse tensors deep inside; that is reported as the unsupported layout it is.
 */
export function run<T extends Tensor>(fn: string, body: () => T): T {
  try {
    return tidy(body);
  } catch (err) {
    if (err instanceof TorchError && /Sparse(CPU|CUDA|Csr)|sparse compressed|[Ss]parse (CSR )?tensors? (do|does) not have/.test(err.message)) {
      throw new TypeError(`${fn}: sparse layouts are unsupported (torch-ts's torch.masked takes strided inputs and masks); libtorch said: ${err.message.split("\n")[0]!.slice(0, 200)}`);
    }
    throw err;
  }
}
