// torch.nn.functional's pooling, convolution and interpolation functions of PyTorch 1.13, with
// their Python signatures by the calling rule (return_indices gives [output, indices]).
// conv2d, max_pool2d, avg_pool2d and adaptive_avg_pool2d here follow Python's signatures too;
// functional.ts exports its own hand-written ones under those names (native fast paths, the same
// signatures), which take the helpers exported below for the cases they do not cover.
import { TorchError } from "../errors.js";
import type { Tensor } from "../tensor/index.js";
import * as ops from "../tensor/ops.generated.js";
import * as nn from "./functional.generated.js";
import { alias, aten, bindArgs, bool, choice, ntuple, num, type PyArgs } from "./functional_util.js";
import { tensor as checkTensor } from "./functional_util.js";
import { argError, checkIntList, isInt } from "../validate.js";

type Ints = number | number[];
type Fn = (...a: unknown[]) => Tensor;
type Fn2 = (...a: unknown[]) => [Tensor, Tensor];

/** Python: `F.conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1)`; padding may be "valid" or "same". */
export const conv1d = alias("conv1d", ops.conv1d);
/** Python: `F.conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1)`. */
export const conv2d = alias("conv2d", ops.conv2d);
/** Python: `F.conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1)`. */
export const conv3d = alias("conv3d", ops.conv3d);
/** Python: `F.conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1)`. */
export const convTranspose1d = alias("convTranspose1d", ops.convTranspose1d);
/** Python: `F.conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1)`. */
export const convTranspose2d = alias("convTranspose2d", ops.convTranspose2d);
/** Python: `F.conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1)`. */
export const convTranspose3d = alias("convTranspose3d", ops.convTranspose3d);

/** ATen's conv2d.padding overload: padding "valid" or "same" (F.conv2d's string form). */
export const convPadding = (x: Tensor, weight: Tensor, bias: Tensor | null, stride: number[], padding: "valid" | "same", dilation: number[], groups: number): Tensor =>
  (ops.conv2d as unknown as Fn)(x, weight, bias, stride, padding, dilation, groups);
/** ATen's max_pool2d_with_indices (F.max_pool2d with return_indices): [output, indices]. */
export const maxPool2dWithIndices = (x: Tensor, kernel: number[], stride: number[], padding: number[], dilation: number[], ceilMode: boolean): [Tensor, Tensor] =>
  (nn.maxPool2dWithIndices as unknown as Fn2)(x, kernel, stride, padding, dilation, ceilMode);

const avgPool2dAten = aten<Fn>("avgPool2d", "avg_pool2d", "avg_pool2d(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, bool ceil_mode=False, bool count_include_pad=True, int? divisor_override=None) -> Tensor");
const adaptiveAvgPool2dAten = aten<Fn>("adaptiveAvgPool2d", "adaptive_avg_pool2d", "adaptive_avg_pool2d(Tensor self, SymInt[2] output_size) -> Tensor");

/** Python's stride=None (ATen's stride=[]): the kernel size. */
const noStride = (s: unknown): boolean => s === undefined || s === null || (Array.isArray(s) && s.length === 0);

type AvgP = [kernelSize: Ints, stride: Ints | null, padding: Ints, ceilMode: boolean, countIncludePad: boolean, divisorOverride: number | null];
type AvgO = { kernelSize: Ints; stride: Ints | null; padding: Ints; ceilMode: boolean; countIncludePad: boolean; divisorOverride: number | null };
function avgPool(name: string, n: number, op: Fn) {
  const fn = `nn.functional.${name}`;
  return (input: Tensor, ...args: PyArgs<AvgP, AvgO>): Tensor => {
    const a = bindArgs(fn, n === 1 ? ["kernelSize", "stride", "padding", "ceilMode", "countIncludePad"] : ["kernelSize", "stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"], args, 1);
    const k = ntuple(fn, "kernelSize", a.kernelSize, n, 1);
    const s = noStride(a.stride) ? [] : ntuple(fn, "stride", a.stride, n, 1);
    const rest = [ntuple(fn, "padding", a.padding ?? 0, n), bool(fn, "ceilMode", a.ceilMode, false), bool(fn, "countIncludePad", a.countIncludePad, true)];
    return n === 1 ? op(checkTensor(fn, input), k, s, ...rest) : op(checkTensor(fn, input), k, s, ...rest, a.divisorOverride ?? null);
  };
}
/** Python: `F.avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True)`. */
export const avgPool1d = avgPool("avgPool1d", 1, ops.avgPool1d as Fn);
/** Python: `F.avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None)`. */
export const avgPool2d = avgPool("avgPool2d", 2, avgPool2dAten);
/** Python: `F.avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None)`. */
export const avgPool3d = avgPool("avgPool3d", 3, nn.avgPool3d as Fn);

type MaxP = [kernelSize: Ints, stride: Ints | null, padding: Ints, dilation: Ints, ceilMode: boolean];
type MaxO = { kernelSize: Ints; stride: Ints | null; padding: Ints; dilation: Ints; ceilMode: boolean; returnIndices: boolean };
type MaxPoolFn = {
  (input: Tensor, kernelSize: Ints, options: Partial<MaxO> & { returnIndices: true }): [Tensor, Tensor];
  (input: Tensor, ...args: PyArgs<MaxP, MaxO>): Tensor;
};
function maxPool(name: string, n: number, op: Fn, withIndices: Fn2): MaxPoolFn {
  const fn = `nn.functional.${name}`;
  return ((input: Tensor, ...args: unknown[]) => {
    const a = bindArgs(fn, ["kernelSize", "stride", "padding", "dilation", "ceilMode", "returnIndices"], args, 1);
    const v = [checkTensor(fn, input), ntuple(fn, "kernelSize", a.kernelSize, n, 1), noStride(a.stride) ? [] : ntuple(fn, "stride", a.stride, n, 1),
      ntuple(fn, "padding", a.padding ?? 0, n), ntuple(fn, "dilation", a.dilation ?? 1, n, 1), bool(fn, "ceilMode", a.ceilMode, false)];
    return bool(fn, "returnIndices", a.returnIndices, false) ? withIndices(...v) : op(...v);
  }) as MaxPoolFn;
}
/** Python: `F.max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False)`. */
export const maxPool1d = maxPool("maxPool1d", 1, ops.maxPool1d as Fn, ops.maxPool1dWithIndices as Fn2);
/** Python: `F.max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False)`. */
export const maxPool2d = maxPool("maxPool2d", 2, ops.maxPool2d as Fn, nn.maxPool2dWithIndices as Fn2);
/** Python: `F.max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False)`. */
export const maxPool3d = maxPool("maxPool3d", 3, ops.maxPool3d as Fn, nn.maxPool3dWithIndices as Fn2);

/** Python's `_unpool_output_size`: the default size, or `outputSize` (spatial, or with N and C) checked against it. */
function unpoolSize(fn: string, x: Tensor, k: number[], s: number[], p: number[], outputSize: unknown): number[] {
  const n = k.length;
  const dflt = k.map((kd, d) => (x.shape[x.ndim - n + d]! - 1) * s[d]! + kd - 2 * p[d]!);
  if (outputSize === undefined || outputSize === null) return dflt;
  let o = checkIntList(fn, "outputSize", outputSize);
  if (o.length === n + 2) o = o.slice(2);
  if (o.length !== n) throw new TorchError(`output_size should be a sequence containing ${n} or ${n + 2} elements, but it has a length of '${o.length}'`);
  o.forEach((v, d) => {
    if (!(dflt[d]! - s[d]! < v && v < dflt[d]! + s[d]!)) throw new TorchError(`invalid output_size "[${o.join(", ")}]" (dim ${d} must be between ${dflt[d]! - s[d]!} and ${dflt[d]! + s[d]!})`);
  });
  return o;
}
type UnpoolP = [indices: Tensor, kernelSize: Ints, stride: Ints | null, padding: Ints, outputSize: number[] | null];
type UnpoolO = { indices: Tensor; kernelSize: Ints; stride: Ints | null; padding: Ints; outputSize: number[] | null };
function maxUnpool(name: string, n: number) {
  const fn = `nn.functional.${name}`;
  return (input: Tensor, ...args: PyArgs<UnpoolP, UnpoolO>): Tensor => {
    const a = bindArgs(fn, ["indices", "kernelSize", "stride", "padding", "outputSize"], args, 2);
    const x = checkTensor(fn, input);
    const idx = checkTensor(fn, a.indices, "indices");
    const k = ntuple(fn, "kernelSize", a.kernelSize, n, 1);
    const s = noStride(a.stride) ? k : ntuple(fn, "stride", a.stride, n, 1);
    const p = ntuple(fn, "padding", a.padding ?? 0, n);
    const size = unpoolSize(fn, x, k, s, p, a.outputSize);
    if (n === 1) return nn.maxUnpool2d(x.unsqueeze(-1), idx.unsqueeze(-1), [...size, 1]).squeeze(-1);
    return n === 2 ? nn.maxUnpool2d(x, idx, size) : nn.maxUnpool3d(x, idx, size, s, p);
  };
}
/** Python: `F.max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None)`. */
export const maxUnpool1d = maxUnpool("maxUnpool1d", 1);
/** Python: `F.max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None)`. */
export const maxUnpool2d = maxUnpool("maxUnpool2d", 2);
/** Python: `F.max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None)`. */
export const maxUnpool3d = maxUnpool("maxUnpool3d", 3);

type FracP = [kernelSize: Ints, outputSize: Ints | null, outputRatio: number | number[] | null, returnIndices: boolean, randomSamples: Tensor | null];
type FracO = { kernelSize: Ints; outputSize: Ints | null; outputRatio: number | number[] | null; returnIndices: boolean; randomSamples: Tensor | null };
type FracFn = {
  (input: Tensor, kernelSize: Ints, options: Partial<FracO> & { returnIndices: true }): [Tensor, Tensor];
  (input: Tensor, ...args: PyArgs<FracP, FracO>): Tensor;
};
function fractionalMaxPool(name: string, n: number, op: Fn2): FracFn {
  const fn = `nn.functional.${name}`;
  return ((input: Tensor, ...args: unknown[]) => {
    // Python's _random_samples keyword is randomSamples here (a leading underscore has no camelCase).
    const a = bindArgs(fn, ["kernelSize", "outputSize", "outputRatio", "returnIndices", "randomSamples"], args, 1);
    const x = checkTensor(fn, input);
    const kernel = ntuple(fn, "kernelSize", a.kernelSize, n, 1);
    let size: number[];
    if (a.outputSize !== undefined && a.outputSize !== null) size = ntuple(fn, "outputSize", a.outputSize, n, 1);
    else if (a.outputRatio !== undefined && a.outputRatio !== null) {
      const ratio = typeof a.outputRatio === "number" ? Array<number>(n).fill(a.outputRatio) : (a.outputRatio as number[]);
      if (!Array.isArray(ratio) || ratio.length !== n || ratio.some((r) => typeof r !== "number")) throw argError(fn, "outputRatio", `a number or ${n} numbers`, a.outputRatio);
      size = ratio.map((r, d) => Math.trunc(x.shape[x.ndim - n + d]! * r));
    } else throw new TypeError(`${fn}: requires specifying either an outputSize or an outputRatio`);
    let samples = a.randomSamples === undefined || a.randomSamples === null ? null : checkTensor(fn, a.randomSamples, "randomSamples");
    // As Python: one (n-dim) sample per batch element and plane, drawn from the global generator.
    if (samples === null) samples = ops.rand([x.ndim === n + 1 ? 1 : x.shape[0]!, x.shape[x.ndim - n - 1]!, n], { dtype: x.dtype, device: x.device });
    const [out, indices] = op(x, kernel, size, samples);
    if (bool(fn, "returnIndices", a.returnIndices, false)) return [out, indices];
    indices.dispose();
    return out;
  }) as FracFn;
}
/** Python: `F.fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False, _random_samples=None)`. */
export const fractionalMaxPool2d = fractionalMaxPool("fractionalMaxPool2d", 2, nn.fractionalMaxPool2d as Fn2);
/** Python: `F.fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False, _random_samples=None)`. */
export const fractionalMaxPool3d = fractionalMaxPool("fractionalMaxPool3d", 3, nn.fractionalMaxPool3d as Fn2);

/** Python's `_list_with_default`: an int, or a list whose null entries take the input's size. */
export function adaptiveOutputSize(fn: string, x: Tensor, value: unknown, n: number): number[] {
  if (isInt(value)) return Array(n).fill(value);
  if (!Array.isArray(value) || !value.every((v) => v === null || isInt(v))) throw argError(fn, "outputSize", `an integer or an array of ${n} integers (or nulls)`, value);
  if (value.length !== n) throw argError(fn, "outputSize", `an integer or an array of ${n} integers (or nulls)`, value);
  return value.map((v, i) => (v === null ? x.shape[x.ndim - n + i]! : v));
}
function adaptiveAvg(name: string, n: number, op: Fn) {
  const fn = `nn.functional.${name}`;
  return (input: Tensor, ...args: PyArgs<[outputSize: Ints | (number | null)[]], { outputSize: Ints | (number | null)[] }>): Tensor => {
    const a = bindArgs(fn, ["outputSize"], args, 1);
    const x = checkTensor(fn, input);
    return op(x, adaptiveOutputSize(fn, x, a.outputSize, n));
  };
}
/** Python: `F.adaptive_avg_pool1d(input, output_size)`. */
export const adaptiveAvgPool1d = adaptiveAvg("adaptiveAvgPool1d", 1, ops.adaptiveAvgPool1d as Fn);
/** Python: `F.adaptive_avg_pool2d(input, output_size)` (null entries keep the input's size). */
export const adaptiveAvgPool2d = adaptiveAvg("adaptiveAvgPool2d", 2, adaptiveAvgPool2dAten);
/** Python: `F.adaptive_avg_pool3d(input, output_size)` (null entries keep the input's size). */
export const adaptiveAvgPool3d = adaptiveAvg("adaptiveAvgPool3d", 3, nn.adaptiveAvgPool3d as Fn);

type AdaptiveMaxFn = {
  (input: Tensor, outputSize: Ints | (number | null)[], returnIndices: true): [Tensor, Tensor];
  (input: Tensor, outputSize: Ints | (number | null)[], options: { returnIndices: true }): [Tensor, Tensor];
  (input: Tensor, ...args: PyArgs<[outputSize: Ints | (number | null)[], returnIndices: false], { outputSize: Ints | (number | null)[]; returnIndices: false }>): Tensor;
};
function adaptiveMax(name: string, n: number, op: Fn2): AdaptiveMaxFn {
  const fn = `nn.functional.${name}`;
  return ((input: Tensor, ...args: unknown[]) => {
    const a = bindArgs(fn, ["outputSize", "returnIndices"], args, 1);
    const x = checkTensor(fn, input);
    const out = op(x, adaptiveOutputSize(fn, x, a.outputSize, n));
    if (bool(fn, "returnIndices", a.returnIndices, false)) return out;
    out[1].dispose();
    return out[0];
  }) as AdaptiveMaxFn;
}
/** Python: `F.adaptive_max_pool1d(input, output_size, return_indices=False)`. */
export const adaptiveMaxPool1d = adaptiveMax("adaptiveMaxPool1d", 1, ops.adaptiveMaxPool1d as Fn2);
/** Python: `F.adaptive_max_pool2d(input, output_size, return_indices=False)`. */
export const adaptiveMaxPool2d = adaptiveMax("adaptiveMaxPool2d", 2, nn.adaptiveMaxPool2d as Fn2);
/** Python: `F.adaptive_max_pool3d(input, output_size, return_indices=False)`. */
export const adaptiveMaxPool3d = adaptiveMax("adaptiveMaxPool3d", 3, nn.adaptiveMaxPool3d as Fn2);

function lpPool(name: string, n: number) {
  const fn = `nn.functional.${name}`;
  return (input: Tensor, ...args: PyArgs<[normType: number, kernelSize: Ints, stride: Ints | null, ceilMode: boolean], { normType: number; kernelSize: Ints; stride: Ints | null; ceilMode: boolean }>): Tensor => {
    const a = bindArgs(fn, ["normType", "kernelSize", "stride", "ceilMode"], args, 2);
    const x = checkTensor(fn, input);
    const p = num(fn, "normType", a.normType, 2);
    const k = ntuple(fn, "kernelSize", a.kernelSize, n, 1);
    const pool = n === 1 ? avgPool1d : avgPool2d;
    const out = pool(x.pow(p), k, { stride: a.stride as Ints | null | undefined, padding: 0, ceilMode: bool(fn, "ceilMode", a.ceilMode, false) });
    return out.sign().mul(out.abs().relu()).mul(k.reduce((u, v) => u * v, 1)).pow(1 / p);
  };
}
/** Python: `F.lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False)`. */
export const lpPool1d = lpPool("lpPool1d", 1);
/** Python: `F.lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False)`. */
export const lpPool2d = lpPool("lpPool2d", 2);

const vec = (name: string, q: string, interp: boolean) =>
  aten<Fn>(name, q, `${q}.vec(Tensor input, SymInt[]? output_size, ${interp ? "bool align_corners, " : ""}float[]? scale_factors) -> Tensor`);
const NEAREST_EXACT = [vec("nearestExact1d", "_upsample_nearest_exact1d", false), vec("nearestExact2d", "_upsample_nearest_exact2d", false), vec("nearestExact3d", "_upsample_nearest_exact3d", false)];
const BILINEAR_AA = vec("bilinearAa", "_upsample_bilinear2d_aa", true);
const BICUBIC_AA = vec("bicubicAa", "_upsample_bicubic2d_aa", true);
const MODES = ["nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact"] as const;
export type InterpolateMode = (typeof MODES)[number];
type InterpP = [size: Ints | null, scaleFactor: number | number[] | null, mode: InterpolateMode, alignCorners: boolean | null, recomputeScaleFactor: boolean | null, antialias: boolean];
type InterpO = { size: Ints | null; scaleFactor: number | number[] | null; mode: InterpolateMode; alignCorners: boolean | null; recomputeScaleFactor: boolean | null; antialias: boolean };

/**
 * Python: `F.interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
 * recompute_scale_factor=None, antialias=False)`: resizes the spatial dims of (N, C, ...) input.
 */
export function interpolate(input: Tensor, ...args: PyArgs<InterpP, InterpO>): Tensor {
  const fn = "nn.functional.interpolate";
  const a = bindArgs(fn, ["size", "scaleFactor", "mode", "alignCorners", "recomputeScaleFactor", "antialias"], args);
  const x = checkTensor(fn, input);
  const mode = choice(fn, "mode", a.mode, MODES, "nearest");
  let alignCorners = a.alignCorners === undefined || a.alignCorners === null ? null : bool(fn, "alignCorners", a.alignCorners, false);
  if (mode === "nearest" || mode === "area" || mode === "nearest-exact") {
    if (alignCorners !== null) throw new TorchError("align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear");
  } else alignCorners ??= false;
  const dim = x.ndim - 2;
  const given = (v: unknown) => v !== undefined && v !== null;
  let outputSize: number[] | null = null;
  let scales: number[] | null = null;
  if (given(a.size) && given(a.scaleFactor)) throw new TorchError("only one of size or scale_factor should be defined");
  if (given(a.size)) {
    if (Array.isArray(a.size)) {
      outputSize = checkIntList(fn, "size", a.size);
      if (outputSize.length !== dim) throw new TorchError(`Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of [${x.shape.slice(2).join(", ")}] and output size of [${outputSize.join(", ")}]. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`);
    } else outputSize = Array(Math.max(dim, 0)).fill(checkIntList(fn, "size", [a.size])[0]);
  } else if (given(a.scaleFactor)) {
    const sf = a.scaleFactor;
    if (Array.isArray(sf)) {
      if (!sf.every((v) => typeof v === "number")) throw argError(fn, "scaleFactor", "a number or an array of numbers", sf);
      if (sf.length !== dim) throw new TorchError(`Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of [${x.shape.slice(2).join(", ")}] and scale_factor of shape [${sf.join(", ")}]. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.`);
      scales = sf as number[];
    } else scales = Array(Math.max(dim, 0)).fill(num(fn, "scaleFactor", sf, 1));
  } else throw new TorchError("either size or scale_factor should be defined");
  let recompute = a.recomputeScaleFactor === undefined || a.recomputeScaleFactor === null ? null : bool(fn, "recomputeScaleFactor", a.recomputeScaleFactor, false);
  if (recompute === true && given(a.size)) throw new TorchError("recompute_scale_factor is not meaningful with an explicit size.");
  if (mode === "area" && outputSize === null) recompute = true;
  if (recompute === true && scales !== null) {
    outputSize = scales.map((s, i) => Math.floor(x.shape[i + 2]! * s));
    scales = null;
  }
  const antialias = bool(fn, "antialias", a.antialias, false);
  if (antialias && !((mode === "bilinear" || mode === "bicubic") && x.ndim === 4)) throw new TorchError("Anti-alias option is only supported for bilinear and bicubic modes");
  const key = `${x.ndim}:${mode}`;
  const nearest = [nn.upsampleNearest1d, nn.upsampleNearest2d, nn.upsampleNearest3d] as Fn[];
  if (mode === "nearest" && x.ndim >= 3 && x.ndim <= 5) return nearest[x.ndim - 3]!(x, outputSize, scales);
  if (mode === "nearest-exact" && x.ndim >= 3 && x.ndim <= 5) return NEAREST_EXACT[x.ndim - 3]!(x, outputSize, scales);
  if (mode === "area" && x.ndim >= 3 && x.ndim <= 5) return [adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveAvgPool3d][x.ndim - 3]!(x, outputSize!);
  const interp: Record<string, Fn> = {
    "3:linear": nn.upsampleLinear1d as Fn, "4:bilinear": antialias ? BILINEAR_AA : (nn.upsampleBilinear2d as Fn),
    "5:trilinear": nn.upsampleTrilinear3d as Fn, "4:bicubic": antialias ? BICUBIC_AA : (nn.upsampleBicubic2d as Fn),
  };
  if (interp[key] !== undefined) return interp[key]!(x, outputSize, alignCorners, scales);
  const needs: Record<string, number> = { linear: 3, bilinear: 4, bicubic: 4, trilinear: 5 };
  if (x.ndim >= 3 && x.ndim <= 5 && needs[mode] !== undefined) throw new TorchError(`Got ${x.ndim}D input, but ${mode} mode needs ${needs[mode]}D input`);
  throw new TorchError(`Input Error: Only 3D, 4D and 5D input Tensors supported (got ${x.ndim}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${mode})`);
}

/** Python: `F.upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None)` (deprecated: interpolate). */
export function upsample(input: Tensor, ...args: PyArgs<[size: Ints | null, scaleFactor: number | number[] | null, mode: InterpolateMode, alignCorners: boolean | null], Omit<InterpO, "recomputeScaleFactor" | "antialias">>): Tensor {
  const a = bindArgs("nn.functional.upsample", ["size", "scaleFactor", "mode", "alignCorners"], args);
  return interpolate(input, a as Partial<InterpO>);
}
/** Python: `F.upsample_nearest(input, size=None, scale_factor=None)` (deprecated: interpolate). */
export function upsampleNearest(input: Tensor, ...args: PyArgs<[size: Ints | null, scaleFactor: number | number[] | null], { size: Ints | null; scaleFactor: number | number[] | null }>): Tensor {
  const a = bindArgs("nn.functional.upsampleNearest", ["size", "scaleFactor"], args);
  return interpolate(input, { ...a, mode: "nearest" } as Partial<InterpO>);
}
/** Python: `F.upsample_bilinear(input, size=None, scale_factor=None)`: bilinear with align_corners=True (deprecated). */
export function upsampleBilinear(input: Tensor, ...args: PyArgs<[size: Ints | null, scaleFactor: number | number[] | null], { size: Ints | null; scaleFactor: number | number[] | null }>): Tensor {
  const a = bindArgs("nn.functional.upsampleBilinear", ["size", "scaleFactor"], args);
  return interpolate(input, { ...a, mode: "bilinear", alignCorners: true } as Partial<InterpO>);
}
