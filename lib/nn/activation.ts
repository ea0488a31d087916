// The pointwise activations of torch/nn/modules/activation.py (1.13) as modules over their
// torch.nn.functional twins; the softmax family is in softmax.ts, PReLU/GLU/GELU and the
// shrink/soft* ones in activation_param.ts. Constructors follow the calling rule: Python's
// parameters positionally in order, or any of them in one trailing options object.
import type { Tensor } from "../tensor/index.js";
import { tensorArg } from "../tensor/index.js";
import { argError } from "../validate.js";
import * as F from "./functional.js";
import { bindArgs, bool, num, type PyArgs } from "./functional_util.js";
import { Module } from "./module.js";
import { pyFloat } from "./repr.js";

type Inplace = { inplace: boolean };

/**
 * A float argument and how Python's extra_repr prints it: a value the caller gave as written
 * (so 2 prints "2", as Python's int 2 does), a default as Python's float default ("1.0").
 */
export function floatArg(fn: string, arg: string, value: unknown, dflt: number): [number, string] {
  if (value === undefined) return [dflt, pyFloat(dflt)];
  const v = num(fn, arg, value, dflt);
  // Python annotates these `float` and users pass floats (ELU(alpha=2.0) prints "2.0"); a JS
  // number cannot say which it was, so the annotation decides.
  return [v, pyFloat(v)];
}

export const inplaceRepr = (inplace: boolean, lead: string): string => (inplace ? `${lead}inplace=True` : "");

/** The activations whose only option is Python's `inplace`. */
abstract class InplaceOnly extends Module {
  readonly inplace: boolean;

  constructor(args: readonly unknown[]) {
    super();
    const fn = `nn.${new.target.name}`;
    this.inplace = bool(fn, "inplace", bindArgs(fn, ["inplace"], args, 0, []).inplace, false);
  }

  protected input(x: unknown): Tensor {
    tensorArg(`nn.${this.constructor.name}`, "input", x);
    return x as Tensor;
  }

  override extraRepr(): string {
    return inplaceRepr(this.inplace, "");
  }
}
type InplaceArgs = PyArgs<[inplace: boolean], Inplace>;

/** Python: `nn.ReLU(inplace=False)`. */
export class ReLU extends InplaceOnly {
  constructor(...args: InplaceArgs) {
    super(args);
  }

  forward(x: Tensor): Tensor {
    return this.inplace ? this.input(x).relu_() : this.input(x).relu();
  }
}

/** Python: `nn.SELU(inplace=False)`. */
export class SELU extends InplaceOnly {
  constructor(...args: InplaceArgs) {
    super(args);
  }

  forward(x: Tensor): Tensor {
    return F.selu(this.input(x), this.inplace);
  }
}

/** Python: `nn.SiLU(inplace=False)`. */
export class SiLU extends InplaceOnly {
  constructor(...args: InplaceArgs) {
    super(args);
  }

  forward(x: Tensor): Tensor {
    return F.silu(this.input(x), this.inplace);
  }
}

/** Python: `nn.Mish(inplace=False)`. */
export class Mish extends InplaceOnly {
  constructor(...args: InplaceArgs) {
    super(args);
  }

  forward(x: Tensor): Tensor {
    return F.mish(this.input(x), this.inplace);
  }
}

/** Python: `nn.Hardsigmoid(inplace=False)` (Python gives it no extra_repr). */
export class Hardsigmoid extends InplaceOnly {
  constructor(...args: InplaceArgs) {
    super(args);
  }

  forward(x: Tensor): Tensor {
    return F.hardsigmoid(this.input(x), this.inplace);
  }

  override extraRepr(): string {
    return "";
  }
}

/** Python: `nn.Hardswish(inplace=False)` (Python gives it no extra_repr). */
export class Hardswish extends InplaceOnly {
  constructor(...args: InplaceArgs) {
    super(args);
  }

  forward(x: Tensor): Tensor {
    return F.hardswish(this.input(x), this.inplace);
  }

  override extraRepr(): string {
    return "";
  }
}

/** Python: `nn.Threshold(threshold, value, inplace=False)`: value where input <= threshold. */
export class Threshold extends Module {
  readonly threshold: number;
  readonly value: number;
  readonly inplace: boolean;
  readonly #repr: string;

  constructor(...args: PyArgs<[threshold: number, value: number, inplace: boolean], { threshold: number; value: number } & Inplace>) {
    super();
    const fn = "nn.Threshold";
    const a = bindArgs(fn, ["threshold", "value", "inplace"], args, 2, []);
    let t: string, v: string;
    [this.threshold, t] = floatArg(fn, "threshold", a.threshold, 0);
    [this.value, v] = floatArg(fn, "value", a.value, 0);
    this.inplace = bool(fn, "inplace", a.inplace, false);
    this.#repr = `threshold=${t}, value=${v}${inplaceRepr(this.inplace, ", ")}`;
  }

  forward(x: Tensor): Tensor {
    tensorArg("nn.Threshold", "input", x);
    return F.threshold(x, this.threshold, this.value, this.inplace);
  }

  override extraRepr(): string {
    return this.#repr;
  }
}

/** Python: `nn.RReLU(lower=1/8, upper=1/3, inplace=False)`: a random slope in training, the mean one in eval. */
export class RReLU extends Module {
  readonly lower: number;
  readonly upper: number;
  readonly inplace: boolean;
  readonly #repr: string;

  constructor(...args: PyArgs<[lower: number, upper: number, inplace: boolean], { lower: number; upper: number } & Inplace>) {
    super();
    const fn = "nn.RReLU";
    const a = bindArgs(fn, ["lower", "upper", "inplace"], args, 0, []);
    let l: string, u: string;
    [this.lower, l] = floatArg(fn, "lower", a.lower, 1 / 8);
    [this.upper, u] = floatArg(fn, "upper", a.upper, 1 / 3);
    this.inplace = bool(fn, "inplace", a.inplace, false);
    this.#repr = `lower=${l}, upper=${u}${inplaceRepr(this.inplace, ", ")}`;
  }

  forward(x: Tensor): Tensor {
    tensorArg("nn.RReLU", "input", x);
    return F.rrelu(x, this.lower, this.upper, this.training, this.inplace);
  }

  override extraRepr(): string {
    return this.#repr;
  }
}

type HardtanhO = { minVal: number; maxVal: number; minValue: number | null; maxValue: number | null } & Inplace;

/**
 * Python: `nn.Hardtanh(min_val=-1., max_val=1., inplace=False, min_value=None, max_value=None)`
 * (min_value/max_value: the deprecated spellings, which win when given, as in Python).
 */
export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;
  readonly inplace: boolean;
  readonly #repr: string;

  constructor(...args: PyArgs<[minVal: number, maxVal: number, inplace: boolean, minValue: number | null, maxValue: number | null], HardtanhO>) {
    super();
    const fn = `nn.${new.target.name}`;
    const a = bindArgs(fn, ["minVal", "maxVal", "inplace", "minValue", "maxValue"], args, 0, []);
    let lo: string, hi: string;
    [this.minVal, lo] = a.minValue === undefined || a.minValue === null ? floatArg(fn, "minVal", a.minVal, -1) : floatArg(fn, "minValue", a.minValue, -1);
    [this.maxVal, hi] = a.maxValue === undefined || a.maxValue === null ? floatArg(fn, "maxVal", a.maxVal, 1) : floatArg(fn, "maxValue", a.maxValue, 1);
    this.inplace = bool(fn, "inplace", a.inplace, false);
    if (!(this.maxVal > this.minVal)) throw argError(fn, "maxVal", `a number greater than minVal (${this.minVal})`, this.maxVal);
    this.#repr = `min_val=${lo}, max_val=${hi}${inplaceRepr(this.inplace, ", ")}`;
  }

  forward(x: Tensor): Tensor {
    tensorArg(`nn.${this.constructor.name}`, "input", x);
    return F.hardtanh(x, this.minVal, this.maxVal, this.inplace);
  }

  override extraRepr(): string {
    return this.#repr;
  }
}

/** Python: `nn.ReLU6(inplace=False)`: Hardtanh(0., 6.), as Python derives it. */
export class ReLU6 extends Hardtanh {
  constructor(...args: InplaceArgs) {
    const a = bindArgs("nn.ReLU6", ["inplace"], args, 0, []);
    super(0, 6, bool("nn.ReLU6", "inplace", a.inplace, false));
  }

  override extraRepr(): string {
    return inplaceRepr(this.inplace, "");
  }
}

/** Python: `nn.Sigmoid()`. */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    tensorArg("nn.Sigmoid", "input", x);
    return x.sigmoid();
  }
}

/** Python: `nn.Tanh()`. */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    tensorArg("nn.Tanh", "input", x);
    return x.tanh();
  }
}

/** ELU and CELU: `alpha=1.0, inplace=False`. */
abstract class AlphaActivation extends Module {
  readonly alpha: number;
  readonly inplace: boolean;
  readonly #repr: string;

  constructor(args: readonly unknown[]) {
    super();
    const fn = `nn.${new.target.name}`;
    const a = bindArgs(fn, ["alpha", "inplace"], args, 0, []);
    let s: string;
    [this.alpha, s] = floatArg(fn, "alpha", a.alpha, 1);
    this.inplace = bool(fn, "inplace", a.inplace, false);
    this.#repr = `alpha=${s}${inplaceRepr(this.inplace, ", ")}`;
  }

  override extraRepr(): string {
    return this.#repr;
  }
}
type AlphaArgs = PyArgs<[alpha: number, inplace: boolean], { alpha: number } & Inplace>;

/** Python: `nn.ELU(alpha=1.0, inplace=False)`. */
export class ELU extends AlphaActivation {
  constructor(...args: AlphaArgs) {
    super(args);
  }

  forward(x: Tensor): Tensor {
    tensorArg("nn.ELU", "input", x);
    return F.elu(x, this.alpha, this.inplace);
  }
}

/** Python: `nn.CELU(alpha=1.0, inplace=False)`. */
export class CELU extends AlphaActivation {
  constructor(...args: AlphaArgs) {
    super(args);
  }

  forward(x: Tensor): Tensor {
    tensorArg("nn.CELU", "input", x);
    return F.celu(x, this.alpha, this.inplace);
  }
}

/** Python: `nn.LeakyReLU(negative_slope=0.01, inplace=False)`. */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  readonly inplace: boolean;
  readonly #repr: string;

  constructor(...args: PyArgs<[negativeSlope: number, inplace: boolean], { negativeSlope: number } & Inplace>) {
    super();
    const fn = "nn.LeakyReLU";
    const a = bindArgs(fn, ["negativeSlope", "inplace"], args, 0, []);
    let s: string;
    [this.negativeSlope, s] = floatArg(fn, "negativeSlope", a.negativeSlope, 0.01);
    this.inplace = bool(fn, "inplace", a.inplace, false);
    this.#repr = `negative_slope=${s}${inplaceRepr(this.inplace, ", ")}`;
  }

  forward(x: Tensor): Tensor {
    tensorArg("nn.LeakyReLU", "input", x);
    return F.leakyRelu(x, this.negativeSlope, this.inplace);
  }

  override extraRepr(): string {
    return this.#repr;
  }
}
