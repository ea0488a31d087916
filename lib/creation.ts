// Tensor factories: torch.tensor, zeros, ones, full, arange, linspace, rand, randn, randint, *Like.
// Dtype rule for JS values: numbers give float32, bigints int64, booleans bool, unless
// `dtype` says otherwise (JS has no int/float distinction to infer PyTorch's int64 from).
import { native } from "./binding.js";
import { parseDevice, type Device } from "./device.js";
import { DTYPES, dtypeOfArray, type DType } from "./dtype.js";
import { Tensor, wrap } from "./tensor.js";
import { argError, checkBool, checkDType, checkInt, checkNumber, checkOptions, checkShape, describe } from "./validate.js";

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

/** Python: `torch.full(size, fill_value, …)`. */
export function full(size: number[], fillValue: number | bigint | boolean, options?: TensorOptions): Tensor {
  const shape = checkShape("torch.full", "size", size);
  const t = typeof fillValue;
  if (t !== "number" && t !== "bigint" && t !== "boolean") throw argError("torch.full", "fillValue", "a number, bigint or boolean", fillValue);
  const r = resolve("torch.full", options, t === "bigint" ? "int64" : t === "boolean" ? "bool" : "float32");
  return wrap(native.full(shape, fillValue, DTYPES[r.dtype].code, r.device, r.requiresGrad));
}

/** Python: `torch.arange(end)`, `torch.arange(start, end, step=1)`. Default dtype float32 (see above). */
export function arange(end: number, options?: TensorOptions): Tensor;
export function arange(start: number, end: number, step?: number, options?: TensorOptions): Tensor;
export function arange(...args: unknown[]): Tensor {
  const opts = args.length > 0 && typeof args[args.length - 1] === "object" ? args.pop() : undefined;
  const nums = args.map((a, i) => checkNumber("torch.arange", ["start", "end", "step"][args.length === 1 ? 1 : i]!, a));
  if (nums.length < 1 || nums.length > 3) throw new TypeError(`torch.arange: expected 1 to 3 numbers, but received ${nums.length}`);
  const [start, end, step] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums[2] ?? 1];
  if (step === 0) throw argError("torch.arange", "step", "nonzero", step);
  const r = resolve("torch.arange", opts, "float32");
  return wrap(native.arange(start, end, step, DTYPES[r.dtype].code, r.device, r.requiresGrad));
}

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
  return wrap(native.randint(low, high, shape, DTYPES[r.dtype].code, r.device));
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
export function fullLike(input: Tensor, fillValue: number | bigint | boolean, options?: TensorOptions): Tensor {
  const [shape, r] = likeOptions("torch.fullLike", input, options);
  return full(shape, fillValue, { dtype: r.dtype, device: (r.device ?? "cpu") as Device, requiresGrad: r.requiresGrad });
}

export type NestedArray<T> = T | NestedArray<T>[];
export type TensorData =
  | NestedArray<number> | NestedArray<boolean> | NestedArray<bigint>
  | Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array;

/** Walks a nested array: shape, flat values, and the kind of its leaves. */
function flatten(data: unknown): { shape: number[]; flat: unknown[]; kind: "number" | "boolean" | "bigint" | "empty" } {
  const shape: number[] = [];
  for (let v: unknown = data; Array.isArray(v); v = v[0]) shape.push(v.length);
  const flat: unknown[] = [];
  let kind: "number" | "boolean" | "bigint" | "empty" = "empty";
  const walk = (v: unknown, d: number, path: string): void => {
    if (d < shape.length) {
      if (!Array.isArray(v) || v.length !== shape[d]) {
        throw new TypeError(`torch.tensor: ragged nested array: expected length ${shape[d]} at data${path}, but received ${describe(v)}`);
      }
      for (let i = 0; i < v.length; i++) walk(v[i], d + 1, `${path}[${i}]`);
      return;
    }
    const t = typeof v;
    if (t !== "number" && t !== "boolean" && t !== "bigint") {
      throw new TypeError(`torch.tensor: expected numbers, booleans or bigints, but data${path} is ${describe(v)}`);
    }
    if (kind === "empty") kind = t as typeof kind;
    else if (kind !== t) throw new TypeError(`torch.tensor: mixed element types (${kind} and ${t}) at data${path}`);
    flat.push(v);
  };
  walk(data, 0, "");
  return { shape, flat, kind };
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

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

/** Fills the TypedArray of `dtype` from JS values (float16/bfloat16 go through float32). */
function typedFrom(values: unknown[], dtype: DType): { array: ArrayBufferView; dtype: DType } {
  if (dtype === "bfloat16") return { array: bfloat16Bits(values), dtype };
  if (dtype === "float16") return { array: Float32Array.from(values as number[], Number), dtype: "float32" };
  if (dtype === "int64") {
    const out = new BigInt64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v === "bigint") {
        if (v < INT64_MIN || v > INT64_MAX) throw new TypeError(`torch.tensor: ${v}n overflows int64 (at flat index ${i})`);
        out[i] = v;
      } else {
        const n = Number(v);
        if (!Number.isFinite(n)) throw new TypeError(`torch.tensor: cannot convert ${n} to int64 (at flat index ${i})`);
        out[i] = BigInt(Math.trunc(n));
      }
    }
    return { array: out, dtype };
  }
  if (!DTYPES[dtype].isFloatingPoint && dtype !== "bool") {
    const bad = values.findIndex((v) => typeof v === "number" && !Number.isFinite(v));
    if (bad >= 0) throw new TypeError(`torch.tensor: cannot convert ${values[bad]} to ${dtype} (at flat index ${bad})`);
  }
  const Ctor = DTYPES[dtype].array as unknown as { from(v: unknown[], f: (x: unknown) => number): ArrayBufferView };
  // bool: any nonzero number is true, NaN included (as in PyTorch; JS's truthiness differs).
  const toNum = dtype === "bool" ? (x: unknown) => (Number(x) !== 0 ? 1 : 0) : (x: unknown) => Number(x);
  return { array: Ctor.from(values, toNum), dtype };
}

/**
 * Python: `torch.tensor(data, dtype=None, device=None, requires_grad=False)`. `data` is a
 * number, boolean, bigint, a nested array of them, or a TypedArray (with `shape` to give
 * it dimensions; a Buffer is a Uint8Array of uint8 values). Always copies.
 */
export function tensor(data: TensorData, options?: TensorOptions & { shape?: number[] }): Tensor {
  const o = checkOptions("torch.tensor", options, WITH_SHAPE);
  let values: ArrayBufferView;
  let from: DType;
  let shape: number[];
  let defaultDtype: DType;
  if (ArrayBuffer.isView(data)) {
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
    defaultDtype = kind === "bigint" ? "int64" : kind === "boolean" ? "bool" : "float32";
    const target = o.dtype === undefined ? defaultDtype : checkDType("torch.tensor", "dtype", o.dtype);
    ({ array: values, dtype: from } = typedFrom(flat, target));
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
