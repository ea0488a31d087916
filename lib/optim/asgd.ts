// optim.ASGD (averaged SGD), as PyTorch 1.13's _single_tensor_asgd: eta and mu are float32
// 0-dim tensors read back with item(), so their float32 rounding is PyTorch's.
import { keep, tidy } from "../memory.js";
import { zerosLike } from "../tensor/creation.js";
import type { Tensor } from "../tensor/index.js";
import type { PyArgs } from "../tensor/python_args.js";
import { pow } from "./libm.js";
import { advanceStep, bindHyper, groupKeys, scalarState, stateTensor } from "./options.js";
import { checkHyperParams, hyper, Optimizer, type HyperSpec, type ParamGroup, type ParamState, type ParamsArg, type ParamUpdate } from "./optimizer.js";

type ASGDFields = { lr: number; lambd: number; alpha: number; t0: number; weightDecay: number; foreach: boolean | null; maximize: boolean };
/** The options object of the constructor: any of them, camelCase keys. */
export type ASGDOptions = Partial<ASGDFields>;
export type ASGDHyper = ASGDFields;
type ASGDP = [lr: number, lambd: number, alpha: number, t0: number, weightDecay: number, foreach: boolean | null, maximize: boolean];

const FALLBACK: ASGDHyper = { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, foreach: null, maximize: false };
const SPEC: HyperSpec = {
  lr: hyper.number(0, "a finite learning rate >= 0"), lambd: hyper.number(), alpha: hyper.number(), t0: hyper.number(),
  weightDecay: hyper.number(0), foreach: hyper.boolOrNull, maximize: hyper.bool,
};

/** Python: `torch.optim.ASGD(params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None, maximize=False)`. */
export class ASGD extends Optimizer<ASGDHyper> {
  protected readonly pytorchGroupKeys = groupKeys(FALLBACK);

  constructor(params: ParamsArg<ASGDHyper>, ...args: PyArgs<ASGDP, ASGDFields>) {
    super(params, bindHyper("optim.ASGD", args, ["lr", "lambd", "alpha", "t0", "weightDecay", "foreach", "maximize"], FALLBACK, SPEC));
  }

  protected override checkGroup(fn: string, group: Record<string, unknown>, where?: string): void {
    checkHyperParams(fn, group, SPEC, where);
  }

  protected initState(p: Tensor, group: ParamGroup<ASGDHyper>): ParamState {
    return new Map([["step", scalarState(0)], ["eta", scalarState(group.lr)], ["mu", scalarState(1)], ["ax", keep(zerosLike(p))]]);
  }

  protected updateGroup(ready: readonly ParamUpdate[], group: ParamGroup<ASGDHyper>): void {
    const fn = "ASGD";
    const { lr, lambd, alpha, t0, weightDecay, maximize } = group;
    for (const [param, g, state] of ready) {
      const mu = stateTensor(fn, state, "mu");
      const ax = stateTensor(fn, state, "ax");
      const eta = stateTensor(fn, state, "eta");
      tidy(() => {
        let grad = maximize ? g.neg() : g;
        const step = advanceStep(fn, state);
        if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
        const etaV = eta.item();
        param.mul_(1 - lambd * etaV);
        param.add_(grad, { alpha: -etaV });
        if (mu.item() !== 1) ax.add_(param.sub(ax).mul(mu));
        else ax.copy_(param);
        eta.fill_(lr / pow(1 + lambd * lr * step, alpha));
        mu.fill_(1 / Math.max(1, step - t0));
      });
    }
  }
}
