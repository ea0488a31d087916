// nn.LayerNorm, nn.GroupNorm, nn.LocalResponseNorm, nn.CrossMapLRN2d (torch/nn/modules/
// normalization.py): statistics over each sample, so no running buffers and no train/eval
// difference. Constructors follow the calling rule: Python's parameters positionally, or the
// defaulted ones in one trailing options object.
import { empty } from "../tensor/creation.js";
import { tidy } from "../memory.js";
import { isGradEnabled } from "../autograd.js";
import type { Device } from "../device.js";
import type { DType } from "../dtype.js";
import { TorchError } from "../errors.js";
import { Tensor } from "../tensor/index.js";
import { cat } from "../tensor/functions.js";
import { argError, checkBool, checkNonNegInt, checkNumber, isInt } from "../validate.js";
import { factoryOptions } from "./factory.js";
import { bindArgs, type PyArgs } from "./functional_util.js";
import { groupNorm, layerNorm, localResponseNorm } from "./functional_python.js";
import { ones_, zeros_ } from "./init.js";
import { Module } from "./module.js";
import { initEnabled } from "./skip_init.js";
import { py, pyFloat } from "./repr.js";

type Factory = { device: Device; dtype: DType };

const numberOr = (fn: string, arg: string, v: unknown, dflt: number) => (v === undefined ? dflt : checkNumber(fn, arg, v));
const boolOr = (fn: string, arg: string, v: unknown, dflt: boolean) => (v === undefined ? dflt : checkBool(fn, arg, v));

function input(fn: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw argError(fn, "input", "a Tensor", x);
  return x;
}

/** A weight of ones and a bias of zeros of `shape`, made in one tidy (a failed bias frees the weight). */
/** weight and bias of `shape` when `affine` (filled by resetAffine), else both registered as null, as Python does. */
function affineParams(m: Module, affine: boolean, shape: number[], factory: { device?: Device; dtype?: DType }): [Tensor | null, Tensor | null] {
  if (!affine) return [m.registerParameter("weight", null), m.registerParameter("bias", null)];
  const [w, b] = tidy(() => [empty(shape, factory), empty(shape, factory)] as const);
  return [m.registerParameter("weight", w), m.registerParameter("bias", b)];
}

/** Python's reset_parameters of LayerNorm and GroupNorm: weight ones, bias zeros. */
function resetAffine(weight: Tensor | null, bias: Tensor | null): void {
  if (weight !== null && bias !== null) {
    ones_(weight);
    zeros_(bias);
  }
}

/**
 * Python: `nn.LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True, device=None,
 * dtype=None)`: normalizes over the trailing `normalizedShape` dimensions.
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(normalizedShape: number | readonly number[], ...args: PyArgs<[eps: number, elementwiseAffine: boolean, device: Device, dtype: DType], { eps: number; elementwiseAffine: boolean } & Factory>) {
    super();
    const fn = "nn.LayerNorm";
    const a = bindArgs(fn, ["eps", "elementwiseAffine", "device", "dtype"], args, 0, ["normalizedShape"]);
    const shape = isInt(normalizedShape) ? [normalizedShape] : normalizedShape;
    if (!Array.isArray(shape) || !shape.every((d) => isInt(d) && d >= 0)) {
      throw argError(fn, "normalizedShape", "a non-negative integer or an array of them", normalizedShape);
    }
    this.normalizedShape = [...shape];
    this.eps = numberOr(fn, "eps", a.eps, 1e-5);
    this.elementwiseAffine = boolOr(fn, "elementwiseAffine", a.elementwiseAffine, true);
    const factory = factoryOptions(fn, a);
    [this.weight, this.bias] = affineParams(this, this.elementwiseAffine, this.normalizedShape, factory);
    if (initEnabled()) this.resetParameters();
  }

  resetParameters(): void {
    resetAffine(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    return layerNorm(input("nn.LayerNorm", x), this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${py(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${py(this.elementwiseAffine)}`;
  }
}

/**
 * Python: `nn.GroupNorm(num_groups, num_channels, eps=1e-5, affine=True, device=None,
 * dtype=None)`: channels split into groups, each normalized over its channels and positions.
 */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(numGroups: number, numChannels: number, ...args: PyArgs<[eps: number, affine: boolean, device: Device, dtype: DType], { eps: number; affine: boolean } & Factory>) {
    super();
    const fn = "nn.GroupNorm";
    const a = bindArgs(fn, ["eps", "affine", "device", "dtype"], args, 0, ["numGroups", "numChannels"]);
    this.numGroups = checkNonNegInt(fn, "numGroups", numGroups);
    this.numChannels = checkNonNegInt(fn, "numChannels", numChannels);
    // Python's own check (a ZeroDivisionError there for 0 groups; a clear error here).
    if (numGroups === 0 || numChannels % numGroups !== 0) throw new TorchError(`${fn}: num_channels must be divisible by num_groups`);
    this.eps = numberOr(fn, "eps", a.eps, 1e-5);
    this.affine = boolOr(fn, "affine", a.affine, true);
    const factory = factoryOptions(fn, a);
    [this.weight, this.bias] = affineParams(this, this.affine, [numChannels], factory);
    if (initEnabled()) this.resetParameters();
  }

  resetParameters(): void {
    resetAffine(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    return groupNorm(input("nn.GroupNorm", x), this.numGroups, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${py(this.affine)}`;
  }
}

type LrnArgs = PyArgs<[alpha: number, beta: number, k: number], { alpha: number; beta: number; k: number }>;

function lrnArgs(fn: string, size: number, args: readonly unknown[]): [number, number, number, number] {
  const a = bindArgs(fn, ["alpha", "beta", "k"], args, 0, ["size"]);
  return [checkNonNegInt(fn, "size", size), numberOr(fn, "alpha", a.alpha, 1e-4), numberOr(fn, "beta", a.beta, 0.75), numberOr(fn, "k", a.k, 1)];
}

/** Python: `nn.LocalResponseNorm(size, alpha=1e-4, beta=0.75, k=1.0)`: across channels. */
export class LocalResponseNorm extends Module {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;

  constructor(size: number, ...args: LrnArgs) {
    super();
    [this.size, this.alpha, this.beta, this.k] = lrnArgs("nn.LocalResponseNorm", size, args);
  }

  forward(x: Tensor): Tensor {
    return localResponseNorm(input("nn.LocalResponseNorm", x), this.size, this.alpha, this.beta, this.k);
  }

  override extraRepr(): string {
    return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`;
  }
}

/**
 * Python: `nn.CrossMapLRN2d(size, alpha=1e-4, beta=0.75, k=1)`: Lua Torch's cross-channel LRN on
 * 4-D input, as PyTorch's autograd Function _functions.CrossMapLRN2d: its forward's running
 * channel sum (which never drops channel 0) and its hand-written backward (a window that is not
 * the forward's), so values and gradients are Python's.
 */
export class CrossMapLRN2d extends Module {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;

  constructor(size: number, ...args: LrnArgs) {
    super();
    [this.size, this.alpha, this.beta, this.k] = lrnArgs("nn.CrossMapLRN2d", size, args);
  }

  forward(x: Tensor): Tensor {
    input("nn.CrossMapLRN2d", x);
    if (x.ndim !== 4) throw new TorchError(`nn.CrossMapLRN2d: expected 4D input (got ${x.ndim}D input)`);
    const [size, alpha, beta, k] = [this.size, this.alpha, this.beta, this.k];
    const channels = x.shape[1]!;
    const xd = x.detach();
    const sq = xd.pow(2);
    const at = (t: Tensor, c: number) => t.narrow(1, c, 1);
    const prePad = Math.trunc((size - 1) / 2 + 1);
    let running = at(sq, 0).mul(0);
    for (let c = 0; c < Math.min(prePad, channels); c++) running = running.add(at(sq, c));
    const sums = [running];
    for (let c = 1; c < channels; c++) {
      if (c < channels - prePad + 1) running = running.add(at(sq, c + prePad - 1));
      if (c > prePad) running = running.sub(at(sq, c - prePad));
      sums.push(running);
    }
    const scale = cat(sums, 1).mul(alpha / size).add(k);
    const out = scale.pow(-beta).mul(xd);
    if (!x.requiresGrad || !isGradEnabled()) return out;
    // Python's backward: dx = scale^-β·g − (2αβ/size)·x·Σ_window(g·out/scale), the window of
    // channel c being c−inv … c−inv+size−1 (inv = size − ⌊(size−1)/2⌋). A surrogate with that
    // gradient, its value cancelled exactly, carries it through autograd.
    const inv = Math.trunc(size - (size - 1) / 2);
    const halfSq = x.pow(2).mul(0.5);
    const windowed: Tensor[] = [];
    for (let i = 0; i < channels; i++) {
      const lo = Math.max(0, i + inv - size + 1);
      const hi = Math.min(channels - 1, i + inv);
      windowed.push(hi >= lo ? halfSq.narrow(1, lo, hi - lo + 1).sum(1, { keepdim: true }) : at(halfSq, i).mul(0));
    }
    const ratio = out.div(scale).mul((-2 * alpha * beta) / size);
    const surrogate = scale.pow(-beta).mul(x).add(cat(windowed, 1).mul(ratio));
    return out.add(surrogate.sub(surrogate.detach()));
  }

  override extraRepr(): string {
    // Python's default k is the int 1 here, printed without a decimal point.
    const k = Number.isInteger(this.k) ? String(this.k) : pyFloat(this.k);
    return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${k}`;
  }
}
