// nn.AvgPool1d/2d/3d and nn.LPPool1d/2d of PyTorch 1.13 over their torch.nn.functional twins.
import type { Tensor } from "../tensor/index.js";
import { checkBool, checkInt, checkNumber } from "../validate.js";
import { avgPool2d as avgPool2dNative } from "./functional.js";
import { avgPool1d, avgPool3d, lpPool1d, lpPool2d } from "./functional_pooling.js";
import { bindArgs, type PyArgs } from "./functional_util.js";
import { Module } from "./module.js";
import { py } from "./repr.js";
import { sizeTuple } from "./conv.js";
import { givenSize, strideOr, type Ints } from "./pooling_args.js";

type PoolFn = (x: Tensor, ...a: unknown[]) => Tensor;
type AvgP = [stride: Ints | null, padding: Ints, ceilMode: boolean, countIncludePad: boolean, divisorOverride: number | null];
type AvgO = { stride: Ints | null; padding: Ints; ceilMode: boolean; countIncludePad: boolean; divisorOverride: number | null };
export type AvgPool1dArgs = PyArgs<[stride: Ints | null, padding: Ints, ceilMode: boolean, countIncludePad: boolean], Omit<AvgO, "divisorOverride">>;
export type AvgPoolArgs = PyArgs<AvgP, AvgO>;

/** Python: `torch.nn.modules.pooling._AvgPoolNd`. */
abstract class AvgPoolNd extends Module {
  readonly kernelSize: Ints;
  readonly stride: Ints;
  readonly padding: Ints;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  protected abstract readonly op: PoolFn;

  protected constructor(n: number, kernelSize: unknown, a: Record<string, unknown>) {
    super();
    const fn = `nn.${new.target.name}`;
    // AvgPool1d applies _single to its sizes (so they print as tuples); 2d and 3d keep them as given.
    const size = (arg: string, v: unknown, min: number) => (n === 1 ? sizeTuple(fn, arg, v, 1, min) : givenSize(fn, arg, v, n, min));
    this.kernelSize = size("kernelSize", kernelSize, 1);
    this.stride = a.stride === undefined || a.stride === null ? this.kernelSize : n === 1 ? size("stride", a.stride, 1) : strideOr(fn, a.stride, this.kernelSize, n);
    this.padding = size("padding", a.padding ?? 0, 0);
    this.ceilMode = a.ceilMode === undefined ? false : checkBool(fn, "ceilMode", a.ceilMode);
    this.countIncludePad = a.countIncludePad === undefined ? true : checkBool(fn, "countIncludePad", a.countIncludePad);
  }

  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}`;
  }
}

/** Python: `nn.AvgPool1d(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True)`. */
export class AvgPool1d extends AvgPoolNd {
  protected readonly op = avgPool1d as unknown as PoolFn;
  constructor(kernelSize: Ints, ...args: AvgPool1dArgs) {
    super(1, kernelSize, bindArgs("nn.AvgPool1d", ["stride", "padding", "ceilMode", "countIncludePad"], args, 0, ["kernelSize"]));
  }

  forward(x: Tensor): Tensor {
    return this.op(x, this.kernelSize, this.stride, this.padding, this.ceilMode, this.countIncludePad);
  }
}

abstract class AvgPoolWithDivisor extends AvgPoolNd {
  readonly divisorOverride: number | null;

  protected constructor(n: number, kernelSize: unknown, args: readonly unknown[]) {
    const fn = n === 2 ? "nn.AvgPool2d" : "nn.AvgPool3d";
    const a = bindArgs(fn, ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"], args, 0, ["kernelSize"]);
    super(n, kernelSize, a);
    // Python lets any int through to ATen, which refuses 0 at the forward; refused here at once.
    this.divisorOverride = a.divisorOverride === undefined || a.divisorOverride === null ? null : checkInt(fn, "divisorOverride", a.divisorOverride);
    if (this.divisorOverride === 0) throw new TypeError(`${fn}: expected divisorOverride to be a positive integer, but received 0`);
  }

  forward(x: Tensor): Tensor {
    return this.op(x, this.kernelSize, this.stride, this.padding, this.ceilMode, this.countIncludePad, this.divisorOverride);
  }
}

/** Python: `nn.AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None)`. */
export class AvgPool2d extends AvgPoolWithDivisor {
  // The hand-written native avg_pool2d.
  protected readonly op = avgPool2dNative as unknown as PoolFn;
  constructor(kernelSize: Ints, ...args: AvgPoolArgs) {
    super(2, kernelSize, args);
  }
}

/** Python: `nn.AvgPool3d(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None)`. */
export class AvgPool3d extends AvgPoolWithDivisor {
  protected readonly op = avgPool3d as unknown as PoolFn;
  constructor(kernelSize: Ints, ...args: AvgPoolArgs) {
    super(3, kernelSize, args);
  }
}

export type LPPoolArgs = PyArgs<[stride: Ints | null, ceilMode: boolean], { stride: Ints | null; ceilMode: boolean }>;

/** Python: `torch.nn.modules.pooling._LPPoolNd` (sizes kept as given, stride None printed as None). */
abstract class LPPoolNd extends Module {
  readonly normType: number;
  readonly kernelSize: Ints;
  readonly stride: Ints | null;
  readonly ceilMode: boolean;
  protected abstract readonly op: PoolFn;

  protected constructor(n: number, normType: unknown, kernelSize: unknown, args: readonly unknown[]) {
    super();
    const fn = `nn.${new.target.name}`;
    const a = bindArgs(fn, ["stride", "ceilMode"], args, 0, ["normType", "kernelSize"]);
    this.normType = checkNumber(fn, "normType", normType);
    this.kernelSize = givenSize(fn, "kernelSize", kernelSize, n, 1);
    this.stride = a.stride === undefined || a.stride === null ? null : givenSize(fn, "stride", a.stride, n, 1);
    this.ceilMode = a.ceilMode === undefined ? false : checkBool(fn, "ceilMode", a.ceilMode);
  }

  forward(x: Tensor): Tensor {
    return this.op(x, this.normType, this.kernelSize, this.stride, this.ceilMode);
  }

  override extraRepr(): string {
    return `norm_type=${py(this.normType)}, kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, ceil_mode=${py(this.ceilMode)}`;
  }
}

/** Python: `nn.LPPool1d(norm_type, kernel_size, stride=None, ceil_mode=False)`. */
export class LPPool1d extends LPPoolNd {
  protected readonly op = lpPool1d as unknown as PoolFn;
  constructor(normType: number, kernelSize: Ints, ...args: LPPoolArgs) {
    super(1, normType, kernelSize, args);
  }
}

/** Python: `nn.LPPool2d(norm_type, kernel_size, stride=None, ceil_mode=False)`. */
export class LPPool2d extends LPPoolNd {
  protected readonly op = lpPool2d as unknown as PoolFn;
  constructor(normType: number, kernelSize: Ints, ...args: LPPoolArgs) {
    super(2, normType, kernelSize, args);
  }
}
