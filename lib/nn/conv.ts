// nn.Conv2d, initialised as PyTorch's _ConvNd.reset_parameters.
import { empty } from "../tensor/creation.js";
import { tidy } from "../memory.js";
import type { Device } from "../device.js";
import type { DType } from "../dtype.js";
import type { Tensor } from "../tensor/index.js";
import { argError, checkBool, checkNonNegInt, checkOptions, checkPositiveInt } from "../validate.js";
import { conv2dChecked, pair, type Pair } from "./functional.js";
import { factoryOptions } from "./factory.js";
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from "./init.js";
import { Module } from "./module.js";
import { initEnabled } from "./skip_init.js";
import { py } from "./repr.js";

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  device?: Device;
  dtype?: DType;
}

const CONV2D_OPTIONS = ["stride", "padding", "dilation", "groups", "bias", "device", "dtype"] as const;

/** Python: `nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True)`. */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options?: Conv2dOptions) {
    super();
    const fn = "nn.Conv2d";
    const o = checkOptions(fn, options, CONV2D_OPTIONS);
    // Zero channels are allowed, as in PyTorch (zero-element weights); negative ones are not.
    this.inChannels = checkNonNegInt(fn, "inChannels", inChannels);
    this.outChannels = checkNonNegInt(fn, "outChannels", outChannels);
    this.groups = o.groups === undefined ? 1 : checkPositiveInt(fn, "groups", o.groups);
    if (inChannels % this.groups !== 0) throw argError(fn, "groups", `a positive divisor of inChannels (${inChannels})`, this.groups);
    if (outChannels % this.groups !== 0) throw argError(fn, "groups", `a positive divisor of outChannels (${outChannels})`, this.groups);
    this.kernelSize = pair(fn, "kernelSize", kernelSize, 1);
    this.stride = pair(fn, "stride", o.stride ?? 1, 1);
    this.padding = pair(fn, "padding", o.padding ?? 0);
    this.dilation = pair(fn, "dilation", o.dilation ?? 1, 1);
    const bias = o.bias === undefined ? true : checkBool(fn, "bias", o.bias);
    const factory = factoryOptions(fn, o);
    // Made in one tidy: if the bias cannot be allocated, the weight made before it is freed.
    const [w, b] = tidy(() => [empty([outChannels, inChannels / this.groups, ...this.kernelSize], factory), bias ? empty([outChannels], factory) : null] as const);
    this.weight = this.registerParameter("weight", w);
    this.bias = this.registerParameter("bias", b);
    if (initEnabled()) this.resetParameters();
  }

  /** kaiming_uniform_(a=√5) weights and a fan-in uniform bias, as PyTorch. */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        uniform_(this.bias, -bound, bound);
      }
    }
  }

  forward(x: Tensor): Tensor {
    // The constructor checked the configuration: a forward checks only its input.
    return conv2dChecked(x, this.weight, this.bias, this.stride, this.padding, this.dilation, this.groups);
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}`;
    if (this.padding.some((p) => p !== 0)) s += `, padding=${py(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${py(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    return s;
  }
}
