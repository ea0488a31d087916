// nn.Dropout.
import type { Tensor } from "../tensor/index.js";
import { argError, checkNumber } from "../validate.js";
import { dropout } from "./functional.js";
import { Module } from "./module.js";
import { py, pyFloat } from "./repr.js";

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
    return dropout(x, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${py(false)}`;
  }
}
