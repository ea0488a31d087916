// The Tensor class: one reference to a native at::Tensor plus PyTorch's method surface.
// Methods validate in TypeScript (naming the argument), then call native/ with plain values.
import { inspect } from "node:util";
import type { Handle, Scalar } from "../binding.js";
import { native } from "./binding.js";
import { parseDevice, type Device } from "./device.js";
import { DTYPES, dtypeFromCode, isDType, type DType, type TypedArray } from "./dtype.js";
import { TorchError } from "./errors.js";
import { track } from "./memory.js";
import { format } from "./format.js";
import {
  argError, checkBool, checkDType, checkDims, checkInt, checkIntList, checkOptions, checkScalar,
  checkShapeWithInfer,
} from "./validate.js";

/** What a binary op accepts on its right: a tensor or a Python-like scalar. */
export type TensorOrScalar = Tensor | Scalar;
export type Reduced = [values: Tensor, indices: Tensor] & { values: Tensor; indices: Tensor };

/** Internal: the native handle of a tensor (throws if it was disposed). Not exported publicly. */
export let handleOf: (t: Tensor) => Handle;

/** Internal: wraps a fresh native handle (the current tidy() scope takes ownership). */
export function wrap(handle: Handle): Tensor {
  return new Tensor(handle);
}

function scalarArg(fn: string, arg: string, value: unknown): Scalar {
  const t = typeof value;
  if (t === "number" || t === "bigint" || t === "boolean") return value as Scalar;
  throw argError(fn, arg, "a Tensor or a number", value);
}

/** Picks ATen's Tensor or Scalar overload of a binary op, as Python's torch does. */
function binary<R>(
  fn: string, self: Handle, other: unknown,
  withTensor: (a: Handle, b: Handle) => R, withScalar: (a: Handle, b: Scalar) => R,
): R {
  return other instanceof Tensor ? withTensor(self, handleOf(other)) : withScalar(self, scalarArg(fn, "other", other));
}

/**
 * The GC safety net: a tensor collected without dispose() still frees its native memory.
 * Registering costs ~0.3 us and unregistering as much, more than a small op itself, and
 * most tensors are disposed within the synchronous code that made them (tidy, using,
 * dispose). So new tensors wait in `fresh`, and only those still alive when the current
 * task yields (a microtask) or when 4096 have piled up get registered.
 */
const registry = new FinalizationRegistry<Handle>((h) => native.dispose(h));
const fresh: Tensor[] = [];
const FRESH_LIMIT = 4096;
let flushQueued = false;
let registerFresh: () => void;
function adopt(t: Tensor): void {
  if (fresh.push(t) >= FRESH_LIMIT) registerFresh();
  else if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(registerFresh);
  }
}

function tensorArg(fn: string, arg: string, value: unknown): Handle {
  if (!(value instanceof Tensor)) throw argError(fn, arg, "a Tensor", value);
  return handleOf(value);
}

/** Accepts PyTorch's two spellings of a size: f(2, 3) and f([2, 3]). */
export function sizeArgs(fn: string, args: unknown[]): number[] {
  const shape = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  return checkShapeWithInfer(fn, "shape", shape);
}

function alphaOf(fn: string, opts: unknown): Scalar {
  const o = checkOptions(fn, opts);
  return o.alpha === undefined ? 1 : checkScalar(fn, "alpha", o.alpha);
}

function reduced(pair: [Handle, Handle]): Reduced {
  const values = wrap(pair[0]);
  const indices = wrap(pair[1]);
  return Object.assign([values, indices] as [Tensor, Tensor], { values, indices });
}

const disposeSymbol: symbol = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for("nodejs.dispose");

/**
 * A multi-dimensional array on a device, with autograd. Python equivalent: `torch.Tensor`.
 * Create tensors with `torch.tensor`, `torch.zeros`, … — not with `new`.
 */
export class Tensor {
  #h: Handle | null;
  #registered = false;

  /** @internal Use torch.tensor()/zeros()/… to create tensors. */
  constructor(handle: Handle) {
    this.#h = handle;
    adopt(this);
    track(this);
  }

  static {
    handleOf = (t: Tensor) => t.#handle;
    registerFresh = () => {
      flushQueued = false;
      for (const t of fresh) {
        if (t.#h !== null && !t.#registered) {
          registry.register(t, t.#h, t);
          t.#registered = true;
        }
      }
      fresh.length = 0;
    };
  }

  get #handle(): Handle {
    if (this.#h === null) throw new TorchError("Tensor was disposed and cannot be used any more");
    return this.#h;
  }

  // ---- lifetime ----
  /** Frees the native tensor now. Idempotent. */
  dispose(): void {
    if (this.#h !== null) {
      native.dispose(this.#h);
      if (this.#registered) registry.unregister(this);
      this.#h = null;
    }
  }
  [disposeSymbol](): void {
    this.dispose();
  }
  get isDisposed(): boolean {
    return this.#h === null;
  }

  // ---- properties ----
  get shape(): number[] {
    return native.shape(this.#handle);
  }
  get ndim(): number {
    return this.shape.length;
  }
  get dtype(): DType {
    return dtypeFromCode(native.dtype(this.#handle));
  }
  get device(): Device {
    return native.device(this.#handle) as Device;
  }
  get isCuda(): boolean {
    return this.device.startsWith("cuda");
  }
  /** Python: `t.size()` / `t.size(dim)`. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    const shape = this.shape;
    if (dim === undefined) return shape;
    checkInt("Tensor.size", "dim", dim);
    const d = dim < 0 ? dim + shape.length : dim;
    if (d < 0 || d >= shape.length) {
      throw new TorchError(`Dimension out of range (expected to be in range of [${-shape.length}, ${shape.length - 1}], but got ${dim})`);
    }
    return shape[d]!;
  }
  numel(): number {
    return native.numel(this.#handle);
  }
  stride(): number[] {
    return native.strides(this.#handle);
  }
  isContiguous(): boolean {
    return native.isContiguous(this.#handle);
  }

  // ---- autograd ----
  get requiresGrad(): boolean {
    return native.requiresGrad(this.#handle);
  }
  set requiresGrad(value: boolean) {
    native.setRequiresGrad(this.#handle, checkBool("Tensor.requiresGrad", "value", value));
  }
  /** Python: `t.requires_grad_(flag)`. Returns this tensor. */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }
  /** The accumulated gradient (a new handle on it each read), or null. */
  get grad(): Tensor | null {
    const g = native.grad(this.#handle);
    return g === null ? null : wrap(g);
  }
  /** Python: `t.grad = g`; g must match t's shape, dtype and device, as PyTorch requires. */
  set grad(value: Tensor | null) {
    if (value !== null) {
      tensorArg("Tensor.grad", "value", value);
      const [shape, gshape] = [this.shape, value.shape];
      if (shape.length !== gshape.length || shape.some((d, i) => d !== gshape[i])) {
        throw new TorchError(`assigned grad has data of a different size: tensor is [${shape.join(", ")}], grad is [${gshape.join(", ")}]`);
      }
      if (value.dtype !== this.dtype) throw new TorchError(`assigned grad has data of a different type: tensor is ${this.dtype}, grad is ${value.dtype}`);
      if (value.device !== this.device) throw new TorchError(`assigned grad has data located on a different device: tensor is on ${this.device}, grad is on ${value.device}`);
    }
    native.setGrad(this.#handle, value === null ? null : value.#handle);
  }
  get isLeaf(): boolean {
    return native.isLeaf(this.#handle);
  }
  retainGrad(): this {
    native.retainGrad(this.#handle);
    return this;
  }
  /** Python: `t.backward(gradient=None, retain_graph=None, create_graph=False)`. */
  backward(gradient?: Tensor | null, options?: { retainGraph?: boolean; createGraph?: boolean }): void {
    const o = checkOptions("Tensor.backward", options);
    const g = gradient === undefined || gradient === null ? null : tensorArg("Tensor.backward", "gradient", gradient);
    const retain = o.retainGraph === undefined ? null : checkBool("Tensor.backward", "retainGraph", o.retainGraph);
    const create = o.createGraph === undefined ? false : checkBool("Tensor.backward", "createGraph", o.createGraph);
    native.backward(this.#handle, g, retain, create);
  }
  detach(): Tensor {
    return wrap(native.detach(this.#handle));
  }

  // ---- conversion ----
  /**
   * Python: `t.to(device)`, `t.to(dtype)`, `t.to(other)`, `t.to(device=…, dtype=…)`.
   * Returns this same tensor (not a copy) when nothing changes, as PyTorch does.
   */
  to(target: Device | "auto" | DType | Tensor | { device?: Device | "auto"; dtype?: DType },
     options?: { nonBlocking?: boolean; copy?: boolean }): Tensor {
    const o = checkOptions("Tensor.to", options);
    let device: string | null = null;
    let dtype: number | null = null;
    if (target instanceof Tensor) {
      device = target.device;
      dtype = DTYPES[target.dtype].code;
    } else if (isDType(target)) {
      dtype = DTYPES[target].code;
    } else if (typeof target === "string") {
      if (!/^(cpu|cuda|auto)/.test(target)) throw argError("Tensor.to", "target", "a device or a dtype name", target);
      device = parseDevice("Tensor.to", "device", target);
    } else if (target !== null && typeof target === "object") {
      if (target.device !== undefined) device = parseDevice("Tensor.to", "device", target.device);
      if (target.dtype !== undefined) dtype = DTYPES[checkDType("Tensor.to", "dtype", target.dtype)].code;
    } else {
      throw argError("Tensor.to", "target", "a device, a dtype, a Tensor or {device, dtype}", target);
    }
    const copy = o.copy === undefined ? false : checkBool("Tensor.to", "copy", o.copy);
    const nonBlocking = o.nonBlocking === undefined ? false : checkBool("Tensor.to", "nonBlocking", o.nonBlocking);
    if (!copy && (device === null || device === this.device) && (dtype === null || dtype === native.dtype(this.#handle))) {
      return this;
    }
    return wrap(native.to(this.#handle, device, dtype, nonBlocking, copy));
  }
  cpu(): Tensor {
    return this.to("cpu");
  }
  cuda(index?: number): Tensor {
    return this.to(index === undefined ? "cuda" : `cuda:${checkInt("Tensor.cuda", "index", index)}`);
  }
  float(): Tensor { return this.to("float32"); }
  double(): Tensor { return this.to("float64"); }
  half(): Tensor { return this.to("float16"); }
  bfloat16(): Tensor { return this.to("bfloat16"); }
  long(): Tensor { return this.to("int64"); }
  int(): Tensor { return this.to("int32"); }
  bool(): Tensor { return this.to("bool"); }
  clone(): Tensor {
    return wrap(native.clone(this.#handle));
  }
  contiguous(): Tensor {
    return wrap(native.contiguous(this.#handle));
  }

  // ---- data out ----
  /**
   * A copy of the elements, row-major, in the dtype's TypedArray (float16/bfloat16 as
   * their raw bits in a Uint16Array, bool as 0/1 in a Uint8Array). Python: `t.numpy()`.
   */
  toTypedArray(): TypedArray {
    const buffer = native.toData(this.#handle);
    return new DTYPES[this.dtype].array(buffer);
  }
  /** Nested arrays of numbers (booleans for bool). Python: `t.tolist()`. */
  tolist(): unknown {
    const dtype = this.dtype;
    let flat: ArrayLike<number | bigint>;
    if (dtype === "float16" || dtype === "bfloat16") {
      const f = this.to("float32");
      flat = f.toTypedArray() as Float32Array;
      f.dispose();
    } else {
      flat = this.toTypedArray();
    }
    const convert = dtype === "bool" ? (v: number | bigint) => v !== 0 : (v: number | bigint) => Number(v);
    const shape = this.shape;
    let pos = 0;
    const build = (d: number): unknown => {
      if (d === shape.length) return convert(flat[pos++]!);
      const out: unknown[] = new Array(shape[d]);
      for (let i = 0; i < shape[d]!; i++) out[i] = build(d + 1);
      return out;
    };
    return build(0);
  }
  /** The value of a one-element tensor. Python: `t.item()`. int64 beyond 2^53 loses precision. */
  item(): number | boolean {
    return native.item(this.#handle);
  }
  toString(): string {
    if (this.#h === null) return "tensor(<disposed>)";
    return format(this);
  }
  [inspect.custom](): string {
    return this.toString();
  }

  // ---- elementwise math (broadcasting; scalars act like Python numbers) ----
  add(other: TensorOrScalar, options?: { alpha?: Scalar }): Tensor {
    // Written out rather than through binary(): this is the op dispatch benchmarks time.
    if (options === undefined) {
      return new Tensor(other instanceof Tensor
        ? native.add(this.#handle, other.#handle)
        : native.addScalar(this.#handle, scalarArg("Tensor.add", "other", other)));
    }
    const alpha = alphaOf("Tensor.add", options);
    return wrap(binary("Tensor.add", this.#handle, other, (a, b) => native.add(a, b, alpha), (a, b) => native.addScalar(a, b, alpha)));
  }
  sub(other: TensorOrScalar, options?: { alpha?: Scalar }): Tensor {
    const alpha = options === undefined ? 1 : alphaOf("Tensor.sub", options);
    return wrap(binary("Tensor.sub", this.#handle, other, (a, b) => native.sub(a, b, alpha), (a, b) => native.subScalar(a, b, alpha)));
  }
  mul(other: TensorOrScalar): Tensor {
    return wrap(binary("Tensor.mul", this.#handle, other, native.mul, native.mulScalar));
  }
  div(other: TensorOrScalar): Tensor {
    return wrap(binary("Tensor.div", this.#handle, other, native.div, native.divScalar));
  }
  pow(exponent: TensorOrScalar): Tensor {
    return wrap(binary("Tensor.pow", this.#handle, exponent, native.pow, native.powScalar));
  }
  remainder(other: TensorOrScalar): Tensor {
    return wrap(binary("Tensor.remainder", this.#handle, other, native.remainder, native.remainderScalar));
  }
  neg(): Tensor { return wrap(native.neg(this.#handle)); }
  sqrt(): Tensor { return wrap(native.sqrt(this.#handle)); }
  rsqrt(): Tensor { return wrap(native.rsqrt(this.#handle)); }
  exp(): Tensor { return wrap(native.exp(this.#handle)); }
  log(): Tensor { return wrap(native.log(this.#handle)); }
  log1p(): Tensor { return wrap(native.log1p(this.#handle)); }
  abs(): Tensor { return wrap(native.abs(this.#handle)); }
  relu(): Tensor { return wrap(native.relu(this.#handle)); }
  sigmoid(): Tensor { return wrap(native.sigmoid(this.#handle)); }
  tanh(): Tensor { return wrap(native.tanh(this.#handle)); }
  sin(): Tensor { return wrap(native.sin(this.#handle)); }
  cos(): Tensor { return wrap(native.cos(this.#handle)); }
  floor(): Tensor { return wrap(native.floor(this.#handle)); }
  ceil(): Tensor { return wrap(native.ceil(this.#handle)); }
  round(): Tensor { return wrap(native.round(this.#handle)); }
  sign(): Tensor { return wrap(native.sign(this.#handle)); }
  reciprocal(): Tensor { return wrap(native.reciprocal(this.#handle)); }
  logicalNot(): Tensor { return wrap(native.logicalNot(this.#handle)); }
  square(): Tensor { return wrap(native.mul(this.#handle, this.#handle)); }
  /** Python: `t.clamp(min=None, max=None)`; at least one bound. */
  clamp(min?: number | null, max?: number | null): Tensor {
    const [lo, hi] = clampBounds("Tensor.clamp", min, max);
    return wrap(native.clamp(this.#handle, lo, hi));
  }
  eq(other: TensorOrScalar): Tensor { return wrap(binary("Tensor.eq", this.#handle, other, native.eq, native.eqScalar)); }
  ne(other: TensorOrScalar): Tensor { return wrap(binary("Tensor.ne", this.#handle, other, native.ne, native.neScalar)); }
  lt(other: TensorOrScalar): Tensor { return wrap(binary("Tensor.lt", this.#handle, other, native.lt, native.ltScalar)); }
  le(other: TensorOrScalar): Tensor { return wrap(binary("Tensor.le", this.#handle, other, native.le, native.leScalar)); }
  gt(other: TensorOrScalar): Tensor { return wrap(binary("Tensor.gt", this.#handle, other, native.gt, native.gtScalar)); }
  ge(other: TensorOrScalar): Tensor { return wrap(binary("Tensor.ge", this.#handle, other, native.ge, native.geScalar)); }
  maximum(other: Tensor): Tensor {
    return wrap(native.maximum(this.#handle, tensorArg("Tensor.maximum", "other", other)));
  }
  minimum(other: Tensor): Tensor {
    return wrap(native.minimum(this.#handle, tensorArg("Tensor.minimum", "other", other)));
  }
  matmul(other: Tensor): Tensor {
    return wrap(native.matmul(this.#handle, tensorArg("Tensor.matmul", "other", other)));
  }

  // ---- in place (what optimizers need); each returns this tensor ----
  add_(other: TensorOrScalar, options?: { alpha?: Scalar }): this {
    const alpha = options === undefined ? 1 : alphaOf("Tensor.add_", options);
    binary("Tensor.add_", this.#handle, other, (a, b) => native.add_(a, b, alpha), (a, b) => native.addScalar_(a, b, alpha));
    return this;
  }
  sub_(other: TensorOrScalar, options?: { alpha?: Scalar }): this {
    const alpha = options === undefined ? 1 : alphaOf("Tensor.sub_", options);
    binary("Tensor.sub_", this.#handle, other, (a, b) => native.sub_(a, b, alpha), (a, b) => native.subScalar_(a, b, alpha));
    return this;
  }
  mul_(other: TensorOrScalar): this {
    binary("Tensor.mul_", this.#handle, other, native.mul_, native.mulScalar_);
    return this;
  }
  div_(other: TensorOrScalar): this {
    binary("Tensor.div_", this.#handle, other, native.div_, native.divScalar_);
    return this;
  }
  pow_(exponent: TensorOrScalar): this {
    binary("Tensor.pow_", this.#handle, exponent, native.pow_, native.powScalar_);
    return this;
  }
  neg_(): this { native.neg_(this.#handle); return this; }
  sqrt_(): this { native.sqrt_(this.#handle); return this; }
  exp_(): this { native.exp_(this.#handle); return this; }
  abs_(): this { native.abs_(this.#handle); return this; }
  relu_(): this { native.relu_(this.#handle); return this; }
  sigmoid_(): this { native.sigmoid_(this.#handle); return this; }
  tanh_(): this { native.tanh_(this.#handle); return this; }
  zero_(): this { native.zero_(this.#handle); return this; }
  fill_(value: Scalar): this {
    native.fill_(this.#handle, scalarArg("Tensor.fill_", "value", value));
    return this;
  }
  clamp_(min?: number | null, max?: number | null): this {
    const [lo, hi] = clampBounds("Tensor.clamp_", min, max);
    native.clamp_(this.#handle, lo, hi);
    return this;
  }
  /** Python: `t.addcmul_(t1, t2, value=1)`: t += value * t1 * t2. */
  addcmul_(tensor1: Tensor, tensor2: Tensor, options?: { value?: Scalar }): this {
    const o = checkOptions("Tensor.addcmul_", options);
    native.addcmul_(this.#handle, tensorArg("Tensor.addcmul_", "tensor1", tensor1),
      tensorArg("Tensor.addcmul_", "tensor2", tensor2), o.value === undefined ? 1 : checkScalar("Tensor.addcmul_", "value", o.value));
    return this;
  }
  /** Python: `t.addcdiv_(t1, t2, value=1)`: t += value * t1 / t2. */
  addcdiv_(tensor1: Tensor, tensor2: Tensor, options?: { value?: Scalar }): this {
    const o = checkOptions("Tensor.addcdiv_", options);
    native.addcdiv_(this.#handle, tensorArg("Tensor.addcdiv_", "tensor1", tensor1),
      tensorArg("Tensor.addcdiv_", "tensor2", tensor2), o.value === undefined ? 1 : checkScalar("Tensor.addcdiv_", "value", o.value));
    return this;
  }
  copy_(src: Tensor, options?: { nonBlocking?: boolean }): this {
    const o = checkOptions("Tensor.copy_", options);
    native.copy_(this.#handle, tensorArg("Tensor.copy_", "src", src), o.nonBlocking === undefined ? false : checkBool("Tensor.copy_", "nonBlocking", o.nonBlocking));
    return this;
  }
  /** Python: `t.lerp_(end, weight)`: t += weight * (end - t). */
  lerp_(end: Tensor, weight: TensorOrScalar): this {
    const e = tensorArg("Tensor.lerp_", "end", end);
    if (weight instanceof Tensor) native.lerp_(this.#handle, e, handleOf(weight));
    else native.lerpScalar_(this.#handle, e, scalarArg("Tensor.lerp_", "weight", weight));
    return this;
  }

  // ---- reductions: dim = an integer, a list, or omitted for all ----
  sum(dim?: number | number[] | null, options?: { keepdim?: boolean; dtype?: DType }): Tensor {
    const [dims, keepdim, dtype] = reduceArgs("Tensor.sum", dim, options);
    return wrap(native.sum(this.#handle, dims, keepdim, dtype));
  }
  mean(dim?: number | number[] | null, options?: { keepdim?: boolean; dtype?: DType }): Tensor {
    const [dims, keepdim, dtype] = reduceArgs("Tensor.mean", dim, options);
    return wrap(native.mean(this.#handle, dims, keepdim, dtype));
  }
  /** Python: `t.std(dim=None, unbiased=True, keepdim=False)`. */
  std(dim?: number | number[] | null, options?: { unbiased?: boolean; keepdim?: boolean }): Tensor {
    const [dims, unbiased, keepdim] = spreadArgs("Tensor.std", dim, options);
    return wrap(native.std(this.#handle, dims, unbiased, keepdim));
  }
  var(dim?: number | number[] | null, options?: { unbiased?: boolean; keepdim?: boolean }): Tensor {
    const [dims, unbiased, keepdim] = spreadArgs("Tensor.var", dim, options);
    return wrap(native.var(this.#handle, dims, unbiased, keepdim));
  }
  /** Python: `t.max()` -> tensor; `t.max(dim, keepdim)` -> (values, indices). */
  max(): Tensor;
  max(dim: number, options?: { keepdim?: boolean }): Reduced;
  max(dim?: number, options?: { keepdim?: boolean }): Tensor | Reduced {
    if (dim === undefined) return wrap(native.max(this.#handle, null, false));
    return reduced(native.max(this.#handle, checkInt("Tensor.max", "dim", dim), keepdimOf("Tensor.max", options)));
  }
  min(): Tensor;
  min(dim: number, options?: { keepdim?: boolean }): Reduced;
  min(dim?: number, options?: { keepdim?: boolean }): Tensor | Reduced {
    if (dim === undefined) return wrap(native.min(this.#handle, null, false));
    return reduced(native.min(this.#handle, checkInt("Tensor.min", "dim", dim), keepdimOf("Tensor.min", options)));
  }
  argmax(dim?: number | null, options?: { keepdim?: boolean }): Tensor {
    const d = dim === undefined || dim === null ? null : checkInt("Tensor.argmax", "dim", dim);
    return wrap(native.argmax(this.#handle, d, keepdimOf("Tensor.argmax", options)));
  }
  argmin(dim?: number | null, options?: { keepdim?: boolean }): Tensor {
    const d = dim === undefined || dim === null ? null : checkInt("Tensor.argmin", "dim", dim);
    return wrap(native.argmin(this.#handle, d, keepdimOf("Tensor.argmin", options)));
  }

  // ---- shape ----
  reshape(...shape: number[] | [number[]]): Tensor {
    return wrap(native.reshape(this.#handle, sizeArgs("Tensor.reshape", shape)));
  }
  view(...shape: number[] | [number[]]): Tensor {
    return wrap(native.view(this.#handle, sizeArgs("Tensor.view", shape)));
  }
  expand(...shape: number[] | [number[]]): Tensor {
    return wrap(native.expand(this.#handle, sizeArgs("Tensor.expand", shape)));
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return wrap(native.flatten(this.#handle, checkInt("Tensor.flatten", "startDim", startDim), checkInt("Tensor.flatten", "endDim", endDim)));
  }
  permute(...dims: number[] | [number[]]): Tensor {
    const list = dims.length === 1 && Array.isArray(dims[0]) ? dims[0] : dims;
    return wrap(native.permute(this.#handle, checkIntList("Tensor.permute", "dims", list)));
  }
  transpose(dim0: number, dim1: number): Tensor {
    return wrap(native.transpose(this.#handle, checkInt("Tensor.transpose", "dim0", dim0), checkInt("Tensor.transpose", "dim1", dim1)));
  }
  /** Python: `t.t()` / `t.T` for 2-D tensors. */
  t(): Tensor {
    if (this.ndim > 2) throw new TorchError(`t() expects a tensor with <= 2 dimensions, but self is ${this.ndim}D`);
    return this.ndim < 2 ? wrap(native.view(this.#handle, this.shape)) : this.transpose(0, 1);
  }
  squeeze(dim?: number): Tensor {
    return wrap(native.squeeze(this.#handle, dim === undefined ? null : checkInt("Tensor.squeeze", "dim", dim)));
  }
  unsqueeze(dim: number): Tensor {
    return wrap(native.unsqueeze(this.#handle, checkInt("Tensor.unsqueeze", "dim", dim)));
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return wrap(native.narrow(this.#handle, checkInt("Tensor.narrow", "dim", dim), checkInt("Tensor.narrow", "start", start),
      checkInt("Tensor.narrow", "length", length)));
  }
  select(dim: number, index: number): Tensor {
    return wrap(native.select(this.#handle, checkInt("Tensor.select", "dim", dim), checkInt("Tensor.select", "index", index)));
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return wrap(native.indexSelect(this.#handle, checkInt("Tensor.indexSelect", "dim", dim), tensorArg("Tensor.indexSelect", "index", index)));
  }
}

function clampBounds(fn: string, min: unknown, max: unknown): [number | null, number | null] {
  const lo = min === undefined || min === null ? null : checkScalarNumber(fn, "min", min);
  const hi = max === undefined || max === null ? null : checkScalarNumber(fn, "max", max);
  if (lo === null && hi === null) throw new TypeError(`${fn}: at least one of min or max must not be null`);
  return [lo, hi];
}

function checkScalarNumber(fn: string, arg: string, value: unknown): number {
  if (typeof value !== "number") throw argError(fn, arg, "a number", value);
  return value;
}

function keepdimOf(fn: string, options: unknown): boolean {
  const o = checkOptions(fn, options);
  return o.keepdim === undefined ? false : checkBool(fn, "keepdim", o.keepdim);
}

function reduceArgs(fn: string, dim: unknown, options: unknown): [number[] | null, boolean, number | null] {
  const o = checkOptions(fn, options);
  const dtype = o.dtype === undefined ? null : DTYPES[checkDType(fn, "dtype", o.dtype)].code;
  return [checkDims(fn, "dim", dim), keepdimOf(fn, options), dtype];
}

function spreadArgs(fn: string, dim: unknown, options: unknown): [number[] | null, boolean, boolean] {
  const o = checkOptions(fn, options);
  const unbiased = o.unbiased === undefined ? true : checkBool(fn, "unbiased", o.unbiased);
  return [checkDims(fn, "dim", dim), unbiased, keepdimOf(fn, options)];
}
