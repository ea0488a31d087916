// nn.InstanceNorm1d/2d/3d as PyTorch's _InstanceNorm (torch/nn/modules/instancenorm.py):
// per-sample, per-channel statistics; affine and trackRunningStats default to false. An input
// without its batch dimension is normalized as a batch of one, as Python does.
import { TorchError } from "../errors.js";
import { Tensor } from "../tensor/index.js";
import { argError } from "../validate.js";
import { NormBase, type NormArgs } from "./batchnorm.js";
import { instanceNorm } from "./functional_python.js";

abstract class InstanceNorm extends NormBase {
  constructor(numFeatures: number, ...args: NormArgs) {
    super(`nn.${new.target.name}`, numFeatures, args, false);
  }

  /** The rank of an input without its batch dimension (Python: `_get_no_batch_dim`). */
  protected abstract readonly noBatchDim: number;

  protected checkInputDim(x: Tensor): void {
    const d = this.noBatchDim;
    if (x.ndim !== d && x.ndim !== d + 1) throw new TorchError(`nn.${this.constructor.name}: expected ${d}D or ${d + 1}D input (got ${x.ndim}D input)`);
  }

  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw argError(`nn.${this.constructor.name}`, "input", "a Tensor", x);
    this.checkInputDim(x);
    if (x.ndim === this.noBatchDim) return this.#apply(x.unsqueeze(0)).squeeze(0);
    return this.#apply(x);
  }

  #apply(x: Tensor): Tensor {
    // Python hands momentum to torch.instance_norm, whose float argument refuses None.
    if (this.momentum === null) throw new TypeError(`nn.${this.constructor.name}: expected momentum to be a number (InstanceNorm does not take None), but received null`);
    return instanceNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, this.training || !this.trackRunningStats, this.momentum, this.eps);
  }

  /**
   * A checkpoint without version metadata (before PyTorch 0.4) may carry running stats that a
   * module without trackRunningStats has no buffers for: Python refuses them with this message.
   */
  protected override loadFromStateDict(stateDict: Map<string, unknown>, prefix: string, version: number | undefined): void {
    if (version === undefined && !this.trackRunningStats) {
      const keys = ["running_mean", "running_var"].map((n) => prefix + n).filter((k) => stateDict.has(k));
      if (keys.length > 0) {
        const klass = this.constructor.name;
        throw new TorchError(`Error(s) in loading state_dict for ${klass}:\n\tUnexpected running stats buffer(s) ${keys.map((k) => `"${k}"`).join(" and ")} for ${klass} ` +
          "with track_running_stats=False. If state_dict is a checkpoint saved before 0.4.0, this may be expected because " +
          `${klass} does not track running stats by default since 0.4.0. Please remove these keys from state_dict. If the running ` +
          `stats are actually needed, instead set track_running_stats=True in ${klass} to enable them. See the documentation of ${klass} for details.`);
      }
    }
    super.loadFromStateDict(stateDict, prefix, version);
  }
}

/** Python: `nn.InstanceNorm1d(num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False)`: input (N, C, L) or (C, L). */
export class InstanceNorm1d extends InstanceNorm {
  protected readonly noBatchDim = 2;
}

/** Python: `nn.InstanceNorm2d(num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False)`: input (N, C, H, W) or (C, H, W). */
export class InstanceNorm2d extends InstanceNorm {
  protected readonly noBatchDim = 3;
}

/** Python: `nn.InstanceNorm3d(num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False)`: input (N, C, D, H, W) or (C, D, H, W). */
export class InstanceNorm3d extends InstanceNorm {
  protected readonly noBatchDim = 4;
}
