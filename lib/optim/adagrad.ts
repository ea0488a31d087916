// optim.Adagrad, as PyTorch 1.13's _single_tensor_adagrad. Its state is made in the
// constructor for every parameter (step 0, sum filled with initial_accumulator_value), as
// PyTorch's, so a state dict taken before the first step already lists every parameter.
import { keep, tidy } from "../memory.js";
import { fullLike } from "../tensor/creation.js";
import type { Tensor } from "../tensor/index.js";
import type { PyArgs } from "../tensor/python_args.js";
import { advanceStep, bindHyper, groupKeys, scalarState, stateTensor } from "./options.js";
import { checkHyperParams, hyper, Optimizer, type HyperSpec, type ParamGroup, type ParamState, type ParamsArg, type ParamUpdate } from "./optimizer.js";

type AdagradFields = { lr: number; lrDecay: number; eps: number; weightDecay: number; initialAccumulatorValue: number; foreach: boolean | null; maximize: boolean };
/** The options object of the constructor: any of them, camelCase keys. */
export type AdagradOptions = Partial<AdagradFields>;
export type AdagradHyper = AdagradFields;
type AdagradP = [lr: number, lrDecay: number, weightDecay: number, initialAccumulatorValue: number, eps: number, foreach: boolean | null];

const FALLBACK: AdagradHyper = { lr: 1e-2, lrDecay: 0, eps: 1e-10, weightDecay: 0, initialAccumulatorValue: 0, foreach: null, maximize: false };
const SPEC: HyperSpec = {
  lr: hyper.number(0, "a finite learning rate >= 0"), lrDecay: hyper.number(0), eps: hyper.number(0), weightDecay: hyper.number(0),
  initialAccumulatorValue: hyper.number(0), foreach: hyper.boolOrNull, maximize: hyper.bool,
};

/** Python: `torch.optim.Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False)`. */
export class Adagrad extends Optimizer<AdagradHyper> {
  protected readonly pytorchGroupKeys = groupKeys(FALLBACK);

  constructor(params: ParamsArg<AdagradHyper>, ...args: PyArgs<AdagradP, AdagradFields>) {
    super(params, bindHyper("optim.Adagrad", args, ["lr", "lrDecay", "weightDecay", "initialAccumulatorValue", "eps", "foreach"], FALLBACK, SPEC));
    for (const group of this.paramGroups) for (const p of group.params) this.state.set(p, this.initState(p, group));
  }

  protected override checkGroup(fn: string, group: Record<string, unknown>, where?: string): void {
    checkHyperParams(fn, group, SPEC, where);
  }

  protected initState(p: Tensor, group: ParamGroup<AdagradHyper>): ParamState {
    return new Map([["step", scalarState(0)], ["sum", keep(fullLike(p, group.initialAccumulatorValue))]]);
  }

  protected updateGroup(ready: readonly ParamUpdate[], group: ParamGroup<AdagradHyper>): void {
    const { lr, lrDecay, eps, weightDecay, maximize } = group;
    for (const [param, g, state] of ready) {
      const stateSum = stateTensor("Adagrad", state, "sum");
      tidy(() => {
        const step = advanceStep("Adagrad", state);
        let grad = maximize ? g.neg() : g;
        if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
        const clr = lr / (1 + (step - 1) * lrDecay);
        stateSum.addcmul_(grad, grad, { value: 1 });
        const std = stateSum.sqrt().add_(eps);
        param.addcdiv_(grad, std, { value: -clr });
      });
    }
  }
}
