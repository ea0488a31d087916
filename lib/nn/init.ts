// torch.nn.init: in-place initialisers with PyTorch's fan computation and gains. They draw
// from the same generator as Python, so a seeded init matches PyTorch's draw for draw.
import { native } from "../binding.js";
import { noGrad } from "../autograd.js";
import { handleOf, Tensor } from "../tensor/index.js";
import { argError, checkNumber, checkOptions } from "../validate.js";

export type Nonlinearity =
  | "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d"
  | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";
export type FanMode = "fan_in" | "fan_out";

function tensorArg(fn: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw argError(fn, "tensor", "a Tensor", t);
  return t;
}

/** Python: `nn.init.calculate_gain(nonlinearity, param=None)`. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear": case "conv1d": case "conv2d": case "conv3d":
    case "conv_transpose1d": case "conv_transpose2d": case "conv_transpose3d": case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.sqrt(2);
    case "leaky_relu": {
      const slope = param === undefined ? 0.01 : checkNumber("nn.init.calculateGain", "param", param);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      throw argError("nn.init.calculateGain", "nonlinearity", "a supported nonlinearity name", nonlinearity);
  }
}

/** Python: `nn.init._calculate_fan_in_and_fan_out(tensor)`. */
export function calculateFanInAndFanOut(tensor: Tensor): [fanIn: number, fanOut: number] {
  const shape = tensorArg("nn.init.calculateFanInAndFanOut", tensor).shape;
  if (shape.length < 2) throw new TypeError("nn.init.calculateFanInAndFanOut: Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[1]! * receptive, shape[0]! * receptive];
}

function fanOf(fn: string, tensor: Tensor, mode: unknown): number {
  if (mode !== "fan_in" && mode !== "fan_out") throw argError(fn, "mode", '"fan_in" or "fan_out"', mode);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return mode === "fan_in" ? fanIn : fanOut;
}

/** Python: `nn.init.uniform_(tensor, a=0.0, b=1.0)`. */
export function uniform_(tensor: Tensor, a = 0, b = 1): Tensor {
  tensorArg("nn.init.uniform_", tensor);
  noGrad(() => native.uniform_(handleOf(tensor), checkNumber("nn.init.uniform_", "a", a), checkNumber("nn.init.uniform_", "b", b)));
  return tensor;
}

/** Python: `nn.init.normal_(tensor, mean=0.0, std=1.0)`. */
export function normal_(tensor: Tensor, mean = 0, std = 1): Tensor {
  tensorArg("nn.init.normal_", tensor);
  noGrad(() => native.normal_(handleOf(tensor), checkNumber("nn.init.normal_", "mean", mean), checkNumber("nn.init.normal_", "std", std)));
  return tensor;
}

/** Python: `nn.init.constant_(tensor, val)`. */
export function constant_(tensor: Tensor, value: number): Tensor {
  tensorArg("nn.init.constant_", tensor);
  noGrad(() => tensor.fill_(checkNumber("nn.init.constant_", "value", value)));
  return tensor;
}
/** Python: `nn.init.zeros_(tensor)`. */
export function zeros_(tensor: Tensor): Tensor {
  return constant_(tensor, 0);
}
/** Python: `nn.init.ones_(tensor)`. */
export function ones_(tensor: Tensor): Tensor {
  return constant_(tensor, 1);
}

interface KaimingOptions {
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

function kaimingStd(fn: string, tensor: Tensor, options: unknown): number {
  const o = checkOptions(fn, options, ["a", "mode", "nonlinearity"]);
  tensorArg(fn, tensor);
  const a = o.a === undefined ? 0 : checkNumber(fn, "a", o.a);
  const fan = fanOf(fn, tensor, o.mode ?? "fan_in");
  return calculateGain((o.nonlinearity as Nonlinearity | undefined) ?? "leaky_relu", a) / Math.sqrt(fan);
}

/** Python: `nn.init.kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu")`. */
export function kaimingUniform_(tensor: Tensor, options?: KaimingOptions): Tensor {
  // PyTorch: "Initializing zero-element tensors is a no-op" (before any fan computation).
  if (tensorArg("nn.init.kaimingUniform_", tensor).shape.includes(0)) return tensor;
  const bound = Math.sqrt(3) * kaimingStd("nn.init.kaimingUniform_", tensor, options);
  return uniform_(tensor, -bound, bound);
}

/** Python: `nn.init.kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu")`. */
export function kaimingNormal_(tensor: Tensor, options?: KaimingOptions): Tensor {
  if (tensorArg("nn.init.kaimingNormal_", tensor).shape.includes(0)) return tensor;
  return normal_(tensor, 0, kaimingStd("nn.init.kaimingNormal_", tensor, options));
}

/** Python: `nn.init.xavier_uniform_(tensor, gain=1.0)`. */
export function xavierUniform_(tensor: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const bound = Math.sqrt(3) * checkNumber("nn.init.xavierUniform_", "gain", gain) * Math.sqrt(2 / (fanIn + fanOut));
  return uniform_(tensor, -bound, bound);
}

/** Python: `nn.init.xavier_normal_(tensor, gain=1.0)`. */
export function xavierNormal_(tensor: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return normal_(tensor, 0, checkNumber("nn.init.xavierNormal_", "gain", gain) * Math.sqrt(2 / (fanIn + fanOut)));
}

/**
 * Python: `nn.init.trunc_normal_(tensor, mean=0., std=1., a=-2., b=2.)`: PyTorch's inverse-CDF
 * method (uniform draw mapped through erfinv), so seeded draws match.
 */
export function truncNormal_(tensor: Tensor, options?: { mean?: number; std?: number; a?: number; b?: number }): Tensor {
  const fn = "nn.init.truncNormal_";
  const o = checkOptions(fn, options, ["mean", "std", "a", "b"]);
  tensorArg(fn, tensor);
  const mean = o.mean === undefined ? 0 : checkNumber(fn, "mean", o.mean);
  const std = o.std === undefined ? 1 : checkNumber(fn, "std", o.std);
  const a = o.a === undefined ? -2 : checkNumber(fn, "a", o.a);
  const b = o.b === undefined ? 2 : checkNumber(fn, "b", o.b);
  const cdf = (x: number) => (1 + erf(x / Math.SQRT2)) / 2;
  const l = cdf((a - mean) / std);
  const u = cdf((b - mean) / std);
  noGrad(() => {
    native.uniform_(handleOf(tensor), 2 * l - 1, 2 * u - 1);
    native.erfinv_(handleOf(tensor));
    tensor.mul_(std * Math.SQRT2).add_(mean).clamp_(a, b);
  });
  return tensor;
}

/** erf for the truncation bounds (Abramowitz-Stegun 7.1.26 is too coarse; use a series/continued fraction). */
function erf(x: number): number {
  // High-precision erf via the complementary error function's continued fraction for |x| > 2.5
  // and the Maclaurin series otherwise; accurate to ~1e-15, like math.erf for these inputs.
  const ax = Math.abs(x);
  let r: number;
  if (ax < 2.5) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 100; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    let f = 0;
    for (let n = 60; n >= 1; n--) f = (n / 2) / (ax + f);
    r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  }
  return x < 0 ? -r : r;
}
