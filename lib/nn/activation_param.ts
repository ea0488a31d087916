// The activations of torch/nn/modules/activation.py (1.13) with a non-inplace option or a
// parameter: PReLU (a learnt slope), GLU, GELU, Hardshrink, Softshrink, Softplus, and the
// option-less LogSigmoid, Softsign, Tanhshrink.
import { empty } from "../tensor/creation.js";
import { tidy } from "../memory.js";
import type { Device } from "../device.js";
import type { DType } from "../dtype.js";
import type { Tensor } from "../tensor/index.js";
import { tensorArg } from "../tensor/index.js";
import { checkNonNegInt } from "../validate.js";
import { floatArg } from "./activation.js";
import { factoryOptions } from "./factory.js";
import * as F from "./functional.js";
import { pyFloat } from "./repr.js";
import { glu } from "./functional_activation_loss.js";
import { bindArgs, choice, int, num, type PyArgs } from "./functional_util.js";
import { Module } from "./module.js";
import { initEnabled } from "./skip_init.js";

/** Python: `nn.PReLU(num_parameters=1, init=0.25)`: a learnt negative slope per channel (or one). */
export class PReLU extends Module {
  // Python's num_parameters is weight.shape[0] here: Module.numParameters() (the element count) keeps its name.
  readonly init: number;
  readonly weight: Tensor;

  constructor(...args: PyArgs<[numParameters: number, init: number], { numParameters: number; init: number; device: Device; dtype: DType }>) {
    super();
    const fn = "nn.PReLU";
    const a = bindArgs(fn, ["numParameters", "init", "device", "dtype"], args, 0, []);
    const n = a.numParameters === undefined ? 1 : checkNonNegInt(fn, "numParameters", a.numParameters);
    this.init = num(fn, "init", a.init, 0.25);
    const factory = factoryOptions(fn, a);
    this.weight = this.registerParameter("weight", tidy(() => empty([n], factory)));
    if (initEnabled()) this.resetParameters();
  }

  /** Python 1.13 fills the weight with `init` in the constructor. */
  resetParameters(): void {
    tidy(() => this.weight.detach().fill_(this.init));
  }

  forward(x: Tensor): Tensor {
    tensorArg("nn.PReLU", "input", x);
    return F.prelu(x, this.weight);
  }

  override extraRepr(): string {
    return `num_parameters=${this.weight.shape[0]}`;
  }
}

/** Python: `nn.GLU(dim=-1)`: the first half of `dim` gated by the sigmoid of the second. */
export class GLU extends Module {
  readonly dim: number;

  constructor(...args: PyArgs<[dim: number], { dim: number }>) {
    super();
    this.dim = int("nn.GLU", "dim", bindArgs("nn.GLU", ["dim"], args, 0, []).dim, -1);
  }

  forward(x: Tensor): Tensor {
    tensorArg("nn.GLU", "input", x);
    return glu(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Python: `nn.GELU(approximate='none')`; "tanh" uses the tanh approximation. */
export class GELU extends Module {
  readonly approximate: "none" | "tanh";

  constructor(...args: PyArgs<[approximate: "none" | "tanh"], { approximate: "none" | "tanh" }>) {
    super();
    const a = bindArgs("nn.GELU", ["approximate"], args, 0, []);
    this.approximate = choice("nn.GELU", "approximate", a.approximate, ["none", "tanh"] as const, "none");
  }

  forward(x: Tensor): Tensor {
    tensorArg("nn.GELU", "input", x);
    return F.gelu(x, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** Hardshrink and Softshrink: `lambd=0.5`, printed bare as Python's extra_repr does. */
abstract class Shrink extends Module {
  readonly lambd: number;
  readonly #repr: string;

  constructor(args: readonly unknown[]) {
    super();
    const fn = `nn.${new.target.name}`;
    [this.lambd, this.#repr] = floatArg(fn, "lambd", bindArgs(fn, ["lambd"], args, 0, []).lambd, 0.5);
  }

  override extraRepr(): string {
    return this.#repr;
  }
}
type ShrinkArgs = PyArgs<[lambd: number], { lambd: number }>;

/** Python: `nn.Hardshrink(lambd=0.5)`: 0 inside [-lambd, lambd]. */
export class Hardshrink extends Shrink {
  constructor(...args: ShrinkArgs) {
    super(args);
  }

  forward(x: Tensor): Tensor {
    tensorArg("nn.Hardshrink", "input", x);
    return F.hardshrink(x, this.lambd);
  }
}

/** Python: `nn.Softshrink(lambd=0.5)`: shrinks towards 0 by lambd. */
export class Softshrink extends Shrink {
  constructor(...args: ShrinkArgs) {
    super(args);
  }

  forward(x: Tensor): Tensor {
    tensorArg("nn.Softshrink", "input", x);
    return F.softshrink(x, this.lambd);
  }
}

/** Python: `nn.Softplus(beta=1, threshold=20)`: linear above threshold/beta. */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;

  constructor(...args: PyArgs<[beta: number, threshold: number], { beta: number; threshold: number }>) {
    super();
    const a = bindArgs("nn.Softplus", ["beta", "threshold"], args, 0, []);
    this.beta = num("nn.Softplus", "beta", a.beta, 1);
    this.threshold = num("nn.Softplus", "threshold", a.threshold, 20);
  }

  forward(x: Tensor): Tensor {
    tensorArg("nn.Softplus", "input", x);
    return F.softplus(x, this.beta, this.threshold);
  }

  override extraRepr(): string {
    // Python's defaults are ints (beta=1, threshold=20), so integral values print without ".0".
    const text = (x: number) => (Number.isInteger(x) ? String(x) : pyFloat(x));
    return `beta=${text(this.beta)}, threshold=${text(this.threshold)}`;
  }
}

/** Python: `nn.LogSigmoid()`. */
export class LogSigmoid extends Module {
  forward(x: Tensor): Tensor {
    tensorArg("nn.LogSigmoid", "input", x);
    return F.logsigmoid(x);
  }
}

/** Python: `nn.Softsign()`: x / (1 + |x|). */
export class Softsign extends Module {
  forward(x: Tensor): Tensor {
    tensorArg("nn.Softsign", "input", x);
    return F.softsign(x);
  }
}

/** Python: `nn.Tanhshrink()`: x - tanh(x). */
export class Tanhshrink extends Module {
  forward(x: Tensor): Tensor {
    tensorArg("nn.Tanhshrink", "input", x);
    return F.tanhshrink(x);
  }
}
