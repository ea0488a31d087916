// optim.Adam and optim.AdamW: PyTorch 1.13's _single_tensor_adam(w) op sequences, so the
// same gradients give the same parameters bit for bit. `foreach` is kept as PyTorch keeps it
// (in param_groups, round-tripped through state dicts); on the CPU PyTorch's foreach path is
// the same arithmetic kernel by kernel, so both run the sequence below.
import { tidy } from "../memory.js";
import { zerosLike } from "../tensor/creation.js";
import { maximum } from "../tensor/functions.js";
import type { Tensor } from "../tensor/index.js";
import type { PyArgs } from "../tensor/python_args.js";
import { pow } from "./libm.js";
import { advanceStep, bindHyper, scalarState, stateTensor } from "./options.js";
import { checkHyperParams, hyper, Optimizer, type HyperSpec, type ParamGroup, type ParamState, type ParamsArg, type ParamUpdate, type Hyper } from "./optimizer.js";
import { keep } from "../memory.js";

interface AdamFields {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  /** Python's `foreach` (kept in param_groups; the update is the single-tensor sequence). */
  foreach: boolean | null;
  /** Accepted only false: torch-ts does not capture optimizer steps in CUDA graphs. */
  capturable: boolean;
  differentiable: boolean;
  fused: boolean;
}
/** The options object of the constructor: any of them, camelCase keys. */
export type AdamOptions = Partial<AdamFields>;
export type AdamP = [lr: number, betas: [number, number], eps: number, weightDecay: number, amsgrad: boolean];
export type AdamHyper = { lr: number; betas: number[]; eps: number; weightDecay: number; amsgrad: boolean; maximize: boolean; foreach: boolean | null };

/**
 * Adam's hyper-parameters checked as PyTorch's Adam.__init__ checks them (`not 0.0 <= lr`
 * refuses NaN too), and finite besides: an infinite lr or eps turns every weight to NaN.
 */
export const ADAM_SPEC: HyperSpec = {
  lr: hyper.number(0, "a finite learning rate >= 0"),
  betas: hyper.betas,
  eps: hyper.number(0),
  weightDecay: hyper.number(0),
  amsgrad: hyper.bool,
  maximize: hyper.bool,
  foreach: hyper.boolOrNull,
};
const POSITIONAL = ["lr", "betas", "eps", "weightDecay", "amsgrad"];
const EXTRA = ["capturable", "differentiable", "fused"];

abstract class AdamBase extends Optimizer<AdamHyper> {
  /** AdamW decays the weights directly instead of adding weight_decay * p to the gradient. */
  protected abstract readonly decoupled: boolean;

  protected override checkGroup(fn: string, group: Record<string, unknown>, where?: string): void {
    checkHyperParams(fn, group, ADAM_SPEC, where);
  }

  protected initState(p: Tensor, group: ParamGroup<AdamHyper>): ParamState {
    // step is a float32 0-dim tensor, as PyTorch keeps it (state dicts carry tensor(n.)).
    const s: ParamState = new Map([["step", scalarState(0)], ["exp_avg", keep(zerosLike(p))], ["exp_avg_sq", keep(zerosLike(p))]]);
    if (group.amsgrad) s.set("max_exp_avg_sq", keep(zerosLike(p)));
    return s;
  }

  protected updateGroup(ready: readonly ParamUpdate[], group: ParamGroup<AdamHyper>): void {
    const fn = this.constructor.name;
    const { lr, eps, weightDecay, amsgrad, maximize } = group;
    const [beta1, beta2] = group.betas as [number, number];
    for (const [param, g, state] of ready) {
      const expAvg = stateTensor(fn, state, "exp_avg");
      const expAvgSq = stateTensor(fn, state, "exp_avg_sq");
      const maxSq = amsgrad ? stateTensor(fn, state, "max_exp_avg_sq", " (amsgrad was off when this state was made)") : null;
      tidy(() => {
        let grad = maximize ? g.neg() : g;
        const step = advanceStep(fn, state);
        if (this.decoupled) param.mul_(1 - lr * weightDecay);
        else if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
        expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
        expAvgSq.mul_(beta2).addcmul_(grad, this.decoupled ? grad : grad.conj(), { value: 1 - beta2 });
        const stepSize = lr / (1 - pow(beta1, step));
        const bc2Sqrt = Math.sqrt(1 - pow(beta2, step));
        let denom: Tensor;
        if (maxSq !== null) {
          maxSq.copy_(maximum(maxSq, expAvgSq));
          denom = maxSq.sqrt().div(bc2Sqrt).add_(eps);
        } else {
          denom = expAvgSq.sqrt().div(bc2Sqrt).add_(eps);
        }
        param.addcdiv_(expAvg, denom, { value: -stepSize });
      });
    }
  }
}

/** Python: `torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *, foreach=None, maximize=False, capturable=False, differentiable=False, fused=False)`. */
export class Adam extends AdamBase {
  protected readonly decoupled = false;
  protected readonly pytorchGroupKeys: [string, Hyper][] = [
    ["lr", null], ["betas", null], ["eps", null], ["weight_decay", null], ["amsgrad", null], ["maximize", null],
    ["foreach", null], ["capturable", false], ["differentiable", false], ["fused", false],
  ];

  constructor(params: ParamsArg<AdamHyper>, ...args: PyArgs<AdamP, AdamFields>) {
    super(params, bindHyper("optim.Adam", args, POSITIONAL,
      { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, foreach: null } as AdamHyper, ADAM_SPEC, EXTRA));
  }
}

/** Python: `torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *, maximize=False, foreach=None, capturable=False)`. */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  protected readonly pytorchGroupKeys: [string, Hyper][] = [
    ["lr", null], ["betas", null], ["eps", null], ["weight_decay", null], ["amsgrad", null],
    ["foreach", null], ["maximize", null], ["capturable", false],
  ];

  constructor(params: ParamsArg<AdamHyper>, ...args: PyArgs<AdamP, Omit<AdamFields, "differentiable" | "fused">>) {
    super(params, bindHyper("optim.AdamW", args, POSITIONAL,
      { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, foreach: null, maximize: false } as AdamHyper, ADAM_SPEC, ["capturable"]));
  }
}
