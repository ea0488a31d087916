// The torch.nn.functional functions that are Python code over ATen in PyTorch 1.13
// (torch/nn/functional.py), ported with their Python signatures by the calling rule: `input`
// first, then Python's parameters positionally in order or in one options object with camelCase
// keys. Activations, normalization, distances, embeddings, dropout, sampling grids and
// unfold/fold live here; losses in functional_losses.ts, pooling, convolution and interpolation
// in functional_pooling.ts (re-exported below, so functional.ts re-exports one module).
import { arange } from "../tensor/creation.js";
import type { DType } from "../dtype.js";
import { TorchError } from "../errors.js";
import type { Tensor } from "../tensor/index.js";
import * as ops from "../tensor/ops.generated.js";
import * as nn from "./functional.generated.js";
import { alias, aten, bindArgs, bool, choice, int, ntuple, num, optTensor, tensor, type PyArgs } from "./functional_util.js";
import { checkDType, checkIntList, checkNumber, isInt } from "../validate.js";

type Fn = (...a: never[]) => Tensor;

/** An activation `op(input, ...numbers)` with Python's trailing `inplace` (then `op_`). */
function act<P extends unknown[], O>(name: string, params: string[], defaults: number[], op: Fn, op_?: Fn, required = 0) {
  const fn = `nn.functional.${name}`;
  return (input: Tensor, ...args: PyArgs<P, O>): Tensor => {
    const a = bindArgs(fn, op_ === undefined ? params : [...params, "inplace"], args, required);
    const x = tensor(fn, input);
    const values = params.map((p, i) => num(fn, p, a[p], defaults[i]!));
    return ((bool(fn, "inplace", a.inplace, false) ? op_ : op) as (...v: unknown[]) => Tensor)(x, ...values);
  };
}
type Inplace = { inplace: boolean };

/** Python: `F.threshold(input, threshold, value, inplace=False)`. */
export const threshold = act<[threshold: number, value: number, inplace: boolean], { threshold: number; value: number } & Inplace>("threshold", ["threshold", "value"], [0, 0], ops.threshold, ops.threshold_, 2);
/** Python: `F.elu(input, alpha=1.0, inplace=False)`. */
export const elu = act<[alpha: number, inplace: boolean], { alpha: number } & Inplace>("elu", ["alpha"], [1], nn.elu, nn.elu_);
/** Python: `F.celu(input, alpha=1.0, inplace=False)`. */
export const celu = act<[alpha: number, inplace: boolean], { alpha: number } & Inplace>("celu", ["alpha"], [1], ops.celu, ops.celu_);
/** Python: `F.selu(input, inplace=False)`. */
export const selu = act<[inplace: boolean], Inplace>("selu", [], [], ops.selu, ops.selu_);
/** Python: `F.leaky_relu(input, negative_slope=0.01, inplace=False)`. */
export const leakyRelu = act<[negativeSlope: number, inplace: boolean], { negativeSlope: number } & Inplace>("leakyRelu", ["negativeSlope"], [0.01], nn.leakyRelu, nn.leakyRelu_);
/** Python: `F.hardtanh(input, min_val=-1., max_val=1., inplace=False)`. */
export const hardtanh = act<[minVal: number, maxVal: number, inplace: boolean], { minVal: number; maxVal: number } & Inplace>("hardtanh", ["minVal", "maxVal"], [-1, 1], nn.hardtanh, nn.hardtanh_);
/** Python: `F.relu6(input, inplace=False)`. */
export const relu6 = act<[inplace: boolean], Inplace>("relu6", [], [], nn.relu6, nn.relu6_);
/** Python: `F.silu(input, inplace=False)`. */
export const silu = act<[inplace: boolean], Inplace>("silu", [], [], nn.silu, nn.silu_);
/** Python: `F.mish(input, inplace=False)`. */
export const mish = act<[inplace: boolean], Inplace>("mish", [], [], nn.mish, nn.mish_);
/** Python: `F.hardswish(input, inplace=False)`. */
export const hardswish = act<[inplace: boolean], Inplace>("hardswish", [], [], nn.hardswish, nn.hardswish_);
/** Python: `F.hardsigmoid(input, inplace=False)`. */
export const hardsigmoid = act<[inplace: boolean], Inplace>("hardsigmoid", [], [], nn.hardsigmoid, nn.hardsigmoid_);
/** Python: `F.logsigmoid(input)`. */
export const logsigmoid = alias("logsigmoid", nn.logSigmoid);
/** Python: `F.hardshrink(input, lambd=0.5)`. */
export const hardshrink = alias("hardshrink", ops.hardshrink);
/** Python: `F.prelu(input, weight)`. */
export const prelu = alias("prelu", ops.prelu);

/** Python: `F.rrelu(input, lower=1/8, upper=1/3, training=False, inplace=False)` (random when training). */
export function rrelu(input: Tensor, ...args: PyArgs<[lower: number, upper: number, training: boolean, inplace: boolean], { lower: number; upper: number; training: boolean; inplace: boolean }>): Tensor {
  const fn = "nn.functional.rrelu";
  const a = bindArgs(fn, ["lower", "upper", "training", "inplace"], args);
  const x = tensor(fn, input);
  const v = [num(fn, "lower", a.lower, 1 / 8), num(fn, "upper", a.upper, 1 / 3), bool(fn, "training", a.training, false)] as const;
  return bool(fn, "inplace", a.inplace, false) ? ops.rrelu_(x, ...v) : ops.rrelu(x, ...v);
}

/** Python: `F.tanhshrink(input)`: input - tanh(input). */
export function tanhshrink(input: Tensor): Tensor {
  const x = tensor("nn.functional.tanhshrink", input);
  return x.sub(x.tanh());
}

/** Python: `F.softsign(input)`: input / (|input| + 1). */
export function softsign(input: Tensor): Tensor {
  const x = tensor("nn.functional.softsign", input);
  return x.div(x.abs().add(1));
}

/** Python: `F.softmin(input, dim=None, _stacklevel=3, dtype=None)`: softmax of -input. */
export function softmin(input: Tensor, ...args: PyArgs<[dim: number | null, stacklevel: number, dtype: DType | null], { dim: number | null; stacklevel: number; dtype: DType | null }>): Tensor {
  const fn = "nn.functional.softmin";
  const a = bindArgs(fn, ["dim", "stacklevel", "dtype"], args);
  const x = tensor(fn, input);
  const dim = a.dim === undefined || a.dim === null ? ([0, 1, 3].includes(x.ndim) ? 0 : 1) : int(fn, "dim", a.dim, 0);
  return a.dtype === undefined || a.dtype === null ? ops.softmax(x.neg(), dim) : ops.softmax(x.neg(), dim, checkDType(fn, "dtype", a.dtype));
}

/** Python's `_verify_batch_size`: batch statistics need more than one value per channel. */
function verifyBatchSize(size: number[]): void {
  if (size.reduce((p, d, i) => (i === 1 ? p : p * d), 1) === 1) {
    throw new TorchError(`Expected more than 1 value per channel when training, got input size torch.Size([${size.join(", ")}])`);
  }
}

/** Python: `F.layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5)`. */
export function layerNorm(input: Tensor, ...args: PyArgs<[normalizedShape: number | number[], weight: Tensor | null, bias: Tensor | null, eps: number], { normalizedShape: number | number[]; weight: Tensor | null; bias: Tensor | null; eps: number }>): Tensor {
  const fn = "nn.functional.layerNorm";
  const a = bindArgs(fn, ["normalizedShape", "weight", "bias", "eps"], args, 1);
  const shape = isInt(a.normalizedShape) ? [a.normalizedShape] : checkIntList(fn, "normalizedShape", a.normalizedShape);
  return ops.layerNorm(tensor(fn, input), shape, optTensor(fn, a.weight, "weight"), optTensor(fn, a.bias, "bias"), num(fn, "eps", a.eps, 1e-5));
}

/** Python: `F.group_norm(input, num_groups, weight=None, bias=None, eps=1e-5)`. */
export function groupNorm(input: Tensor, ...args: PyArgs<[numGroups: number, weight: Tensor | null, bias: Tensor | null, eps: number], { numGroups: number; weight: Tensor | null; bias: Tensor | null; eps: number }>): Tensor {
  const fn = "nn.functional.groupNorm";
  const a = bindArgs(fn, ["numGroups", "weight", "bias", "eps"], args, 1);
  const x = tensor(fn, input);
  const groups = int(fn, "numGroups", a.numGroups, 1);
  if (x.ndim < 2) throw new TorchError(`Expected at least 2 dimensions for input tensor but received ${x.ndim}`);
  if (groups > 0) verifyBatchSize([Math.floor((x.shape[0]! * x.shape[1]!) / groups), groups, ...x.shape.slice(2)]);
  return ops.groupNorm(x, groups, optTensor(fn, a.weight, "weight"), optTensor(fn, a.bias, "bias"), num(fn, "eps", a.eps, 1e-5));
}

/** Python: `F.instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True, momentum=0.1, eps=1e-5)`. */
export function instanceNorm(input: Tensor, ...args: PyArgs<[runningMean: Tensor | null, runningVar: Tensor | null, weight: Tensor | null, bias: Tensor | null, useInputStats: boolean, momentum: number, eps: number],
  { runningMean: Tensor | null; runningVar: Tensor | null; weight: Tensor | null; bias: Tensor | null; useInputStats: boolean; momentum: number; eps: number }>): Tensor {
  const fn = "nn.functional.instanceNorm";
  const a = bindArgs(fn, ["runningMean", "runningVar", "weight", "bias", "useInputStats", "momentum", "eps"], args);
  const x = tensor(fn, input);
  const use = bool(fn, "useInputStats", a.useInputStats, true);
  if (use && x.shape.slice(2).reduce((p, d) => p * d, 1) === 1) {
    throw new TorchError(`Expected more than 1 spatial element when training, got input size torch.Size([${x.shape.join(", ")}])`);
  }
  return ops.instanceNorm(x, optTensor(fn, a.weight, "weight"), optTensor(fn, a.bias, "bias"), optTensor(fn, a.runningMean, "runningMean"),
    optTensor(fn, a.runningVar, "runningVar"), use, num(fn, "momentum", a.momentum, 0.1), num(fn, "eps", a.eps, 1e-5), true);
}

const avgPool2dAten = aten<(x: Tensor, k: number[], s: number[]) => Tensor>("avgPool2d", "avg_pool2d",
  "avg_pool2d(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, bool ceil_mode=False, bool count_include_pad=True, int? divisor_override=None) -> Tensor");

/** Python: `F.local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0)`: across channels. */
export function localResponseNorm(input: Tensor, ...args: PyArgs<[size: number, alpha: number, beta: number, k: number], { size: number; alpha: number; beta: number; k: number }>): Tensor {
  const fn = "nn.functional.localResponseNorm";
  const a = bindArgs(fn, ["size", "alpha", "beta", "k"], args, 1);
  const x = tensor(fn, input);
  const size = int(fn, "size", a.size, 1);
  const [alpha, beta, k] = [num(fn, "alpha", a.alpha, 1e-4), num(fn, "beta", a.beta, 0.75), num(fn, "k", a.k, 1)];
  if (x.ndim < 3) throw new TorchError(`Expected 3D or higher dimensionality input (got ${x.ndim} dimensions)`);
  if (x.numel() === 0) return x;
  let div = x.mul(x).unsqueeze(1);
  const lo = Math.floor(size / 2);
  const hi = Math.floor((size - 1) / 2);
  if (x.ndim === 3) {
    div = avgPool2dAten(nn.pad(div, [0, 0, lo, hi]), [size, 1], [1, 1]).squeeze(1);
  } else {
    const s = x.shape;
    div = div.reshape([s[0]!, 1, s[1]!, s[2]!, -1]);
    div = nn.avgPool3d(nn.pad(div, [0, 0, 0, 0, lo, hi]), [size, 1, 1], 1).squeeze(1).reshape(s);
  }
  return x.div(div.mul(alpha).add(k).pow(beta));
}

/** Python: `F.normalize(input, p=2.0, dim=1, eps=1e-12)`: input / max(‖input‖_p over dim, eps). */
export function normalize(input: Tensor, ...args: PyArgs<[p: number, dim: number, eps: number], { p: number; dim: number; eps: number }>): Tensor {
  const fn = "nn.functional.normalize";
  const a = bindArgs(fn, ["p", "dim", "eps"], args);
  const x = tensor(fn, input);
  const denom = x.norm(num(fn, "p", a.p, 2), [int(fn, "dim", a.dim, 1)], true).clampMin(num(fn, "eps", a.eps, 1e-12)).expandAs(x);
  return x.div(denom);
}

/** Python: `F.pixel_shuffle(input, upscale_factor)`. */
export const pixelShuffle = alias("pixelShuffle", ops.pixelShuffle);
/** Python: `F.pixel_unshuffle(input, downscale_factor)`. */
export const pixelUnshuffle = alias("pixelUnshuffle", ops.pixelUnshuffle);
/** Python: `F.pdist(input, p=2)`. */
export const pdist = alias("pdist", ops.pdist);
/** Python: `F.pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False)`. */
export const pairwiseDistance = alias("pairwiseDistance", ops.pairwiseDistance);
/** Python: `F.cosine_similarity(x1, x2, dim=1, eps=1e-8)`. */
export const cosineSimilarity = alias("cosineSimilarity", ops.cosineSimilarity);
/** Python: `F.bilinear(input1, input2, weight, bias=None)`. */
export const bilinear = alias("bilinear", ops.bilinear);

function paddingIndex(fn: string, value: unknown, rows: number): number {
  if (value === undefined || value === null) return -1;
  const p = int(fn, "paddingIdx", value, -1);
  if (p >= rows || p < -rows) throw new TorchError("Padding_idx must be within num_embeddings");
  return p < 0 ? rows + p : p;
}

/** Python: `F.embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False)`. */
export function embedding(input: Tensor, ...args: PyArgs<[weight: Tensor, paddingIdx: number | null, maxNorm: number | null, normType: number, scaleGradByFreq: boolean, sparse: boolean],
  { weight: Tensor; paddingIdx: number | null; maxNorm: number | null; normType: number; scaleGradByFreq: boolean; sparse: boolean }>): Tensor {
  const fn = "nn.functional.embedding";
  const a = bindArgs(fn, ["weight", "paddingIdx", "maxNorm", "normType", "scaleGradByFreq", "sparse"], args, 1);
  let x = tensor(fn, input);
  const w = tensor(fn, a.weight, "weight");
  const pad = paddingIndex(fn, a.paddingIdx, w.shape[0] ?? 0);
  if (a.maxNorm !== undefined && a.maxNorm !== null) {
    x = x.contiguous();
    const d = w.detach();
    ops.embeddingRenorm_(d, x, checkNumber(fn, "maxNorm", a.maxNorm), num(fn, "normType", a.normType, 2));
    d.dispose();
  }
  return ops.embedding(w, x, pad, bool(fn, "scaleGradByFreq", a.scaleGradByFreq, false), bool(fn, "sparse", a.sparse, false));
}

/** Python: `F.embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None)`. */
export function embeddingBag(input: Tensor, ...args: PyArgs<[weight: Tensor, offsets: Tensor | null, maxNorm: number | null, normType: number, scaleGradByFreq: boolean, mode: "sum" | "mean" | "max", sparse: boolean, perSampleWeights: Tensor | null, includeLastOffset: boolean, paddingIdx: number | null],
  { weight: Tensor; offsets: Tensor | null; maxNorm: number | null; normType: number; scaleGradByFreq: boolean; mode: "sum" | "mean" | "max"; sparse: boolean; perSampleWeights: Tensor | null; includeLastOffset: boolean; paddingIdx: number | null }>): Tensor {
  const fn = "nn.functional.embeddingBag";
  const a = bindArgs(fn, ["weight", "offsets", "maxNorm", "normType", "scaleGradByFreq", "mode", "sparse", "perSampleWeights", "includeLastOffset", "paddingIdx"], args, 1);
  let x = tensor(fn, input);
  let w = tensor(fn, a.weight, "weight");
  if (w.dtype === "int64" && x.isFloatingPoint()) [x, w] = [w, x]; // Python accepts (weight, input) with a warning
  let offsets = optTensor(fn, a.offsets, "offsets");
  let psw = optTensor(fn, a.perSampleWeights, "perSampleWeights");
  const mode = choice(fn, "mode", a.mode, ["sum", "mean", "max"], "mean");
  const [scale, sparse] = [bool(fn, "scaleGradByFreq", a.scaleGradByFreq, false), bool(fn, "sparse", a.sparse, false)];
  if (psw !== null && JSON.stringify(psw.shape) !== JSON.stringify(x.shape)) {
    throw new TorchError(`embedding_bag: If per_sample_weights (${JSON.stringify(psw.shape)}) is not None, then it must have the same shape as the input (${JSON.stringify(x.shape)})`);
  }
  if (x.ndim === 2) {
    if (offsets !== null) throw new TorchError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences.");
    offsets = arange(0, x.numel(), x.shape[1]!, { dtype: x.dtype, device: x.device });
    x = x.reshape([-1]);
    if (psw !== null) psw = psw.reshape([-1]);
  } else if (x.ndim === 1) {
    if (offsets === null) throw new TorchError("offsets has to be a 1D Tensor but got None");
    if (offsets.ndim !== 1) throw new TorchError("offsets has to be a 1D Tensor");
  } else {
    throw new TorchError(`input has to be 1D or 2D Tensor, but got Tensor of dimension ${x.ndim}`);
  }
  if (mode === "max" && (scale || sparse)) throw new TorchError(`max mode does not support ${scale ? "scaling the gradient by the frequency" : "sparse weights"}`);
  if (a.maxNorm !== undefined && a.maxNorm !== null) {
    const d = w.detach();
    ops.embeddingRenorm_(d, x, checkNumber(fn, "maxNorm", a.maxNorm), num(fn, "normType", a.normType, 2));
    d.dispose();
  }
  if (psw !== null && mode !== "sum") throw new TorchError(`embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='${mode}'). Please open a feature request on GitHub.`);
  const pad = a.paddingIdx === undefined || a.paddingIdx === null ? null : int(fn, "paddingIdx", a.paddingIdx, 0);
  const out = ops.embeddingBag(w, x, offsets!, scale, ["sum", "mean", "max"].indexOf(mode), sparse, psw, bool(fn, "includeLastOffset", a.includeLastOffset, false), pad);
  out.slice(1).forEach((t) => t.dispose());
  return out[0];
}

function dropoutLike(name: string, trainingDefault: boolean, op: Fn, op_: Fn, ranks?: number[]) {
  const fn = `nn.functional.${name}`;
  return (input: Tensor, ...args: PyArgs<[p: number, training: boolean, inplace: boolean], { p: number; training: boolean; inplace: boolean }>): Tensor => {
    const a = bindArgs(fn, ["p", "training", "inplace"], args);
    const x = tensor(fn, input);
    const p = num(fn, "p", a.p, 0.5);
    if (!(p >= 0 && p <= 1)) throw new TorchError(`dropout probability has to be between 0 and 1, but got ${p}`);
    const training = bool(fn, "training", a.training, trainingDefault);
    const inplace = bool(fn, "inplace", a.inplace, false);
    const call = (t: Tensor) => ((inplace ? op_ : op) as (...v: unknown[]) => Tensor)(t, p, training);
    if (ranks === undefined) return call(x);
    if (name === "dropout1d" && !ranks.includes(x.ndim)) throw new TorchError(`dropout1d: Expected 2D or 3D input, but received a ${x.ndim}D input`);
    if (x.ndim === ranks[1]) return call(x);
    const y = call(inplace ? x.unsqueeze_(0) : x.unsqueeze(0));
    return inplace ? y.squeeze_(0) : y.squeeze(0);
  };
}
/** Python: `F.alpha_dropout(input, p=0.5, training=False, inplace=False)`. */
export const alphaDropout = dropoutLike("alphaDropout", false, ops.alphaDropout, ops.alphaDropout_);
/** Python: `F.feature_alpha_dropout(input, p=0.5, training=False, inplace=False)`. */
export const featureAlphaDropout = dropoutLike("featureAlphaDropout", false, ops.featureAlphaDropout, ops.featureAlphaDropout_);
/** Python: `F.dropout1d(input, p=0.5, training=True, inplace=False)`: whole channels of (N, C, L) or (C, L). */
export const dropout1d = dropoutLike("dropout1d", true, ops.featureDropout, ops.featureDropout_, [2, 3]);
/** Python: `F.dropout2d(input, p=0.5, training=True, inplace=False)`: whole channels (a 3-D input is read as (N, C, L), as 1.13 does). */
export const dropout2d = dropoutLike("dropout2d", true, ops.featureDropout, ops.featureDropout_);
/** Python: `F.dropout3d(input, p=0.5, training=True, inplace=False)`: whole channels of (N, C, D, H, W) or (C, D, H, W). */
export const dropout3d = dropoutLike("dropout3d", true, ops.featureDropout, ops.featureDropout_, [4, 5]);

/** Python: `F.affine_grid(theta, size, align_corners=None)`. */
export function affineGrid(theta: Tensor, ...args: PyArgs<[size: number[], alignCorners: boolean | null], { size: number[]; alignCorners: boolean | null }>): Tensor {
  const fn = "nn.functional.affineGrid";
  const a = bindArgs(fn, ["size", "alignCorners"], args, 1);
  const t = tensor(fn, theta, "theta");
  const size = checkIntList(fn, "size", a.size);
  const alignCorners = a.alignCorners === null ? false : bool(fn, "alignCorners", a.alignCorners, false);
  if (!t.isFloatingPoint()) throw new TorchError(`Expected theta to have floating point type, but got ${t.dtype}`);
  const want = size.length === 4 ? [2, 3] : size.length === 5 ? [3, 4] : null;
  if (want === null) throw new TorchError(`affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. Got size [${size.join(", ")}].`);
  if (t.ndim !== 3 || t.shape[1] !== want[0] || t.shape[2] !== want[1]) {
    throw new TorchError(`Expected a batch of ${want[0] === 2 ? "2D" : "3D"} affine matrices of shape Nx${want[0]}x${want[1]} for size [${size.join(", ")}]. Got [${t.shape.join(", ")}].`);
  }
  if (!(alignCorners && Math.min(...size.slice(2)) === 1) && Math.min(...size) <= 0) throw new TorchError(`Expected non-zero, positive output size. Got [${size.join(", ")}]`);
  return ops.affineGridGenerator(t, size, alignCorners);
}

/** Python: `F.grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None)`. */
export function gridSample(input: Tensor, ...args: PyArgs<[grid: Tensor, mode: "bilinear" | "nearest" | "bicubic", paddingMode: "zeros" | "border" | "reflection", alignCorners: boolean | null],
  { grid: Tensor; mode: "bilinear" | "nearest" | "bicubic"; paddingMode: "zeros" | "border" | "reflection"; alignCorners: boolean | null }>): Tensor {
  const fn = "nn.functional.gridSample";
  const a = bindArgs(fn, ["grid", "mode", "paddingMode", "alignCorners"], args, 1);
  const mode = ["bilinear", "nearest", "bicubic"].indexOf(choice(fn, "mode", a.mode, ["bilinear", "nearest", "bicubic"], "bilinear"));
  const padding = ["zeros", "border", "reflection"].indexOf(choice(fn, "paddingMode", a.paddingMode, ["zeros", "border", "reflection"], "zeros"));
  return ops.gridSampler(tensor(fn, input), tensor(fn, a.grid, "grid"), mode, padding, a.alignCorners === null ? false : bool(fn, "alignCorners", a.alignCorners, false));
}

/** Python: `F.unfold(input, kernel_size, dilation=1, padding=0, stride=1)` (im2col). */
export function unfold(input: Tensor, ...args: PyArgs<[kernelSize: number | number[], dilation: number | number[], padding: number | number[], stride: number | number[]],
  { kernelSize: number | number[]; dilation: number | number[]; padding: number | number[]; stride: number | number[] }>): Tensor {
  const fn = "nn.functional.unfold";
  const a = bindArgs(fn, ["kernelSize", "dilation", "padding", "stride"], args, 1);
  return nn.im2col(tensor(fn, input), ntuple(fn, "kernelSize", a.kernelSize, 2), ntuple(fn, "dilation", a.dilation ?? 1, 2), ntuple(fn, "padding", a.padding ?? 0, 2), ntuple(fn, "stride", a.stride ?? 1, 2));
}

/** Python: `F.fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1)` (col2im). */
export function fold(input: Tensor, ...args: PyArgs<[outputSize: number | number[], kernelSize: number | number[], dilation: number | number[], padding: number | number[], stride: number | number[]],
  { outputSize: number | number[]; kernelSize: number | number[]; dilation: number | number[]; padding: number | number[]; stride: number | number[] }>): Tensor {
  const fn = "nn.functional.fold";
  const a = bindArgs(fn, ["outputSize", "kernelSize", "dilation", "padding", "stride"], args, 2);
  return nn.col2im(tensor(fn, input), ntuple(fn, "outputSize", a.outputSize, 2), ntuple(fn, "kernelSize", a.kernelSize, 2), ntuple(fn, "dilation", a.dilation ?? 1, 2),
    ntuple(fn, "padding", a.padding ?? 0, 2), ntuple(fn, "stride", a.stride ?? 1, 2));
}

export * from "./functional_losses.js";
export * from "./functional_pooling.js";
