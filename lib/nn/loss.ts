// nn.CrossEntropyLoss and nn.MSELoss: modules holding a loss's options.
import type { Tensor } from "../tensor.js";
import { checkOptions } from "../validate.js";
import { crossEntropy, mseLoss, type Reduction } from "./functional.js";
import { Module } from "./module.js";

/** Python: `nn.CrossEntropyLoss(weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0)`. */
export class CrossEntropyLoss extends Module {
  readonly options: { ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number };
  readonly weight: Tensor | null;

  constructor(options?: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number }) {
    super();
    const o = checkOptions("nn.CrossEntropyLoss", options);
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
    this.reduction = checkOptions("nn.MSELoss", options).reduction as Reduction | undefined;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}
