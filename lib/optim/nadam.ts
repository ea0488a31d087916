// optim.NAdam, as PyTorch 1.13's _single_tensor_nadam: mu_product is a float32 0-dim tensor
// multiplied in place, so its rounding (and the step sizes read from it) are PyTorch's.
import { keep, tidy } from "../memory.js";
import { zerosLike } from "../tensor/creation.js";
import type { Tensor } from "../tensor/index.js";
import type { PyArgs } from "../tensor/python_args.js";
import { pow } from "./libm.js";
import { advanceStep, bindHyper, groupKeys, scalarState, stateTensor } from "./options.js";
import { checkHyperParams, hyper, Optimizer, type HyperSpec, type ParamGroup, type ParamState, type ParamsArg, type ParamUpdate } from "./optimizer.js";

type NAdamFields = { lr: number; betas: [number, number]; eps: number; weightDecay: number; momentumDecay: number; foreach: boolean | null };
/** The options object of the constructor: any of them, camelCase keys. */
export type NAdamOptions = Partial<NAdamFields>;
export type NAdamHyper = Omit<NAdamFields, "betas"> & { betas: number[] };
type NAdamP = [lr: number, betas: [number, number], eps: number, weightDecay: number, momentumDecay: number, foreach: boolean | null];

const FALLBACK: NAdamHyper = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, foreach: null };
const SPEC: HyperSpec = {
  lr: hyper.number(0, "a finite learning rate >= 0"), betas: hyper.betas, eps: hyper.number(0), weightDecay: hyper.number(0),
  momentumDecay: hyper.number(0), foreach: hyper.boolOrNull,
};

/** Python: `torch.optim.NAdam(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3, foreach=None)`. */
export class NAdam extends Optimizer<NAdamHyper> {
  protected readonly pytorchGroupKeys = groupKeys(FALLBACK);

  constructor(params: ParamsArg<NAdamHyper>, ...args: PyArgs<NAdamP, NAdamFields>) {
    super(params, bindHyper("optim.NAdam", args, ["lr", "betas", "eps", "weightDecay", "momentumDecay", "foreach"], FALLBACK, SPEC));
  }

  protected override checkGroup(fn: string, group: Record<string, unknown>, where?: string): void {
    checkHyperParams(fn, group, SPEC, where);
  }

  protected initState(p: Tensor): ParamState {
    return new Map([["step", scalarState(0)], ["mu_product", scalarState(1)], ["exp_avg", keep(zerosLike(p))], ["exp_avg_sq", keep(zerosLike(p))]]);
  }

  protected updateGroup(ready: readonly ParamUpdate[], group: ParamGroup<NAdamHyper>): void {
    const { lr, eps, weightDecay, momentumDecay } = group;
    const [beta1, beta2] = group.betas as [number, number];
    for (const [param, g, state] of ready) {
      const expAvg = stateTensor("NAdam", state, "exp_avg");
      const expAvgSq = stateTensor("NAdam", state, "exp_avg_sq");
      const muProduct = stateTensor("NAdam", state, "mu_product");
      tidy(() => {
        let grad = g;
        const step = advanceStep("NAdam", state);
        const bc2 = 1 - pow(beta2, step);
        if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
        const mu = beta1 * (1 - 0.5 * pow(0.96, step * momentumDecay));
        const muNext = beta1 * (1 - 0.5 * pow(0.96, (step + 1) * momentumDecay));
        muProduct.mul_(mu);
        const muProductNext = muProduct.mul(mu).mul(muNext).item();
        expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
        expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
        const denom = expAvgSq.div(bc2).sqrt().add_(eps);
        param.addcdiv_(grad, denom, { value: (-lr * (1 - mu)) / (1 - muProduct.item()) });
        param.addcdiv_(expAvg, denom, { value: (-lr * muNext) / (1 - muProductNext) });
      });
    }
  }
}
