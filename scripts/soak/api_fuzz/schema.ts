// The API fuzzer's reach into the generated op surface: one spec per generated function
// (lib/tensor/ops.generated.ts: torch.x, torch.linalg/fft/special; lib/nn/functional.generated.ts
// and the schema aliases torch.nn.functional holds; every generated Tensor method and property),
// found at run time by the OpEntry each carries under GENERATED, so a regenerated surface is
// fuzzed without touching this file. Arguments are derived from the entry's parsed schemas
// (op_call.ts parseOverload): one overload is picked, each parameter gets a mostly valid value
// of its kind (small tensors of a shared random dtype and shape, dims in range, sizes 0-3, the
// schema's own default strings), split into positionals and a trailing options object by the
// calling rule, and then, often, one value is swapped for a hostile one of its kind (a huge
// size, NaN, a bigint beyond int64, a bad dtype or device, a disposed tensor, an unknown
// option key). A generated op's errors are judged more strictly than the hand-written
// surface's (see judgeGenerated).
import * as torch from "../../../lib/index.js";
import * as nnGenerated from "../../../lib/nn/functional.generated.js";
import * as opsGenerated from "../../../lib/tensor/ops.generated.js";
import { GENERATED } from "../../../lib/tensor/ops.js";
import { ARG_RE, parseOverload, splitArgs, type OpEntry } from "../../../lib/tensor/op_call.js";
import type { Gen, Spec } from "./generate.js";
import { arr, big, bool, num, obj, str, UNDEF, type V } from "./values.js";

type Overload = NonNullable<ReturnType<typeof parseOverload>>;
type Param = Overload["params"][number];
type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One generated function: how the fuzzer names it, the name its errors must carry, how to call it. */
export interface Target {
  label: string;
  display: string;
  entry: OpEntry;
  kind: "function" | "method" | "property";
  call: (a: Any[]) => unknown;
}

/**
 * Generated functions left out of the fuzzer, each with its reason. Keep this short: an op
 * belongs here only when a valid-looking call is legitimately dangerous in a fuzzer (many GB,
 * minutes of work), never to hide a defect.
 */
export const EXCLUDED: Record<string, string> = {};

/**
 * Values kept from some generated functions, each with its reason: a call that is correct but
 * takes hours, which the fuzzer would report as a hang. Narrower than an exclusion: the function
 * still gets every other argument, hostile ones included.
 */
const TAMED: { label: RegExp; reason: string; tame: (args: V[]) => V[] }[] = [
  {
    // special_{chebyshev,hermite,laguerre,legendre}_polynomial_*(x, n): the recurrence takes n
    // steps per element (PyTorch's kernel too; chebyshev only for |x| >= 1): n = 2^40 is hours of
    // correct work. n stays a hostile value of every other kind (NaN, a fraction, a bigint past int64).
    label: /^torch\.special\.(shifted)?(chebyshev|hermite|laguerre|legendre)Polynomial/i,
    reason: "n steps of a recurrence per element",
    tame: (args) => args.map(smallCount),
  },
  {
    // choose_qparams_optimized(input, numel, n_bins, ratio, bit_width): its search takes up to
    // n_bins steps, each over numel elements (PyTorch's kernel too): n_bins = 2^40 is hours.
    label: /^torch\.chooseQparamsOptimized$/,
    reason: "n_bins search steps",
    tame: (args) => args.map(smallCount),
  },
];

/** A count in (10^4, 2^63) as 10^4 (a bigint as a bigint); every other value as it was. */
function smallCount(v: V): V {
  if (v.k === "num" && typeof v.v === "number" && Math.abs(v.v) > 1e4 && Math.abs(v.v) < 2 ** 63) return num(1e4);
  if (v.k === "big" && BigInt(v.v) > 10_000n && BigInt(v.v) < 2n ** 63n) return big(10_000n);
  if (v.k === "obj") return obj(Object.fromEntries(Object.entries(v.v).map(([k, x]) => [k, smallCount(x)])));
  return v;
}

const entryOf = (f: unknown): OpEntry | undefined => (typeof f === "function" ? (f as Any)[GENERATED] : undefined);

function targets(): Target[] {
  const out: Target[] = [];
  const seen = new Set<string>();
  const add = (t: Target) => {
    if (seen.has(t.label) || t.entry.overloads.length === 0 || EXCLUDED[t.label] !== undefined) return;
    seen.add(t.label);
    out.push(t);
  };
  const functions = (mod: Record<string, unknown>, publicNs: Record<string, unknown>) => {
    for (const [name, f] of Object.entries(mod)) {
      const entry = entryOf(f);
      if (entry === undefined) continue;
      // A name the package also exports by hand (torch.zeros) keeps the generated table's entry
      // reachable only from inside the library (functional_*.ts call it): fuzzed under its own label.
      const label = publicNs[name] === f ? entry.fn : `${entry.fn}#generated`;
      add({ label, display: entry.fn, entry, kind: "function", call: (a) => (f as (...x: unknown[]) => unknown)(...a) });
    }
  };
  const top = opsGenerated as unknown as Record<string, unknown>;
  functions(top, torch as unknown as Record<string, unknown>);
  for (const ns of ["linalg", "fft", "special"] as const) functions(top[ns] as Record<string, unknown>, (torch as Any)[ns]);
  functions(nnGenerated as unknown as Record<string, unknown>, torch.nn.functional as unknown as Record<string, unknown>);
  // torch.nn.functional's schema aliases (functional_util.ts alias/aten): generated entries too.
  functions(torch.nn.functional as unknown as Record<string, unknown>, torch.nn.functional as unknown as Record<string, unknown>);
  const proto = torch.Tensor.prototype as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, name)!;
    const fromValue = entryOf(d.value);
    if (fromValue !== undefined) add({ label: fromValue.fn, display: fromValue.fn, entry: fromValue, kind: "method", call: (a) => a[0][name](...a.slice(1)) });
    const fromGetter = entryOf(d.get);
    if (fromGetter !== undefined) add({ label: fromGetter.fn, display: fromGetter.fn, entry: fromGetter, kind: "property", call: (a) => a[0][name] });
  }
  return out;
}

export const TARGETS: readonly Target[] = targets();
export const TARGET_BY_LABEL: ReadonlyMap<string, Target> = new Map(TARGETS.map((t) => [t.label, t]));

/** One line of TypeScript for a call of a generated target. */
export function renderGenerated(label: string, a: string[]): string | null {
  const t = TARGET_BY_LABEL.get(label);
  if (t === undefined) return null;
  const name = t.display.slice(t.display.lastIndexOf(".") + 1);
  if (t.kind === "property") return `${a[0]}.${name}`;
  if (t.kind === "method") return `${a[0]}.${name}(${a.slice(1).join(", ")})`;
  const path = t.display.startsWith("nn.functional.") ? `torch.${t.display}` : t.display;
  return `${label.endsWith("#generated") ? "/* the generated entry under the hand-written name */ " : ""}${path}(${a.join(", ")})`;
}

/**
 * null when a generated op's error is clean. Stricter than the hand-written surface's rule: the
 * calling rule's refusals are TypeErrors that start with the op's own name and name the argument
 * ("torch.topk: expected k to be an integer, but received NaN", "…: unknown option \"dims\"…",
 * "…: expected at most 2 positional arguments…"); libtorch's refusals are TorchErrors with a
 * message, and so is a disposed tensor, named by op and argument as the binder names it.
 */
export function judgeGenerated(label: string, err: Error, isTorchError: boolean): string | null {
  const t = TARGET_BY_LABEL.get(label)!;
  // The handle's own refusal of a disposed tensor names neither the op nor the argument: the binder must catch it first.
  if (isTorchError) return err.message.trim() === "" || err.message.startsWith("Tensor was disposed") ? "unnamed-error" : null;
  if (!(err instanceof TypeError)) return "wrong-error-class";
  if (!err.message.startsWith(`${t.display}: `)) return "unnamed-error";
  const rest = err.message.slice(t.display.length + 2);
  const names = t.entry.overloads.flatMap((o) => o.params.map((p) => p.name));
  return names.some((n) => new RegExp(`(^|[^\\w])${n}([^\\w]|$)`).test(rest)) || /positional arguments|unknown option|no overload|requiresGrad/.test(rest) ? null : "unnamed-error";
}

// ---- argument generation ----

const FLOATING = ["float32", "float64", "float16", "bfloat16"];
const COMPLEX = ["complex64", "complex128"];
const ALL_DTYPES = [...FLOATING, ...COMPLEX, "int64", "int32", "int16", "int8", "uint8", "bool"];
const MEMORY_FORMATS = ["contiguousFormat", "preserveFormat", "channelsLast", "channelsLast3d"];
/** Strings ATen's str arguments take (reduce, interpolation, mode, norm, UPLO, driver, …): a wrong one is a clean refusal. */
const STRINGS = ["sum", "mean", "none", "prod", "amax", "amin", "linear", "lower", "higher", "midpoint", "nearest", "reflect", "constant", "replicate",
  "circular", "backward", "ortho", "forward", "trunc", "floor", "tanh", "L", "U", "reduced", "complete", "r", "gelsy", "gelsd", "same", "valid", "ij", "xy",
  "left", "right", "fro", "nuc", "bilinear", "add", "multiply", "", "ii", "i,i->", "ij,jk->ik", "...", "x"];
/**
 * Integers past what any argument can honour: allocation sizes, counts, dims. The positive ones
 * are ≥ 2^40, past any machine's memory, so an allocation of that many elements is refused at
 * once; 2^31 (the int32 edge) would be a legal 8-16 GB allocation that fills for seconds.
 */
const HUGE_INTS: V[] = [num(2 ** 40), num(2 ** 62), num(-(2 ** 40)), num(2 ** 53 + 1), big(2n ** 63n), big(2n ** 64n), big(-(2n ** 63n) - 1n), num(-(2 ** 31) - 1)];

/** The call's shared context: a dtype and shape most tensor arguments take, so many calls get past shape checks. */
interface Ctx { g: Gen; dtype: string; shape: number[] }

const rankOf = (c: Ctx) => c.shape.length;

function tensorV(c: Ctx, dtype = c.dtype, shape = c.shape, values?: (g: Gen) => V): V {
  const g = c.g;
  // Sometimes a view of that shape: an expanded size-1 first dim (stride 0), or swapped last dims.
  const view = shape.length >= 1 && shape[0]! > 1 && g.chance(0.04) ? { expand: shape } : shape.length >= 2 && g.chance(0.05) ? { transpose: true as const } : undefined;
  const made = view === undefined ? shape : "expand" in view ? [1, ...shape.slice(1)] : [...shape.slice(0, -2), shape[shape.length - 1]!, shape[shape.length - 2]!];
  const build = (d: number): V => (d === made.length ? (values ? values(g) : leaf(g, dtype)) : arr(Array.from({ length: made[d]! }, () => build(d + 1))));
  const t: V = { k: "tensor", data: build(0), dtype, ...(view === undefined ? {} : { view }) };
  if (g.chance(0.03)) t.disposed = true;
  else if (g.chance(0.04) && (FLOATING.includes(dtype) || COMPLEX.includes(dtype))) t.requiresGrad = true;
  return t;
}

function leaf(g: Gen, dtype: string): V {
  if (dtype === "bool") return bool(g.chance(0.5));
  if (dtype === "uint8") return num(g.int(6));
  if (dtype.startsWith("int")) return num(g.int(7) - 2);
  if (g.chance(0.06)) return num(g.pick([NaN, Infinity, -Infinity, -0]));
  return num(Math.round((g.r() * 6 - 3) * 4) / 4);
}

function randomShape(g: Gen): number[] {
  const rank = g.pick([0, 1, 1, 2, 2, 2, 3, 3, 4]);
  const shape = Array.from({ length: rank }, () => 1 + g.int(3));
  if (rank >= 2 && g.chance(0.4)) shape[rank - 1] = shape[rank - 2]!; // square matrices for linalg
  if (rank >= 1 && g.chance(0.05)) shape[g.int(rank)] = 0;
  return shape;
}

/** A tensor argument: mostly the call's dtype and shape, its role read from the schema's name. */
function tensorArg(c: Ctx, p: Param): V {
  const g = c.g;
  const n = p.name.toLowerCase();
  if (/index|indices|target|offsets|lengths|repeats|labels|^idx|sorter|argmax/.test(n) && !/weight/.test(n)) {
    // Indices and counts: int64 in range of the smallest dimension, mostly.
    const hi = Math.max(1, Math.min(...c.shape, 3));
    const shape = g.chance(0.5) ? c.shape : [1 + g.int(3)];
    return tensorV(c, g.chance(0.9) ? "int64" : g.pick(["int32", "float32", "bool"]), shape, (gg) => num(gg.chance(0.95) ? gg.int(hi) : gg.pick([-1, hi, 2 ** 40])));
  }
  if (/mask/.test(n)) return tensorV(c, g.chance(0.9) ? "bool" : "uint8", g.chance(0.8) ? c.shape : randomShape(g));
  const x = g.r();
  if (x < 0.72) return tensorV(c);
  if (x < 0.84) return tensorV(c, g.pick(ALL_DTYPES)); // a mixed dtype
  if (x < 0.92) return tensorV(c, c.dtype, c.shape.slice(g.int(c.shape.length + 1))); // a broadcastable suffix
  return tensorV(c, c.dtype, randomShape(g));
}

function intArg(c: Ctx, p: Param): V {
  const g = c.g;
  const n = p.name.toLowerCase();
  const r = Math.max(1, rankOf(c));
  if (/dim|axis|axes/.test(n) && !/size|sizes/.test(n)) return num(g.chance(0.9) ? g.int(2 * r) - r : g.pick([r, -r - 1]));
  if (n === "groups") return num(g.chance(0.9) ? 1 : g.pick([0, -1, 2]));
  if (/padding/.test(n)) return num(g.int(2));
  if (/dtype|layout/.test(n)) return num(g.int(12));
  return num(g.chance(0.9) ? g.int(4) : g.int(7) - 3);
}

function intListArg(c: Ctx, p: Param): V {
  const g = c.g;
  const n = p.name.toLowerCase();
  const len = p.fixedLength > 0 ? p.fixedLength : /dim/.test(n) ? 1 + g.int(Math.max(1, rankOf(c))) : /size|shape|repeats|dims$/.test(n) ? Math.max(rankOf(c), 1) : g.int(4);
  if (p.fixedLength > 0 && g.chance(0.3)) return intArg(c, { ...p, kind: "int" }); // int[N] takes one integer for all N
  const items = Array.from({ length: g.chance(0.92) ? len : g.int(5) }, () => intArg(c, { ...p, kind: "int" }));
  if (/size|shape/.test(n) && !/kernel/.test(n)) for (let k = 0; k < items.length; k++) if (g.chance(0.3)) items[k] = num(c.shape[k] ?? 1);
  return arr(items);
}

function floatArg(c: Ctx, p: Param): V {
  const g = c.g;
  const n = p.name.toLowerCase();
  if (/^p$|prob|momentum|alpha|rcond|tol|eps/.test(n)) return num(g.pick([0, 0.1, 0.5, 1, 1e-5]));
  return num(Math.round((g.r() * 6 - 3) * 4) / 4);
}

function strArg(c: Ctx, p: Param, defaults: Map<string, string>): V {
  const g = c.g;
  const d = defaults.get(p.name);
  const quoted = d !== undefined && /^(['"]).*\1$/.test(d) ? d.slice(1, -1) : undefined;
  return str(quoted !== undefined && g.chance(0.6) ? quoted : g.pick(STRINGS));
}

/** A mostly valid value for a parameter. */
function valueFor(c: Ctx, p: Param, defaults: Map<string, string>): V {
  const g = c.g;
  if (p.optional && g.chance(0.2)) return { k: "null" };
  switch (p.kind) {
    case "Tensor": return tensorArg(c, p);
    case "TensorList": return arr(Array.from({ length: 1 + g.int(3) }, () => tensorArg(c, p)));
    case "OptTensorList": return arr(Array.from({ length: 1 + g.int(2) }, () => (g.chance(0.3) ? { k: "null" } as V : tensorArg(c, { ...p, name: "indices" }))));
    case "int": return intArg(c, p);
    case "intList": return intListArg(c, p);
    case "float": return floatArg(c, p);
    case "floatList": return arr(Array.from({ length: p.fixedLength || 1 + g.int(3) }, () => num(g.pick([0.5, 1, 2, 1.5]))));
    case "bool": return bool(g.chance(0.5));
    case "boolList": return arr(Array.from({ length: p.fixedLength || 3 }, () => bool(g.chance(0.5))));
    case "Scalar": return g.chance(0.6) ? num(g.int(5) - 2) : g.chance(0.6) ? num(g.pick([0.5, -1.5, 2.25])) : bool(g.chance(0.5));
    case "ScalarList": return arr(Array.from({ length: 1 + g.int(3) }, () => num(g.int(5) - 2)));
    case "str": return strArg(c, p, defaults);
    case "ScalarType": return str(g.chance(0.5) ? c.dtype : g.pick(ALL_DTYPES));
    case "Device": return str("cpu");
    case "MemoryFormat": return str(g.pick(MEMORY_FORMATS));
    case "Layout": return str("strided");
    case "Generator": return { k: "null" };
  }
}

/** A value of the wrong sort, or the right sort out of range, for a parameter. */
function hostileFor(c: Ctx, p: Param): V {
  const g = c.g;
  if (g.chance(0.35)) return g.hostile();
  switch (p.kind) {
    case "Tensor": case "TensorList": case "OptTensorList": {
      const t = tensorArg(c, p);
      if (t.k === "tensor" && g.chance(0.5)) t.disposed = true;
      const pick = g.int(5);
      return pick === 0 ? t : pick === 1 ? arr([t]) : pick === 2 ? (p.kind === "Tensor" ? g.scalar() : arr([t, g.scalar()])) : pick === 3 ? nestedData(g) : { k: "null" };
    }
    case "int": return g.chance(0.7) ? g.pick(HUGE_INTS) : g.pick<V>([num(NaN), num(1.5), num(Infinity), str("2"), bool(true), arr([num(1)])]);
    case "intList": {
      const base = intListArg(c, p);
      const items = base.k === "arr" ? [...base.v] : [base];
      if (items.length === 0) items.push(num(1));
      items[g.int(items.length)] = g.chance(0.7) ? g.pick(HUGE_INTS) : g.pick<V>([num(NaN), num(-1), num(2.5), str("3"), { k: "null" }]);
      return g.chance(0.85) ? arr(items) : g.pick<V>([num(2 ** 40), arr(Array.from({ length: 70 }, () => num(1)))]);
    }
    case "float": case "floatList": return g.chance(0.7) ? g.hostileNum() : g.pick<V>([big(3n), str("0.5"), bool(false)]);
    case "bool": case "boolList": return g.pick<V>([num(0), num(1), str("true"), { k: "null" }, num(NaN)]);
    case "Scalar": case "ScalarList": return g.pick<V>([big(2n ** 64n), big(-(2n ** 63n) - 1n), big(2n ** 63n - 1n), num(NaN), num(Infinity), num(1e308), num(2 ** 53 + 1), str("1"), tensorV(c, c.dtype, [])]);
    case "ScalarType": return g.dtype().k === "str" && g.chance(0.5) ? g.dtype() : str(g.pick(["float", "torch.int64", "complex32", "quint8", "Float", ""]));
    case "Device": return g.device();
    case "MemoryFormat": return str(g.pick(["channels_last", "strided", "", "contiguous"]));
    case "Layout": return str(g.pick(["sparse", "sparse_coo", "sparseCsr", "Strided", ""]));
    case "Generator": return g.pick<V>([obj({}), num(0), str("default")]);
    case "str": return g.pick<V>([str("definitely-not-a-mode"), str("SUM"), num(0), { k: "null" }, str("\u0000")]);
  }
}

function nestedData(g: Gen): V {
  return arr([arr([num(1), num(2)]), arr([num(g.int(3)), num(4)])]);
}

const defaultsCache = new Map<string, Map<string, string>>();
/** The schema's default texts by camelCase name ("'linear'", "-1", "None"). */
function defaultsOf(o: Overload): Map<string, string> {
  let m = defaultsCache.get(o.schema);
  if (m === undefined) {
    m = new Map();
    const open = o.schema.indexOf("(");
    const arrow = o.schema.lastIndexOf(") -> ");
    for (const a of splitArgs(o.schema.slice(open + 1, arrow))) {
      const x = ARG_RE.exec(a);
      if (x?.[3] !== undefined) m.set(x[2]!.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase()), x[3]);
    }
    defaultsCache.set(o.schema, m);
  }
  return m;
}

const OPTION_TYPOS = (name: string) => [name.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`), `${name}s`, "bogus", "requiresGrad", "out", "inplace"];

/** The arguments of one call of a generated target, by the calling rule of one of its overloads. */
function build(t: Target, g: Gen): V[] {
  const ctx: Ctx = { g, dtype: g.chance(0.6) ? "float32" : g.pick(ALL_DTYPES), shape: randomShape(g) };
  if (t.kind === "property") return [tensorV(ctx)];
  const overloads = t.entry.overloads;
  const o = overloads[g.int(overloads.length)]!;
  const defaults = defaultsOf(o);
  // A method's receiver is the schema's self (the first argument but for polygamma and
  // where.self); its arguments are the others, in schema order.
  const selfAt = t.kind === "method" ? Math.max(0, o.params.findIndex((p) => p.name === "self")) : -1;
  const params = o.params.filter((_, i) => i !== selfAt);
  const positionalCount = o.positionalCount - (selfAt >= 0 && selfAt < o.positionalCount ? 1 : 0);
  const self: V[] = t.kind === "method" ? [tensorV(ctx)] : [];
  // Positional up to a cut inside the parameters before `*`; later ones, when given, go in the options.
  const required = (p: Param) => !p.hasDefault && !p.optional && p.kind !== "Generator";
  let lastRequiredPositional = 0;
  for (let i = 0; i < positionalCount; i++) if (required(params[i]!)) lastRequiredPositional = i + 1;
  const cut = g.chance(0.75) ? lastRequiredPositional + g.int(positionalCount - lastRequiredPositional + 1) : g.int(positionalCount + 1);
  const positional: V[] = [];
  const options: Record<string, V> = {};
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    const value = g.chance(0.05) ? hostileFor(ctx, p) : valueFor(ctx, p, defaults);
    if (i < cut) {
      // A defaulted argument before the cut may be passed as undefined (its default) positionally.
      positional.push(!required(p) && g.chance(0.08) ? UNDEF : value);
    } else if (required(p) || g.chance(0.35)) options[p.name] = value;
  }
  if (g.chance(0.04)) {
    const names = params.map((p) => p.name);
    const typo = g.pick(OPTION_TYPOS(names.length > 0 ? g.pick(names) : "dim"));
    options[typo] = g.chance(0.5) ? bool(true) : num(1);
  }
  const withOptions = Object.keys(options).length > 0 || g.chance(0.05);
  return [...self, ...positional, ...(withOptions ? [obj(options)] : [])];
}

/** The generated surface's specs, weighted together to `share` of all calls against `handWritten` (the other specs' total weight). */
export function generatedSpecs(handWrittenWeight: number, share: number): Spec[] {
  const raw = TARGETS.map((t) => 1 + Math.min(3, (t.entry.overloads.length - 1) * 0.5));
  const total = raw.reduce((a, b) => a + b, 0);
  const scale = (handWrittenWeight * share) / (1 - share) / total;
  return TARGETS.map((t, k) => ({ fn: t.label, weight: raw[k]! * scale, build: (g: Gen) => build(t, g), tame: TAMED.find((x) => x.label.test(t.label))?.tame }));
}
