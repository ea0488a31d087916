// optim.RMSprop (centered, momentum), as PyTorch 1.13's _single_tensor_rmsprop.
import { keep, tidy } from "../memory.js";
import { zerosLike } from "../tensor/creation.js";
import type { Tensor } from "../tensor/index.js";
import type { PyArgs } from "../tensor/python_args.js";
import { advanceIntStep, bindHyper, groupKeys, stateTensor } from "./options.js";
import { checkHyperParams, hyper, Optimizer, type HyperSpec, type ParamGroup, type ParamState, type ParamsArg, type ParamUpdate } from "./optimizer.js";

interface RMSpropFields {
  lr: number; alpha: number; eps: number; weightDecay: number; momentum: number; centered: boolean; foreach: boolean | null; maximize: boolean;
  /** Accepted only false. */
  differentiable: boolean;
}
/** The options object of the constructor: any of them, camelCase keys. */
export type RMSpropOptions = Partial<RMSpropFields>;
export type RMSpropHyper = Omit<RMSpropFields, "differentiable">;
type RMSpropP = [lr: number, alpha: number, eps: number, weightDecay: number, momentum: number, centered: boolean, foreach: boolean | null, maximize: boolean, differentiable: boolean];

const FALLBACK: RMSpropHyper = { lr: 1e-2, momentum: 0, alpha: 0.99, eps: 1e-8, centered: false, weightDecay: 0, foreach: null, maximize: false };
const SPEC: HyperSpec = {
  lr: hyper.number(0, "a finite learning rate >= 0"), momentum: hyper.number(0), alpha: hyper.number(0), eps: hyper.number(0),
  centered: hyper.bool, weightDecay: hyper.number(0), foreach: hyper.boolOrNull, maximize: hyper.bool,
};

/** Python: `torch.optim.RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, foreach=None, maximize=False, differentiable=False)`. */
export class RMSprop extends Optimizer<RMSpropHyper> {
  protected readonly pytorchGroupKeys = groupKeys(FALLBACK, [["differentiable", false]]);

  constructor(params: ParamsArg<RMSpropHyper>, ...args: PyArgs<RMSpropP, RMSpropFields>) {
    super(params, bindHyper("optim.RMSprop", args,
      ["lr", "alpha", "eps", "weightDecay", "momentum", "centered", "foreach", "maximize", "differentiable"], FALLBACK, SPEC, ["differentiable"]));
  }

  protected override checkGroup(fn: string, group: Record<string, unknown>, where?: string): void {
    checkHyperParams(fn, group, SPEC, where);
  }

  protected initState(p: Tensor, group: ParamGroup<RMSpropHyper>): ParamState {
    const s = new Map<string, Tensor | number>([["step", 0], ["square_avg", keep(zerosLike(p))]]);
    if (group.momentum > 0) s.set("momentum_buffer", keep(zerosLike(p)));
    if (group.centered) s.set("grad_avg", keep(zerosLike(p)));
    return s;
  }

  protected updateGroup(ready: readonly ParamUpdate[], group: ParamGroup<RMSpropHyper>): void {
    const fn = "RMSprop";
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    for (const [param, g, state] of ready) {
      const squareAvg = stateTensor(fn, state, "square_avg");
      const gradAvg = centered ? stateTensor(fn, state, "grad_avg", " (centered was off when this state was made)") : null;
      const buf = momentum > 0 ? stateTensor(fn, state, "momentum_buffer", " (momentum was 0 when this state was made)") : null;
      advanceIntStep(state);
      tidy(() => {
        let grad = maximize ? g.neg() : g;
        if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
        squareAvg.mul_(alpha).addcmul_(grad, grad, { value: 1 - alpha });
        let avg: Tensor;
        if (gradAvg !== null) {
          gradAvg.mul_(alpha).add_(grad, { alpha: 1 - alpha });
          avg = squareAvg.addcmul(gradAvg, gradAvg, { value: -1 }).sqrt_();
        } else {
          avg = squareAvg.sqrt();
        }
        avg = avg.add_(eps);
        if (buf !== null) {
          buf.mul_(momentum).addcdiv_(grad, avg);
          param.add_(buf, { alpha: -lr });
        } else {
          param.addcdiv_(grad, avg, { value: -lr });
        }
      });
    }
  }
}
