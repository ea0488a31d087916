// nn.Dropout and its family (torch/nn/modules/dropout.py): each module holds p and inplace
// and calls its torch.nn.functional twin with the module's training flag.
import type { Tensor } from "../tensor/index.js";
import { argError, checkBool, checkNumber } from "../validate.js";
import { dropout } from "./functional.js";
import { alphaDropout, dropout1d, dropout2d, dropout3d, featureAlphaDropout } from "./functional_python.js";
import { bindArgs, type PyArgs } from "./functional_util.js";
import { Module } from "./module.js";
import { py, pyFloat } from "./repr.js";

/** The constructor arguments of every dropout module: `(p=0.5, inplace=False)`. */
export type DropoutArgs = PyArgs<[p: number, inplace: boolean], { p: number; inplace: boolean }>;

/** Python's `_DropoutNd`: checks p in [0, 1] when constructed, as PyTorch does. */
abstract class DropoutNd extends Module {
  readonly p: number;
  readonly inplace: boolean;

  constructor(...args: DropoutArgs) {
    super();
    const fn = `nn.${new.target.name}`;
    const o = bindArgs(fn, ["p", "inplace"], args, 0, []);
    const p = o.p === undefined ? 0.5 : checkNumber(fn, "p", o.p);
    if (!(p >= 0 && p <= 1)) throw argError(fn, "p", "a probability between 0 and 1", p);
    this.p = p;
    this.inplace = o.inplace === undefined ? false : checkBool(fn, "inplace", o.inplace);
  }

  abstract override forward(x: Tensor): Tensor;

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${py(this.inplace)}`;
  }
}

/** Python: `nn.Dropout(p=0.5, inplace=False)`: zeroes elements with probability p in training only. */
export class Dropout extends DropoutNd {
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.inplace);
  }
}

/** Python: `nn.Dropout1d(p=0.5, inplace=False)`: zeroes whole channels of (N, C, L) or (C, L). */
export class Dropout1d extends DropoutNd {
  forward(x: Tensor): Tensor {
    return dropout1d(x, this.p, this.training, this.inplace);
  }
}

/** Python: `nn.Dropout2d(p=0.5, inplace=False)`: zeroes whole channels of (N, C, H, W) or (C, H, W). */
export class Dropout2d extends DropoutNd {
  forward(x: Tensor): Tensor {
    return dropout2d(x, this.p, this.training, this.inplace);
  }
}

/** Python: `nn.Dropout3d(p=0.5, inplace=False)`: zeroes whole channels of (N, C, D, H, W) or (C, D, H, W). */
export class Dropout3d extends DropoutNd {
  forward(x: Tensor): Tensor {
    return dropout3d(x, this.p, this.training, this.inplace);
  }
}

/**
 * Python: `nn.AlphaDropout(p=0.5, inplace=False)`: dropout that keeps SELU's mean and variance.
 * As in PyTorch, `inplace` is stored and printed but the forward never works in place.
 */
export class AlphaDropout extends DropoutNd {
  forward(x: Tensor): Tensor {
    return alphaDropout(x, this.p, this.training);
  }
}

/** Python: `nn.FeatureAlphaDropout(p=0.5, inplace=False)`: alpha dropout of whole channels (inplace as AlphaDropout). */
export class FeatureAlphaDropout extends DropoutNd {
  forward(x: Tensor): Tensor {
    return featureAlphaDropout(x, this.p, this.training);
  }
}
