// The loss modules of torch/nn/modules/loss.py (1.13) over class scores: NLLLoss (and its
// deprecated NLLLoss2d), MultiLabelMarginLoss, MultiLabelSoftMarginLoss,
// MultiMarginLoss, HingeEmbeddingLoss, CTCLoss. Base classes, the calling rule and CrossEntropyLoss: loss.ts.
import type { Tensor } from "../tensor/index.js";
import { argError, checkInt } from "../validate.js";
import * as F from "./functional.js";
import { bindArgs, bool, int, num, type PyArgs, type Reduction } from "./functional_util.js";
import { LEGACY, Loss, NLL, WeightedLoss, type Legacy, type LegacyP, type NllO, type NllP } from "./loss.js";

const bindLoss = (cls: string, names: readonly string[], args: readonly unknown[]) => bindArgs(`nn.${cls}`, names, args, 0, []);


/** Python: `nn.NLLLoss(weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean')`. */
export class NLLLoss extends WeightedLoss {
  readonly ignoreIndex: number;

  constructor(...args: PyArgs<NllP, NllO>) {
    const fn = `nn.${new.target.name}`;
    const a = bindArgs(fn, NLL, args, 0, []);
    super(fn, a);
    this.ignoreIndex = a.ignoreIndex === undefined ? -100 : checkInt(fn, "ignoreIndex", a.ignoreIndex);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Python: `nn.NLLLoss2d(...)`, deprecated there in favour of NLLLoss (which takes (N, C, H, W) as well). */
export class NLLLoss2d extends NLLLoss {}

/** Python: `nn.MultiLabelMarginLoss(size_average=None, reduce=None, reduction='mean')`; target: int64 class indices, -1 ends them. */
export class MultiLabelMarginLoss extends Loss {
  constructor(...args: PyArgs<LegacyP, Legacy>) {
    super("nn.MultiLabelMarginLoss", bindLoss("MultiLabelMarginLoss", LEGACY, args));
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.multilabelMarginLoss(input, target, { reduction: this.reduction });
  }
}

/** Python: `nn.MultiLabelSoftMarginLoss(weight=None, size_average=None, reduce=None, reduction='mean')`. */
export class MultiLabelSoftMarginLoss extends WeightedLoss {
  constructor(...args: PyArgs<[weight: Tensor | null, ...LegacyP], Legacy & { weight: Tensor | null }>) {
    super("nn.MultiLabelSoftMarginLoss", bindLoss("MultiLabelSoftMarginLoss", ["weight", ...LEGACY], args));
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.multilabelSoftMarginLoss(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Python: `nn.MultiMarginLoss(p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction='mean')`. */
export class MultiMarginLoss extends WeightedLoss {
  readonly p: 1 | 2;
  readonly margin: number;

  constructor(...args: PyArgs<[p: 1 | 2, margin: number, weight: Tensor | null, ...LegacyP], Legacy & { p: 1 | 2; margin: number; weight: Tensor | null }>) {
    const fn = "nn.MultiMarginLoss";
    const a = bindLoss("MultiMarginLoss", ["p", "margin", "weight", ...LEGACY], args);
    // Python checks p before anything else (a ValueError in its constructor).
    const p = int(fn, "p", a.p, 1);
    if (p !== 1 && p !== 2) throw argError(fn, "p", "1 or 2 (only p == 1 and p == 2 supported)", p);
    super(fn, a);
    this.p = p;
    this.margin = num(fn, "margin", a.margin, 1);
    if (this.weight !== null && this.weight.ndim !== 1) throw argError(fn, "weight", "a 1-D tensor", this.weight);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.multiMarginLoss(input, target, { p: this.p, margin: this.margin, weight: this.weight, reduction: this.reduction });
  }
}

/** Python: `nn.HingeEmbeddingLoss(margin=1.0, size_average=None, reduce=None, reduction='mean')`. */
export class HingeEmbeddingLoss extends Loss {
  readonly margin: number;

  constructor(...args: PyArgs<[margin: number, ...LegacyP], Legacy & { margin: number }>) {
    const a = bindLoss("HingeEmbeddingLoss", ["margin", ...LEGACY], args);
    super("nn.HingeEmbeddingLoss", a);
    this.margin = num("nn.HingeEmbeddingLoss", "margin", a.margin, 1);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.hingeEmbeddingLoss(input, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** Python: `nn.CTCLoss(blank=0, reduction='mean', zero_infinity=False)`; forward(log_probs, targets, input_lengths, target_lengths). */
export class CTCLoss extends Loss {
  readonly blank: number;
  readonly zeroInfinity: boolean;

  constructor(...args: PyArgs<[blank: number, reduction: Reduction, zeroInfinity: boolean], { blank: number; reduction: Reduction; zeroInfinity: boolean }>) {
    const fn = "nn.CTCLoss";
    const a = bindLoss("CTCLoss", ["blank", "reduction", "zeroInfinity"], args);
    super(fn, { reduction: a.reduction });
    this.blank = a.blank === undefined ? 0 : checkInt(fn, "blank", a.blank);
    if (this.blank < 0) throw argError(fn, "blank", "a non-negative class index", this.blank);
    this.zeroInfinity = bool(fn, "zeroInfinity", a.zeroInfinity, false);
  }

  forward(logProbs: Tensor, targets: Tensor, inputLengths: Tensor | number[], targetLengths: Tensor | number[]): Tensor {
    return F.ctcLoss(logProbs, targets, inputLengths, targetLengths, this.blank, this.reduction, this.zeroInfinity);
  }
}
