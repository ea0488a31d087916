// nn.Fold and nn.Unfold (torch/nn/modules/fold.py): col2im and im2col over F.fold / F.unfold.
import type { Tensor } from "../tensor/index.js";
import { fold, unfold } from "./functional_python.js";
import { bindArgs, ntuple, type PyArgs } from "./functional_util.js";
import { Module } from "./module.js";
import { py } from "./repr.js";

type Size = number | [number, number];
type WindowP = [dilation: Size, padding: Size, stride: Size];
type WindowO = { dilation: Size; padding: Size; stride: Size };

/** Checks an int-or-pair in the constructor and keeps it as given: Python prints it as given. */
function sizeArg(fn: string, arg: string, value: unknown, min: number): Size {
  ntuple(fn, arg, value, 2, min);
  return (Array.isArray(value) ? [...value] : value) as Size;
}

/** The (dilation, padding, stride) options both modules share, checked and defaulted as Python's. */
function windowArgs(fn: string, args: readonly unknown[]): WindowO {
  const o = bindArgs(fn, ["dilation", "padding", "stride"], args, 0, []);
  return {
    dilation: sizeArg(fn, "dilation", o.dilation ?? 1, 1),
    padding: sizeArg(fn, "padding", o.padding ?? 0, 0),
    stride: sizeArg(fn, "stride", o.stride ?? 1, 1),
  };
}

/** Python: `nn.Fold(output_size, kernel_size, dilation=1, padding=0, stride=1)`: sums sliding blocks back into an image. */
export class Fold extends Module {
  readonly outputSize: Size;
  readonly kernelSize: Size;
  readonly dilation: Size;
  readonly padding: Size;
  readonly stride: Size;

  constructor(outputSize: Size, kernelSize: Size, ...args: PyArgs<WindowP, WindowO>) {
    super();
    const fn = "nn.Fold";
    this.outputSize = sizeArg(fn, "outputSize", outputSize, 1);
    this.kernelSize = sizeArg(fn, "kernelSize", kernelSize, 1);
    ({ dilation: this.dilation, padding: this.padding, stride: this.stride } = windowArgs(fn, args));
  }

  forward(x: Tensor): Tensor {
    return fold(x, this.outputSize, this.kernelSize, this.dilation, this.padding, this.stride);
  }

  override extraRepr(): string {
    return `output_size=${py(this.outputSize)}, kernel_size=${py(this.kernelSize)}, dilation=${py(this.dilation)}, padding=${py(this.padding)}, stride=${py(this.stride)}`;
  }
}

/** Python: `nn.Unfold(kernel_size, dilation=1, padding=0, stride=1)`: extracts sliding blocks as columns. */
export class Unfold extends Module {
  readonly kernelSize: Size;
  readonly dilation: Size;
  readonly padding: Size;
  readonly stride: Size;

  constructor(kernelSize: Size, ...args: PyArgs<WindowP, WindowO>) {
    super();
    const fn = "nn.Unfold";
    this.kernelSize = sizeArg(fn, "kernelSize", kernelSize, 1);
    ({ dilation: this.dilation, padding: this.padding, stride: this.stride } = windowArgs(fn, args));
  }

  forward(x: Tensor): Tensor {
    return unfold(x, this.kernelSize, this.dilation, this.padding, this.stride);
  }

  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, dilation=${py(this.dilation)}, padding=${py(this.padding)}, stride=${py(this.stride)}`;
  }
}
