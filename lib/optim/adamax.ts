// optim.Adamax, as PyTorch 1.13's _single_tensor_adamax (the infinity norm by cat + amax).
import { keep, tidy } from "../memory.js";
import { zerosLike } from "../tensor/creation.js";
import { cat } from "../tensor/functions.js";
import type { Tensor } from "../tensor/index.js";
import type { PyArgs } from "../tensor/python_args.js";
import { pow } from "./libm.js";
import { advanceStep, bindHyper, groupKeys, scalarState, stateTensor } from "./options.js";
import { checkHyperParams, hyper, Optimizer, type HyperSpec, type ParamGroup, type ParamState, type ParamsArg, type ParamUpdate } from "./optimizer.js";

type AdamaxFields = { lr: number; betas: [number, number]; eps: number; weightDecay: number; foreach: boolean | null; maximize: boolean };
/** The options object of the constructor: any of them, camelCase keys. */
export type AdamaxOptions = Partial<AdamaxFields>;
export type AdamaxHyper = Omit<AdamaxFields, "betas"> & { betas: number[] };
type AdamaxP = [lr: number, betas: [number, number], eps: number, weightDecay: number, foreach: boolean | null];

const FALLBACK: AdamaxHyper = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, foreach: null, maximize: false };
const SPEC: HyperSpec = {
  lr: hyper.number(0, "a finite learning rate >= 0"), betas: hyper.betas, eps: hyper.number(0), weightDecay: hyper.number(0),
  foreach: hyper.boolOrNull, maximize: hyper.bool,
};

/** Python: `torch.optim.Adamax(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *, maximize=False)`. */
export class Adamax extends Optimizer<AdamaxHyper> {
  protected readonly pytorchGroupKeys = groupKeys(FALLBACK);

  constructor(params: ParamsArg<AdamaxHyper>, ...args: PyArgs<AdamaxP, AdamaxFields>) {
    super(params, bindHyper("optim.Adamax", args, ["lr", "betas", "eps", "weightDecay", "foreach"], FALLBACK, SPEC));
  }

  protected override checkGroup(fn: string, group: Record<string, unknown>, where?: string): void {
    checkHyperParams(fn, group, SPEC, where);
  }

  protected initState(p: Tensor): ParamState {
    return new Map([["step", scalarState(0)], ["exp_avg", keep(zerosLike(p))], ["exp_inf", keep(zerosLike(p))]]);
  }

  protected updateGroup(ready: readonly ParamUpdate[], group: ParamGroup<AdamaxHyper>): void {
    const { lr, eps, weightDecay, maximize } = group;
    const [beta1, beta2] = group.betas as [number, number];
    for (const [param, g, state] of ready) {
      const expAvg = stateTensor("Adamax", state, "exp_avg");
      const expInf = stateTensor("Adamax", state, "exp_inf");
      tidy(() => {
        let grad = maximize ? g.neg() : g;
        const step = advanceStep("Adamax", state);
        if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
        expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
        const normBuf = cat([expInf.mul_(beta2).unsqueeze(0), grad.abs().add_(eps).unsqueeze_(0)], 0);
        expInf.copy_(normBuf.amax(0));
        const clr = lr / (1 - pow(beta1, step));
        param.addcdiv_(expAvg, expInf, { value: -clr });
      });
    }
  }
}
