// nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d.
import type { Tensor } from "../tensor.js";
import { checkBool, checkInt, checkOptions } from "../validate.js";
import { adaptiveAvgPool2d, avgPool2d, maxPool2d, pair, type Pair } from "./functional.js";
import { Module } from "./module.js";
import { py } from "./repr.js";

/** Python: `nn.MaxPool2d(kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False)`. */
export class MaxPool2d extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly ceilMode: boolean;

  constructor(kernelSize: Pair, options?: { stride?: Pair | null; padding?: Pair; dilation?: Pair; ceilMode?: boolean }) {
    super();
    const o = checkOptions("nn.MaxPool2d", options);
    pair("nn.MaxPool2d", "kernelSize", kernelSize, 1);
    this.kernelSize = kernelSize;
    this.stride = (o.stride ?? kernelSize) as Pair;
    this.padding = (o.padding ?? 0) as Pair;
    this.dilation = (o.dilation ?? 1) as Pair;
    this.ceilMode = o.ceilMode === undefined ? false : checkBool("nn.MaxPool2d", "ceilMode", o.ceilMode);
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }

  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}, ` +
      `dilation=${py(this.dilation)}, ceil_mode=${py(this.ceilMode)}`;
  }
}

/** Python: `nn.AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None)`. */
export class AvgPool2d extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(kernelSize: Pair,
    options?: { stride?: Pair | null; padding?: Pair; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number | null }) {
    super();
    const o = checkOptions("nn.AvgPool2d", options);
    pair("nn.AvgPool2d", "kernelSize", kernelSize, 1);
    this.kernelSize = kernelSize;
    this.stride = (o.stride ?? kernelSize) as Pair;
    this.padding = (o.padding ?? 0) as Pair;
    this.ceilMode = o.ceilMode === undefined ? false : checkBool("nn.AvgPool2d", "ceilMode", o.ceilMode);
    this.countIncludePad = o.countIncludePad === undefined ? true : checkBool("nn.AvgPool2d", "countIncludePad", o.countIncludePad);
    this.divisorOverride = o.divisorOverride === undefined || o.divisorOverride === null ? null : checkInt("nn.AvgPool2d", "divisorOverride", o.divisorOverride);
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, {
      stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}`;
  }
}

/** Python: `nn.AdaptiveAvgPool2d(output_size)`. */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: Pair;

  constructor(outputSize: Pair) {
    super();
    pair("nn.AdaptiveAvgPool2d", "outputSize", outputSize, 1);
    this.outputSize = outputSize;
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${py(this.outputSize)}`;
  }
}
