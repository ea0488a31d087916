// torch.nn.functional: the ops behind the layers, validated here and run by ATen.
import type { Handle } from "../../binding.js";
import { native } from "../binding.js";
import { DTYPES, type DType } from "../dtype.js";
import { TorchError } from "../errors.js";
import { handleOf, Tensor, wrap } from "../tensor.js";
import { argError, arrayCopy, checkBool, checkDType, checkInt, checkNumber, checkOptions, checkPositiveInt } from "../validate.js";

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

/** Python: `F.conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1)`. */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null,
  options?: { stride?: Pair; padding?: Pair; dilation?: Pair; groups?: number }): Tensor {
  const fn = "F.conv2d";
  const o = checkOptions(fn, options, ["stride", "padding", "dilation", "groups"]);
  input(fn, x);
  input(fn, weight, "weight");
  checkRank(fn, x, [3, 4], "3-D (C, H, W) or 4-D (N, C, H, W)");
  const groups = o.groups === undefined ? 1 : checkPositiveInt(fn, "groups", o.groups);
  // libtorch 1.13 truncates groups to int and divides by it: 2^40 would be SIGFPE, not an error.
  if (groups > 0x7fffffff) throw argError(fn, "groups", "a positive integer below 2^31", groups);
  return wrap(native.conv2d(handleOf(x), handleOf(weight), optionalTensor(fn, "bias", bias),
    pair(fn, "stride", o.stride ?? 1, 1), pair(fn, "padding", o.padding ?? 0), pair(fn, "dilation", o.dilation ?? 1, 1), groups));
}

/**
 * Python: `F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)`.
 * In training the running statistics are updated in place (unbiased variance), as in PyTorch.
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null,
  options?: { weight?: Tensor | null; bias?: Tensor | null; training?: boolean; momentum?: number; eps?: number }): Tensor {
  const fn = "F.batchNorm";
  const o = checkOptions(fn, options, ["weight", "bias", "training", "momentum", "eps"]);
  input(fn, x);
  if (x.ndim < 2) throw argError(fn, "input", "a tensor with at least 2 dimensions (N, C, ...)", x);
  const training = o.training === undefined ? false : checkBool(fn, "training", o.training);
  if (!training && (runningMean === null || runningVar === null)) {
    throw new TypeError(`${fn}: runningMean and runningVar are required when training is false`);
  }
  // PyTorch's _verify_batch_size: batch statistics need more than one value per channel.
  if (training && x.shape.reduce((p, d, i) => (i === 1 ? p : p * d), 1) === 1) {
    throw new TorchError(`Expected more than 1 value per channel when training, got input size torch.Size([${x.shape.join(", ")}])`);
  }
  return wrap(native.batchNorm(handleOf(x), optionalTensor(fn, "weight", o.weight), optionalTensor(fn, "bias", o.bias),
    optionalTensor(fn, "runningMean", runningMean), optionalTensor(fn, "runningVar", runningVar), training,
    o.momentum === undefined ? 0.1 : checkNumber(fn, "momentum", o.momentum), o.eps === undefined ? 1e-5 : checkNumber(fn, "eps", o.eps)));
}

/** Python: `F.relu(input, inplace=False)`. */
export function relu(x: Tensor, options?: { inplace?: boolean }): Tensor {
  const o = checkOptions("F.relu", options, ["inplace"]);
  input("F.relu", x);
  return o.inplace === true ? x.relu_() : x.relu();
}

/** Python: `F.max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False)`. */
export function maxPool2d(x: Tensor, kernelSize: Pair,
  options?: { stride?: Pair | null; padding?: Pair; dilation?: Pair; ceilMode?: boolean }): Tensor {
  const fn = "F.maxPool2d";
  const o = checkOptions(fn, options, ["stride", "padding", "dilation", "ceilMode"]);
  input(fn, x);
  const kernel = pair(fn, "kernelSize", kernelSize, 1);
  const stride = o.stride === undefined || o.stride === null ? kernel : pair(fn, "stride", o.stride, 1);
  return wrap(native.maxPool2d(handleOf(x), kernel, stride, pair(fn, "padding", o.padding ?? 0), pair(fn, "dilation", o.dilation ?? 1, 1),
    o.ceilMode === undefined ? false : checkBool(fn, "ceilMode", o.ceilMode)));
}

/** Python: `F.avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None)`. */
export function avgPool2d(x: Tensor, kernelSize: Pair,
  options?: { stride?: Pair | null; padding?: Pair; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number | null }): Tensor {
  const fn = "F.avgPool2d";
  const o = checkOptions(fn, options, ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"]);
  input(fn, x);
  const kernel = pair(fn, "kernelSize", kernelSize, 1);
  const stride = o.stride === undefined || o.stride === null ? kernel : pair(fn, "stride", o.stride, 1);
  const divisor = o.divisorOverride === undefined || o.divisorOverride === null ? null : checkPositiveInt(fn, "divisorOverride", o.divisorOverride);
  return wrap(native.avgPool2d(handleOf(x), kernel, stride, pair(fn, "padding", o.padding ?? 0),
    o.ceilMode === undefined ? false : checkBool(fn, "ceilMode", o.ceilMode),
    o.countIncludePad === undefined ? true : checkBool(fn, "countIncludePad", o.countIncludePad), divisor));
}

/** Python: `F.adaptive_avg_pool2d(input, output_size)`. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  input("F.adaptiveAvgPool2d", x);
  return wrap(native.adaptiveAvgPool2d(handleOf(x), pair("F.adaptiveAvgPool2d", "outputSize", outputSize, 1)));
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

/** Python: `F.dropout(input, p=0.5, training=True)`. */
export function dropout(x: Tensor, options?: { p?: number; training?: boolean }): Tensor {
  const o = checkOptions("F.dropout", options, ["p", "training"]);
  input("F.dropout", x);
  const p = o.p === undefined ? 0.5 : checkNumber("F.dropout", "p", o.p);
  if (!(p >= 0 && p <= 1)) throw argError("F.dropout", "p", "a probability between 0 and 1", p);
  return wrap(native.dropout(handleOf(x), p, o.training === undefined ? true : checkBool("F.dropout", "training", o.training)));
}

function softmaxLike(fn: string, op: "softmax" | "logSoftmax", x: Tensor, dim: number, options?: { dtype?: DType }): Tensor {
  const o = checkOptions(fn, options, ["dtype"]);
  input(fn, x);
  return wrap(native[op](handleOf(x), checkInt(fn, "dim", dim), o.dtype === undefined ? null : DTYPES[checkDType(fn, "dtype", o.dtype)].code));
}
/** Python: `F.softmax(input, dim, dtype=None)`. */
export function softmax(x: Tensor, dim: number, options?: { dtype?: DType }): Tensor {
  return softmaxLike("F.softmax", "softmax", x, dim, options);
}
/** Python: `F.log_softmax(input, dim, dtype=None)`. */
export function logSoftmax(x: Tensor, dim: number, options?: { dtype?: DType }): Tensor {
  return softmaxLike("F.logSoftmax", "logSoftmax", x, dim, options);
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
  ignoreIndex?: number;
  reduction?: Reduction;
}

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
export function nllLoss(x: Tensor, target: Tensor, options?: ClassificationLossOptions): Tensor {
  const fn = "F.nllLoss";
  const o = checkOptions(fn, options, ["weight", "ignoreIndex", "reduction"]);
  input(fn, x);
  const t = checkTarget(fn, x, target, false);
  return wrap(native.nllLoss(handleOf(x), handleOf(t), optionalTensor(fn, "weight", o.weight), reductionCode(fn, o.reduction),
    o.ignoreIndex === undefined ? -100 : checkInt(fn, "ignoreIndex", o.ignoreIndex)));
}

/**
 * Python: `F.cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean",
 * label_smoothing=0.0)`; target holds class indices (int64) or class probabilities (float).
 */
export function crossEntropy(x: Tensor, target: Tensor, options?: ClassificationLossOptions & { labelSmoothing?: number }): Tensor {
  const fn = "F.crossEntropy";
  const o = checkOptions(fn, options, ["weight", "ignoreIndex", "reduction", "labelSmoothing"]);
  input(fn, x);
  const t = checkTarget(fn, x, target, true);
  const smoothing = o.labelSmoothing === undefined ? 0 : checkNumber(fn, "labelSmoothing", o.labelSmoothing);
  if (!(smoothing >= 0 && smoothing <= 1)) throw argError(fn, "labelSmoothing", "a number between 0 and 1", smoothing);
  return wrap(native.crossEntropy(handleOf(x), handleOf(t), optionalTensor(fn, "weight", o.weight), reductionCode(fn, o.reduction),
    o.ignoreIndex === undefined ? -100 : checkInt(fn, "ignoreIndex", o.ignoreIndex), smoothing));
}

/** Python: `F.mse_loss(input, target, reduction="mean")`. */
export function mseLoss(x: Tensor, target: Tensor, options?: { reduction?: Reduction }): Tensor {
  const o = checkOptions("F.mseLoss", options, ["reduction"]);
  input("F.mseLoss", x);
  input("F.mseLoss", target, "target");
  return wrap(native.mseLoss(handleOf(x), handleOf(target), reductionCode("F.mseLoss", o.reduction)));
}

// Python-signature ports of torch.nn.functional's Python code (functional_python.ts and the files it re-exports).
export { threshold, elu, celu, selu, leakyRelu, hardtanh, relu6, silu, mish, hardswish, hardsigmoid, logsigmoid, hardshrink, prelu, rrelu, tanhshrink, softsign, softmin, layerNorm, groupNorm, instanceNorm, localResponseNorm, normalize, pixelShuffle, pixelUnshuffle, pdist, pairwiseDistance, cosineSimilarity, bilinear, embedding, embeddingBag, alphaDropout, featureAlphaDropout, dropout1d, dropout2d, dropout3d, affineGrid, gridSample, unfold, fold, l1Loss, smoothL1Loss, huberLoss, softMarginLoss, multilabelMarginLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits, klDiv, poissonNllLoss, gaussianNllLoss, marginRankingLoss, hingeEmbeddingLoss, cosineEmbeddingLoss, multilabelSoftMarginLoss, multiMarginLoss, tripletMarginLoss, tripletMarginWithDistanceLoss, ctcLoss, conv1d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d, avgPool1d, avgPool3d, maxPool1d, maxPool3d, maxUnpool1d, maxUnpool2d, maxUnpool3d, adaptiveAvgPool1d, adaptiveAvgPool3d, adaptiveMaxPool1d, adaptiveMaxPool2d, adaptiveMaxPool3d, lpPool1d, lpPool2d, interpolate, upsample, upsampleNearest, upsampleBilinear } from "./functional_python.js";
// The ATen ops of torch._C._nn not written above, with ATen's schemas (scripts/gen-ops.ts).
export * from "./functional.generated.js";
