// nn.functional against PyTorch: every case runs the same op on the same float32 inputs in
// torch-ts and in Debian's torch (test/reference/nn_functional.py, one process), then
// compares the output and, after backward() with the same gradient, every input's gradient
// (1e-5 abs + 1e-5 rel), plus what the op updates in place (BatchNorm's running statistics).
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import {
  expectClose, expectExact, floatSpec, fromEncoded, fromSpec, intSpec, prng, valuesOf, type Encoded, type Spec,
} from "./reference/nn_common.js";
import { runReference } from "./reference/python.js";

const { nn } = torch;
const F = nn.functional;

type Inputs = Record<string, torch.Tensor>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Kw = Record<string, any>;
interface Case {
  /** The reference op (test/reference/nn_functional.py OPS); kw goes to it in snake_case. */
  op: string;
  kw?: Kw;
  inputs: Record<string, Spec>;
  /** Inputs that require grad: their gradients are compared. */
  grad?: string[];
  /** Inputs compared again after the call (updated in place). */
  after?: string[];
  /** torch.manualSeed(seed) right before the op, on both sides. */
  seed?: number;
  /** Output compared bit for bit rather than within tolerance. */
  exact?: boolean;
  /** The op must throw a TorchError with PyTorch's message. */
  error?: boolean;
  ts: (t: Inputs, kw: Kw) => torch.Tensor;
}
interface Result { out: Encoded; cot?: Encoded; grads?: Record<string, Encoded>; after: Record<string, Encoded>; error?: string | null }

const rnd = prng(2024);
const f = (shape: number[], lo = -1, hi = 1) => floatSpec(rnd, shape, lo, hi);
const ints = (shape: number[], high: number) => intSpec(rnd, shape, high);
/** Class indices with `value` forced at the given positions (to exercise ignoreIndex). */
const intsWith = (shape: number[], high: number, value: number, at: number[]) => {
  const s = ints(shape, high);
  for (const k of at) s.data[k] = value;
  return s;
};
/** Rows of class probabilities (each row sums to ~1), float32-exact. */
const probs = (n: number, c: number) => {
  const s = f([n, c], 0.05, 1);
  for (let i = 0; i < n; i++) {
    const row = s.data.slice(i * c, (i + 1) * c);
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((v, j) => { s.data[i * c + j] = Math.fround(v / total); });
  }
  return s;
};

const conv = (t: Inputs, kw: Kw) => F.conv2d(t.x!, t.w!, t.b ?? null, kw);
const bn = (t: Inputs, kw: Kw) => F.batchNorm(t.x!, t.rm ?? null, t.rv ?? null, { weight: t.w ?? null, bias: t.b ?? null, ...kw });
const maxPool = ({ x }: Inputs, { kernelSize, ...o }: Kw) => F.maxPool2d(x!, kernelSize, o);
const avgPool = ({ x }: Inputs, { kernelSize, ...o }: Kw) => F.avgPool2d(x!, kernelSize, o);
const adaptive = ({ x }: Inputs, { outputSize }: Kw) => F.adaptiveAvgPool2d(x!, outputSize);
const lin = (t: Inputs) => F.linear(t.x!, t.w!, t.b ?? null);
const nll = (t: Inputs, kw: Kw) => F.nllLoss(t.x!, t.target!, { weight: t.weight ?? null, ...kw });
const ce = (t: Inputs, kw: Kw) => F.crossEntropy(t.x!, t.target!, { weight: t.weight ?? null, ...kw });
const mse = (t: Inputs, kw: Kw) => F.mseLoss(t.x!, t.target!, kw);
/** An identity op: the output must also equal the input exactly. */
const identity = ({ x }: Inputs, kw: Kw) => {
  const out = F.dropout(x!, kw);
  expect(valuesOf(out), "identity").toEqual(valuesOf(x!));
  return out;
};

const XYW = ["x", "w", "b"];
const GROUPS: Record<string, Record<string, Case>> = {
  conv2d: {
    "7x9 input with bias": { op: "conv2d", inputs: { x: f([2, 3, 7, 9]), w: f([4, 3, 3, 3]), b: f([4]) }, grad: XYW, ts: conv },
    "no bias, stride 2, padding 1": { op: "conv2d", kw: { stride: 2, padding: 1 }, inputs: { x: f([2, 3, 7, 9]), w: f([5, 3, 3, 3]) }, grad: ["x", "w"], ts: conv },
    "3x2 kernel with stride, padding and dilation pairs": {
      op: "conv2d", kw: { stride: [2, 1], padding: [1, 2], dilation: [2, 1] },
      inputs: { x: f([2, 3, 7, 9]), w: f([4, 3, 3, 2]), b: f([4]) }, grad: XYW, ts: conv,
    },
    "groups 2 with padding": { op: "conv2d", kw: { groups: 2, padding: 1 }, inputs: { x: f([2, 4, 7, 9]), w: f([6, 2, 3, 3]), b: f([6]) }, grad: XYW, ts: conv },
    "depthwise (groups 4) with dilation 2": { op: "conv2d", kw: { groups: 4, dilation: 2 }, inputs: { x: f([1, 4, 9, 7]), w: f([8, 1, 3, 3]), b: f([8]) }, grad: XYW, ts: conv },
    "3-D unbatched input": { op: "conv2d", kw: { padding: [0, 1] }, inputs: { x: f([3, 7, 9]), w: f([4, 3, 3, 3]), b: f([4]) }, grad: XYW, ts: conv },
  },
  batchNorm: {
    "training: batch statistics, running stats updated with momentum 0.3": {
      op: "batch_norm", kw: { training: true, momentum: 0.3, eps: 1e-3 },
      inputs: { x: f([4, 3, 5, 6], -1, 3), rm: f([3]), rv: f([3], 0.5, 2), w: f([3]), b: f([3]) },
      grad: XYW, after: ["rm", "rv"], ts: bn,
    },
    "eval: running statistics, left unchanged": {
      op: "batch_norm", kw: { training: false },
      inputs: { x: f([4, 3, 5, 6], -1, 3), rm: f([3]), rv: f([3], 0.5, 2), w: f([3]), b: f([3]) },
      grad: XYW, after: ["rm", "rv"], ts: bn,
    },
    "training without running stats or affine parameters": {
      op: "batch_norm", kw: { training: true }, inputs: { x: f([3, 2, 4, 5], -2, 2) }, grad: ["x"], ts: bn,
    },
    "3-D (N, C, L) input in training, default momentum and eps": {
      op: "batch_norm", kw: { training: true },
      inputs: { x: f([5, 4, 7], 0, 2), rm: f([4]), rv: f([4], 0.5, 2), w: f([4]), b: f([4]) },
      grad: XYW, after: ["rm", "rv"], ts: bn,
    },
  },
  relu: {
    "out of place": { op: "relu", inputs: { x: f([3, 4, 5]) }, grad: ["x"], ts: ({ x }) => F.relu(x!) },
    "inplace on a non-leaf returns that tensor, gradient flows to the leaf": {
      op: "relu_inplace", inputs: { x: f([3, 4, 5]) }, grad: ["x"],
      ts: ({ x }) => {
        const y = x!.mul(2);
        const out = F.relu(y, { inplace: true });
        expect(out).toBe(y);
        return out;
      },
    },
  },
  maxPool2d: {
    "kernel 2, stride defaults to the kernel": { op: "max_pool2d", kw: { kernelSize: 2 }, inputs: { x: f([2, 3, 7, 9]) }, grad: ["x"], ts: maxPool },
    "kernel 3, stride 2, padding 1, ceilMode": {
      op: "max_pool2d", kw: { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }, inputs: { x: f([2, 3, 7, 9]) }, grad: ["x"], ts: maxPool,
    },
    "pairs with dilation": {
      op: "max_pool2d", kw: { kernelSize: [3, 2], stride: [2, 1], padding: [1, 0], dilation: [2, 1] }, inputs: { x: f([2, 3, 7, 9]) }, grad: ["x"], ts: maxPool,
    },
    "dilation 2 and ceilMode on a 3-D unbatched input": {
      op: "max_pool2d", kw: { kernelSize: 2, stride: 2, dilation: 2, ceilMode: true }, inputs: { x: f([3, 9, 7]) }, grad: ["x"], ts: maxPool,
    },
  },
  avgPool2d: {
    "kernel 3, stride 2, padding 1 (padding counted)": {
      op: "avg_pool2d", kw: { kernelSize: 3, stride: 2, padding: 1 }, inputs: { x: f([2, 3, 7, 9]) }, grad: ["x"], ts: avgPool,
    },
    "ceilMode with a 2x3 kernel": { op: "avg_pool2d", kw: { kernelSize: [2, 3], stride: 2, ceilMode: true }, inputs: { x: f([2, 3, 7, 9]) }, grad: ["x"], ts: avgPool },
    "countIncludePad false with ceilMode": {
      op: "avg_pool2d", kw: { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }, inputs: { x: f([2, 3, 7, 9]) }, grad: ["x"], ts: avgPool,
    },
    "divisorOverride": {
      op: "avg_pool2d", kw: { kernelSize: 3, stride: [1, 2], padding: 1, divisorOverride: 5 }, inputs: { x: f([2, 3, 7, 9]) }, grad: ["x"], ts: avgPool,
    },
    "3-D unbatched input": { op: "avg_pool2d", kw: { kernelSize: 2 }, inputs: { x: f([3, 7, 9]) }, grad: ["x"], ts: avgPool },
  },
  adaptiveAvgPool2d: {
    "7x9 to 3x4 (non-divisible)": { op: "adaptive_avg_pool2d", kw: { outputSize: [3, 4] }, inputs: { x: f([2, 3, 7, 9]) }, grad: ["x"], ts: adaptive },
    "7x7 to 3 (an int size)": { op: "adaptive_avg_pool2d", kw: { outputSize: 3 }, inputs: { x: f([2, 2, 7, 7]) }, grad: ["x"], ts: adaptive },
    "5x5 to 7x7 (output larger than input)": { op: "adaptive_avg_pool2d", kw: { outputSize: 7 }, inputs: { x: f([1, 2, 5, 5]) }, grad: ["x"], ts: adaptive },
    "3-D unbatched input": { op: "adaptive_avg_pool2d", kw: { outputSize: [3, 3] }, inputs: { x: f([3, 7, 9]) }, grad: ["x"], ts: adaptive },
  },
  linear: {
    "2-D input with bias": { op: "linear", inputs: { x: f([4, 5]), w: f([3, 5]), b: f([3]) }, grad: XYW, ts: lin },
    "without bias": { op: "linear", inputs: { x: f([4, 5]), w: f([3, 5]) }, grad: ["x", "w"], ts: lin },
    "batched 3-D input": { op: "linear", inputs: { x: f([2, 4, 5]), w: f([3, 5]), b: f([3]) }, grad: XYW, ts: lin },
    "1-D input": { op: "linear", inputs: { x: f([5]), w: f([3, 5]), b: f([3]) }, grad: XYW, ts: lin },
  },
  flatten: {
    "all dimensions (defaults)": { op: "flatten", inputs: { x: f([2, 3, 4, 5]) }, grad: ["x"], ts: ({ x }) => F.flatten(x!) },
    "dims 1..2": { op: "flatten", kw: { startDim: 1, endDim: 2 }, inputs: { x: f([2, 3, 4, 5]) }, grad: ["x"], ts: ({ x }, kw) => F.flatten(x!, kw.startDim, kw.endDim) },
    "negative dims": { op: "flatten", kw: { startDim: -3, endDim: -2 }, inputs: { x: f([2, 3, 4, 5]) }, grad: ["x"], ts: ({ x }, kw) => F.flatten(x!, kw.startDim, kw.endDim) },
  },
  dropout: {
    "p = 0 in training is the identity": { op: "dropout", kw: { p: 0, training: true }, inputs: { x: f([4, 6]) }, grad: ["x"], ts: identity },
    "training false is the identity": { op: "dropout", kw: { p: 0.5, training: false }, inputs: { x: f([4, 6]) }, grad: ["x"], ts: identity },
    "seeded p = 0.3: the same mask and scale as PyTorch": {
      op: "dropout", kw: { p: 0.3 }, seed: 1234, exact: true, inputs: { x: f([8, 16]) }, grad: ["x"], ts: ({ x }, kw) => F.dropout(x!, kw),
    },
    "seeded p = 0.5 on a 4-D input": {
      op: "dropout", kw: { p: 0.5, training: true }, seed: 99, exact: true, inputs: { x: f([2, 3, 5, 5]) }, grad: ["x"], ts: ({ x }, kw) => F.dropout(x!, kw),
    },
    "p = 1 zeroes everything": { op: "dropout", kw: { p: 1 }, seed: 5, exact: true, inputs: { x: f([3, 4]) }, grad: ["x"], ts: ({ x }, kw) => F.dropout(x!, kw) },
  },
  softmax: {
    ...Object.fromEntries([0, 1, -1].map((dim) => [`softmax over dim ${dim}`,
      { op: "softmax", kw: { dim }, inputs: { x: f([3, 4, 5], -3, 3) }, grad: ["x"], ts: ({ x }: Inputs, kw: Kw) => F.softmax(x!, kw.dim) }])),
    ...Object.fromEntries([0, 2, -2].map((dim) => [`logSoftmax over dim ${dim}`,
      { op: "log_softmax", kw: { dim }, inputs: { x: f([3, 4, 5], -3, 3) }, grad: ["x"], ts: ({ x }: Inputs, kw: Kw) => F.logSoftmax(x!, kw.dim) }])),
    "softmax with dtype float64": {
      op: "softmax", kw: { dim: 1, dtype: "float64" }, inputs: { x: f([3, 4], -3, 3) }, grad: ["x"], ts: ({ x }, kw) => F.softmax(x!, kw.dim, { dtype: kw.dtype }),
    },
    "logSoftmax with dtype float64": {
      op: "log_softmax", kw: { dim: -1, dtype: "float64" }, inputs: { x: f([3, 4], -3, 3) }, grad: ["x"], ts: ({ x }, kw) => F.logSoftmax(x!, kw.dim, { dtype: kw.dtype }),
    },
  },
  nllLoss: {
    "reduction mean": { op: "nll_loss", inputs: { x: f([6, 5], -3, 0), target: ints([6], 5) }, grad: ["x"], ts: nll },
    "reduction none": { op: "nll_loss", kw: { reduction: "none" }, inputs: { x: f([6, 5], -3, 0), target: ints([6], 5) }, grad: ["x"], ts: nll },
    "reduction sum with class weight": {
      op: "nll_loss", kw: { reduction: "sum" }, inputs: { x: f([6, 5], -3, 0), target: ints([6], 5), weight: f([5], 0.1, 2) }, grad: ["x"], ts: nll,
    },
    "ignoreIndex with class weight (weighted mean)": {
      op: "nll_loss", kw: { ignoreIndex: 2 }, inputs: { x: f([6, 5], -3, 0), target: intsWith([6], 5, 2, [1, 4]), weight: f([5], 0.1, 2) }, grad: ["x"], ts: nll,
    },
    "K-dim input (N, C, H, W)": { op: "nll_loss", inputs: { x: f([2, 4, 3, 3], -3, 0), target: ints([2, 3, 3], 4) }, grad: ["x"], ts: nll },
  },
  crossEntropy: {
    "reduction mean": { op: "cross_entropy", inputs: { x: f([6, 5], -2, 2), target: ints([6], 5) }, grad: ["x"], ts: ce },
    "reduction none": { op: "cross_entropy", kw: { reduction: "none" }, inputs: { x: f([6, 5], -2, 2), target: ints([6], 5) }, grad: ["x"], ts: ce },
    "reduction sum": { op: "cross_entropy", kw: { reduction: "sum" }, inputs: { x: f([6, 5], -2, 2), target: ints([6], 5) }, grad: ["x"], ts: ce },
    "class weight": { op: "cross_entropy", inputs: { x: f([6, 5], -2, 2), target: ints([6], 5), weight: f([5], 0.1, 2) }, grad: ["x"], ts: ce },
    "ignoreIndex with class weight": {
      op: "cross_entropy", kw: { ignoreIndex: 3 }, inputs: { x: f([6, 5], -2, 2), target: intsWith([6], 5, 3, [0, 5]), weight: f([5], 0.1, 2) }, grad: ["x"], ts: ce,
    },
    "labelSmoothing 0.2 with class weight and ignoreIndex": {
      op: "cross_entropy", kw: { labelSmoothing: 0.2, ignoreIndex: 1 },
      inputs: { x: f([6, 5], -2, 2), target: intsWith([6], 5, 1, [2]), weight: f([5], 0.1, 2) }, grad: ["x"], ts: ce,
    },
    "labelSmoothing with reduction none": {
      op: "cross_entropy", kw: { labelSmoothing: 0.1, reduction: "none" }, inputs: { x: f([6, 5], -2, 2), target: ints([6], 5) }, grad: ["x"], ts: ce,
    },
    "probability targets (input and target gradients)": {
      op: "cross_entropy", inputs: { x: f([6, 5], -2, 2), target: probs(6, 5) }, grad: ["x", "target"], ts: ce,
    },
    "probability targets with labelSmoothing, class weight, reduction sum": {
      op: "cross_entropy", kw: { labelSmoothing: 0.1, reduction: "sum" },
      inputs: { x: f([6, 5], -2, 2), target: probs(6, 5), weight: f([5], 0.1, 2) }, grad: ["x", "target"], ts: ce,
    },
    "probability targets, reduction none": {
      op: "cross_entropy", kw: { reduction: "none" }, inputs: { x: f([6, 5], -2, 2), target: probs(6, 5) }, grad: ["x", "target"], ts: ce,
    },
    "K-dim input (N, C, H, W) with labelSmoothing": {
      op: "cross_entropy", kw: { labelSmoothing: 0.05 }, inputs: { x: f([2, 4, 3, 3], -2, 2), target: ints([2, 3, 3], 4) }, grad: ["x"], ts: ce,
    },
    "unbatched input (C) with a 0-d target": { op: "cross_entropy", inputs: { x: f([5], -2, 2), target: ints([], 5) }, grad: ["x"], ts: ce },
  },
  mseLoss: {
    ...Object.fromEntries(["mean", "none", "sum"].map((reduction) => [`reduction ${reduction}`,
      { op: "mse_loss", kw: { reduction }, inputs: { x: f([3, 4]), target: f([3, 4]) }, grad: ["x", "target"], ts: mse }])),
    "broadcastable 3-D input, default reduction": { op: "mse_loss", inputs: { x: f([2, 3, 4]), target: f([2, 3, 4]) }, grad: ["x", "target"], ts: mse },
  },
};

const targets = (...data: number[]): Spec => ({ shape: [data.length], dtype: "int64", data });
const ERROR = { error: true };
GROUPS.errors = {
  "conv2d: input channels do not match the weight": { ...ERROR, op: "conv2d", inputs: { x: f([2, 5, 7, 9]), w: f([4, 3, 3, 3]) }, ts: conv },
  "conv2d: out channels not divisible by groups": { ...ERROR, op: "conv2d", kw: { groups: 3 }, inputs: { x: f([2, 9, 7, 9]), w: f([4, 3, 3, 3]) }, ts: conv },
  "conv2d: kernel larger than the padded input": { ...ERROR, op: "conv2d", inputs: { x: f([2, 3, 2, 2]), w: f([4, 3, 3, 3]) }, ts: conv },
  "linear: shapes that cannot be multiplied": { ...ERROR, op: "linear", inputs: { x: f([4, 5]), w: f([3, 6]) }, ts: lin },
  "batchNorm: running_mean of the wrong size": {
    ...ERROR, op: "batch_norm", kw: { training: false }, inputs: { x: f([2, 3, 4, 4]), rm: f([4]), rv: f([4], 0.5, 1) }, ts: bn,
  },
  "batchNorm: one value per channel in training": { ...ERROR, op: "batch_norm", kw: { training: true }, inputs: { x: f([1, 3]) }, ts: bn },
  "maxPool2d: output size too small": { ...ERROR, op: "max_pool2d", kw: { kernelSize: 3 }, inputs: { x: f([1, 1, 2, 2]) }, ts: maxPool },
  "avgPool2d: padding over half the kernel": { ...ERROR, op: "avg_pool2d", kw: { kernelSize: 2, padding: 2 }, inputs: { x: f([1, 1, 5, 5]) }, ts: avgPool },
  "nllLoss: a negative target": { ...ERROR, op: "nll_loss", inputs: { x: f([3, 5]), target: targets(0, -1, 1) }, ts: nll },
  "crossEntropy: a target out of bounds": { ...ERROR, op: "cross_entropy", inputs: { x: f([3, 5]), target: targets(0, 7, 1) }, ts: ce },
  "crossEntropy: a float target of another shape": { ...ERROR, op: "cross_entropy", inputs: { x: f([3, 5]), target: f([3, 4]) }, ts: ce },
  "mseLoss: shapes that do not broadcast": { ...ERROR, op: "mse_loss", inputs: { x: f([3, 5]), target: f([4, 5]) }, ts: mse },
};

const snake = (kw: Kw = {}) => Object.fromEntries(Object.entries(kw).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));

let ref: Record<string, Result>;
beforeAll(() => {
  const payload: Record<string, unknown> = {};
  for (const [group, cases] of Object.entries(GROUPS)) {
    for (const [name, c] of Object.entries(cases)) {
      payload[`${group}: ${name}`] = { op: c.op, kw: snake(c.kw), inputs: c.inputs, grad: c.grad ?? [], after: c.after ?? [], seed: c.seed ?? null, error: c.error === true };
    }
  }
  ref = runReference<Record<string, Result>>("nn_functional.py", payload);
});

function check(key: string, c: Case): void {
  const r = ref[key]!;
  expect(r, `PyTorch result for ${key}`).toBeDefined();
  const t: Inputs = Object.fromEntries(Object.entries(c.inputs).map(([n, s]) => [n, fromSpec(s, c.grad?.includes(n) ?? false)]));
  if (c.error) {
    expect(r.error, "PyTorch raised").toEqual(expect.any(String));
    let err: unknown;
    try {
      c.ts(t, c.kw ?? {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(torch.TorchError);
    expect((err as Error).message).toBe(r.error);
    return;
  }
  if (c.seed !== undefined) torch.manualSeed(c.seed);
  const out = c.ts(t, c.kw ?? {});
  (c.exact ? expectExact : expectClose)(out, r.out, "output");
  if (c.grad && c.grad.length > 0) {
    out.backward(fromEncoded(r.cot!));
    for (const n of c.grad) expectClose(t[n]!.grad, r.grads![n]!, `${n}.grad`);
  }
  for (const n of c.after ?? []) expectClose(t[n], r.after[n]!, `${n} after the call`);
  torch.dispose(t, out);
}

for (const [group, cases] of Object.entries(GROUPS)) {
  describe(group === "errors" ? "errors: TorchError with PyTorch's message" : `F.${group} matches PyTorch`, () => {
    for (const [name, c] of Object.entries(cases)) it(name, () => check(`${group}: ${name}`, c));
  });
}
