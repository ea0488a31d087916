// nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d.
import type { Tensor } from "../tensor/index.js";
import { checkBool, checkOptions, checkPositiveInt } from "../validate.js";
import { adaptiveAvgPool2d, avgPool2d, maxPool2d, pair, type Pair } from "./functional.js";
import { Module } from "./module.js";
import { py } from "./repr.js";

/** Checks an int-or-pair argument and keeps it as given (an int prints as an int, as PyTorch). */
function pairArg(fn: string, arg: string, value: unknown, min: number): Pair {
  pair(fn, arg, value, min);
  return value as Pair;
}

/** Python: `nn.MaxPool2d(kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False)`. */
export class MaxPool2d extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly ceilMode: boolean;

  constructor(kernelSize: Pair, options?: { stride?: Pair | null; padding?: Pair; dilation?: Pair; ceilMode?: boolean }) {
    super();
    const fn = "nn.MaxPool2d";
    const o = checkOptions(fn, options, ["stride", "padding", "dilation", "ceilMode"]);
    // Checked here, not at the first forward: a bad stride is the constructor call's mistake.
    this.kernelSize = pairArg(fn, "kernelSize", kernelSize, 1);
    this.stride = o.stride === undefined || o.stride === null ? kernelSize : pairArg(fn, "stride", o.stride, 1);
    this.padding = o.padding === undefined ? 0 : pairArg(fn, "padding", o.padding, 0);
    this.dilation = o.dilation === undefined ? 1 : pairArg(fn, "dilation", o.dilation, 1);
    this.ceilMode = o.ceilMode === undefined ? false : checkBool(fn, "ceilMode", o.ceilMode);
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
    const fn = "nn.AvgPool2d";
    const o = checkOptions(fn, options, ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"]);
    this.kernelSize = pairArg(fn, "kernelSize", kernelSize, 1);
    this.stride = o.stride === undefined || o.stride === null ? kernelSize : pairArg(fn, "stride", o.stride, 1);
    this.padding = o.padding === undefined ? 0 : pairArg(fn, "padding", o.padding, 0);
    this.ceilMode = o.ceilMode === undefined ? false : checkBool(fn, "ceilMode", o.ceilMode);
    this.countIncludePad = o.countIncludePad === undefined ? true : checkBool(fn, "countIncludePad", o.countIncludePad);
    this.divisorOverride = o.divisorOverride === undefined || o.divisorOverride === null ? null : checkPositiveInt(fn, "divisorOverride", o.divisorOverride);
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
    this.outputSize = pairArg("nn.AdaptiveAvgPool2d", "outputSize", outputSize, 1);
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${py(this.outputSize)}`;
  }
}
