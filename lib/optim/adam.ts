// optim.Adam and optim.AdamW: the op sequence of PyTorch's single-tensor implementation,
// so the same gradients give the same parameters.
import { keep } from "../memory.js";
import { zerosLike, full } from "../creation.js";
import type { Tensor } from "../tensor.js";
import { argError, checkBool, checkNumberIn, checkOptions } from "../validate.js";
import { Optimizer, type ParamGroup, type ParamState, type ParamsArg, type Hyper } from "./optimizer.js";

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}
type AdamHyper = { lr: number; betas: number[]; eps: number; weightDecay: number; amsgrad: boolean; maximize: boolean };

const ADAM_OPTIONS = ["lr", "betas", "eps", "weightDecay", "amsgrad", "maximize"] as const;
const FINITE = Number.MAX_VALUE;

/**
 * Adam's hyper-parameters checked as PyTorch's Adam.__init__ checks them (`not 0.0 <= lr`
 * refuses NaN too), and finite besides: an infinite lr or eps turns every weight to NaN.
 */
function adamHyper(fn: string, o: Record<string, unknown>, fallback: AdamHyper): AdamHyper {
  const lr = o.lr === undefined ? fallback.lr : checkNumberIn(fn, "lr", o.lr, 0, FINITE, "a finite learning rate >= 0");
  const betas = (o.betas ?? fallback.betas) as number[];
  if (!Array.isArray(betas) || betas.length !== 2 || !betas.every((b) => typeof b === "number" && b >= 0 && b < 1)) {
    throw argError(fn, "betas", "a pair of numbers in [0, 1)", betas);
  }
  return {
    lr, betas: [...betas],
    eps: o.eps === undefined ? fallback.eps : checkNumberIn(fn, "eps", o.eps, 0, FINITE),
    weightDecay: o.weightDecay === undefined ? fallback.weightDecay : checkNumberIn(fn, "weightDecay", o.weightDecay, 0, FINITE),
    amsgrad: o.amsgrad === undefined ? fallback.amsgrad : checkBool(fn, "amsgrad", o.amsgrad),
    maximize: o.maximize === undefined ? fallback.maximize : checkBool(fn, "maximize", o.maximize),
  };
}

function adamDefaults(fn: string, options: unknown, weightDecay: number): AdamHyper {
  const fallback = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay, amsgrad: false, maximize: false };
  return adamHyper(fn, checkOptions(fn, options, ADAM_OPTIONS), fallback);
}

abstract class AdamBase extends Optimizer<AdamHyper> {
  /** AdamW decays the weights directly instead of adding weight_decay * p to the gradient. */
  protected abstract readonly decoupled: boolean;

  protected override checkGroup(fn: string, group: Record<string, unknown>): void {
    adamHyper(fn, group, group as unknown as AdamHyper);
  }

  protected initState(p: Tensor, group: ParamGroup<AdamHyper>): ParamState {
    // step is a float32 0-dim tensor, as PyTorch keeps it (state dicts carry tensor(n.)).
    const s: ParamState = new Map<string, Tensor | number | null>([
      ["step", keep(full([], 0, { dtype: "float32" }))],
      ["exp_avg", keep(zerosLike(p))],
      ["exp_avg_sq", keep(zerosLike(p))],
    ]);
    if (group.amsgrad) s.set("max_exp_avg_sq", keep(zerosLike(p)));
    return s;
  }

  protected update(p: Tensor, gradIn: Tensor, state: ParamState, group: ParamGroup<AdamHyper>): void {
    const { lr, eps, weightDecay, amsgrad, maximize } = group;
    const [beta1, beta2] = group.betas as [number, number];
    const stepT = state.get("step") as Tensor;
    const expAvg = state.get("exp_avg") as Tensor;
    const expAvgSq = state.get("exp_avg_sq") as Tensor;
    let grad = maximize ? gradIn.neg() : gradIn;
    stepT.add_(1);
    if (this.decoupled) p.mul_(1 - lr * weightDecay);
    else if (weightDecay !== 0) grad = grad.add(p, { alpha: weightDecay });
    expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
    expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
    const step = Number(stepT.item());
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
    const stepSize = lr / biasCorrection1;
    let second = expAvgSq;
    if (amsgrad) {
      const maxSq = state.get("max_exp_avg_sq") as Tensor;
      maxSq.copy_(maxSq.maximum(expAvgSq)); // torch.maximum(max_sq, exp_avg_sq, out=max_sq)
      second = maxSq;
    }
    const denom = second.sqrt().div_(biasCorrection2Sqrt).add_(eps);
    p.addcdiv_(expAvg, denom, { value: -stepSize });
  }
}

/** Python: `torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, maximize=False)`. */
export class Adam extends AdamBase {
  protected readonly decoupled = false;
  protected readonly pytorchGroupKeys: [string, Hyper][] = [
    ["lr", null], ["betas", null], ["eps", null], ["weight_decay", null], ["amsgrad", null], ["maximize", null],
    ["foreach", null], ["capturable", false], ["differentiable", false], ["fused", false],
  ];

  constructor(params: ParamsArg<AdamHyper>, options?: AdamOptions) {
    super(params, adamDefaults("optim.Adam", options, 0));
  }
}

/** Python: `torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False)`. */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  protected readonly pytorchGroupKeys: [string, Hyper][] = [
    ["lr", null], ["betas", null], ["eps", null], ["weight_decay", null], ["amsgrad", null],
    ["foreach", null], ["maximize", null], ["capturable", false],
  ];

  constructor(params: ParamsArg<AdamHyper>, options?: AdamOptions) {
    super(params, adamDefaults("optim.AdamW", options, 1e-2));
  }
}
