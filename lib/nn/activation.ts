// nn.ReLU.
import type { Tensor } from "../tensor/index.js";
import { checkBool, checkOptions } from "../validate.js";
import { tensorArg } from "../tensor/index.js";
import { Module } from "./module.js";

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
