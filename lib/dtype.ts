/** Element types, named as in PyTorch (`torch.float32` is `"float32"`). */
export type DType =
  | "float32" | "float64" | "float16" | "bfloat16"
  | "int64" | "int32" | "int16" | "int8" | "uint8" | "bool"
  | "complex64" | "complex128";

type TypedArrayCtor =
  | Float32ArrayConstructor | Float64ArrayConstructor | Uint16ArrayConstructor
  | BigInt64ArrayConstructor | Int32ArrayConstructor | Int16ArrayConstructor
  | Int8ArrayConstructor | Uint8ArrayConstructor;

export type TypedArray =
  | Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

export interface DTypeInfo {
  /** at::ScalarType code, what native/ receives. */
  readonly code: number;
  readonly bytes: number;
  /**
   * TypedArray holding the raw elements (float16/bfloat16: their bits in a Uint16Array; bool:
   * 0/1 bytes; complex64/complex128: two floats per element, real then imaginary part).
   */
  readonly array: TypedArrayCtor;
  /** As torch.dtype.is_floating_point: false for the complex dtypes. */
  readonly isFloatingPoint: boolean;
  readonly isComplex?: true;
}

/** The one dtype table: name <-> libtorch code <-> TypedArray. */
export const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  uint8: { code: 0, bytes: 1, array: Uint8Array, isFloatingPoint: false },
  int8: { code: 1, bytes: 1, array: Int8Array, isFloatingPoint: false },
  int16: { code: 2, bytes: 2, array: Int16Array, isFloatingPoint: false },
  int32: { code: 3, bytes: 4, array: Int32Array, isFloatingPoint: false },
  int64: { code: 4, bytes: 8, array: BigInt64Array, isFloatingPoint: false },
  float16: { code: 5, bytes: 2, array: Uint16Array, isFloatingPoint: true },
  float32: { code: 6, bytes: 4, array: Float32Array, isFloatingPoint: true },
  float64: { code: 7, bytes: 8, array: Float64Array, isFloatingPoint: true },
  bool: { code: 11, bytes: 1, array: Uint8Array, isFloatingPoint: false },
  bfloat16: { code: 15, bytes: 2, array: Uint16Array, isFloatingPoint: true },
  complex64: { code: 9, bytes: 8, array: Float32Array, isFloatingPoint: false, isComplex: true },
  complex128: { code: 10, bytes: 16, array: Float64Array, isFloatingPoint: false, isComplex: true },
};

const BY_CODE: DType[] = [];
for (const [name, info] of Object.entries(DTYPES)) BY_CODE[info.code] = name as DType;

export function dtypeFromCode(code: number): DType {
  const name = BY_CODE[code];
  if (name === undefined) throw new Error(`torch-ts: libtorch returned unsupported dtype code ${code}`);
  return name;
}

export function isDType(value: unknown): value is DType {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(DTYPES, value);
}

/** The dtype a TypedArray holds natively, or undefined when it has no exact counterpart. */
export function dtypeOfArray(array: ArrayBufferView): DType | undefined {
  if (array instanceof Float32Array) return "float32";
  if (array instanceof Float64Array) return "float64";
  if (array instanceof BigInt64Array) return "int64";
  if (array instanceof Int32Array) return "int32";
  if (array instanceof Int16Array) return "int16";
  if (array instanceof Int8Array) return "int8";
  if (array instanceof Uint8Array || array instanceof Uint8ClampedArray) return "uint8";
  return undefined;
}
