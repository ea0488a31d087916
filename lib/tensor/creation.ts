// Tensor factories: torch.tensor, zeros, ones, full, arange (arange.ts), linspace, rand, randn, randint, *Like.
// Dtype rule for JS values: numbers give float32, bigints int64, booleans bool, `{ re, im }`
// complex64, unless `dtype` says otherwise (JS has no int/float distinction to infer
// PyTorch's int64 from).
import { native } from "../binding.js";
import { interleave, interleavedData, isComplexDType, isComplexValue, type Complex } from "./complex.js";
import { parseDevice, type Device } from "../device.js";
import { DTYPES, dtypeOfArray, type DType, type TypedArray } from "../dtype.js";
import { Tensor, wrap } from "./tensor.js";
import { argError, checkBool, checkDType, checkInt, checkNumber, checkOptions, checkScalar, checkShape, describe } from "../validate.js";

export interface TensorOptions {
  dtype?: DType;
  device?: Device | "auto";
  requiresGrad?: boolean;
}

interface Resolved {
  dtype: DType;
  device: string | null;
  requiresGrad: boolean;
}

const TENSOR_OPTIONS = ["dtype", "device", "requiresGrad"] as const;
const WITH_SHAPE = [...TENSOR_OPTIONS, "shape"] as const;

function resolve(fn: string, options: unknown, defaultDtype: DType, allowed: readonly string[] = TENSOR_OPTIONS): Resolved {
  const o = checkOptions(fn, options, allowed);
  return {
    dtype: o.dtype === undefined ? defaultDtype : checkDType(fn, "dtype", o.dtype),
    device: o.device === undefined ? null : parseDevice(fn, "device", o.device),
    requiresGrad: o.requiresGrad === undefined ? false : checkBool(fn, "requiresGrad", o.requiresGrad),
  };
}

/** Splits f(2, 3, opts) / f([2, 3], opts) into a checked shape and the options. */
function sizeAndOptions(fn: string, args: unknown[]): [number[], unknown] {
  const last = args[args.length - 1];
  const hasOptions = last !== null && typeof last === "object" && !Array.isArray(last);
  const sizes = hasOptions ? args.slice(0, -1) : args;
  // torch.zeros() has no size (Python: "missing 1 required positional argument"); [] is 0-dim.
  if (sizes.length === 0) throw argError(fn, "size", "a size (integers, or an array of them; [] for a 0-dim tensor)", undefined);
  return [checkShape(fn, "size", sizes.length === 1 && Array.isArray(sizes[0]) ? sizes[0] : sizes), hasOptions ? last : undefined];
}

type SizeArgs = [...number[]] | [number[]] | [...number[], TensorOptions] | [number[], TensorOptions];
type Factory = "empty" | "zeros" | "ones" | "rand" | "randn";

function sized(name: Factory, args: unknown[]): Tensor {
  const fn = `torch.${name}`;
  const [shape, options] = sizeAndOptions(fn, args);
  const r = resolve(fn, options, "float32");
  return wrap(native[name](shape, DTYPES[r.dtype].code, r.device, r.requiresGrad));
}

/** Python: `torch.empty(*size, dtype=None, device=None, requires_grad=False)`. */
export function empty(...args: SizeArgs): Tensor { return sized("empty", args); }
/** Python: `torch.zeros(*size, …)`. */
export function zeros(...args: SizeArgs): Tensor { return sized("zeros", args); }
/** Python: `torch.ones(*size, …)`. */
export function ones(...args: SizeArgs): Tensor { return sized("ones", args); }
/** Python: `torch.rand(*size, …)`: uniform on [0, 1). */
export function rand(...args: SizeArgs): Tensor { return sized("rand", args); }
/** Python: `torch.randn(*size, …)`: standard normal. */
export function randn(...args: SizeArgs): Tensor { return sized("randn", args); }

/** Python: `torch.full(size, fill_value, …)`; a `{ re, im }` fill value gives complex64. */
export function full(size: number[], fillValue: number | bigint | boolean | Complex, options?: TensorOptions): Tensor {
  const shape = checkShape("torch.full", "size", size);
  const t = typeof fillValue;
  const complex = isComplexValue(fillValue);
  if (!complex) checkScalar("torch.full", "fillValue", fillValue);
  const r = resolve("torch.full", options, complex ? "complex64" : t === "bigint" ? "int64" : t === "boolean" ? "bool" : "float32");
  if (complex && !isComplexDType(r.dtype)) {
    throw new TypeError(`torch.full: a complex fillValue cannot fill a ${r.dtype} tensor (Python: value cannot be converted to type ${r.dtype} without overflow); use a complex dtype`);
  }
  if (complex) fillValue = { re: (fillValue as Complex).re, im: (fillValue as Complex).im }; // a plain copy for native
  return wrap(native.full(shape, fillValue, DTYPES[r.dtype].code, r.device, r.requiresGrad));
}

// torch.arange follows Python's dtype rule for its bounds (int64 for integers): its own file.
export { arange, type ArangeOptions } from "./arange.js";

/** Python: `torch.linspace(start, end, steps)`. */
export function linspace(start: number, end: number, steps: number, options?: TensorOptions): Tensor {
  checkNumber("torch.linspace", "start", start);
  checkNumber("torch.linspace", "end", end);
  if (!Number.isSafeInteger(steps) || steps < 0) throw argError("torch.linspace", "steps", "a non-negative integer", steps);
  const r = resolve("torch.linspace", options, "float32");
  return wrap(native.linspace(start, end, steps, DTYPES[r.dtype].code, r.device, r.requiresGrad));
}

/** Python: `torch.randint(low=0, high, size)`; int64 by default, as in PyTorch. */
export function randint(high: number, size: number[], options?: TensorOptions): Tensor;
export function randint(low: number, high: number, size: number[], options?: TensorOptions): Tensor;
export function randint(...args: unknown[]): Tensor {
  const sizeAt = Array.isArray(args[1]) ? 1 : 2;
  const low = sizeAt === 1 ? 0 : checkInt("torch.randint", "low", args[0]);
  const high = checkInt("torch.randint", "high", args[sizeAt - 1]);
  const shape = checkShape("torch.randint", "size", args[sizeAt]);
  if (high <= low) throw new TypeError(`torch.randint: expected low < high, but received low=${low}, high=${high}`);
  const r = resolve("torch.randint", args[sizeAt + 1], "int64");
  const t = wrap(native.randint(low, high, shape, DTYPES[r.dtype].code, r.device));
  if (!r.requiresGrad) return t;
  try {
    return t.requiresGrad_(true); // libtorch refuses it for integer dtypes, as PyTorch does
  } catch (err) {
    t.dispose();
    throw err;
  }
}

function likeOptions(fn: string, t: unknown, options: unknown): [number[], Resolved] {
  if (!(t instanceof Tensor)) throw argError(fn, "input", "a Tensor", t);
  const o = checkOptions(fn, options, TENSOR_OPTIONS);
  const r = resolve(fn, options, t.dtype);
  if (o.device === undefined) r.device = t.device;
  return [t.shape, r];
}
function likeFactory(name: Factory) {
  return (input: Tensor, options?: TensorOptions): Tensor => {
    const [shape, r] = likeOptions(`torch.${name}Like`, input, options);
    return wrap(native[name](shape, DTYPES[r.dtype].code, r.device, r.requiresGrad));
  };
}
/** Python: `torch.zeros_like(input, …)`. */
export const zerosLike = likeFactory("zeros");
/** Python: `torch.ones_like(input, …)`. */
export const onesLike = likeFactory("ones");
/** Python: `torch.empty_like(input, …)`. */
export const emptyLike = likeFactory("empty");
/** Python: `torch.rand_like(input, …)`. */
export const randLike = likeFactory("rand");
/** Python: `torch.randn_like(input, …)`. */
export const randnLike = likeFactory("randn");
/** Python: `torch.full_like(input, fill_value, …)`. */
export function fullLike(input: Tensor, fillValue: number | bigint | boolean | Complex, options?: TensorOptions): Tensor {
  const [shape, r] = likeOptions("torch.fullLike", input, options);
  return full(shape, fillValue, { dtype: r.dtype, device: (r.device ?? "cpu") as Device, requiresGrad: r.requiresGrad });
}

export type NestedArray<T> = T | NestedArray<T>[];
export type TensorData =
  | NestedArray<number> | NestedArray<boolean> | NestedArray<bigint> | NestedArray<number | Complex>
  | Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array;

/** PyTorch's limit on nesting in torch.tensor (MAX_DIMS in torch/csrc/utils/tensor_new.cpp). */
const MAX_DIMS = 128;

type Kind = "number" | "boolean" | "bigint" | "complex" | "empty";

/**
 * Walks nested data: shape, flat values, and the kind of its leaves. The walk ends on any
 * input: an array that contains itself (directly or further down) is refused by the path that
 * leads back, nesting is bounded by PyTorch's 128 dimensions, a hole in a sparse array is
 * refused by its index, and a Proxy or getter that throws becomes a TypeError naming the path.
 * Arrays are read once each, through Array.isArray, length and indexing (a Proxy over an array
 * is an array, as PyTorch takes any sequence).
 */
function flatten(data: unknown): { shape: number[]; flat: unknown[]; kind: Kind } {
  const ours = new WeakSet<Error>();
  const fail = (message: string): never => {
    const err = new TypeError(`torch.tensor: ${message}`);
    ours.add(err);
    throw err;
  };
  const cyclic = (path: string): never => fail(`data${path} refers back to an enclosing array (nested data cannot contain itself)`);
  const hole = (path: string): never => fail(`data${path} is an empty slot (a hole in a sparse array); expected a number, boolean or bigint`);
  // Where the walk is (indices into the nested arrays); paths are only spelt out for messages.
  const idx: number[] = [];
  const here = (): string => idx.map((i) => `[${i}]`).join("");
  try {
    const shape: number[] = [];
    const chain: unknown[] = [];
    for (let v: unknown = data; Array.isArray(v); ) {
      if (chain.includes(v)) cyclic(here());
      if (shape.length === MAX_DIMS) fail(`data nests deeper than ${MAX_DIMS} levels (too many dimensions; PyTorch's limit is ${MAX_DIMS})`);
      chain.push(v);
      const n = v.length;
      shape.push(n);
      if (n === 0) break;
      idx.push(0);
      if (!(0 in v)) hole(here());
      v = v[0];
    }
    idx.length = 0;
    const flat: unknown[] = [];
    let kind: Kind = "empty";
    const enclosing: unknown[] = [];
    const leaf = (v: unknown): void => {
      const t = isComplexValue(v) ? "complex" : typeof v;
      if (t === kind) {
        flat.push(v);
        return;
      }
      if (t !== "number" && t !== "boolean" && t !== "bigint" && t !== "complex") {
        if (Array.isArray(v) && enclosing.includes(v)) cyclic(here());
        fail(`expected numbers, booleans, bigints or { re, im } complex values, but data${here()} is ${describe(v)}`);
      }
      flat.push(v);
      // Real numbers mix with complex values, as in Python ([0, 1+1j] is complex).
      if ((kind === "complex" && t === "number") || (kind === "number" && t === "complex")) {
        kind = "complex";
        return;
      }
      if (kind !== "empty") fail(`mixed element types (${kind} and ${t}) at data${here()}`);
      kind = t as Kind;
    };
    const walk = (v: unknown, d: number): void => {
      if (d === shape.length) return leaf(v);
      if (!Array.isArray(v) || v.length !== shape[d]) {
        if (Array.isArray(v) && enclosing.includes(v)) cyclic(here());
        fail(`ragged nested array: expected length ${shape[d]} at data${here()}, but received ${describe(v)}`);
      }
      const a = v as unknown[];
      if (enclosing.includes(a)) cyclic(here());
      enclosing.push(a);
      const n = a.length;
      const last = d === shape.length - 1;
      idx.push(0);
      for (let i = 0; i < n; i++) {
        idx[d] = i;
        const x = a[i];
        if (x === undefined && !(i in a)) hole(here());
        if (last) leaf(x);
        else walk(x, d + 1);
      }
      idx.pop();
      enclosing.pop();
    };
    walk(data, 0);
    return { shape, flat, kind };
  } catch (err) {
    if (err instanceof Error && ours.has(err)) throw err;
    // A Proxy trap or getter in the data threw (or the stack ran out inside one).
    const why = err instanceof Error ? `${err.name}: ${err.message}` : describe(err);
    throw new TypeError(`torch.tensor: reading data${here()} threw (${why}); expected nested arrays of numbers, booleans or bigints`);
  }
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** Ranges of the integer dtypes, as c10::checked_convert sees them. */
const INT_RANGE: Partial<Record<DType, { min: bigint; max: bigint }>> = {
  uint8: { min: 0n, max: 255n },
  int8: { min: -128n, max: 127n },
  int16: { min: -32768n, max: 32767n },
  int32: { min: -2147483648n, max: 2147483647n },
  int64: { min: INT64_MIN, max: INT64_MAX },
};

/** "[1][2]" for flat index 5 of shape [2, 3]: where an element came from, for messages. */
function pathOf(flatIndex: number, shape: number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flatIndex % shape[d]!);
    flatIndex = Math.floor(flatIndex / shape[d]!);
  }
  return idx.map((i) => `[${i}]`).join("");
}

/**
 * One element into an integer dtype, exactly as torch.tensor(list, dtype=…) converts a Python
 * value (c10::checked_convert): a boolean is 0/1; an integer (a bigint, or an integral number,
 * which is what a Python int literal ports to) must lie in the dtype's range, except that an
 * unsigned dtype also takes negatives down to -max and wraps them (two's complement: uint8 -1
 * is 255, as PyTorch gives); a fractional number truncates toward zero and must lie in
 * [lowest, max] before truncating (uint8 -0.5 is refused, 255.5 too); NaN and ±Infinity are
 * refused. Out of range is a TypeError with PyTorch's wording, never a silent wrap-around.
 */
export function integerElement(fn: string, value: unknown, dtype: DType, where: () => string): bigint {
  const range = INT_RANGE[dtype]!;
  if (typeof value === "boolean") return value ? 1n : 0n;
  const overflow = (): never => {
    throw new TypeError(`${fn}: value cannot be converted to type ${dtype} without overflow: data${where()} is ${describe(value)}`);
  };
  let int: bigint;
  if (typeof value === "bigint") int = value;
  else {
    const n = value as number;
    if (!Number.isFinite(n)) throw new TypeError(`${fn}: cannot convert ${n} to ${dtype} (data${where()}): value cannot be converted to type ${dtype} without overflow`);
    if (!Number.isInteger(n)) {
      if (n < Number(range.min) || n > Number(range.max)) overflow();
      return BigInt(Math.trunc(n));
    }
    // An integral number: exact as a bigint (numbers at and past 2^63 are all integers).
    int = BigInt(n);
  }
  if (range.min === 0n) {
    if (int > range.max || (int < 0n && -int > range.max)) overflow();
    return int < 0n ? int + range.max + 1n : int;
  }
  if (int < range.min || int > range.max) overflow();
  return int;
}

/**
 * JS numbers to bfloat16 bits the way c10::BFloat16(float) rounds them, which is what
 * Python's torch.tensor(list, dtype=torch.bfloat16) does: to float32, then round to
 * nearest even on the upper 16 bits, NaN as 0x7fc0. (A float32 tensor's .to(bfloat16)
 * writes NaN with other bits, so the conversion is done here.)
 */
function bfloat16Bits(values: unknown[]): Uint16Array {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    f32[0] = Number(values[i]);
    const bits = u32[0]!;
    out[i] = Number.isNaN(f32[0]) ? 0x7fc0 : ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
  }
  return out;
}

/**
 * Fills the TypedArray of `dtype` from JS values (float16/bfloat16 go through float32, where
 * too large a value becomes ±inf, as Python's torch.tensor gives; integer dtypes are checked
 * element by element by integerElement; complex dtypes interleave each value's parts).
 */
function typedFrom(values: unknown[], dtype: DType, shape: number[], kind: Kind): { array: ArrayBufferView; dtype: DType } {
  if (isComplexDType(dtype)) return { array: interleave(values, dtype, "torch.tensor", (i) => pathOf(i, shape)), dtype };
  if (kind === "complex") {
    const complexAt = values.findIndex(isComplexValue);
    throw new TypeError(`torch.tensor: data${pathOf(complexAt, shape)} is complex, which cannot be converted to ${dtype} (Python: must be real number, not complex); use a complex dtype or take .re`);
  }
  if (dtype === "bfloat16") return { array: bfloat16Bits(values), dtype };
  if (dtype === "float16") return { array: Float32Array.from(values as number[], Number), dtype: "float32" };
  if (INT_RANGE[dtype] !== undefined) {
    const n = values.length;
    // Fast path for numbers already in range (as integers or before truncating); the rest,
    // int64 included, goes through integerElement, which also words the errors.
    const fastMin = dtype === "int64" ? 1 : Number(INT_RANGE[dtype]!.min);
    const fastMax = dtype === "int64" ? -1 : Number(INT_RANGE[dtype]!.max);
    const out = new DTYPES[dtype].array(n) as Exclude<TypedArray, Float32Array | Float64Array | Uint16Array>;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v === "number" && v >= fastMin && v <= fastMax) {
        (out as Int32Array)[i] = Math.trunc(v);
        continue;
      }
      const int = integerElement("torch.tensor", v, dtype, () => pathOf(i, shape));
      if (out instanceof BigInt64Array) out[i] = int;
      else (out as Int32Array)[i] = Number(int);
    }
    return { array: out, dtype };
  }
  const Ctor = DTYPES[dtype].array as unknown as { from(v: unknown[], f: (x: unknown) => number): ArrayBufferView };
  // bool: any nonzero number is true, NaN included (as in PyTorch; JS's truthiness differs).
  const toNum = dtype === "bool" ? (x: unknown) => (Number(x) !== 0 ? 1 : 0) : (x: unknown) => Number(x);
  return { array: Ctor.from(values, toNum), dtype };
}

/**
 * Python: `torch.tensor(data, dtype=None, device=None, requires_grad=False)`. `data` is a
 * number, boolean, bigint, `{ re, im }` complex value, a nested array of them, or a TypedArray
 * (with `shape` to give it dimensions; a Buffer is a Uint8Array of uint8 values). With a
 * complex dtype a Float32Array / Float64Array holds interleaved (re, im) pairs, two floats
 * per element, as toTypedArray() gives them back. Always copies.
 */
export function tensor(data: TensorData, options?: TensorOptions & { shape?: number[] }): Tensor {
  const o = checkOptions("torch.tensor", options, WITH_SHAPE);
  let values: ArrayBufferView;
  let from: DType;
  let shape: number[];
  let defaultDtype: DType;
  if (ArrayBuffer.isView(data) && (o.dtype === "complex64" || o.dtype === "complex128")) {
    ({ values, from, shape } = interleavedData("torch.tensor", data, o.shape));
    defaultDtype = from;
  } else if (ArrayBuffer.isView(data)) {
    const native16 = data instanceof Uint16Array;
    const natural = dtypeOfArray(data);
    if (natural === undefined && !native16) {
      throw argError("torch.tensor", "data", "a Float32Array, Float64Array, BigInt64Array, Int32Array, Int16Array, Int8Array, Uint8Array or Uint16Array (float16/bfloat16 bits)", data);
    }
    if (native16 && o.dtype !== "float16" && o.dtype !== "bfloat16") {
      throw new TypeError('torch.tensor: a Uint16Array holds raw float16/bfloat16 bits; pass dtype: "float16" or "bfloat16"');
    }
    values = data;
    from = native16 ? (o.dtype as DType) : natural!;
    defaultDtype = from;
    const count = (data as unknown as { length: number }).length;
    shape = o.shape === undefined ? [count] : checkShape("torch.tensor", "shape", o.shape);
    const expected = shape.reduce((a, b) => a * b, 1);
    if (expected !== count) {
      throw new TypeError(`torch.tensor: shape [${shape.join(", ")}] holds ${expected} elements, but data has ${count}`);
    }
  } else {
    if (o.shape !== undefined) throw new TypeError("torch.tensor: shape is only accepted with TypedArray data");
    const { shape: s, flat, kind } = flatten(data);
    shape = s;
    defaultDtype = kind === "bigint" ? "int64" : kind === "boolean" ? "bool" : kind === "complex" ? "complex64" : "float32";
    const target = o.dtype === undefined ? defaultDtype : checkDType("torch.tensor", "dtype", o.dtype);
    ({ array: values, dtype: from } = typedFrom(flat, target, shape, kind));
  }
  const r = resolve("torch.tensor", { ...o, shape: undefined }, defaultDtype, WITH_SHAPE);
  const h = native.fromData(values, shape, DTYPES[from].code, r.device, false);
  let t = wrap(h);
  if (from !== r.dtype) {
    const converted = t.to(r.dtype);
    t.dispose();
    t = converted;
  }
  if (r.requiresGrad) {
    try {
      t.requiresGrad_(true);
    } catch (err) {
      t.dispose();
      throw err;
    }
  }
  return t;
}

/**
 * Python: `torch.frombuffer(buffer, dtype=…)` plus a shape: the raw little-endian bytes
 * of `buffer` reinterpreted as `dtype`. Copies (the tensor does not alias the buffer).
 */
export function frombuffer(buffer: ArrayBuffer | ArrayBufferView, options: { dtype: DType; shape?: number[] } & Omit<TensorOptions, "dtype">): Tensor {
  const o = checkOptions("torch.frombuffer", options, WITH_SHAPE);
  const dtype = checkDType("torch.frombuffer", "dtype", o.dtype);
  const bytes = buffer instanceof ArrayBuffer ? buffer.byteLength : ArrayBuffer.isView(buffer) ? buffer.byteLength : -1;
  if (bytes < 0) throw argError("torch.frombuffer", "buffer", "an ArrayBuffer, Buffer or TypedArray", buffer);
  const size = DTYPES[dtype].bytes;
  if (bytes % size !== 0) throw new TypeError(`torch.frombuffer: buffer length ${bytes} is not a multiple of the ${dtype} element size ${size}`);
  const shape = o.shape === undefined ? [bytes / size] : checkShape("torch.frombuffer", "shape", o.shape);
  const count = shape.reduce((x, y) => x * y, 1);
  if (count * size !== bytes) {
    throw new TypeError(`torch.frombuffer: shape [${shape.join(", ")}] of ${dtype} needs ${count * size} bytes, but buffer has ${bytes}`);
  }
  const r = resolve("torch.frombuffer", { ...o, shape: undefined }, dtype, WITH_SHAPE);
  return wrap(native.fromData(buffer, shape, DTYPES[dtype].code, r.device, r.requiresGrad));
}
