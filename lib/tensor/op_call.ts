// Calling any ATen operator by PyTorch's calling rule, from its schema (the tables that
// scripts/gen-ops.ts generates from native_functions.yaml): snake_case names become camelCase;
// the arguments a schema lists before `*` may be passed positionally in schema order; any
// argument with a default, and every keyword-only one, may instead go in one trailing options
// object with camelCase keys. Overloads are tried in schema order, as Python's argument parser
// does, and the first whose arguments all fit is called through the dispatcher's boxed entry
// (native/dispatch.cc). Several returns come back as an array carrying the return names.
// A call first goes through a function generated for its op from the same tables
// (op_compile.ts), which decides the common calls as bind() here would, faster; bind() decides
// the rest and explains every refusal.
import type { Handle, OpRef } from "../../binding.js";
import { native } from "../binding.js";
import { parseDevice } from "../device.js";
import { DTYPES, isDType } from "../dtype.js";
import { TorchError } from "../errors.js";
import { handleOf, isTensor as isTensorObject, liveHandleOf, Tensor, wrap } from "./tensor.js";
import { describe } from "../validate.js";
import { compileCall, type CompileParts } from "./op_compile.js";
import { scratch } from "./scratch.js";

/** How native/dispatch.cc converts an argument (its enum Arg). */
const ARG = {
  tensor: 1, optTensor: 2, tensorList: 3, optTensorList: 4, int: 5, intList: 6, float: 7, floatList: 8,
  bool: 9, boolList: 10, scalar: 11, string: 12, device: 13, none: 14, scalarList: 15,
} as const;

type Kind =
  | "Tensor" | "TensorList" | "OptTensorList" | "int" | "intList" | "float" | "floatList" | "bool" | "boolList"
  | "Scalar" | "ScalarList" | "str" | "ScalarType" | "Device" | "MemoryFormat" | "Layout" | "Generator";

export interface Param {
  name: string; // camelCase
  kind: Kind;
  optional: boolean; // `T?`: null is accepted
  hasDefault: boolean;
  kwOnly: boolean;
  fixedLength: number; // int[2]: 2; 0 otherwise
  mutatesSelf: boolean; // Tensor(a!) self
}

export interface Overload {
  schema: string;
  params: Param[];
  positionalCount: number; // the parameters before `*`
  index: Map<string, number>; // parameter position by camelCase name
  codes: Int32Array;
  returns: { name: string; kind: string; aliasOfSelf: boolean }[];
  id: OpRef | null | undefined; // undefined: not looked up yet; null: the linked libtorch lacks it
  named: (new (...items: unknown[]) => unknown[]) | undefined; // the array class of several returns (namedReturns)
  mode: number; // how a call's result comes back (MODE)
}

/**
 * How an overload's result comes back from native, decided once from its returns: one new
 * tensor (wrapped as is); its own self, for an in-place op (native makes no handle, the call
 * hands back the JS tensor it was given); several tensors (native leaves their handles in the
 * scratch buffer, so no JS array is made natively per call); anything else (walked by #returns).
 */
const MODE = { tensor: 0, self: 1, tensors: 2, general: 3 } as const;
/** opFind's `returns` for each MODE (native/dispatch.cc enum Returns). */
const NATIVE_RETURNS = [0, 1, 2, 0] as const;

function modeOf(params: readonly Param[], returns: Overload["returns"]): number {
  const mutatesSelf = params[0]?.mutatesSelf === true;
  if (returns.length === 1 && returns[0]!.kind === "Tensor") {
    if (!mutatesSelf) return MODE.tensor;
    if (returns[0]!.aliasOfSelf) return MODE.self;
  }
  if (returns.length > 1 && returns.length <= scratch.length && returns.every((r) => r.kind === "Tensor" && !(r.aliasOfSelf && mutatesSelf))) return MODE.tensors;
  return MODE.general;
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
    codes: Int32Array.from(params, codeOf), returns, id: undefined, named: undefined, mode: modeOf(params, returns),
  };
}

const isInt = (v: unknown): boolean => (typeof v === "number" && Number.isSafeInteger(v)) || (typeof v === "bigint" && v >= -(1n << 63n) && v < 1n << 63n);
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !isTensorObject(v) && !ArrayBuffer.isView(v) &&
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

/**
 * A checked copy of a list argument, or NO_FIT: each element is read once, here, so native sees
 * exactly the values checked. (Array.prototype.every skips holes, and a getter or Proxy could
 * answer differently when native reads the element again: either reached native's converters
 * as an unnamed "A number was expected".)
 */
function listOf(v: unknown, ok: (x: unknown) => boolean, map?: (x: unknown) => unknown): unknown[] | typeof NO_FIT {
  if (!Array.isArray(v)) return NO_FIT;
  const n = v.length;
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const x: unknown = v[i];
    if (!ok(x)) return NO_FIT;
    out[i] = map === undefined ? x : map(x);
  }
  return out;
}
// A disposed tensor does not fit (handleOf would throw a TorchError that names neither the op
// nor the argument); bind's message says which argument it was.
const isTensor = (t: unknown): boolean => liveHandleOf(t) !== null;
const isOptTensor = (t: unknown): boolean => t === null || isTensor(t);
const isDisposedTensor = (t: unknown): boolean => t instanceof Tensor && t.isDisposed;
const optHandle = (t: unknown): unknown => (t === null ? null : handleOf(t as Tensor));
const isNumber = (x: unknown): boolean => typeof x === "number";
const isBool = (x: unknown): boolean => typeof x === "boolean";
const isScalar = (x: unknown): boolean => typeof x === "number" || typeof x === "boolean" || isInt(x);

function convert(p: Param, v: unknown): unknown {
  if (v === null || v === undefined) return p.optional || p.kind === "Generator" ? null : NO_FIT;
  switch (p.kind) {
    case "Tensor": return liveHandleOf(v) ?? NO_FIT;
    case "TensorList": return listOf(v, isTensor, handleOf as (x: unknown) => unknown);
    case "OptTensorList": return listOf(v, isOptTensor, optHandle);
    // groups: libtorch 1.13 truncates it to int and divides by it (groups = 2^40 is SIGFPE).
    case "int": return isInt(v) && (p.name !== "groups" || (Number(v) >= 1 && Number(v) <= 0x7fffffff)) ? v : NO_FIT;
    case "intList":
      // int[N] takes one integer for N of them (kernel_size=3); any list goes to ATen, which
      // checks its length (int[1] dim is any number of dims).
      if (isInt(v) && p.fixedLength > 0) return Array(p.fixedLength).fill(v);
      return listOf(v, isInt);
    case "float": return typeof v === "number" ? v : NO_FIT;
    case "floatList": return listOf(v, isNumber);
    case "bool": return typeof v === "boolean" ? v : NO_FIT;
    case "boolList": return listOf(v, isBool);
    case "Scalar": return isScalar(v) ? v : NO_FIT;
    // A bigint element outside int64 is refused here, as a Scalar is (native would throw unnamed).
    case "ScalarList": return listOf(v, isScalar);
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

/** Why arguments do not fit an overload; `disposed`: because one is a disposed tensor (a TorchError, as every use of one is). */
interface Misfit { score: number; message: string; disposed?: boolean }

const holdsDisposed = (given: unknown): boolean => isDisposedTensor(given) || (Array.isArray(given) && given.some(isDisposedTensor));

function misfitMessage(fn: string, p: Param, given: unknown): string {
  if (holdsDisposed(given)) {
    return `${fn}: ${p.name} ${Array.isArray(given) ? "holds a Tensor that was" : "was"} disposed and cannot be used any more`;
  }
  return `${fn}: expected ${p.name} to be ${expectedOf(p)}, but received ${describe(given)}`;
}

/**
 * Binds JS arguments to one overload by the calling rule: the native values, one per schema
 * argument (undefined for a default), or, when they do not fit, null, or with `explain` why
 * (score: how far they got, so the message of the overload that came closest is the one
 * shown). `n` counts the arguments before `options`, the trailing options object if one was
 * given. Messages are only made when explaining: overload resolution meets misfits on its way
 * to the overload that fits (x.sum(1) passes sum(Tensor self, *, …) first), and describing a
 * value costs more than the whole call.
 */
function bind(fn: string, o: Overload, args: readonly unknown[], n: number, options: Record<string, unknown> | undefined, explain: boolean): unknown[] | Misfit | null {
  const params = o.params;
  const np = params.length;
  const npos = o.positionalCount;
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
      if (rest !== undefined && rest.every(isTensorObject)) spread = rest;
      else if (rest === undefined && isTensorObject(args[npos - 1])) spread = [args[npos - 1]];
    }
    if (spread !== undefined) n = npos;
  }
  if (n > npos) return explain ? { score: npos, message: `${fn}: expected at most ${npos} positional arguments (${o.schema}), but received ${n}` } : null;
  if (options !== undefined) {
    for (const key in options) {
      const at = o.index.get(key);
      if (at === undefined) return explain ? { score: n, message: `${fn}: unknown option "${key}"; expected one of ${params.filter((p) => p.kwOnly || p.hasDefault || p.optional).map((p) => p.name).join(", ") || "(none)"}` } : null;
      if (at < n) return explain ? { score: n, message: `${fn}: ${key} was given both positionally and in the options` } : null;
    }
  }
  const values: unknown[] = new Array(np);
  for (let i = 0; i < np; i++) {
    const p = params[i]!;
    const given = i < n ? (spread !== undefined && i === npos - 1 ? spread : args[i]) : options === undefined ? undefined : options[p.name];
    if (given === undefined) {
      if (p.hasDefault) continue; // native fills in the schema's default
      if (!p.optional && p.kind !== "Generator") return explain ? { score: i, message: `${fn}: missing argument ${p.name} (${o.schema})` } : null;
    }
    const v = convert(p, given);
    if (v === NO_FIT) return explain ? { score: i, message: misfitMessage(fn, p, given), disposed: holdsDisposed(given) } : null;
    values[i] = v;
  }
  return values;
}

/**
 * native.opCall with the values as separate arguments: a call of fixed arity takes V8's fast
 * path into a native function, where a spread call goes through a generic one.
 */
function opCall(id: OpRef, v: readonly unknown[]): unknown {
  switch (v.length) {
    case 0: return native.opCall(id);
    case 1: return native.opCall(id, v[0]);
    case 2: return native.opCall(id, v[0], v[1]);
    case 3: return native.opCall(id, v[0], v[1], v[2]);
    case 4: return native.opCall(id, v[0], v[1], v[2], v[3]);
    case 5: return native.opCall(id, v[0], v[1], v[2], v[3], v[4]);
    case 6: return native.opCall(id, v[0], v[1], v[2], v[3], v[4], v[5]);
    case 7: return native.opCall(id, v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
    case 8: return native.opCall(id, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    default: return native.opCall(id, ...v);
  }
}

/** What op_compile.ts's generated functions answer when the general path must decide. */
const UNSURE = Symbol("unsure");

/** One named op: its overloads, parsed from the schemas on first call. */
export class OpEntry {
  #schemas: readonly string[];
  #overloads: Overload[] | undefined;
  #factory: boolean | undefined;
  // The op's own generated functions (op_compile.ts), as a function and as a method; undefined: not compiled yet.
  #compiled: ((args: readonly unknown[]) => unknown) | null | undefined;
  #compiledMethod: ((self: unknown, rest: readonly unknown[]) => unknown) | null | undefined;
  /** `options.compile: false` keeps to the general path (for tests that compare the two). */
  constructor(readonly fn: string, readonly qualified: string, schemas: readonly string[], options?: { compile?: boolean }) {
    this.#schemas = schemas;
    if (options?.compile === false) this.#compiled = this.#compiledMethod = null;
  }

  get overloads(): Overload[] {
    return (this.#overloads ??= this.#schemas.map(parseOverload).filter((o): o is Overload => o !== null));
  }

  call(args: readonly unknown[]): unknown {
    // The op's own generated function (op_compile.ts) answers what it can decide exactly as
    // the general path below would; the rest (and every misfit) goes the general way.
    const compiled = this.#compiled === undefined ? this.#compile() : this.#compiled;
    if (compiled !== null) {
      const out = compiled(args);
      if (out !== UNSURE) return out;
    }
    return this.#callGeneral(args);
  }

  /** A method's call, `self.name(...rest)`: as call([self, ...rest]), without making that array. */
  callMethod(self: unknown, rest: readonly unknown[]): unknown {
    const compiled = this.#compiledMethod === undefined ? (this.#compiledMethod = compileCall(this.fn, this.overloads, this.#parts(), true)) : this.#compiledMethod;
    if (compiled !== null) {
      const out = compiled(self, rest);
      if (out !== UNSURE) return out;
    }
    return this.#callGeneral([self, ...rest]);
  }

  #compile(): ((args: readonly unknown[]) => unknown) | null {
    return (this.#compiled = compileCall(this.fn, this.overloads, this.#parts(), false));
  }

  #parts(): CompileParts {
    const fn = this.fn;
    return {
      isPlainObject, convert: convert as (p: Param, v: unknown) => unknown, NO_FIT, UNSURE, idOf: (o) => idOf(fn, o),
      call: native.opCall, wrap: wrap as (h: never) => Tensor, tensorAt, namedOf, returnsOf, mode: MODE,
    };
  }

  #callGeneral(args: readonly unknown[]): unknown {
    const overloads = this.overloads;
    let n = args.length;
    let options: Record<string, unknown> | undefined;
    if (n > 0 && isPlainObject(args[n - 1])) options = args[--n] as Record<string, unknown>;
    // Python's factories (those taking TensorOptions: dtype, layout, device, pin_memory) also
    // take requires_grad, which its binding applies to the result rather than passing to ATen.
    let requiresGrad: boolean | undefined;
    if (options !== undefined && "requiresGrad" in options && (this.#factory ??= overloads.some((o) => o.params.some((p) => p.name === "pinMemory")))) {
      const { requiresGrad: rg, ...rest } = options;
      if (typeof rg !== "boolean") throw new TypeError(`${this.fn}: expected requiresGrad to be a boolean, but received ${describe(rg)}`);
      requiresGrad = rg;
      options = rest;
    }
    for (let k = 0; k < overloads.length; k++) {
      const o = overloads[k]!;
      const values = bind(this.fn, o, args, n, options, false) as unknown[] | null;
      if (values === null) continue;
      const out = this.#invoke(o, values, args);
      if (requiresGrad === true && out instanceof Tensor) requireGrad(out);
      return out;
    }
    // Nothing fits: bind again, explaining, and show why the overload that came closest did not.
    let best: Misfit | undefined;
    for (const o of overloads) {
      const m = bind(this.fn, o, args, n, options, true);
      if (m === null || Array.isArray(m)) continue; // fits now (an argument's getter answered differently): not a reason
      if (best === undefined || m.score > best.score) best = m;
    }
    if (best?.disposed === true) throw new TorchError(best.message);
    throw new TypeError(best?.message ?? `${this.fn}: no overload of ${this.qualified} takes these arguments`);
  }

  #invoke(o: Overload, values: readonly unknown[], args: readonly unknown[]): unknown {
    const id = o.id ?? idOf(this.fn, o);
    switch (o.mode) {
      case MODE.tensor: return wrap(opCall(id, values) as Handle);
      case MODE.self:
        opCall(id, values);
        return args[0]; // the op returned its own input: hand back that object
      case MODE.tensors: {
        opCall(id, values);
        // The handles native left in the scratch buffer (NaN: an undefined tensor). Nothing
        // below calls native code that writes it, so they are read as they were left.
        const items: unknown[] = [];
        for (let i = 0; i < o.returns.length; i++) items.push(tensorAt(i));
        return new (o.named ?? namedOf(o))(...items);
      }
      default: return returnsOf(o, opCall(id, values), o.params[0]?.mutatesSelf === true ? (args[0] as Tensor) : undefined);
    }
  }
}

/** An overload's op, found on its first call; a TorchError when the linked libtorch lacks it. */
function idOf(fn: string, o: Overload): OpRef {
  if (o.id === undefined) {
    const name = o.schema.slice(0, o.schema.indexOf("("));
    const dot = name.indexOf(".");
    o.id = native.opFind(`aten::${dot < 0 ? name : name.slice(0, dot)}`, dot < 0 ? "" : name.slice(dot + 1), o.codes, NATIVE_RETURNS[o.mode]);
  }
  if (o.id === null) {
    throw new TorchError(`${fn}: the linked libtorch (${native.config().libtorchVersion}) has no operator ${o.schema.slice(0, o.schema.indexOf("("))}`);
  }
  return o.id;
}

/** The class of an overload's several returns, made on first use. */
const namedOf = (o: Overload): new (...items: unknown[]) => unknown[] => (o.named ??= namedReturns(o.returns.map((r) => r.name)));

/** What an overload returned, in its schema's terms, walked return by return (MODE.general). */
function returnsOf(o: Overload, out: unknown, self: Tensor | undefined): unknown {
  if (o.returns.length === 0) return undefined;
  if (o.returns.length === 1) return returnValue(o.returns[0]!, out, self);
  const items = (out as unknown[]).map((v, i) => returnValue(o.returns[i]!, v, self));
  return new (namedOf(o))(...items);
}

/** A factory's requires_grad on its result; a result that cannot take it (an integer dtype) is freed, not leaked, as it throws. */
function requireGrad(out: Tensor): void {
  try {
    out.requiresGrad_(true);
  } catch (err) {
    out.dispose();
    throw err;
  }
}

/** A tensor return that native left in the scratch buffer (NaN: an undefined tensor). */
function tensorAt(i: number): Tensor | null {
  const h = scratch[i]!;
  return Number.isNaN(h) ? null : wrap(h as Handle);
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
 * `[1]`): made once per overload, so a call only makes an array, and the names are not own
 * properties (it spreads and compares as a plain pair). A call constructs it with its two or
 * more elements (new Returns(values, indices)), never with a length to fill in afterwards:
 * filling a new Returns(2) moves the array to another elements kind after it was made.
 */
function namedReturns(names: readonly string[]): new (...items: unknown[]) => unknown[] {
  const Returns = arraySubclass();
  names.forEach((name, i) => {
    if (name !== "") Object.defineProperty(Returns.prototype, name, { get(this: unknown[]) { return this[i]; }, enumerable: false });
  });
  return Returns;
}

/**
 * A new Array subclass, anonymous on purpose: a bundler that keeps names (esbuild's keepNames,
 * as tsx and vitest run it) redefines a named class's `name` property, and V8 (Node 20) then
 * constructs that Array subclass on a slow path, ~1-2 us per `new` against ~10 ns, abandoning
 * every attempt to optimize it. (It prints as a plain array, as Python's return types print
 * as tuples.)
 */
const arraySubclass = (): new (...items: unknown[]) => unknown[] => class extends Array<unknown> {};
