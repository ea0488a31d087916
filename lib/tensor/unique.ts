// torch.unique and torch.unique_consecutive, Python code over ATen in PyTorch 1.13
// (torch/functional.py): ATen always returns (output, inverse_indices, counts); Python hands
// back the output alone, or a tuple of it and the ones asked for (return_inverse,
// return_counts), in that order. The Tensor methods (torch/_tensor.py) call these.
import { Tensor } from "./tensor.js";
import { defineMethods } from "./define_methods.js";
import { fn } from "./ops.js";
import { uniqueConsecutive as uniqueConsecutiveAten, uniqueDim } from "./ops.generated.js";
import { bindArgs, boolParam, optIntParam, tensorParam, type PyArgs } from "./python_args.js";

type Three = [Tensor, Tensor, Tensor];
const unique2 = fn<(self: Tensor, sorted: boolean, returnInverse: boolean, returnCounts: boolean) => Three>(
  "torch.unique", "_unique2", ["_unique2(Tensor self, bool sorted=True, bool return_inverse=False, bool return_counts=False) -> (Tensor, Tensor, Tensor)"]);

/** The output, or [output, inverse?, counts?] as asked; the returns not asked for are freed. */
function pick([output, inverse, counts]: Three, returnInverse: boolean, returnCounts: boolean): Tensor | Tensor[] {
  if (!returnInverse) inverse.dispose();
  if (!returnCounts) counts.dispose();
  if (!returnInverse && !returnCounts) return output;
  return [output, ...(returnInverse ? [inverse] : []), ...(returnCounts ? [counts] : [])];
}

type Flags = { returnInverse?: boolean; returnCounts?: boolean };
/** The return type Python's boolean_dispatch gives for the flags asked. */
type UniqueReturn<O extends Flags> = O extends { returnInverse: true }
  ? O extends { returnCounts: true } ? [output: Tensor, inverseIndices: Tensor, counts: Tensor] : [output: Tensor, inverseIndices: Tensor]
  : O extends { returnCounts: true } ? [output: Tensor, counts: Tensor] : Tensor;

type UniqueP = [sorted: boolean, returnInverse: boolean, returnCounts: boolean, dim: number | null];
type UniqueO = { sorted: boolean; returnInverse: boolean; returnCounts: boolean; dim: number | null };
type UniqueFn = {
  <O extends Partial<UniqueO>>(input: Tensor, options?: O): UniqueReturn<O>;
  (input: Tensor, ...args: PyArgs<UniqueP, UniqueO>): Tensor | Tensor[];
};

function uniqueImpl(name: string, input: unknown, args: readonly unknown[]): Tensor | Tensor[] {
  const a = bindArgs(name, ["sorted", "returnInverse", "returnCounts", "dim"], args);
  const x = tensorParam(name, "input", input);
  const sorted = boolParam(name, "sorted", a.sorted, true);
  const inverse = boolParam(name, "returnInverse", a.returnInverse, false);
  const counts = boolParam(name, "returnCounts", a.returnCounts, false);
  const dim = optIntParam(name, "dim", a.dim);
  return pick(dim === null ? unique2(x, sorted, inverse, counts) : uniqueDim(x, dim, sorted, inverse, counts), inverse, counts);
}

/**
 * Python: `torch.unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None)`:
 * the unique elements (of the flattened input, or slices along `dim`); with returnInverse
 * and/or returnCounts, an array [output, inverseIndices?, counts?].
 */
export const unique: UniqueFn = ((input: Tensor, ...args: unknown[]) => uniqueImpl("torch.unique", input, args)) as UniqueFn;

type ConsecutiveP = [returnInverse: boolean, returnCounts: boolean, dim: number | null];
type ConsecutiveO = { returnInverse: boolean; returnCounts: boolean; dim: number | null };
type ConsecutiveFn = {
  <O extends Partial<ConsecutiveO>>(input: Tensor, options?: O): UniqueReturn<O>;
  (input: Tensor, ...args: PyArgs<ConsecutiveP, ConsecutiveO>): Tensor | Tensor[];
};

// Python's boolean_dispatch for unique_consecutive reads return_inverse and return_counts one
// position too far when they are passed positionally (torch/functional.py arg_index=2 and 1);
// this follows the documented signature instead, the same as passing them by keyword.
function consecutiveImpl(name: string, input: unknown, args: readonly unknown[]): Tensor | Tensor[] {
  const a = bindArgs(name, ["returnInverse", "returnCounts", "dim"], args);
  const x = tensorParam(name, "input", input);
  const inverse = boolParam(name, "returnInverse", a.returnInverse, false);
  const counts = boolParam(name, "returnCounts", a.returnCounts, false);
  return pick(uniqueConsecutiveAten(x, inverse, counts, optIntParam(name, "dim", a.dim)), inverse, counts);
}

/**
 * Python: `torch.unique_consecutive(input, return_inverse=False, return_counts=False, dim=None)`:
 * the first of each run of equal consecutive elements; with returnInverse and/or returnCounts,
 * an array [output, inverseIndices?, counts?].
 */
export const uniqueConsecutive: ConsecutiveFn = ((input: Tensor, ...args: unknown[]) => consecutiveImpl("torch.uniqueConsecutive", input, args)) as ConsecutiveFn;

declare module "./tensor.js" {
  interface Tensor {
    /** Python: `x.unique(sorted=True, return_inverse=False, return_counts=False, dim=None)` (torch.unique). */
    unique<O extends Partial<UniqueO>>(options?: O): UniqueReturn<O>;
    unique(...args: PyArgs<UniqueP, UniqueO>): Tensor | Tensor[];
    /** Python: `x.unique_consecutive(return_inverse=False, return_counts=False, dim=None)` (torch.unique_consecutive). */
    uniqueConsecutive<O extends Partial<ConsecutiveO>>(options?: O): UniqueReturn<O>;
    uniqueConsecutive(...args: PyArgs<ConsecutiveP, ConsecutiveO>): Tensor | Tensor[];
  }
}

defineMethods({
  unique(this: Tensor, ...args: unknown[]) { return uniqueImpl("Tensor.unique", this, args); },
  uniqueConsecutive(this: Tensor, ...args: unknown[]) { return consecutiveImpl("Tensor.uniqueConsecutive", this, args); },
});
