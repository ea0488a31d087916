// nn.ReLU and nn.Dropout.
import type { Tensor } from "../tensor.js";
import { argError, checkBool, checkNumber, checkOptions } from "../validate.js";
import { dropout, relu } from "./functional.js";
import { Module } from "./module.js";
import { py, pyFloat } from "./repr.js";

/** Python: `nn.ReLU(inplace=False)`. */
export class ReLU extends Module {
  readonly inplace: boolean;

  constructor(options?: { inplace?: boolean }) {
    super();
    const o = checkOptions("nn.ReLU", options, ["inplace"]);
    this.inplace = o.inplace === undefined ? false : checkBool("nn.ReLU", "inplace", o.inplace);
  }

  forward(x: Tensor): Tensor {
    return relu(x, { inplace: this.inplace });
  }

  override extraRepr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

/** Python: `nn.Dropout(p=0.5, inplace=False)`: zeroes with probability p in training only. */
export class Dropout extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    checkNumber("nn.Dropout", "p", p);
    if (!(p >= 0 && p <= 1)) throw argError("nn.Dropout", "p", "a probability between 0 and 1", p);
    this.p = p;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, { p: this.p, training: this.training });
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${py(false)}`;
  }
}
