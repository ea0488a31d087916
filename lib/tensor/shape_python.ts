// torch.broadcast_shapes (Python code in torch/functional.py) and torch.nonzero's as_tuple
// (handled by Python's argument parser, torch/csrc/autograd/python_torch_functions_manual.cpp),
// with their Python signatures by the calling rule; Tensor.nonzero takes as_tuple too.
import { TorchError } from "../errors.js";
import { defineMethods } from "./define_methods.js";
import type { Tensor } from "./tensor.js";
import { argError, arrayCopy, isInt } from "../validate.js";
import { nonzero as nonzeroAten, nonzeroNumpy } from "./ops.generated.js";
import { bindArgs, boolParam, tensorParam } from "./python_args.js";

/**
 * Python: `torch.broadcast_shapes(*shapes)`: the shape tensors of these shapes broadcast to,
 * without making them. Each shape is an integer or an array of integers.
 */
export function broadcastShapes(...shapes: (number | readonly number[])[]): number[] {
  const fn = "torch.broadcastShapes";
  const lists = shapes.map((s, i) => {
    const list = isInt(s) ? [s] : arrayCopy(s);
    if (list === undefined || !list.every(isInt)) throw argError(fn, `shapes[${i}]`, "an integer or an array of integers", s);
    return list as number[];
  });
  const result: number[] = Array(Math.max(0, ...lists.map((l) => l.length))).fill(1);
  for (const shape of lists) {
    for (let i = -1; i >= -shape.length; i--) {
      const d = shape[shape.length + i]!;
      const at = result.length + i;
      if (d < 0) throw new TorchError(`Trying to create tensor with negative dimension (${d}): (${d})`);
      if (d === 1 || d === result[at]) continue;
      if (result[at] !== 1) throw new TorchError("Shape mismatch: objects cannot be broadcast to a single shape");
      result[at] = d;
    }
  }
  return result;
}

type NonzeroFn = {
  (input: Tensor, options: { asTuple: true }): Tensor[];
  (input: Tensor, options?: { asTuple?: false }): Tensor;
  (input: Tensor, options?: { asTuple?: boolean }): Tensor | Tensor[];
};

// as_tuple=True is ATen's nonzero_numpy: one index tensor per dim (a 0-dim input counts as 1-D).
function nonzeroImpl(fn: string, input: unknown, args: readonly unknown[]): Tensor | Tensor[] {
  const x = tensorParam(fn, "input", input);
  if (args.length > 1 || (args.length === 1 && (typeof args[0] !== "object" || args[0] === null))) {
    throw new TypeError(`${fn}: asTuple is keyword-only (Python: nonzero(input, *, as_tuple=False)); pass { asTuple: ${String(args[0])} }`);
  }
  const a = bindArgs(fn, ["asTuple"], args);
  return boolParam(fn, "asTuple", a.asTuple, false) ? nonzeroNumpy(x) : nonzeroAten(x);
}

/**
 * Python: `torch.nonzero(input, *, as_tuple=False)`: the indices of the nonzero elements, one
 * row each ([n, ndim], int64); with asTuple, an array of ndim index tensors (Python's tuple).
 */
export const nonzero: NonzeroFn = ((input: Tensor, ...args: unknown[]) => nonzeroImpl("torch.nonzero", input, args)) as NonzeroFn;

declare module "./tensor.js" {
  interface Tensor {
    /** Python: `x.nonzero(*, as_tuple=False)` (torch.nonzero). */
    nonzero(options: { asTuple: true }): Tensor[];
    nonzero(options?: { asTuple?: false }): Tensor;
    nonzero(options?: { asTuple?: boolean }): Tensor | Tensor[];
  }
}

defineMethods({
  nonzero(this: Tensor, ...args: unknown[]) { return nonzeroImpl("Tensor.nonzero", this, args); },
});
