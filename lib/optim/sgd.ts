// optim.SGD with momentum, dampening, Nesterov and weight decay, as PyTorch's single-tensor SGD.
import { keep, tidy } from "../memory.js";
import type { Tensor } from "../tensor.js";
import { argError, checkBool, checkNumberIn, checkOptions } from "../validate.js";
import { Optimizer, type Hyper, type ParamGroup, type ParamState, type ParamsArg, type ParamUpdate } from "./optimizer.js";

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}
type SGDHyper = { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; maximize: boolean };

const FINITE = Number.MAX_VALUE;

/**
 * SGD's hyper-parameters as PyTorch checks them (lr, momentum and weight_decay >= 0, Nesterov
 * only with momentum and no dampening), NaN and infinities refused besides.
 */
function sgdHyper(fn: string, o: Record<string, unknown>, fallback: SGDHyper): SGDHyper {
  const h: SGDHyper = {
    lr: o.lr === undefined ? fallback.lr : checkNumberIn(fn, "lr", o.lr, 0, FINITE, "a finite learning rate >= 0"),
    momentum: o.momentum === undefined ? fallback.momentum : checkNumberIn(fn, "momentum", o.momentum, 0, FINITE),
    dampening: o.dampening === undefined ? fallback.dampening : checkNumberIn(fn, "dampening", o.dampening, -FINITE, FINITE, "a finite number"),
    weightDecay: o.weightDecay === undefined ? fallback.weightDecay : checkNumberIn(fn, "weightDecay", o.weightDecay, 0, FINITE),
    nesterov: o.nesterov === undefined ? fallback.nesterov : checkBool(fn, "nesterov", o.nesterov),
    maximize: o.maximize === undefined ? fallback.maximize : checkBool(fn, "maximize", o.maximize),
  };
  if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) throw new TypeError(`${fn}: Nesterov momentum requires a momentum and zero dampening`);
  return h;
}

/** Python: `torch.optim.SGD(params, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False)`. */
export class SGD extends Optimizer<SGDHyper> {
  protected readonly pytorchGroupKeys: [string, Hyper][] = [
    ["lr", null], ["momentum", null], ["dampening", null], ["weight_decay", null], ["nesterov", null],
    ["maximize", null], ["foreach", null], ["differentiable", false],
  ];

  constructor(params: ParamsArg<SGDHyper>, options: SGDOptions) {
    const fn = "optim.SGD";
    const o = checkOptions(fn, options, ["lr", "momentum", "dampening", "weightDecay", "nesterov", "maximize"]);
    // lr has no default, as in PyTorch (where it is `required`).
    if (o.lr === undefined) throw argError(fn, "lr", "a finite learning rate >= 0 (SGD has no default lr)", o.lr);
    super(params, sgdHyper(fn, o, { lr: 0, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }));
  }

  protected override checkGroup(fn: string, group: Record<string, unknown>): void {
    sgdHyper(fn, group, group as unknown as SGDHyper);
  }

  protected initState(): ParamState {
    // PyTorch stores momentum_buffer = None until the first step with momentum.
    return new Map([["momentum_buffer", null]]);
  }

  protected updateGroup(ready: readonly ParamUpdate[], group: ParamGroup<SGDHyper>): void {
    for (const [p, grad, state] of ready) tidy(() => this.update(p, grad, state, group));
  }

  private update(p: Tensor, gradIn: Tensor, state: ParamState, group: ParamGroup<SGDHyper>): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    let d = maximize ? gradIn.neg() : gradIn;
    if (weightDecay !== 0) d = d.add(p, { alpha: weightDecay });
    if (momentum !== 0) {
      let buf = state.get("momentum_buffer") as Tensor | null;
      if (buf === null) {
        buf = keep(d.clone().detach());
        state.set("momentum_buffer", buf);
      } else {
        buf.mul_(momentum).add_(d, { alpha: 1 - dampening });
      }
      d = nesterov ? d.add(buf, { alpha: momentum }) : buf;
    }
    p.add_(d, { alpha: -lr });
  }
}
