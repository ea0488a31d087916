// Activation, loss, distance and Bilinear modules against PyTorch 1.13 (issue #17): each case is
// one constructor call (Python's positional order and/or camelCase options), built here and in
// Debian's torch from the same description (test/reference/nn_activation_loss.py): repr, seeded
// default state, forward on float32 and float64, input and parameter gradients, train/eval;
// then bad arguments, which both sides refuse.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { expectClose, expectExact, prng, type Encoded } from "./reference/nn_common.js";
import { ReferenceSession } from "./reference/session.js";

const { nn } = torch;
const F = nn.functional;
type DT = "float32" | "float64";

// ---- case descriptions, shared with Python ----
interface Input { kind: "float" | "int" | "list"; shape: number[]; data: number[]; grad?: boolean; clone?: boolean }
interface Case { cls: string; args: unknown[]; kwargs: Record<string, unknown>; inputs: Input[]; dtype: DT; train: boolean; seed: number; method?: string }
const rnd = prng(17);
const numel = (s: number[]) => s.reduce((p, d) => p * d, 1);
/** Float32-exact floats in [lo, hi) that require grad. */
const f = (shape: number[], lo = -2, hi = 2): Input => ({ kind: "float", shape, grad: true, data: Array.from({ length: numel(shape) }, () => Math.fround(lo + (hi - lo) * rnd())) });
/** Floats drawn from `values`, no grad (targets such as ±1 or 0/1). */
const pick = (shape: number[], values: number[]): Input => ({ kind: "float", shape, data: Array.from({ length: numel(shape) }, () => values[Math.floor(values.length * rnd())]!) });
const noGrad = (i: Input): Input => ({ ...i, grad: false });
const ints = (shape: number[], high: number, low = 0): Input => ({ kind: "int", shape, data: Array.from({ length: numel(shape) }, () => low + Math.floor((high - low) * rnd())) });
const intData = (shape: number[], data: number[]): Input => ({ kind: "int", shape, data });
const list = (data: number[]): Input => ({ kind: "list", shape: [data.length], data });
const T = (i: Input) => ({ $t: noGrad(i) });
const inplace = (i: Input): Input => ({ ...i, clone: true });

interface Spec { cls: string; args?: unknown[]; kwargs?: Record<string, unknown>; inputs: () => Input[]; train?: boolean; method?: string; only?: DT }
const x35 = () => [f([3, 5], -3, 3)];
const pair34 = () => [f([3, 4]), noGrad(f([3, 4]))];
const SPECS: Spec[] = [
  // activations
  { cls: "Threshold", args: [0.1, 20], inputs: x35 },
  { cls: "Threshold", args: [-0.5], kwargs: { value: 1.5, inplace: true }, inputs: () => [inplace(f([3, 5]))] },
  { cls: "ReLU", inputs: x35 },
  { cls: "ReLU", args: [true], inputs: () => [inplace(f([3, 5]))] },
  { cls: "RReLU", inputs: x35, train: false },
  { cls: "RReLU", args: [0.1, 0.3], inputs: () => [f([4, 6])], train: true },
  { cls: "RReLU", kwargs: { inplace: true }, inputs: () => [inplace(f([4, 6]))], train: true },
  { cls: "Hardtanh", inputs: x35 },
  { cls: "Hardtanh", args: [-2, 1.5], inputs: x35 },
  { cls: "Hardtanh", kwargs: { minValue: -0.5, maxValue: 0.5, inplace: true }, inputs: () => [inplace(f([3, 5]))] },
  { cls: "ReLU6", inputs: () => [f([3, 5], -2, 8)] },
  { cls: "ReLU6", kwargs: { inplace: true }, inputs: () => [inplace(f([3, 5], -2, 8))] },
  { cls: "Sigmoid", inputs: x35 },
  { cls: "Hardsigmoid", inputs: () => [f([3, 5], -4, 4)] },
  { cls: "Hardsigmoid", args: [true], inputs: () => [inplace(f([3, 5], -4, 4))] },
  { cls: "Tanh", inputs: x35 },
  { cls: "SiLU", inputs: x35 },
  { cls: "SiLU", args: [true], inputs: () => [inplace(f([3, 5]))] },
  { cls: "Mish", inputs: x35 },
  { cls: "Mish", kwargs: { inplace: true }, inputs: () => [inplace(f([3, 5]))] },
  { cls: "Hardswish", inputs: () => [f([3, 5], -4, 4)] },
  { cls: "Hardswish", args: [true], inputs: () => [inplace(f([3, 5], -4, 4))] },
  { cls: "ELU", inputs: x35 },
  { cls: "ELU", args: [0.5, true], inputs: () => [inplace(f([3, 5]))] },
  { cls: "CELU", inputs: x35 },
  { cls: "CELU", kwargs: { alpha: 2 }, inputs: x35 },
  { cls: "SELU", inputs: x35 },
  { cls: "SELU", args: [true], inputs: () => [inplace(f([3, 5]))] },
  { cls: "GLU", inputs: () => [f([3, 6])] },
  { cls: "GLU", args: [0], inputs: () => [f([4, 3])] },
  { cls: "GELU", inputs: x35 },
  { cls: "GELU", args: ["tanh"], inputs: x35 },
  { cls: "Hardshrink", inputs: x35 },
  { cls: "Hardshrink", args: [1.25], inputs: x35 },
  { cls: "LeakyReLU", inputs: x35 },
  { cls: "LeakyReLU", args: [0.2], kwargs: { inplace: true }, inputs: () => [inplace(f([3, 5]))] },
  { cls: "LogSigmoid", inputs: x35 },
  { cls: "Softplus", inputs: x35 },
  { cls: "Softplus", args: [2, 1.5], inputs: x35 },
  { cls: "Softplus", kwargs: { beta: 0.5 }, inputs: x35 },
  { cls: "Softshrink", inputs: x35 },
  { cls: "Softshrink", kwargs: { lambd: 1 }, inputs: x35 },
  { cls: "PReLU", inputs: x35 },
  { cls: "PReLU", args: [3, 0.1], inputs: () => [f([2, 3, 4])] },
  { cls: "PReLU", kwargs: { numParameters: 4 }, inputs: () => [f([2, 4])] },
  { cls: "Softsign", inputs: x35 },
  { cls: "Tanhshrink", inputs: x35 },
  { cls: "Softmin", args: [1], inputs: x35 },
  { cls: "Softmin", inputs: () => [f([2, 3, 4])] },
  { cls: "Softmax", args: [-1], inputs: x35 },
  { cls: "Softmax", inputs: () => [f([2, 3, 4, 2])] },
  { cls: "Softmax", kwargs: { dim: null }, inputs: () => [f([5])] },
  { cls: "Softmax2d", inputs: () => [f([2, 3, 2, 2])] },
  { cls: "Softmax2d", inputs: () => [f([3, 2, 2])] },
  { cls: "LogSoftmax", args: [1], inputs: x35 },
  { cls: "LogSoftmax", inputs: () => [f([2, 3, 4])] },
  // regression losses
  { cls: "L1Loss", inputs: pair34 },
  { cls: "L1Loss", kwargs: { reduction: "sum" }, inputs: pair34 },
  { cls: "L1Loss", args: [null, false], inputs: pair34 },
  { cls: "MSELoss", inputs: pair34 },
  { cls: "MSELoss", args: [false], inputs: pair34 },
  { cls: "MSELoss", kwargs: { reduction: "none" }, inputs: () => [f([3, 4]), f([3, 4])] },
  { cls: "SmoothL1Loss", inputs: pair34 },
  { cls: "SmoothL1Loss", kwargs: { beta: 0.5, reduction: "none" }, inputs: pair34 },
  { cls: "SmoothL1Loss", args: [null, null, "sum", 2], inputs: pair34 },
  { cls: "HuberLoss", inputs: pair34 },
  { cls: "HuberLoss", args: ["sum", 0.5], inputs: pair34 },
  { cls: "SoftMarginLoss", inputs: () => [f([3, 4]), pick([3, 4], [-1, 1])] },
  { cls: "SoftMarginLoss", kwargs: { reduction: "none" }, inputs: () => [f([3, 4]), pick([3, 4], [-1, 1])] },
  { cls: "KLDivLoss", inputs: () => [f([3, 4]), noGrad(f([3, 4], 0.1, 1))] },
  { cls: "KLDivLoss", kwargs: { reduction: "batchmean" }, inputs: () => [f([3, 4]), f([3, 4], 0.1, 1)] },
  { cls: "KLDivLoss", kwargs: { reduction: "sum", logTarget: true }, inputs: () => [f([3, 4]), f([3, 4])] },
  { cls: "KLDivLoss", args: [false, true], inputs: () => [f([3, 4]), noGrad(f([3, 4], 0.1, 1))] },
  { cls: "PoissonNLLLoss", inputs: () => [f([3, 4]), pick([3, 4], [0, 1, 2, 3])] },
  { cls: "PoissonNLLLoss", args: [false, true], inputs: () => [f([3, 4], 0.1, 3), pick([3, 4], [0, 1, 2, 5])] },
  { cls: "PoissonNLLLoss", kwargs: { full: true, reduction: "none", eps: 1e-4 }, inputs: () => [f([3, 4]), pick([3, 4], [0, 2, 4])] },
  { cls: "GaussianNLLLoss", inputs: () => [f([3, 4]), noGrad(f([3, 4])), f([3, 4], 0.2, 2)] },
  { cls: "GaussianNLLLoss", kwargs: { full: true, reduction: "sum" }, inputs: () => [f([3, 4]), f([3, 4]), f([3, 1], 0.2, 2)] },
  { cls: "GaussianNLLLoss", kwargs: { eps: 0.5, reduction: "none" }, inputs: () => [f([3, 4]), noGrad(f([3, 4])), f([3], 0.1, 2)] },
  { cls: "BCELoss", inputs: () => [f([3, 4], 0.05, 0.95), pick([3, 4], [0, 1])] },
  { cls: "BCELoss", args: [T(f([4], 0.5, 2))], inputs: () => [f([3, 4], 0.05, 0.95), noGrad(f([3, 4], 0, 1))] },
  { cls: "BCELoss", kwargs: { weight: T(f([3, 1], 0.5, 2)), reduction: "sum" }, inputs: () => [f([3, 4], 0.05, 0.95), pick([3, 4], [0, 1])] },
  { cls: "BCEWithLogitsLoss", inputs: () => [f([3, 4]), pick([3, 4], [0, 1])] },
  { cls: "BCEWithLogitsLoss", kwargs: { posWeight: T(f([4], 0.5, 3)) }, inputs: () => [f([3, 4]), noGrad(f([3, 4], 0, 1))] },
  { cls: "BCEWithLogitsLoss", args: [T(f([4], 0.5, 2)), null, null, "none", T(f([4], 0.5, 3))], inputs: () => [f([3, 4]), pick([3, 4], [0, 1])] },
  // class-index losses
  { cls: "NLLLoss", inputs: () => [f([4, 5]), ints([4], 5)] },
  { cls: "NLLLoss", args: [T(f([5], 0.5, 2))], kwargs: { ignoreIndex: 1 }, inputs: () => [f([6, 5]), intData([6], [1, 0, 1, 4, 2, 3])] },
  { cls: "NLLLoss", kwargs: { reduction: "none" }, inputs: () => [f([2, 3, 4]), ints([2, 4], 3)] },
  { cls: "NLLLoss", args: [null, false], inputs: () => [f([4, 5]), ints([4], 5)] },
  { cls: "NLLLoss2d", inputs: () => [f([2, 3, 2, 2]), ints([2, 2, 2], 3)] },
  { cls: "NLLLoss2d", kwargs: { weight: T(f([3], 0.5, 2)), reduction: "sum" }, inputs: () => [f([2, 3, 2, 2]), ints([2, 2, 2], 3)] },
  { cls: "CrossEntropyLoss", inputs: () => [f([4, 5]), ints([4], 5)] },
  { cls: "CrossEntropyLoss", args: [T(f([5], 0.5, 2))], kwargs: { ignoreIndex: 2, labelSmoothing: 0.2 }, inputs: () => [f([6, 5]), intData([6], [2, 0, 1, 4, 2, 3])] },
  { cls: "CrossEntropyLoss", kwargs: { reduction: "none", labelSmoothing: 0.1 }, inputs: () => [f([2, 3, 4]), ints([2, 4], 3)] },
  { cls: "CrossEntropyLoss", kwargs: { labelSmoothing: 0.3 }, inputs: () => [f([4, 5]), f([4, 5], 0, 1)] },
  { cls: "CrossEntropyLoss", args: [T(f([5], 0.5, 2)), null, -100, null, "sum"], inputs: () => [f([4, 5]), noGrad(f([4, 5], 0, 1))] },
  { cls: "CrossEntropyLoss", args: [null, null, -100, false], inputs: () => [f([4, 5]), ints([4], 5)] },
  { cls: "MultiLabelMarginLoss", inputs: () => [f([3, 4]), intData([3, 4], [3, 0, -1, 1, 1, 2, 3, -1, 0, -1, 2, 3])] },
  { cls: "MultiLabelMarginLoss", kwargs: { reduction: "none" }, inputs: () => [f([2, 4]), intData([2, 4], [2, -1, 0, 0, 0, 1, 2, 3])] },
  { cls: "MultiLabelSoftMarginLoss", inputs: () => [f([3, 4]), pick([3, 4], [0, 1])] },
  { cls: "MultiLabelSoftMarginLoss", args: [T(f([4], 0.5, 2))], kwargs: { reduction: "none" }, inputs: () => [f([3, 4]), pick([3, 4], [0, 1])] },
  { cls: "MultiMarginLoss", inputs: () => [f([4, 5]), ints([4], 5)] },
  { cls: "MultiMarginLoss", args: [2, 0.5, T(f([5], 0.5, 2))], inputs: () => [f([4, 5]), ints([4], 5)] },
  { cls: "MultiMarginLoss", kwargs: { p: 1, margin: 2, reduction: "sum" }, inputs: () => [f([4, 5]), ints([4], 5)] },
  { cls: "HingeEmbeddingLoss", inputs: () => [f([3, 4]), pick([3, 4], [-1, 1])] },
  { cls: "HingeEmbeddingLoss", args: [0.5], kwargs: { reduction: "none" }, inputs: () => [f([3, 4]), pick([3, 4], [-1, 1])] },
  { cls: "CTCLoss", inputs: () => [f([6, 2, 5]), ints([2, 3], 5, 1), list([6, 5]), list([3, 2])] },
  { cls: "CTCLoss", args: [4, "sum"], inputs: () => [f([6, 2, 5]), ints([2, 3], 4), { ...ints([2], 1), data: [6, 4] }, { ...ints([2], 1), data: [3, 1] }] },
  { cls: "CTCLoss", kwargs: { reduction: "none", zeroInfinity: true }, inputs: () => [f([4, 2, 5]), intData([2, 3], [1, 1, 1, 2, 3, 4]), list([4, 4]), list([3, 3])] },
  // embedding losses
  { cls: "CosineEmbeddingLoss", inputs: () => [f([3, 4]), f([3, 4]), pick([3], [-1, 1])] },
  { cls: "CosineEmbeddingLoss", args: [0.3], kwargs: { reduction: "none" }, inputs: () => [f([4, 4]), f([4, 4]), pick([4], [-1, 1])] },
  { cls: "MarginRankingLoss", inputs: () => [f([5]), f([5]), pick([5], [-1, 1])] },
  { cls: "MarginRankingLoss", args: [0.5, null, null, "sum"], inputs: () => [f([5]), f([5]), pick([5], [-1, 1])] },
  { cls: "TripletMarginLoss", inputs: () => [f([3, 4]), f([3, 4]), f([3, 4])] },
  { cls: "TripletMarginLoss", args: [0.5, 1], kwargs: { swap: true, reduction: "none" }, inputs: () => [f([3, 4]), f([3, 4]), f([3, 4])] },
  { cls: "TripletMarginLoss", kwargs: { p: 3, eps: 1e-3, margin: 2 }, inputs: () => [f([3, 4]), f([3, 4]), f([3, 4])] },
  { cls: "TripletMarginWithDistanceLoss", inputs: () => [f([3, 4]), f([3, 4]), f([3, 4])] },
  { cls: "TripletMarginWithDistanceLoss", kwargs: { distanceFunction: { $fn: "cosine" }, margin: 0.5, swap: true }, inputs: () => [f([3, 4]), f([3, 4]), f([3, 4])] },
  { cls: "TripletMarginWithDistanceLoss", kwargs: { distanceFunction: { $module: "PairwiseDistance", args: [1] }, reduction: "none" }, inputs: () => [f([3, 4]), f([3, 4]), f([3, 4])] },
  { cls: "TripletMarginWithDistanceLoss", kwargs: { distanceFunction: { $fn: "l1" }, reduction: "sum" }, inputs: () => [f([3, 4]), f([3, 4]), f([3, 4])] },
  // distances, Bilinear, adaptive softmax
  { cls: "PairwiseDistance", inputs: () => [f([3, 4]), f([3, 4])] },
  { cls: "PairwiseDistance", args: [1, 1e-3, true], inputs: () => [f([3, 4]), f([3, 4])] },
  { cls: "PairwiseDistance", kwargs: { p: 3, keepdim: false }, inputs: () => [f([4]), f([4])] },
  { cls: "CosineSimilarity", inputs: () => [f([3, 4]), f([3, 4])] },
  { cls: "CosineSimilarity", args: [0, 1e-3], inputs: () => [f([3, 4]), f([3, 4])] },
  { cls: "Bilinear", args: [3, 4, 2], inputs: () => [f([5, 3]), f([5, 4])] },
  { cls: "Bilinear", args: [2, 3, 4], kwargs: { bias: false }, inputs: () => [f([2, 5, 2]), f([2, 5, 3])] },
  { cls: "AdaptiveLogSoftmaxWithLoss", args: [8, 10, [3, 6]], inputs: () => [f([6, 8]), intData([6], [0, 4, 9, 2, 7, 5])] },
  { cls: "AdaptiveLogSoftmaxWithLoss", args: [8, 10, [2, 5, 8]], kwargs: { divValue: 2, headBias: true }, inputs: () => [f([5, 8]), intData([5], [1, 9, 3, 1, 6])] },
  { cls: "AdaptiveLogSoftmaxWithLoss", args: [6, 5, [2]], inputs: () => [f([6]), intData([], [3])] },
  { cls: "AdaptiveLogSoftmaxWithLoss", args: [6, 5, [2]], inputs: () => [f([4, 6]), intData([4], [0, 1, 1, 0])] },
  { cls: "AdaptiveLogSoftmaxWithLoss", args: [8, 10, [3, 6]], kwargs: { headBias: true }, method: "log_prob", inputs: () => [f([4, 8])] },
  { cls: "AdaptiveLogSoftmaxWithLoss", args: [8, 10, [3, 6]], kwargs: { headBias: true }, method: "predict", inputs: () => [noGrad(f([40, 8], -3, 3))] },
];
const CASES: (Case & { name: string })[] = SPECS.flatMap((s, i) => (["float32", "float64"] as const).filter((dt) => s.only === undefined || s.only === dt).map((dtype) => ({
  name: `${s.cls}(${[...(s.args ?? []).map((a) => JSON.stringify(a)), ...(s.kwargs === undefined ? [] : [JSON.stringify(s.kwargs)])].join(", ")})${s.method ? `.${s.method}` : ""}${s.train ? " [train]" : ""} ${dtype}`,
  cls: s.cls, args: s.args ?? [], kwargs: s.kwargs ?? {}, inputs: s.inputs(), dtype, train: s.train ?? true, seed: 1000 + i, method: s.method,
})));

// ---- the same calls in torch-ts ----
type AnyModule = torch.nn.Module & Record<string, unknown>;
const FUNCTIONS: Record<string, (a: torch.Tensor, b: torch.Tensor) => torch.Tensor> = {
  cosine: (a, b) => F.cosineSimilarity(a, b).neg().add(1),
  l1: (a, b) => a.sub(b).abs().sum(-1),
};
function makeInput(i: Input, dtype: DT): torch.Tensor | number[] {
  if (i.kind === "list") return [...i.data];
  if (i.kind === "int") return torch.tensor(BigInt64Array.from(i.data, (v) => BigInt(v)), { shape: i.shape });
  const data = dtype === "float64" ? Float64Array.from(i.data) : Float32Array.from(i.data);
  return torch.tensor(data, { shape: i.shape, requiresGrad: i.grad === true });
}
function value(v: unknown, dtype: DT): unknown {
  if (Array.isArray(v)) return v.map((x) => value(x, dtype));
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  if ("$t" in o) return makeInput(o.$t as Input, dtype);
  if ("$fn" in o) return FUNCTIONS[o.$fn as string];
  if ("$module" in o) return build({ cls: o.$module as string, args: (o.args as unknown[]) ?? [], kwargs: (o.kwargs as Record<string, unknown>) ?? {} }, dtype);
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, value(x, dtype)]));
}
function build(c: { cls: string; args: unknown[]; kwargs: Record<string, unknown> }, dtype: DT): AnyModule {
  const Ctor = (nn as unknown as Record<string, new (...a: unknown[]) => AnyModule>)[c.cls];
  expect(Ctor, `nn.${c.cls} exists`).toBeTypeOf("function");
  const args = c.args.map((a) => value(a, dtype));
  return Object.keys(c.kwargs).length === 0 ? new Ctor!(...args) : new Ctor!(...args, value(c.kwargs, dtype));
}
const camel = (s: string) => s.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());

interface Result { repr: string; state: [string, Encoded][]; outs: Encoded[]; cot: Encoded[]; input_grads: (Encoded | null)[]; param_grads: [string, Encoded | null][]; error?: string }
const py = new ReferenceSession("nn_activation_loss.py");
afterAll(() => py.close());
let results: Result[];
beforeAll(async () => {
  results = await py.request<Result[]>({ cmd: "cases", cases: CASES });
}, 120_000);

describe("modules equal PyTorch's: repr, seeded state, forward, gradients", () => {
  CASES.forEach((c, k) => {
    it(c.name, () => {
      const want = results[k]!;
      expect(want.error, "the reference ran this case").toBeUndefined();
      const tol = c.dtype === "float64" ? 1e-10 : 2e-5;
      torch.manualSeed(c.seed);
      const m = build(c, c.dtype);
      if (c.dtype === "float64") m.to("float64");
      m.train(c.train);
      expect(String(m), "repr").toBe(want.repr);
      const sd = m.stateDict();
      expect([...sd.keys()], "state_dict keys").toEqual(want.state.map(([name]) => name));
      for (const [name, e] of want.state) expectExact(sd.get(name), e, `state ${name}`);
      const leaves = c.inputs.map((i) => makeInput(i, c.dtype));
      const args = leaves.map((x, i) => (c.inputs[i]!.clone && x instanceof torch.Tensor ? x.clone() : x));
      torch.manualSeed(c.seed + 1);
      const fn = c.method === undefined ? (...a: unknown[]) => (m.call as (...v: unknown[]) => unknown)(...a) : (m[camel(c.method)] as (...v: unknown[]) => unknown).bind(m);
      const got = fn(...args);
      const outs = (Array.isArray(got) ? got : [got]) as torch.Tensor[];
      expect(outs.length, "outputs").toBe(want.outs.length);
      outs.forEach((o, i) => expectClose(o, want.outs[i]!, `output ${i}`, tol));
      const diff = outs.filter((o) => o.requiresGrad);
      expect(diff.length, "differentiable outputs").toBe(want.cot.length);
      if (diff.length > 0) {
        const total = torch.tidy(() => diff.map((o, i) => o.mul(torch.tensor(Float64Array.from(want.cot[i]!.values), { shape: want.cot[i]!.shape, dtype: o.dtype })).sum()).reduce((a, b) => a.add(b)));
        total.backward();
      }
      leaves.forEach((x, i) => {
        const g = want.input_grads[i];
        if (g === null || g === undefined) expect(x instanceof torch.Tensor ? x.grad : null, `input ${i} has no grad`).toBeNull();
        else expectClose((x as torch.Tensor).grad, g, `input ${i} grad`, tol);
      });
      const params = new Map(m.namedParameters());
      expect([...params.keys()], "parameters").toEqual(want.param_grads.map(([name]) => name));
      for (const [name, g] of want.param_grads) {
        if (g === null) expect(params.get(name)!.grad, `${name} grad`).toBeNull();
        else expectClose(params.get(name)!.grad, g, `${name} grad`, tol);
      }
    });
  });
});

// ---- bad arguments: torch-ts refuses each with a message naming the function and argument;
// PyTorch refuses it too (in its constructor, or at the first forward where it checks late).
interface Bad { cls: string; args?: unknown[]; kwargs?: Record<string, unknown>; inputs?: () => Input[]; method?: string; match: string[]; torchError?: boolean }
const x = () => [noGrad(f([3, 4]))];
const xt = () => [noGrad(f([3, 4])), noGrad(f([3, 4]))];
const BAD: Bad[] = [
  { cls: "Threshold", args: [], inputs: x, match: ["nn.Threshold", "threshold"] },
  { cls: "ELU", args: ["a"], inputs: x, match: ["nn.ELU", "alpha"] },
  { cls: "ELU", kwargs: { alhpa: 1 }, inputs: x, match: ["nn.ELU", "alhpa"] },
  { cls: "ELU", args: [0.5], kwargs: { alpha: 1 }, inputs: x, match: ["nn.ELU", "alpha"] },
  { cls: "ReLU", args: [true, true], inputs: x, match: ["nn.ReLU", "positional"] },
  { cls: "Hardtanh", args: [1, -1], inputs: x, match: ["nn.Hardtanh", "maxVal"] },
  { cls: "GELU", args: ["fast"], inputs: x, match: ["nn.GELU", "approximate"] },
  { cls: "Softmax", args: ["1"], inputs: x, match: ["nn.Softmax", "dim"] },
  { cls: "LogSoftmax", args: [0.5], inputs: x, match: ["nn.LogSoftmax", "dim"] },
  { cls: "Softmax2d", inputs: x, match: ["nn.Softmax2d", "3D or 4D"], torchError: true },
  { cls: "GLU", inputs: () => [noGrad(f([]))], match: ["glu does not support scalars"], torchError: true },
  { cls: "GLU", args: [1.5], inputs: x, match: ["nn.GLU", "dim"] },
  { cls: "PReLU", args: [-1], inputs: x, match: ["nn.PReLU", "numParameters"] },
  { cls: "Softplus", kwargs: { beta: "1" }, inputs: x, match: ["nn.Softplus", "beta"] },
  { cls: "L1Loss", kwargs: { reduction: "avg" }, inputs: xt, match: ["nn.L1Loss", "reduction"] },
  { cls: "MSELoss", kwargs: { reduction: "batchmean" }, inputs: xt, match: ["nn.MSELoss", "reduction"] },
  { cls: "KLDivLoss", kwargs: { reduction: "batchsum" }, inputs: xt, match: ["nn.KLDivLoss", "reduction"] },
  { cls: "HuberLoss", args: ["mean", "x"], inputs: xt, match: ["nn.HuberLoss", "delta"] },
  { cls: "CrossEntropyLoss", kwargs: { labelSmoothing: 1.5 }, inputs: () => [noGrad(f([4, 5])), ints([4], 5)], match: ["nn.CrossEntropyLoss", "labelSmoothing"] },
  { cls: "CrossEntropyLoss", kwargs: { ignoreIndex: 0.5 }, inputs: () => [noGrad(f([4, 5])), ints([4], 5)], match: ["nn.CrossEntropyLoss", "ignoreIndex"] },
  { cls: "NLLLoss", kwargs: { weight: [1, 2, 3, 4, 5] }, inputs: () => [noGrad(f([4, 5])), ints([4], 5)], match: ["nn.NLLLoss", "weight"] },
  { cls: "BCEWithLogitsLoss", kwargs: { posWeight: 2 }, inputs: xt, match: ["nn.BCEWithLogitsLoss", "posWeight"] },
  { cls: "MultiMarginLoss", args: [3], inputs: () => [noGrad(f([4, 5])), ints([4], 5)], match: ["nn.MultiMarginLoss", "p"] },
  { cls: "CTCLoss", kwargs: { blank: -1 }, inputs: () => [noGrad(f([6, 2, 5])), ints([2, 3], 5, 1), list([6, 5]), list([3, 2])], match: ["nn.CTCLoss", "blank"] },
  { cls: "TripletMarginLoss", kwargs: { swap: "yes" }, inputs: () => [noGrad(f([3, 4])), noGrad(f([3, 4])), noGrad(f([3, 4]))], match: ["nn.TripletMarginLoss", "swap"] },
  { cls: "TripletMarginWithDistanceLoss", kwargs: { distanceFunction: 3 }, inputs: () => [noGrad(f([3, 4])), noGrad(f([3, 4])), noGrad(f([3, 4]))], match: ["nn.TripletMarginWithDistanceLoss", "distanceFunction"] },
  { cls: "PairwiseDistance", kwargs: { p: "2" }, inputs: xt, match: ["nn.PairwiseDistance", "p"] },
  { cls: "CosineSimilarity", args: [0.5], inputs: xt, match: ["nn.CosineSimilarity", "dim"] },
  { cls: "Bilinear", args: [3, 4], inputs: () => [noGrad(f([2, 3])), noGrad(f([2, 4]))], match: ["nn.Bilinear", "outFeatures"] },
  { cls: "Bilinear", args: [0, 4, 2], inputs: () => [noGrad(f([2, 0])), noGrad(f([2, 4]))], match: ["nn.Bilinear", "in1Features"] },
  { cls: "AdaptiveLogSoftmaxWithLoss", args: [8, 10, [6, 3]], inputs: () => [noGrad(f([2, 8])), ints([2], 10)], match: ["nn.AdaptiveLogSoftmaxWithLoss", "cutoffs"] },
  { cls: "AdaptiveLogSoftmaxWithLoss", args: [8, 10, [3, 10]], inputs: () => [noGrad(f([2, 8])), ints([2], 10)], match: ["nn.AdaptiveLogSoftmaxWithLoss", "cutoffs"] },
  { cls: "AdaptiveLogSoftmaxWithLoss", args: [8, 10, [3, 6]], inputs: () => [noGrad(f([2, 8])), intData([2], [1, 10])], match: ["Target values should be in [0, 9]"], torchError: true },
  { cls: "AdaptiveLogSoftmaxWithLoss", args: [8, 10, [3, 6]], inputs: () => [noGrad(f([2, 8])), ints([2, 1], 10)], match: ["0D or 1D target tensor expected"], torchError: true },
  { cls: "AdaptiveLogSoftmaxWithLoss", args: [8, 10, [3, 6]], inputs: () => [noGrad(f([3, 8])), ints([2], 10)], match: ["same size in the batch dimension"], torchError: true },
];
const BAD_CASES = BAD.map((b, i) => ({ cls: b.cls, args: b.args ?? [], kwargs: b.kwargs ?? {}, inputs: b.inputs?.() ?? [], dtype: "float32" as DT, train: true, seed: 5000 + i, method: b.method }));

describe("bad arguments are refused, as PyTorch refuses them", () => {
  let pyErrors: (string | null)[];
  beforeAll(async () => {
    pyErrors = await py.request<(string | null)[]>({ cmd: "errors", cases: BAD_CASES });
  });
  BAD.forEach((b, i) => {
    const c = BAD_CASES[i]!;
    it(`${b.cls}(${[...c.args.map((a) => JSON.stringify(a)), ...(b.kwargs ? [JSON.stringify(b.kwargs)] : [])].join(", ")}): ${b.match.join(" / ")}`, () => {
      expect(pyErrors[i], "PyTorch raises too").toBeTypeOf("string");
      let err: unknown;
      try {
        const m = build(c, "float32");
        (m.call as (...v: unknown[]) => unknown)(...c.inputs.map((inp) => makeInput(inp, "float32")));
      } catch (e) {
        err = e;
      }
      expect(err, "throws").toBeInstanceOf(b.torchError ? torch.TorchError : TypeError);
      for (const part of b.match) expect((err as Error).message).toContain(part);
    });
  });
});

describe("calling rule, named returns, train/eval, memory", () => {
  it("positional and option forms build the same module", () => {
    expect(String(new nn.ELU(0.5, true))).toBe(String(new nn.ELU({ alpha: 0.5, inplace: true })));
    expect(String(new nn.Hardtanh(-2, { maxVal: 3 }))).toBe(String(new nn.Hardtanh({ minVal: -2, maxVal: 3 })));
    const a = new nn.CrossEntropyLoss(null, null, 3, null, "sum", 0.25);
    const b = new nn.CrossEntropyLoss({ ignoreIndex: 3, reduction: "sum", labelSmoothing: 0.25 });
    expect([a.ignoreIndex, a.reduction, a.labelSmoothing]).toEqual([b.ignoreIndex, b.reduction, b.labelSmoothing]);
    // The deprecated pair wins over reduction, as Python's legacy_get_string.
    expect(new nn.L1Loss(false, true).reduction).toBe("sum");
    expect(new nn.MSELoss({ reduce: false, reduction: "sum" }).reduction).toBe("none");
  });

  it("loss weights are buffers with Python's names; None ones are not in the state dict", () => {
    const w = torch.ones([4]);
    expect([...new nn.BCEWithLogitsLoss({ weight: w, posWeight: w.mul(2) }).stateDict().keys()]).toEqual(["weight", "pos_weight"]);
    expect([...new nn.BCEWithLogitsLoss({ posWeight: w }).stateDict().keys()]).toEqual(["pos_weight"]);
    expect([...new nn.NLLLoss().stateDict().keys()]).toEqual([]);
    const m = new nn.CrossEntropyLoss(w).to("float64");
    expect([...m.buffers()].map((t) => t.dtype)).toEqual(["float64"]);
  });

  it("AdaptiveLogSoftmaxWithLoss returns [output, loss] with the names", () => {
    torch.manualSeed(3);
    const asm = new nn.AdaptiveLogSoftmaxWithLoss(6, 8, [2, 5]);
    const r = asm.call(torch.randn([4, 6]), torch.tensor([0n, 3n, 7n, 1n]));
    expect(r.output).toBe(r[0]);
    expect(r.loss).toBe(r[1]);
    expect(r.output.shape).toEqual([4]);
    expect(r.loss.shape).toEqual([]);
    // logProb rows are distributions; predict is their argmax.
    const x = torch.randn([5, 6]);
    const lp = asm.logProb(x);
    expect(valuesOfLogSumExp(lp).every((v) => Math.abs(v) < 1e-5)).toBe(true);
    expect(asm.predict(x).tolist()).toEqual(lp.argmax(1).tolist());
  });

  it("RReLU draws slopes in training and uses the mean slope in eval", () => {
    const m = new nn.RReLU(0.1, 0.3);
    const x = torch.full([1000], -1);
    const train = m.call(x);
    expect(train.min().item()).toBeGreaterThanOrEqual(-0.3 - 1e-6);
    expect(train.max().item()).toBeLessThanOrEqual(-0.1 + 1e-6);
    expect(train.unique().shape[0]).toBeGreaterThan(100);
    m.eval();
    expect(m.call(x).unique().tolist()).toEqual([Math.fround(-0.2)]);
  });

  it("forwards through call() leave no tensors behind", () => {
    const x = torch.randn([4, 6]);
    const t = torch.tensor([0n, 3n, 7n, 1n]);
    const mods = [new nn.GELU(), new nn.Softmax(1), new nn.PReLU(), new nn.GLU()];
    const asm = new nn.AdaptiveLogSoftmaxWithLoss(6, 8, [2, 5]);
    const triplet = new nn.TripletMarginWithDistanceLoss({ distanceFunction: new nn.PairwiseDistance() });
    const [pos, neg] = [x.flip(0), x.neg()];
    const live = torch.liveTensors();
    for (const m of mods) m.call(x).dispose();
    const r = asm.call(x, t);
    r.output.dispose();
    r.loss.dispose();
    asm.predict(x).dispose();
    asm.logProb(x).dispose();
    triplet.call(x, pos, neg).dispose();
    expect(torch.liveTensors()).toBe(live);
  });

  it("a forward given something other than a tensor names the module and the argument", () => {
    const cases: [torch.nn.Module, unknown[], RegExp][] = [
      [new nn.ELU(), ["x"], /^nn\.ELU: expected input to be a Tensor/],
      [new nn.ReLU(), [[1, 2]], /^nn\.ReLU: expected input to be a Tensor/],
      [new nn.Softmax(1), [3], /^nn\.Softmax: expected input to be a Tensor/],
      [new nn.Bilinear(2, 2, 1), [torch.ones([1, 2]), null], /^nn\.Bilinear: expected input2 to be a Tensor/],
      [new nn.PairwiseDistance(), [1, torch.ones([2])], /^nn\.PairwiseDistance: expected x1 to be a Tensor/],
      [new nn.AdaptiveLogSoftmaxWithLoss(4, 6, [2]), [torch.ones([1, 4]), [0]], /^nn\.AdaptiveLogSoftmaxWithLoss: expected target to be a Tensor/],
    ];
    for (const [m, args, re] of cases) expect(() => (m.call as (...a: unknown[]) => unknown)(...args)).toThrow(re);
  });

  it("user code compiles under strict with no casts", () => {
    const x = torch.randn([3, 5]);
    const target = torch.tensor([1n, 0n, 4n]);
    const ys: torch.Tensor[] = [
      new nn.ELU(0.5).call(x), new nn.Threshold(0.1, 20, { inplace: false }).call(x), new nn.Softmax(1).call(x), new nn.GELU({ approximate: "tanh" }).call(x),
      new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).call(x, target), new nn.NLLLoss(null, { reduction: "sum" }).call(x.logSoftmax(1), target),
      new nn.TripletMarginWithDistanceLoss({ distanceFunction: (a, b) => a.sub(b).abs().sum(1) }).call(x, x, x),
      new nn.Bilinear(5, 5, 2, { bias: false }).call(x, x), new nn.PairwiseDistance(1, { keepdim: true }).call(x, x),
      new nn.GaussianNLLLoss({ full: true }).call(x, x, x.abs().add(1)), new nn.CTCLoss(0, { zeroInfinity: true }).call(x.logSoftmax(1).unsqueeze(1), torch.tensor([[1n]]), [3], [1]),
    ];
    expect(ys.every((y) => y instanceof torch.Tensor)).toBe(true);
  });
});

function valuesOfLogSumExp(lp: torch.Tensor): number[] {
  return (lp.logsumexp(1).tolist() as number[]);
}
