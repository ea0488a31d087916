// nn.MaxPool1d/2d/3d, nn.MaxUnpool1d/2d/3d and nn.FractionalMaxPool2d/3d of PyTorch 1.13 over
// their torch.nn.functional twins.
import { Tensor } from "../tensor/index.js";
import { argError, checkBool } from "../validate.js";
import { maxPool2d as maxPool2dNative } from "./functional.js";
import { fractionalMaxPool2d, fractionalMaxPool3d, maxPool1d, maxPool3d, maxUnpool1d, maxUnpool2d, maxUnpool3d } from "./functional_pooling.js";
import { bindArgs, type PyArgs } from "./functional_util.js";
import { Module } from "./module.js";
import { py } from "./repr.js";
import { sizeTuple } from "./conv.js";
import { givenSize, strideOr, type Ints, type PoolOutput } from "./pooling_args.js";

type PoolFn = (x: Tensor, ...a: unknown[]) => Tensor | [Tensor, Tensor];

type MaxPoolP<R> = [stride: Ints | null, padding: Ints, dilation: Ints, returnIndices: R, ceilMode: boolean];
type MaxPoolO<R> = { stride: Ints | null; padding: Ints; dilation: Ints; returnIndices: R; ceilMode: boolean };
export type MaxPoolArgs<R extends boolean> = PyArgs<MaxPoolP<R>, MaxPoolO<R>>;

/** Python: `torch.nn.modules.pooling._MaxPoolNd`. */
abstract class MaxPoolNd<R extends boolean> extends Module {
  readonly kernelSize: Ints;
  readonly stride: Ints;
  readonly padding: Ints;
  readonly dilation: Ints;
  readonly returnIndices: R;
  readonly ceilMode: boolean;
  protected abstract readonly op: PoolFn;

  protected constructor(n: number, kernelSize: unknown, args: readonly unknown[]) {
    super();
    const fn = `nn.${new.target.name}`;
    const a = bindArgs(fn, ["stride", "padding", "dilation", "returnIndices", "ceilMode"], args, 0, ["kernelSize"]);
    // Checked here, not at the first forward: a bad stride is the constructor call's mistake.
    this.kernelSize = givenSize(fn, "kernelSize", kernelSize, n, 1);
    this.stride = strideOr(fn, a.stride, this.kernelSize, n);
    this.padding = givenSize(fn, "padding", a.padding ?? 0, n, 0);
    this.dilation = givenSize(fn, "dilation", a.dilation ?? 1, n, 1);
    this.returnIndices = (a.returnIndices === undefined ? false : checkBool(fn, "returnIndices", a.returnIndices)) as R;
    this.ceilMode = a.ceilMode === undefined ? false : checkBool(fn, "ceilMode", a.ceilMode);
  }

  forward(x: Tensor): PoolOutput<R> {
    return this.op(x, this.kernelSize, this.stride, this.padding, this.dilation, this.ceilMode, this.returnIndices) as PoolOutput<R>;
  }

  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}, ` +
      `dilation=${py(this.dilation)}, ceil_mode=${py(this.ceilMode)}`;
  }
}

/** Python: `nn.MaxPool1d(kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False)`. */
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<R> {
  protected readonly op = maxPool1d as unknown as PoolFn;
  constructor(kernelSize: Ints, ...args: MaxPoolArgs<R>) {
    super(1, kernelSize, args);
  }
}

/** Python: `nn.MaxPool2d(kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False)`. */
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd<R> {
  // The hand-written native max_pool2d (ResNet's stem).
  protected readonly op = maxPool2dNative as unknown as PoolFn;
  constructor(kernelSize: Ints, ...args: MaxPoolArgs<R>) {
    super(2, kernelSize, args);
  }
}

/** Python: `nn.MaxPool3d(kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False)`. */
export class MaxPool3d<R extends boolean = false> extends MaxPoolNd<R> {
  protected readonly op = maxPool3d as unknown as PoolFn;
  constructor(kernelSize: Ints, ...args: MaxPoolArgs<R>) {
    super(3, kernelSize, args);
  }
}

type UnpoolFn = (x: Tensor, indices: Tensor, k: number[], s: number[], p: number[], outputSize: number[] | null) => Tensor;
export type MaxUnpoolArgs = PyArgs<[stride: Ints | null, padding: Ints], { stride: Ints | null; padding: Ints }>;

/** Python: `torch.nn.modules.pooling._MaxUnpoolNd` (sizes kept as tuples, as Python's _ntuple makes them). */
abstract class MaxUnpoolNd extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  protected abstract readonly op: UnpoolFn;

  protected constructor(n: number, kernelSize: unknown, args: readonly unknown[]) {
    super();
    const fn = `nn.${new.target.name}`;
    const a = bindArgs(fn, ["stride", "padding"], args, 0, ["kernelSize"]);
    this.kernelSize = sizeTuple(fn, "kernelSize", kernelSize, n, 1);
    this.stride = a.stride === undefined || a.stride === null ? [...this.kernelSize] : sizeTuple(fn, "stride", a.stride, n, 1);
    this.padding = sizeTuple(fn, "padding", a.padding ?? 0, n);
  }

  /** Python: `forward(input, indices, output_size=None)`. */
  forward(x: Tensor, indices: Tensor, ...args: PyArgs<[outputSize: number[] | null], { outputSize: number[] | null }>): Tensor {
    const a = bindArgs(`nn.${this.constructor.name}`, ["outputSize"], args, 0, ["input", "indices"]);
    return this.op(x, indices, this.kernelSize, this.stride, this.padding, (a.outputSize ?? null) as number[] | null);
  }

  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}`;
  }
}

/** Python: `nn.MaxUnpool1d(kernel_size, stride=None, padding=0)`. */
export class MaxUnpool1d extends MaxUnpoolNd {
  protected readonly op = maxUnpool1d as unknown as UnpoolFn;
  constructor(kernelSize: Ints, ...args: MaxUnpoolArgs) {
    super(1, kernelSize, args);
  }
}
/** Python: `nn.MaxUnpool2d(kernel_size, stride=None, padding=0)`. */
export class MaxUnpool2d extends MaxUnpoolNd {
  protected readonly op = maxUnpool2d as unknown as UnpoolFn;
  constructor(kernelSize: Ints, ...args: MaxUnpoolArgs) {
    super(2, kernelSize, args);
  }
}
/** Python: `nn.MaxUnpool3d(kernel_size, stride=None, padding=0)`. */
export class MaxUnpool3d extends MaxUnpoolNd {
  protected readonly op = maxUnpool3d as unknown as UnpoolFn;
  constructor(kernelSize: Ints, ...args: MaxUnpoolArgs) {
    super(3, kernelSize, args);
  }
}

type Ratio = number | number[];
type FracP<R> = [outputSize: Ints | null, outputRatio: Ratio | null, returnIndices: R, randomSamples: Tensor | null];
type FracO<R> = { outputSize: Ints | null; outputRatio: Ratio | null; returnIndices: R; randomSamples: Tensor | null };
export type FractionalMaxPoolArgs<R extends boolean> = PyArgs<FracP<R>, FracO<R>>;

/**
 * Python: `FractionalMaxPool{2,3}d`. Python's `_random_samples` is `randomSamples` here (a leading
 * underscore has no camelCase); it is the buffer `_random_samples`, as in Python.
 */
abstract class FractionalMaxPoolNd<R extends boolean> extends Module {
  readonly kernelSize: number[];
  readonly outputSize: number[] | null;
  readonly outputRatio: number[] | null;
  readonly returnIndices: R;
  protected abstract readonly op: PoolFn;

  protected constructor(n: number, kernelSize: unknown, args: readonly unknown[]) {
    super();
    const fn = `nn.${new.target.name}`;
    const a = bindArgs(fn, ["outputSize", "outputRatio", "returnIndices", "randomSamples"], args, 0, ["kernelSize"]);
    this.kernelSize = sizeTuple(fn, "kernelSize", kernelSize, n, 1);
    this.returnIndices = (a.returnIndices === undefined ? false : checkBool(fn, "returnIndices", a.returnIndices)) as R;
    const samples = a.randomSamples === undefined || a.randomSamples === null ? null : a.randomSamples;
    if (samples !== null && !(samples instanceof Tensor)) throw argError(fn, "randomSamples", "a Tensor or null", samples);
    this.registerBuffer("_random_samples", samples);
    const given = (v: unknown) => v !== undefined && v !== null;
    this.outputSize = given(a.outputSize) ? sizeTuple(fn, "outputSize", a.outputSize, n, 1) : null;
    let ratio: number[] | null = null;
    if (given(a.outputRatio)) {
      const r = typeof a.outputRatio === "number" ? Array<number>(n).fill(a.outputRatio) : Array.isArray(a.outputRatio) ? [...(a.outputRatio as unknown[])] : [];
      if (r.length !== n || !r.every((v) => typeof v === "number")) throw argError(fn, "outputRatio", `a number or ${n} numbers`, a.outputRatio);
      ratio = r as number[];
    }
    this.outputRatio = ratio;
    if (this.outputSize === null && ratio === null) throw new TypeError(`${fn}: ${new.target.name} requires specifying either an output size, or a pooling ratio`);
    if (this.outputSize !== null && ratio !== null) throw new TypeError(`${fn}: only one of output_size and output_ratio may be specified`);
    if (ratio !== null && !ratio.every((v) => v > 0 && v < 1)) throw argError(fn, "outputRatio", "numbers strictly between 0 and 1", a.outputRatio);
  }

  /** The samples buffer (Python: `_random_samples`), null when each forward draws its own. */
  get randomSamples(): Tensor | null {
    return (this.getAttr("_random_samples") as Tensor | null | undefined) ?? null;
  }

  forward(x: Tensor): PoolOutput<R> {
    return this.op(x, this.kernelSize, {
      outputSize: this.outputSize, outputRatio: this.outputRatio, returnIndices: this.returnIndices, randomSamples: this.randomSamples,
    }) as PoolOutput<R>;
  }
}

/** Python: `nn.FractionalMaxPool2d(kernel_size, output_size=None, output_ratio=None, return_indices=False, _random_samples=None)`. */
export class FractionalMaxPool2d<R extends boolean = false> extends FractionalMaxPoolNd<R> {
  protected readonly op = fractionalMaxPool2d as unknown as PoolFn;
  constructor(kernelSize: Ints, ...args: FractionalMaxPoolArgs<R>) {
    super(2, kernelSize, args);
  }
}

/** Python: `nn.FractionalMaxPool3d(kernel_size, output_size=None, output_ratio=None, return_indices=False, _random_samples=None)`. */
export class FractionalMaxPool3d<R extends boolean = false> extends FractionalMaxPoolNd<R> {
  protected readonly op = fractionalMaxPool3d as unknown as PoolFn;
  constructor(kernelSize: Ints, ...args: FractionalMaxPoolArgs<R>) {
    super(3, kernelSize, args);
  }
}
