// torch/nn/modules/distance.py (1.13): PairwiseDistance and CosineSimilarity over their
// torch.nn.functional twins.
import type { Tensor } from "../tensor/index.js";
import { tensorArg } from "../tensor/index.js";
import * as F from "./functional.js";
import { bindArgs, bool, int, num, type PyArgs } from "./functional_util.js";
import { Module } from "./module.js";

/** Python: `nn.PairwiseDistance(p=2.0, eps=1e-06, keepdim=False)`: the p-norm of x1 - x2 + eps over the last dim. */
export class PairwiseDistance extends Module {
  /** Python keeps p as `self.norm`. */
  readonly norm: number;
  readonly eps: number;
  readonly keepdim: boolean;

  constructor(...args: PyArgs<[p: number, eps: number, keepdim: boolean], { p: number; eps: number; keepdim: boolean }>) {
    super();
    const fn = "nn.PairwiseDistance";
    const a = bindArgs(fn, ["p", "eps", "keepdim"], args, 0, []);
    this.norm = num(fn, "p", a.p, 2);
    this.eps = num(fn, "eps", a.eps, 1e-6);
    this.keepdim = bool(fn, "keepdim", a.keepdim, false);
  }

  forward(x1: Tensor, x2: Tensor): Tensor {
    tensorArg("nn.PairwiseDistance", "x1", x1);
    tensorArg("nn.PairwiseDistance", "x2", x2);
    return F.pairwiseDistance(x1, x2, this.norm, this.eps, this.keepdim);
  }
}

/** Python: `nn.CosineSimilarity(dim=1, eps=1e-08)`. */
export class CosineSimilarity extends Module {
  readonly dim: number;
  readonly eps: number;

  constructor(...args: PyArgs<[dim: number, eps: number], { dim: number; eps: number }>) {
    super();
    const fn = "nn.CosineSimilarity";
    const a = bindArgs(fn, ["dim", "eps"], args, 0, []);
    this.dim = int(fn, "dim", a.dim, 1);
    this.eps = num(fn, "eps", a.eps, 1e-8);
  }

  forward(x1: Tensor, x2: Tensor): Tensor {
    tensorArg("nn.CosineSimilarity", "x1", x1);
    tensorArg("nn.CosineSimilarity", "x2", x2);
    return F.cosineSimilarity(x1, x2, this.dim, this.eps);
  }
}
