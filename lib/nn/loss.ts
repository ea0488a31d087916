// nn.CrossEntropyLoss and nn.MSELoss: modules holding a loss's options.
import { Tensor } from "../tensor/index.js";
import { argError, checkInt, checkNumberIn, checkOptions } from "../validate.js";
import { crossEntropy, mseLoss, reductionCode, type Reduction } from "./functional.js";
import { Module } from "./module.js";

/** Python: `nn.CrossEntropyLoss(weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0)`. */
export class CrossEntropyLoss extends Module {
  readonly options: { ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number };
  readonly weight: Tensor | null;

  constructor(options?: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number }) {
    super();
    const fn = "nn.CrossEntropyLoss";
    const o = checkOptions(fn, options, ["weight", "ignoreIndex", "reduction", "labelSmoothing"]);
    // Checked here, as the constructor's arguments, rather than at the first forward.
    if (o.weight !== undefined && o.weight !== null && !(o.weight instanceof Tensor)) throw argError(fn, "weight", "a Tensor of class weights or null", o.weight);
    reductionCode(fn, o.reduction);
    if (o.ignoreIndex !== undefined) checkInt(fn, "ignoreIndex", o.ignoreIndex);
    if (o.labelSmoothing !== undefined) checkNumberIn(fn, "labelSmoothing", o.labelSmoothing, 0, 1);
    // The class weight is a buffer in PyTorch, so it follows module.to().
    this.weight = this.registerBuffer("weight", (o.weight as Tensor | null | undefined) ?? null);
    this.options = { ignoreIndex: o.ignoreIndex as number | undefined, reduction: o.reduction as Reduction | undefined, labelSmoothing: o.labelSmoothing as number | undefined };
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, { ...this.options, weight: this.weight });
  }
}

/** Python: `nn.MSELoss(reduction="mean")`. */
export class MSELoss extends Module {
  readonly reduction: Reduction | undefined;

  constructor(options?: { reduction?: Reduction }) {
    super();
    this.reduction = checkOptions("nn.MSELoss", options, ["reduction"]).reduction as Reduction | undefined;
    reductionCode("nn.MSELoss", this.reduction);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}
