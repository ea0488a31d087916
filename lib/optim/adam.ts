// optim.Adam and optim.AdamW: the op sequence of PyTorch's single-tensor implementation,
// so the same gradients give the same parameters.
import { keep } from "../memory.js";
import { zerosLike, full } from "../creation.js";
import type { Tensor } from "../tensor.js";
import { checkBool, checkNumber, checkOptions, argError } from "../validate.js";
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

function adamDefaults(fn: string, options: unknown, weightDecay: number): AdamHyper {
  const o = checkOptions(fn, options);
  const lr = o.lr === undefined ? 1e-3 : checkNumber(fn, "lr", o.lr);
  if (!(lr >= 0)) throw argError(fn, "lr", "a learning rate >= 0", lr);
  const betas = (o.betas ?? [0.9, 0.999]) as number[];
  if (!Array.isArray(betas) || betas.length !== 2 || !betas.every((b) => typeof b === "number" && b >= 0 && b < 1)) {
    throw argError(fn, "betas", "a pair of numbers in [0, 1)", betas);
  }
  const eps = o.eps === undefined ? 1e-8 : checkNumber(fn, "eps", o.eps);
  if (!(eps >= 0)) throw argError(fn, "eps", "a number >= 0", eps);
  const wd = o.weightDecay === undefined ? weightDecay : checkNumber(fn, "weightDecay", o.weightDecay);
  if (!(wd >= 0)) throw argError(fn, "weightDecay", "a number >= 0", wd);
  return {
    lr, betas: [...betas], eps, weightDecay: wd,
    amsgrad: o.amsgrad === undefined ? false : checkBool(fn, "amsgrad", o.amsgrad),
    maximize: o.maximize === undefined ? false : checkBool(fn, "maximize", o.maximize),
  };
}

abstract class AdamBase extends Optimizer<AdamHyper> {
  /** AdamW decays the weights directly instead of adding weight_decay * p to the gradient. */
  protected abstract readonly decoupled: boolean;

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
