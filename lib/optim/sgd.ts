// optim.SGD with momentum, dampening, Nesterov and weight decay, as PyTorch's single-tensor SGD.
import { keep } from "../memory.js";
import type { Tensor } from "../tensor.js";
import { argError, checkBool, checkNumber, checkOptions } from "../validate.js";
import { Optimizer, type Hyper, type ParamGroup, type ParamState, type ParamsArg } from "./optimizer.js";

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}
type SGDHyper = { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; maximize: boolean };

/** Python: `torch.optim.SGD(params, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False)`. */
export class SGD extends Optimizer<SGDHyper> {
  protected readonly pytorchGroupKeys: [string, Hyper][] = [
    ["lr", null], ["momentum", null], ["dampening", null], ["weight_decay", null], ["nesterov", null],
    ["maximize", null], ["foreach", null], ["differentiable", false],
  ];

  constructor(params: ParamsArg<SGDHyper>, options: SGDOptions) {
    const fn = "optim.SGD";
    const o = checkOptions(fn, options);
    const lr = checkNumber(fn, "lr", o.lr);
    if (!(lr >= 0)) throw argError(fn, "lr", "a learning rate >= 0", lr);
    const num = (k: string) => (o[k] === undefined ? 0 : checkNumber(fn, k, o[k]));
    const defaults: SGDHyper = {
      lr, momentum: num("momentum"), dampening: num("dampening"), weightDecay: num("weightDecay"),
      nesterov: o.nesterov === undefined ? false : checkBool(fn, "nesterov", o.nesterov),
      maximize: o.maximize === undefined ? false : checkBool(fn, "maximize", o.maximize),
    };
    if (defaults.momentum < 0) throw argError(fn, "momentum", "a number >= 0", defaults.momentum);
    if (defaults.nesterov && (defaults.momentum <= 0 || defaults.dampening !== 0)) {
      throw new TypeError(`${fn}: Nesterov momentum requires a momentum and zero dampening`);
    }
    super(params, defaults);
  }

  protected initState(): ParamState {
    // PyTorch stores momentum_buffer = None until the first step with momentum.
    return new Map([["momentum_buffer", null]]);
  }

  protected update(p: Tensor, gradIn: Tensor, state: ParamState, group: ParamGroup<SGDHyper>): void {
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
