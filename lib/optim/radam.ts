// optim.RAdam, as PyTorch 1.13's _single_tensor_radam (its `float / tensor` is Python's
// reciprocal() * float, written so here).
import { keep, tidy } from "../memory.js";
import { zerosLike } from "../tensor/creation.js";
import type { Tensor } from "../tensor/index.js";
import type { PyArgs } from "../tensor/python_args.js";
import { pow } from "./libm.js";
import { advanceStep, bindHyper, groupKeys, scalarState, stateTensor } from "./options.js";
import { checkHyperParams, hyper, Optimizer, type HyperSpec, type ParamGroup, type ParamState, type ParamsArg, type ParamUpdate } from "./optimizer.js";

type RAdamFields = { lr: number; betas: [number, number]; eps: number; weightDecay: number; foreach: boolean | null };
/** The options object of the constructor: any of them, camelCase keys. */
export type RAdamOptions = Partial<RAdamFields>;
export type RAdamHyper = Omit<RAdamFields, "betas"> & { betas: number[] };
type RAdamP = [lr: number, betas: [number, number], eps: number, weightDecay: number, foreach: boolean | null];

const FALLBACK: RAdamHyper = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, foreach: null };
const SPEC: HyperSpec = {
  lr: hyper.number(0, "a finite learning rate >= 0"), betas: hyper.betas, eps: hyper.number(0), weightDecay: hyper.number(0), foreach: hyper.boolOrNull,
};

/** Python: `torch.optim.RAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None)`. */
export class RAdam extends Optimizer<RAdamHyper> {
  protected readonly pytorchGroupKeys = groupKeys(FALLBACK);

  constructor(params: ParamsArg<RAdamHyper>, ...args: PyArgs<RAdamP, RAdamFields>) {
    super(params, bindHyper("optim.RAdam", args, ["lr", "betas", "eps", "weightDecay", "foreach"], FALLBACK, SPEC));
  }

  protected override checkGroup(fn: string, group: Record<string, unknown>, where?: string): void {
    checkHyperParams(fn, group, SPEC, where);
  }

  protected initState(p: Tensor): ParamState {
    return new Map([["step", scalarState(0)], ["exp_avg", keep(zerosLike(p))], ["exp_avg_sq", keep(zerosLike(p))]]);
  }

  protected updateGroup(ready: readonly ParamUpdate[], group: ParamGroup<RAdamHyper>): void {
    const { lr, eps, weightDecay } = group;
    const [beta1, beta2] = group.betas as [number, number];
    for (const [param, g, state] of ready) {
      const expAvg = stateTensor("RAdam", state, "exp_avg");
      const expAvgSq = stateTensor("RAdam", state, "exp_avg_sq");
      tidy(() => {
        let grad = g;
        const step = advanceStep("RAdam", state);
        const bc1 = 1 - pow(beta1, step);
        const bc2 = 1 - pow(beta2, step);
        if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
        expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
        expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
        const corrected = expAvg.div(bc1);
        const rhoInf = 2 / (1 - beta2) - 1;
        const rhoT = rhoInf - (2 * step * pow(beta2, step)) / bc2;
        if (rhoT > 5) {
          const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
          const adaptiveLr = expAvgSq.sqrt().add_(eps).reciprocal().mul(Math.sqrt(bc2));
          param.add_(corrected.mul(lr).mul(adaptiveLr).mul(rect), { alpha: -1 });
        } else {
          param.add_(corrected.mul(lr), { alpha: -1 });
        }
      });
    }
  }
}
