// nn.BatchNorm1d/2d/3d as PyTorch's _BatchNorm: batch statistics in training with a
// running-stat update (momentum, or a cumulative average when momentum is null), running
// statistics in eval. NormBase (Python's _NormBase) is shared with nn.InstanceNorm*.
// Constructors follow the calling rule: `new nn.BatchNorm2d(64, 1e-5, 0.1)` or `{ eps, momentum }`.
import { full, ones, zeros } from "../tensor/creation.js";
import { tidy } from "../memory.js";
import type { Device } from "../device.js";
import type { DType } from "../dtype.js";
import { TorchError } from "../errors.js";
import { noGrad } from "../autograd.js";
import { Tensor } from "../tensor/index.js";
import { argError, checkBool, checkNonNegInt, checkNumberIn } from "../validate.js";
import { bindArgs, type PyArgs } from "./functional_util.js";
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

/** What follows numFeatures in Python's `_NormBase` signature, by the calling rule. */
export type NormArgs = PyArgs<[eps: number, momentum: number | null, affine: boolean, trackRunningStats: boolean, device: Device, dtype: DType], BatchNormOptions>;
const NORM_PARAMS = ["eps", "momentum", "affine", "trackRunningStats", "device", "dtype"] as const;

/**
 * Python's `_NormBase`, the common base of _BatchNorm and _InstanceNorm: weight/bias when
 * affine, running_mean/running_var/num_batches_tracked when tracking running statistics.
 */
export abstract class NormBase extends Module {
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

  /** `defaults`: affine and trackRunningStats when not given (true for BatchNorm, false for InstanceNorm). */
  protected constructor(fn: string, numFeatures: number, args: readonly unknown[], defaults: boolean) {
    super();
    const o = bindArgs(fn, NORM_PARAMS, args, 0, ["numFeatures"]);
    this.numFeatures = checkNonNegInt(fn, "numFeatures", numFeatures);
    // PyTorch takes any eps and momentum; a negative eps or a NaN only shows up as NaN outputs.
    this.eps = o.eps === undefined ? 1e-5 : checkNumberIn(fn, "eps", o.eps, 0, Number.MAX_VALUE);
    this.momentum = o.momentum === undefined ? 0.1 : o.momentum === null ? null : checkNumberIn(fn, "momentum", o.momentum, 0, 1, "a number between 0 and 1 or null");
    this.affine = o.affine === undefined ? defaults : checkBool(fn, "affine", o.affine);
    this.trackRunningStats = o.trackRunningStats === undefined ? defaults : checkBool(fn, "trackRunningStats", o.trackRunningStats);
    const factory = factoryOptions(fn, o);
    // Made in one tidy: if one cannot be allocated, those made before it are freed. The values
    // are reset_parameters' (ones_/zeros_ and reset_running_stats), which draw nothing.
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

  /** Python: `reset_running_stats()`. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      this.runningMean?.zero_();
      this.runningVar?.fill_(1);
      this.numBatchesTracked?.zero_();
    });
  }

  /** Python: `reset_parameters()`. */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight !== null && this.bias !== null) {
      noGrad(() => {
        this.weight!.fill_(1);
        this.bias!.zero_();
      });
    }
  }

  /** The int64 count of training batches seen (Python: `num_batches_tracked`). */
  get numBatchesTracked(): Tensor | null {
    return this.getAttr("num_batches_tracked") as Tensor | null;
  }

  protected abstract checkInputDim(x: Tensor): void;

  /**
   * One forward's bookkeeping, as _BatchNorm.forward does it: counts a training batch, and
   * gives the running-average factor and whether batch statistics normalize.
   */
  protected step(): { factor: number; bnTraining: boolean } {
    let factor = this.momentum ?? 0;
    const tracked = this.numBatchesTracked;
    if (this.training && this.trackRunningStats && tracked !== null) {
      noGrad(() => tracked.add_(1));
      factor = this.momentum === null ? 1 / Number(tracked.item()) : this.momentum;
    }
    return { factor, bnTraining: this.training ? true : this.runningMean === null && this.runningVar === null };
  }

  /** F.batch_norm with the buffers when they are tracked (or in eval). */
  protected normalize(x: Tensor, { factor, bnTraining }: { factor: number; bnTraining: boolean }): Tensor {
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

/** Python's `_BatchNorm`: batch statistics in training, running statistics in eval. */
abstract class BatchNorm extends NormBase {
  constructor(numFeatures: number, ...args: NormArgs) {
    super(`nn.${new.target.name}`, numFeatures, args, true);
  }

  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw argError(`nn.${this.constructor.name}`, "input", "a Tensor", x);
    this.checkInputDim(x);
    return this.normalize(x, this.step());
  }
}

/** Python: `nn.BatchNorm2d(num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True)`. */
export class BatchNorm2d extends BatchNorm {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 4) throw new TorchError(`nn.BatchNorm2d: expected 4D input (got ${x.ndim}D input)`);
  }
}

/** Python: `nn.BatchNorm1d(num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True)`: input (N, C) or (N, C, L). */
export class BatchNorm1d extends BatchNorm {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw new TorchError(`nn.BatchNorm1d: expected 2D or 3D input (got ${x.ndim}D input)`);
  }
}

/** Python: `nn.BatchNorm3d(num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True)`: input (N, C, D, H, W). */
export class BatchNorm3d extends BatchNorm {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 5) throw new TorchError(`nn.BatchNorm3d: expected 5D input (got ${x.ndim}D input)`);
  }
}
