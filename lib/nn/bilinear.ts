// nn.Bilinear (torch/nn/modules/linear.py, 1.13): y = x1^T A x2 + b, initialised as PyTorch's
// reset_parameters (both weight and bias uniform in ±1/sqrt(in1_features)).
import { empty } from "../tensor/creation.js";
import { tidy } from "../memory.js";
import type { Device } from "../device.js";
import type { DType } from "../dtype.js";
import type { Tensor } from "../tensor/index.js";
import { tensorArg } from "../tensor/index.js";
import { checkNonNegInt, checkPositiveInt } from "../validate.js";
import { factoryOptions } from "./factory.js";
import * as F from "./functional.js";
import { bindArgs, bool, type PyArgs } from "./functional_util.js";
import { uniform_ } from "./init.js";
import { Module } from "./module.js";
import { initEnabled } from "./skip_init.js";
import { py } from "./repr.js";

type BilinearP = [in1Features: number, in2Features: number, outFeatures: number, bias: boolean];
type BilinearO = { in1Features: number; in2Features: number; outFeatures: number; bias: boolean; device: Device; dtype: DType };

/** Python: `nn.Bilinear(in1_features, in2_features, out_features, bias=True)`. */
export class Bilinear extends Module {
  readonly in1Features: number;
  readonly in2Features: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(...args: PyArgs<BilinearP, BilinearO>) {
    super();
    const fn = "nn.Bilinear";
    const a = bindArgs(fn, ["in1Features", "in2Features", "outFeatures", "bias", "device", "dtype"], args, 3, []);
    // Python divides by sqrt(in1_features) in reset_parameters: 0 would be a ZeroDivisionError there.
    this.in1Features = checkPositiveInt(fn, "in1Features", a.in1Features);
    this.in2Features = checkNonNegInt(fn, "in2Features", a.in2Features);
    this.outFeatures = checkNonNegInt(fn, "outFeatures", a.outFeatures);
    const bias = bool(fn, "bias", a.bias, true);
    const factory = factoryOptions(fn, a);
    const [w, b] = tidy(() => [empty([this.outFeatures, this.in1Features, this.in2Features], factory), bias ? empty([this.outFeatures], factory) : null] as const);
    this.weight = this.registerParameter("weight", w);
    this.bias = this.registerParameter("bias", b);
    if (initEnabled()) this.resetParameters();
  }

  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.weight.shape[1]!);
    uniform_(this.weight, -bound, bound);
    if (this.bias !== null) uniform_(this.bias, -bound, bound);
  }

  forward(input1: Tensor, input2: Tensor): Tensor {
    tensorArg("nn.Bilinear", "input1", input1);
    tensorArg("nn.Bilinear", "input2", input2);
    return F.bilinear(input1, input2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${py(this.bias !== null)}`;
  }
}
