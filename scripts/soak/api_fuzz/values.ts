// The API fuzzer's argument values as JSON descriptors: a call is {fn, args: V[]}, so it can be
// printed, replayed, rendered as one line of TypeScript, and (for the oracle subset) turned
// into the equivalent Python call. materialize() makes the real JS value (Proxies, throwing
// getters, cyclic arrays, disposed tensors…) at execution time.
import fs from "node:fs";
import path from "node:path";
import * as torch from "../../../lib/index.js";

export type Num = number | "NaN" | "Inf" | "-Inf" | "-0";
export type V =
  | { k: "num"; v: Num }
  | { k: "big"; v: string }
  | { k: "str"; v: string }
  | { k: "bool"; v: boolean }
  | { k: "null" }
  | { k: "undef" }
  | { k: "sym" }
  | { k: "arr"; v: V[]; holes?: number[] }
  | { k: "obj"; v: Record<string, V> }
  | { k: "cyclic"; kind: "array" | "object" | "nested" }
  | { k: "proxy"; over: V; throws: boolean }
  | { k: "throwing"; trap: "valueOf" | "toString" | "toPrimitive" | "getter" | "length" }
  /**
   * A tensor made by torch.tensor from plain data (data: a nested "arr" of num/big/bool), then
   * optionally viewed: its last two dims swapped (non-contiguous) or its size-1 first dim
   * expanded (stride 0): kernels that read data_ptr as if contiguous meet these.
   */
  | { k: "tensor"; data: V; dtype?: string; disposed?: boolean; requiresGrad?: boolean; view?: { transpose: true } | { expand: number[] } }
  /** A random float tensor of a shape (for layers). */
  | { k: "randn"; shape: number[]; dtype?: string; disposed?: boolean; requiresGrad?: boolean }
  | { k: "module"; name: string; args: V[] }
  | { k: "fn"; body: "throws" | "returnsTensor" | "asyncThrows" | "returnsNumber" | "asyncTensor" }
  | { k: "dataset"; kind: "good" | "noLength" | "badLabel" | "throws" | "nanLength" | "hugeLength" | "badShape" | "rejects" }
  | { k: "path"; kind: "tmp" | "devZero" | "dir" | "missing" | "empty" | "devNull" }
  | { k: "typed"; ctor: string; len: number };

export const num = (v: number): V => ({ k: "num", v: Number.isNaN(v) ? "NaN" : v === Infinity ? "Inf" : v === -Infinity ? "-Inf" : Object.is(v, -0) ? "-0" : v });
export const big = (v: bigint): V => ({ k: "big", v: String(v) });
export const str = (v: string): V => ({ k: "str", v });
export const bool = (v: boolean): V => ({ k: "bool", v });
export const arr = (v: V[]): V => ({ k: "arr", v });
export const obj = (v: Record<string, V>): V => ({ k: "obj", v });
export const nums = (xs: number[]): V => arr(xs.map(num));
export const UNDEF: V = { k: "undef" };

export function numValue(n: Num): number {
  return n === "NaN" ? NaN : n === "Inf" ? Infinity : n === "-Inf" ? -Infinity : n === "-0" ? -0 : n;
}

/** Errors the fuzzer's own hostile values throw: propagating one unchanged is correct. */
export class FuzzValueError extends Error {
  constructor(what: string) {
    super(`fuzz value trap: ${what}`);
    this.name = "FuzzValueError";
  }
}

/** What materialize() made that must be freed after the call. */
export interface Made {
  tensors: torch.Tensor[];
  modules: torch.nn.Module[];
  tmpDir: string;
}

const thrower = (what: string) => () => { throw new FuzzValueError(what); };

export function materialize(v: V, made: Made): unknown {
  switch (v.k) {
    case "num": return numValue(v.v);
    case "big": return BigInt(v.v);
    case "str": return v.v;
    case "bool": return v.v;
    case "null": return null;
    case "undef": return undefined;
    case "sym": return Symbol("fuzz");
    case "arr": {
      const a = v.v.map((x) => materialize(x, made));
      for (const h of v.holes ?? []) delete a[h];
      return a;
    }
    case "obj": return Object.fromEntries(Object.entries(v.v).map(([key, x]) => [key, materialize(x, made)]));
    case "cyclic": {
      if (v.kind === "array") { const a: unknown[] = [1, 2]; a.push(a); return a; }
      if (v.kind === "nested") { const a: unknown[] = [[1, 2], [3, 4]]; (a[1] as unknown[])[1] = a; return a; }
      const o: Record<string, unknown> = { lr: 0.1 }; o.self = o; return o;
    }
    case "proxy": {
      const target = materialize(v.over, made) as object;
      if (!v.throws) return new Proxy(target, {});
      const trap = thrower("proxy trap");
      return new Proxy(target, { get: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap });
    }
    case "throwing": {
      const o: Record<PropertyKey, unknown> = {};
      if (v.trap === "valueOf") o.valueOf = thrower("valueOf");
      else if (v.trap === "toString") { o.toString = thrower("toString"); o.valueOf = thrower("valueOf"); }
      else if (v.trap === "toPrimitive") o[Symbol.toPrimitive] = thrower("Symbol.toPrimitive");
      else if (v.trap === "length") { const a = [1, 2]; Object.defineProperty(a, 0, { get: thrower("index getter") }); return a; }
      else for (const key of ["lr", "dtype", "device", "batchSize", "length", "getItem", "data", "shape", "requiresGrad", "keepdim", "alpha"]) {
        Object.defineProperty(o, key, { get: thrower(`getter ${key}`), enumerable: true });
      }
      return o;
    }
    case "tensor": {
      let t = torch.tensor(materialize(v.data, made) as torch.TensorData, v.dtype === undefined ? {} : { dtype: v.dtype as torch.DType });
      made.tensors.push(t);
      if (v.requiresGrad) t.requiresGrad_(true);
      if (v.view !== undefined) {
        t = "expand" in v.view ? t.expand(v.view.expand) : t.transpose(-2, -1);
        made.tensors.push(t);
      }
      if (v.disposed) t.dispose();
      return t;
    }
    case "randn": {
      const t = torch.randn(v.shape, v.dtype === undefined ? {} : { dtype: v.dtype as torch.DType });
      made.tensors.push(t);
      if (v.requiresGrad) t.requiresGrad_(true);
      if (v.disposed) t.dispose();
      return t;
    }
    case "module": {
      const nn = torch.nn as unknown as Record<string, new (...a: unknown[]) => torch.nn.Module>;
      const m = new nn[v.name]!(...v.args.map((x) => materialize(x, made)));
      made.modules.push(m);
      return m;
    }
    case "fn":
      switch (v.body) {
        case "throws": return thrower("callback");
        case "returnsTensor": return () => torch.ones(2);
        case "asyncThrows": return async () => { throw new FuzzValueError("async callback"); };
        case "asyncTensor": return async () => torch.ones(2);
        default: return () => 42;
      }
    case "dataset": return dataset(v.kind);
    case "path": {
      switch (v.kind) {
        case "tmp": return path.join(made.tmpDir, `f${Math.random().toString(36).slice(2)}.pth`);
        case "devZero": return "/dev/zero";
        case "devNull": return "/dev/null";
        case "dir": return made.tmpDir;
        case "missing": return path.join(made.tmpDir, "no", "such", "file.pth");
        default: return "";
      }
    }
    case "typed": {
      const C = (globalThis as unknown as Record<string, new (n: number) => unknown>)[v.ctor]!;
      return new C(v.len);
    }
  }
}

function dataset(kind: string): unknown {
  const item = (i: number): [unknown, unknown] => [{ data: new Float32Array(4).fill(i), shape: [1, 2, 2] }, i % 3];
  switch (kind) {
    case "noLength": return { getItem: item };
    case "nanLength": return { length: NaN, getItem: item };
    case "hugeLength": return { length: 2 ** 53, getItem: item };
    case "badLabel": return { length: 4, getItem: (i: number) => [{ data: new Float32Array(4), shape: [1, 2, 2] }, [NaN, "x", 2 ** 64, undefined][i]] };
    case "badShape": return { length: 4, getItem: (i: number) => [{ data: new Float32Array(4), shape: [[1, 2, 2], [2, 2, 2], [-1, 4], [1.5, 2]][i] }, 0] };
    case "throws": return { length: 4, getItem: thrower("getItem") };
    case "rejects": return { length: 4, getItem: async () => { throw new FuzzValueError("async getItem"); } };
    default: return { length: 5, getItem: item };
  }
}

/** One line of TypeScript that makes the value (for replayable failure reports). */
export function source(v: V): string {
  switch (v.k) {
    case "num": return v.v === "NaN" ? "NaN" : v.v === "Inf" ? "Infinity" : v.v === "-Inf" ? "-Infinity" : v.v === "-0" ? "-0" : String(v.v);
    case "big": return `${v.v}n`;
    case "str": return JSON.stringify(v.v);
    case "bool": return String(v.v);
    case "null": return "null";
    case "undef": return "undefined";
    case "sym": return 'Symbol("fuzz")';
    case "arr": {
      const items = v.v.map((x, i) => (v.holes?.includes(i) ? "" : source(x)));
      return `[${items.join(", ")}${v.holes?.includes(v.v.length - 1) ? "," : ""}]`;
    }
    case "obj": return `{ ${Object.entries(v.v).map(([key, x]) => `${/^[A-Za-z_]\w*$/.test(key) ? key : JSON.stringify(key)}: ${source(x)}`).join(", ")} }`;
    case "cyclic": return v.kind === "array" ? "((a) => (a.push(a), a))([1, 2])" : v.kind === "nested" ? "((a) => (a[1][1] = a, a))([[1, 2], [3, 4]])" : "((o) => (o.self = o, o))({ lr: 0.1 })";
    case "proxy": return v.throws ? `new Proxy(${source(v.over)}, { get() { throw new Error("trap"); }, ownKeys() { throw new Error("trap"); } })` : `new Proxy(${source(v.over)}, {})`;
    case "throwing":
      return v.trap === "valueOf" ? "{ valueOf() { throw new Error(\"valueOf\"); } }"
        : v.trap === "toString" ? "{ toString() { throw new Error(\"toString\"); }, valueOf() { throw new Error(\"valueOf\"); } }"
          : v.trap === "toPrimitive" ? "{ [Symbol.toPrimitive]() { throw new Error(\"toPrimitive\"); } }"
            : v.trap === "length" ? "Object.defineProperty([1, 2], 0, { get() { throw new Error(\"getter\"); } })"
              : "{ get lr() { throw new Error(\"getter\"); } /* and dtype, device, batchSize, length, … */ }";
    case "tensor": {
      const opts = v.dtype === undefined ? "" : `, { dtype: "${v.dtype}" }`;
      const view = v.view === undefined ? "" : "expand" in v.view ? `.expand([${v.view.expand.join(", ")}])` : ".transpose(-2, -1)";
      const base = `torch.tensor(${source(v.data)}${opts})${v.requiresGrad ? ".requiresGrad_()" : ""}${view}`;
      return v.disposed ? `((t) => (t.dispose(), t))(${base})` : base;
    }
    case "randn": {
      const base = `torch.randn([${v.shape.join(", ")}]${v.dtype === undefined ? "" : `, { dtype: "${v.dtype}" }`})${v.requiresGrad ? ".requiresGrad_()" : ""}`;
      return v.disposed ? `((t) => (t.dispose(), t))(${base})` : base;
    }
    case "module": return `new torch.nn.${v.name}(${v.args.map(source).join(", ")})`;
    case "fn":
      return v.body === "throws" ? "() => { throw new Error(\"callback\"); }" : v.body === "returnsTensor" ? "() => torch.ones(2)"
        : v.body === "asyncThrows" ? "async () => { throw new Error(\"async\"); }" : v.body === "asyncTensor" ? "async () => torch.ones(2)" : "() => 42";
    case "dataset": return `/* dataset:${v.kind} */ { length: 5, getItem: (i) => [{ data: new Float32Array(4), shape: [1, 2, 2] }, i % 3] }`;
    case "path": return { tmp: '"/tmp/x.pth"', devZero: '"/dev/zero"', devNull: '"/dev/null"', dir: '"/tmp"', missing: '"/tmp/no/such/file.pth"', empty: '""' }[v.kind];
    case "typed": return `new ${v.ctor}(${v.len})`;
  }
}

/** Plain data the oracle can send to Python: no Proxies, traps, cycles, holes or disposed tensors. */
export function isPlain(v: V): boolean {
  switch (v.k) {
    case "num": case "big": case "str": case "bool": case "null": case "undef": return true;
    case "arr": return (v.holes?.length ?? 0) === 0 && v.v.every(isPlain);
    case "obj": return Object.values(v.v).every(isPlain);
    case "tensor": return !v.disposed && v.view === undefined && isPlain(v.data);
    default: return false;
  }
}

export function makeTmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(fs.realpathSync("/tmp"), prefix));
}
