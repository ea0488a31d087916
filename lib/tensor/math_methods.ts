// Tensor math and in-place methods, attached to Tensor.prototype (reductions and shape
// methods: tensor_shape.ts).
// Kept apart from tensor.ts (lifetime, properties, autograd, conversion) so each file holds
// one concept; lib/index.ts imports this module, so every Tensor has these methods.
import type { Handle, Scalar } from "../../binding.js";
import { native } from "../binding.js";
import { handleOf, Tensor, tensorArg, wrap, type TensorOrScalar } from "./tensor.js";
import { defineMethods } from "./define_methods.js";
import { argError, checkBool, checkInt64, checkNumber, checkOptions, checkScalar } from "../validate.js";

function scalarArg(fn: string, arg: string, value: unknown): Scalar {
  const t = typeof value;
  if (t === "bigint") return checkInt64(fn, arg, value as bigint);
  if (t === "number" || t === "boolean") return value as Scalar;
  throw argError(fn, arg, "a Tensor or a number", value);
}

/** Picks ATen's Tensor or Scalar overload of a binary op, as Python's torch does. */
function binary<R>(
  fn: string, self: Handle, other: unknown,
  withTensor: (a: Handle, b: Handle) => R, withScalar: (a: Handle, b: Scalar) => R, arg = "other",
): R {
  return other instanceof Tensor ? withTensor(self, handleOf(other)) : withScalar(self, scalarArg(fn, arg, other));
}

function alphaOf(fn: string, opts: unknown): Scalar {
  const o = checkOptions(fn, opts, ["alpha"]);
  return o.alpha === undefined ? 1 : checkScalar(fn, "alpha", o.alpha);
}

declare module "./tensor.js" {
  interface Tensor {
    // ---- elementwise math (broadcasting; scalars act like Python numbers) ----
    add(other: TensorOrScalar, options?: { alpha?: Scalar }): Tensor;
    sub(other: TensorOrScalar, options?: { alpha?: Scalar }): Tensor;
    mul(other: TensorOrScalar): Tensor;
    div(other: TensorOrScalar): Tensor;
    pow(exponent: TensorOrScalar): Tensor;
    remainder(other: TensorOrScalar): Tensor;
    neg(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    log1p(): Tensor;
    abs(): Tensor;
    relu(): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    round(): Tensor;
    sign(): Tensor;
    reciprocal(): Tensor;
    logicalNot(): BoolTensor;
    square(): Tensor;
    /** Python: `t.clamp(min=None, max=None)`; at least one bound. */
    clamp(min?: number | null, max?: number | null): Tensor;
    eq(other: TensorOrScalar): BoolTensor;
    ne(other: TensorOrScalar): BoolTensor;
    lt(other: TensorOrScalar): BoolTensor;
    le(other: TensorOrScalar): BoolTensor;
    gt(other: TensorOrScalar): BoolTensor;
    ge(other: TensorOrScalar): BoolTensor;
    maximum(other: Tensor): Tensor;
    minimum(other: Tensor): Tensor;
    matmul(other: Tensor): Tensor;
    // ---- in place (what optimizers need); each returns this tensor ----
    add_(other: TensorOrScalar, options?: { alpha?: Scalar }): this;
    sub_(other: TensorOrScalar, options?: { alpha?: Scalar }): this;
    mul_(other: TensorOrScalar): this;
    div_(other: TensorOrScalar): this;
    pow_(exponent: TensorOrScalar): this;
    neg_(): this;
    sqrt_(): this;
    exp_(): this;
    abs_(): this;
    relu_(): this;
    sigmoid_(): this;
    tanh_(): this;
    zero_(): this;
    fill_(value: Scalar): this;
    clamp_(min?: number | null, max?: number | null): this;
    /** Python: `t.addcmul_(t1, t2, value=1)`: t += value * t1 * t2. */
    addcmul_(tensor1: Tensor, tensor2: Tensor, options?: { value?: Scalar }): this;
    /** Python: `t.addcdiv_(t1, t2, value=1)`: t += value * t1 / t2. */
    addcdiv_(tensor1: Tensor, tensor2: Tensor, options?: { value?: Scalar }): this;
    copy_(src: Tensor, options?: { nonBlocking?: boolean }): this;
    /** Python: `t.lerp_(end, weight)`: t += weight * (end - t). */
    lerp_(end: Tensor, weight: TensorOrScalar): this;
  }
}

// ---- elementwise math (broadcasting; scalars act like Python numbers) ----
function add(this: Tensor, other: TensorOrScalar, options?: { alpha?: Scalar }): Tensor {
  // Written out rather than through binary(): this is the op dispatch benchmarks time.
  if (options === undefined) {
    return wrap(other instanceof Tensor
      ? native.add(handleOf(this), handleOf(other))
      : native.addScalar(handleOf(this), scalarArg("Tensor.add", "other", other)));
  }
  const alpha = alphaOf("Tensor.add", options);
  return wrap(binary("Tensor.add", handleOf(this), other, (a, b) => native.add(a, b, alpha), (a, b) => native.addScalar(a, b, alpha)));
}

function sub(this: Tensor, other: TensorOrScalar, options?: { alpha?: Scalar }): Tensor {
  const alpha = options === undefined ? 1 : alphaOf("Tensor.sub", options);
  return wrap(binary("Tensor.sub", handleOf(this), other, (a, b) => native.sub(a, b, alpha), (a, b) => native.subScalar(a, b, alpha)));
}

function mul(this: Tensor, other: TensorOrScalar): Tensor {
  return wrap(binary("Tensor.mul", handleOf(this), other, native.mul, native.mulScalar));
}

function div(this: Tensor, other: TensorOrScalar): Tensor {
  return wrap(binary("Tensor.div", handleOf(this), other, native.div, native.divScalar));
}

function pow(this: Tensor, exponent: TensorOrScalar): Tensor {
  return wrap(binary("Tensor.pow", handleOf(this), exponent, native.pow, native.powScalar, "exponent"));
}

function remainder(this: Tensor, other: TensorOrScalar): Tensor {
  return wrap(binary("Tensor.remainder", handleOf(this), other, native.remainder, native.remainderScalar));
}

function neg(this: Tensor): Tensor { return wrap(native.neg(handleOf(this))); }

function sqrt(this: Tensor): Tensor { return wrap(native.sqrt(handleOf(this))); }

function rsqrt(this: Tensor): Tensor { return wrap(native.rsqrt(handleOf(this))); }

function exp(this: Tensor): Tensor { return wrap(native.exp(handleOf(this))); }

function log(this: Tensor): Tensor { return wrap(native.log(handleOf(this))); }

function log1p(this: Tensor): Tensor { return wrap(native.log1p(handleOf(this))); }

function abs(this: Tensor): Tensor { return wrap(native.abs(handleOf(this))); }

function relu(this: Tensor): Tensor { return wrap(native.relu(handleOf(this))); }

function sigmoid(this: Tensor): Tensor { return wrap(native.sigmoid(handleOf(this))); }

function tanh(this: Tensor): Tensor { return wrap(native.tanh(handleOf(this))); }

function sin(this: Tensor): Tensor { return wrap(native.sin(handleOf(this))); }

function cos(this: Tensor): Tensor { return wrap(native.cos(handleOf(this))); }

function floor(this: Tensor): Tensor { return wrap(native.floor(handleOf(this))); }

function ceil(this: Tensor): Tensor { return wrap(native.ceil(handleOf(this))); }

function round(this: Tensor): Tensor { return wrap(native.round(handleOf(this))); }

function sign(this: Tensor): Tensor { return wrap(native.sign(handleOf(this))); }

function reciprocal(this: Tensor): Tensor { return wrap(native.reciprocal(handleOf(this))); }

function logicalNot(this: Tensor): Tensor { return wrap(native.logicalNot(handleOf(this))); }

// pow(2), as ATen's square: a bool tensor squares to int64 (mul would keep bool).
function square(this: Tensor): Tensor { return this.dtype === "bool" ? this.pow(2) : wrap(native.mul(handleOf(this), handleOf(this))); }

function clamp(this: Tensor, min?: number | null, max?: number | null): Tensor {
  const [lo, hi] = clampBounds("Tensor.clamp", min, max);
  return wrap(native.clamp(handleOf(this), lo, hi));
}

function eq(this: Tensor, other: TensorOrScalar): Tensor { return wrap(binary("Tensor.eq", handleOf(this), other, native.eq, native.eqScalar)); }

function ne(this: Tensor, other: TensorOrScalar): Tensor { return wrap(binary("Tensor.ne", handleOf(this), other, native.ne, native.neScalar)); }

function lt(this: Tensor, other: TensorOrScalar): Tensor { return wrap(binary("Tensor.lt", handleOf(this), other, native.lt, native.ltScalar)); }

function le(this: Tensor, other: TensorOrScalar): Tensor { return wrap(binary("Tensor.le", handleOf(this), other, native.le, native.leScalar)); }

function gt(this: Tensor, other: TensorOrScalar): Tensor { return wrap(binary("Tensor.gt", handleOf(this), other, native.gt, native.gtScalar)); }

function ge(this: Tensor, other: TensorOrScalar): Tensor { return wrap(binary("Tensor.ge", handleOf(this), other, native.ge, native.geScalar)); }

function maximum(this: Tensor, other: Tensor): Tensor {
  return wrap(native.maximum(handleOf(this), tensorArg("Tensor.maximum", "other", other)));
}

function minimum(this: Tensor, other: Tensor): Tensor {
  return wrap(native.minimum(handleOf(this), tensorArg("Tensor.minimum", "other", other)));
}

function matmul(this: Tensor, other: Tensor): Tensor {
  return wrap(native.matmul(handleOf(this), tensorArg("Tensor.matmul", "other", other)));
}

// ---- in place (what optimizers need); each returns this tensor ----
function add_(this: Tensor, other: TensorOrScalar, options?: { alpha?: Scalar }): Tensor {
  const alpha = options === undefined ? 1 : alphaOf("Tensor.add_", options);
  binary("Tensor.add_", handleOf(this), other, (a, b) => native.add_(a, b, alpha), (a, b) => native.addScalar_(a, b, alpha));
  return this;
}

function sub_(this: Tensor, other: TensorOrScalar, options?: { alpha?: Scalar }): Tensor {
  const alpha = options === undefined ? 1 : alphaOf("Tensor.sub_", options);
  binary("Tensor.sub_", handleOf(this), other, (a, b) => native.sub_(a, b, alpha), (a, b) => native.subScalar_(a, b, alpha));
  return this;
}

function mul_(this: Tensor, other: TensorOrScalar): Tensor {
  binary("Tensor.mul_", handleOf(this), other, native.mul_, native.mulScalar_);
  return this;
}

function div_(this: Tensor, other: TensorOrScalar): Tensor {
  binary("Tensor.div_", handleOf(this), other, native.div_, native.divScalar_);
  return this;
}

function pow_(this: Tensor, exponent: TensorOrScalar): Tensor {
  binary("Tensor.pow_", handleOf(this), exponent, native.pow_, native.powScalar_, "exponent");
  return this;
}

function neg_(this: Tensor): Tensor { native.neg_(handleOf(this)); return this; }

function sqrt_(this: Tensor): Tensor { native.sqrt_(handleOf(this)); return this; }

function exp_(this: Tensor): Tensor { native.exp_(handleOf(this)); return this; }

function abs_(this: Tensor): Tensor { native.abs_(handleOf(this)); return this; }

function relu_(this: Tensor): Tensor { native.relu_(handleOf(this)); return this; }

function sigmoid_(this: Tensor): Tensor { native.sigmoid_(handleOf(this)); return this; }

function tanh_(this: Tensor): Tensor { native.tanh_(handleOf(this)); return this; }

function zero_(this: Tensor): Tensor { native.zero_(handleOf(this)); return this; }

function fill_(this: Tensor, value: Scalar): Tensor {
  native.fill_(handleOf(this), scalarArg("Tensor.fill_", "value", value));
  return this;
}

function clamp_(this: Tensor, min?: number | null, max?: number | null): Tensor {
  const [lo, hi] = clampBounds("Tensor.clamp_", min, max);
  native.clamp_(handleOf(this), lo, hi);
  return this;
}

function addcmul_(this: Tensor, tensor1: Tensor, tensor2: Tensor, options?: { value?: Scalar }): Tensor {
  const o = checkOptions("Tensor.addcmul_", options, ["value"]);
  native.addcmul_(handleOf(this), tensorArg("Tensor.addcmul_", "tensor1", tensor1),
    tensorArg("Tensor.addcmul_", "tensor2", tensor2), o.value === undefined ? 1 : checkScalar("Tensor.addcmul_", "value", o.value));
  return this;
}

function addcdiv_(this: Tensor, tensor1: Tensor, tensor2: Tensor, options?: { value?: Scalar }): Tensor {
  const o = checkOptions("Tensor.addcdiv_", options, ["value"]);
  native.addcdiv_(handleOf(this), tensorArg("Tensor.addcdiv_", "tensor1", tensor1),
    tensorArg("Tensor.addcdiv_", "tensor2", tensor2), o.value === undefined ? 1 : checkScalar("Tensor.addcdiv_", "value", o.value));
  return this;
}

function copy_(this: Tensor, src: Tensor, options?: { nonBlocking?: boolean }): Tensor {
  const o = checkOptions("Tensor.copy_", options, ["nonBlocking"]);
  native.copy_(handleOf(this), tensorArg("Tensor.copy_", "src", src), o.nonBlocking === undefined ? false : checkBool("Tensor.copy_", "nonBlocking", o.nonBlocking));
  return this;
}

function lerp_(this: Tensor, end: Tensor, weight: TensorOrScalar): Tensor {
  const e = tensorArg("Tensor.lerp_", "end", end);
  if (weight instanceof Tensor) native.lerp_(handleOf(this), e, handleOf(weight));
  else native.lerpScalar_(handleOf(this), e, scalarArg("Tensor.lerp_", "weight", weight));
  return this;
}

function clampBounds(fn: string, min: unknown, max: unknown): [number | null, number | null] {
  const lo = min === undefined || min === null ? null : checkNumber(fn, "min", min);
  const hi = max === undefined || max === null ? null : checkNumber(fn, "max", max);
  if (lo === null && hi === null) throw new TypeError(`${fn}: at least one of min or max must not be null`);
  return [lo, hi];
}


const methods: Record<string, unknown> = {
  add,
  sub,
  mul,
  div,
  pow,
  remainder,
  neg,
  sqrt,
  rsqrt,
  exp,
  log,
  log1p,
  abs,
  relu,
  sigmoid,
  tanh,
  sin,
  cos,
  floor,
  ceil,
  round,
  sign,
  reciprocal,
  logicalNot,
  square,
  clamp,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  maximum,
  minimum,
  matmul,
  add_,
  sub_,
  mul_,
  div_,
  pow_,
  neg_,
  sqrt_,
  exp_,
  abs_,
  relu_,
  sigmoid_,
  tanh_,
  zero_,
  fill_,
  clamp_,
  addcmul_,
  addcdiv_,
  copy_,
  lerp_,
};
// The arithmetic on the hot path (add, sub, mul, div and their in-place forms) stays direct;
// these take their common forms fast, with the generated methods behind them for the rest of
// the calling rule (x.clamp({ min: 0 }), x.round({ decimals: 2 }), x.matmul({ other })).
defineMethods(methods as Parameters<typeof defineMethods>[0], {
  optionsLast: ["addcmul_", "addcdiv_", "copy_"],
  positional: ["pow", "remainder", "round", "clamp", "eq", "ne", "lt", "le", "gt", "ge", "maximum", "minimum", "matmul", "pow_", "fill_", "clamp_", "lerp_"],
});
