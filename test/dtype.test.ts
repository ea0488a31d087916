// dtypes against PyTorch: values -> tensor -> tolist/bytes, TypedArray round trips,
// frombuffer, and .to() between every pair of dtypes. The oracle is test/reference/dtypes.py,
// run once for the whole file; rounding (float16/bfloat16/float32) must come out bit-identical.
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { runReference } from "./reference/python.js";

type Nested = unknown;
interface ListCase { name: string; dtype: RealDType; values: Nested[] }
interface Reference {
  lists: Record<string, { tolist: Nested; hex: string; frombuffer: Nested }>;
  bigints_hex: string;
  to: Record<string, Record<string, { tolist: Nested; hex: string }>>;
}

// The real dtypes; complex64/complex128 have their own file (test/complex.test.ts).
type RealDType = Exclude<torch.DType, "complex64" | "complex128">;
const DTYPES: RealDType[] = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"];
const ARRAY_OF: Record<RealDType, Function> = {
  float32: Float32Array, float64: Float64Array, float16: Uint16Array, bfloat16: Uint16Array, int64: BigInt64Array,
  int32: Int32Array, int16: Int16Array, int8: Int8Array, uint8: Uint8Array, bool: Uint8Array,
};

// Values in range for each dtype, chosen to hit rounding edges (ties, overflow to inf,
// subnormals, double rounding through float32) and the limits of the integer types.
const LISTS: ListCase[] = [
  { name: "float32", dtype: "float32", values: [0, 0.1, 1 / 3, -2.5, 3.4e38, 1e-45, 16777217, NaN, Infinity, -Infinity] },
  { name: "float64", dtype: "float64", values: [0.1, 1 / 3, -2.5, 1e308, 5e-324, 2 ** 53 + 2, NaN, Infinity, -Infinity] },
  { name: "float16", dtype: "float16", values: [0.1, 1 / 3, -2.5, 65504, 65519, 65520, 2049, 2051, 1e-8, 6e-8, 1 + 2 ** -11 + 2 ** -40, NaN, Infinity, -Infinity] },
  { name: "bfloat16", dtype: "bfloat16", values: [0.1, 1 / 3, -2.5, 3.14159, 257, 259, 1e38, 1 + 2 ** -8 + 2 ** -40, Infinity, -Infinity] },
  // PyTorch stores NaN as bfloat16 0x7fc0 here (while its own float32 .to(bfloat16) gives 0xffff).
  { name: "bfloat16 NaN bits", dtype: "bfloat16", values: [NaN, 1] },
  { name: "int64", dtype: "int64", values: [0, -1, 2 ** 53 - 1, -(2 ** 53 - 1), 1234567890123, 42] },
  { name: "int32", dtype: "int32", values: [-2147483648, 2147483647, 0, -7, 123456] },
  { name: "int16", dtype: "int16", values: [-32768, 32767, 0, -7, 1234] },
  { name: "int8", dtype: "int8", values: [-128, 127, 0, -7] },
  { name: "uint8", dtype: "uint8", values: [0, 255, 128, 7] },
  { name: "bool", dtype: "bool", values: [true, false, true] },
  { name: "float16 2-D nested", dtype: "float16", values: [[0.1, 0.2, 0.3], [65519, -1e-5, 1000.7]] },
  { name: "int32 from fractions truncates", dtype: "int32", values: [1.7, -1.7, 2.5, -0.5] },
  { name: "int64 from fractions truncates", dtype: "int64", values: [1.7, -1.7, 2.5, -0.5] },
  { name: "bool from numbers (NaN is truthy in PyTorch)", dtype: "bool", values: [0, 2, -1, 0.5, NaN] },
];

// int64 values JS numbers cannot hold: only BigInt64Array/bigint paths keep them exact.
const BIGINTS = [2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n, -(2n ** 53n) - 1n, 2n ** 60n + 1n, 123n];

// Sources for .to(): a few values per dtype, in that dtype's range (negative, fractional,
// > 255, > 2^24 so every target's rounding/wrapping is exercised).
const FLOATS = [-3.75, -1, 0, 0.5, 1.5, 2.5, 100.25, 3.14159];
const SOURCES: Record<RealDType, (number | boolean)[]> = {
  float32: FLOATS, float64: [-3.75, -1, 0, 0.1, 1.5, 2.5, 100.25, 1 / 3], float16: FLOATS, bfloat16: FLOATS,
  int64: [-129, -1, 0, 1, 127, 255, 70000, 16777217], int32: [-129, -1, 0, 1, 127, 255, 70000, 16777217],
  int16: [-32768, -129, -1, 0, 1, 255, 2049, 32767], int8: [-128, -1, 0, 1, 2, 3, 100, 127],
  uint8: [0, 1, 2, 127, 128, 200, 254, 255], bool: [true, false, true, true, false, false, true, false],
};

/** JSON cannot hold NaN/±Infinity: both directions carry them as strings. */
const enc = (v: Nested): Nested =>
  Array.isArray(v) ? v.map(enc) : typeof v === "number" && !Number.isFinite(v) ? (Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity") : v;
const dec = (v: Nested): Nested =>
  Array.isArray(v) ? v.map(dec) : v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v;
const hex = (a: ArrayBufferView): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex");

let ref: Reference;
beforeAll(() => {
  ref = runReference<Reference>("dtypes.py", {
    lists: LISTS.map((k) => ({ ...k, values: enc(k.values) })),
    bigints: BIGINTS.map(String),
    sources: SOURCES,
  });
});

describe("values -> torch.tensor(values, {dtype}) -> tolist()", () => {
  it.each(LISTS.map((k) => [k.name, k] as const))("%s", (_n, k) => {
    const t = torch.tensor(k.values as torch.TensorData, { dtype: k.dtype });
    expect(t.dtype).toBe(k.dtype);
    // toEqual treats NaN as equal to NaN; everything else must be the same number.
    expect(t.tolist()).toEqual(dec(ref.lists[k.name]!.tolist));
    expect(hex(t.toTypedArray()), "element bytes").toBe(ref.lists[k.name]!.hex);
  });
});

describe("toTypedArray() -> torch.tensor(typedArray, {shape}) keeps the bytes", () => {
  it.each(LISTS.map((k) => [k.name, k] as const))("%s", (_n, k) => {
    const t = torch.tensor(k.values as torch.TensorData, { dtype: k.dtype });
    const arr = t.toTypedArray();
    expect(arr).toBeInstanceOf(ARRAY_OF[k.dtype]);
    expect(arr.length).toBe(t.numel());
    // Uint16Array needs the dtype (float16 or bfloat16 bits); bool comes back as 0/1 bytes.
    const back = torch.tensor(arr, { shape: t.shape, dtype: k.dtype });
    expect(back.dtype).toBe(k.dtype);
    expect(back.shape).toEqual(t.shape);
    expect(hex(back.toTypedArray())).toBe(hex(arr)); // (that arr matches PyTorch is tested above)
    if (k.dtype !== "bool" && arr.constructor !== Uint16Array) {
      // Without a dtype the array type decides it.
      expect(torch.tensor(arr, { shape: t.shape }).dtype).toBe(k.dtype);
    }
  });

  it("int64 beyond 2^53 is exact through BigInt64Array", () => {
    const arr = BigInt64Array.from(BIGINTS);
    const t = torch.tensor(arr, { shape: [2, 3] });
    expect(t.dtype).toBe("int64");
    expect(t.shape).toEqual([2, 3]);
    const out = t.toTypedArray() as BigInt64Array;
    expect(Array.from(out)).toEqual(BIGINTS);
    expect(hex(out)).toBe(ref.bigints_hex);
  });

  it("int64 beyond 2^53 is exact through a nested bigint array", () => {
    const t = torch.tensor([BIGINTS.slice(0, 3), BIGINTS.slice(3)]);
    expect(t.dtype).toBe("int64");
    expect(t.shape).toEqual([2, 3]);
    expect(hex(t.toTypedArray())).toBe(ref.bigints_hex);
  });

  it("a typed-array view with a byte offset copies only its own elements", () => {
    const whole = Float32Array.from([9, 1.5, -2, 0.25, 9]);
    const t = torch.tensor(whole.subarray(1, 4));
    expect(t.tolist()).toEqual([1.5, -2, 0.25]);
  });
});

describe("torch.frombuffer", () => {
  it.each(LISTS.map((k) => [k.name, k] as const))("Buffer of %s", (_n, k) => {
    const buf = Buffer.from(ref.lists[k.name]!.hex, "hex");
    const t = torch.frombuffer(buf, { dtype: k.dtype });
    expect(t.dtype).toBe(k.dtype);
    expect(t.tolist()).toEqual(dec(ref.lists[k.name]!.frombuffer));
  });

  it("reads an unaligned Buffer slice with a shape", () => {
    // One junk byte in front: the float64 elements start at an odd address.
    const raw = Buffer.from(ref.lists.float64!.hex, "hex");
    const padded = Buffer.concat([Buffer.from([0xaa]), raw, Buffer.from([0xbb])]).subarray(1, 1 + 8 * 8);
    const t = torch.frombuffer(padded, { dtype: "float64", shape: [2, 4] });
    expect(t.shape).toEqual([2, 4]);
    expect(t.reshape(-1).tolist()).toEqual((dec(ref.lists.float64!.frombuffer) as number[]).slice(0, 8));
  });

  it("reads an ArrayBuffer", () => {
    const raw = Buffer.from(ref.lists.int16!.hex, "hex");
    const ab = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
    expect(torch.frombuffer(ab, { dtype: "int16" }).tolist()).toEqual(dec(ref.lists.int16!.frombuffer));
  });
});

describe(".to(dtype) between every pair", () => {
  const pairs = DTYPES.flatMap((src) => DTYPES.map((dst) => [`${src} -> ${dst}`, src, dst] as const));
  it.each(pairs)("%s", (_n, src, dst) => {
    const t = torch.tensor(SOURCES[src] as torch.TensorData, { dtype: src });
    const r = t.to(dst);
    expect(r.dtype).toBe(dst);
    const want = ref.to[src]![dst]!;
    expect(r.tolist()).toEqual(dec(want.tolist));
    expect(hex(r.toTypedArray()), "element bytes").toBe(want.hex);
  });
});
