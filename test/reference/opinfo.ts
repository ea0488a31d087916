// Client of test/reference/opinfo.py: PyTorch's OpInfo database (op_db) and its sample inputs,
// reference outputs and gradients, asked of one long-lived Debian python3 per test file, plus
// the decoder that turns its JSON values into torch-ts values.
import type * as Torch from "torch-ts";
import { camel } from "../../lib/tensor/op_call.js";
import type { PlanFn } from "./opinfo_plan.js";
import { ReferenceSession } from "./session.js";

type TorchModule = typeof Torch;

/** The four dtypes the catalog reports support for (OpInfo's supported_dtypes("cpu")). */
export type CatalogDType = "float32" | "float64" | "int64" | "bool";

export interface OpInfoEntry {
  name: string;
  /** OpInfo's variant_test_name ("" for the main entry). */
  variant: string;
  atenName: string;
  /** Python namespace of the function variant: "", "nn.functional", "linalg", "fft", "special", "masked", "sparse". */
  ns: string;
  fn: string;
  /**
   * "function": torch.<name> is op.op itself; "lambda": a wrapper written in OpInfo (see
   * source); "tensor_method": only a Tensor method (__radd__ …); "aten": a torch.ops.aten
   * overload; "jiterator": CUDA-only; "other": none of these (see pyFunction).
   */
  kind: "function" | "lambda" | "tensor_method" | "aten" | "jiterator" | "other";
  /** module.qualname of op.op. */
  pyFunction: string;
  /** The definition's source line(s), whitespace collapsed, for lambda and other kinds. */
  source?: string;
  /** For lambda and other kinds: the wrapper's call, parsed (test/reference/opinfo_plan.py). */
  plan?: { fn: PlanFn } | { unsupported: string };
  method: boolean;
  inplace: boolean;
  autograd: boolean;
  dtypes: CatalogDType[];
  backwardDtypes: CatalogDType[];
}

export interface Catalog {
  torch: string;
  entries: number;
  names: number;
  ops: OpInfoEntry[];
}

/** A value as opinfo.py encodes it (see decodeValue). */
export type Encoded =
  | null | boolean | number | string | Encoded[]
  | { $t: string; shape: number[]; data: string; requiresGrad: boolean; noncontig?: true; strided?: { storage: string; stride: number[]; offset: number } }
  | { $i: string } | { $f: "nan" | "inf" | "-inf" } | { $tuple: Encoded[] } | { $dtype: string }
  | { $device: string } | { $memoryFormat: string } | { $slice: [Encoded, Encoded, Encoded] } | { $ellipsis: true }
  | { [key: string]: Encoded };

export interface Sample {
  input: Encoded;
  args: Encoded[];
  kwargs: Record<string, Encoded>;
  /** SampleInput.name, when OpInfo gave one. */
  name?: string;
  /** The function variant's result on this sample (complex tensors included: decode throws). */
  output?: Encoded;
  /** "TypeName: first line" when the function variant raised on this sample. */
  outputError?: string;
  /** Two reference runs (different seeds) disagreed bitwise: torch.empty*, gelsy lstsq. */
  varies?: true;
  /**
   * With grad: the cotangent of each floating output tensor that requires grad (depth-first
   * order), the paths of the input tensors that require grad ("input", "args.1.0",
   * "kwargs.weight") and their gradients (null where unused); null when nothing is
   * differentiable. varies: a second backward in PyTorch gave other gradients (no oracle).
   */
  grad?: null | { cotangents: Encoded[]; paths: string[]; grads?: (Encoded | null)[]; error?: string; varies?: true };
}

export interface SamplesRequest {
  name: string;
  variant?: string;
  dtype: CatalogDType;
  /** At most this many samples (default 20). */
  maxSamples?: number;
  /** Inputs require grad and gradients are computed (floating dtypes of autograd ops only). */
  grad?: boolean;
}

export interface SamplesReply {
  /** torch.testing.assert_close's default tolerances for the dtype (0 for int64/bool). */
  tolerance: { rtol: number; atol: number };
  /** The dtype is in supported_dtypes("cpu"); when false, no samples are generated. */
  supported: boolean;
  samples: Sample[];
  /** Samples the encoding cannot carry (memory_format, sparse, modules …): count them as failures. */
  skipped: { index: number; reason: string }[];
  /** The sample generator raised after `samples.length + skipped.length` samples. */
  generationError?: string;
}

export class OpInfoSession {
  readonly #py = new ReferenceSession("opinfo.py");

  catalog(): Promise<Catalog> {
    return this.#py.request<Catalog>({ cmd: "catalog" });
  }

  samples(req: SamplesRequest): Promise<SamplesReply> {
    return this.#py.request<SamplesReply>({ cmd: "samples", variant: "", maxSamples: 20, grad: false, ...req });
  }

  close(): void {
    this.#py.close();
  }
}

/** A Python slice(start, stop, step), decoded. */
export class PySlice {
  constructor(readonly start: unknown, readonly stop: unknown, readonly step: unknown) {}
}

/** Python's Ellipsis (`...`), decoded. */
export const Ellipsis: unique symbol = Symbol("Ellipsis");

const ARRAYS: Record<string, (b: ArrayBuffer) => ArrayBufferView> = {
  float32: (b) => new Float32Array(b),
  float64: (b) => new Float64Array(b),
  int64: (b) => new BigInt64Array(b),
  int32: (b) => new Int32Array(b),
  int16: (b) => new Int16Array(b),
  int8: (b) => new Int8Array(b),
  uint8: (b) => new Uint8Array(b),
  bool: (b) => new Uint8Array(b), // 0/1 bytes; torch.tensor converts to the bool dtype given
  float16: (b) => new Uint16Array(b), // raw bits, with the dtype given
  bfloat16: (b) => new Uint16Array(b),
  // opinfo.py sends complex tensors as view_as_real bytes: (re, im) float pairs, which
  // torch.tensor reads back as interleaved pairs under a complex dtype.
  complex64: (b) => new Float32Array(b),
  complex128: (b) => new Float64Array(b),
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Turns opinfo.py's encoding back into torch-ts values: tensors (contiguous copies; a
 * noncontig flag is dropped, requiresGrad kept), ints as numbers when safe else bigints, floats
 * as numbers (so 2.0 and 2 both become 2: the encoding keeps them apart, see isPyInt), tuples
 * as arrays marked by torch.serialization.tuple, dtypes and devices as their strings, slices as
 * PySlice, Ellipsis as the Ellipsis symbol, dicts as plain objects with their Python keys.
 * Complex tensors come back as complex64/complex128 tensors; other dtypes torch-ts lacks throw.
 */
export function decodeValue(v: Encoded | undefined, torch: TorchModule): unknown {
  if (v === null || v === undefined || typeof v === "boolean" || typeof v === "number" || typeof v === "string") return v ?? null;
  if (Array.isArray(v)) return v.map((x) => decodeValue(x, torch));
  if ("$t" in v) {
    const t = v as { $t: string; shape: number[]; data: string; requiresGrad: boolean };
    const make = ARRAYS[t.$t];
    if (!make) throw new TypeError(`decodeValue: ${t.$t} tensors are unsupported by torch-ts`);
    const elements = (data: string) => {
      const bytes = Buffer.from(data, "base64");
      const aligned = new Uint8Array(bytes.length);
      aligned.set(bytes); // a fresh, aligned buffer: Buffer's pool offset may not be
      return make(aligned.buffer) as Float32Array;
    };
    const strided = (v as { strided?: { storage: string; stride: number[]; offset: number } }).strided;
    if (strided === undefined) return torch.tensor(elements(t.data), { dtype: t.$t as Torch.DType, shape: t.shape, requiresGrad: t.requiresGrad });
    // PyTorch's layout: a leaf viewing the same storage elements with the same strides.
    const base = torch.tensor(elements(strided.storage), { dtype: t.$t as Torch.DType });
    const view = base.asStrided(t.shape, strided.stride, strided.offset).detach();
    base.dispose();
    return t.requiresGrad ? view.requiresGrad_(true) : view;
  }
  if ("$i" in v) {
    const b = BigInt((v as { $i: string }).$i);
    return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
  }
  if ("$f" in v) return { nan: NaN, inf: Infinity, "-inf": -Infinity }[(v as { $f: string }).$f];
  if ("$tuple" in v) return torch.serialization.tuple(...(v as { $tuple: Encoded[] }).$tuple.map((x) => decodeValue(x, torch)));
  if ("$dtype" in v) return (v as { $dtype: string }).$dtype;
  if ("$device" in v) return (v as { $device: string }).$device;
  if ("$memoryFormat" in v) return camel((v as { $memoryFormat: string }).$memoryFormat); // torch-ts's MemoryFormat strings
  if ("$slice" in v) {
    const [start, stop, step] = (v as { $slice: Encoded[] }).$slice.map((x) => decodeValue(x, torch));
    return new PySlice(start, stop, step);
  }
  if ("$ellipsis" in v) return Ellipsis;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeValue(x as Encoded, torch)]));
}

/** True for an encoded Python int ({"$i"}), which decodeValue turns into a plain number. */
export function isPyInt(v: Encoded | undefined): boolean {
  return isObject(v) && "$i" in v;
}

/** A sample's input, args, kwargs and output decoded (the output undefined when it raised). */
export function decodeSample(s: Sample, torch: TorchModule): { input: unknown; args: unknown[]; kwargs: Record<string, unknown>; output: unknown } {
  return {
    input: decodeValue(s.input, torch),
    args: s.args.map((a) => decodeValue(a, torch)),
    kwargs: decodeValue(s.kwargs, torch) as Record<string, unknown>,
    output: s.output === undefined ? undefined : decodeValue(s.output, torch),
  };
}
