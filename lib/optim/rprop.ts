// optim.Rprop, as PyTorch 1.13's _single_tensor_rprop (its boolean-mask assignments are
// masked fills: the same values written).
import { keep, tidy } from "../memory.js";
import { fullLike, zerosLike } from "../tensor/creation.js";
import type { Tensor } from "../tensor/index.js";
import type { PyArgs } from "../tensor/python_args.js";
import { advanceIntStep, bindHyper, groupKeys, stateTensor } from "./options.js";
import { checkHyperParams, hyper, Optimizer, type HyperSpec, type ParamGroup, type ParamState, type ParamsArg, type ParamUpdate } from "./optimizer.js";

type RpropFields = { lr: number; etas: [number, number]; stepSizes: [number, number]; foreach: boolean | null; maximize: boolean };
/** The options object of the constructor: any of them, camelCase keys. */
export type RpropOptions = Partial<RpropFields>;
export type RpropHyper = { lr: number; etas: number[]; stepSizes: number[]; foreach: boolean | null; maximize: boolean };
type RpropP = [lr: number, etas: [number, number], stepSizes: [number, number], foreach: boolean | null, maximize: boolean];

const FALLBACK: RpropHyper = { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50], foreach: null, maximize: false };
const SPEC: HyperSpec = {
  lr: hyper.number(0, "a finite learning rate >= 0"),
  etas: { ok: (v) => Array.isArray(v) && v.length === 2 && 0 < v[0] && v[0] < 1 && 1 < v[1] && v[1] <= Number.MAX_VALUE, expected: "a pair (etaminus, etaplus) with 0 < etaminus < 1 < etaplus" },
  stepSizes: hyper.pair(() => true, "a pair of finite numbers (min, max)"),
  foreach: hyper.boolOrNull, maximize: hyper.bool,
};

/** Python: `torch.optim.Rprop(params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), foreach=None, maximize=False)`. */
export class Rprop extends Optimizer<RpropHyper> {
  protected readonly pytorchGroupKeys = groupKeys(FALLBACK);

  constructor(params: ParamsArg<RpropHyper>, ...args: PyArgs<RpropP, RpropFields>) {
    super(params, bindHyper("optim.Rprop", args, ["lr", "etas", "stepSizes", "foreach", "maximize"], FALLBACK, SPEC));
  }

  protected override checkGroup(fn: string, group: Record<string, unknown>, where?: string): void {
    checkHyperParams(fn, group, SPEC, where);
  }

  protected initState(p: Tensor, group: ParamGroup<RpropHyper>): ParamState {
    const grad = p.grad!;
    return new Map<string, Tensor | number>([["step", 0], ["prev", keep(zerosLike(p))], ["step_size", keep(fullLike(grad, group.lr))]]);
  }

  protected updateGroup(ready: readonly ParamUpdate[], group: ParamGroup<RpropHyper>): void {
    const { maximize } = group;
    const [etaminus, etaplus] = group.etas as [number, number];
    const [stepSizeMin, stepSizeMax] = group.stepSizes as [number, number];
    for (const [param, g, state] of ready) {
      const prev = stateTensor("Rprop", state, "prev");
      const stepSize = stateTensor("Rprop", state, "step_size");
      advanceIntStep(state);
      tidy(() => {
        let grad = maximize ? g.neg() : g;
        const sign = grad.mul(prev).sign();
        sign.maskedFill_(sign.gt(0), etaplus);
        sign.maskedFill_(sign.lt(0), etaminus);
        sign.maskedFill_(sign.eq(0), 1);
        stepSize.mul_(sign).clamp_(stepSizeMin, stepSizeMax);
        grad = grad.clone();
        grad.maskedFill_(sign.eq(etaminus), 0);
        param.addcmul_(grad.sign(), stepSize, { value: -1 });
        prev.copy_(grad);
      });
    }
  }
}
