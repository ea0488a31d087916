// nn.AdaptiveMaxPool1d/2d/3d and nn.AdaptiveAvgPool1d/2d/3d of PyTorch 1.13 over their
// torch.nn.functional twins; output_size is kept as given (null entries keep the input's size).
import type { Tensor } from "../tensor/index.js";
import { checkBool } from "../validate.js";
import { adaptiveAvgPool2d as adaptiveAvgPool2dNative } from "./functional.js";
import { adaptiveAvgPool1d, adaptiveAvgPool3d, adaptiveMaxPool1d, adaptiveMaxPool2d, adaptiveMaxPool3d } from "./functional_pooling.js";
import { bindArgs, type PyArgs } from "./functional_util.js";
import { Module } from "./module.js";
import { py } from "./repr.js";
import { optSize, type OptInts, type PoolOutput } from "./pooling_args.js";

type PoolFn = (x: Tensor, ...a: unknown[]) => Tensor | [Tensor, Tensor];
export type AdaptiveMaxPoolArgs<R extends boolean> = PyArgs<[returnIndices: R], { returnIndices: R }>;

/** Python: `torch.nn.modules.pooling._AdaptiveMaxPoolNd`. */
abstract class AdaptiveMaxPoolNd<R extends boolean> extends Module {
  readonly outputSize: OptInts;
  readonly returnIndices: R;
  protected abstract readonly op: PoolFn;

  protected constructor(n: number, outputSize: unknown, args: readonly unknown[]) {
    super();
    const fn = `nn.${new.target.name}`;
    const a = bindArgs(fn, ["returnIndices"], args, 0, ["outputSize"]);
    this.outputSize = optSize(fn, outputSize, n);
    this.returnIndices = (a.returnIndices === undefined ? false : checkBool(fn, "returnIndices", a.returnIndices)) as R;
  }

  forward(x: Tensor): PoolOutput<R> {
    return this.op(x, this.outputSize, this.returnIndices) as PoolOutput<R>;
  }

  override extraRepr(): string {
    return `output_size=${py(this.outputSize)}`;
  }
}

/** Python: `nn.AdaptiveMaxPool1d(output_size, return_indices=False)`. */
export class AdaptiveMaxPool1d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  protected readonly op = adaptiveMaxPool1d as unknown as PoolFn;
  constructor(outputSize: OptInts, ...args: AdaptiveMaxPoolArgs<R>) {
    super(1, outputSize, args);
  }
}
/** Python: `nn.AdaptiveMaxPool2d(output_size, return_indices=False)`. */
export class AdaptiveMaxPool2d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  protected readonly op = adaptiveMaxPool2d as unknown as PoolFn;
  constructor(outputSize: OptInts, ...args: AdaptiveMaxPoolArgs<R>) {
    super(2, outputSize, args);
  }
}
/** Python: `nn.AdaptiveMaxPool3d(output_size, return_indices=False)`. */
export class AdaptiveMaxPool3d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  protected readonly op = adaptiveMaxPool3d as unknown as PoolFn;
  constructor(outputSize: OptInts, ...args: AdaptiveMaxPoolArgs<R>) {
    super(3, outputSize, args);
  }
}

/** Python: `torch.nn.modules.pooling._AdaptiveAvgPoolNd`. */
abstract class AdaptiveAvgPoolNd extends Module {
  readonly outputSize: OptInts;
  protected abstract readonly op: (x: Tensor, outputSize: OptInts) => Tensor;

  protected constructor(n: number, outputSize: unknown) {
    super();
    this.outputSize = optSize(`nn.${new.target.name}`, outputSize, n);
  }

  forward(x: Tensor): Tensor {
    return this.op(x, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${py(this.outputSize)}`;
  }
}

/** Python: `nn.AdaptiveAvgPool1d(output_size)`. */
export class AdaptiveAvgPool1d extends AdaptiveAvgPoolNd {
  protected readonly op = adaptiveAvgPool1d as (x: Tensor, outputSize: OptInts) => Tensor;
  constructor(outputSize: OptInts) {
    super(1, outputSize);
  }
}
/** Python: `nn.AdaptiveAvgPool2d(output_size)`. */
export class AdaptiveAvgPool2d extends AdaptiveAvgPoolNd {
  // The hand-written native adaptive_avg_pool2d (ResNet's head).
  protected readonly op = adaptiveAvgPool2dNative as (x: Tensor, outputSize: OptInts) => Tensor;
  constructor(outputSize: OptInts) {
    super(2, outputSize);
  }
}
/** Python: `nn.AdaptiveAvgPool3d(output_size)`. */
export class AdaptiveAvgPool3d extends AdaptiveAvgPoolNd {
  protected readonly op = adaptiveAvgPool3d as (x: Tensor, outputSize: OptInts) => Tensor;
  constructor(outputSize: OptInts) {
    super(3, outputSize);
  }
}
