// nn.ReLU and nn.Dropout.
import type { Tensor } from "../tensor/index.js";
import { argError, checkBool, checkNumber, checkOptions } from "../validate.js";
import { tensorArg } from "../tensor/index.js";
import { dropout } from "./functional.js";
import { Module } from "./module.js";
import { py, pyFloat } from "./repr.js";

/** Python: `nn.ReLU(inplace=False)`. */
export class ReLU extends Module {
  readonly inplace: boolean;

  constructor(inplace?: boolean | { inplace?: boolean }) {
    super();
    const o = typeof inplace === "boolean" ? { inplace } : checkOptions("nn.ReLU", inplace, ["inplace"]);
    this.inplace = o.inplace === undefined ? false : checkBool("nn.ReLU", "inplace", o.inplace);
  }

  // The constructor checked the options: a forward only checks its input.
  forward(x: Tensor): Tensor {
    tensorArg("nn.ReLU", "input", x);
    return this.inplace ? x.relu_() : x.relu();
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
    return dropout(x, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${py(false)}`;
  }
}
