// The padding layers of torch/nn/modules/padding.py, all over F.pad: constant (and zero),
// reflection and replication padding of the last 1, 2 or 3 dimensions.
import type { Tensor } from "../tensor/index.js";
import { argError, checkNumber, isInt } from "../validate.js";
import { pad } from "./functional.js";
import { Module } from "./module.js";
import { py, pyFloat } from "./repr.js";

/**
 * Python's `_pair`/`_quadruple`/`_ntuple(6)` for a padding: one int for every side, or one int
 * per side (left, right, top, bottom, front, back). Negative values crop, as F.pad allows.
 */
function sides(fn: string, value: unknown, n: number): number[] {
  if (isInt(value)) return Array<number>(n).fill(value);
  if (Array.isArray(value) && value.length === n && value.every(isInt)) return [...value] as number[];
  throw argError(fn, "padding", `an integer or an array of ${n} integers`, value);
}

abstract class PadNd extends Module {
  /** Python: `module.padding`, one entry per side. */
  readonly padding: number[];
  abstract readonly mode: "constant" | "reflect" | "replicate";

  constructor(padding: number | number[], sideCount: number, fn: string) {
    super();
    this.padding = sides(fn, padding, sideCount);
  }

  forward(x: Tensor): Tensor {
    return pad(x, this.padding, this.mode, this.fill());
  }

  /** F.pad's value: None but for constant padding. */
  protected fill(): number | null {
    return null;
  }

  override extraRepr(): string {
    return py(this.padding);
  }
}

abstract class ConstantPadNd extends PadNd {
  readonly mode = "constant";
  /** Python: `module.value`, the fill. */
  readonly value: number;

  constructor(padding: number | number[], value: number, sideCount: number) {
    const fn = `nn.${new.target.name}`;
    super(padding, sideCount, fn);
    this.value = checkNumber(fn, "value", value);
  }

  protected override fill(): number {
    return this.value;
  }

  override extraRepr(): string {
    return `padding=${py(this.padding)}, value=${pyFloat(this.value)}`;
  }
}

/** Python: `nn.ConstantPad1d(padding, value)`: pads the last dimension with `value`. */
export class ConstantPad1d extends ConstantPadNd {
  constructor(padding: number | [number, number], value: number) {
    super(padding, value, 2);
  }
}
/** Python: `nn.ConstantPad2d(padding, value)`: pads the last two dimensions with `value`. */
export class ConstantPad2d extends ConstantPadNd {
  constructor(padding: number | [number, number, number, number], value: number) {
    super(padding, value, 4);
  }
}
/** Python: `nn.ConstantPad3d(padding, value)`: pads the last three dimensions with `value`. */
export class ConstantPad3d extends ConstantPadNd {
  constructor(padding: number | [number, number, number, number, number, number], value: number) {
    super(padding, value, 6);
  }
}
/** Python: `nn.ZeroPad2d(padding)`: ConstantPad2d with value 0 (printed without the value, as PyTorch). */
export class ZeroPad2d extends ConstantPad2d {
  constructor(padding: number | [number, number, number, number]) {
    super(padding, 0);
  }

  override extraRepr(): string {
    return py(this.padding);
  }
}

abstract class ReflectionPadNd extends PadNd {
  readonly mode = "reflect";
}
/** Python: `nn.ReflectionPad1d(padding)`: mirrors the last dimension at its edges. */
export class ReflectionPad1d extends ReflectionPadNd {
  constructor(padding: number | [number, number]) {
    super(padding, 2, "nn.ReflectionPad1d");
  }
}
/** Python: `nn.ReflectionPad2d(padding)`. */
export class ReflectionPad2d extends ReflectionPadNd {
  constructor(padding: number | [number, number, number, number]) {
    super(padding, 4, "nn.ReflectionPad2d");
  }
}
/** Python: `nn.ReflectionPad3d(padding)`. */
export class ReflectionPad3d extends ReflectionPadNd {
  constructor(padding: number | [number, number, number, number, number, number]) {
    super(padding, 6, "nn.ReflectionPad3d");
  }
}

abstract class ReplicationPadNd extends PadNd {
  readonly mode = "replicate";
}
/** Python: `nn.ReplicationPad1d(padding)`: repeats the edge values of the last dimension. */
export class ReplicationPad1d extends ReplicationPadNd {
  constructor(padding: number | [number, number]) {
    super(padding, 2, "nn.ReplicationPad1d");
  }
}
/** Python: `nn.ReplicationPad2d(padding)`. */
export class ReplicationPad2d extends ReplicationPadNd {
  constructor(padding: number | [number, number, number, number]) {
    super(padding, 4, "nn.ReplicationPad2d");
  }
}
/** Python: `nn.ReplicationPad3d(padding)`. */
export class ReplicationPad3d extends ReplicationPadNd {
  constructor(padding: number | [number, number, number, number, number, number]) {
    super(padding, 6, "nn.ReplicationPad3d");
  }
}
