// Python: nn.SyncBatchNorm and SyncBatchNorm.convert_sync_batchnorm. As in PyTorch 1.13, the
// cross-process statistics exist only for CUDA inputs (Python raises "SyncBatchNorm expected
// input tensor to be on GPU" for any other); torch-ts raises the same for CPU inputs, and for
// CUDA inputs in a multi-rank group it has no implementation yet (it would need NCCL and a
// custom autograd function for the backward all-reduce) and says so. Conversion works and
// shares the original module's tensors, so a converted model's state dict is unchanged.
import type { Device } from "../device.js";
import type { DType } from "../dtype.js";
import { TorchError } from "../errors.js";
import { Tensor } from "../tensor/index.js";
import { argError, checkOptions } from "../validate.js";
import { getWorldSize, isInitialized, type ProcessGroup } from "../distributed/process_group.js";
import { BatchNorm1d, BatchNorm2d, BatchNorm3d, NormBase } from "./batchnorm.js";
import { Module } from "./module.js";

export interface SyncBatchNormOptions {
  eps?: number;
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
  processGroup?: ProcessGroup | null;
  device?: Device;
  dtype?: DType;
}

export class SyncBatchNorm extends NormBase {
  processGroup: ProcessGroup | null;

  /** Python: `nn.SyncBatchNorm(num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, process_group=None)`. */
  constructor(numFeatures: number, options?: SyncBatchNormOptions) {
    const o = checkOptions("nn.SyncBatchNorm", options, ["eps", "momentum", "affine", "trackRunningStats", "processGroup", "device", "dtype"]);
    const { processGroup, ...rest } = o;
    super("nn.SyncBatchNorm", numFeatures, Object.keys(rest).length > 0 ? [rest] : [], true);
    this.processGroup = (processGroup as ProcessGroup | null | undefined) ?? null;
  }

  protected checkInputDim(x: Tensor): void {
    if (x.ndim < 2) throw new RangeError(`expected at least 2D input (got ${x.ndim}D input)`);
  }

  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw argError("nn.SyncBatchNorm", "input", "a Tensor", x);
    if (!x.device.startsWith("cuda")) throw new TorchError("SyncBatchNorm expected input tensor to be on GPU");
    this.checkInputDim(x);
    if (x.shape[1] === 0) throw new RangeError("SyncBatchNorm number of input channels should be non-zero");
    const needSync = this.training && isInitialized() && getWorldSize(this.processGroup) > 1;
    if (needSync) {
      throw new TorchError("nn.SyncBatchNorm: cross-process batch statistics need the NCCL backend, which this build of torch-ts does not have; use BatchNorm (per-rank statistics) under DDP");
    }
    return this.normalize(x, this.step());
  }

  /**
   * Python: `SyncBatchNorm.convert_sync_batchnorm(module, process_group=None)`: every
   * BatchNorm*d in the tree becomes a SyncBatchNorm holding the same parameters and buffers.
   */
  static convertSyncBatchnorm<M extends Module>(module: M, processGroup: ProcessGroup | null = null): M | SyncBatchNorm {
    let out: Module = module;
    if (module instanceof BatchNorm1d || module instanceof BatchNorm2d || module instanceof BatchNorm3d || module instanceof SyncBatchNorm) {
      const bn = module as NormBase;
      const sync = new SyncBatchNorm(bn.numFeatures, { eps: bn.eps, momentum: bn.momentum, affine: bn.affine, trackRunningStats: bn.trackRunningStats, processGroup });
      const fields = sync as unknown as Record<string, unknown>;
      if (bn.affine) {
        fields.weight = bn.weight;
        fields.bias = bn.bias;
      }
      sync.registerBuffer("running_mean", bn.runningMean);
      sync.registerBuffer("running_var", bn.runningVar);
      sync.registerBuffer("num_batches_tracked", bn.numBatchesTracked);
      fields.runningMean = bn.runningMean;
      fields.runningVar = bn.runningVar;
      out = sync;
    }
    for (const [name, child] of module.namedChildren()) out.registerModule(name, SyncBatchNorm.convertSyncBatchnorm(child, processGroup));
    return out as M | SyncBatchNorm;
  }
}
