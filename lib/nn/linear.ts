// nn.Linear, nn.Identity, nn.Flatten.
import { empty } from "../tensor/creation.js";
import { tidy } from "../memory.js";
import type { Device } from "../device.js";
import type { DType } from "../dtype.js";
import type { Tensor } from "../tensor/index.js";
import { checkBool, checkInt, checkNonNegInt } from "../validate.js";
import { bindArgs, type PyArgs } from "../tensor/python_args.js";
import { factoryOptions } from "./factory.js";
import { linear } from "./functional.js";
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from "./init.js";
import { Module } from "./module.js";
import { initEnabled } from "./skip_init.js";
import { py } from "./repr.js";

/** Python: `nn.Linear(in_features, out_features, bias=True)`, initialised as PyTorch. */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, ...args: PyArgs<[bias: boolean, device: Device, dtype: DType], { bias: boolean; device: Device; dtype: DType }>) {
    super();
    const fn = "nn.Linear";
    // Python: Linear(in_features, out_features, bias=True, device=None, dtype=None).
    const o = bindArgs(fn, ["bias", "device", "dtype"], args, 0, ["inFeatures", "outFeatures"]);
    // 0 is allowed, as in PyTorch (a zero-element weight; see nn_init.test.ts).
    this.inFeatures = checkNonNegInt(fn, "inFeatures", inFeatures);
    this.outFeatures = checkNonNegInt(fn, "outFeatures", outFeatures);
    const bias = o.bias === undefined ? true : checkBool(fn, "bias", o.bias);
    const factory = factoryOptions(fn, o);
    // Made in one tidy: if the bias cannot be allocated, the weight made before it is freed.
    const [w, b] = tidy(() => [empty([outFeatures, inFeatures], factory), bias ? empty([outFeatures], factory) : null] as const);
    this.weight = this.registerParameter("weight", w);
    this.bias = this.registerParameter("bias", b);
    if (initEnabled()) this.resetParameters();
  }

  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${py(this.bias !== null)}`;
  }
}

/** Python: `nn.Identity()`. */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Python: `nn.Flatten(start_dim=1, end_dim=-1)`. */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
    checkInt("nn.Flatten", "startDim", startDim);
    checkInt("nn.Flatten", "endDim", endDim);
  }

  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
