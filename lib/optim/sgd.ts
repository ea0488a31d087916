// optim.SGD with momentum, dampening, Nesterov and weight decay, as PyTorch's single-tensor SGD.
import { keep, tidy } from "../memory.js";
import type { Tensor } from "../tensor/index.js";
import { argError } from "../validate.js";
import { isPlainObject, type PyArgs } from "../tensor/python_args.js";
import { bindHyper } from "./options.js";
import { checkHyperParams, hyper, Optimizer, type Hyper, type HyperSpec, type ParamGroup, type ParamState, type ParamsArg, type ParamUpdate } from "./optimizer.js";

export type SGDOptions = {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
  foreach?: boolean | null;
  /** Accepted only false. */
  differentiable?: boolean;
};
type Tail<T extends unknown[]> = T extends [unknown, ...infer R] ? R : [];
type SGDP = [lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: boolean];
type SGDHyper = { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; maximize: boolean; foreach: boolean | null };

/**
 * SGD's hyper-parameters as PyTorch checks them (lr, momentum and weight_decay >= 0, Nesterov
 * only with momentum and no dampening), NaN and infinities refused besides.
 */
const SGD_SPEC: HyperSpec = {
  lr: hyper.number(0, "a finite learning rate >= 0"),
  momentum: hyper.number(0),
  dampening: hyper.number(),
  weightDecay: hyper.number(0),
  nesterov: hyper.bool,
  maximize: hyper.bool,
  foreach: hyper.boolOrNull,
};

function checkSgd(fn: string, h: Record<string, unknown>, where?: string): SGDHyper {
  checkHyperParams(fn, h, SGD_SPEC, where);
  const g = h as unknown as SGDHyper;
  if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) throw new TypeError(`${fn}: Nesterov momentum requires a momentum and zero dampening`);
  return g;
}

/** Python: `torch.optim.SGD(params, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False, foreach=None, differentiable=False)`. */
export class SGD extends Optimizer<SGDHyper> {
  protected readonly pytorchGroupKeys: [string, Hyper][] = [
    ["lr", null], ["momentum", null], ["dampening", null], ["weight_decay", null], ["nesterov", null],
    ["maximize", null], ["foreach", null], ["differentiable", false],
  ];

  constructor(params: ParamsArg<SGDHyper>, ...args: [lr: number, ...rest: PyArgs<Tail<SGDP>, Omit<SGDOptions, "lr">>] | [options: SGDOptions]) {
    const fn = "optim.SGD";
    // lr has no default, as in PyTorch (where it is `required`).
    const first: unknown = args[0];
    const given = args.length > 0 && !isPlainObject(first) ? first : isPlainObject(first) ? first.lr : undefined;
    if (given === undefined) throw argError(fn, "lr", "a finite learning rate >= 0 (SGD has no default lr)", given);
    const h = bindHyper(fn, args, ["lr", "momentum", "dampening", "weightDecay", "nesterov"],
      { lr: 0, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, foreach: null } as SGDHyper, SGD_SPEC, ["differentiable"]);
    super(params, checkSgd(fn, h));
  }

  protected override checkGroup(fn: string, group: Record<string, unknown>, where?: string): void {
    checkSgd(fn, group, where);
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
