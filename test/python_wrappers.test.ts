// The torch.* functions and Tensor methods that are Python code in PyTorch (torch/functional.py,
// torch/_tensor.py, torch/nn/functional.py) against PyTorch itself: each case calls the Python
// function on the same inputs (test/reference/python_wrappers.py, one process), and every
// torch-ts form of the call (positional by Python's order, or one options object) must give
// the same values, dtypes and shapes (a tensor where Python gives a tensor, an array where it
// gives a tuple), leave no tensor alive once its results are disposed, and update in place
// what Python updates. Refusals: PyTorch's own as TorchErrors with its message, argument
// mistakes as TypeErrors naming the function, the argument, what was expected and what came.
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { expectClose, prng, type Encoded } from "./reference/nn_common.js";
import { runReference } from "./reference/python.js";

const F = torch.nn.functional;
type T = torch.Tensor;

type SpecDType = "float32" | "float64" | "int64" | "int32" | "bool";
interface Spec { shape: number[]; dtype: SpecDType; data: (number | boolean)[] }
type Inputs = Record<string, T>;
interface Case {
  /** The Python call: "torch.x", "torch.nn.functional.x" or "Tensor.x" (a method of args[0]). */
  fn: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  inputs?: Record<string, Spec>;
  /** The torch-ts forms of the same call; each gets fresh inputs. */
  ts: ((t: Inputs) => unknown)[];
  /** Inputs compared again after the call (updated in place). */
  after?: string[];
  /** PyTorch raises: every form must throw a TorchError with PyTorch's message. */
  error?: true;
}
type Out = { t: Encoded } | { seq: Out[] } | { n: number | boolean };
interface Result { out?: Out; after?: Record<string, Encoded>; error?: string }

const rnd = prng(16);
const numel = (shape: number[]) => shape.reduce((p, d) => p * d, 1);
const spec = (dtype: SpecDType, shape: number[], value: (i: number) => number | boolean): Spec => ({ dtype, shape, data: Array.from({ length: numel(shape) }, (_, i) => value(i)) });
const f32 = (...shape: number[]) => spec("float32", shape, () => Math.fround(rnd() * 4 - 2));
const f64 = (...shape: number[]) => spec("float64", shape, () => rnd() * 4 - 2);
const ints = (shape: number[], high: number, dtype: SpecDType = "int64", low = 0) => spec(dtype, shape, () => low + Math.floor(rnd() * (high - low)));
const bools = (...shape: number[]) => spec("bool", shape, () => rnd() < 0.5);
const positive = (...shape: number[]) => spec("float32", shape, () => Math.fround(0.5 + rnd()));
/** Python's values in a given dtype: integers in a float tensor have duplicates and zeros. */
const asDType = (s: Spec, dtype: SpecDType): Spec => ({ ...s, dtype });

function tensorOf(s: Spec): T {
  const shape = s.shape;
  switch (s.dtype) {
    case "int64": return torch.tensor(BigInt64Array.from(s.data, (v) => BigInt(v as number)), { shape });
    case "int32": return torch.tensor(Int32Array.from(s.data as number[]), { shape });
    case "bool": return torch.tensor(Uint8Array.from(s.data, (v) => (v ? 1 : 0)), { dtype: "bool", shape });
    case "float64": return torch.tensor(Float64Array.from(s.data as number[]), { shape });
    case "float32": return torch.tensor(Float32Array.from(s.data as number[]), { shape });
  }
}

/** References to inputs and Python-only values, as python_wrappers.py decodes them. */
const I = (name: string) => ({ $in: name });
const tuple = (...items: unknown[]) => ({ $tuple: items });
const dtype = (name: string) => ({ $dtype: name });

const GROUPS: Record<string, Record<string, Case>> = {};

const dup = asDType(ints([3, 4], 4), "float32");
const rows = spec("int64", [5, 3], (i) => [[1, 2, 3], [0, 1, 1], [1, 2, 3], [4, 0, 0], [0, 1, 1]][Math.floor(i / 3)]![i % 3]!);
GROUPS.unique = {
  "sorted unique elements of the flattened input": { fn: "torch.unique", args: [I("x")], inputs: { x: ints([3, 4], 5) }, ts: [(t) => torch.unique(t.x!), (t) => t.x!.unique()] },
  "return_inverse: [output, inverse]": {
    fn: "torch.unique", args: [I("x")], kwargs: { return_inverse: true }, inputs: { x: dup },
    ts: [(t) => torch.unique(t.x!, { returnInverse: true }), (t) => torch.unique(t.x!, true, true), (t) => t.x!.unique({ returnInverse: true })],
  },
  "return_counts: [output, counts]": { fn: "torch.unique", args: [I("x")], kwargs: { return_counts: true }, inputs: { x: ints([10], 3) }, ts: [(t) => torch.unique(t.x!, { returnCounts: true }), (t) => torch.unique(t.x!, true, false, true)] },
  "all three, positional": { fn: "torch.unique", args: [I("x"), true, true, true], inputs: { x: ints([2, 6], 4) }, ts: [(t) => torch.unique(t.x!, true, true, true), (t) => torch.unique(t.x!, { returnInverse: true, returnCounts: true })] },
  "sorted=False": { fn: "torch.unique", args: [I("x"), false], inputs: { x: ints([12], 6) }, ts: [(t) => torch.unique(t.x!, false), (t) => torch.unique(t.x!, { sorted: false })] },
  "dim=0: unique rows with counts": { fn: "torch.unique", args: [I("x")], kwargs: { dim: 0, return_counts: true }, inputs: { x: rows }, ts: [(t) => torch.unique(t.x!, { dim: 0, returnCounts: true }), (t) => t.x!.unique(true, false, true, 0)] },
  "bool input": { fn: "torch.unique", args: [I("x")], kwargs: { return_inverse: true }, inputs: { x: bools(7) }, ts: [(t) => torch.unique(t.x!, { returnInverse: true })] },
  "dim out of range": { fn: "torch.unique", args: [I("x")], kwargs: { dim: 5 }, inputs: { x: rows }, error: true, ts: [(t) => torch.unique(t.x!, { dim: 5 })] },
};
const runs = spec("int64", [9], (i) => [1, 1, 2, 2, 3, 1, 1, 2, 2][i]!);
GROUPS.uniqueConsecutive = {
  "the first of each run, a tensor": { fn: "torch.unique_consecutive", args: [I("x")], inputs: { x: runs }, ts: [(t) => torch.uniqueConsecutive(t.x!), (t) => t.x!.uniqueConsecutive()] },
  "return_inverse and return_counts": {
    fn: "torch.unique_consecutive", args: [I("x")], kwargs: { return_inverse: true, return_counts: true }, inputs: { x: runs },
    ts: [(t) => torch.uniqueConsecutive(t.x!, { returnInverse: true, returnCounts: true }), (t) => torch.uniqueConsecutive(t.x!, true, true)],
  },
  "return_counts alone": { fn: "torch.unique_consecutive", args: [I("x")], kwargs: { return_counts: true }, inputs: { x: asDType(runs, "float64") }, ts: [(t) => torch.uniqueConsecutive(t.x!, { returnCounts: true }), (t) => t.x!.uniqueConsecutive({ returnCounts: true })] },
  "dim=0": { fn: "torch.unique_consecutive", args: [I("x")], kwargs: { dim: 0, return_inverse: true }, inputs: { x: rows }, ts: [(t) => torch.uniqueConsecutive(t.x!, { dim: 0, returnInverse: true }), (t) => torch.uniqueConsecutive(t.x!, true, false, 0)] },
};
GROUPS.tensordot = {
  "dims=2 (the default)": { fn: "torch.tensordot", args: [I("a"), I("b")], inputs: { a: f32(2, 3, 4), b: f32(3, 4, 5) }, ts: [(t) => torch.tensordot(t.a!, t.b!), (t) => torch.tensordot(t.a!, t.b!, 2)] },
  "dims=1": { fn: "torch.tensordot", args: [I("a"), I("b")], kwargs: { dims: 1 }, inputs: { a: f32(2, 3, 4), b: f32(4, 5) }, ts: [(t) => torch.tensordot(t.a!, t.b!, { dims: 1 })] },
  "dims=0: the outer product": { fn: "torch.tensordot", args: [I("a"), I("b"), 0], inputs: { a: f32(2, 3), b: f32(4) }, ts: [(t) => torch.tensordot(t.a!, t.b!, 0)] },
  "dims as a pair of lists": {
    fn: "torch.tensordot", args: [I("a"), I("b")], kwargs: { dims: tuple([1, 0], [0, 1]) }, inputs: { a: f64(2, 3, 4), b: f64(3, 2, 5) },
    ts: [(t) => torch.tensordot(t.a!, t.b!, { dims: [[1, 0], [0, 1]] }), (t) => torch.tensordot(t.a!, t.b!, torch.serialization.tuple([1, 0], [0, 1]))],
  },
  "dims as a tensor": { fn: "torch.tensordot", args: [I("a"), I("b"), I("d")], inputs: { a: f32(2, 3, 4), b: f32(3, 2, 5), d: spec("int64", [2, 2], (i) => [1, 0, 0, 1][i]!) }, ts: [(t) => torch.tensordot(t.a!, t.b!, t.d!)] },
  "int64 operands": { fn: "torch.tensordot", args: [I("a"), I("b"), 1], inputs: { a: ints([3, 4], 9), b: ints([4, 2], 9) }, ts: [(t) => torch.tensordot(t.a!, t.b!, 1)] },
};
GROUPS.norm = {
  "default: Frobenius over every element": { fn: "torch.norm", args: [I("x")], inputs: { x: f32(3, 4) }, ts: [(t) => torch.norm(t.x!), (t) => t.x!.norm()] },
  "3-D default": { fn: "torch.norm", args: [I("y")], inputs: { y: f32(2, 3, 4) }, ts: [(t) => torch.norm(t.y!), (t) => t.y!.norm("fro")] },
  'p="fro" over dims (0, 1), keepdim, positional': { fn: "torch.norm", args: [I("x"), "fro", tuple(0, 1), true], inputs: { x: f32(3, 4) }, ts: [(t) => torch.norm(t.x!, "fro", [0, 1], true), (t) => t.x!.norm({ p: "fro", dim: [0, 1], keepdim: true })] },
  'p="fro" over dim 1': { fn: "torch.norm", args: [I("y"), "fro", 1], inputs: { y: f32(2, 3, 4) }, ts: [(t) => torch.norm(t.y!, "fro", 1)] },
  'p="nuc"': { fn: "torch.norm", args: [I("x"), "nuc"], inputs: { x: f64(4, 3) }, ts: [(t) => torch.norm(t.x!, "nuc"), (t) => t.x!.norm("nuc")] },
  'p="nuc" batched over dims (1, 2)': { fn: "torch.norm", args: [I("y")], kwargs: { p: "nuc", dim: [1, 2] }, inputs: { y: f32(2, 3, 4) }, ts: [(t) => torch.norm(t.y!, { p: "nuc", dim: [1, 2] })] },
  "p=1 over dim 1": { fn: "torch.norm", args: [I("x"), 1, 1], inputs: { x: f32(3, 4) }, ts: [(t) => torch.norm(t.x!, 1, 1), (t) => t.x!.norm(1, 1)] },
  "p=2.5 over dims [0, 2], keepdim": { fn: "torch.norm", args: [I("y")], kwargs: { p: 2.5, dim: [0, 2], keepdim: true }, inputs: { y: f32(2, 3, 4) }, ts: [(t) => torch.norm(t.y!, 2.5, [0, 2], true), (t) => t.y!.norm(2.5, { dim: [0, 2], keepdim: true })] },
  "p=3 with dtype float64": { fn: "torch.norm", args: [I("x")], kwargs: { p: 3, dtype: dtype("float64") }, inputs: { x: f32(3, 4) }, ts: [(t) => torch.norm(t.x!, 3, { dtype: "float64" }), (t) => torch.norm(t.x!, 3, null, false, null, "float64")] },
  "p=None: the 2-norm over dim 0": { fn: "torch.norm", args: [I("x"), null, 0], inputs: { x: f32(3, 4) }, ts: [(t) => torch.norm(t.x!, null, 0)] },
  'p="nuc" of a 1-D tensor': { fn: "torch.norm", args: [I("v"), "nuc"], inputs: { v: f32(4) }, error: true, ts: [(t) => torch.norm(t.v!, "nuc")] },
};
GROUPS.cdist = {
  "p=2, batched (mm if necessary)": { fn: "torch.cdist", args: [I("a"), I("b")], inputs: { a: f32(2, 5, 3), b: f32(2, 4, 3) }, ts: [(t) => torch.cdist(t.a!, t.b!), (t) => torch.cdist(t.a!, t.b!, 2, "use_mm_for_euclid_dist_if_necessary")] },
  "p=1": { fn: "torch.cdist", args: [I("a"), I("b"), 1], inputs: { a: f32(5, 3), b: f32(4, 3) }, ts: [(t) => torch.cdist(t.a!, t.b!, 1), (t) => torch.cdist(t.a!, t.b!, { p: 1 })] },
  "use_mm_for_euclid_dist": { fn: "torch.cdist", args: [I("a"), I("b")], kwargs: { compute_mode: "use_mm_for_euclid_dist" }, inputs: { a: f64(6, 3), b: f64(4, 3) }, ts: [(t) => torch.cdist(t.a!, t.b!, { computeMode: "use_mm_for_euclid_dist" })] },
  "donot_use_mm_for_euclid_dist, positional": { fn: "torch.cdist", args: [I("a"), I("b"), 2, "donot_use_mm_for_euclid_dist"], inputs: { a: f32(6, 3), b: f32(4, 3) }, ts: [(t) => torch.cdist(t.a!, t.b!, 2, "donot_use_mm_for_euclid_dist")] },
  "p=0: how many coordinates differ": { fn: "torch.cdist", args: [I("a"), I("b"), 0], inputs: { a: asDType(ints([5, 2], 2), "float64"), b: asDType(ints([3, 2], 2), "float64") }, ts: [(t) => torch.cdist(t.a!, t.b!, 0)] },
  "columns that differ": { fn: "torch.cdist", args: [I("a"), I("b")], inputs: { a: f32(5, 3), b: f32(4, 2) }, error: true, ts: [(t) => torch.cdist(t.a!, t.b!)] },
};
const sparse = asDType(ints([3, 4], 3), "float32");
GROUPS.nonzero = {
  "indices as rows": { fn: "torch.nonzero", args: [I("x")], inputs: { x: sparse }, ts: [(t) => torch.nonzero(t.x!), (t) => t.x!.nonzero(), (t) => torch.nonzero(t.x!, { asTuple: false })] },
  "as_tuple: one index tensor per dim": { fn: "torch.nonzero", args: [I("x")], kwargs: { as_tuple: true }, inputs: { x: sparse }, ts: [(t) => torch.nonzero(t.x!, { asTuple: true }), (t) => t.x!.nonzero({ asTuple: true })] },
  "as_tuple of a 0-dim tensor": { fn: "torch.nonzero", args: [I("s")], kwargs: { as_tuple: true }, inputs: { s: spec("float32", [], () => 2) }, ts: [(t) => torch.nonzero(t.s!, { asTuple: true })] },
  "bool input, 3-D": { fn: "torch.nonzero", args: [I("b")], inputs: { b: bools(2, 3, 2) }, ts: [(t) => torch.nonzero(t.b!)] },
};
GROUPS.lu = {
  "[LU, pivots]": { fn: "torch.lu", args: [I("a")], inputs: { a: f32(4, 4) }, ts: [(t) => torch.lu(t.a!), (t) => t.a!.lu()] },
  "get_infos: [LU, pivots, infos], batched": { fn: "torch.lu", args: [I("a")], kwargs: { get_infos: true }, inputs: { a: f64(2, 3, 3) }, ts: [(t) => torch.lu(t.a!, { getInfos: true }), (t) => t.a!.lu(true, true)] },
  "pivot and get_infos positional": { fn: "torch.lu", args: [I("a"), true, true], inputs: { a: f32(5, 3) }, ts: [(t) => torch.lu(t.a!, true, true), (t) => t.a!.lu({ getInfos: true })] },
  "a singular matrix: infos say so": { fn: "torch.lu", args: [I("a")], kwargs: { get_infos: true }, inputs: { a: spec("float64", [3, 3], (i) => [1, 2, 3, 2, 4, 6, 1, 0, 1][i]!) }, ts: [(t) => torch.lu(t.a!, { getInfos: true })] },
};
GROUPS.broadcastShapes = {
  "shapes, arrays and an int": { fn: "torch.broadcast_shapes", args: [tuple(2, 1), tuple(3, 1, 1), 1], ts: [() => torch.broadcastShapes([2, 1], [3, 1, 1], 1)] },
  "with a zero": { fn: "torch.broadcast_shapes", args: [tuple(0, 1, 3), tuple(0, 10, 3), tuple()], ts: [() => torch.broadcastShapes([0, 1, 3], [0, 10, 3], [])] },
  "an int against a shape": { fn: "torch.broadcast_shapes", args: [tuple(5, 1), 5], ts: [() => torch.broadcastShapes([5, 1], 5)] },
  "shapes that do not broadcast": { fn: "torch.broadcast_shapes", args: [tuple(2, 3), tuple(4, 3)], error: true, ts: [() => torch.broadcastShapes([2, 3], [4, 3])] },
  "a negative dimension": { fn: "torch.broadcast_shapes", args: [tuple(2, -1)], error: true, ts: [() => torch.broadcastShapes([2, -1])] },
};
GROUPS.stft = {
  "center=True (the default) pads by n_fft // 2 with reflect": {
    fn: "torch.stft", args: [I("s"), 10], kwargs: { return_complex: false }, inputs: { s: f32(100) },
    ts: [(t) => torch.stft(t.s!, 10, { returnComplex: false }), (t) => t.s!.stft({ nFft: 10, returnComplex: false }), (t) => t.s!.stft(10, null, null, null, true, "reflect", false, null, false)],
  },
  "center=False, hop_length 4": { fn: "torch.stft", args: [I("s"), 16, 4], kwargs: { center: false, return_complex: false }, inputs: { s: f32(100) }, ts: [(t) => torch.stft(t.s!, 16, 4, { center: false, returnComplex: false })] },
  "a batch, a window, constant padding": {
    fn: "torch.stft", args: [I("s")], kwargs: { n_fft: 16, hop_length: 4, window: I("w"), pad_mode: "constant", return_complex: false }, inputs: { s: f32(2, 64), w: positive(16) },
    ts: [(t) => torch.stft(t.s!, { nFft: 16, hopLength: 4, window: t.w!, padMode: "constant", returnComplex: false }), (t) => t.s!.stft(16, 4, null, t.w!, true, "constant", { returnComplex: false })],
  },
  "two-sided, normalized, win_length 8": {
    fn: "torch.stft", args: [I("s"), 12], kwargs: { win_length: 8, onesided: false, normalized: true, return_complex: false }, inputs: { s: f64(50) },
    ts: [(t) => torch.stft(t.s!, 12, { winLength: 8, onesided: false, normalized: true, returnComplex: false })],
  },
  "return_complex not given (real output, as PyTorch 1.13)": { fn: "torch.stft", args: [I("s"), 8], inputs: { s: f32(40) }, ts: [(t) => torch.stft(t.s!, 8)] },
};
GROUPS.arange = {
  "arange(10) is int64": { fn: "torch.arange", args: [10], ts: [() => torch.arange(10), () => torch.arange({ end: 10 })] },
  "arange(0, 1, 0.1) is float32": { fn: "torch.arange", args: [0, 1, 0.1], ts: [() => torch.arange(0, 1, 0.1)] },
  "integer start, end, step": { fn: "torch.arange", args: [1, 10, 3], ts: [() => torch.arange(1, 10, 3), () => torch.arange(1, 10, { step: 3 })] },
  "a negative step": { fn: "torch.arange", args: [10, 0, -3], ts: [() => torch.arange(10, 0, -3)] },
  "a fractional start": { fn: "torch.arange", args: [-3, 3, 0.5], ts: [() => torch.arange(-3, 3, 0.5)] },
  "booleans act as ints": { fn: "torch.arange", args: [false, true, true], ts: [() => torch.arange(false, true, true)] },
  "start positional, end as keyword": { fn: "torch.arange", args: [2], kwargs: { end: 5 }, ts: [() => torch.arange(2, { end: 5 })] },
  "dtype given": { fn: "torch.arange", args: [0, 5], kwargs: { dtype: dtype("float64") }, ts: [() => torch.arange(0, 5, { dtype: "float64" })] },
  "int64 past 2^53": { fn: "torch.arange", args: [{ $int: String(2n ** 60n) }, { $int: String(2n ** 60n + 3n) }], ts: [() => torch.arange(2n ** 60n, 2n ** 60n + 3n)] },
};

GROUPS.functional = {
  'conv2d padding="same" with dilation': {
    fn: "torch.nn.functional.conv2d", args: [I("x"), I("w"), I("b")], kwargs: { padding: "same", dilation: 2 }, inputs: { x: f32(2, 4, 7, 7), w: f32(6, 4, 3, 3), b: f32(6) },
    ts: [(t) => F.conv2d(t.x!, t.w!, t.b!, { padding: "same", dilation: 2 }), (t) => F.conv2d(t.x!, t.w!, t.b!, 1, "same", 2)],
  },
  'conv2d padding="valid", stride 2, unbatched': {
    fn: "torch.nn.functional.conv2d", args: [I("x"), I("w")], kwargs: { stride: 2, padding: "valid" }, inputs: { x: f32(4, 7, 6), w: f32(3, 4, 2, 3) },
    ts: [(t) => F.conv2d(t.x!, t.w!, null, { stride: 2, padding: "valid" }), (t) => F.conv2d(t.x!, t.w!, { stride: 2, padding: "valid" })],
  },
  "conv2d with every argument positional": {
    fn: "torch.nn.functional.conv2d", args: [I("x"), I("w"), I("b"), tuple(2, 1), 1, 1, 2], inputs: { x: f32(1, 4, 6, 6), w: f32(4, 2, 3, 3), b: f32(4) },
    ts: [(t) => F.conv2d(t.x!, t.w!, t.b!, [2, 1], 1, 1, 2), (t) => F.conv2d(t.x!, t.w!, t.b!, { stride: [2, 1], padding: 1, groups: 2 })],
  },
  'conv1d padding="same"': { fn: "torch.nn.functional.conv1d", args: [I("x"), I("w")], kwargs: { padding: "same" }, inputs: { x: f32(2, 3, 9), w: f32(4, 3, 4) }, ts: [(t) => F.conv1d(t.x!, t.w!, { padding: "same" })] },
  'conv3d padding="valid"': { fn: "torch.nn.functional.conv3d", args: [I("x"), I("w"), null, 1, "valid"], inputs: { x: f32(1, 2, 5, 5, 5), w: f32(3, 2, 3, 3, 3) }, ts: [(t) => F.conv3d(t.x!, t.w!, null, 1, "valid")] },
  "avg_pool2d with every argument positional": {
    fn: "torch.nn.functional.avg_pool2d", args: [I("x"), 3, 2, 1, true, false, 2], inputs: { x: f32(1, 3, 9, 9) },
    ts: [(t) => F.avgPool2d(t.x!, 3, 2, 1, true, false, 2), (t) => F.avgPool2d(t.x!, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false, divisorOverride: 2 })],
  },
  "avg_pool2d with a one-element padding and stride ()": {
    fn: "torch.nn.functional.avg_pool2d", args: [I("x"), tuple(2, 2), tuple(), tuple(1)], inputs: { x: f64(2, 2, 5, 6) },
    ts: [(t) => F.avgPool2d(t.x!, [2, 2], [], [1])],
  },
  "max_pool2d: kernel_size as keyword, return_indices": {
    fn: "torch.nn.functional.max_pool2d", args: [I("x")], kwargs: { kernel_size: 3, stride: 2, padding: 1, return_indices: true }, inputs: { x: f32(1, 2, 7, 8) },
    ts: [(t) => F.maxPool2d(t.x!, { kernelSize: 3, stride: 2, padding: 1, returnIndices: true }), (t) => F.maxPool2d(t.x!, 3, 2, 1, 1, false, true)],
  },
  "max_pool2d positional, ceil_mode, dilation pair": {
    fn: "torch.nn.functional.max_pool2d", args: [I("x"), tuple(2, 3), null, 0, tuple(1, 2), true], inputs: { x: f32(2, 3, 9, 9) },
    ts: [(t) => F.maxPool2d(t.x!, [2, 3], null, 0, [1, 2], true), (t) => F.maxPool2d(t.x!, [2, 3], { dilation: [1, 2], ceilMode: true })],
  },
  "adaptive_avg_pool2d: None keeps the input size": { fn: "torch.nn.functional.adaptive_avg_pool2d", args: [I("x"), [null, 3]], inputs: { x: f32(2, 3, 5, 7) }, ts: [(t) => F.adaptiveAvgPool2d(t.x!, [null, 3]), (t) => F.adaptiveAvgPool2d(t.x!, { outputSize: [null, 3] })] },
  "adaptive_avg_pool3d with None": { fn: "torch.nn.functional.adaptive_avg_pool3d", args: [I("x"), [null, 2, null]], inputs: { x: f32(1, 2, 4, 5, 3) }, ts: [(t) => F.adaptiveAvgPool3d(t.x!, [null, 2, null])] },
  "adaptive_max_pool2d with None and indices": { fn: "torch.nn.functional.adaptive_max_pool2d", args: [I("x"), [4, null], true], inputs: { x: f32(3, 6, 5) }, ts: [(t) => F.adaptiveMaxPool2d(t.x!, [4, null], true)] },
  "batch_norm in training, every argument positional": {
    fn: "torch.nn.functional.batch_norm", args: [I("x"), I("rm"), I("rv"), I("w"), I("b"), true, 0.3, 0.001], after: ["rm", "rv"],
    inputs: { x: f32(4, 3, 5), rm: f32(3), rv: positive(3), w: f32(3), b: f32(3) },
    ts: [(t) => F.batchNorm(t.x!, t.rm!, t.rv!, t.w!, t.b!, true, 0.3, 0.001), (t) => F.batchNorm(t.x!, t.rm!, t.rv!, t.w!, { bias: t.b!, training: true, momentum: 0.3, eps: 0.001 })],
  },
  "batch_norm in eval, weight as keyword": {
    fn: "torch.nn.functional.batch_norm", args: [I("x"), I("rm"), I("rv")], kwargs: { weight: I("w"), training: false }, after: ["rm", "rv"],
    inputs: { x: f32(4, 3), rm: f32(3), rv: positive(3), w: f32(3) },
    ts: [(t) => F.batchNorm(t.x!, t.rm!, t.rv!, { weight: t.w!, training: false }), (t) => F.batchNorm(t.x!, t.rm!, t.rv!, t.w!)],
  },
};

const r = (method: string, other: unknown, ts: (t: Inputs) => unknown, inputs: Record<string, Spec>, self = "x"): Case =>
  ({ fn: `Tensor.${method}`, args: [I(self), other], inputs, ts: [ts] });
const small = ints([5], 6, "int32", 1);
GROUPS.reflected = {
  "__radd__ of an int": r("__radd__", 2, (t) => t.x!.__radd__(2), { x: small }),
  "__radd__ of a float to an int tensor": r("__radd__", 2.5, (t) => t.x!.__radd__(2.5), { x: small }),
  "__rsub__ of an int": r("__rsub__", 10, (t) => t.x!.__rsub__(10), { x: small }),
  "__rsub__ of a tensor": r("__rsub__", I("y"), (t) => t.x!.__rsub__(t.y!), { x: f32(2, 3), y: f32(3) }),
  "__rmul__ of an int to a bool tensor": r("__rmul__", 3, (t) => t.x!.__rmul__(3), { x: bools(6) }),
  "__rdiv__ of an int (reciprocal times other)": r("__rdiv__", 6, (t) => t.x!.__rdiv__(6), { x: small }),
  "__rtruediv__ of a float": r("__rtruediv__", 1.5, (t) => t.x!.__rtruediv__(1.5), { x: positive(2, 3) }),
  "__rfloordiv__ of an int": r("__rfloordiv__", 7, (t) => t.x!.__rfloordiv__(7), { x: small }),
  "__rmod__ of an int": r("__rmod__", 7, (t) => t.x!.__rmod__(7), { x: small }),
  "__rmod__ of a float": r("__rmod__", 2.5, (t) => t.x!.__rmod__(2.5), { x: positive(4) }),
  "__rpow__ of an int to an int tensor": r("__rpow__", 2, (t) => t.x!.__rpow__(2), { x: small }),
  "__rpow__ of a float to an int tensor": r("__rpow__", 2.5, (t) => t.x!.__rpow__(2.5), { x: small }),
  "__rpow__ of an int to a 0-dim int32 tensor": r("__rpow__", 3, (t) => t.x!.__rpow__(3), { x: spec("int32", [], () => 4) }),
  "__rpow__ of an int64 tensor to a float one": r("__rpow__", I("y"), (t) => t.x!.__rpow__(t.y!), { x: f32(4), y: ints([4], 5, "int64", 1) }),
  "__rmatmul__": r("__rmatmul__", I("y"), (t) => t.x!.__rmatmul__(t.y!), { x: f32(3, 2), y: f32(4, 3) }),
  "__rand__ of an int": r("__rand__", 6, (t) => t.x!.__rand__(6), { x: small }),
  "__rand__ of True to a bool tensor": r("__rand__", true, (t) => t.x!.__rand__(true), { x: bools(6) }),
  "__ror__ of an int": r("__ror__", 4, (t) => t.x!.__ror__(4), { x: ints([5], 9) }),
  "__rxor__ of a bool tensor": r("__rxor__", I("y"), (t) => t.x!.__rxor__(t.y!), { x: bools(5), y: bools(5) }),
  "__rlshift__ of an int": r("__rlshift__", 1, (t) => t.x!.__rlshift__(1), { x: small }),
  "__rrshift__ of an int": r("__rrshift__", 64, (t) => t.x!.__rrshift__(64), { x: small }),
};

let ref: Record<string, Result>;
beforeAll(() => {
  const payload: Record<string, unknown> = {};
  for (const [group, cases] of Object.entries(GROUPS)) {
    for (const [name, c] of Object.entries(cases)) {
      payload[`${group}: ${name}`] = { fn: c.fn, args: c.args ?? [], kwargs: c.kwargs ?? {}, inputs: c.inputs ?? {}, after: c.after ?? [], error: c.error === true };
    }
  }
  ref = runReference<Record<string, Result>>("python_wrappers.py", payload);
});

/** torch-ts's result against Python's: tensors by dtype, shape and value; tuples as arrays. */
function expectSame(got: unknown, want: Out, where: string): void {
  if ("t" in want) return expectClose(got as T, want.t, where, 1e-4);
  if ("seq" in want) {
    expect(Array.isArray(got), `${where}: an array (Python gives a tuple)`).toBe(true);
    expect((got as unknown[]).length, `${where}: length`).toBe(want.seq.length);
    want.seq.forEach((w, i) => expectSame((got as unknown[])[i], w, `${where}[${i}]`));
    return;
  }
  expect(got, where).toBe(want.n);
}

function check(key: string, c: Case): void {
  const res = ref[key]!;
  expect(res, `PyTorch result for ${key}`).toBeDefined();
  c.ts.forEach((form, k) => {
    const where = `form ${k + 1}`;
    const live = torch.liveTensors();
    const t: Inputs = Object.fromEntries(Object.entries(c.inputs ?? {}).map(([n, s]) => [n, tensorOf(s)]));
    if (c.error) {
      expect(res.error, "PyTorch raised").toEqual(expect.any(String));
      let err: unknown;
      try {
        form(t);
      } catch (e) {
        err = e;
      }
      expect(err, where).toBeInstanceOf(torch.TorchError);
      expect((err as Error).message, where).toBe(res.error);
    } else {
      const out = form(t);
      expectSame(out, res.out!, `${where} output`);
      for (const n of c.after ?? []) expectClose(t[n], res.after![n]!, `${where}: ${n} after the call`);
      torch.dispose(out);
    }
    torch.dispose(t);
    expect(torch.liveTensors(), `${where}: tensors left alive`).toBe(live);
  });
}

for (const [group, cases] of Object.entries(GROUPS)) {
  describe(`${group} matches PyTorch`, () => {
    for (const [name, c] of Object.entries(cases)) it(name, () => check(`${group}: ${name}`, c));
  });
}

describe("argument mistakes are TypeErrors naming the function, the argument, what was expected and what came", () => {
  const x = () => torch.ones([2, 3]);
  const cases: [string, () => unknown, RegExp][] = [
    ["unique: a misspelt option", () => torch.unique(x(), { sortd: true } as never), /^torch\.unique: unknown option "sortd" \(did you mean "sorted"\?\); expected one of sorted, returnInverse, returnCounts, dim$/],
    ["unique: not a tensor", () => torch.unique("x" as never), /^torch\.unique: expected input to be a Tensor, but received "x"$/],
    ["unique: returnInverse not a boolean", () => x().unique({ returnInverse: 1 as never }), /^Tensor\.unique: expected returnInverse to be a boolean, but received 1$/],
    ["uniqueConsecutive: too many positional", () => torch.uniqueConsecutive(x(), true, true, 0, 1 as never), /^torch\.uniqueConsecutive: expected at most 4 positional arguments \(input, returnInverse, returnCounts, dim\), but received 5$/],
    ["tensordot: negative dims", () => torch.tensordot(x(), x(), -1), /^torch\.tensordot: expected dims to be an integer >= 0, but received -1$/],
    ["tensordot: dims of three lists", () => torch.tensordot(x(), x(), [[0], [0], [1]] as never), /^torch\.tensordot: expected dims to be an integer >= 0, a pair of integer arrays, or a Tensor, but received \[\[0\], \[0\], \[1\]\]$/],
    ["norm: an unknown string p", () => torch.norm(x(), "inf" as never), /^torch\.norm: expected p to be a number, "fro", "nuc" or null, but received "inf"$/],
    ["norm: dtype with fro", () => torch.norm(x(), "fro", 1, false, null, "float64"), /^torch\.norm: dtype is not supported with p="fro"/],
    ["norm: out=", () => torch.norm(x(), 2, 0, false, x() as never), /^torch\.norm: expected out to be null \(torch-ts returns a new tensor; out= is not supported\), but received tensor/],
    ["cdist: an unknown compute mode", () => torch.cdist(x(), x(), 2, "mm" as never), /^torch\.cdist: expected computeMode to be "use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist" or "donot_use_mm_for_euclid_dist", but received "mm"$/],
    ["nonzero: asTuple positional", () => torch.nonzero(x(), true as never), /^torch\.nonzero: asTuple is keyword-only/],
    ["lu: getInfos not a boolean", () => torch.lu(x(), { getInfos: "yes" as never }), /^torch\.lu: expected getInfos to be a boolean, but received "yes"$/],
    ["broadcastShapes: a string shape", () => torch.broadcastShapes([2], "3" as never), /^torch\.broadcastShapes: expected shapes\[1\] to be an integer or an array of integers, but received "3"$/],
    ["stft: no nFft", () => torch.stft(torch.ones([20]), {} as never), /^torch\.stft: missing argument nFft$/],
    ["stft: an unknown padMode", () => torch.stft(torch.ones([20]), 4, { padMode: "mirror" as never }), /^torch\.stft: expected padMode to be "reflect", "constant", "replicate", "circular", but received "mirror"$/],
    ["arange: a string end", () => torch.arange("5" as never), /^torch\.arange: expected end to be a number, but received "5"$/],
    ["arange: start twice", () => torch.arange(1, { start: 0, end: 3 } as never), /^torch\.arange: start was given both positionally and in the options$/],
    ["conv2d: an unknown padding string", () => F.conv2d(torch.ones([1, 1, 3, 3]), torch.ones([1, 1, 1, 1]), null, { padding: "full" as never }), /^F\.conv2d: expected padding to be an integer >= 0, a pair of them, "valid" or "same", but received "full"$/],
    ["maxPool2d: no kernelSize", () => F.maxPool2d(torch.ones([1, 1, 4, 4]), {}), /^F\.maxPool2d: missing argument kernelSize$/],
    ["avgPool2d: kernelSize 0", () => F.avgPool2d(torch.ones([1, 1, 4, 4]), 0), /^F\.avgPool2d: expected kernelSize to be an integer >= 1 or a pair of them, but received 0$/],
    ["batchNorm: too many positional", () => F.batchNorm(x(), null, null, null, null, true, 0.1, 1e-5, 1 as never), /^F\.batchNorm: expected at most 8 positional arguments \(input, runningMean, runningVar, weight, bias, training, momentum, eps\), but received 9$/],
    ["__radd__: a string", () => x().__radd__("a" as never), /^Tensor\.__radd__: expected other to be a Tensor or a number, bigint or boolean, but received "a"$/],
    ["__rmatmul__: a number", () => x().__rmatmul__(2 as never), /^Tensor\.__rmatmul__: expected other to be a Tensor, but received 2$/],
  ];
  for (const [name, call, message] of cases) {
    it(name, () => {
      const live = torch.liveTensors();
      expect(() => torch.tidy(call)).toThrow(TypeError);
      expect(() => torch.tidy(call)).toThrow(message);
      expect(torch.liveTensors()).toBe(live);
    });
  }
});
