// optim.Adadelta, as PyTorch 1.13's _single_tensor_adadelta (step is a Python int there).
import { keep, tidy } from "../memory.js";
import { zerosLike } from "../tensor/creation.js";
import type { Tensor } from "../tensor/index.js";
import type { PyArgs } from "../tensor/python_args.js";
import { advanceIntStep, bindHyper, groupKeys, stateTensor } from "./options.js";
import { checkHyperParams, hyper, Optimizer, type HyperSpec, type ParamGroup, type ParamState, type ParamsArg, type ParamUpdate } from "./optimizer.js";

type AdadeltaFields = { lr: number; rho: number; eps: number; weightDecay: number; maximize: boolean; foreach: boolean | null };
/** The options object of the constructor: any of them, camelCase keys. */
export type AdadeltaOptions = Partial<AdadeltaFields>;
export type AdadeltaHyper = AdadeltaFields;
type AdadeltaP = [lr: number, rho: number, eps: number, weightDecay: number, foreach: boolean | null];

const FALLBACK: AdadeltaHyper = { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false, foreach: null };
const SPEC: HyperSpec = {
  lr: hyper.number(0, "a finite learning rate >= 0"),
  rho: { ok: (v) => typeof v === "number" && v >= 0 && v <= 1, expected: "a number in [0, 1]" },
  eps: hyper.number(0), weightDecay: hyper.number(0), maximize: hyper.bool, foreach: hyper.boolOrNull,
};

/** Python: `torch.optim.Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, maximize=False)`. */
export class Adadelta extends Optimizer<AdadeltaHyper> {
  protected readonly pytorchGroupKeys = groupKeys(FALLBACK);

  constructor(params: ParamsArg<AdadeltaHyper>, ...args: PyArgs<AdadeltaP, AdadeltaFields>) {
    super(params, bindHyper("optim.Adadelta", args, ["lr", "rho", "eps", "weightDecay", "foreach"], FALLBACK, SPEC));
  }

  protected override checkGroup(fn: string, group: Record<string, unknown>, where?: string): void {
    checkHyperParams(fn, group, SPEC, where);
  }

  protected initState(p: Tensor): ParamState {
    return new Map<string, Tensor | number>([["step", 0], ["square_avg", keep(zerosLike(p))], ["acc_delta", keep(zerosLike(p))]]);
  }

  protected updateGroup(ready: readonly ParamUpdate[], group: ParamGroup<AdadeltaHyper>): void {
    const { lr, rho, eps, weightDecay, maximize } = group;
    for (const [param, g, state] of ready) {
      const squareAvg = stateTensor("Adadelta", state, "square_avg");
      const accDelta = stateTensor("Adadelta", state, "acc_delta");
      advanceIntStep(state);
      tidy(() => {
        let grad = maximize ? g.neg() : g;
        if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
        squareAvg.mul_(rho).addcmul_(grad, grad, { value: 1 - rho });
        const std = squareAvg.add(eps).sqrt_();
        const delta = accDelta.add(eps).sqrt_().div_(std).mul_(grad);
        accDelta.mul_(rho).addcmul_(delta, delta, { value: 1 - rho });
        param.add_(delta, { alpha: -lr });
      });
    }
  }
}
