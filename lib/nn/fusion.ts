// Folding an eval-mode BatchNorm into the convolution or Linear before it, for inference:
// Python's torch.nn.utils.fusion and torch.ao.quantization.fuse_modules (the float, eval-only
// part). In eval, BatchNorm is a fixed per-channel affine map, y = (x - mean) / sqrt(var + eps)
// * w + b, so conv followed by it equals one conv with scaled weights and a shifted bias: one
// pass over the activations instead of two. Results match the unfused model to float rounding.
import { noGrad } from "../autograd.js";
import { native } from "../binding.js";
import { onesLike, zerosLike } from "../tensor/creation.js";
import { tidy } from "../memory.js";
import { handleOf, Tensor, tensorArg } from "../tensor/index.js";
import { argError } from "../validate.js";
import { BatchNorm1d, BatchNorm2d } from "./batchnorm.js";
import { Conv2d } from "./conv.js";
import { Identity, Linear } from "./linear.js";
import { Module, Parameter } from "./module.js";
import { ReLU } from "./activation.js";
import { Sequential } from "./container.js";
import { withoutInit } from "./skip_init.js";

type BatchNorm = BatchNorm1d | BatchNorm2d;

/** An optional tensor argument: null/undefined, or checked as a Tensor. */
function optionalTensor(fn: string, name: string, t: unknown): Tensor | null {
  if (t === null || t === undefined) return null;
  tensorArg(fn, name, t);
  return t as Tensor;
}

/**
 * Python: `fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, transpose=False)`:
 * the weight and bias of the convolution that equals conv then eval-mode BatchNorm, as new
 * Parameters (the inputs are untouched). The same arithmetic in the same order as Python's.
 */
export function fuseConvBnWeights(convW: Tensor, convB: Tensor | null, bnRm: Tensor, bnRv: Tensor, bnEps: number,
  bnW: Tensor | null, bnB: Tensor | null, transpose = false): [Tensor, Tensor] {
  const fn = "nn.utils.fuseConvBnWeights";
  for (const [name, t] of [["convW", convW], ["bnRm", bnRm], ["bnRv", bnRv]] as const) tensorArg(fn, name, t);
  if (typeof bnEps !== "number" || !Number.isFinite(bnEps)) throw argError(fn, "bnEps", "a finite number", bnEps);
  if (convW.ndim < 2) throw argError(fn, "convW", "a convolution weight (2 or more dimensions)", convW.shape);
  const outChannels = convW.shape[transpose ? 1 : 0]!;
  if (bnRm.numel() !== outChannels || bnRv.numel() !== outChannels) {
    throw new RangeError(`${fn}: the BatchNorm has ${bnRm.numel()} features but the convolution has ${outChannels} output channels`);
  }
  return tidy(() => noGrad(() => {
    const b = optionalTensor(fn, "convB", convB) ?? zerosLike(bnRm);
    const w = optionalTensor(fn, "bnW", bnW) ?? onesLike(bnRm);
    const shift = optionalTensor(fn, "bnB", bnB) ?? zerosLike(bnRm);
    const varRsqrt = bnRv.add(bnEps).rsqrt();
    const shape = transpose ? [1, -1] : [-1, 1];
    for (let i = 2; i < convW.ndim; i++) shape.push(1);
    const fusedW = convW.mul(w.mul(varRsqrt).reshape(shape));
    const fusedB = b.sub(bnRm).mul(varRsqrt).mul(w).add(shift);
    return [Parameter(fusedW), Parameter(fusedB)] as [Tensor, Tensor];
  }));
}

/** Python: `fuse_linear_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b)`. */
export function fuseLinearBnWeights(linearW: Tensor, linearB: Tensor | null, bnRm: Tensor, bnRv: Tensor, bnEps: number,
  bnW: Tensor, bnB: Tensor): [Tensor, Tensor] {
  const fn = "nn.utils.fuseLinearBnWeights";
  for (const [name, t] of [["linearW", linearW], ["bnRm", bnRm], ["bnRv", bnRv], ["bnW", bnW], ["bnB", bnB]] as const) tensorArg(fn, name, t);
  if (typeof bnEps !== "number" || !Number.isFinite(bnEps)) throw argError(fn, "bnEps", "a finite number", bnEps);
  if (linearW.ndim !== 2) throw argError(fn, "linearW", "a Linear weight (2 dimensions)", linearW.shape);
  if (bnRm.numel() !== linearW.shape[0]) {
    throw new RangeError(`${fn}: the BatchNorm has ${bnRm.numel()} features but the Linear has ${linearW.shape[0]} outputs`);
  }
  return tidy(() => noGrad(() => {
    const b = optionalTensor(fn, "linearB", linearB) ?? zerosLike(bnRm);
    const scale = bnW.mul(bnRv.add(bnEps).rsqrt());
    const fusedW = linearW.mul(scale.unsqueeze(-1));
    const fusedB = b.sub(bnRm).mul(scale).add(bnB);
    return [Parameter(fusedW), Parameter(fusedB)] as [Tensor, Tensor];
  }));
}

/**
 * What folding `bn` into `layer` needs, checked before anything is computed (for a whole
 * fuseModules call before any change): eval mode, running statistics, matching channels, and
 * for Linear an affine BatchNorm (Python's fuse_linear_bn_weights uses its weight and bias).
 */
function checkBnPair(fn: string, layer: Conv2d | Linear, bn: BatchNorm): void {
  if (layer.training || bn.training) throw new TypeError(`${fn}: Fusion only for eval! Call model.eval() first (a training-mode BatchNorm normalizes with batch statistics)`);
  const kind = bn.constructor.name;
  if (bn.runningMean === null || bn.runningVar === null) {
    throw new TypeError(`${fn}: the ${kind} has no running statistics (trackRunningStats: false), so in eval it normalizes with batch statistics and cannot be folded`);
  }
  const out = layer instanceof Conv2d ? layer.outChannels : layer.outFeatures;
  if (bn.numFeatures !== out) throw new RangeError(`${fn}: the ${kind} has ${bn.numFeatures} features but the ${layer.constructor.name} has ${out} outputs`);
  if (layer instanceof Linear && (bn.weight === null || bn.bias === null)) throw new TypeError(`${fn}: the BatchNorm1d has no affine weight and bias (affine: false), which Python's fusion requires too`);
}

/**
 * Gives a freshly built (uninitialized) eval-mode layer the fused weight and bias. setData keeps
 * their memory format, so a channels-last weight stays channels-last.
 */
function withParameters<L extends Conv2d | Linear>(fused: L, [weight, bias]: [Tensor, Tensor]): L {
  for (const [param, value] of [[fused.weight, weight], [fused.bias!, bias]] as const) {
    native.setData(handleOf(param), handleOf(value));
    value.dispose();
  }
  fused.training = false;
  return fused;
}

/**
 * Python: `torch.nn.utils.fuse_conv_bn_eval(conv, bn)`: a new Conv2d (with a bias) equal to
 * conv followed by the eval-mode BatchNorm2d. Both inputs are left as they were.
 */
export function fuseConvBnEval(conv: Conv2d, bn: BatchNorm2d): Conv2d {
  const fn = "nn.utils.fuseConvBnEval";
  if (!(conv instanceof Conv2d)) throw argError(fn, "conv", "an nn.Conv2d", conv);
  if (!(bn instanceof BatchNorm2d)) throw argError(fn, "bn", "an nn.BatchNorm2d", bn);
  checkBnPair(fn, conv, bn);
  const fused = withoutInit(() => new Conv2d(conv.inChannels, conv.outChannels, conv.kernelSize, {
    stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: conv.groups, bias: true,
    device: conv.weight.device, dtype: conv.weight.dtype,
  }));
  return withParameters(fused, fuseConvBnWeights(conv.weight, conv.bias, bn.runningMean!, bn.runningVar!, bn.eps, bn.weight, bn.bias));
}

/** Python: `torch.nn.utils.fuse_linear_bn_eval(linear, bn)`: a new Linear equal to linear then eval-mode BatchNorm1d. */
export function fuseLinearBnEval(linear: Linear, bn: BatchNorm1d): Linear {
  const fn = "nn.utils.fuseLinearBnEval";
  if (!(linear instanceof Linear)) throw argError(fn, "linear", "an nn.Linear", linear);
  if (!(bn instanceof BatchNorm1d)) throw argError(fn, "bn", "an nn.BatchNorm1d", bn);
  checkBnPair(fn, linear, bn);
  const fused = withoutInit(() => new Linear(linear.inFeatures, linear.outFeatures, { bias: true, device: linear.weight.device, dtype: linear.weight.dtype }));
  return withParameters(fused, fuseLinearBnWeights(linear.weight, linear.bias, bn.runningMean!, bn.runningVar!, bn.eps, bn.weight!, bn.bias!));
}

/**
 * Checks one group and returns what makes its replacements (one per position), as Python's
 * fuse_known_modules. Nothing is computed until the whole call has been checked.
 */
function planGroup(fn: string, mods: Module[]): () => Module[] {
  const [a, b, c] = mods;
  const identity = () => Object.assign(new Identity(), { training: a!.training });
  if (mods.length === 2 && a instanceof Conv2d && b instanceof BatchNorm2d) {
    checkBnPair(fn, a, b);
    return () => [fuseConvBnEval(a, b), identity()];
  }
  if (mods.length === 3 && a instanceof Conv2d && b instanceof BatchNorm2d && c instanceof ReLU) {
    checkBnPair(fn, a, b);
    return () => [Object.assign(new Sequential(fuseConvBnEval(a, b), c), { training: false }), identity(), identity()];
  }
  if (mods.length === 2 && a instanceof Linear && b instanceof BatchNorm1d) {
    checkBnPair(fn, a, b);
    return () => [fuseLinearBnEval(a, b), identity()];
  }
  if (mods.length === 2 && (a instanceof Conv2d || a instanceof Linear) && b instanceof ReLU) {
    return () => [Object.assign(new Sequential(a, b), { training: a.training }), identity()];
  }
  throw new TypeError(`${fn}: cannot fuse modules (${mods.map((m) => m.constructor.name).join(", ")}); this fuses (Conv2d, BatchNorm2d), ` +
    "(Conv2d, BatchNorm2d, ReLU), (Conv2d, ReLU), (Linear, BatchNorm1d) and (Linear, ReLU)");
}

/**
 * Python: `torch.ao.quantization.fuse_modules(model, modules_to_fuse, inplace=True)` for float
 * eval models: each group of dotted names (or one group) is replaced by its fused module at
 * the first name and nn.Identity at the others. Conv+BN+ReLU and X+ReLU become a Sequential
 * (Python's ConvReLU2d/LinearReLU are Sequentials too, with the same state-dict keys).
 * Always in place: JavaScript modules cannot be deep-copied generically, so Python's default
 * `inplace=False` has no counterpart. Returns the model. The replaced layers are not disposed
 * (a reference held elsewhere stays valid, as in Python); unreachable, the GC safety net frees them.
 */
export function fuseModules<M extends Module>(model: M, modulesToFuse: string[] | string[][]): M {
  const fn = "nn.utils.fuseModules";
  if (!(model instanceof Module)) throw argError(fn, "model", "an nn.Module", model);
  if (!Array.isArray(modulesToFuse) || modulesToFuse.length === 0) throw argError(fn, "modulesToFuse", "a list of module names or a list of such lists", modulesToFuse);
  const groups = modulesToFuse.every((g) => typeof g === "string") ? [modulesToFuse as string[]] : modulesToFuse as string[][];
  for (const group of groups) {
    if (!Array.isArray(group) || group.length < 2 || !group.every((n) => typeof n === "string")) {
      throw argError(fn, "modulesToFuse", "groups of two or more dotted module names", group);
    }
  }
  // Every group is resolved and checked before any is fused, so a bad one leaves the model untouched.
  const plans = groups.map((group) => ({ group, make: planGroup(fn, group.map((name) => model.getSubmodule(name))) }));
  for (const { group, make } of plans) {
    const fused = make();
    group.forEach((name, i) => model.setSubmodule(name, fused[i]!));
  }
  return model;
}
