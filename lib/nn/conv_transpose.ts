// nn.ConvTranspose1d/2d/3d over PyTorch's _ConvTransposeNd: the weight is (in, out / groups, *k),
// and forward's output_size picks the output_padding (Python's _output_padding).
import type { Device } from "../device.js";
import type { DType } from "../dtype.js";
import { Tensor } from "../tensor/index.js";
import { argError, isInt } from "../validate.js";
import { convTranspose1d, convTranspose2d, convTranspose3d } from "./functional_pooling.js";
import { bindArgs, type PyArgs } from "./functional_util.js";
import { ConvNd, sizeTuple, type Ints, type PaddingMode } from "./conv.js";

/** The options of nn.ConvTranspose1d/2d/3d (Python's defaulted parameters in camelCase). */
export interface ConvTransposeOptions {
  stride: Ints;
  padding: Ints;
  outputPadding: Ints;
  groups: number;
  bias: boolean;
  dilation: Ints;
  paddingMode: PaddingMode;
  device: Device;
  dtype: DType;
}
/** Python's positional order after kernel_size (dilation comes after bias here, unlike Conv). */
type ConvTransposeP = [stride: Ints, padding: Ints, outputPadding: Ints, groups: number, bias: boolean, dilation: Ints, paddingMode: PaddingMode, device: Device, dtype: DType];
export type ConvTransposeArgs = PyArgs<ConvTransposeP, ConvTransposeOptions>;
const NAMES = ["stride", "padding", "outputPadding", "groups", "bias", "dilation", "paddingMode", "device", "dtype"] as const;

type TransposeFn = (x: Tensor, w: Tensor, b: Tensor | null, stride: number[], padding: number[], outputPadding: number[], groups: number, dilation: number[]) => Tensor;
/** forward's output_size: [..spatial] or the full size with the batch and channel dims. */
export type OutputSize = number[] | null;

abstract class ConvTransposeNd extends ConvNd {
  protected abstract readonly op: TransposeFn;

  protected constructor(fn: string, n: number, inChannels: unknown, outChannels: unknown, kernelSize: unknown, args: readonly unknown[]) {
    const a = bindArgs(fn, NAMES, args, 0, ["inChannels", "outChannels", "kernelSize"]);
    const k = sizeTuple(fn, "kernelSize", kernelSize, n, 1);
    const stride = sizeTuple(fn, "stride", a.stride ?? 1, n, 1);
    super(fn, inChannels, outChannels, {
      kernelSize: k, stride, padding: sizeTuple(fn, "padding", a.padding ?? 0, n), dilation: sizeTuple(fn, "dilation", a.dilation ?? 1, n, 1),
      transposed: true, outputPadding: sizeTuple(fn, "outputPadding", a.outputPadding ?? 0, n), groups: a.groups, bias: a.bias,
      paddingMode: a.paddingMode, factory: a,
    });
  }

  /** Python: `_output_padding(input, output_size, stride, padding, kernel_size, num_spatial_dims, dilation)`. */
  protected outputPaddingFor(x: Tensor, outputSize: unknown): number[] {
    const fn = `nn.${this.constructor.name}`;
    if (outputSize === undefined || outputSize === null) return this.outputPadding;
    const n = this.kernelSize.length;
    if (!Array.isArray(outputSize) || !outputSize.every((v) => isInt(v))) throw argError(fn, "outputSize", "an array of integers or null", outputSize);
    const lead = x.ndim === n + 2 ? 2 : 1;
    let size = outputSize as number[];
    if (size.length === lead + n) size = size.slice(lead);
    if (size.length !== n) {
      throw new TypeError(`${fn}: ConvTranspose${n}D: for ${x.ndim}D input, output_size must have ${n} or ${lead + n} elements (got ${outputSize.length})`);
    }
    const padding = this.padding as number[];
    const min = this.kernelSize.map((k, d) => (x.shape[d + lead]! - 1) * this.stride[d]! - 2 * padding[d]! + this.dilation[d]! * (k - 1) + 1);
    const max = min.map((m, d) => m + this.stride[d]! - 1);
    if (size.some((s, d) => s < min[d]! || s > max[d]!)) {
      throw new TypeError(`${fn}: requested an output size of [${size.join(", ")}], but valid sizes range from [${min.join(", ")}] to [${max.join(", ")}] (for an input of torch.Size([${x.shape.slice(2).join(", ")}]))`);
    }
    return size.map((s, d) => s - min[d]!);
  }

  /** Python: `forward(input, output_size=None)`. */
  forward(x: Tensor, ...args: PyArgs<[outputSize: OutputSize], { outputSize: OutputSize }>): Tensor {
    const fn = `nn.${this.constructor.name}`;
    if (!(x instanceof Tensor)) throw argError(fn, "input", "a Tensor", x);
    const a = bindArgs(fn, ["outputSize"], args);
    const outputPadding = this.outputPaddingFor(x, a.outputSize);
    return this.op(x, this.weight, this.bias, this.stride, this.padding as number[], outputPadding, this.groups, this.dilation);
  }
}

/** Python: `nn.ConvTranspose1d(in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None)`. */
export class ConvTranspose1d extends ConvTransposeNd {
  protected readonly op = convTranspose1d as unknown as TransposeFn;
  constructor(inChannels: number, outChannels: number, kernelSize: Ints, ...args: ConvTransposeArgs) {
    super("nn.ConvTranspose1d", 1, inChannels, outChannels, kernelSize, args);
  }
}

/** Python: `nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None)`. */
export class ConvTranspose2d extends ConvTransposeNd {
  protected readonly op = convTranspose2d as unknown as TransposeFn;
  constructor(inChannels: number, outChannels: number, kernelSize: Ints, ...args: ConvTransposeArgs) {
    super("nn.ConvTranspose2d", 2, inChannels, outChannels, kernelSize, args);
  }
}

/** Python: `nn.ConvTranspose3d(in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None)`. */
export class ConvTranspose3d extends ConvTransposeNd {
  protected readonly op = convTranspose3d as unknown as TransposeFn;
  constructor(inChannels: number, outChannels: number, kernelSize: Ints, ...args: ConvTransposeArgs) {
    super("nn.ConvTranspose3d", 3, inChannels, outChannels, kernelSize, args);
  }
}
