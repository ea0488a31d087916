// Calling any ATen operator by PyTorch's calling rule, from its schema (the tables that
// scripts/gen-ops.ts generates from native_functions.yaml): snake_case names become camelCase;
// the arguments a schema lists before `*` may be passed positionally in schema order; any
// argument with a default, and every keyword-only one, may instead go in one trailing options
// object with camelCase keys. Overloads are tried in schema order, as Python's argument parser
// does, and the first whose arguments all fit is called through the dispatcher's boxed entry
// (native/dispatch.cc). Several returns come back as an array carrying the return names.
import type { Handle, OpRef } from "../../binding.js";
import { native } from "../binding.js";
import { parseDevice } from "../device.js";
import { DTYPES, isDType } from "../dtype.js";
import { TorchError } from "../errors.js";
import { handleOf, Tensor, wrap } from "../tensor.js";
import { describe } from "../validate.js";

/** How native/dispatch.cc converts an argument (its enum Arg). */
const ARG = {
  tensor: 1, optTensor: 2, tensorList: 3, optTensorList: 4, int: 5, intList: 6, float: 7, floatList: 8,
  bool: 9, boolList: 10, scalar: 11, string: 12, device: 13, none: 14, scalarList: 15,
} as const;

type Kind =
  | "Tensor" | "TensorList" | "OptTensorList" | "int" | "intList" | "float" | "floatList" | "bool" | "boolList"
  | "Scalar" | "ScalarList" | "str" | "ScalarType" | "Device" | "MemoryFormat" | "Layout" | "Generator";

interface Param {
  name: string; // camelCase
  kind: Kind;
  optional: boolean; // `T?`: null is accepted
  hasDefault: boolean;
  kwOnly: boolean;
  fixedLength: number; // int[2]: 2; 0 otherwise
  mutatesSelf: boolean; // Tensor(a!) self
}

interface Overload {
  schema: string;
  params: Param[];
  positionalCount: number; // the parameters before `*`
  index: Map<string, number>; // parameter position by camelCase name
  codes: Int32Array;
  returns: { name: string; kind: string; aliasOfSelf: boolean }[];
  id: OpRef | null | undefined; // undefined: not looked up yet; null: the linked libtorch lacks it
  named?: new (n: number) => unknown[]; // the array class of several returns (namedReturns)
}

const MEMORY_FORMATS: Record<string, number> = { contiguousFormat: 0, preserveFormat: 1, channelsLast: 2, channelsLast3d: 3 };

export const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The kind of a schema type (without `?`), or null when torch-ts cannot pass it (Dimname, Storage…). */
function kindOf(type: string): { kind: Kind; fixedLength: number } | null {
  const list = /^(.*)\[(\d*)\]$/.exec(type);
  if (list !== null) {
    const inner = list[1]!;
    const n = list[2] === "" ? 0 : Number(list[2]);
    if (inner === "Tensor") return { kind: "TensorList", fixedLength: 0 };
    if (inner === "Tensor?") return { kind: "OptTensorList", fixedLength: 0 };
    if (inner === "int" || inner === "SymInt") return { kind: "intList", fixedLength: n };
    if (inner === "float") return { kind: "floatList", fixedLength: n };
    if (inner === "bool") return { kind: "boolList", fixedLength: n };
    if (inner === "Scalar") return { kind: "ScalarList", fixedLength: 0 };
    return null;
  }
  const base = type;
  const simple: Record<string, Kind> = {
    Tensor: "Tensor", int: "int", SymInt: "int", float: "float", bool: "bool", Scalar: "Scalar", str: "str",
    ScalarType: "ScalarType", Device: "Device", MemoryFormat: "MemoryFormat", Layout: "Layout", Generator: "Generator",
  };
  const kind = simple[base];
  return kind === undefined ? null : { kind, fixedLength: 0 };
}

function codeOf(p: Param): number {
  switch (p.kind) {
    case "Tensor": return p.optional ? ARG.optTensor : ARG.tensor;
    case "TensorList": return ARG.tensorList;
    case "OptTensorList": return ARG.optTensorList;
    case "int": case "ScalarType": case "MemoryFormat": case "Layout": return ARG.int;
    case "intList": return ARG.intList;
    case "float": return ARG.float;
    case "floatList": return ARG.floatList;
    case "bool": return ARG.bool;
    case "boolList": return ARG.boolList;
    case "Scalar": return ARG.scalar;
    case "ScalarList": return ARG.scalarList;
    case "str": return ARG.string;
    case "Device": return ARG.device;
    case "Generator": return ARG.none;
  }
}

/** One schema argument: its type (alias annotations may hold spaces: `Tensor(a -> *)`), name, default. */
export const ARG_RE = /^(\S+?(?:\([^)]*\))?\S*) ([a-zA-Z0-9_]+)(?:=(.*))?$/;

/** Splits a schema's argument list at top-level commas. */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (c === "," && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (text.slice(start).trim() !== "") out.push(text.slice(start).trim());
  return out;
}

/**
 * Parses one schema ("topk(Tensor self, int k, int dim=-1, …) -> (Tensor values, Tensor indices)")
 * into what a call needs, or null when an argument has a type torch-ts cannot pass or the
 * overload writes into an `out=` tensor (the functional overload serves that call).
 */
export function parseOverload(schema: string): Overload | null {
  const open = schema.indexOf("(");
  const arrow = schema.lastIndexOf(") -> ");
  const params: Param[] = [];
  let kwOnly = false;
  for (const a of splitArgs(schema.slice(open + 1, arrow))) {
    if (a === "*") {
      kwOnly = true;
      continue;
    }
    const m = ARG_RE.exec(a);
    if (m === null) return null;
    let type = m[1]!;
    const mutates = /\([a-z]!/.test(type);
    if (mutates && m[2] !== "self") return null; // out= and other written-into arguments
    type = type.replace(/\([^)]*\)/, ""); // alias annotations: Tensor(a), Tensor(a!), Tensor(a -> *)
    const optional = type.endsWith("?");
    const k = kindOf(optional ? type.slice(0, -1) : type);
    if (k === null) return null;
    params.push({ name: camel(m[2]!), kind: k.kind, optional, hasDefault: m[3] !== undefined, kwOnly, fixedLength: k.fixedLength, mutatesSelf: mutates });
  }
  const retText = schema.slice(arrow + 5).trim();
  const inner = retText.startsWith("(") ? retText.slice(1, -1) : retText;
  const returns = inner === "" ? [] : splitArgs(inner).map((r) => {
    const [type, name] = r.split(" ");
    return { name: name === undefined ? "" : camel(name), kind: type!.replace(/\([^)]*\)/, ""), aliasOfSelf: /\(a!\)/.test(type!) && params[0]?.mutatesSelf === true };
  });
  return {
    schema, params, positionalCount: params.filter((p) => !p.kwOnly).length, index: new Map(params.map((p, i) => [p.name, i])),
    codes: Int32Array.from(params, codeOf), returns, id: undefined,
  };
}

const isInt = (v: unknown): boolean => (typeof v === "number" && Number.isSafeInteger(v)) || (typeof v === "bigint" && v >= -(1n << 63n) && v < 1n << 63n);
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Tensor) && !ArrayBuffer.isView(v) &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/** What a value of `p` must be, for messages. */
function expectedOf(p: Param): string {
  const base: Record<Kind, string> = {
    Tensor: "a Tensor", TensorList: "an array of Tensors", OptTensorList: "an array of Tensors or nulls", int: "an integer",
    intList: p.fixedLength > 0 ? `an integer or an array of ${p.fixedLength} integers` : "an array of integers",
    float: "a number", floatList: "an array of numbers", bool: "a boolean", boolList: "an array of booleans",
    Scalar: "a number, bigint or boolean", ScalarList: "an array of numbers", str: "a string", ScalarType: "a dtype name",
    Device: "a device string", MemoryFormat: `one of ${Object.keys(MEMORY_FORMATS).join(", ")}`, Layout: '"strided"', Generator: "null",
  };
  return p.optional ? `${base[p.kind]} or null` : base[p.kind];
}

/** The native form of `v` for `p`, or NO_FIT when it does not fit. */
const NO_FIT = Symbol("no fit");
function convert(p: Param, v: unknown): unknown {
  if (v === null || v === undefined) return p.optional || p.kind === "Generator" ? null : NO_FIT;
  switch (p.kind) {
    case "Tensor": return v instanceof Tensor ? handleOf(v) : NO_FIT;
    case "TensorList": return Array.isArray(v) && v.every((t) => t instanceof Tensor) ? v.map(handleOf) : NO_FIT;
    case "OptTensorList": return Array.isArray(v) && v.every((t) => t === null || t instanceof Tensor) ? v.map((t) => (t === null ? null : handleOf(t))) : NO_FIT;
    // groups: libtorch 1.13 truncates it to int and divides by it (groups = 2^40 is SIGFPE).
    case "int": return isInt(v) && (p.name !== "groups" || (Number(v) >= 1 && Number(v) <= 0x7fffffff)) ? v : NO_FIT;
    case "intList":
      // int[N] takes one integer for N of them (kernel_size=3); any list goes to ATen, which
      // checks its length (int[1] dim is any number of dims).
      if (isInt(v) && p.fixedLength > 0) return Array(p.fixedLength).fill(v);
      return Array.isArray(v) && v.every(isInt) ? v : NO_FIT;
    case "float": return typeof v === "number" ? v : NO_FIT;
    case "floatList": return Array.isArray(v) && v.every((x) => typeof x === "number") ? v : NO_FIT;
    case "bool": return typeof v === "boolean" ? v : NO_FIT;
    case "boolList": return Array.isArray(v) && v.every((x) => typeof x === "boolean") ? v : NO_FIT;
    case "Scalar": return typeof v === "number" || typeof v === "boolean" || isInt(v) ? v : NO_FIT;
    case "ScalarList": return Array.isArray(v) && v.every((x) => typeof x === "number" || typeof x === "bigint" || typeof x === "boolean") ? v : NO_FIT;
    case "str": return typeof v === "string" ? v : NO_FIT;
    case "ScalarType": return typeof v === "string" && isDType(v) ? DTYPES[v].code : NO_FIT;
    case "Device":
      try {
        return typeof v === "string" ? parseDevice("", "device", v) ?? NO_FIT : NO_FIT;
      } catch {
        return NO_FIT;
      }
    case "MemoryFormat": return typeof v === "string" && v in MEMORY_FORMATS ? MEMORY_FORMATS[v] : NO_FIT;
    case "Layout": return v === "strided" ? 0 : NO_FIT;
    case "Generator": return NO_FIT;
  }
}

interface Misfit { score: number; message: string }
const isMisfit = (v: unknown[] | Misfit): v is Misfit => !Array.isArray(v);

/**
 * Binds JS arguments to one overload by the calling rule: the native values, one per schema
 * argument (undefined for a default), or why they do not fit (score: how far they got, so the
 * message of the overload that came closest is the one shown).
 */
function bind(fn: string, o: Overload, args: readonly unknown[]): unknown[] | Misfit {
  const params = o.params;
  const np = params.length;
  const npos = o.positionalCount;
  let n = args.length;
  let options: Record<string, unknown> | undefined;
  if (n > 0 && isPlainObject(args[n - 1])) options = args[--n] as Record<string, unknown>;
  // Python's `*size` / `*tensors` forms: the last positional parameter, a list of integers or
  // of tensors, given as separate arguments (x.view(2, 3), torch.broadcastTensors(a, b)), or
  // as one (x.view(6), torch.broadcastTensors(a)).
  let spread: unknown[] | undefined;
  if (npos > 0 && n >= npos) {
    const last = params[npos - 1]!;
    const rest = n === npos ? undefined : args.slice(npos - 1, n);
    if (last.kind === "intList") {
      if (rest !== undefined && rest.every(isInt)) spread = rest;
      else if (rest === undefined && isInt(args[npos - 1])) spread = [args[npos - 1]];
    } else if (last.kind === "TensorList") {
      if (rest !== undefined && rest.every((t) => t instanceof Tensor)) spread = rest;
      else if (rest === undefined && args[npos - 1] instanceof Tensor) spread = [args[npos - 1]];
    }
    if (spread !== undefined) n = npos;
  }
  if (n > npos) return { score: npos, message: `${fn}: expected at most ${npos} positional arguments (${o.schema}), but received ${n}` };
  if (options !== undefined) {
    for (const key in options) {
      const at = o.index.get(key);
      if (at === undefined) return { score: n, message: `${fn}: unknown option "${key}"; expected one of ${params.filter((p) => p.kwOnly || p.hasDefault || p.optional).map((p) => p.name).join(", ") || "(none)"}` };
      if (at < n) return { score: n, message: `${fn}: ${key} was given both positionally and in the options` };
    }
  }
  const values: unknown[] = new Array(np);
  for (let i = 0; i < np; i++) {
    const p = params[i]!;
    const given = i < n ? (spread !== undefined && i === npos - 1 ? spread : args[i]) : options?.[p.name];
    if (given === undefined) {
      if (p.hasDefault) continue; // native fills in the schema's default
      if (!p.optional && p.kind !== "Generator") return { score: i, message: `${fn}: missing argument ${p.name} (${o.schema})` };
    }
    const v = convert(p, given);
    if (v === NO_FIT) return { score: i, message: `${fn}: expected ${p.name} to be ${expectedOf(p)}, but received ${describe(given)}` };
    values[i] = v;
  }
  return values;
}

/** One named op: its overloads, parsed from the schemas on first call. */
export class OpEntry {
  #schemas: readonly string[];
  #overloads: Overload[] | undefined;
  constructor(readonly fn: string, readonly qualified: string, schemas: readonly string[]) {
    this.#schemas = schemas;
  }

  get overloads(): Overload[] {
    return (this.#overloads ??= this.#schemas.map(parseOverload).filter((o): o is Overload => o !== null));
  }

  call(args: readonly unknown[]): unknown {
    let best: Misfit | undefined;
    // Python's factories (those taking TensorOptions: dtype, layout, device, pin_memory) also
    // take requires_grad, which its binding applies to the result rather than passing to ATen.
    let requiresGrad: boolean | undefined;
    const last = args[args.length - 1];
    if (isPlainObject(last) && "requiresGrad" in last && this.overloads.some((o) => o.params.some((p) => p.name === "pinMemory"))) {
      const { requiresGrad: rg, ...rest } = last;
      if (typeof rg !== "boolean") throw new TypeError(`${this.fn}: expected requiresGrad to be a boolean, but received ${describe(rg)}`);
      requiresGrad = rg;
      args = [...args.slice(0, -1), rest];
    }
    for (const o of this.overloads) {
      const values = bind(this.fn, o, args);
      if (isMisfit(values)) {
        if (best === undefined || values.score > best.score) best = values;
        continue;
      }
      if (o.id === undefined) {
        const name = o.schema.slice(0, o.schema.indexOf("("));
        const dot = name.indexOf(".");
        o.id = native.opFind(`aten::${dot < 0 ? name : name.slice(0, dot)}`, dot < 0 ? "" : name.slice(dot + 1), o.codes);
      }
      if (o.id === null) {
        throw new TorchError(`${this.fn}: the linked libtorch (${native.config().libtorchVersion}) has no operator ${o.schema.slice(0, o.schema.indexOf("("))}`);
      }
      const self = o.params[0]?.mutatesSelf === true ? (args[0] as Tensor) : undefined;
      const out = o.returns.length === 1 && o.returns[0]!.kind === "Tensor" && self === undefined
        ? wrap(native.opCall(o.id, ...values) as Handle) // the common case, without the general walk
        : this.#returns(o, native.opCall(o.id, ...values), self);
      if (requiresGrad === true && out instanceof Tensor) out.requiresGrad_(true);
      return out;
    }
    throw new TypeError(best?.message ?? `${this.fn}: no overload of ${this.qualified} takes these arguments`);
  }

  #returns(o: Overload, out: unknown, self: Tensor | undefined): unknown {
    if (o.returns.length === 0) return undefined;
    if (o.returns.length === 1) return returnValue(o.returns[0]!, out, self);
    const raw = out as unknown[];
    const values = new (o.named ??= namedReturns(o.returns.map((r) => r.name)))(raw.length);
    for (let i = 0; i < raw.length; i++) values[i] = returnValue(o.returns[i]!, raw[i], self);
    return values;
  }
}

function returnValue(r: Overload["returns"][number], v: unknown, self: Tensor | undefined): unknown {
  if (r.kind === "Tensor") {
    if (r.aliasOfSelf && self !== undefined) {
      native.dispose(v as Handle); // the op returned its own input: hand back that object
      return self;
    }
    return v === null ? null : wrap(v as Handle);
  }
  if (r.kind === "Tensor[]" || r.kind === "Tensor?[]") return (v as (Handle | null)[]).map((h) => (h === null ? null : wrap(h)));
  return v;
}

/**
 * An Array subclass whose prototype reads the schema's return names (`topk(…).indices` is
 * `[1]`): made once per overload, so a call only fills an array, and the names are not own
 * properties (it spreads and compares as a plain pair).
 */
function namedReturns(names: readonly string[]): new (n: number) => unknown[] {
  class Returns extends Array<unknown> {}
  names.forEach((name, i) => {
    if (name !== "") Object.defineProperty(Returns.prototype, name, { get(this: unknown[]) { return this[i]; }, enumerable: false });
  });
  return Returns;
}
