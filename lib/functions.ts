// torch.* functions that take several tensors (cat, stack, where, …) or mirror a method.
import type { Handle } from "../binding.js";
import { native } from "./binding.js";
import { handleOf, Tensor, wrap, type TensorOrScalar } from "./tensor.js";
import { DTYPES } from "./dtype.js";
import { argError, checkInt } from "./validate.js";

function tensorList(fn: string, tensors: unknown): Handle[] {
  if (!Array.isArray(tensors) || tensors.length === 0 || !tensors.every((t) => t instanceof Tensor)) {
    throw argError(fn, "tensors", "a non-empty array of Tensors", tensors);
  }
  return tensors.map(handleOf);
}

/** A scalar branch of where() becomes a 0-dim tensor typed as Python would type the number. */
function branch(fn: string, arg: string, v: unknown, device: string): Tensor {
  if (v instanceof Tensor) return v;
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") {
    const dtype = typeof v === "boolean" ? "bool" : typeof v === "bigint" || Number.isInteger(v) ? "int64" : "float32";
    return wrap(native.full([], v, DTYPES[dtype].code, device, false));
  }
  throw argError(fn, arg, "a Tensor or a number", v);
}

/** Python: `torch.cat(tensors, dim=0)`. */
export function cat(tensors: Tensor[], dim = 0): Tensor {
  return wrap(native.cat(tensorList("torch.cat", tensors), checkInt("torch.cat", "dim", dim)));
}

/** Python: `torch.stack(tensors, dim=0)`. */
export function stack(tensors: Tensor[], dim = 0): Tensor {
  return wrap(native.stack(tensorList("torch.stack", tensors), checkInt("torch.stack", "dim", dim)));
}

/** Python: `torch.where(condition, input, other)`. */
export function where(condition: Tensor, input: TensorOrScalar, other: TensorOrScalar): Tensor {
  if (!(condition instanceof Tensor)) throw argError("torch.where", "condition", "a bool Tensor", condition);
  const device = condition.device;
  const a = branch("torch.where", "input", input, device);
  const b = branch("torch.where", "other", other, device);
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
