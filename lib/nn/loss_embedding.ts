// The loss modules of torch/nn/modules/loss.py (1.13) over pairs and triplets of embeddings:
// CosineEmbeddingLoss, MarginRankingLoss, TripletMarginLoss, TripletMarginWithDistanceLoss.
// Base classes and the calling rule: loss.ts.
import type { Tensor } from "../tensor/index.js";
import { argError } from "../validate.js";
import * as F from "./functional.js";
import { bindArgs, bool, num, type PyArgs, type Reduction } from "./functional_util.js";
import { LEGACY, Loss, type Legacy, type LegacyP } from "./loss.js";
import { PairwiseDistance } from "./distance.js";
import { Module } from "./module.js";

type MarginArgs = PyArgs<[margin: number, ...LegacyP], Legacy & { margin: number }>;

/** CosineEmbeddingLoss and MarginRankingLoss: `margin=0.0` and the reduction. */
abstract class PairMarginLoss extends Loss {
  readonly margin: number;

  constructor(args: readonly unknown[]) {
    const fn = `nn.${new.target.name}`;
    const a = bindArgs(fn, ["margin", ...LEGACY], args, 0, []);
    super(fn, a);
    this.margin = num(fn, "margin", a.margin, 0);
  }
}

/** Python: `nn.CosineEmbeddingLoss(margin=0.0, size_average=None, reduce=None, reduction='mean')`. */
export class CosineEmbeddingLoss extends PairMarginLoss {
  constructor(...args: MarginArgs) {
    super(args);
  }

  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.cosineEmbeddingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** Python: `nn.MarginRankingLoss(margin=0.0, size_average=None, reduce=None, reduction='mean')`. */
export class MarginRankingLoss extends PairMarginLoss {
  constructor(...args: MarginArgs) {
    super(args);
  }

  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.marginRankingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

type TripletP = [margin: number, p: number, eps: number, swap: boolean, ...LegacyP];
type TripletO = Legacy & { margin: number; p: number; eps: number; swap: boolean };

/** Python: `nn.TripletMarginLoss(margin=1.0, p=2.0, eps=1e-06, swap=False, size_average=None, reduce=None, reduction='mean')`. */
export class TripletMarginLoss extends Loss {
  readonly margin: number;
  readonly p: number;
  readonly eps: number;
  readonly swap: boolean;

  constructor(...args: PyArgs<TripletP, TripletO>) {
    const fn = "nn.TripletMarginLoss";
    const a = bindArgs(fn, ["margin", "p", "eps", "swap", ...LEGACY], args, 0, []);
    super(fn, a);
    this.margin = num(fn, "margin", a.margin, 1);
    this.p = num(fn, "p", a.p, 2);
    this.eps = num(fn, "eps", a.eps, 1e-6);
    this.swap = bool(fn, "swap", a.swap, false);
  }

  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return F.tripletMarginLoss(anchor, positive, negative, { margin: this.margin, p: this.p, eps: this.eps, swap: this.swap, reduction: this.reduction });
  }
}

/** A distance between two batches of embeddings: a function or a module such as nn.PairwiseDistance. */
export type DistanceFunction = ((x1: Tensor, x2: Tensor) => Tensor) | (Module & { forward(x1: Tensor, x2: Tensor): Tensor });

/**
 * Python: `nn.TripletMarginWithDistanceLoss(*, distance_function=None, margin=1.0, swap=False,
 * reduction='mean')`. The distance (default: a PairwiseDistance()) is a child named
 * distance_function when it is a module, as Python's __setattr__ makes it (it prints, and its
 * parameters are the loss's).
 */
export class TripletMarginWithDistanceLoss extends Loss {
  readonly #distance: DistanceFunction;
  readonly margin: number;
  readonly swap: boolean;

  constructor(options?: { distanceFunction?: DistanceFunction | null; margin?: number; swap?: boolean; reduction?: Reduction }) {
    const fn = "nn.TripletMarginWithDistanceLoss";
    const a = bindArgs(fn, ["distanceFunction", "margin", "swap", "reduction"], options === undefined ? [] : [options], 0, []);
    super(fn, { reduction: a.reduction });
    const d = a.distanceFunction ?? null;
    if (d !== null && typeof d !== "function" && !(d instanceof Module)) throw argError(fn, "distanceFunction", "a function, a Module or null", d);
    // Python's default is a PairwiseDistance() module, so it is a child too.
    const dist = d === null ? new PairwiseDistance() : (d as DistanceFunction);
    this.#distance = dist instanceof Module ? this.registerModule("distance_function", dist) : dist;
    this.margin = num(fn, "margin", a.margin, 1);
    this.swap = bool(fn, "swap", a.swap, false);
  }

  /** Python: `distance_function` (a module one is the registered child). */
  get distanceFunction(): DistanceFunction {
    return (this.getAttr("distance_function") as DistanceFunction | undefined) ?? this.#distance;
  }

  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    const d = this.distanceFunction;
    // forward runs inside call()'s tidy already: the module's forward needs no scope of its own.
    const dist = d instanceof Module ? (x1: Tensor, x2: Tensor) => (d as { forward(a: Tensor, b: Tensor): Tensor }).forward(x1, x2) : d;
    return F.tripletMarginWithDistanceLoss(anchor, positive, negative, { distanceFunction: dist, margin: this.margin, swap: this.swap, reduction: this.reduction });
  }
}
