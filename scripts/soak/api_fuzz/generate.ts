// The API fuzzer's seeded call generator: call i of seed s depends on (s, i) only, so any call
// can be regenerated alone (`--replay i`). Each spec makes mostly valid arguments and then,
// often, swaps one or two of them for a hostile value.
import { generatedSpecs } from "./schema.js";
import { arr, big, bool, nums, num, obj, str, UNDEF, type V } from "./values.js";

export interface Call {
  i: number;
  fn: string;
  args: V[];
}

export function rngFor(seed: number, i: number): () => number {
  let a = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"] as const;
const BAD_DTYPES = ["float", "int", "torch.float32", "Float32", "uint16", "complex32", "", "double"];
const BAD_DEVICES = ["cuda", "cuda:99", "gpu", "cpu:0", "CUDA", "cuda:-1", "mps", "cuda:1.5", " cpu"];
const HOSTILE_NUMS = [NaN, Infinity, -Infinity, -0, 2 ** 53 + 1, 2 ** 40, 2 ** 62, 1.5, -1, 1e308, 5e-324, 2 ** 63, -2.5];
const HOSTILE_BIGS = [2n ** 53n + 1n, 2n ** 63n, -(2n ** 63n), 2n ** 64n, -1n, 0n, 300n, 2n ** 40n];

export class Gen {
  constructor(readonly r: () => number) {}
  int(n: number): number { return Math.floor(this.r() * n); }
  chance(p: number): boolean { return this.r() < p; }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]!; }

  hostileNum(): V { return num(this.pick(HOSTILE_NUMS)); }
  hostileBig(): V { return big(this.pick(HOSTILE_BIGS)); }
  /** Anything a caller might wrongly pass. */
  hostile(): V {
    switch (this.int(16)) {
      case 0: case 1: case 2: return this.hostileNum();
      case 3: return this.hostileBig();
      case 4: return str(this.pick(["3", "", "cuda", "float32", "abc", "1e3"]));
      case 5: return this.pick<V>([bool(true), { k: "null" }, UNDEF, { k: "sym" }]);
      case 6: return { k: "proxy", over: nums([2, 3]), throws: this.chance(0.6) };
      case 7: return { k: "throwing", trap: this.pick(["valueOf", "toString", "toPrimitive", "getter", "length"] as const) };
      case 8: return { k: "cyclic", kind: this.pick(["array", "object", "nested"] as const) };
      case 9: return { k: "arr", v: [num(2), num(3), num(4)], holes: [this.int(3)] };
      case 10: return { k: "tensor", data: nums([1, 2]), disposed: true };
      case 11: return { k: "typed", ctor: this.pick(["Float32Array", "Uint16Array", "BigUint64Array", "Float64Array", "Uint8ClampedArray"]), len: this.pick([0, 3, 6]) };
      case 12: return { k: "fn", body: this.pick(["throws", "returnsNumber"] as const) };
      case 13: return this.pick<V>([obj({}), arr([]), arr([arr([])]), obj({ length: num(2) })]);
      case 14: return this.tensor();
      default: return nums(Array.from({ length: this.int(4) }, () => this.int(4)));
    }
  }
  /** A size dimension: mostly valid, sometimes hostile. */
  dim(): V { return this.chance(0.85) ? num(this.int(4)) : this.chance(0.7) ? this.hostileNum() : this.hostile(); }
  shapeDims(): number[] { return Array.from({ length: this.int(4) }, () => this.int(4)); }
  size(): V {
    const v = this.shapeDims().map(num);
    if (this.chance(0.3) && v.length > 0) v[this.int(v.length)] = this.dim();
    return arr(v);
  }
  scalar(): V {
    switch (this.int(7)) {
      case 0: return num(this.int(7) - 3);
      case 1: return num(Math.round((this.r() * 10 - 5) * 4) / 4);
      case 2: case 3: return this.hostileNum();
      case 4: return this.hostileBig();
      case 5: return bool(this.chance(0.5));
      default: return this.chance(0.5) ? num(300) : num(-129);
    }
  }
  dtype(): V { return str(this.chance(0.9) ? this.pick(DTYPES) : this.pick(BAD_DTYPES)); }
  device(): V { return str(this.chance(0.5) ? "cpu" : this.pick(BAD_DEVICES)); }
  tensorOpts(): V {
    const o: Record<string, V> = {};
    if (this.chance(0.6)) o.dtype = this.dtype();
    if (this.chance(0.15)) o.device = this.device();
    if (this.chance(0.1)) o.requiresGrad = this.chance(0.5) ? bool(true) : this.hostile();
    if (this.chance(0.04)) o.requires_grad = bool(true);
    return obj(o);
  }
  /** A leaf value of a tensor's data for a dtype (hostile values allowed when `hostile`). */
  leaf(dtype: string | undefined, hostile: boolean): V {
    if (hostile && this.chance(0.3)) return this.chance(0.8) ? this.hostileNum() : this.hostileBig();
    if (dtype === "bool") return this.chance(0.5) ? bool(this.chance(0.5)) : num(this.int(2));
    if (dtype === "uint8") return num(this.int(256));
    if (dtype === "int8") return num(this.int(256) - 128);
    if (dtype !== undefined && dtype.startsWith("int")) return num(this.int(2001) - 1000);
    const specials = [NaN, Infinity, -Infinity, -0, 0.5, 1e-8];
    return num(this.chance(0.15) ? this.pick(specials) : Math.round((this.r() * 20 - 10) * 8) / 8);
  }
  /** Nested plain data of a shape. */
  data(shape: number[], dtype: string | undefined, hostile: boolean): V {
    if (shape.length === 0) return this.leaf(dtype, hostile);
    const leafKind = dtype === "int64" && this.chance(0.5) ? "big" : "num";
    const build = (d: number): V => d === shape.length
      ? (leafKind === "big" && !hostile ? big(BigInt(this.int(200) - 100)) : this.leaf(dtype, hostile))
      : arr(Array.from({ length: shape[d]! }, () => build(d + 1)));
    return build(0);
  }
  /** A valid tensor fixture (plain data), occasionally disposed or needing grad. */
  tensor(dtype?: string, shape?: number[]): V {
    const dt = dtype ?? (this.chance(0.5) ? "float32" : this.pick(DTYPES));
    const s = shape ?? (this.chance(0.2) ? [] : Array.from({ length: 1 + this.int(2) }, () => 1 + this.int(3)));
    const t: V = { k: "tensor", data: this.data(s, dt, false), dtype: dt };
    if (this.chance(0.03)) t.disposed = true;
    return t;
  }
  floatTensor(shape: number[], p = 0.08): V {
    return this.chance(p) ? this.hostile() : { k: "randn", shape, ...(this.chance(0.03) ? { dtype: this.pick(["float64", "int64", "float16"]) } : {}), ...(this.chance(0.02) ? { disposed: true } : {}) };
  }
  pair(): V { return this.chance(0.6) ? num(1 + this.int(3)) : arr([num(1 + this.int(3)), num(1 + this.int(3))]); }
  intArg(lo: number, hi: number): V { return this.chance(0.8) ? num(lo + this.int(hi - lo + 1)) : this.chance(0.6) ? this.hostileNum() : this.hostile(); }
}

type Build = (g: Gen) => V[];
export interface Spec {
  fn: string;
  build: Build;
  weight?: number;
  /** Applied to the final arguments (after the hostile swaps below): keeps a value out that is legitimately slow for this function. */
  tame?: (args: V[]) => V[];
}

const sized = (name: string): Spec => ({
  fn: `torch.${name}`,
  build: (g) => {
    const s = g.size();
    const form = g.int(3);
    const opts = g.chance(0.6) ? [g.tensorOpts()] : [];
    if (form === 0 && s.k === "arr") return [...s.v, ...opts] as V[];
    return [g.chance(0.9) ? s : g.hostile(), ...opts];
  },
  weight: 3,
});

const unary = ["neg", "sqrt", "rsqrt", "exp", "log", "log1p", "abs", "relu", "sigmoid", "tanh", "sin", "cos", "floor", "ceil", "round", "sign", "reciprocal", "logicalNot", "square"];
const binary = ["add", "sub", "mul", "div", "pow", "remainder", "eq", "ne", "lt", "le", "gt", "ge"];
const inplace = ["add_", "sub_", "mul_", "div_", "pow_", "fill_"];
const reductions = ["sum", "mean", "std", "var", "argmax", "argmin", "max", "min"];

/** Positional arguments (after self, before a trailing options object) the Tensor methods above take. */
export const METHOD_ARITY: Record<string, number> = Object.fromEntries([...unary.map((n) => [n, 0]), ...binary.map((n) => [n, 1]), ...inplace.map((n) => [n, 1]), ...reductions.map((n) => [n, 1]), ["clamp", 2]]);

/** Tensor method call: self is a tensor fixture (possibly with NaN/Inf/-0 values). */
const method = (name: string, rest: Build, weight = 1): Spec => ({ fn: `Tensor.${name}`, build: (g) => [g.tensor(), ...rest(g)], weight });
const maybe = (g: Gen, v: V): V => (g.chance(0.15) ? g.hostile() : v);

const HAND_WRITTEN: Spec[] = ([
  // ---- creation (oracle) ----
  ...["zeros", "ones", "empty", "rand", "randn"].map(sized),
  {
    fn: "torch.tensor", weight: 8,
    build: (g) => {
      const dt = g.chance(0.6) ? g.pick(DTYPES) : undefined;
      const shape = g.chance(0.2) ? [] : Array.from({ length: 1 + g.int(2) }, () => g.int(4));
      const data = g.chance(0.85) ? g.data(shape, dt, g.chance(0.5)) : g.hostile();
      const opts: Record<string, V> = {};
      if (dt !== undefined) opts.dtype = g.chance(0.95) ? str(dt) : g.dtype();
      if (g.chance(0.05)) opts.device = g.device();
      if (g.chance(0.03)) opts.shape = g.size();
      return g.chance(0.7) || dt !== undefined ? [data, obj(opts)] : [data];
    },
  },
  { fn: "torch.full", weight: 3, build: (g) => [maybe(g, g.size()), g.chance(0.9) ? g.scalar() : g.hostile(), ...(g.chance(0.7) ? [g.tensorOpts()] : [])] },
  {
    fn: "torch.arange", weight: 3,
    build: (g) => {
      const n = g.int(3) + 1;
      const xs = Array.from({ length: n }, (_, k) => (g.chance(0.25) ? (g.chance(0.8) ? g.hostileNum() : g.hostile()) : num(k === 2 ? g.pick([1, 2, -1, 0.5, 3]) : g.int(12) - 2)));
      return [...xs, ...(g.chance(0.6) ? [g.tensorOpts()] : [])];
    },
  },
  { fn: "torch.linspace", weight: 2, build: (g) => [g.chance(0.8) ? num(g.int(10) - 5) : g.hostileNum(), g.chance(0.8) ? num(g.int(10)) : g.hostileNum(), g.intArg(0, 6), ...(g.chance(0.5) ? [g.tensorOpts()] : [])] },
  { fn: "torch.randint", weight: 2, build: (g) => (g.chance(0.5) ? [g.intArg(1, 10), maybe(g, g.size())] : [g.intArg(-5, 0), g.intArg(1, 10), maybe(g, g.size())]).concat(g.chance(0.4) ? [g.tensorOpts()] : []) },
  ...["zerosLike", "onesLike", "emptyLike", "randLike", "randnLike"].map((n): Spec => ({ fn: `torch.${n}`, build: (g) => [g.chance(0.9) ? g.tensor(g.pick(["float32", "float64", "float16"])) : g.hostile(), ...(g.chance(0.5) ? [g.tensorOpts()] : [])] })),
  { fn: "torch.fullLike", build: (g) => [g.chance(0.9) ? g.tensor() : g.hostile(), g.scalar(), ...(g.chance(0.5) ? [g.tensorOpts()] : [])] },
  { fn: "torch.frombuffer", build: (g) => [g.chance(0.8) ? { k: "typed", ctor: g.pick(["Float32Array", "Uint8Array", "Float64Array"]), len: g.pick([0, 4, 6, 8]) } : g.hostile(), g.chance(0.8) ? obj({ dtype: g.dtype(), ...(g.chance(0.4) ? { shape: g.size() } : {}) }) : g.hostile()] },
  // ---- tensor math (oracle for plain arguments) ----
  ...unary.map((n) => method(n, () => [])),
  ...binary.map((n) => method(n, (g) => [g.chance(0.85) ? g.scalar() : g.chance(0.5) ? g.tensor() : g.hostile()], 2)),
  ...inplace.map((n) => method(n, (g) => [g.chance(0.85) ? g.scalar() : g.hostile()])),
  method("clamp", (g) => [g.chance(0.8) ? g.scalar() : { k: "null" } as V, ...(g.chance(0.6) ? [g.chance(0.8) ? g.scalar() : { k: "null" } as V] : [])], 2),
  method("add", (g) => [g.scalar(), obj({ alpha: g.chance(0.8) ? g.scalar() : g.hostile() })]),
  ...reductions.map((n) => method(n, (g) => {
    if (g.chance(0.25)) return [];
    const dim = g.chance(0.7) ? num(g.int(3) - 1) : g.chance(0.6) ? g.hostileNum() : g.hostile();
    if (g.chance(0.5)) return [dim];
    const o: Record<string, V> = { keepdim: g.chance(0.9) ? bool(g.chance(0.5)) : g.hostile() };
    if ((n === "sum" || n === "mean") && g.chance(0.4)) o.dtype = g.dtype();
    return [dim, obj(o)];
  }, 2)),
  method("to", (g) => [g.chance(0.7) ? g.dtype() : g.chance(0.5) ? g.device() : g.hostile()], 2),
  method("item", () => []),
  method("tolist", () => []),
  method("toString", () => []),
  method("toTypedArray", () => []),
  method("size", (g) => (g.chance(0.5) ? [] : [g.intArg(-2, 2)])),
  // ---- shape ----
  method("reshape", (g) => (g.chance(0.5) ? [maybe(g, arr(g.shapeDims().map(num)))] : g.shapeDims().map(num).map((d) => maybe(g, d)))),
  method("view", (g) => [maybe(g, arr(g.shapeDims().map(num)))]),
  method("expand", (g) => [maybe(g, arr([num(g.pick([-1, 2, 3])), num(g.pick([1, 2, -1]))]))]),
  method("permute", (g) => [maybe(g, arr([num(g.int(3) - 1), num(g.int(3) - 1)]))]),
  method("transpose", (g) => [g.intArg(-2, 1), g.intArg(-2, 1)]),
  method("flatten", (g) => (g.chance(0.5) ? [] : [g.intArg(-1, 1), g.intArg(-1, 1)])),
  method("squeeze", (g) => (g.chance(0.3) ? [] : [g.intArg(-2, 2)])),
  method("unsqueeze", (g) => [g.intArg(-2, 2)]),
  method("narrow", (g) => [g.intArg(-1, 1), g.intArg(0, 2), g.intArg(0, 2)]),
  method("select", (g) => [g.intArg(-1, 1), g.intArg(-2, 2)]),
  method("indexSelect", (g) => [g.intArg(-1, 1), g.chance(0.8) ? g.tensor("int64", [1 + g.int(2)]) : g.hostile()]),
  method("matmul", (g) => [g.chance(0.8) ? g.tensor() : g.hostile()]),
  method("backward", (g) => (g.chance(0.5) ? [] : [g.hostile()])),
  method("detach", () => []),
  method("clone", () => []),
  method("contiguous", (g) => (g.chance(0.5) ? [] : [obj({ memoryFormat: g.chance(0.5) ? str("channelsLast") : g.hostile() })])),
  method("requiresGrad_", (g) => (g.chance(0.3) ? [] : [g.chance(0.5) ? bool(true) : g.hostile()])),
  method("copy_", (g) => [g.chance(0.8) ? g.tensor() : g.hostile()]),
  method("lerp_", (g) => [g.chance(0.8) ? g.tensor("float32") : g.hostile(), g.scalar()]),
  method("addcmul_", (g) => [g.tensor("float32"), g.tensor("float32"), ...(g.chance(0.5) ? [obj({ value: g.scalar() })] : [])]),
  method("cuda", (g) => (g.chance(0.5) ? [] : [g.intArg(0, 99)])),
  // ---- functions ----
  { fn: "torch.cat", weight: 2, build: (g) => [g.chance(0.8) ? (() => { const a: V = { k: "arr", v: [g.tensor("float32", [2]), g.tensor(g.chance(0.8) ? "float32" : undefined, [g.int(3)])] }; if (g.chance(0.2)) a.holes = [g.int(2)]; return a; })() : g.hostile(), ...(g.chance(0.5) ? [g.intArg(-1, 1)] : [])] },
  { fn: "torch.stack", build: (g) => [g.chance(0.8) ? arr([g.tensor("float32", [2]), g.tensor("float32", [g.int(3)])]) : g.hostile(), ...(g.chance(0.5) ? [g.intArg(-1, 1)] : [])] },
  { fn: "torch.where", build: (g) => [g.chance(0.8) ? g.tensor("bool", [2]) : g.hostile(), g.chance(0.7) ? g.tensor("float32", [2]) : g.scalar(), g.chance(0.7) ? g.scalar() : g.hostile()] },
  ...["matmul", "maximum", "minimum"].map((n): Spec => ({ fn: `torch.${n}`, build: (g) => [g.chance(0.9) ? g.tensor() : g.hostile(), g.chance(0.8) ? g.tensor() : g.hostile()] })),
  // ---- nn layers: construction with hostile hyper-parameters, then a forward ----
  { fn: "nn.Conv2d", weight: 2, build: (g) => [g.intArg(1, 3), g.intArg(1, 3), g.chance(0.85) ? g.pair() : g.hostile(), ...(g.chance(0.5) ? [obj({ [g.pick(["stride", "padding", "dilation", "groups", "bias", "paddingMode", "padding_mode"])]: g.chance(0.5) ? g.pair() : g.hostile() })] : [])] },
  { fn: "nn.Conv2d#call", weight: 2, build: (g) => [arr([num(2), num(3), num(g.pick([1, 3]))]), g.floatTensor(g.pick([[1, 2, 5, 5], [2, 5, 5], [1, 3, 2, 2], [0, 2, 4, 4], [1, 2, 1, 1]]))] },
  { fn: "nn.Linear", build: (g) => [g.intArg(0, 4), g.intArg(0, 4), ...(g.chance(0.4) ? [obj({ [g.pick(["bias", "dtype", "device"])]: g.chance(0.5) ? g.dtype() : g.hostile() })] : [])] },
  { fn: "nn.Linear#call", weight: 2, build: (g) => [arr([num(3), num(2)]), g.floatTensor(g.pick([[2, 3], [3], [0, 3], [2, 4], [1, 1, 3]]))] },
  { fn: "nn.BatchNorm2d", build: (g) => [g.intArg(0, 4), ...(g.chance(0.6) ? [obj({ [g.pick(["eps", "momentum", "affine", "trackRunningStats"])]: g.chance(0.5) ? g.hostileNum() : g.hostile() })] : [])] },
  { fn: "nn.BatchNorm2d#call", weight: 2, build: (g) => [arr([num(2)]), g.floatTensor(g.pick([[2, 2, 3, 3], [1, 2, 1, 1], [2, 3, 2, 2], [2, 2]]))] },
  { fn: "nn.BatchNorm1d#call", build: (g) => [arr([num(3)]), g.floatTensor(g.pick([[2, 3], [1, 3], [4, 3, 5], [2, 4]]))] },
  { fn: "nn.MaxPool2d", build: (g) => [g.chance(0.8) ? g.pair() : g.hostile(), ...(g.chance(0.5) ? [obj({ [g.pick(["stride", "padding", "dilation", "ceilMode"])]: g.chance(0.5) ? g.pair() : g.hostile() })] : [])] },
  { fn: "nn.MaxPool2d#call", build: (g) => [arr([num(g.pick([2, 3, 9]))]), g.floatTensor(g.pick([[1, 1, 4, 4], [1, 4, 4], [1, 1, 1, 1], [1, 1, 0, 4]]))] },
  { fn: "nn.AvgPool2d#call", build: (g) => [arr([num(g.pick([2, 3]))]), g.floatTensor(g.pick([[1, 1, 4, 4], [1, 4, 4], [1, 1, 1, 1]]))] },
  { fn: "nn.AdaptiveAvgPool2d", build: (g) => [g.chance(0.7) ? g.pair() : g.hostile()] },
  { fn: "nn.AdaptiveAvgPool2d#call", build: (g) => [arr([g.chance(0.8) ? g.pair() : num(0)]), g.floatTensor(g.pick([[1, 2, 4, 4], [2, 4, 4], [1, 1, 0, 0]]))] },
  { fn: "nn.Dropout", build: (g) => (g.chance(0.3) ? [] : [g.chance(0.5) ? num(g.pick([0, 0.5, 1, 1.5, -0.1])) : g.hostile()]) },
  { fn: "nn.Dropout#call", build: (g) => [arr([num(g.pick([0, 0.5, 1]))]), g.floatTensor([2, 3])] },
  { fn: "nn.ReLU#call", build: (g) => [arr(g.chance(0.5) ? [] : [obj({ inplace: g.chance(0.5) ? bool(true) : g.hostile() })]), g.floatTensor([2, 3], 0.2)] },
  { fn: "nn.Flatten#call", build: (g) => [arr(g.chance(0.5) ? [] : [g.intArg(-1, 2), g.intArg(-1, 2)]), g.floatTensor([2, 3, 2])] },
  { fn: "nn.CrossEntropyLoss", build: (g) => (g.chance(0.2) ? [] : [obj({ [g.pick(["reduction", "ignoreIndex", "labelSmoothing", "weight"])]: g.chance(0.3) ? str(g.pick(["mean", "sum", "none", "avg"])) : g.chance(0.5) ? g.hostileNum() : g.hostile() })]) },
  { fn: "nn.CrossEntropyLoss#call", weight: 2, build: (g) => [arr([]), g.floatTensor([3, 4]), g.chance(0.8) ? g.tensor("int64", [3]) : g.chance(0.5) ? { k: "tensor", data: arr([big(0n), big(g.pick([-5n, 4n, 2n ** 40n])), big(1n)]), dtype: "int64" } : g.hostile()] },
  { fn: "nn.MSELoss#call", build: (g) => [arr([]), g.floatTensor([2, 3]), g.chance(0.8) ? g.floatTensor(g.pick([[2, 3], [3], [2, 2]])) : g.hostile()] },
  { fn: "nn.Sequential", build: (g) => Array.from({ length: g.int(3) }, () => (g.chance(0.7) ? { k: "module", name: "ReLU", args: [] } : g.hostile())) },
  { fn: "Module.stateDict/loadStateDict", build: (g) => [g.chance(0.6) ? obj({ weight: g.chance(0.5) ? g.tensor("float32", [2, 3]) : g.hostile(), bias: g.tensor("float32", [2]) }) : g.hostile(), ...(g.chance(0.4) ? [obj({ strict: g.chance(0.5) ? bool(false) : g.hostile() })] : [])] },
  { fn: "Module.to", build: (g) => [g.chance(0.5) ? g.dtype() : g.chance(0.5) ? g.device() : g.hostile()] },
  // ---- nn.functional ----
  { fn: "F.relu", build: (g) => [g.floatTensor([2, 3], 0.2)] },
  { fn: "F.softmax", build: (g) => [g.floatTensor([2, 3], 0.1), g.intArg(-2, 1)] },
  { fn: "F.logSoftmax", build: (g) => [g.floatTensor([2, 3], 0.1), g.intArg(-2, 1), ...(g.chance(0.3) ? [obj({ dtype: g.dtype() })] : [])] },
  { fn: "F.dropout", build: (g) => [g.floatTensor([2, 3], 0.1), ...(g.chance(0.7) ? [obj({ p: g.chance(0.6) ? num(g.pick([0, 0.3, 1])) : g.hostile(), training: g.chance(0.8) ? bool(true) : g.hostile() })] : [])] },
  { fn: "F.linear", build: (g) => [g.floatTensor([2, 3]), g.floatTensor(g.pick([[4, 3], [3, 4], [3]])), ...(g.chance(0.5) ? [g.chance(0.7) ? g.floatTensor([4]) : { k: "null" }] : [])] },
  { fn: "F.conv2d", build: (g) => [g.floatTensor([1, 2, 4, 4]), g.floatTensor(g.pick([[3, 2, 3, 3], [3, 1, 3, 3], [3, 2, 5, 5]])), ...(g.chance(0.5) ? [{ k: "null" } as V, obj({ [g.pick(["stride", "padding", "dilation", "groups"])]: g.chance(0.5) ? g.pair() : g.hostile() })] : [])] },
  { fn: "F.maxPool2d", build: (g) => [g.floatTensor([1, 1, 4, 4]), g.chance(0.8) ? g.pair() : g.hostile(), ...(g.chance(0.4) ? [obj({ [g.pick(["stride", "padding", "dilation", "ceilMode"])]: g.chance(0.5) ? g.pair() : g.hostile() })] : [])] },
  { fn: "F.avgPool2d", build: (g) => [g.floatTensor([1, 1, 4, 4]), g.chance(0.8) ? g.pair() : g.hostile()] },
  { fn: "F.adaptiveAvgPool2d", build: (g) => [g.floatTensor([1, 2, 4, 4]), g.chance(0.8) ? g.pair() : g.hostile()] },
  { fn: "F.crossEntropy", build: (g) => [g.floatTensor([3, 4]), g.chance(0.8) ? g.tensor("int64", [3]) : g.hostile(), ...(g.chance(0.5) ? [obj({ [g.pick(["reduction", "ignoreIndex", "labelSmoothing", "weight"])]: g.chance(0.5) ? g.hostileNum() : g.hostile() })] : [])] },
  { fn: "F.nllLoss", build: (g) => [g.floatTensor([3, 4]), g.chance(0.8) ? g.tensor("int64", [3]) : g.hostile()] },
  { fn: "F.mseLoss", build: (g) => [g.floatTensor([2, 3]), g.floatTensor(g.pick([[2, 3], [3], [4]])), ...(g.chance(0.3) ? [obj({ reduction: g.chance(0.5) ? str("sum") : g.hostile() })] : [])] },
  { fn: "F.batchNorm", build: (g) => [g.floatTensor([2, 3]), g.chance(0.6) ? g.floatTensor([3]) : { k: "null" }, g.chance(0.6) ? g.floatTensor([3]) : { k: "null" }, ...(g.chance(0.5) ? [obj({ [g.pick(["training", "momentum", "eps", "weight", "bias"])]: g.chance(0.5) ? g.hostileNum() : g.hostile() })] : [])] },
  { fn: "F.flatten", build: (g) => [g.floatTensor([2, 3, 2]), g.intArg(-1, 2), g.intArg(-1, 2)] },
  // ---- nn.init ----
  ...["uniform_", "normal_", "constant_", "zeros_", "ones_", "kaimingUniform_", "kaimingNormal_", "xavierUniform_", "xavierNormal_", "truncNormal_"].map((n): Spec => ({
    fn: `init.${n}`,
    build: (g) => [g.floatTensor(g.pick([[2, 3], [3], [2, 2, 3, 3], []]), 0.15), ...(g.chance(0.5) ? [n.startsWith("kaiming") || n === "truncNormal_" ? obj({ [g.pick(["a", "mode", "nonlinearity", "mean", "std", "b"])]: g.chance(0.5) ? g.hostileNum() : g.hostile() }) : g.chance(0.5) ? g.hostileNum() : g.hostile()] : [])],
  })),
  { fn: "init.calculateGain", build: (g) => [g.chance(0.6) ? str(g.pick(["relu", "leaky_relu", "tanh", "selu", "linear", "Relu", ""])) : g.hostile(), ...(g.chance(0.5) ? [g.hostileNum()] : [])] },
  // ---- optim ----
  ...["SGD", "Adam", "AdamW"].map((n): Spec => ({
    fn: `optim.${n}#step`, weight: 2,
    build: (g) => {
      const o: Record<string, V> = {};
      if (n === "SGD" || g.chance(0.5)) o.lr = g.chance(0.6) ? num(g.pick([0.1, 0.01, 0])) : g.chance(0.6) ? g.hostileNum() : g.hostile();
      if (g.chance(0.5)) o[g.pick(["momentum", "weightDecay", "betas", "eps", "nesterov", "dampening", "amsgrad", "maximize", "foreach", "weight_decay"])] = g.chance(0.3) ? arr([g.hostileNum(), num(0.9)]) : g.chance(0.5) ? g.hostileNum() : g.hostile();
      const params: V = g.chance(0.85) ? arr([{ k: "randn", shape: [2, 2], requiresGrad: true }]) : g.hostile();
      const garbage: V = g.chance(0.3) ? g.hostileNum() : UNDEF; // set on paramGroups[0].lr after construction (known)
      return [params, obj(o), garbage];
    },
  })),
  ...["StepLR", "MultiStepLR", "CosineAnnealingLR", "OneCycleLR"].map((n): Spec => ({
    fn: `optim.${n}`,
    build: (g) => {
      const key = { StepLR: "stepSize", MultiStepLR: "milestones", CosineAnnealingLR: "tMax", OneCycleLR: "maxLr" }[n]!;
      const o: Record<string, V> = { [key]: g.chance(0.5) ? (key === "milestones" ? nums([1, 2]) : num(2)) : g.chance(0.5) ? g.hostileNum() : g.hostile() };
      if (n === "OneCycleLR") o.totalSteps = g.chance(0.7) ? num(5) : g.hostileNum();
      if (g.chance(0.4)) o[g.pick(["gamma", "lastEpoch", "etaMin"])] = g.chance(0.5) ? g.hostileNum() : g.hostile();
      return [obj(o), g.intArg(0, 3)];
    },
  })),
  // ---- data ----
  {
    fn: "data.DataLoader", weight: 2,
    build: (g) => {
      const ds: V = g.chance(0.85) ? { k: "dataset", kind: g.pick(["good", "good", "noLength", "badLabel", "throws", "nanLength", "hugeLength", "badShape", "rejects"] as const) } : g.hostile();
      const o: Record<string, V> = {};
      if (g.chance(0.6)) o[g.pick(["batchSize", "shuffle", "dropLast", "seed", "numWorkers", "prefetchFactor", "batch_size"])] = g.chance(0.4) ? num(g.int(4)) : g.chance(0.5) ? g.hostileNum() : g.hostile();
      return [ds, g.chance(0.9) ? obj(o) : g.hostile()];
    },
  },
  // ---- serialization ----
  {
    fn: "torch.save/load", weight: 2,
    build: (g) => {
      const what: V = g.chance(0.6) ? obj({ w: g.tensor(), n: num(g.int(5)), s: str("x") }) : g.chance(0.5) ? g.tensor() : g.hostile();
      const p: V = g.chance(0.85) ? { k: "path", kind: "tmp" } : g.chance(0.5) ? { k: "path", kind: g.pick(["dir", "missing", "empty", "devNull"] as const) } : g.hostile();
      return [what, p, ...(g.chance(0.3) ? [obj({ [g.pick(["fsync", "mapLocation", "checkCrc", "weightsOnly"])]: g.chance(0.4) ? g.pick<V>([bool(false), str("cpu"), str("cuda")]) : g.hostile() })] : [])];
    },
  },
  { fn: "torch.load", build: (g) => [g.chance(0.7) ? { k: "path", kind: g.pick(["devNull", "dir", "missing", "empty", "devZero"] as const) } : g.hostile(), ...(g.chance(0.3) ? [obj({ mapLocation: g.chance(0.5) ? g.device() : g.hostile() })] : [])] },
  { fn: "torch.loadAsync", build: (g) => [g.chance(0.7) ? { k: "path", kind: g.pick(["devNull", "dir", "missing", "empty", "devZero", "tmp"] as const) } : g.hostile(), ...(g.chance(0.3) ? [obj({ mapLocation: g.chance(0.5) ? g.device() : g.hostile() })] : [])] },
  // ---- runtime, threads, grad mode, memory ----
  { fn: "torch.setNumThreads", build: (g) => [g.chance(0.4) ? num(1 + g.int(4)) : g.chance(0.6) ? g.hostileNum() : g.hostile()] },
  { fn: "torch.manualSeed", build: (g) => [g.chance(0.4) ? num(g.int(100)) : g.chance(0.5) ? (g.chance(0.5) ? g.hostileNum() : g.hostileBig()) : g.hostile()] },
  { fn: "torch.device", build: (g) => [g.chance(0.5) ? g.device() : g.hostile()] },
  { fn: "torch.noGrad", build: (g) => [g.chance(0.7) ? { k: "fn", body: g.pick(["throws", "returnsTensor", "returnsNumber", "asyncTensor", "asyncThrows"] as const) } : g.hostile()] },
  { fn: "torch.enableGrad", build: (g) => [g.chance(0.7) ? { k: "fn", body: g.pick(["throws", "returnsTensor", "returnsNumber"] as const) } : g.hostile()] },
  { fn: "torch.tidy", build: (g) => [g.chance(0.7) ? { k: "fn", body: g.pick(["throws", "returnsTensor", "returnsNumber", "asyncThrows"] as const) } : g.hostile()] },
  { fn: "torch.setGradEnabled", build: (g) => [g.chance(0.4) ? bool(true) : g.hostile()] },
  { fn: "torch.liveTensors", build: (g) => (g.chance(0.3) ? [] : [g.chance(0.4) ? obj({ allThreads: g.hostile() }) : g.hostile()]) },
  { fn: "torch.dispose", build: (g) => [g.hostile(), g.tensor()] },
  // ---- forwardAsync ----
  { fn: "Module.forwardAsync", weight: 2, build: (g) => [arr([num(3), num(2)]), g.chance(0.8) ? g.floatTensor(g.pick([[2, 3], [1, 3], [3], [2, 4]])) : g.hostile(), bool(g.chance(0.5))] },
] as Spec[]);

/**
 * Every spec: the hand-written ones above, and one per generated function (schema.ts), weighted
 * so that GENERATED_SHARE of the calls go to the generated surface (~1,300 functions whose
 * arguments come from their schemas) and the rest keep the hand-picked specs' mix.
 */
export const GENERATED_SHARE = 0.6;
const handWrittenWeight = HAND_WRITTEN.reduce((a, s) => a + (s.weight ?? 1), 0);
export const SPECS: Spec[] = [...HAND_WRITTEN, ...generatedSpecs(handWrittenWeight, GENERATED_SHARE)];

const TOTAL = SPECS.reduce((a, s) => a + (s.weight ?? 1), 0);

/** Call i of `seed`. */
export function generate(seed: number, i: number): Call {
  const g = new Gen(rngFor(seed, i));
  let x = g.r() * TOTAL;
  let spec = SPECS[0]!;
  for (const s of SPECS) {
    x -= s.weight ?? 1;
    if (x < 0) { spec = s; break; }
  }
  const args = spec.build(g);
  // Sometimes a hostile value replaces one argument, or an extra argument is appended.
  // (Never the receiver: a Tensor method's self, a layer's constructor arguments.)
  const first = spec.fn.startsWith("Tensor.") || spec.fn.endsWith("#call") || spec.fn === "Module.forwardAsync" ? 1 : 0;
  if (args.length > first && g.chance(0.12)) args[first + g.int(args.length - first)] = g.hostile();
  else if (g.chance(0.03)) args.push(g.hostile());
  return { i, fn: spec.fn, args: spec.tame ? spec.tame(args) : args };
}
