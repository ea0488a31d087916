// torch.nn.functional: the ops behind the layers, validated here and run by ATen.
import type { Handle } from "../../binding.js";
import { native } from "../binding.js";
import { DTYPES, type DType } from "../dtype.js";
import { TorchError } from "../errors.js";
import { handleOf, Tensor, wrap } from "../tensor/index.js";
import { argError, arrayCopy, checkBool, checkDType, checkInt, checkNumber, checkPositiveInt } from "../validate.js";
import { adaptiveOutputSize, convPadding, maxPool2dWithIndices } from "./functional_pooling.js";
import { bindArgs, reduction, type PyArgs } from "./functional_util.js";

/** An int or a pair, as PyTorch's `_pair`. */
export type Pair = number | [number, number];

export function pair(fn: string, arg: string, value: unknown, min = 0): [number, number] {
  // A copy, read once: native takes only real arrays (a Proxy over one is refused there, unnamed).
  const v = typeof value === "number" ? [value, value] : arrayCopy(value);
  if (v === undefined || v.length !== 2 || !v.every((x) => Number.isSafeInteger(x) && (x as number) >= min)) {
    throw argError(fn, arg, `an integer >= ${min} or a pair of them`, value);
  }
  return [v[0], v[1]] as [number, number];
}

function input(fn: string, value: unknown, arg = "input"): Tensor {
  if (!(value instanceof Tensor)) throw argError(fn, arg, "a Tensor", value);
  return value;
}

function optionalTensor(fn: string, arg: string, value: unknown): Handle | null {
  if (value === undefined || value === null) return null;
  return handleOf(input(fn, value, arg));
}

function checkRank(fn: string, t: Tensor, ranks: number[], what: string): void {
  const n = t.ndim;
  if (!ranks.includes(n)) {
    throw argError(fn, "input", `a ${what} tensor`, t);
  }
}

/**
 * An int, or an array of one or two ints (Python's `_pair`, and ATen's int[2], which repeats a
 * single element), copied: native takes only real arrays.
 */
function pairOf(fn: string, arg: string, value: unknown, min = 0): [number, number] {
  const v = arrayCopy(value);
  if (v === undefined || v.length !== 1) return pair(fn, arg, value, min);
  if (!Number.isSafeInteger(v[0]) || (v[0] as number) < min) throw argError(fn, arg, `an integer >= ${min} or a pair of them`, value);
  return [v[0], v[0]] as [number, number];
}

/** Python's stride=None (ATen's stride=[]): the kernel size. */
const noStride = (s: unknown): boolean => s === undefined || s === null || (Array.isArray(s) && s.length === 0);

/** An int, or an array of one or two (as ATen's int[2] takes; [] for a stride means the kernel's). */
type Ints = number | number[];
type Conv2dP = [bias: Tensor | null, stride: Ints, padding: Ints | "valid" | "same", dilation: Ints, groups: number];
type Conv2dO = { bias: Tensor | null; stride: Ints; padding: Ints | "valid" | "same"; dilation: Ints; groups: number };

/**
 * Python: `F.conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1)`;
 * padding may also be "valid" or "same" (ATen's conv2d.padding overload computes it).
 */
export function conv2d(x: Tensor, weight: Tensor, ...args: PyArgs<Conv2dP, Conv2dO>): Tensor {
  const fn = "F.conv2d";
  const o = bindArgs(fn, ["bias", "stride", "padding", "dilation", "groups"], args, 0, ["input", "weight"]);
  input(fn, x);
  input(fn, weight, "weight");
  checkRank(fn, x, [3, 4], "3-D (C, H, W) or 4-D (N, C, H, W)");
  const groups = o.groups === undefined ? 1 : checkPositiveInt(fn, "groups", o.groups);
  // libtorch 1.13 truncates groups to int and divides by it: 2^40 would be SIGFPE, not an error.
  if (groups > 0x7fffffff) throw argError(fn, "groups", "a positive integer below 2^31", groups);
  const bias = o.bias === undefined || o.bias === null ? null : input(fn, o.bias, "bias");
  const stride = pairOf(fn, "stride", o.stride ?? 1, 1);
  const dilation = pairOf(fn, "dilation", o.dilation ?? 1, 1);
  if (typeof o.padding === "string") {
    if (o.padding !== "valid" && o.padding !== "same") throw argError(fn, "padding", 'an integer >= 0, a pair of them, "valid" or "same"', o.padding);
    return convPadding(x, weight, bias, stride, o.padding, dilation, groups);
  }
  return conv2dChecked(x, weight, bias, stride, pairOf(fn, "padding", o.padding ?? 0), dilation, groups);
}
/**
 * Internal: conv2d once the configuration is known valid (nn.Conv2d checked it in its
 * constructor): only the input is checked, so a module's forward re-checks nothing else.
 */
export function conv2dChecked(x: Tensor, weight: Tensor, bias: Tensor | null, stride: number[], padding: number[], dilation: number[], groups: number, fn = "F.conv2d"): Tensor {
  input(fn, x);
  checkRank(fn, x, [3, 4], "3-D (C, H, W) or 4-D (N, C, H, W)");
  return wrap(native.conv2d(handleOf(x), handleOf(weight), bias === null ? null : handleOf(bias), stride, padding, dilation, groups));
}

type BatchNormP = [weight: Tensor | null, bias: Tensor | null, training: boolean, momentum: number, eps: number];
type BatchNormO = { weight: Tensor | null; bias: Tensor | null; training: boolean; momentum: number; eps: number };

/**
 * Python: `F.batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
 * momentum=0.1, eps=1e-05)`. In training the running statistics are updated in place (unbiased
 * variance), as in PyTorch.
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, ...args: PyArgs<BatchNormP, BatchNormO>): Tensor {
  const fn = "F.batchNorm";
  const o = bindArgs(fn, ["weight", "bias", "training", "momentum", "eps"], args, 0, ["input", "runningMean", "runningVar"]);
  input(fn, x);
  const training = o.training === undefined ? false : checkBool(fn, "training", o.training);
  if (!training && (runningMean === null || runningVar === null)) {
    throw new TypeError(`${fn}: runningMean and runningVar are required when training is false`);
  }
  const weight = o.weight === undefined || o.weight === null ? null : input(fn, o.weight, "weight");
  const bias = o.bias === undefined || o.bias === null ? null : input(fn, o.bias, "bias");
  if (runningMean !== null) input(fn, runningMean, "runningMean");
  if (runningVar !== null) input(fn, runningVar, "runningVar");
  return batchNormChecked(x, runningMean, runningVar, weight, bias, training,
    o.momentum === undefined ? 0.1 : checkNumber(fn, "momentum", o.momentum), o.eps === undefined ? 1e-5 : checkNumber(fn, "eps", o.eps));
}
/**
 * Internal: batch_norm once its arguments are known valid (nn.BatchNorm* checked them): only
 * the input is checked, so a module's forward re-checks nothing else.
 */
export function batchNormChecked(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight: Tensor | null, bias: Tensor | null, training: boolean, momentum: number, eps: number): Tensor {
  input("F.batchNorm", x);
  // PyTorch's _verify_batch_size: batch statistics need more than one value per channel.
  if (training && x.shape.reduce((p, d, i) => (i === 1 ? p : p * d), 1) === 1) {
    throw new TorchError(`Expected more than 1 value per channel when training, got input size torch.Size([${x.shape.join(", ")}])`);
  }
  const h = (t: Tensor | null) => (t === null ? null : handleOf(t));
  return wrap(native.batchNorm(handleOf(x), h(weight), h(bias), h(runningMean), h(runningVar), training, momentum, eps));
}

/** Python: `F.relu(input, inplace=False)`. */
export function relu(x: Tensor, ...args: PyArgs<[inplace: boolean], { inplace: boolean }>): Tensor {
  const o = bindArgs("F.relu", ["inplace"], args);
  input("F.relu", x);
  return o.inplace !== undefined && checkBool("F.relu", "inplace", o.inplace) ? x.relu_() : x.relu();
}

type MaxPool2dP = [kernelSize: Ints, stride: Ints | null, padding: Ints, dilation: Ints, ceilMode: boolean];
type MaxPool2dO = { kernelSize: Ints; stride: Ints | null; padding: Ints; dilation: Ints; ceilMode: boolean; returnIndices: boolean };
type MaxPool2dFn = {
  (input: Tensor, kernelSize: Ints, options: Partial<MaxPool2dO> & { returnIndices: true }): [Tensor, Tensor];
  (input: Tensor, options: Partial<MaxPool2dO> & { kernelSize: Ints; returnIndices: true }): [Tensor, Tensor];
  (input: Tensor, kernelSize: Ints, stride: Ints | null, padding: Ints, dilation: Ints, ceilMode: boolean, returnIndices: true): [Tensor, Tensor];
  (input: Tensor, ...args: PyArgs<MaxPool2dP, MaxPool2dO>): Tensor;
};

/**
 * Python: `F.max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
 * return_indices=False)`; with returnIndices, [output, indices].
 */
export const maxPool2d: MaxPool2dFn = ((x: Tensor, ...args: unknown[]): Tensor | [Tensor, Tensor] => {
  const fn = "F.maxPool2d";
  const o = bindArgs(fn, ["kernelSize", "stride", "padding", "dilation", "ceilMode", "returnIndices"], args, 1);
  input(fn, x);
  const kernel = pairOf(fn, "kernelSize", o.kernelSize, 1);
  const stride = noStride(o.stride) ? kernel : pairOf(fn, "stride", o.stride, 1);
  const rest = [pairOf(fn, "padding", o.padding ?? 0), pairOf(fn, "dilation", o.dilation ?? 1, 1), o.ceilMode === undefined ? false : checkBool(fn, "ceilMode", o.ceilMode)] as const;
  if (o.returnIndices !== undefined && checkBool(fn, "returnIndices", o.returnIndices)) return maxPool2dWithIndices(x, kernel, stride, ...rest);
  return wrap(native.maxPool2d(handleOf(x), kernel, stride, ...rest));
}) as MaxPool2dFn;

type AvgPool2dP = [kernelSize: Ints, stride: Ints | null, padding: Ints, ceilMode: boolean, countIncludePad: boolean, divisorOverride: number | null];
type AvgPool2dO = { kernelSize: Ints; stride: Ints | null; padding: Ints; ceilMode: boolean; countIncludePad: boolean; divisorOverride: number | null };

/** Python: `F.avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None)`. */
export function avgPool2d(x: Tensor, ...args: PyArgs<AvgPool2dP, AvgPool2dO>): Tensor {
  const fn = "F.avgPool2d";
  const o = bindArgs(fn, ["kernelSize", "stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"], args, 1);
  input(fn, x);
  const kernel = pairOf(fn, "kernelSize", o.kernelSize, 1);
  const stride = noStride(o.stride) ? kernel : pairOf(fn, "stride", o.stride, 1);
  // Any integer, as ATen takes it (a negative divisor flips the sign); ATen refuses 0 by name.
  const divisor = o.divisorOverride === undefined || o.divisorOverride === null ? null : checkInt(fn, "divisorOverride", o.divisorOverride);
  return wrap(native.avgPool2d(handleOf(x), kernel, stride, pairOf(fn, "padding", o.padding ?? 0),
    o.ceilMode === undefined ? false : checkBool(fn, "ceilMode", o.ceilMode),
    o.countIncludePad === undefined ? true : checkBool(fn, "countIncludePad", o.countIncludePad), divisor));
}

/** Python: `F.adaptive_avg_pool2d(input, output_size)`; a null entry keeps that input size. */
export function adaptiveAvgPool2d(x: Tensor, ...args: PyArgs<[outputSize: Pair | [number | null, number | null]], { outputSize: Pair | [number | null, number | null] }>): Tensor {
  const fn = "F.adaptiveAvgPool2d";
  const o = bindArgs(fn, ["outputSize"], args, 1);
  input(fn, x);
  return wrap(native.adaptiveAvgPool2d(handleOf(x), adaptiveOutputSize(fn, x, o.outputSize, 2)));
}

/** Python: `F.linear(input, weight, bias=None)`: x W^T + b. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  input("F.linear", x);
  input("F.linear", weight, "weight");
  return wrap(native.linear(handleOf(x), handleOf(weight), optionalTensor("F.linear", "bias", bias)));
}

/** Python: `torch.flatten(input, start_dim=0, end_dim=-1)`. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  return input("F.flatten", x).flatten(startDim, endDim);
}

/** Python: `F.dropout(input, p=0.5, training=True, inplace=False)`. */
export function dropout(x: Tensor, ...args: PyArgs<[p: number, training: boolean, inplace: boolean], { p: number; training: boolean; inplace: boolean }>): Tensor {
  const fn = "F.dropout";
  const o = bindArgs(fn, ["p", "training", "inplace"], args);
  input(fn, x);
  const p = o.p === undefined ? 0.5 : checkNumber(fn, "p", o.p);
  if (!(p >= 0 && p <= 1)) throw argError(fn, "p", "a probability between 0 and 1", p);
  const training = o.training === undefined ? true : checkBool(fn, "training", o.training);
  if (o.inplace !== undefined && checkBool(fn, "inplace", o.inplace)) {
    // Python's inplace=True: the same mask (one draw of the generator), written into x.
    const y = wrap(native.dropout(handleOf(x), p, training));
    x.copy_(y);
    y.dispose();
    return x;
  }
  return wrap(native.dropout(handleOf(x), p, training));
}

function softmaxLike(fn: string, op: "softmax" | "logSoftmax", x: Tensor, args: readonly unknown[]): Tensor {
  // Python's (input, dim=None, _stacklevel=3, dtype=None): dim positional, dtype a keyword.
  const o = bindArgs(fn, ["dim", "stacklevel", "dtype"], args);
  input(fn, x);
  if (o.dim === undefined || o.dim === null) throw new TypeError(`${fn}: dim is required (Python's implicit dim choice is deprecated)`);
  return wrap(native[op](handleOf(x), checkInt(fn, "dim", o.dim), o.dtype === undefined || o.dtype === null ? null : DTYPES[checkDType(fn, "dtype", o.dtype)].code));
}
type SoftmaxArgs = PyArgs<[dim: number], { dim: number; dtype: DType | null }>;
/** Python: `F.softmax(input, dim, dtype=None)`. */
export function softmax(x: Tensor, ...args: SoftmaxArgs): Tensor {
  return softmaxLike("F.softmax", "softmax", x, args);
}
/** Python: `F.log_softmax(input, dim, dtype=None)`. */
export function logSoftmax(x: Tensor, ...args: SoftmaxArgs): Tensor {
  return softmaxLike("F.logSoftmax", "logSoftmax", x, args);
}

export type Reduction = "none" | "mean" | "sum";
const REDUCTION: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };
/** Checks a `reduction` option; returns the code ATen takes (Python: `_Reduction.get_enum`). */
export function reductionCode(fn: string, value: unknown): number {
  if (value === undefined) return REDUCTION.mean;
  if (typeof value !== "string" || !Object.hasOwn(REDUCTION, value)) throw argError(fn, "reduction", '"none", "mean" or "sum"', value);
  return REDUCTION[value as Reduction];
}

export interface ClassificationLossOptions {
  weight?: Tensor | null;
  /** Deprecated in PyTorch (use reduction); read as Python's _Reduction.legacy_get_string. */
  sizeAverage?: boolean | null;
  ignoreIndex?: number;
  /** Deprecated in PyTorch (use reduction). */
  reduce?: boolean | null;
  reduction?: Reduction;
}
/** Python's positional order of nll_loss / cross_entropy after (input, target). */
type ClassificationLossP = [weight: Tensor | null, sizeAverage: boolean | null, ignoreIndex: number, reduce: boolean | null, reduction: Reduction];

function checkTarget(fn: string, x: Tensor, target: unknown, allowProbabilities: boolean): Tensor {
  const t = input(fn, target, "target");
  const dtype = t.dtype;
  if (dtype !== "int64" && !(allowProbabilities && DTYPES[dtype].isFloatingPoint)) {
    throw argError(fn, "target", allowProbabilities ? "an int64 tensor of class indices or a float tensor of probabilities" : "an int64 tensor of class indices", t);
  }
  if (dtype === "int64" && t.ndim !== Math.max(0, x.ndim - 1)) {
    throw new TypeError(`${fn}: target of class indices must have ${Math.max(0, x.ndim - 1)} dimension(s) for input of shape [${x.shape.join(", ")}], but has shape [${t.shape.join(", ")}]`);
  }
  return t;
}

/** Python: `F.nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean")`. */
export function nllLoss(x: Tensor, target: Tensor, ...args: PyArgs<ClassificationLossP, ClassificationLossOptions>): Tensor {
  const fn = "F.nllLoss";
  const o = bindArgs(fn, ["weight", "sizeAverage", "ignoreIndex", "reduce", "reduction"], args, 0, ["input", "target"]);
  input(fn, x);
  const t = checkTarget(fn, x, target, false);
  return wrap(native.nllLoss(handleOf(x), handleOf(t), optionalTensor(fn, "weight", o.weight), reduction(fn, o).code,
    o.ignoreIndex === undefined ? -100 : checkInt(fn, "ignoreIndex", o.ignoreIndex)));
}

/**
 * Python: `F.cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean",
 * label_smoothing=0.0)`; target holds class indices (int64) or class probabilities (float).
 */
export function crossEntropy(x: Tensor, target: Tensor, ...args: PyArgs<[...ClassificationLossP, labelSmoothing: number], ClassificationLossOptions & { labelSmoothing: number }>): Tensor {
  const fn = "F.crossEntropy";
  const o = bindArgs(fn, ["weight", "sizeAverage", "ignoreIndex", "reduce", "reduction", "labelSmoothing"], args, 0, ["input", "target"]);
  input(fn, x);
  const t = checkTarget(fn, x, target, true);
  const smoothing = o.labelSmoothing === undefined ? 0 : checkNumber(fn, "labelSmoothing", o.labelSmoothing);
  if (!(smoothing >= 0 && smoothing <= 1)) throw argError(fn, "labelSmoothing", "a number between 0 and 1", smoothing);
  return wrap(native.crossEntropy(handleOf(x), handleOf(t), optionalTensor(fn, "weight", o.weight), reduction(fn, o).code,
    o.ignoreIndex === undefined ? -100 : checkInt(fn, "ignoreIndex", o.ignoreIndex), smoothing));
}

/** Python: `F.mse_loss(input, target, reduction="mean")`. */
export function mseLoss(x: Tensor, target: Tensor, ...args: PyArgs<[sizeAverage: boolean | null, reduce: boolean | null, reduction: Reduction], { sizeAverage: boolean | null; reduce: boolean | null; reduction: Reduction }>): Tensor {
  const o = bindArgs("F.mseLoss", ["sizeAverage", "reduce", "reduction"], args, 0, ["input", "target"]);
  input("F.mseLoss", x);
  input("F.mseLoss", target, "target");
  return wrap(native.mseLoss(handleOf(x), handleOf(target), reduction("F.mseLoss", o).code));
}

// Python-signature ports of torch.nn.functional's Python code (functional_python.ts and the files it re-exports).
export { threshold, elu, celu, selu, leakyRelu, hardtanh, relu6, silu, mish, hardswish, hardsigmoid, logsigmoid, hardshrink, prelu, rrelu, tanhshrink, softsign, softmin, layerNorm, groupNorm, instanceNorm, localResponseNorm, normalize, pixelShuffle, pixelUnshuffle, pdist, pairwiseDistance, cosineSimilarity, bilinear, embedding, embeddingBag, alphaDropout, featureAlphaDropout, dropout1d, dropout2d, dropout3d, affineGrid, gridSample, unfold, fold, l1Loss, smoothL1Loss, huberLoss, softMarginLoss, multilabelMarginLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits, klDiv, poissonNllLoss, gaussianNllLoss, marginRankingLoss, hingeEmbeddingLoss, cosineEmbeddingLoss, multilabelSoftMarginLoss, multiMarginLoss, tripletMarginLoss, tripletMarginWithDistanceLoss, ctcLoss, conv1d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d, avgPool1d, avgPool3d, maxPool1d, maxPool3d, maxUnpool1d, maxUnpool2d, maxUnpool3d, fractionalMaxPool2d, fractionalMaxPool3d, adaptiveAvgPool1d, adaptiveAvgPool3d, adaptiveMaxPool1d, adaptiveMaxPool2d, adaptiveMaxPool3d, lpPool1d, lpPool2d, interpolate, upsample, upsampleNearest, upsampleBilinear } from "./functional_python.js";
// The ATen ops of torch._C._nn not written above, with ATen's schemas (scripts/gen-ops.ts).
export * from "./functional.generated.js";
export { channelShuffle, nativeChannelShuffle } from "./functional_shape.js";
export { glu, sigmoid, tanh } from "./functional_activation_loss.js";
export { multiHeadAttentionForward, type MhaForwardP, type MhaForwardO } from "./functional_attention.js";
