// nn.BatchNorm1d / BatchNorm2d as PyTorch's _BatchNorm: batch statistics in training with a
// running-stat update (momentum, or a cumulative average when momentum is null), running
// statistics in eval.
import { full, ones, zeros } from "../tensor/creation.js";
import { tidy } from "../memory.js";
import type { Device } from "../device.js";
import type { DType } from "../dtype.js";
import { TorchError } from "../errors.js";
import { noGrad } from "../autograd.js";
import { Tensor } from "../tensor/index.js";
import { argError, checkBool, checkNonNegInt, checkNumberIn, checkOptions } from "../validate.js";
import { factoryOptions } from "./factory.js";
import { batchNormChecked } from "./functional.js";
import { Module } from "./module.js";
import { pyFloat, py } from "./repr.js";

export interface BatchNormOptions {
  eps?: number;
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
  device?: Device;
  dtype?: DType;
}

abstract class BatchNorm extends Module {
  static override readonly version: number = 2;
  readonly numFeatures: number;
  readonly eps: number;
  momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;

  constructor(numFeatures: number, options?: BatchNormOptions) {
    super();
    const fn = `nn.${new.target.name}`;
    const o = checkOptions(fn, options, ["eps", "momentum", "affine", "trackRunningStats", "device", "dtype"]);
    this.numFeatures = checkNonNegInt(fn, "numFeatures", numFeatures);
    // PyTorch takes any eps and momentum; a negative eps or a NaN only shows up as NaN outputs.
    this.eps = o.eps === undefined ? 1e-5 : checkNumberIn(fn, "eps", o.eps, 0, Number.MAX_VALUE);
    this.momentum = o.momentum === undefined ? 0.1 : o.momentum === null ? null : checkNumberIn(fn, "momentum", o.momentum, 0, 1, "a number between 0 and 1 or null");
    this.affine = o.affine === undefined ? true : checkBool(fn, "affine", o.affine);
    this.trackRunningStats = o.trackRunningStats === undefined ? true : checkBool(fn, "trackRunningStats", o.trackRunningStats);
    const factory = factoryOptions(fn, o);
    // Made in one tidy: if one cannot be allocated, those made before it are freed.
    const [w, b, mean, variance, count] = tidy(() => [
      this.affine ? ones([numFeatures], factory) : null, this.affine ? zeros([numFeatures], factory) : null,
      this.trackRunningStats ? zeros([numFeatures], factory) : null, this.trackRunningStats ? ones([numFeatures], factory) : null,
      this.trackRunningStats ? full([], 0n, { dtype: "int64", device: factory.device }) : null,
    ] as const);
    this.weight = this.registerParameter("weight", w);
    this.bias = this.registerParameter("bias", b);
    this.runningMean = this.registerBuffer("running_mean", mean);
    this.runningVar = this.registerBuffer("running_var", variance);
    this.registerBuffer("num_batches_tracked", count);
  }

  /** The int64 count of training batches seen (Python: `num_batches_tracked`). */
  get numBatchesTracked(): Tensor | null {
    return this.getAttr("num_batches_tracked") as Tensor | null;
  }

  protected abstract checkInputDim(x: Tensor): void;

  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw argError(`nn.${this.constructor.name}`, "input", "a Tensor", x);
    this.checkInputDim(x);
    let factor = this.momentum ?? 0;
    const tracked = this.numBatchesTracked;
    if (this.training && this.trackRunningStats && tracked !== null) {
      noGrad(() => tracked.add_(1));
      factor = this.momentum === null ? 1 / Number(tracked.item()) : this.momentum;
    }
    const bnTraining = this.training ? true : this.runningMean === null && this.runningVar === null;
    const useStats = !this.training || this.trackRunningStats;
    // The constructor made every parameter and buffer: a forward checks only its input.
    return batchNormChecked(x, useStats ? this.runningMean : null, useStats ? this.runningVar : null, this.weight, this.bias, bnTraining, factor, this.eps);
  }

  /** Checkpoints older than version 2 have no num_batches_tracked: PyTorch fills in 0. */
  protected override loadFromStateDict(stateDict: Map<string, unknown>, prefix: string, version: number | undefined): void {
    const key = `${prefix}num_batches_tracked`;
    if ((version === undefined || version < 2) && this.trackRunningStats && !stateDict.has(key)) {
      stateDict.set(key, full([], 0n, { dtype: "int64" }));
    }
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? "None" : pyFloat(this.momentum)}, ` +
      `affine=${py(this.affine)}, track_running_stats=${py(this.trackRunningStats)}`;
  }
}

/** Python: `nn.BatchNorm2d(num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True)`. */
export class BatchNorm2d extends BatchNorm {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 4) throw new TorchError(`nn.BatchNorm2d: expected 4D input (got ${x.ndim}D input)`);
  }
}

/** Python: `nn.BatchNorm1d(...)`: input (N, C) or (N, C, L). */
export class BatchNorm1d extends BatchNorm {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw new TorchError(`nn.BatchNorm1d: expected 2D or 3D input (got ${x.ndim}D input)`);
  }
}
