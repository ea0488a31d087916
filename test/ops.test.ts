// Tensor ops against PyTorch: every case runs once through torch-ts and once, as the Python
// expression beside it, through Debian's torch (test/reference/ops.py, one process for all).
// Inputs come from a seeded PRNG (float32-exact) and are bound by name on both sides.
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { runReference } from "./reference/python.js";

type Value = number | boolean | string; // string: "NaN" / "Infinity" / "-Infinity" from JSON
interface Spec { shape: number[]; dtype: torch.DType; data: (number | boolean)[] }
interface Result { shape: number[]; dtype: string; values: Value[] }
type Reference = Result | Result[] | { error: string };
type X = Record<string, torch.Tensor>;
interface Case { name: string; ts: (x: X) => torch.Tensor | torch.Tensor[]; py: string }

const prng = torch.vision.transforms.mulberry32; // seedable, identical on every platform
const rnd = prng(20240601);
const numel = (shape: number[]) => shape.reduce((p, d) => p * d, 1);
/** Uniform floats in [lo, hi), rounded to float32 so JSON carries them exactly. */
const floats = (shape: number[], lo: number, hi: number, dtype: torch.DType = "float32"): Spec => ({
  shape, dtype, data: Array.from({ length: numel(shape) }, () => Math.fround(lo + (hi - lo) * rnd())),
});
/** Uniform integers in [lo, hi). */
const ints = (shape: number[], lo: number, hi: number, dtype: torch.DType = "int64"): Spec => ({
  shape, dtype, data: Array.from({ length: numel(shape) }, () => lo + Math.floor((hi - lo) * rnd())),
});
const fixed = (shape: number[], dtype: torch.DType, data: (number | boolean)[]): Spec => ({ shape, dtype, data });

const INPUTS: Record<string, Spec> = {
  a: floats([2, 3], -2, 2), b: floats([2, 3], -2, 2), e: floats([2, 3], -1, 1), w: floats([2, 3], 0, 1),
  v3: floats([3], -2, 2), v4: floats([4], -2, 2), col: floats([4, 1], -3, 3), row: floats([1, 5], -3, 3),
  t3: floats([2, 3, 4], -2, 2), m31: floats([3, 1], 0.5, 2), d31: floats([3, 1], -1, 1, "float64"),
  p: floats([3, 4], 0.1, 4), u: floats([3, 4], -3, 3), m34: floats([3, 4], -1, 1), m45: floats([4, 5], -1, 1),
  dv: fixed([4], "float32", [1.5, -2, 0.75, -0.5]),
  ties: fixed([8], "float32", [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -0.25, 0.75]),
  special: fixed([6], "float32", [-1, 0, 1, 4, 0.25, -0.5]),
  i: ints([2, 3], -10, 10), j: ints([2, 3], 1, 6), i32: ints([3], -5, 5, "int32"),
  u8: ints([4], 0, 256, "uint8"), i8: ints([4], -128, 128, "int8"),
  mask: fixed([2, 3], "bool", [true, false, false, true, true, false]),
  idx: fixed([3], "int64", [2, 0, 2]),
};

const c = (name: string, ts: Case["ts"], py: string): Case => ({ name, ts, py });
const CASES: Case[] = [
  // ---- arithmetic, broadcasting and type promotion ----
  c("add [2,3]+[3]", (x) => x.a!.add(x.v3!), "a.add(v3)"),
  c("add tensor alpha=2", (x) => x.a!.add(x.b!, { alpha: 2 }), "a.add(b, alpha=2)"),
  c("sub [4,1]-[1,5] alpha=0.5", (x) => x.col!.sub(x.row!, { alpha: 0.5 }), "col.sub(row, alpha=0.5)"),
  c("mul [4,1]*[1,5]", (x) => x.col!.mul(x.row!), "col.mul(row)"),
  c("div 3-D [2,3,4]/[3,1]", (x) => x.t3!.div(x.m31!), "t3.div(m31)"),
  c("add 3-D [2,3,4]+[4]", (x) => x.t3!.add(x.v4!), "t3.add(v4)"),
  c("pow tensor exponent broadcast", (x) => x.p!.pow(x.v4!), "p.pow(v4)"),
  c("pow scalar 2", (x) => x.u!.pow(2), "u.pow(2)"),
  c("pow scalar 0.5 of negatives is NaN", (x) => x.u!.pow(0.5), "u.pow(0.5)"),
  c("remainder tensor, mixed signs", (x) => x.u!.remainder(x.dv!), "u.remainder(dv)"),
  c("remainder float scalar", (x) => x.u!.remainder(1.25), "u.remainder(1.25)"),
  c("remainder int64 by 3", (x) => x.i!.remainder(3), "i.remainder(3)"),
  c("remainder int64 by -4", (x) => x.i!.remainder(-4), "i.remainder(-4)"),
  c("add scalar 1.5", (x) => x.a!.add(1.5), "a.add(1.5)"),
  c("sub scalar with alpha", (x) => x.a!.sub(2, { alpha: 3 }), "a.sub(2, alpha=3)"),
  c("add bigint scalar to float32", (x) => x.a!.add(2n), "a.add(2)"),
  c("int64 + 3 stays int64", (x) => x.i!.add(3), "i.add(3)"),
  c("int64 * 1.5 becomes float32", (x) => x.i!.mul(1.5), "i.mul(1.5)"),
  c("int64 pow 2 stays int64", (x) => x.i!.pow(2), "i.pow(2)"),
  c("int64 / int64 is true division", (x) => x.i!.div(x.j!), "i.div(j)"),
  c("int64 / 4 is true division", (x) => x.i!.div(4), "i.div(4)"),
  c("int32 + int64 -> int64", (x) => x.i32!.add(x.i!), "i32.add(i)"),
  c("uint8 + int8 -> int16", (x) => x.u8!.add(x.i8!), "u8.add(i8)"),
  c("float32 [2,3,4] + float64 [3,1] -> float64", (x) => x.t3!.add(x.d31!), "t3.add(d31)"),
  c("int64 + float32 -> float32", (x) => x.i!.add(x.a!), "i.add(a)"),
  c("bool + 1 -> int64", (x) => x.mask!.add(1), "mask.add(1)"),
  // ---- unary ----
  c("neg", (x) => x.u!.neg(), "u.neg()"),
  c("sqrt", (x) => x.p!.sqrt(), "p.sqrt()"),
  c("rsqrt", (x) => x.p!.rsqrt(), "p.rsqrt()"),
  c("exp", (x) => x.u!.exp(), "u.exp()"),
  c("log", (x) => x.p!.log(), "p.log()"),
  c("log1p", (x) => x.p!.log1p(), "p.log1p()"),
  c("abs", (x) => x.u!.abs(), "u.abs()"),
  c("relu", (x) => x.u!.relu(), "u.relu()"),
  c("sigmoid", (x) => x.u!.sigmoid(), "u.sigmoid()"),
  c("tanh", (x) => x.u!.tanh(), "u.tanh()"),
  c("sin", (x) => x.u!.sin(), "u.sin()"),
  c("cos", (x) => x.u!.cos(), "u.cos()"),
  c("floor", (x) => x.u!.floor(), "u.floor()"),
  c("ceil", (x) => x.u!.ceil(), "u.ceil()"),
  c("round halves to even", (x) => x.ties!.round(), "ties.round()"),
  c("sign with zero", (x) => x.special!.sign(), "special.sign()"),
  c("reciprocal", (x) => x.p!.reciprocal(), "p.reciprocal()"),
  c("sqrt of negative is NaN", (x) => x.special!.sqrt(), "special.sqrt()"),
  c("log of 0 is -inf", (x) => x.special!.log(), "special.log()"),
  c("reciprocal of 0 is inf", (x) => x.special!.reciprocal(), "special.reciprocal()"),
  c("abs int64 stays int64", (x) => x.i!.abs(), "i.abs()"),
  c("sqrt int64 -> float32", (x) => x.j!.sqrt(), "j.sqrt()"),
  c("clamp both bounds", (x) => x.u!.clamp(-1, 1.5), "u.clamp(-1, 1.5)"),
  c("clamp min only", (x) => x.u!.clamp(0), "u.clamp(min=0)"),
  c("clamp max only", (x) => x.u!.clamp(null, 0.5), "u.clamp(max=0.5)"),
  c("clamp int64 stays int64", (x) => x.i!.clamp(-3, 4), "i.clamp(-3, 4)"),
  // ---- comparisons, where, maximum/minimum ----
  c("eq int64 tensors", (x) => x.i!.eq(x.j!), "i.eq(j)"),
  c("eq float scalar", (x) => x.ties!.eq(0.5), "ties.eq(0.5)"),
  c("ne scalar", (x) => x.i!.ne(2), "i.ne(2)"),
  c("lt broadcast", (x) => x.a!.lt(x.v3!), "a.lt(v3)"),
  c("le scalar", (x) => x.a!.le(0), "a.le(0)"),
  c("gt int64 tensors", (x) => x.i!.gt(x.j!), "i.gt(j)"),
  c("ge float tensors", (x) => x.a!.ge(x.b!), "a.ge(b)"),
  c("where tensor branches", (x) => torch.where(x.mask!, x.a!, x.b!), "torch.where(mask, a, b)"),
  c("where broadcast branch", (x) => torch.where(x.mask!, x.a!, x.v3!), "torch.where(mask, a, v3)"),
  c("where scalar other keeps float32", (x) => torch.where(x.a!.gt(0), x.a!, 0), "torch.where(a.gt(0), a, 0)"),
  c("where int scalars -> int64", (x) => torch.where(x.mask!, 1, 0), "torch.where(mask, 1, 0)"),
  c("where float scalars -> float32", (x) => torch.where(x.mask!, 1.5, -1.5), "torch.where(mask, 1.5, -1.5)"),
  c("where int32 tensor, int scalar stays int32", (x) => torch.where(x.i32!.gt(0), x.i32!, -1), "torch.where(i32.gt(0), i32, -1)"),
  c("maximum broadcast", (x) => torch.maximum(x.a!, x.v3!), "torch.maximum(a, v3)"),
  c("minimum [4,1],[1,5]", (x) => torch.minimum(x.col!, x.row!), "torch.minimum(col, row)"),
  c("maximum propagates NaN", (x) => x.special!.sqrt().maximum(x.special!), "special.sqrt().maximum(special)"),
  // ---- reductions ----
  c("sum all", (x) => x.t3!.sum(), "t3.sum()"),
  c("sum dim", (x) => x.t3!.sum(1), "t3.sum(1)"),
  c("sum dim list keepdim", (x) => x.t3!.sum([0, 2], { keepdim: true }), "t3.sum([0, 2], keepdim=True)"),
  c("sum int64", (x) => x.i!.sum(), "i.sum()"),
  c("sum int32 promotes to int64", (x) => x.i32!.sum(), "i32.sum()"),
  c("sum bool counts", (x) => x.mask!.sum(0), "mask.sum(0)"),
  c("sum dtype float64", (x) => x.a!.sum(1, { dtype: "float64" }), "a.sum(1, dtype=torch.float64)"),
  c("mean all", (x) => x.t3!.mean(), "t3.mean()"),
  c("mean dim -1 keepdim", (x) => x.t3!.mean(-1, { keepdim: true }), "t3.mean(-1, keepdim=True)"),
  c("mean dim list", (x) => x.t3!.mean([0, 2]), "t3.mean([0, 2])"),
  c("mean dtype float64", (x) => x.a!.mean(null, { dtype: "float64" }), "a.mean(dtype=torch.float64)"),
  c("mean of int64 is an error", (x) => x.i!.mean(), "i.mean()"),
  c("max all", (x) => x.t3!.max(), "t3.max()"),
  c("max dim -> values, indices", (x) => x.t3!.max(1), "t3.max(1)"),
  c("min dim keepdim -> values, indices", (x) => x.t3!.min(2, { keepdim: true }), "t3.min(2, keepdim=True)"),
  c("min all int64", (x) => x.i!.min(), "i.min()"),
  c("max dim int64", (x) => x.i!.max(0), "i.max(0)"),
  c("argmax all", (x) => x.t3!.argmax(), "t3.argmax()"),
  c("argmax dim keepdim", (x) => x.t3!.argmax(2, { keepdim: true }), "t3.argmax(2, keepdim=True)"),
  c("argmin dim", (x) => x.u!.argmin(0), "u.argmin(0)"),
  c("std all unbiased", (x) => x.t3!.std(), "t3.std()"),
  c("std dim biased", (x) => x.t3!.std(1, { unbiased: false }), "t3.std(1, unbiased=False)"),
  c("std dims unbiased", (x) => x.t3!.std([1, 2], { unbiased: true }), "t3.std([1, 2], unbiased=True)"),
  c("var dims keepdim", (x) => x.t3!.var([0, 2], { keepdim: true }), "t3.var([0, 2], keepdim=True)"),
  c("var all biased", (x) => x.u!.var(null, { unbiased: false }), "u.var(unbiased=False)"),
  // ---- matmul ----
  c("matmul 2-D", (x) => x.m34!.matmul(x.m45!), "m34.matmul(m45)"),
  c("matmul [2,3,4]@[4,5]", (x) => torch.matmul(x.t3!, x.m45!), "torch.matmul(t3, m45)"),
  c("matmul batch broadcast [2,1,3,4]@[3,4,5]", (x) => x.t3!.unsqueeze(1).matmul(x.m45!.expand(3, 4, 5)),
    "t3.unsqueeze(1).matmul(m45.expand(3, 4, 5))"),
  c("matmul matrix-vector", (x) => x.m34!.matmul(x.v4!), "m34.matmul(v4)"),
  c("matmul vector-matrix", (x) => x.v3!.matmul(x.m34!), "v3.matmul(m34)"),
  c("matmul shape mismatch is an error", (x) => x.m34!.matmul(x.m34!), "m34.matmul(m34)"),
  // ---- shape ----
  c("reshape -1", (x) => x.t3!.reshape(-1, 6), "t3.reshape(-1, 6)"),
  c("reshape list with -1", (x) => x.t3!.reshape([4, -1]), "t3.reshape([4, -1])"),
  c("view", (x) => x.t3!.view(6, 4), "t3.view(6, 4)"),
  c("view of a transpose is an error", (x) => x.t3!.transpose(0, 1).view(-1), "t3.transpose(0, 1).view(-1)"),
  c("flatten", (x) => x.t3!.flatten(), "t3.flatten()"),
  c("flatten from dim 1", (x) => x.t3!.flatten(1), "t3.flatten(1)"),
  c("permute", (x) => x.t3!.permute(2, 0, 1), "t3.permute(2, 0, 1)"),
  c("transpose + contiguous", (x) => x.t3!.transpose(0, 2).contiguous(), "t3.transpose(0, 2).contiguous()"),
  c("t() 2-D", (x) => x.m34!.t(), "m34.t()"),
  c("t() 1-D", (x) => x.v3!.t(), "v3.t()"),
  c("squeeze all", (x) => x.t3!.unsqueeze(1).unsqueeze(-1).squeeze(), "t3.unsqueeze(1).unsqueeze(-1).squeeze()"),
  c("squeeze dim", (x) => x.col!.squeeze(1), "col.squeeze(1)"),
  c("unsqueeze -1", (x) => x.a!.unsqueeze(-1), "a.unsqueeze(-1)"),
  c("expand with -1", (x) => x.v3!.expand(2, -1), "v3.expand(2, -1)"),
  c("expand [4,1] -> [4,5]", (x) => x.col!.expand([4, 5]), "col.expand([4, 5])"),
  c("narrow", (x) => x.t3!.narrow(2, 1, 2), "t3.narrow(2, 1, 2)"),
  c("select negative index", (x) => x.t3!.select(1, -1), "t3.select(1, -1)"),
  c("indexSelect with repeats", (x) => x.t3!.indexSelect(2, x.idx!), "t3.index_select(2, idx)"),
  c("cat dim 0", (x) => torch.cat([x.a!, x.b!, x.a!]), "torch.cat([a, b, a])"),
  c("cat dim 1", (x) => torch.cat([x.a!, x.b!], 1), "torch.cat([a, b], 1)"),
  c("cat int64 with float32 promotes", (x) => torch.cat([x.i!, x.a!]), "torch.cat([i, a])"),
  c("cat shape mismatch is an error", (x) => torch.cat([x.a!, x.m34!]), "torch.cat([a, m34])"),
  c("stack dim 1", (x) => torch.stack([x.a!, x.b!], 1), "torch.stack([a, b], 1)"),
  c("stack 1-D", (x) => torch.stack([x.v3!, x.v3!.neg()]), "torch.stack([v3, v3.neg()])"),
  // ---- in place, on clones ----
  c("add_ alpha", (x) => x.a!.clone().add_(x.b!, { alpha: -0.5 }), "a.clone().add_(b, alpha=-0.5)"),
  c("sub_ alpha", (x) => x.a!.clone().sub_(x.v3!, { alpha: 2 }), "a.clone().sub_(v3, alpha=2)"),
  c("mul_ scalar", (x) => x.a!.clone().mul_(3), "a.clone().mul_(3)"),
  c("mul_ broadcast tensor", (x) => x.a!.clone().mul_(x.v3!), "a.clone().mul_(v3)"),
  c("div_ scalar", (x) => x.a!.clone().div_(4), "a.clone().div_(4)"),
  c("pow_ tensor", (x) => x.p!.clone().pow_(x.v4!), "p.clone().pow_(v4)"),
  c("addcmul_ value", (x) => x.a!.clone().addcmul_(x.b!, x.e!, { value: 0.3 }), "a.clone().addcmul_(b, e, value=0.3)"),
  c("addcdiv_ value", (x) => x.a!.clone().addcdiv_(x.b!, x.w!.add(0.5), { value: -2 }),
    "a.clone().addcdiv_(b, w.add(0.5), value=-2)"),
  c("lerp_ scalar weight", (x) => x.a!.clone().lerp_(x.b!, 0.25), "a.clone().lerp_(b, 0.25)"),
  c("lerp_ tensor weight", (x) => x.a!.clone().lerp_(x.b!, x.w!), "a.clone().lerp_(b, w)"),
  c("clamp_ both", (x) => x.u!.clone().clamp_(-0.5, 0.5), "u.clone().clamp_(-0.5, 0.5)"),
  c("clamp_ max only", (x) => x.u!.clone().clamp_(null, 0), "u.clone().clamp_(max=0)"),
  c("copy_ broadcast", (x) => x.a!.clone().copy_(x.v3!), "a.clone().copy_(v3)"),
  c("copy_ int64 into float32", (x) => x.a!.clone().copy_(x.i!), "a.clone().copy_(i)"),
  c("fill_ float", (x) => x.a!.clone().fill_(2.5), "a.clone().fill_(2.5)"),
  c("fill_ int64", (x) => x.i!.clone().fill_(7), "i.clone().fill_(7)"),
  c("zero_", (x) => x.a!.clone().zero_(), "a.clone().zero_()"),
  c("sqrt_", (x) => x.p!.clone().sqrt_(), "p.clone().sqrt_()"),
  c("in-place on a view writes through", (x) => { const y = x.a!.clone(); y.select(0, 1).fill_(7); return y; },
    "(lambda y: (y.select(0, 1).fill_(7), y)[1])(a.clone())"),
  c("int64 add_ float is an error", (x) => x.i!.clone().add_(1.5), "i.clone().add_(1.5)"),
  // ---- seeded randomness: the same libtorch CPU generator on both sides ----
  c("manualSeed + rand", () => { torch.manualSeed(0); return torch.rand(2, 3); }, "seeded(0, lambda: torch.rand(2, 3))"),
  c("manualSeed + randn", () => { torch.manualSeed(42); return torch.randn(4, 5); }, "seeded(42, lambda: torch.randn(4, 5))"),
  c("randn vectorized (>= 16)", () => { torch.manualSeed(1); return torch.randn([100]); }, "seeded(1, lambda: torch.randn(100))"),
  c("rand float64", () => { torch.manualSeed(3); return torch.rand(5, { dtype: "float64" }); },
    "seeded(3, lambda: torch.rand(5, dtype=torch.float64))"),
  c("randint high", () => { torch.manualSeed(7); return torch.randint(10, [3, 4]); }, "seeded(7, lambda: torch.randint(10, (3, 4)))"),
  c("randint low/high int32", () => { torch.manualSeed(7); return torch.randint(-5, 5, [6], { dtype: "int32" }); },
    "seeded(7, lambda: torch.randint(-5, 5, (6,), dtype=torch.int32))"),
  c("rand then randn continue the stream", () => { torch.manualSeed(5); return [torch.rand(3), torch.randn(3)]; },
    "seeded(5, lambda: (torch.rand(3), torch.randn(3)))"),
  c("randLike / randnLike", (x) => { torch.manualSeed(9); return [torch.randLike(x.a!), torch.randnLike(x.d31!)]; },
    "seeded(9, lambda: (torch.rand_like(a), torch.randn_like(d31)))"),
  // ---- factories ----
  c("arange int64", () => torch.arange(5, { dtype: "int64" }), "torch.arange(5)"),
  c("arange of integers is int64, as in Python", () => torch.arange(5), "torch.arange(5)"),
  c("arange with float32 asked", () => torch.arange(5, { dtype: "float32" }), "torch.arange(5, dtype=torch.float32)"),
  c("arange fractional step", () => torch.arange(0, 1, 0.1), "torch.arange(0, 1, 0.1)"),
  c("arange negative step int64", () => torch.arange(10, 0, -3, { dtype: "int64" }), "torch.arange(10, 0, -3)"),
  c("arange float64", () => torch.arange(1, 2.5, 0.5, { dtype: "float64" }), "torch.arange(1, 2.5, 0.5, dtype=torch.float64)"),
  c("linspace", () => torch.linspace(0, 1, 5), "torch.linspace(0, 1, 5)"),
  c("linspace float64", () => torch.linspace(-1, 1, 7, { dtype: "float64" }), "torch.linspace(-1, 1, 7, dtype=torch.float64)"),
  c("linspace int64", () => torch.linspace(0, 10, 5, { dtype: "int64" }), "torch.linspace(0, 10, 5, dtype=torch.int64)"),
  c("full int64", () => torch.full([2, 3], 7, { dtype: "int64" }), "torch.full((2, 3), 7)"),
  c("full float", () => torch.full([2, 2], 1.5), "torch.full((2, 2), 1.5)"),
  c("full bool", () => torch.full([3], true), "torch.full((3,), True)"),
  c("zeros int32", () => torch.zeros([2, 3], { dtype: "int32" }), "torch.zeros(2, 3, dtype=torch.int32)"),
  c("zeros default float32", () => torch.zeros(2, 3), "torch.zeros(2, 3)"),
  c("zeros bool", () => torch.zeros(4, { dtype: "bool" }), "torch.zeros(4, dtype=torch.bool)"),
  c("ones float16", () => torch.ones(2, 2, { dtype: "float16" }), "torch.ones(2, 2, dtype=torch.float16)"),
  c("ones bfloat16", () => torch.ones([3], { dtype: "bfloat16" }), "torch.ones(3, dtype=torch.bfloat16)"),
  c("ones int8", () => torch.ones(2, 3, { dtype: "int8" }), "torch.ones(2, 3, dtype=torch.int8)"),
];

/** A tensor's elements, row-major, as JS numbers (booleans for bool). */
function flatValues(t: torch.Tensor): (number | boolean)[] {
  if (t.dtype === "bool") return Array.from(t.toTypedArray() as Uint8Array, (v) => v !== 0);
  if (t.dtype === "float16" || t.dtype === "bfloat16") return Array.from(t.to("float32").toTypedArray() as Float32Array);
  if (t.dtype === "int64") return Array.from(t.toTypedArray() as BigInt64Array, Number);
  return Array.from(t.toTypedArray() as ArrayLike<number>);
}

function decode(v: Value): number | boolean {
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return v as number | boolean;
}

const FLOAT = new Set(["float32", "float64", "float16", "bfloat16"]);

function expectMatches(t: torch.Tensor, ref: Result, what: string): void {
  expect(t.shape, `${what}: shape`).toEqual(ref.shape);
  expect(t.dtype, `${what}: dtype`).toBe(ref.dtype);
  const got = flatValues(t);
  expect(got.length, `${what}: numel`).toBe(ref.values.length);
  ref.values.forEach((raw, k) => {
    const want = decode(raw);
    const have = got[k]!;
    const at = `${what}: element ${k} is ${have}, PyTorch has ${want}`;
    if (!FLOAT.has(ref.dtype) || typeof want !== "number" || !Number.isFinite(want)) {
      expect(Object.is(have, want) || have === want, at).toBe(true); // ints, bools, NaN, ±Inf: exact
    } else {
      expect(Math.abs((have as number) - want) <= 1e-6 + 1e-5 * Math.abs(want), at).toBe(true);
    }
  });
}

let refs: Record<string, Reference>;
let base: X;

beforeAll(() => {
  // One Python process for every case: importing torch costs ~1.5 s.
  refs = runReference<Record<string, Reference>>("ops.py", {
    inputs: INPUTS,
    cases: CASES.map(({ name, py }) => ({ name, py })),
  });
  base = Object.fromEntries(Object.entries(INPUTS).map(([k, s]) => [k, torch.tensor(s.data as torch.TensorData, { dtype: s.dtype }).reshape(s.shape)]));
});

describe("ops match PyTorch", () => {
  it("has unique case names and at least 45 cases", () => {
    expect(new Set(CASES.map((k) => k.name)).size).toBe(CASES.length);
    expect(CASES.length).toBeGreaterThanOrEqual(45);
  });

  it.each(CASES.map((k) => [k.name, k] as const))("%s", (_name, k) => {
    const ref = refs[k.name];
    expect(ref, "reference result").toBeDefined();
    // Fresh copies per case, as ops.py does, so no in-place mistake leaks into later cases.
    const x: X = Object.fromEntries(Object.entries(base).map(([n, t]) => [n, t.clone()]));
    // Cases named "... is an error" are exactly those where PyTorch raises.
    const raises = !Array.isArray(ref) && "error" in ref!;
    expect(raises, raises ? (ref as { error: string }).error : "PyTorch raised").toBe(k.name.endsWith("is an error"));
    if (raises) {
      // PyTorch raises here; torch-ts must raise its TorchError (not crash or return garbage).
      expect(() => k.ts(x), `PyTorch: ${(ref as { error: string }).error}`).toThrow(torch.TorchError);
      return;
    }
    const out = k.ts(x);
    if (Array.isArray(ref)) {
      expect(Array.isArray(out), "a tuple of tensors").toBe(true);
      const outs = out as torch.Tensor[];
      expect(outs.length).toBe(ref.length);
      ref.forEach((r, n) => expectMatches(outs[n]!, r, `output ${n}`));
    } else {
      expect(out).toBeInstanceOf(torch.Tensor);
      expectMatches(out as torch.Tensor, ref as Result, "output");
    }
  });
});
