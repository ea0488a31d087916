// The API fuzzer's PyTorch oracle, TypeScript side: which generated calls have a Python
// equivalent (creation, elementwise math and reductions on plain values), that equivalent as a
// record test/reference/api_fuzz.py evaluates, results encoded the same way on both sides, and
// their comparison. Numbers follow the README's rule: a safe-integer JS number acts as a Python
// int where PyTorch would take an int (sizes, scalar operands, data of an integer dtype), a float
// otherwise; JS's float32 defaults are passed to Python as explicit dtypes where they differ.
import * as torch from "../../../lib/index.js";
import type { Call } from "./generate.js";
import { DTYPES } from "./generate.js";
import { isPlain, numValue, type V } from "./values.js";

type P = null | { f: number | string } | { i: string } | { b: boolean } | { s: string } | { l: P[] } | { dt: string } | { t: { data: P; dtype: string } };
export interface PyCall { op: string; self?: P; args: P[]; kwargs: Record<string, P>; compare: "exact" | "shape" }
export type Encoded = { shape: number[]; dtype: string; values: (number | string)[] } | Encoded[] | number | string | boolean | null;

const INT_DTYPES = new Set(["int64", "int32", "int16", "int8", "uint8", "bool"]);
const RANDOM = new Set(["torch.rand", "torch.randn", "torch.empty", "torch.randint", "torch.randLike", "torch.randnLike", "torch.emptyLike"]);
const SIZED = new Set(["torch.zeros", "torch.ones", "torch.empty", "torch.rand", "torch.randn"]);
export const ORACLE_METHODS = new Set(["neg", "sqrt", "rsqrt", "exp", "log", "log1p", "abs", "relu", "sigmoid", "tanh", "sin", "cos", "floor", "ceil", "round", "sign",
  "reciprocal", "logicalNot", "square", "add", "sub", "mul", "div", "pow", "remainder", "eq", "ne", "lt", "le", "gt", "ge", "add_", "sub_", "mul_", "div_", "pow_",
  "fill_", "clamp", "sum", "mean", "std", "var", "argmax", "argmin", "max", "min", "to"]);
const SNAKE: Record<string, string> = { logicalNot: "logical_not", requiresGrad: "requires_grad" };

class NoEquivalent extends Error {}

function py(v: V, mode: "auto" | "float"): P {
  switch (v.k) {
    case "num": {
      const n = numValue(v.v);
      // An integral JS number up to 2^53 is a Python int (-0 included, as a scalar or size), as
      // the library treats it; past 2^53 a JS number is a float (it cannot hold every integer).
      if (mode === "auto" && Number.isInteger(n) && Math.abs(n) <= 2 ** 53) return { i: Object.is(n, -0) ? "0" : BigInt(n).toString() };
      return { f: typeof v.v === "number" ? v.v : v.v === "NaN" ? "nan" : v.v === "Inf" ? "inf" : v.v === "-Inf" ? "-inf" : "-0" };
    }
    case "big": return { i: v.v };
    case "bool": return { b: v.v };
    case "str": return { s: v.v };
    case "null": case "undef": return null;
    case "arr": return { l: v.v.map((x) => py(x, mode)) };
    case "tensor": {
      if (v.dtype === undefined || v.requiresGrad) throw new NoEquivalent();
      // Tensor data keeps -0 and fractions for floating dtypes (the dtype is explicit).
      return { t: { data: py(v.data, INT_DTYPES.has(v.dtype) ? "auto" : "float"), dtype: v.dtype } };
    }
    default: throw new NoEquivalent();
  }
}

function kwargs(opts: V | undefined, allowed: string[]): Record<string, P> {
  if (opts === undefined) return {};
  if (opts.k !== "obj") throw new NoEquivalent();
  const out: Record<string, P> = {};
  for (const [key, v] of Object.entries(opts.v)) {
    if (!allowed.includes(key)) throw new NoEquivalent();
    if (v.k === "undef") continue;
    if (key === "dtype") {
      if (v.k !== "str" || !(DTYPES as readonly string[]).includes(v.v)) throw new NoEquivalent();
      out.dtype = { dt: v.v };
    } else if (key === "device") {
      if (v.k !== "str" || !/^(cpu|cuda(:\d+)?)$/.test(v.v)) throw new NoEquivalent();
      out.device = { s: v.v };
    } else out[SNAKE[key] ?? key] = py(v, "auto");
  }
  return out;
}

const dtypeOf = (opts: V | undefined): string | undefined => (opts?.k === "obj" && opts.v.dtype?.k === "str" ? opts.v.dtype.v : undefined);
const TENSOR_OPTS = ["dtype", "device", "requiresGrad"];

/** The Python equivalent of a call, or null when it has none the oracle knows. */
export function toPython(call: Call): PyCall | null {
  if (!call.args.every(isPlain)) return null;
  try {
    return translate(call);
  } catch (err) {
    if (err instanceof NoEquivalent) return null;
    throw err;
  }
}

function translate(call: Call): PyCall | null {
  const a = call.args;
  const last = a[a.length - 1];
  const hasOpts = last?.k === "obj";
  const opts = hasOpts ? last : undefined;
  const pos = hasOpts ? a.slice(0, -1) : a.slice();
  const compare = RANDOM.has(call.fn) ? "shape" : "exact";
  if (SIZED.has(call.fn)) {
    if (pos.length === 1 && pos[0]!.k !== "arr") throw new NoEquivalent(); // zeros(5) vs zeros([5]) : same in both
    return { op: call.fn, args: pos.map((x) => py(x, "auto")), kwargs: kwargs(opts, TENSOR_OPTS), compare };
  }
  switch (call.fn) {
    case "torch.tensor": {
      if (a.length > 2 || (a.length === 2 && !hasOpts)) return null;
      const dt = dtypeOf(opts);
      return { op: call.fn, args: [py(a[0]!, dt !== undefined && INT_DTYPES.has(dt) ? "auto" : "float")], kwargs: kwargs(opts, TENSOR_OPTS), compare };
    }
    case "torch.full": {
      if (pos.length !== 2) return null;
      const dt = dtypeOf(opts);
      return { op: call.fn, args: [py(pos[0]!, "auto"), py(pos[1]!, dt === undefined ? "float" : "auto")], kwargs: kwargs(opts, TENSOR_OPTS), compare };
    }
    case "torch.arange": {
      // A trailing undefined is an argument not given, in JS (arange(-1, 1, undefined) is arange(-1, 1)).
      while (pos.length > 0 && pos[pos.length - 1]!.k === "undef") pos.pop();
      if (pos.length < 1 || pos.length > 3) return null;
      // Python's dtype rule (int64 when every bound is an integer) is the library's too.
      return { op: call.fn, args: pos.map((x) => py(x, "auto")), kwargs: kwargs(opts, TENSOR_OPTS), compare };
    }
    case "torch.linspace":
      if (pos.length !== 3) return null;
      return { op: call.fn, args: pos.map((x) => py(x, "auto")), kwargs: kwargs(opts, TENSOR_OPTS), compare };
    case "torch.randint":
      if (pos.length < 2 || pos.length > 3) return null;
      return { op: call.fn, args: pos.map((x) => py(x, "auto")), kwargs: kwargs(opts, TENSOR_OPTS), compare };
  }
  if (call.fn.startsWith("Tensor.")) {
    const name = call.fn.slice(7);
    if (!ORACLE_METHODS.has(name)) return null;
    const self = py(a[0]!, "auto");
    const rest = a.slice(1);
    const o = rest[rest.length - 1]?.k === "obj" ? rest[rest.length - 1] : undefined;
    const p = o ? rest.slice(0, -1) : rest;
    if (name === "to") {
      if (p.length !== 1 || o || p[0]!.k !== "str") return null;
      const s = p[0].v;
      if (!(DTYPES as readonly string[]).includes(s)) return null;
      return { op: "method:to", self, args: [{ dt: s }], kwargs: {}, compare };
    }
    if (p.some((x) => x.k === "str" || x.k === "undef")) return null;
    const args = p.map((x) => py(x, "auto"));
    return { op: `method:${SNAKE[name] ?? name}`, self, args, kwargs: kwargs(o, ["keepdim", "dtype", "alpha"]), compare };
  }
  return null;
}

function encodeFloat(x: number): number | string {
  return Number.isNaN(x) ? "nan" : x === Infinity ? "inf" : x === -Infinity ? "-inf" : x;
}

/** A call's result, encoded as api_fuzz.py encodes PyTorch's. */
export function encode(value: unknown): Encoded {
  if (value instanceof torch.Tensor) {
    const t = value.dtype === "float16" || value.dtype === "bfloat16" ? value.to("float32") : value;
    const data = t.toTypedArray() as ArrayLike<number | bigint>;
    const float = value.dtype.startsWith("float") || value.dtype === "bfloat16";
    const values = Array.from(data, (x) => (typeof x === "bigint" ? String(x) : float ? encodeFloat(x) : value.dtype === "bool" ? Number(x) : String(x)));
    if (t !== value) t.dispose();
    return { shape: value.shape, dtype: value.dtype, values };
  }
  if (Array.isArray(value)) return value.map(encode);
  if (typeof value === "number") return encodeFloat(value);
  if (typeof value === "bigint") return String(value);
  if (typeof value === "boolean" || typeof value === "string") return value;
  return null;
}

/** Null when equal; otherwise what differs. */
export function compare(ts: Encoded, pyr: Encoded, mode: "exact" | "shape"): string | null {
  if (Array.isArray(ts) || Array.isArray(pyr)) {
    if (!Array.isArray(ts) || !Array.isArray(pyr) || ts.length !== pyr.length) return `structure differs: ${String(JSON.stringify(ts)).slice(0, 120)} vs ${String(JSON.stringify(pyr)).slice(0, 120)}`;
    for (let k = 0; k < ts.length; k++) { const d = compare(ts[k]!, pyr[k]!, mode); if (d) return `[${k}] ${d}`; }
    return null;
  }
  if (ts === undefined || pyr === undefined) return `missing result: ${String(JSON.stringify(ts))} vs PyTorch's ${String(JSON.stringify(pyr))}`;
  if (ts === null || pyr === null || typeof ts !== "object" || typeof pyr !== "object") return ts === pyr ? null : `value ${JSON.stringify(ts)} vs PyTorch's ${JSON.stringify(pyr)}`;
  if (ts.dtype !== pyr.dtype) return `dtype ${ts.dtype} vs PyTorch's ${pyr.dtype}`;
  if (ts.shape.join() !== pyr.shape.join()) return `shape [${ts.shape}] vs PyTorch's [${pyr.shape}]`;
  if (mode === "shape") return null;
  for (let k = 0; k < ts.values.length; k++) {
    const [x, y] = [ts.values[k]!, pyr.values[k]!];
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number" && Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(y))) continue;
    return `value at flat index ${k}: ${x} vs PyTorch's ${y} (ts ${JSON.stringify(ts.values.slice(0, 8))}, PyTorch ${JSON.stringify(pyr.values.slice(0, 8))})`;
  }
  return null;
}
