// Python's indexing of the nn containers: an integer (negative counts from the end) or a slice
// written as the tensor indexing strings are ("1:", "::2", "-3:", "1:5:2").
import { argError, isInt } from "../validate.js";

const SLICE = /^\s*([+-]?\d+)?\s*:\s*([+-]?\d+)?\s*(?::\s*([+-]?\d+)?\s*)?$/;

/** A container index: an integer, or a Python slice string such as "1:3" or "::-1". */
export type ContainerIndex = number | string;

/** Python's `_get_abs_string_index`: 0 <= i < length, or an IndexError-like RangeError. */
export function absIndex(fn: string, index: unknown, length: number, what = "module(s)"): number {
  if (!isInt(index)) throw argError(fn, "index", "an integer or a slice string such as \"1:3\"", index);
  if (index < -length || index >= length) throw new RangeError(`${fn}: index ${index} is out of range for ${length} ${what}`);
  return index < 0 ? index + length : index;
}

/** The positions a slice string selects from `length` items (Python's `range(*slice.indices(length))`). */
export function slicePositions(fn: string, spec: string, length: number): number[] {
  const m = SLICE.exec(spec);
  if (m === null) throw argError(fn, "index", "an integer or a slice string such as \"1:3\"", spec);
  const [start, stop, step] = [m[1], m[2], m[3]].map((x) => (x === undefined ? null : Number(x)));
  const st = step ?? 1;
  if (st === 0) throw new RangeError(`${fn}: slice step cannot be zero`);
  const clamp = (v: number | null, dflt: number, lo: number, hi: number) => {
    if (v === null) return dflt;
    const w = v < 0 ? v + length : v;
    return Math.min(Math.max(w, lo), hi);
  };
  const out: number[] = [];
  if (st > 0) {
    for (let i = clamp(start, 0, 0, length), end = clamp(stop, length, 0, length); i < end; i += st) out.push(i);
  } else {
    for (let i = clamp(start, length - 1, -1, length - 1), end = clamp(stop, -1, -1, length - 1); i > end; i += st) out.push(i);
  }
  return out;
}

export const isSlice = (index: unknown): index is string => typeof index === "string";
