// torch.nn.functional's losses that are Python code over ATen in PyTorch 1.13, with their Python
// signatures (deprecated size_average/reduce included, in their positions) by the calling rule.
// nll_loss, cross_entropy and mse_loss are written in functional.ts.
import { TorchError } from "../errors.js";
import type { Tensor } from "../tensor/index.js";
import * as ops from "../tensor/ops.generated.js";
import * as nn from "./functional.generated.js";
import { bindArgs, bool, num, optTensor, reduce, reduction, tensor, type PyArgs, type Reduction } from "./functional_util.js";
import { checkFunction, checkIntList } from "../validate.js";

type Legacy = { sizeAverage: boolean | null; reduce: boolean | null; reduction: Reduction };
type LegacyP = [sizeAverage: boolean | null, reduce: boolean | null, reduction: Reduction];
const LEGACY = ["sizeAverage", "reduce", "reduction"];
const same = (a: Tensor, b: Tensor): boolean => a.ndim === b.ndim && a.shape.every((d, i) => d === b.shape[i]);

/** (input, target, size_average, reduce, reduction) losses whose ATen op takes broadcast operands (l1, smooth_l1). */
function pointwise(name: string, extra: string[], defaults: number[], op: (...a: never[]) => Tensor) {
  const fn = `nn.functional.${name}`;
  return (x: Tensor, target: Tensor, a: Record<string, unknown>): Tensor => {
    const r = reduction(fn, a);
    const [ei, et] = ops.broadcastTensors([tensor(fn, x), tensor(fn, target, "target")]);
    return (op as (...v: unknown[]) => Tensor)(ei, et, r.code, ...extra.map((e, i) => num(fn, e, a[e], defaults[i]!)));
  };
}

/** Python: `F.l1_loss(input, target, size_average=None, reduce=None, reduction="mean")`. */
export function l1Loss(input: Tensor, ...args: PyArgs<[target: Tensor, ...LegacyP], { target: Tensor } & Legacy>): Tensor {
  const a = bindArgs("nn.functional.l1Loss", ["target", ...LEGACY], args, 1);
  return pointwise("l1Loss", [], [], nn.l1Loss)(input, a.target as Tensor, a);
}
/** Python: `F.smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0)`. */
export function smoothL1Loss(input: Tensor, ...args: PyArgs<[target: Tensor, ...LegacyP, beta: number], { target: Tensor; beta: number } & Legacy>): Tensor {
  const a = bindArgs("nn.functional.smoothL1Loss", ["target", ...LEGACY, "beta"], args, 1);
  return pointwise("smoothL1Loss", ["beta"], [1], nn.smoothL1Loss)(input, a.target as Tensor, a);
}
/** Python: `F.huber_loss(input, target, reduction="mean", delta=1.0)`. */
export function huberLoss(input: Tensor, ...args: PyArgs<[target: Tensor, reduction: Reduction, delta: number], { target: Tensor; reduction: Reduction; delta: number }>): Tensor {
  const a = bindArgs("nn.functional.huberLoss", ["target", "reduction", "delta"], args, 1);
  return pointwise("huberLoss", ["delta"], [1], nn.huberLoss)(input, a.target as Tensor, a);
}

/** A loss over (input, target) whose ATen op takes (input, target, reduction): soft_margin, multilabel_margin. */
function simple(name: string, op: (x: Tensor, t: Tensor, r: number) => Tensor) {
  const fn = `nn.functional.${name}`;
  return (input: Tensor, ...args: PyArgs<[target: Tensor, ...LegacyP], { target: Tensor } & Legacy>): Tensor => {
    const a = bindArgs(fn, ["target", ...LEGACY], args, 1);
    return op(tensor(fn, input), tensor(fn, a.target, "target"), reduction(fn, a).code);
  };
}
/** Python: `F.soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean")`. */
export const softMarginLoss = simple("softMarginLoss", nn.softMarginLoss);
/** Python: `F.multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean")`. */
export const multilabelMarginLoss = simple("multilabelMarginLoss", nn.multilabelMarginLoss);

/** Python: `F.binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean")`. */
export function binaryCrossEntropy(input: Tensor, ...args: PyArgs<[target: Tensor, weight: Tensor | null, ...LegacyP], { target: Tensor; weight: Tensor | null } & Legacy>): Tensor {
  const fn = "nn.functional.binaryCrossEntropy";
  const a = bindArgs(fn, ["target", "weight", ...LEGACY], args, 1);
  const [x, t] = [tensor(fn, input), tensor(fn, a.target, "target")];
  const r = reduction(fn, a);
  if (!same(x, t)) throw new TorchError(`Using a target size (torch.Size([${t.shape.join(", ")}])) that is different to the input size (torch.Size([${x.shape.join(", ")}])) is deprecated. Please ensure they have the same size.`);
  const w = optTensor(fn, a.weight, "weight");
  return nn.binaryCrossEntropy(x, t, w === null ? null : w.expand(ops.broadcastTensors([t, w])[0]!.shape), r.code);
}

/** Python: `F.binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None)`. */
export function binaryCrossEntropyWithLogits(input: Tensor, ...args: PyArgs<[target: Tensor, weight: Tensor | null, ...LegacyP, posWeight: Tensor | null], { target: Tensor; weight: Tensor | null; posWeight: Tensor | null } & Legacy>): Tensor {
  const fn = "nn.functional.binaryCrossEntropyWithLogits";
  const a = bindArgs(fn, ["target", "weight", ...LEGACY, "posWeight"], args, 1);
  const [x, t] = [tensor(fn, input), tensor(fn, a.target, "target")];
  const r = reduction(fn, a);
  if (!same(x, t)) throw new TorchError(`Target size (torch.Size([${t.shape.join(", ")}])) must be the same as input size (torch.Size([${x.shape.join(", ")}]))`);
  return ops.binaryCrossEntropyWithLogits(x, t, optTensor(fn, a.weight, "weight"), optTensor(fn, a.posWeight, "posWeight"), r.code);
}

/** Python: `F.kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False)`; "batchmean" divides the sum by the batch size. */
export function klDiv(input: Tensor, ...args: PyArgs<[target: Tensor, sizeAverage: boolean | null, reduce: boolean | null, reduction: Reduction | "batchmean", logTarget: boolean],
  { target: Tensor; sizeAverage: boolean | null; reduce: boolean | null; reduction: Reduction | "batchmean"; logTarget: boolean }>): Tensor {
  const fn = "nn.functional.klDiv";
  const a = bindArgs(fn, ["target", ...LEGACY, "logTarget"], args, 1);
  const x = tensor(fn, input);
  const r = reduction(fn, a, ["batchmean"]);
  const batchmean = r.name === "batchmean";
  const out = ops.klDiv(x, tensor(fn, a.target, "target"), batchmean ? 2 : r.code, { logTarget: bool(fn, "logTarget", a.logTarget, false) });
  return batchmean && x.ndim !== 0 ? out.div(x.shape[0]!) : out;
}

/** Python: `F.poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None, reduction="mean")`. */
export function poissonNllLoss(input: Tensor, ...args: PyArgs<[target: Tensor, logInput: boolean, full: boolean, sizeAverage: boolean | null, eps: number, reduce: boolean | null, reduction: Reduction],
  { target: Tensor; logInput: boolean; full: boolean; eps: number } & Legacy>): Tensor {
  const fn = "nn.functional.poissonNllLoss";
  const a = bindArgs(fn, ["target", "logInput", "full", "sizeAverage", "eps", "reduce", "reduction"], args, 1);
  const r = reduction(fn, a);
  return ops.poissonNllLoss(tensor(fn, input), tensor(fn, a.target, "target"), bool(fn, "logInput", a.logInput, true), bool(fn, "full", a.full, false), num(fn, "eps", a.eps, 1e-8), r.code);
}

/** Python: `F.gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean")`. */
export function gaussianNllLoss(input: Tensor, ...args: PyArgs<[target: Tensor, variance: Tensor, full: boolean, eps: number, reduction: Reduction], { target: Tensor; var: Tensor; full: boolean; eps: number; reduction: Reduction }>): Tensor {
  const fn = "nn.functional.gaussianNllLoss";
  const a = bindArgs(fn, ["target", "var", "full", "eps", "reduction"], args, 2);
  const [x, t] = [tensor(fn, input), tensor(fn, a.target, "target")];
  let v = tensor(fn, a.var, "var");
  const r = reduction(fn, a);
  const eps = num(fn, "eps", a.eps, 1e-6);
  if (!same(v, x)) {
    const head = x.shape.slice(0, -1);
    if (head.length === v.ndim && head.every((d, i) => d === v.shape[i])) v = v.unsqueeze(-1);
    else if (!(head.length === v.ndim - 1 && head.every((d, i) => d === v.shape[i]) && v.shape[v.ndim - 1] === 1)) throw new TorchError("var is of incorrect size");
  }
  if (v.lt(0).any().item() === true) throw new TorchError("var has negative entry/entries");
  // Python clamps a clone in place under no_grad: the gradient flows to var as if unclamped.
  const clamped = v.clone();
  clamped.detach().clampMin_(eps);
  let loss = clamped.log().add(x.sub(t).pow(2).div(clamped)).mul(0.5);
  if (bool(fn, "full", a.full, false)) loss = loss.add(0.5 * Math.log(2 * Math.PI));
  return reduce(loss, r.name);
}

/** Python: `F.margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean")`. */
export function marginRankingLoss(input1: Tensor, ...args: PyArgs<[input2: Tensor, target: Tensor, margin: number, ...LegacyP], { input2: Tensor; target: Tensor; margin: number } & Legacy>): Tensor {
  const fn = "nn.functional.marginRankingLoss";
  const a = bindArgs(fn, ["input2", "target", "margin", ...LEGACY], args, 2);
  const [x1, x2, t] = [tensor(fn, input1, "input1"), tensor(fn, a.input2, "input2"), tensor(fn, a.target, "target")];
  const r = reduction(fn, a);
  if (x1.ndim !== x2.ndim || x1.ndim !== t.ndim) {
    throw new TorchError(`margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: torch.Size([${x1.shape.join(", ")}]), input2: torch.Size([${x2.shape.join(", ")}]), target: torch.Size([${t.shape.join(", ")}]) `);
  }
  return ops.marginRankingLoss(x1, x2, t, num(fn, "margin", a.margin, 0), r.code);
}

/** Python: `F.hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean")`. */
export function hingeEmbeddingLoss(input: Tensor, ...args: PyArgs<[target: Tensor, margin: number, ...LegacyP], { target: Tensor; margin: number } & Legacy>): Tensor {
  const fn = "nn.functional.hingeEmbeddingLoss";
  const a = bindArgs(fn, ["target", "margin", ...LEGACY], args, 1);
  const r = reduction(fn, a);
  return ops.hingeEmbeddingLoss(tensor(fn, input), tensor(fn, a.target, "target"), num(fn, "margin", a.margin, 1), r.code);
}

/** Python: `F.cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean")`. */
export function cosineEmbeddingLoss(input1: Tensor, ...args: PyArgs<[input2: Tensor, target: Tensor, margin: number, ...LegacyP], { input2: Tensor; target: Tensor; margin: number } & Legacy>): Tensor {
  const fn = "nn.functional.cosineEmbeddingLoss";
  const a = bindArgs(fn, ["input2", "target", "margin", ...LEGACY], args, 2);
  const r = reduction(fn, a);
  return ops.cosineEmbeddingLoss(tensor(fn, input1, "input1"), tensor(fn, a.input2, "input2"), tensor(fn, a.target, "target"), num(fn, "margin", a.margin, 0), r.code);
}

/** Python: `F.multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean")`. */
export function multilabelSoftMarginLoss(input: Tensor, ...args: PyArgs<[target: Tensor, weight: Tensor | null, ...LegacyP], { target: Tensor; weight: Tensor | null } & Legacy>): Tensor {
  const fn = "nn.functional.multilabelSoftMarginLoss";
  const a = bindArgs(fn, ["target", "weight", ...LEGACY], args, 1);
  const [x, t] = [tensor(fn, input), tensor(fn, a.target, "target")];
  const r = reduction(fn, a);
  let loss = t.mul(nn.logSigmoid(x)).add(ops.rsub(t, 1).mul(nn.logSigmoid(x.neg()))).neg();
  const w = optTensor(fn, a.weight, "weight");
  if (w !== null) loss = loss.mul(w);
  const classDim = x.ndim - 1;
  loss = loss.sum([classDim]).div(x.shape[classDim]!);
  return reduce(loss, r.name);
}

/** Python: `F.multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean")`. */
export function multiMarginLoss(input: Tensor, ...args: PyArgs<[target: Tensor, p: number, margin: number, weight: Tensor | null, ...LegacyP], { target: Tensor; p: number; margin: number; weight: Tensor | null } & Legacy>): Tensor {
  const fn = "nn.functional.multiMarginLoss";
  const a = bindArgs(fn, ["target", "p", "margin", "weight", ...LEGACY], args, 1);
  const r = reduction(fn, a);
  const p = num(fn, "p", a.p, 1);
  if (p !== 1 && p !== 2) throw new TorchError("only p == 1 and p == 2 supported");
  const w = optTensor(fn, a.weight, "weight");
  if (w !== null && w.ndim !== 1) throw new TorchError("weight must be one-dimensional");
  return nn.multiMarginLoss(tensor(fn, input), tensor(fn, a.target, "target"), p, num(fn, "margin", a.margin, 1), w, r.code);
}

/** Python: `F.triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None, reduce=None, reduction="mean")`. */
export function tripletMarginLoss(anchor: Tensor, ...args: PyArgs<[positive: Tensor, negative: Tensor, margin: number, p: number, eps: number, swap: boolean, ...LegacyP],
  { positive: Tensor; negative: Tensor; margin: number; p: number; eps: number; swap: boolean } & Legacy>): Tensor {
  const fn = "nn.functional.tripletMarginLoss";
  const a = bindArgs(fn, ["positive", "negative", "margin", "p", "eps", "swap", ...LEGACY], args, 2);
  const r = reduction(fn, a);
  return ops.tripletMarginLoss(tensor(fn, anchor, "anchor"), tensor(fn, a.positive, "positive"), tensor(fn, a.negative, "negative"), num(fn, "margin", a.margin, 1),
    num(fn, "p", a.p, 2), num(fn, "eps", a.eps, 1e-6), bool(fn, "swap", a.swap, false), r.code);
}

/** Python: `F.triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False, reduction="mean")`. */
export function tripletMarginWithDistanceLoss(anchor: Tensor, positive: Tensor, negative: Tensor,
  options?: { distanceFunction?: ((a: Tensor, b: Tensor) => Tensor) | null; margin?: number; swap?: boolean; reduction?: Reduction }): Tensor {
  const fn = "nn.functional.tripletMarginWithDistanceLoss";
  const a = bindArgs(fn, ["distanceFunction", "margin", "swap", "reduction"], options === undefined ? [] : [options]);
  const [x, pos, neg] = [tensor(fn, anchor, "anchor"), tensor(fn, positive, "positive"), tensor(fn, negative, "negative")];
  const dist = (a.distanceFunction === undefined || a.distanceFunction === null ? (u: Tensor, v: Tensor) => ops.pairwiseDistance(u, v) : checkFunction(fn, "distanceFunction", a.distanceFunction)) as (u: Tensor, v: Tensor) => Tensor;
  const r = reduction(fn, a);
  const dPos = dist(x, pos);
  let dNeg = dist(x, neg);
  if (bool(fn, "swap", a.swap, false)) dNeg = ops.min(dNeg, dist(pos, neg));
  return reduce(ops.clampMin(dPos.sub(dNeg).add(num(fn, "margin", a.margin, 1)), 0), r.name);
}

/** Python: `F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False)`. */
export function ctcLoss(logProbs: Tensor, ...args: PyArgs<[targets: Tensor, inputLengths: Tensor | number[], targetLengths: Tensor | number[], blank: number, reduction: Reduction, zeroInfinity: boolean],
  { targets: Tensor; inputLengths: Tensor | number[]; targetLengths: Tensor | number[]; blank: number; reduction: Reduction; zeroInfinity: boolean }>): Tensor {
  const fn = "nn.functional.ctcLoss";
  const a = bindArgs(fn, ["targets", "inputLengths", "targetLengths", "blank", "reduction", "zeroInfinity"], args, 3);
  const lengths = (arg: string) => (Array.isArray(a[arg]) ? checkIntList(fn, arg, a[arg]) : tensor(fn, a[arg], arg));
  const [il, tl] = [lengths("inputLengths"), lengths("targetLengths")];
  const r = reduction(fn, a);
  const blank = a.blank === undefined ? 0 : num(fn, "blank", a.blank, 0);
  const zi = bool(fn, "zeroInfinity", a.zeroInfinity, false);
  const lp = tensor(fn, logProbs, "logProbs");
  const t = tensor(fn, a.targets, "targets");
  // ATen's two overloads take both lengths as int lists or both as tensors.
  if (Array.isArray(il) !== Array.isArray(tl)) {
    const asList = (v: Tensor | number[]) => (Array.isArray(v) ? v : (v.tolist() as number[]).map(Number));
    return ops.ctcLoss(lp, t, asList(il), asList(tl), blank, r.code, zi);
  }
  return (ops.ctcLoss as (...v: unknown[]) => Tensor)(lp, t, il, tl, blank, r.code, zi);
}
