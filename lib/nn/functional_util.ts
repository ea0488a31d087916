// What the Python-signature torch.nn.functional ports (functional_python.ts, functional_losses.ts,
// functional_pooling.ts) share: binding Python's (input, *positional, **keywords) to one trailing
// options object with camelCase keys, argument checks that name nn.functional.<name>, the
// reduction enum, and aliases of ATen entries under their nn.functional names.
import { Tensor } from "../tensor/index.js";
import { fn as opFn, GENERATED } from "../tensor/ops.js";
import type { OpEntry } from "../tensor/op_call.js";
import { argError, checkBool, checkNumber, isInt } from "../validate.js";

// Binding Python's (input, *positional, **keywords) is shared with the torch.* ports (lib/tensor/).
export { bindArgs, isPlainObject, type PyArgs } from "../tensor/python_args.js";

export function tensor(fn: string, value: unknown, arg = "input"): Tensor {
  if (!(value instanceof Tensor)) throw argError(fn, arg, "a Tensor", value);
  return value;
}

export function optTensor(fn: string, value: unknown, arg: string): Tensor | null {
  return value === undefined || value === null ? null : tensor(fn, value, arg);
}

export const num = (fn: string, arg: string, value: unknown, dflt: number): number => (value === undefined ? dflt : checkNumber(fn, arg, value));
export const bool = (fn: string, arg: string, value: unknown, dflt: boolean): boolean => (value === undefined ? dflt : checkBool(fn, arg, value));
export function int(fn: string, arg: string, value: unknown, dflt: number): number {
  if (value === undefined) return dflt;
  if (!isInt(value)) throw argError(fn, arg, "an integer", value);
  return value;
}

/** One of `choices` (a string option such as mode), or the default. */
export function choice<T extends string>(fn: string, arg: string, value: unknown, choices: readonly T[], dflt: T): T {
  if (value === undefined) return dflt;
  if (typeof value !== "string" || !choices.includes(value as T)) throw argError(fn, arg, choices.map((c) => JSON.stringify(c)).join(", ").replace(/, ([^,]*)$/, " or $1"), value);
  return value as T;
}

/** Python's `_single`/`_pair`/`_triple`: an int, or an array of n ints (a 1-element one repeats). */
export function ntuple(fn: string, arg: string, value: unknown, n: number, min = 0): number[] {
  const v = isInt(value) ? Array(n).fill(value) : Array.isArray(value) && value.length === 1 && n > 1 ? Array(n).fill(value[0]) : value;
  if (!Array.isArray(v) || v.length !== n || !v.every((x) => isInt(x) && x >= min)) {
    throw argError(fn, arg, `an integer >= ${min} or an array of ${n} of them`, value);
  }
  return v as number[];
}

export type Reduction = "none" | "mean" | "sum";
const REDUCTIONS = ["none", "mean", "sum"] as const;

/**
 * The reduction a loss uses (Python: `_Reduction.legacy_get_string` when the deprecated
 * sizeAverage/reduce are given, else the reduction string itself), and its ATen enum.
 */
export function reduction(fn: string, a: Record<string, unknown>, extra: readonly string[] = []): { name: string; code: number } {
  if ((a.sizeAverage !== undefined && a.sizeAverage !== null) || (a.reduce !== undefined && a.reduce !== null)) {
    const sizeAverage = a.sizeAverage === undefined || a.sizeAverage === null ? true : checkBool(fn, "sizeAverage", a.sizeAverage);
    const reduce = a.reduce === undefined || a.reduce === null ? true : checkBool(fn, "reduce", a.reduce);
    const name = sizeAverage && reduce ? "mean" : reduce ? "sum" : "none";
    return { name, code: REDUCTIONS.indexOf(name) };
  }
  const name = choice(fn, "reduction", a.reduction, [...REDUCTIONS, ...extra], "mean");
  return { name, code: Math.max(0, REDUCTIONS.indexOf(name as Reduction)) };
}

/** Applies a reduction by name to an elementwise loss (Python's tail of the losses written over ATen). */
export function reduce(loss: Tensor, how: string): Tensor {
  return how === "mean" ? loss.mean() : how === "sum" ? loss.sum() : loss;
}

/**
 * The ATen entry `op` (a generated torch.x) under the name nn.functional.<name>, its `self`
 * argument called `input` as Python's torch.nn.functional documents it (positional either way).
 */
export function alias<F>(name: string, op: F, self = "input"): F {
  const entry = (op as unknown as Record<symbol, OpEntry>)[GENERATED];
  if (entry === undefined) throw new Error(`alias: ${name} is not a generated op`);
  const schemas = entry.overloads.map((o) => (o.params[0]?.mutatesSelf ? o.schema : o.schema.replace(/\(Tensor self([,)])/, `(Tensor ${self}$1`)));
  return opFn<F>(`nn.functional.${name}`, entry.qualified, schemas);
}

/** An ATen op by its schema, for the ones the generated surface leaves out (names with `_`). */
export const aten = <F>(name: string, qualified: string, schema: string): F => opFn<F>(`nn.functional.${name}`, qualified, [schema]);
