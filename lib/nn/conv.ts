// nn.Conv1d, nn.Conv2d, nn.Conv3d over PyTorch's _ConvNd: the checks and state of __init__, the
// initialisation of reset_parameters, extra_repr, and _conv_forward's padding modes. The
// transposed convolutions (conv_transpose.ts) share the base class.
import { empty } from "../tensor/creation.js";
import { tidy } from "../memory.js";
import type { Device } from "../device.js";
import type { DType } from "../dtype.js";
import type { Tensor } from "../tensor/index.js";
import { argError, checkBool, checkNonNegInt, checkPositiveInt, isInt } from "../validate.js";
import { conv2dChecked } from "./functional.js";
import { conv1d, conv3d, convPadding } from "./functional_pooling.js";
import { pad as fpad } from "./functional.generated.js";
import { bindArgs, choice, type PyArgs } from "./functional_util.js";
import { factoryOptions } from "./factory.js";
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from "./init.js";
import { Module } from "./module.js";
import { initEnabled } from "./skip_init.js";
import { py } from "./repr.js";

/** An int, or an array of one per spatial dimension (Python's `_size_Nd_t`). */
export type Ints = number | number[];
export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";
const PADDING_MODES = ["zeros", "reflect", "replicate", "circular"] as const;

const NAMES = ["", "an array of one", "a pair of them", "a triple of them"];
/**
 * Python's `_single`/`_pair`/`_triple` for a module argument: an int repeats, an array must have
 * one integer >= min per dimension; a copy (native takes only real arrays).
 */
export function sizeTuple(fn: string, arg: string, value: unknown, n: number, min = 0): number[] {
  const v = isInt(value) ? Array<number>(n).fill(value) : Array.isArray(value) ? [...(value as unknown[])] : undefined;
  if (v === undefined || v.length !== n || !v.every((x) => isInt(x) && x >= min)) {
    throw argError(fn, arg, `an integer >= ${min} or ${NAMES[n] ?? `an array of ${n} of them`}`, value);
  }
  return v as number[];
}

/** The options of nn.Conv1d/2d/3d (Python's defaulted parameters in camelCase). */
export interface ConvOptions {
  stride: Ints;
  padding: Ints | "valid" | "same";
  dilation: Ints;
  groups: number;
  bias: boolean;
  paddingMode: PaddingMode;
  device: Device;
  dtype: DType;
}
/** Python's positional order after kernel_size. */
type ConvP = [stride: Ints, padding: Ints | "valid" | "same", dilation: Ints, groups: number, bias: boolean, paddingMode: PaddingMode, device: Device, dtype: DType];
export type ConvArgs = PyArgs<ConvP, ConvOptions>;
/** The options of nn.Conv2d (kept under its earlier name). */
export type Conv2dOptions = Partial<ConvOptions>;
const CONV_NAMES = ["stride", "padding", "dilation", "groups", "bias", "paddingMode", "device", "dtype"] as const;

/** What _ConvNd.__init__ takes once each class has applied its _single/_pair/_triple. */
interface ConvConfig {
  kernelSize: number[];
  stride: number[];
  padding: number[] | "valid" | "same";
  dilation: number[];
  transposed: boolean;
  outputPadding: number[];
  groups: unknown;
  bias: unknown;
  paddingMode: unknown;
  factory: Record<string, unknown>;
}

/** Python: `torch.nn.modules.conv._ConvNd`. */
export abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | "valid" | "same";
  readonly dilation: number[];
  readonly transposed: boolean;
  readonly outputPadding: number[];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  /** F.pad's amounts for a non-zeros paddingMode, last dimension first (Python's attribute of this name). */
  readonly reversedPaddingRepeatedTwice: number[];
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  protected constructor(fn: string, inChannels: unknown, outChannels: unknown, c: ConvConfig) {
    super();
    // Zero channels are allowed, as in PyTorch (zero-element weights); negative ones are not.
    this.inChannels = checkNonNegInt(fn, "inChannels", inChannels);
    this.outChannels = checkNonNegInt(fn, "outChannels", outChannels);
    this.groups = c.groups === undefined ? 1 : checkPositiveInt(fn, "groups", c.groups);
    if (this.inChannels % this.groups !== 0) throw argError(fn, "groups", `a positive divisor of inChannels (${this.inChannels})`, this.groups);
    if (this.outChannels % this.groups !== 0) throw argError(fn, "groups", `a positive divisor of outChannels (${this.outChannels})`, this.groups);
    if (c.padding === "same" && c.stride.some((s) => s !== 1)) throw new TypeError(`${fn}: padding='same' is not supported for strided convolutions`);
    this.paddingMode = choice(fn, "paddingMode", c.paddingMode, PADDING_MODES, "zeros");
    if (c.transposed && this.paddingMode !== "zeros") throw new TypeError(`${fn}: Only "zeros" padding mode is supported for ${new.target.name}`);
    const bias = c.bias === undefined ? true : checkBool(fn, "bias", c.bias);
    const factory = factoryOptions(fn, c.factory);
    this.kernelSize = c.kernelSize;
    this.stride = c.stride;
    this.padding = c.padding;
    this.dilation = c.dilation;
    this.transposed = c.transposed;
    this.outputPadding = c.outputPadding;
    const n = c.kernelSize.length;
    if (typeof c.padding === "string") {
      this.reversedPaddingRepeatedTwice = Array<number>(2 * n).fill(0);
      if (c.padding === "same") {
        // The extra element of an odd total goes to the right, as Python's (and ATen's) "same".
        for (let d = 0; d < n; d++) {
          const total = c.dilation[d]! * (c.kernelSize[d]! - 1);
          const i = n - 1 - d;
          this.reversedPaddingRepeatedTwice[2 * i] = Math.floor(total / 2);
          this.reversedPaddingRepeatedTwice[2 * i + 1] = total - Math.floor(total / 2);
        }
      }
    } else this.reversedPaddingRepeatedTwice = [...c.padding].reverse().flatMap((p) => [p, p]);
    const shape = c.transposed ? [this.inChannels, this.outChannels / this.groups] : [this.outChannels, this.inChannels / this.groups];
    // Made in one tidy: if the bias cannot be allocated, the weight made before it is freed.
    const [w, b] = tidy(() => [empty([...shape, ...c.kernelSize], factory), bias ? empty([this.outChannels], factory) : null] as const);
    this.weight = this.registerParameter("weight", w);
    this.bias = this.registerParameter("bias", b);
    if (initEnabled()) this.resetParameters();
  }

  /** kaiming_uniform_(a=√5) weights and a fan-in uniform bias, as PyTorch. */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        uniform_(this.bias, -bound, bound);
      }
    }
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}`;
    // Python compares padding with a tuple of zeros, so a string padding always prints.
    if (typeof this.padding === "string" || this.padding.some((p) => p !== 0)) s += `, padding=${typeof this.padding === "string" ? this.padding : py(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${py(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${py(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    if (this.paddingMode !== "zeros") s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

/** Binds (stride, padding, dilation, groups, bias, paddingMode, device, dtype) and applies _ntuple. */
function convConfig(fn: string, n: number, kernelSize: unknown, args: readonly unknown[]): ConvConfig {
  const a = bindArgs(fn, CONV_NAMES, args, 0, ["inChannels", "outChannels", "kernelSize"]);
  const k = sizeTuple(fn, "kernelSize", kernelSize, n, 1);
  const stride = sizeTuple(fn, "stride", a.stride ?? 1, n, 1);
  let padding: number[] | "valid" | "same";
  if (typeof a.padding === "string") {
    if (a.padding !== "valid" && a.padding !== "same") throw argError(fn, "padding", `an integer >= 0, ${NAMES[n]}, "valid" or "same"`, a.padding);
    padding = a.padding;
  } else padding = sizeTuple(fn, "padding", a.padding ?? 0, n);
  return {
    kernelSize: k, stride, padding, dilation: sizeTuple(fn, "dilation", a.dilation ?? 1, n, 1),
    transposed: false, outputPadding: Array<number>(n).fill(0), groups: a.groups, bias: a.bias, paddingMode: a.paddingMode, factory: a,
  };
}

/** The zeros-mode forward of each dimension (F.conv1d/conv2d/conv3d), padding numeric or a string. */
type ConvFn = (x: Tensor, w: Tensor, b: Tensor | null, stride: number[], padding: number[] | "valid" | "same", dilation: number[], groups: number) => Tensor;
const viaAlias = (op: unknown): ConvFn => op as ConvFn;
// nn.Conv2d keeps the hand-written native conv2d for numeric padding: ResNet's speed rests on it.
const conv2dForward: ConvFn = (x, w, b, s, p, d, g) => (typeof p === "string" ? convPadding(x, w, b, s, p, d, g) : conv2dChecked(x, w, b, s, p, d, g));

abstract class Conv extends ConvNd {
  protected abstract readonly op: ConvFn;

  /** Python: `_conv_forward(input, weight, bias)`: F.pad first for a non-zeros paddingMode. */
  protected convForward(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
    if (this.paddingMode === "zeros") return this.op(x, weight, bias, this.stride, this.padding, this.dilation, this.groups);
    const padded = fpad(x, this.reversedPaddingRepeatedTwice, this.paddingMode);
    return this.op(padded, weight, bias, this.stride, Array<number>(this.kernelSize.length).fill(0), this.dilation, this.groups);
  }

  forward(x: Tensor): Tensor {
    return this.convForward(x, this.weight, this.bias);
  }
}

/** Python: `nn.Conv1d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True, padding_mode='zeros', device=None, dtype=None)`. */
export class Conv1d extends Conv {
  protected readonly op = viaAlias(conv1d);
  constructor(inChannels: number, outChannels: number, kernelSize: Ints, ...args: ConvArgs) {
    super("nn.Conv1d", inChannels, outChannels, convConfig("nn.Conv1d", 1, kernelSize, args));
  }
}

/** Python: `nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True, padding_mode='zeros', device=None, dtype=None)`. */
export class Conv2d extends Conv {
  protected readonly op = conv2dForward;
  constructor(inChannels: number, outChannels: number, kernelSize: Ints, ...args: ConvArgs) {
    super("nn.Conv2d", inChannels, outChannels, convConfig("nn.Conv2d", 2, kernelSize, args));
  }

  override forward(x: Tensor): Tensor {
    // The common case straight to the native conv2d: the constructor checked the configuration.
    if (this.paddingMode === "zeros" && typeof this.padding !== "string") {
      return conv2dChecked(x, this.weight, this.bias, this.stride, this.padding, this.dilation, this.groups);
    }
    return this.convForward(x, this.weight, this.bias);
  }
}

/** Python: `nn.Conv3d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True, padding_mode='zeros', device=None, dtype=None)`. */
export class Conv3d extends Conv {
  protected readonly op = viaAlias(conv3d);
  constructor(inChannels: number, outChannels: number, kernelSize: Ints, ...args: ConvArgs) {
    super("nn.Conv3d", inChannels, outChannels, convConfig("nn.Conv3d", 3, kernelSize, args));
  }
}
