// The softmax family of torch/nn/modules/activation.py (1.13): Softmin, Softmax, LogSoftmax
// (dim=None means Python's deprecated implicit choice, _get_softmax_dim) and Softmax2d.
import { TorchError } from "../errors.js";
import type { Tensor } from "../tensor/index.js";
import { tensorArg } from "../tensor/index.js";
import { checkInt } from "../validate.js";
import * as F from "./functional.js";
import { bindArgs, type PyArgs } from "./functional_util.js";
import { Module } from "./module.js";

/** Python's `_get_softmax_dim`: 0 for 0-, 1- and 3-D input, else 1. */
export const implicitSoftmaxDim = (ndim: number): number => (ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1);

abstract class SoftmaxLike extends Module {
  readonly dim: number | null;

  constructor(args: readonly unknown[]) {
    super();
    const fn = `nn.${new.target.name}`;
    const a = bindArgs(fn, ["dim"], args, 0, []);
    this.dim = a.dim === undefined || a.dim === null ? null : checkInt(fn, "dim", a.dim);
  }

  protected dimFor(x: unknown): [Tensor, number] {
    tensorArg(`nn.${this.constructor.name}`, "input", x);
    const t = x as Tensor;
    return [t, this.dim ?? implicitSoftmaxDim(t.ndim)];
  }

  override extraRepr(): string {
    return `dim=${this.dim ?? "None"}`;
  }
}
type DimArgs = PyArgs<[dim: number | null], { dim: number | null }>;

/** Python: `nn.Softmin(dim=None)`: softmax of -input along dim. */
export class Softmin extends SoftmaxLike {
  constructor(...args: DimArgs) {
    super(args);
  }

  forward(x: Tensor): Tensor {
    return F.softmin(...this.dimFor(x));
  }
}

/** Python: `nn.Softmax(dim=None)`. */
export class Softmax extends SoftmaxLike {
  constructor(...args: DimArgs) {
    super(args);
  }

  forward(x: Tensor): Tensor {
    return F.softmax(...this.dimFor(x));
  }
}

/** Python: `nn.LogSoftmax(dim=None)`. */
export class LogSoftmax extends SoftmaxLike {
  constructor(...args: DimArgs) {
    super(args);
  }

  forward(x: Tensor): Tensor {
    return F.logSoftmax(...this.dimFor(x));
  }
}

/** Python: `nn.Softmax2d()`: softmax over the channels (dim -3) of a (C, H, W) or (N, C, H, W) input. */
export class Softmax2d extends Module {
  forward(x: Tensor): Tensor {
    tensorArg("nn.Softmax2d", "input", x);
    if (x.ndim !== 3 && x.ndim !== 4) throw new TorchError(`nn.Softmax2d: Softmax2d requires a 3D or 4D tensor as input, got a ${x.ndim}-D tensor`);
    return F.softmax(x, -3);
  }
}
