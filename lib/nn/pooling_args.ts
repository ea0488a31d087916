// What the pooling modules share: their size arguments checked at construction but kept as
// given (Python stores kernel_size=2 as 2 and prints it so), and the type of a forward that
// returns [output, indices] when the module was built with returnIndices: true.
import type { Tensor } from "../tensor/index.js";
import { argError, isInt } from "../validate.js";
import { sizeTuple } from "./conv.js";

/** An int, or an array of one per spatial dimension (Python's `_size_Nd_t`). */
export type Ints = number | number[];
/** An int, or an array whose null entries keep the input's size (Python's `_size_Nd_opt_t`). */
export type OptInts = number | (number | null)[];

/** What forward returns: [output, indices] for returnIndices true. */
export type PoolOutput<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;

/** A size checked as Python's _ntuple would read it (n ints >= min), kept as given (arrays copied). */
export function givenSize(fn: string, arg: string, value: unknown, n: number, min: number): Ints {
  const t = sizeTuple(fn, arg, value, n, min);
  return isInt(value) ? value : t;
}

/** Python's `stride if stride is not None else kernel_size`. */
export function strideOr(fn: string, value: unknown, kernelSize: Ints, n: number): Ints {
  return value === undefined || value === null ? kernelSize : givenSize(fn, "stride", value, n, 1);
}

/** An adaptive output size: an int >= 1, or n of them where null keeps that input size. */
export function optSize(fn: string, value: unknown, n: number): OptInts {
  if (isInt(value) && value >= 1) return value;
  if (Array.isArray(value) && value.length === n && value.every((v) => v === null || (isInt(v) && v >= 1))) return [...value] as (number | null)[];
  throw argError(fn, "outputSize", `an integer >= 1 or ${n === 1 ? "an array of one" : n === 2 ? "a pair of them" : "a triple of them"}`, value);
}
