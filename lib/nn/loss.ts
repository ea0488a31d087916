// The loss modules of torch/nn/modules/loss.py (1.13) that compare a prediction with a target
// value: L1, MSE, SmoothL1, Huber, SoftMargin, KLDiv, PoissonNLL, GaussianNLL, BCE,
// BCEWithLogits, and CrossEntropyLoss; the base classes every loss module shares. Class-index losses are in
// loss_classification.ts, embedding/ranking losses in loss_embedding.ts. Constructors follow
// Python's positional order (deprecated size_average/reduce included, read as Python's
// _Reduction.legacy_get_string) or one trailing options object; the reduction is checked there.
import { Tensor } from "../tensor/index.js";
import * as F from "./functional.js";
import { argError, checkInt, checkNumberIn } from "../validate.js";
import { bindArgs, bool, num, optTensor, reduction, type PyArgs, type Reduction } from "./functional_util.js";
import { Module } from "./module.js";

export type LegacyP = [sizeAverage: boolean | null, reduce: boolean | null, reduction: Reduction];
export type Legacy = { sizeAverage: boolean | null; reduce: boolean | null; reduction: Reduction };
export const LEGACY = ["sizeAverage", "reduce", "reduction"] as const;

/** Python's `_Loss`: holds the reduction (from the deprecated pair when either is given). */
export abstract class Loss extends Module {
  readonly reduction: Reduction;

  constructor(fn: string, a: Record<string, unknown>) {
    super();
    this.reduction = reduction(fn, a).name as Reduction;
  }
}

/** Python's `_WeightedLoss`: a `weight` buffer too (None allowed), so it follows module.to(). */
export abstract class WeightedLoss extends Loss {
  readonly weight: Tensor | null;

  constructor(fn: string, a: Record<string, unknown>, what = "a Tensor of class weights or null") {
    super(fn, a);
    const w = a.weight ?? null;
    if (w !== null && !(w instanceof Tensor)) throw argError(fn, "weight", what, w);
    this.weight = this.registerBuffer("weight", w);
  }
}

type LegacyArgs = PyArgs<LegacyP, Legacy>;
export type NllP = [weight: Tensor | null, sizeAverage: boolean | null, ignoreIndex: number, reduce: boolean | null, reduction: Reduction];
export type NllO = Legacy & { weight: Tensor | null; ignoreIndex: number };
export const NLL = ["weight", "sizeAverage", "ignoreIndex", "reduce", "reduction"] as const;
const bindLoss = (cls: string, names: readonly string[], args: readonly unknown[]) => bindArgs(`nn.${cls}`, names, args, 0, []);

/** Python: `nn.L1Loss(size_average=None, reduce=None, reduction='mean')`. */
export class L1Loss extends Loss {
  constructor(...args: LegacyArgs) {
    super("nn.L1Loss", bindLoss("L1Loss", LEGACY, args));
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Python: `nn.MSELoss(size_average=None, reduce=None, reduction='mean')`. */
export class MSELoss extends Loss {
  constructor(...args: LegacyArgs) {
    super("nn.MSELoss", bindLoss("MSELoss", LEGACY, args));
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Python: `nn.SoftMarginLoss(size_average=None, reduce=None, reduction='mean')`. */
export class SoftMarginLoss extends Loss {
  constructor(...args: LegacyArgs) {
    super("nn.SoftMarginLoss", bindLoss("SoftMarginLoss", LEGACY, args));
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.softMarginLoss(input, target, { reduction: this.reduction });
  }
}

/** Python: `nn.SmoothL1Loss(size_average=None, reduce=None, reduction='mean', beta=1.0)`. */
export class SmoothL1Loss extends Loss {
  readonly beta: number;

  constructor(...args: PyArgs<[...LegacyP, beta: number], Legacy & { beta: number }>) {
    const a = bindLoss("SmoothL1Loss", [...LEGACY, "beta"], args);
    super("nn.SmoothL1Loss", a);
    this.beta = num("nn.SmoothL1Loss", "beta", a.beta, 1);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Python: `nn.HuberLoss(reduction='mean', delta=1.0)`. */
export class HuberLoss extends Loss {
  readonly delta: number;

  constructor(...args: PyArgs<[reduction: Reduction, delta: number], { reduction: Reduction; delta: number }>) {
    const a = bindLoss("HuberLoss", ["reduction", "delta"], args);
    super("nn.HuberLoss", a);
    this.delta = num("nn.HuberLoss", "delta", a.delta, 1);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Python: `nn.KLDivLoss(size_average=None, reduce=None, reduction='mean', log_target=False)`; reduction may be "batchmean". */
export class KLDivLoss extends Module {
  readonly reduction: Reduction | "batchmean";
  readonly logTarget: boolean;

  constructor(...args: PyArgs<[sizeAverage: boolean | null, reduce: boolean | null, reduction: Reduction | "batchmean", logTarget: boolean],
    { sizeAverage: boolean | null; reduce: boolean | null; reduction: Reduction | "batchmean"; logTarget: boolean }>) {
    super();
    const fn = "nn.KLDivLoss";
    const a = bindLoss("KLDivLoss", [...LEGACY, "logTarget"], args);
    this.reduction = reduction(fn, a, ["batchmean"]).name as Reduction | "batchmean";
    this.logTarget = bool(fn, "logTarget", a.logTarget, false);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

type PoissonP = [logInput: boolean, full: boolean, sizeAverage: boolean | null, eps: number, reduce: boolean | null, reduction: Reduction];

/** Python: `nn.PoissonNLLLoss(log_input=True, full=False, size_average=None, eps=1e-08, reduce=None, reduction='mean')`. */
export class PoissonNLLLoss extends Loss {
  readonly logInput: boolean;
  readonly full: boolean;
  readonly eps: number;

  constructor(...args: PyArgs<PoissonP, Legacy & { logInput: boolean; full: boolean; eps: number }>) {
    const fn = "nn.PoissonNLLLoss";
    const a = bindLoss("PoissonNLLLoss", ["logInput", "full", "sizeAverage", "eps", "reduce", "reduction"], args);
    super(fn, a);
    this.logInput = bool(fn, "logInput", a.logInput, true);
    this.full = bool(fn, "full", a.full, false);
    this.eps = num(fn, "eps", a.eps, 1e-8);
  }

  forward(logInput: Tensor, target: Tensor): Tensor {
    return F.poissonNllLoss(logInput, target, { logInput: this.logInput, full: this.full, eps: this.eps, reduction: this.reduction });
  }
}

/** Python: `nn.GaussianNLLLoss(*, full=False, eps=1e-06, reduction='mean')`; forward(input, target, var). */
export class GaussianNLLLoss extends Loss {
  readonly full: boolean;
  readonly eps: number;

  constructor(options?: { full?: boolean; eps?: number; reduction?: Reduction }) {
    const fn = "nn.GaussianNLLLoss";
    const a = bindLoss("GaussianNLLLoss", ["full", "eps", "reduction"], options === undefined ? [] : [options]);
    super(fn, { reduction: a.reduction });
    this.full = bool(fn, "full", a.full, false);
    this.eps = num(fn, "eps", a.eps, 1e-6);
  }

  forward(input: Tensor, target: Tensor, variance: Tensor): Tensor {
    return F.gaussianNllLoss(input, target, variance, { full: this.full, eps: this.eps, reduction: this.reduction });
  }
}

type WeightedP = [weight: Tensor | null, ...LegacyP];
type WeightedO = Legacy & { weight: Tensor | null };

/** Python: `nn.BCELoss(weight=None, size_average=None, reduce=None, reduction='mean')`. */
export class BCELoss extends WeightedLoss {
  constructor(...args: PyArgs<WeightedP, WeightedO>) {
    super("nn.BCELoss", bindLoss("BCELoss", ["weight", ...LEGACY], args), "a Tensor of element weights or null");
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Python: `nn.BCEWithLogitsLoss(weight=None, size_average=None, reduce=None, reduction='mean', pos_weight=None)`. */
export class BCEWithLogitsLoss extends Loss {
  readonly weight: Tensor | null;
  readonly posWeight: Tensor | null;

  constructor(...args: PyArgs<[...WeightedP, posWeight: Tensor | null], WeightedO & { posWeight: Tensor | null }>) {
    const fn = "nn.BCEWithLogitsLoss";
    const a = bindLoss("BCEWithLogitsLoss", ["weight", ...LEGACY, "posWeight"], args);
    super(fn, a);
    this.weight = this.registerBuffer("weight", optTensor(fn, a.weight, "weight"));
    this.posWeight = this.registerBuffer("pos_weight", optTensor(fn, a.posWeight, "posWeight"));
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}

/**
 * Python: `nn.CrossEntropyLoss(weight=None, size_average=None, ignore_index=-100, reduce=None,
 * reduction='mean', label_smoothing=0.0)`; targets are class indices (int64) or probabilities.
 */
export class CrossEntropyLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;

  constructor(...args: PyArgs<[...NllP, labelSmoothing: number], NllO & { labelSmoothing: number }>) {
    const fn = "nn.CrossEntropyLoss";
    const a = bindLoss("CrossEntropyLoss", [...NLL, "labelSmoothing"], args);
    super(fn, a);
    this.ignoreIndex = a.ignoreIndex === undefined ? -100 : checkInt(fn, "ignoreIndex", a.ignoreIndex);
    this.labelSmoothing = a.labelSmoothing === undefined ? 0 : checkNumberIn(fn, "labelSmoothing", a.labelSmoothing, 0, 1);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing });
  }
}
