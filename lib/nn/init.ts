// torch.nn.init: in-place initialisers with PyTorch's fan computation and gains. They draw
// from the same generator as Python in the same order, so a seeded init matches PyTorch's draw
// for draw. Every function follows the calling rule: Python's parameters positionally, or the
// defaulted ones in one trailing options object (`kaimingUniform_(w, { a: Math.sqrt(5) })`).
// The structured ones (eye_, dirac_, orthogonal_, sparse_) are in init_structured.ts.
import { native } from "../binding.js";
import { noGrad } from "../autograd.js";
import { handleOf, Tensor } from "../tensor/index.js";
import { argError, checkNumber } from "../validate.js";
import { bindArgs, type PyArgs } from "../tensor/python_args.js";

export type Nonlinearity =
  | "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d"
  | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";
export type FanMode = "fan_in" | "fan_out";

/** Internal: the tensor argument of nn.init.<name>. */
export function tensorArg(fn: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw argError(fn, "tensor", "a Tensor", t);
  return t;
}

const numOr = (fn: string, arg: string, v: unknown, dflt: number) => (v === undefined ? dflt : checkNumber(fn, arg, v));
const LINEAR = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid"];

/** Python: `nn.init.calculate_gain(nonlinearity, param=None)`. */
export function calculateGain(nonlinearity: Nonlinearity, ...args: PyArgs<[param: number | null], { param: number | null }>): number {
  const fn = "nn.init.calculateGain";
  const { param } = bindArgs(fn, ["param"], args, 0, ["nonlinearity"]);
  if (typeof nonlinearity === "string" && LINEAR.includes(nonlinearity)) return 1;
  switch (nonlinearity) {
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.sqrt(2);
    case "leaky_relu": {
      // Python: "negative_slope {param} not a valid number" for anything but an int or float.
      const slope = param === undefined || param === null ? 0.01 : checkNumber(fn, "param", param);
      return Math.sqrt(2 / (1 + slope ** 2));
    }
    case "selu":
      return 3 / 4;
    default:
      throw argError(fn, "nonlinearity", `one of ${[...LINEAR, "tanh", "relu", "leaky_relu", "selu"].map((n) => JSON.stringify(n)).join(", ")}`, nonlinearity);
  }
}

/** Python: `nn.init._calculate_fan_in_and_fan_out(tensor)`. */
export function calculateFanInAndFanOut(tensor: Tensor): [fanIn: number, fanOut: number] {
  const shape = tensorArg("nn.init.calculateFanInAndFanOut", tensor).shape;
  if (shape.length < 2) throw new TypeError("nn.init.calculateFanInAndFanOut: Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[1]! * receptive, shape[0]! * receptive];
}

/** Python's `_calculate_correct_fan`: the mode is matched case-insensitively, as there. */
function fanOf(fn: string, tensor: Tensor, mode: unknown): number {
  const m = typeof mode === "string" ? mode.toLowerCase() : mode;
  if (m !== "fan_in" && m !== "fan_out") throw argError(fn, "mode", '"fan_in" or "fan_out"', mode);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return m === "fan_in" ? fanIn : fanOut;
}

function uniformDraw(tensor: Tensor, a: number, b: number): Tensor {
  noGrad(() => native.uniform_(handleOf(tensor), a, b));
  return tensor;
}

function normalDraw(tensor: Tensor, mean: number, std: number): Tensor {
  noGrad(() => native.normal_(handleOf(tensor), mean, std));
  return tensor;
}

/** Python: `nn.init.uniform_(tensor, a=0.0, b=1.0)`. */
export function uniform_(tensor: Tensor, ...args: PyArgs<[a: number, b: number], { a: number; b: number }>): Tensor {
  const fn = "nn.init.uniform_";
  const o = bindArgs(fn, ["a", "b"], args, 0, ["tensor"]);
  tensorArg(fn, tensor);
  return uniformDraw(tensor, numOr(fn, "a", o.a, 0), numOr(fn, "b", o.b, 1));
}

/** Python: `nn.init.normal_(tensor, mean=0.0, std=1.0)`. */
export function normal_(tensor: Tensor, ...args: PyArgs<[mean: number, std: number], { mean: number; std: number }>): Tensor {
  const fn = "nn.init.normal_";
  const o = bindArgs(fn, ["mean", "std"], args, 0, ["tensor"]);
  tensorArg(fn, tensor);
  return normalDraw(tensor, numOr(fn, "mean", o.mean, 0), numOr(fn, "std", o.std, 1));
}

/** Python: `nn.init.constant_(tensor, val)`. */
export function constant_(tensor: Tensor, ...args: PyArgs<[val: number], { val: number }>): Tensor {
  const fn = "nn.init.constant_";
  const o = bindArgs(fn, ["val"], args, 1, ["tensor"]);
  tensorArg(fn, tensor);
  const val = checkNumber(fn, "val", o.val);
  noGrad(() => tensor.fill_(val));
  return tensor;
}

/** Python: `nn.init.ones_(tensor)`. */
export function ones_(tensor: Tensor): Tensor {
  tensorArg("nn.init.ones_", tensor);
  noGrad(() => tensor.fill_(1));
  return tensor;
}

/** Python: `nn.init.zeros_(tensor)`. */
export function zeros_(tensor: Tensor): Tensor {
  tensorArg("nn.init.zeros_", tensor);
  noGrad(() => tensor.zero_());
  return tensor;
}

type KaimingArgs = PyArgs<[a: number, mode: FanMode, nonlinearity: Nonlinearity], { a: number; mode: FanMode; nonlinearity: Nonlinearity }>;

/** The std of kaiming_*_ (fan first, then gain, as Python computes them); null for a zero-element tensor. */
function kaimingStd(fn: string, tensor: Tensor, args: readonly unknown[]): number | null {
  const o = bindArgs(fn, ["a", "mode", "nonlinearity"], args, 0, ["tensor"]);
  // PyTorch: "Initializing zero-element tensors is a no-op" (before any fan computation).
  if (tensorArg(fn, tensor).shape.includes(0)) return null;
  const a = numOr(fn, "a", o.a, 0);
  const fan = fanOf(fn, tensor, o.mode ?? "fan_in");
  return calculateGain((o.nonlinearity as Nonlinearity | undefined) ?? "leaky_relu", a) / Math.sqrt(fan);
}

/** Python: `nn.init.kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu")`. */
export function kaimingUniform_(tensor: Tensor, ...args: KaimingArgs): Tensor {
  const std = kaimingStd("nn.init.kaimingUniform_", tensor, args);
  return std === null ? tensor : uniformDraw(tensor, -Math.sqrt(3) * std, Math.sqrt(3) * std);
}

/** Python: `nn.init.kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu")`. */
export function kaimingNormal_(tensor: Tensor, ...args: KaimingArgs): Tensor {
  const std = kaimingStd("nn.init.kaimingNormal_", tensor, args);
  return std === null ? tensor : normalDraw(tensor, 0, std);
}

function xavierStd(fn: string, tensor: Tensor, args: readonly unknown[]): number {
  const o = bindArgs(fn, ["gain"], args, 0, ["tensor"]);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensorArg(fn, tensor));
  return numOr(fn, "gain", o.gain, 1) * Math.sqrt(2 / (fanIn + fanOut));
}

/** Python: `nn.init.xavier_uniform_(tensor, gain=1.0)`. */
export function xavierUniform_(tensor: Tensor, ...args: PyArgs<[gain: number], { gain: number }>): Tensor {
  const bound = Math.sqrt(3) * xavierStd("nn.init.xavierUniform_", tensor, args);
  return uniformDraw(tensor, -bound, bound);
}

/** Python: `nn.init.xavier_normal_(tensor, gain=1.0)`. */
export function xavierNormal_(tensor: Tensor, ...args: PyArgs<[gain: number], { gain: number }>): Tensor {
  return normalDraw(tensor, 0, xavierStd("nn.init.xavierNormal_", tensor, args));
}

/**
 * Python: `nn.init.trunc_normal_(tensor, mean=0., std=1., a=-2., b=2.)`: PyTorch's inverse-CDF
 * method (uniform draw mapped through erfinv), so seeded draws match.
 */
export function truncNormal_(tensor: Tensor, ...args: PyArgs<[mean: number, std: number, a: number, b: number], { mean: number; std: number; a: number; b: number }>): Tensor {
  const fn = "nn.init.truncNormal_";
  const o = bindArgs(fn, ["mean", "std", "a", "b"], args, 0, ["tensor"]);
  tensorArg(fn, tensor);
  const mean = numOr(fn, "mean", o.mean, 0);
  const std = numOr(fn, "std", o.std, 1);
  const a = numOr(fn, "a", o.a, -2);
  const b = numOr(fn, "b", o.b, 2);
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

export { eye_, dirac_, orthogonal_, sparse_ } from "./init_structured.js";

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
