// nn.Upsample, nn.UpsamplingNearest2d, nn.UpsamplingBilinear2d (torch/nn/modules/upsampling.py),
// all over F.interpolate.
import type { Tensor } from "../tensor/index.js";
import { argError, checkBool, isInt } from "../validate.js";
import { interpolate, type InterpolateMode } from "./functional_pooling.js";
import { bindArgs, choice, type PyArgs } from "./functional_util.js";
import { Module } from "./module.js";
import { py, pyFloat } from "./repr.js";

const MODES = ["nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact"] as const;

type Size = number | number[] | null;
type Scale = number | number[] | null;
type UpsampleP = [size: Size, scaleFactor: Scale, mode: InterpolateMode, alignCorners: boolean | null, recomputeScaleFactor: boolean | null];
type UpsampleO = { size: Size; scaleFactor: Scale; mode: InterpolateMode; alignCorners: boolean | null; recomputeScaleFactor: boolean | null };

function sizeArg(fn: string, v: unknown): Size {
  if (v === undefined || v === null) return null;
  if (isInt(v) && v >= 0) return v;
  if (Array.isArray(v) && v.every((d) => isInt(d) && d >= 0)) return [...v] as number[];
  throw argError(fn, "size", "a non-negative integer, an array of them or null", v);
}

function scaleArg(fn: string, v: unknown): Scale {
  if (Array.isArray(v) && v.every((s) => typeof s === "number")) return [...v] as number[];
  if (v !== undefined && v !== null && typeof v !== "number") throw argError(fn, "scaleFactor", "a number, an array of numbers or null", v);
  // Python's `float(scale_factor) if scale_factor else None`: 0 means no scale factor.
  return v === undefined || v === null || v === 0 ? null : v;
}

const optBool = (fn: string, arg: string, v: unknown): boolean | null => (v === undefined || v === null ? null : checkBool(fn, arg, v));

/**
 * Python: `nn.Upsample(size=None, scale_factor=None, mode='nearest', align_corners=None,
 * recompute_scale_factor=None)`: resizes (N, C, ...) inputs by F.interpolate.
 */
export class Upsample extends Module {
  /** Python: `module.name`, the class name. */
  readonly name: string;
  readonly size: Size;
  readonly scaleFactor: Scale;
  readonly mode: InterpolateMode;
  readonly alignCorners: boolean | null;
  readonly recomputeScaleFactor: boolean | null;

  constructor(...args: PyArgs<UpsampleP, UpsampleO>) {
    super();
    const fn = `nn.${new.target.name}`;
    const o = bindArgs(fn, ["size", "scaleFactor", "mode", "alignCorners", "recomputeScaleFactor"], args, 0, []);
    this.name = new.target.name;
    this.size = sizeArg(fn, o.size);
    this.scaleFactor = scaleArg(fn, o.scaleFactor);
    this.mode = choice(fn, "mode", o.mode, MODES, "nearest");
    this.alignCorners = optBool(fn, "alignCorners", o.alignCorners);
    this.recomputeScaleFactor = optBool(fn, "recomputeScaleFactor", o.recomputeScaleFactor);
  }

  forward(x: Tensor): Tensor {
    return interpolate(x, this.size, this.scaleFactor, this.mode, this.alignCorners, { recomputeScaleFactor: this.recomputeScaleFactor });
  }

  override extraRepr(): string {
    const s = this.scaleFactor;
    const info = s !== null ? `scale_factor=${Array.isArray(s) ? `(${s.map(pyFloat).join(", ")}${s.length === 1 ? "," : ""})` : pyFloat(s)}` : `size=${py(this.size)}`;
    return `${info}, mode=${this.mode}`;
  }
}

type Upsample2dP = [size: Size, scaleFactor: Scale];
type Upsample2dO = { size: Size; scaleFactor: Scale };

/** Python: `nn.UpsamplingNearest2d(size=None, scale_factor=None)`: Upsample with mode 'nearest'. */
export class UpsamplingNearest2d extends Upsample {
  constructor(...args: PyArgs<Upsample2dP, Upsample2dO>) {
    const o = bindArgs(`nn.${new.target.name}`, ["size", "scaleFactor"], args, 0, []);
    super({ ...(o as Partial<Upsample2dO>), mode: "nearest" });
  }
}

/** Python: `nn.UpsamplingBilinear2d(size=None, scale_factor=None)`: Upsample with mode 'bilinear', align_corners=True. */
export class UpsamplingBilinear2d extends Upsample {
  constructor(...args: PyArgs<Upsample2dP, Upsample2dO>) {
    const o = bindArgs(`nn.${new.target.name}`, ["size", "scaleFactor"], args, 0, []);
    super({ ...(o as Partial<Upsample2dO>), mode: "bilinear", alignCorners: true });
  }
}
