// torch.* functions that take several tensors (cat, stack, where, …) or mirror a method.
import type { Handle } from "../../binding.js";
import { native } from "../binding.js";
import { handleOf, Tensor, wrap, type TensorOrScalar } from "./tensor.js";
import { DTYPES } from "../dtype.js";
import { TorchError } from "../errors.js";
import { argError, arrayCopy, checkInt, checkOptions, checkScalar } from "../validate.js";

/**
 * The handles of a tensor-list argument. A Proxy over an array is read as the array; a hole in
 * a sparse array, a non-Tensor or a disposed tensor is refused naming its index.
 */
function tensorList(fn: string, tensors: unknown): Handle[] {
  const list = arrayCopy(tensors);
  if (list === undefined || list.length === 0 || !list.every((t) => t instanceof Tensor)) {
    const at = list === undefined ? -1 : list.findIndex((t) => !(t instanceof Tensor));
    const detail = at < 0 ? "" : !(at in (tensors as unknown[])) ? ` (tensors[${at}] is an empty slot: a hole in a sparse array)` : "";
    throw new TypeError(`${argError(fn, "tensors", "a non-empty array of Tensors", tensors).message}${detail}`);
  }
  return (list as Tensor[]).map((t, i) => {
    // As every use of a disposed tensor: a TorchError, here naming which one.
    if (t.isDisposed) throw new TorchError(`${fn}: tensors[${i}] was disposed and cannot be used any more`);
    return handleOf(t);
  });
}

/** A scalar branch of where() becomes a 0-dim tensor typed as Python would type the number. */
function branch(fn: string, arg: string, v: unknown, device: string): Tensor {
  if (v instanceof Tensor) return v;
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") {
    checkScalar(fn, arg, v); // a bigint must fit in int64
    const dtype = typeof v === "boolean" ? "bool" : typeof v === "bigint" || Number.isInteger(v) ? "int64" : "float32";
    return wrap(native.full([], v, DTYPES[dtype].code, device, false));
  }
  throw argError(fn, arg, "a Tensor or a number", v);
}

/** Python: `torch.cat(tensors, dim=0)`. */
export function cat(tensors: Tensor[], dim: number | { dim?: number } = 0): Tensor {
  return wrap(native.cat(tensorList("torch.cat", tensors), dimArg("torch.cat", dim)));
}

/** `dim` positionally or in the options object, by the calling rule. */
function dimArg(fn: string, dim: unknown): number {
  if (typeof dim === "object" && dim !== null && !Array.isArray(dim)) {
    const o = checkOptions(fn, dim, ["dim"]);
    return o.dim === undefined ? 0 : checkInt(fn, "dim", o.dim);
  }
  return checkInt(fn, "dim", dim);
}

/** Python: `torch.stack(tensors, dim=0)`. */
export function stack(tensors: Tensor[], dim: number | { dim?: number } = 0): Tensor {
  return wrap(native.stack(tensorList("torch.stack", tensors), dimArg("torch.stack", dim)));
}

/** Python: `torch.where(condition, input, other)`. */
export function where(condition: Tensor, input: TensorOrScalar, other: TensorOrScalar): Tensor {
  if (!(condition instanceof Tensor)) throw argError("torch.where", "condition", "a bool Tensor", condition);
  const device = condition.device;
  const a = branch("torch.where", "input", input, device);
  let b: Tensor;
  try {
    b = branch("torch.where", "other", other, device);
  } catch (err) {
    if (a !== input) a.dispose(); // the scalar made for input must not outlive the refusal
    throw err;
  }
  try {
    return wrap(native.where(handleOf(condition), handleOf(a), handleOf(b)));
  } finally {
    if (a !== input) a.dispose();
    if (b !== other) b.dispose();
  }
}

/** Python: `torch.matmul(input, other)`. */
export function matmul(input: Tensor, other: Tensor): Tensor {
  if (!(input instanceof Tensor)) throw argError("torch.matmul", "input", "a Tensor", input);
  return input.matmul(other);
}

/** Python: `torch.maximum(input, other)`. */
export function maximum(input: Tensor, other: Tensor): Tensor {
  if (!(input instanceof Tensor)) throw argError("torch.maximum", "input", "a Tensor", input);
  return input.maximum(other);
}

/** Python: `torch.minimum(input, other)`. */
export function minimum(input: Tensor, other: Tensor): Tensor {
  if (!(input instanceof Tensor)) throw argError("torch.minimum", "input", "a Tensor", input);
  return input.minimum(other);
}
