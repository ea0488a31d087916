// Complex numbers as JS sees them. JS has no complex type, so one complex element is a plain
// `{ re, im }` object wherever a single value crosses: tolist(), item(), and the values
// torch.tensor / torch.full accept. Bulk data crosses as a Float32Array (complex64) or
// Float64Array (complex128) holding each element's real then imaginary part ("interleaved",
// the memory layout of C's and libtorch's complex types, and what torch.view_as_real shows).
import type { DType } from "../dtype.js";
import { argError, checkShape, describe } from "../validate.js";

/** One complex value: Python's `complex(re, im)`, e.g. `{ re: 1, im: -2 }` for `1-2j`. */
export interface Complex {
  re: number;
  im: number;
}

export type ComplexDType = "complex64" | "complex128";

/** The dtype of a complex dtype's real and imaginary parts (Python: `x.real.dtype`). */
export const COMPLEX_PART: Readonly<Record<ComplexDType, "float32" | "float64">> = { complex64: "float32", complex128: "float64" };

export function isComplexDType(dtype: DType): dtype is ComplexDType {
  return dtype === "complex64" || dtype === "complex128";
}

/** A `{ re, im }` value with two number fields (other keys are not looked at). */
export function isComplexValue(v: unknown): v is Complex {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) &&
    typeof (v as Complex).re === "number" && typeof (v as Complex).im === "number";
}

/** Interleaved (re, im) pairs as `{ re, im }` objects, one per element. */
export function pairsOf(interleaved: Float32Array | Float64Array): Complex[] {
  const out: Complex[] = new Array(interleaved.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = { re: interleaved[2 * i]!, im: interleaved[2 * i + 1]! };
  return out;
}

/**
 * JS values into the interleaved array of a complex dtype, as Python's
 * torch.tensor(list, dtype=torch.complex64) converts them: a number (or bigint) x is x+0j, a
 * boolean 1+0j or 0j, a `{ re, im }` itself. `where(i)` names element i in a refusal.
 */
export function interleave(values: readonly unknown[], dtype: ComplexDType, fn: string, where: (i: number) => string): Float32Array | Float64Array {
  const out = dtype === "complex64" ? new Float32Array(2 * values.length) : new Float64Array(2 * values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === "number") out[2 * i] = v;
    else if (typeof v === "bigint") out[2 * i] = Number(v);
    else if (typeof v === "boolean") out[2 * i] = v ? 1 : 0;
    else if (isComplexValue(v)) {
      out[2 * i] = v.re;
      out[2 * i + 1] = v.im;
    } else throw new TypeError(`${fn}: expected a number, boolean, bigint or { re, im }, but data${where(i)} is ${describe(v)}`);
  }
  return out;
}

/**
 * A complex tensor's TypedArray data (torch.tensor with a complex dtype): a Float32Array
 * (complex64) or Float64Array (complex128) of interleaved (re, im) pairs, two floats per
 * element; `shape` defaults to 1-D.
 */
export function interleavedData(fn: string, data: ArrayBufferView, shapeOption: unknown): { values: Float32Array | Float64Array; from: ComplexDType; shape: number[] } {
  if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) {
    throw argError(fn, "data", "a Float32Array or Float64Array of interleaved (re, im) pairs for a complex dtype", data);
  }
  if (data.length % 2 !== 0) {
    throw new TypeError(`${fn}: a complex tensor's ${data.constructor.name} holds interleaved (re, im) pairs, but its length ${data.length} is odd`);
  }
  const count = data.length / 2;
  const shape = shapeOption === undefined ? [count] : checkShape(fn, "shape", shapeOption);
  const expected = shape.reduce((a, b) => a * b, 1);
  if (expected !== count) {
    throw new TypeError(`${fn}: shape [${shape.join(", ")}] holds ${expected} complex elements, but data has ${count} (re, im) pairs`);
  }
  return { values: data, from: data instanceof Float32Array ? "complex64" : "complex128", shape };
}
