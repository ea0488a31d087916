// The cases test/nn_norm_init_utils.test.ts runs against PyTorch: each pairs the Python
// expression (or statements) test/reference/nn_norm_init_utils.py evaluates with the same call
// in TypeScript by the calling rule.
import * as torch from "torch-ts";

const { nn } = torch;
const { init } = nn;
export type Module = torch.nn.Module;
export type T = torch.Tensor;
export type DType = "float32" | "float64";

// ---- modules: built under the same seed in both, input shape, non-default parameters ----
export interface ModCase {
  py: string;
  ts: () => Module;
  input: number[];
  dtype?: DType;
  /** Parameters set to non-default values before the forwards (shapes). */
  set?: Record<string, number[]>;
  tol?: number;
}

export const MODULES: Record<string, ModCase> = {
  "LayerNorm(4)": { py: "nn.LayerNorm(4)", ts: () => new nn.LayerNorm(4), input: [3, 5, 4] },
  "LayerNorm([3, 4], 1e-3) positional eps, affine set": { py: "nn.LayerNorm([3, 4], 1e-3)", ts: () => new nn.LayerNorm([3, 4], 1e-3), input: [2, 3, 4], set: { weight: [3, 4], bias: [3, 4] } },
  "LayerNorm(6, { elementwiseAffine: false })": { py: "nn.LayerNorm(6, elementwise_affine=False)", ts: () => new nn.LayerNorm(6, { elementwiseAffine: false }), input: [4, 6] },
  "LayerNorm([2, 3]) float64": { py: "nn.LayerNorm((2, 3))", ts: () => new nn.LayerNorm([2, 3]), input: [3, 2, 3], dtype: "float64", set: { weight: [2, 3], bias: [2, 3] } },
  "GroupNorm(2, 4) affine set": { py: "nn.GroupNorm(2, 4)", ts: () => new nn.GroupNorm(2, 4), input: [3, 4, 5], set: { weight: [4], bias: [4] } },
  "GroupNorm(3, 6, 1e-3, false) positional": { py: "nn.GroupNorm(3, 6, 1e-3, False)", ts: () => new nn.GroupNorm(3, 6, 1e-3, false), input: [2, 6, 2, 3] },
  "GroupNorm(1, 3, { eps: 1e-4 }) float64": { py: "nn.GroupNorm(1, 3, eps=1e-4)", ts: () => new nn.GroupNorm(1, 3, { eps: 1e-4 }), input: [2, 3, 4, 4], dtype: "float64", set: { weight: [3], bias: [3] } },
  "LocalResponseNorm(2) on 3-D": { py: "nn.LocalResponseNorm(2)", ts: () => new nn.LocalResponseNorm(2), input: [2, 5, 4] },
  "LocalResponseNorm(3, 1e-2, 0.5, 2) on 4-D": { py: "nn.LocalResponseNorm(3, 1e-2, 0.5, 2.0)", ts: () => new nn.LocalResponseNorm(3, 1e-2, 0.5, 2), input: [2, 4, 3, 3] },
  "LocalResponseNorm(4, { alpha: 0.1, beta: 0.6 }) on 5-D float64": { py: "nn.LocalResponseNorm(4, alpha=0.1, beta=0.6)", ts: () => new nn.LocalResponseNorm(4, { alpha: 0.1, beta: 0.6 }), input: [2, 6, 2, 3, 3], dtype: "float64" },
  "CrossMapLRN2d(3)": { py: "nn.CrossMapLRN2d(3, alpha=0.5)", ts: () => new nn.CrossMapLRN2d(3, { alpha: 0.5 }), input: [2, 5, 3, 3] },
  "CrossMapLRN2d(5, 0.1, 0.75, 2)": { py: "nn.CrossMapLRN2d(5, 0.1, 0.75, 2)", ts: () => new nn.CrossMapLRN2d(5, 0.1, 0.75, 2), input: [2, 7, 2, 2] },
  "CrossMapLRN2d(7) over 3 channels float64": { py: "nn.CrossMapLRN2d(7, 0.3, 0.6, 1.5)", ts: () => new nn.CrossMapLRN2d(7, 0.3, 0.6, 1.5), input: [2, 3, 2, 3], dtype: "float64" },
  "InstanceNorm1d(3)": { py: "nn.InstanceNorm1d(3)", ts: () => new nn.InstanceNorm1d(3), input: [2, 3, 6] },
  "InstanceNorm1d(3) unbatched (C, L)": { py: "nn.InstanceNorm1d(3)", ts: () => new nn.InstanceNorm1d(3), input: [3, 6] },
  "InstanceNorm1d(3, affine, tracking, momentum 0.2)": {
    py: "nn.InstanceNorm1d(3, momentum=0.2, affine=True, track_running_stats=True)",
    ts: () => new nn.InstanceNorm1d(3, { momentum: 0.2, affine: true, trackRunningStats: true }), input: [4, 3, 5], set: { weight: [3], bias: [3] },
  },
  "InstanceNorm1d tracking on unbatched input": {
    py: "nn.InstanceNorm1d(2, track_running_stats=True)", ts: () => new nn.InstanceNorm1d(2, { trackRunningStats: true }), input: [2, 7],
  },
  "InstanceNorm2d(2, 1e-5, 0.1, true, true) positional float64": {
    py: "nn.InstanceNorm2d(2, 1e-5, 0.1, True, True)", ts: () => new nn.InstanceNorm2d(2, 1e-5, 0.1, true, true), input: [2, 2, 3, 4], dtype: "float64", set: { weight: [2], bias: [2] },
  },
  "InstanceNorm2d(3) unbatched (C, H, W)": { py: "nn.InstanceNorm2d(3)", ts: () => new nn.InstanceNorm2d(3), input: [3, 4, 4] },
  "InstanceNorm3d(2, tracking, momentum 0.3)": {
    py: "nn.InstanceNorm3d(2, momentum=0.3, track_running_stats=True)", ts: () => new nn.InstanceNorm3d(2, { trackRunningStats: true, momentum: 0.3 }), input: [2, 2, 2, 3, 3],
  },
  "InstanceNorm3d(2, affine) unbatched": { py: "nn.InstanceNorm3d(2, affine=True)", ts: () => new nn.InstanceNorm3d(2, { affine: true }), input: [2, 2, 3, 3], set: { weight: [2], bias: [2] } },
  "BatchNorm3d(3)": { py: "nn.BatchNorm3d(3)", ts: () => new nn.BatchNorm3d(3), input: [2, 3, 2, 3, 3], set: { weight: [3], bias: [3] } },
  "BatchNorm3d(2, 1e-3, null) cumulative average float64": { py: "nn.BatchNorm3d(2, 1e-3, None)", ts: () => new nn.BatchNorm3d(2, 1e-3, null), input: [3, 2, 2, 2, 2], dtype: "float64" },
  "BatchNorm3d(2, { affine: false, trackRunningStats: false })": {
    py: "nn.BatchNorm3d(2, affine=False, track_running_stats=False)", ts: () => new nn.BatchNorm3d(2, { affine: false, trackRunningStats: false }), input: [2, 2, 3, 2, 2],
  },
  "BatchNorm2d(3, 1e-5, 0.3) positional": { py: "nn.BatchNorm2d(3, 1e-5, 0.3)", ts: () => new nn.BatchNorm2d(3, 1e-5, 0.3), input: [4, 3, 2, 2] },
  "BatchNorm1d(4, 1e-4, 0.2, true, true) float64": { py: "nn.BatchNorm1d(4, 1e-4, 0.2, True, True)", ts: () => new nn.BatchNorm1d(4, 1e-4, 0.2, true, true), input: [5, 4], dtype: "float64" },
};

// ---- errors where Python raises ----
const f32 = (...shape: number[]) => torch.zeros(shape);
/** [TS call, Python code raising the same error; TS's message must contain Python's (when it has one)]. */
export const ERRORS: Record<string, [() => unknown, string, typeof TypeError | typeof torch.TorchError | typeof RangeError]> = {
  "GroupNorm channels not divisible by groups": [() => new nn.GroupNorm(3, 4), "nn.GroupNorm(3, 4)", torch.TorchError],
  "InstanceNorm1d on 4-D input": [() => new nn.InstanceNorm1d(3).call(f32(2, 3, 4, 4)), "nn.InstanceNorm1d(3)(torch.zeros(2, 3, 4, 4))", torch.TorchError],
  "InstanceNorm2d on 2-D input": [() => new nn.InstanceNorm2d(3).call(f32(2, 3)), "nn.InstanceNorm2d(3)(torch.zeros(2, 3))", torch.TorchError],
  "InstanceNorm3d on 3-D input": [() => new nn.InstanceNorm3d(3).call(f32(3, 4, 4)), "nn.InstanceNorm3d(3)(torch.zeros(3, 4, 4))", torch.TorchError],
  "InstanceNorm1d training on one spatial element": [() => new nn.InstanceNorm1d(3).call(f32(2, 3, 1)), "nn.InstanceNorm1d(3)(torch.zeros(2, 3, 1))", torch.TorchError],
  "InstanceNorm1d with momentum None": [() => new nn.InstanceNorm1d(3, { momentum: null }).call(f32(2, 3, 4)), "nn.InstanceNorm1d(3, momentum=None)(torch.zeros(2, 3, 4))", TypeError],
  "BatchNorm3d on 4-D input": [() => new nn.BatchNorm3d(3).call(f32(2, 3, 4, 4)), "nn.BatchNorm3d(3)(torch.zeros(2, 3, 4, 4))", torch.TorchError],
  "BatchNorm3d training on one value per channel": [() => new nn.BatchNorm3d(3).call(f32(1, 3, 1, 1, 1)), "nn.BatchNorm3d(3)(torch.zeros(1, 3, 1, 1, 1))", torch.TorchError],
  "LayerNorm on the wrong trailing shape": [() => new nn.LayerNorm(4).call(f32(2, 3)), "nn.LayerNorm(4)(torch.zeros(2, 3))", torch.TorchError],
  "GroupNorm on channels not divisible": [() => new nn.GroupNorm(2, 4).call(f32(2, 5, 3)), "nn.GroupNorm(2, 4)(torch.zeros(2, 5, 3))", torch.TorchError],
  "LocalResponseNorm on 2-D input": [() => new nn.LocalResponseNorm(2).call(f32(2, 3)), "nn.LocalResponseNorm(2)(torch.zeros(2, 3))", torch.TorchError],
  "CrossMapLRN2d on 3-D input": [() => new nn.CrossMapLRN2d(3).call(f32(2, 3, 4)), "nn.CrossMapLRN2d(3)(torch.zeros(2, 3, 4))", torch.TorchError],
  "LayerNorm of a string shape": [() => new nn.LayerNorm("4" as never), "nn.LayerNorm('4')", TypeError],
  "LayerNorm of a negative size": [() => new nn.LayerNorm(-2), "nn.LayerNorm(-2)", TypeError],
  "eye_ on 3-D": [() => nn.init.eye_(f32(2, 2, 2)), "nn.init.eye_(torch.zeros(2, 2, 2))", torch.TorchError],
  "dirac_ on 2-D": [() => nn.init.dirac_(f32(2, 2)), "nn.init.dirac_(torch.zeros(2, 2))", torch.TorchError],
  "dirac_ groups not dividing dim 0": [() => nn.init.dirac_(f32(6, 2, 3), 4), "nn.init.dirac_(torch.zeros(6, 2, 3), 4)", torch.TorchError],
  "orthogonal_ on 1-D": [() => nn.init.orthogonal_(f32(4)), "nn.init.orthogonal_(torch.zeros(4))", torch.TorchError],
  "sparse_ on 3-D": [() => nn.init.sparse_(f32(2, 2, 2), 0.5), "nn.init.sparse_(torch.zeros(2, 2, 2), 0.5)", torch.TorchError],
  "calculateGain of an unknown nonlinearity": [() => nn.init.calculateGain("gelu" as never), "nn.init.calculate_gain('gelu')", TypeError],
  "kaimingUniform_ of an unknown mode": [() => nn.init.kaimingUniform_(f32(3, 3), 0, "fan_avg" as never), "nn.init.kaiming_uniform_(torch.zeros(3, 3), 0, 'fan_avg')", TypeError],
  "clipGradNorm_ non-finite with errorIfNonfinite": [() => {
    const p = torch.ones([3], { requiresGrad: true });
    p.grad = torch.tensor([1, Infinity, 2]);
    return nn.utils.clipGradNorm_(p, 1, { errorIfNonfinite: true });
  }, "(lambda p: (setattr(p, 'grad', torch.tensor([1., math.inf, 2.])), nn.utils.clip_grad_norm_(p, 1, error_if_nonfinite=True)))(torch.ones(3, requires_grad=True))", torch.TorchError],
  "ParameterList get out of range": [() => new nn.ParameterList([torch.zeros([2])]).get(2), "nn.ParameterList([nn.Parameter(torch.zeros(2))])[2]", RangeError],
  "ParameterList extend with a tensor": [() => new nn.ParameterList().extend(torch.zeros([2]) as never), "nn.ParameterList().extend(torch.zeros(2))", TypeError],
  "ParameterList called": [() => new nn.ParameterList().call(), "nn.ParameterList()()", torch.TorchError],
  "ParameterDict called": [() => new nn.ParameterDict().call(), "nn.ParameterDict()(1)", torch.TorchError],
  "ModuleList pop out of range": [() => new nn.ModuleList([new nn.ReLU()]).pop(1), "nn.ModuleList([nn.ReLU()]).pop(1)", RangeError],
  "vectorToParameters of a non-tensor": [() => nn.utils.vectorToParameters([1, 2] as never, [torch.zeros([2])]), "nn.utils.vector_to_parameters([1, 2], [torch.zeros(2)])", TypeError],
};

/** Python messages that name Python-only things, compared by their stable part. */
export const MESSAGE_PART: Record<string, (m: string) => string> = {
  "InstanceNorm1d with momentum None": () => "momentum",
  "LayerNorm of a string shape": () => "normalizedShape",
  "LayerNorm of a negative size": () => "normalizedShape",
  "calculateGain of an unknown nonlinearity": () => "gelu",
  "kaimingUniform_ of an unknown mode": () => "fan_avg",
  "ParameterList get out of range": () => "index 2 is out of range",
  "ModuleList pop out of range": () => "index 1 is out of range",
  "vectorToParameters of a non-tensor": () => "expected vec to be a Tensor",
  "ParameterList extend with a tensor": (m) => m.replace("Tensor", ""),
};

// ---- nn.init ----
export const INIT: Record<string, { py: string; ts: (t: T) => T; shape: number[]; dtype?: DType }> = {
  "eye_ on [3, 5]": { py: "init.eye_(t)", ts: (t) => init.eye_(t), shape: [3, 5] },
  "eye_ on [4, 2] float64": { py: "init.eye_(t)", ts: (t) => init.eye_(t), shape: [4, 2], dtype: "float64" },
  "dirac_ on [4, 2, 3]": { py: "init.dirac_(t)", ts: (t) => init.dirac_(t), shape: [4, 2, 3] },
  "dirac_ on [6, 3, 3, 3], groups 2 positional": { py: "init.dirac_(t, 2)", ts: (t) => init.dirac_(t, 2), shape: [6, 3, 3, 3] },
  "dirac_ on [2, 2, 3, 3, 3], { groups: 1 }": { py: "init.dirac_(t, groups=1)", ts: (t) => init.dirac_(t, { groups: 1 }), shape: [2, 2, 3, 3, 3] },
  "dirac_ on [4, 4, 4, 5], groups 2 (fewer outputs per group than inputs)": { py: "init.dirac_(t, 2)", ts: (t) => init.dirac_(t, 2), shape: [4, 4, 4, 5] },
  "orthogonal_ on [4, 6] (rows < cols)": { py: "init.orthogonal_(t)", ts: (t) => init.orthogonal_(t), shape: [4, 6] },
  "orthogonal_ on [6, 4]": { py: "init.orthogonal_(t)", ts: (t) => init.orthogonal_(t), shape: [6, 4] },
  "orthogonal_ on [3, 2, 2, 2], gain 2 positional": { py: "init.orthogonal_(t, 2)", ts: (t) => init.orthogonal_(t, 2), shape: [3, 2, 2, 2] },
  "orthogonal_ on [5, 5] float64, { gain: 0.5 }": { py: "init.orthogonal_(t, gain=0.5)", ts: (t) => init.orthogonal_(t, { gain: 0.5 }), shape: [5, 5], dtype: "float64" },
  "sparse_ on [10, 4], sparsity 0.3": { py: "init.sparse_(t, 0.3)", ts: (t) => init.sparse_(t, 0.3), shape: [10, 4] },
  "sparse_ on [6, 5], 0.5, std 0.1 positional": { py: "init.sparse_(t, 0.5, 0.1)", ts: (t) => init.sparse_(t, 0.5, 0.1), shape: [6, 5] },
  "sparse_ on [7, 3] float64, { sparsity: 0.9, std: 0.02 }": { py: "init.sparse_(t, sparsity=0.9, std=0.02)", ts: (t) => init.sparse_(t, { sparsity: 0.9, std: 0.02 }), shape: [7, 3], dtype: "float64" },
  "kaimingUniform_(t, 0.1, \"fan_out\", \"relu\") positional": { py: "init.kaiming_uniform_(t, 0.1, 'fan_out', 'relu')", ts: (t) => init.kaimingUniform_(t, 0.1, "fan_out", "relu"), shape: [8, 4, 3] },
  "kaimingNormal_ mode \"FAN_IN\" (any case, as Python)": { py: "init.kaiming_normal_(t, 0, 'FAN_IN')", ts: (t) => init.kaimingNormal_(t, 0, "FAN_IN" as never), shape: [5, 6] },
  "kaimingNormal_(t, { nonlinearity: \"tanh\" }) float64": { py: "init.kaiming_normal_(t, nonlinearity='tanh')", ts: (t) => init.kaimingNormal_(t, { nonlinearity: "tanh" }), shape: [6, 3], dtype: "float64" },
  "kaimingUniform_ of a zero-element tensor draws nothing": { py: "init.kaiming_uniform_(t)", ts: (t) => init.kaimingUniform_(t), shape: [0, 3] },
  "uniform_(t, { a: -2, b: 3 })": { py: "init.uniform_(t, a=-2., b=3.)", ts: (t) => init.uniform_(t, { a: -2, b: 3 }), shape: [4, 4] },
  "uniform_(t, -0.5) (b default)": { py: "init.uniform_(t, -0.5)", ts: (t) => init.uniform_(t, -0.5), shape: [9] },
  "normal_(t, { std: 0.3 })": { py: "init.normal_(t, std=0.3)", ts: (t) => init.normal_(t, { std: 0.3 }), shape: [20] },
  "normal_(t, 1, 2) float64": { py: "init.normal_(t, 1., 2.)", ts: (t) => init.normal_(t, 1, 2), shape: [3, 7], dtype: "float64" },
  "truncNormal_(t, 1, 2, -1, 4) positional": { py: "init.trunc_normal_(t, 1., 2., -1., 4.)", ts: (t) => init.truncNormal_(t, 1, 2, -1, 4), shape: [40, 5] },
  "truncNormal_(t, 0, 0.02) float64": { py: "init.trunc_normal_(t, 0., 0.02)", ts: (t) => init.truncNormal_(t, 0, 0.02), shape: [64], dtype: "float64" },
  "xavierUniform_(t, { gain: 2 })": { py: "init.xavier_uniform_(t, gain=2.)", ts: (t) => init.xavierUniform_(t, { gain: 2 }), shape: [5, 3, 2] },
  "xavierNormal_(t, 0.7)": { py: "init.xavier_normal_(t, 0.7)", ts: (t) => init.xavierNormal_(t, 0.7), shape: [7, 4] },
  "constant_(t, { val: 2.5 })": { py: "init.constant_(t, val=2.5)", ts: (t) => init.constant_(t, { val: 2.5 }), shape: [2, 3] },
  "ones_": { py: "init.ones_(t)", ts: (t) => init.ones_(t), shape: [3] },
  "zeros_ float64": { py: "init.zeros_(t)", ts: (t) => init.zeros_(t), shape: [2, 2], dtype: "float64" },
};

// ---- nn.utils clipping, on the gradients of a small MLP in Python ----
export interface ClipCase { py: string; ts: (params: T[]) => T | void; dtype?: DType; scale?: number; noGrad?: number[] }
export const CLIP: Record<string, ClipCase> = {
  "clipGradNorm_(params, 1) clips": { py: "utils.clip_grad_norm_(params, 1.0)", ts: (p) => nn.utils.clipGradNorm_(p, 1), scale: 3 },
  "clipGradNorm_(params, 1e4) leaves small gradients (coefficient clamped to 1)": { py: "utils.clip_grad_norm_(params, 1e4)", ts: (p) => nn.utils.clipGradNorm_(p, 1e4) },
  "clipGradNorm_ normType Infinity": { py: "utils.clip_grad_norm_(params, 0.5, math.inf)", ts: (p) => nn.utils.clipGradNorm_(p, 0.5, Infinity), scale: 2 },
  "clipGradNorm_ normType 1 positional, float64": { py: "utils.clip_grad_norm_(params, 0.7, 1)", ts: (p) => nn.utils.clipGradNorm_(p, 0.7, 1), dtype: "float64", scale: 2 },
  "clipGradNorm_ { normType: 0.5, errorIfNonfinite: true }": { py: "utils.clip_grad_norm_(params, max_norm=2.0, norm_type=0.5, error_if_nonfinite=True)", ts: (p) => nn.utils.clipGradNorm_(p, { maxNorm: 2, normType: 0.5, errorIfNonfinite: true }) },
  "clipGradNorm_ of one tensor": { py: "utils.clip_grad_norm_(params[0], 0.1)", ts: (p) => nn.utils.clipGradNorm_(p[0]!, 0.1), scale: 2 },
  "clipGradNorm_ skips parameters without a gradient": { py: "utils.clip_grad_norm_(params, 0.3, 3.0)", ts: (p) => nn.utils.clipGradNorm_(p, 0.3, 3), noGrad: [1, 2], scale: 2 },
  "clipGradNorm_ of no gradients returns tensor(0.)": { py: "utils.clip_grad_norm_(params, 0.3)", ts: (p) => nn.utils.clipGradNorm_(p, 0.3), noGrad: [0, 1, 2, 3] },
  "clipGradValue_(params, 0.05)": { py: "utils.clip_grad_value_(params, 0.05)", ts: (p) => nn.utils.clipGradValue_(p, 0.05), scale: 2 },
  "clipGradValue_({ clipValue: 0.2 }) float64 over a generator": { py: "utils.clip_grad_value_(iter(params), clip_value=0.2)", ts: (p) => nn.utils.clipGradValue_(p.values(), { clipValue: 0.2 }), dtype: "float64", scale: 2 },
};

// ---- containers ----
/** [Python statements leaving `m` (and optionally `out`), the same in TypeScript returning [m, out]]. */
export const CONTAINERS: Record<string, [string, () => [Module, unknown?]]> = {
  "ParameterList of three parameters (float32, float64)": [
    "m = nn.ParameterList([nn.Parameter(torch.randn(2, 3)), nn.Parameter(torch.randn(4, dtype=torch.float64)), nn.Parameter(torch.randn(1))])",
    () => [new nn.ParameterList([torch.randn([2, 3]), torch.randn([4], { dtype: "float64" }), torch.randn([1])])],
  ],
  "ParameterList of one parameter (one-line repr)": ["m = nn.ParameterList([torch.randn(3)])", () => [new nn.ParameterList([torch.randn([3])])]],
  "empty ParameterList": ["m = nn.ParameterList()", () => [new nn.ParameterList()]],
  "ParameterList append, extend, set, slice, negative index": [
    "a, b, c = [nn.Parameter(torch.randn(n)) for n in (2, 3, 4)]\nm = nn.ParameterList([a]).append(b)\nm.extend([c])\nm[0] = torch.ones(5)\ns = m[1:]\nout = [len(m), len(s), list(m[-1].shape), s[0] is b]",
    () => {
      const [a, b, c] = [torch.randn([2]), torch.randn([3]), torch.randn([4])];
      const m = new nn.ParameterList([a]).append(b);
      m.extend([c]);
      m.set(0, torch.ones([5]));
      const s = m.get("1:");
      return [m, [m.length, s.length, m.get(-1).shape, s.get(0) === b]];
    },
  ],
  "ParameterList holding a Module": ["m = nn.ParameterList([torch.randn(2), nn.Linear(2, 3)])", () => [new nn.ParameterList([torch.randn([2]), new nn.Linear(2, 3)])]],
  "ParameterDict from a plain dict (Python sorts its keys)": [
    "w, b = torch.randn(2, 2), torch.randn(2)\nm = nn.ParameterDict({'weight': w, 'bias': b, 'alpha': torch.ones(1, dtype=torch.float64)})",
    () => {
      const [w, b] = [torch.randn([2, 2]), torch.randn([2])];
      return [new nn.ParameterDict({ weight: w, bias: b, alpha: torch.ones([1], { dtype: "float64" }) })];
    },
  ],
  "ParameterDict from pairs, then set, delete, pop, popitem, setdefault, update": [
    [
      "a, b, c, d = [nn.Parameter(torch.randn(*s)) for s in ((2,), (3,), (1,), (2, 1))]",
      "m = nn.ParameterDict([('z', a), ('y', b), ('x', c)])",
      "m['y'] = torch.zeros(4)",
      "del m['z']",
      "p = m.pop('x')",
      "m.update([('q', a), ('r', c)])",
      "k, v = m.popitem()",
      "m.setdefault('s', d)",
      "m.setdefault('q', d)",
      "out = [k, p is c, v is c, list(m.keys()), 'q' in m, 'z' in m, len(m), m.get('nope') is None, [list(x.shape) for x in m.values()]]",
    ].join("\n"),
    () => {
      const [a, b, c, d] = [torch.randn([2]), torch.randn([3]), torch.randn([1]), torch.randn([2, 1])];
      const m = new nn.ParameterDict([["z", a], ["y", b], ["x", c]]);
      m.set("y", torch.zeros([4]));
      m.delete("z");
      const p = m.pop("x");
      m.update([["q", a], ["r", c]]);
      const [k, v] = m.popitem();
      m.setdefault("s", d);
      m.setdefault("q", d);
      return [m, [k, p === c, v === c, m.keys(), m.has("q"), m.has("z"), m.length, m.get("nope", null) === null, m.values().map((x) => (x as T).shape)]];
    },
  ],
  "ParameterDict copy, fromkeys and clear": [
    "a = nn.Parameter(torch.randn(3))\nm = nn.ParameterDict({'a': a})\nc = m.copy()\nf = m.fromkeys(['u', 'v'], nn.Parameter(torch.ones(2)))\nc.clear()\nout = [list(f.keys()), len(c), c is m, m['a'] is a, f['u'] is f['v'], len(m)]",
    () => {
      const a = torch.randn([3]);
      const m = new nn.ParameterDict({ a });
      const c = m.copy();
      const fk = m.fromkeys(["u", "v"], torch.ones([2]));
      c.clear();
      return [m, [fk.keys(), c.length, c === m, m.get("a") === a, fk.get("u") === fk.get("v"), m.length]];
    },
  ],
  "ModuleList insert, pop, delete a slice, set, slice, concat": [
    [
      "m = nn.ModuleList([nn.ReLU(), nn.Linear(2, 3), nn.Tanh()])",
      "m.insert(1, nn.Linear(3, 3))",
      "m.insert(3, nn.Sigmoid())",
      "p = m.pop(0)",
      "m.append(nn.Linear(1, 1))",
      "del m[0:4:2]",
      "m[0] = nn.Linear(4, 4)",
      "s = m[::-1]",
      "t = m + nn.ModuleList([nn.ReLU()])",
      "out = [type(p).__name__, len(m), [type(x).__name__ for x in s], len(t), [type(x).__name__ for x in m]]",
    ].join("\n"),
    () => {
      const m = new nn.ModuleList([new nn.ReLU(), new nn.Linear(2, 3), new nn.Tanh()]);
      m.insert(1, new nn.Linear(3, 3));
      m.insert(3, new nn.Sigmoid());
      const p = m.pop(0);
      m.append(new nn.Linear(1, 1));
      m.delete("0:4:2");
      m.set(0, new nn.Linear(4, 4));
      const s = m.get("::-1");
      const t = m.concat(new nn.ModuleList([new nn.ReLU()]));
      return [m, [p.constructor.name, m.length, [...s].map((x) => x.constructor.name), t.length, [...m].map((x) => x.constructor.name)]];
    },
  ],
  "Sequential from an OrderedDict (a Map), sliced, popped, inserted, concatenated, repeated": [
    [
      "from collections import OrderedDict",
      "m = nn.Sequential(OrderedDict([('conv', nn.Conv2d(1, 2, 3)), ('act', nn.ReLU()), ('fc', nn.Linear(2, 2))]))",
      "s = m[1:]",
      "keys_of_slice = list(dict(s.named_children()).keys())",
      "m.pop(1)",
      "m.insert(1, nn.Tanh())",
      "c = m + nn.Sequential(nn.ReLU())",
      "r = nn.Sequential(nn.ReLU(), nn.Tanh()) * 2",
      "out = [keys_of_slice, len(c), len(r), list(dict(r.named_children()).keys()), list(dict(m.named_children()).keys())]",
    ].join("\n"),
    () => {
      const m = new nn.Sequential(new Map<string, Module>([["conv", new nn.Conv2d(1, 2, 3)], ["act", new nn.ReLU()], ["fc", new nn.Linear(2, 2)]]));
      const s = m.get("1:");
      const keysOfSlice = [...s.namedChildren()].map(([k]) => k);
      m.pop(1);
      m.insert(1, new nn.Tanh());
      const c = m.concat(new nn.Sequential(new nn.ReLU()));
      const r = new nn.Sequential(new nn.ReLU(), new nn.Tanh()).repeat(2);
      return [m, [keysOfSlice, c.length, r.length, [...r.namedChildren()].map(([k]) => k), [...m.namedChildren()].map(([k]) => k)]];
    },
  ],
  "ModuleDict update, pop, delete, values, iteration": [
    "m = nn.ModuleDict({'b': nn.Linear(2, 2), 'a': nn.ReLU()})\nm.update([('c', nn.Tanh()), ('b', nn.Linear(3, 3))])\np = m.pop('a')\nm['d'] = nn.ReLU()\ndel m['c']\nout = [type(p).__name__, list(m), [type(v).__name__ for v in m.values()], len(m), 'c' in m]",
    () => {
      const m = new nn.ModuleDict({ b: new nn.Linear(2, 2), a: new nn.ReLU() });
      m.update([["c", new nn.Tanh()], ["b", new nn.Linear(3, 3)]]);
      const p = m.pop("a");
      m.set("d", new nn.ReLU());
      m.delete("c");
      return [m, [p.constructor.name, [...m], m.values().map((v) => v.constructor.name), m.length, m.has("c")]];
    },
  ],
};
