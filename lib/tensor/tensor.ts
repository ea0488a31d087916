// The Tensor class: one reference to a native at::Tensor, its lifetime, properties, autograd,
// conversion and data access. Math, reduction and shape methods live in tensor_ops.ts.
// Methods validate in TypeScript (naming the argument), then call native/ with plain values.
import { inspect } from "node:util";
import type { Handle, Scalar } from "../binding.js";
import { native } from "./binding.js";
import { parseDevice, type Device } from "./device.js";
import { DTYPES, dtypeFromCode, isDType, type DType, type TypedArray } from "./dtype.js";
import { TorchError } from "./errors.js";
import { track } from "./memory.js";
import { format } from "./format.js";
import { readingData } from "./tracing.js";
import { argError, checkBool, checkDType, checkInt, checkOptions, checkShapeWithInfer, describe } from "./validate.js";

/** What a binary op accepts on its right: a tensor or a Python-like scalar. */
export type TensorOrScalar = Tensor | Scalar;
export type Reduced = [values: Tensor, indices: Tensor] & { values: Tensor; indices: Tensor };

/** Internal: the native handle of a tensor (throws if it was disposed). Not exported publicly. */
export let handleOf: (t: Tensor) => Handle;

/** Only wrap() may construct: a handle is a number, and `new Tensor(5)` would alias another tensor. */
const WRAP: unique symbol = Symbol("torch-ts wrap");

/** Internal: wraps a fresh native handle (the current tidy() scope takes ownership). */
export function wrap(handle: Handle): Tensor {
  return new Tensor(handle, WRAP);
}

/**
 * The GC safety net: a tensor collected without dispose() still frees its native memory.
 * Registering costs ~0.3 us and unregistering as much, more than a small op itself, and
 * most tensors are disposed within the synchronous code that made them (tidy, using,
 * dispose). So new tensors wait in `fresh`, and only those still alive when the current
 * task yields (a microtask) or when 4096 have piled up get registered — and only those
 * report their bytes to V8 as external memory: a forward pass's temporaries, freed by
 * tidy() within the same task, would otherwise drive needless full GCs.
 */
const registry = new FinalizationRegistry<Handle>((h) => native.dispose(h));
const fresh: Tensor[] = [];
const FRESH_LIMIT = 4096;
let flushQueued = false;
let registerFresh: () => void;
let registerNow: (t: Tensor, report: boolean) => void;
function adopt(t: Tensor, handle: Handle): void {
  // Large tensors (negative handles, >= 1 MiB) are registered at once: a naive loop that
  // never disposes must not pile up thousands of them waiting for the batch. Their bytes are
  // still reported when the task yields, with the batch: finalizers only run after the task
  // anyway, so reporting earlier bought nothing but full GCs (a torch.load + dispose of a
  // ResNet-50 reported ~75 MB each time: ~2 mark-compacts per load).
  if (handle < 0) registerNow(t, false);
  if (fresh.push(t) >= FRESH_LIMIT) registerFresh();
  else if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(registerFresh);
  }
}

/** Internal: the handle of a tensor argument, or a TypeError naming it. */
export function tensorArg(fn: string, arg: string, value: unknown): Handle {
  if (!(value instanceof Tensor)) throw argError(fn, arg, "a Tensor", value);
  return handleOf(value);
}

/** Accepts PyTorch's two spellings of a size: f(2, 3) and f([2, 3]). */
export function sizeArgs(fn: string, args: unknown[]): number[] {
  const shape = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  return checkShapeWithInfer(fn, "shape", shape);
}

const disposeSymbol: symbol = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for("nodejs.dispose");

/**
 * A multi-dimensional array on a device, with autograd. Python equivalent: `torch.Tensor`.
 * Create tensors with `torch.tensor`, `torch.zeros`, … — not with `new`.
 */
export class Tensor {
  #h: Handle | null;
  #registered = false;

  /**
   * @internal Use torch.tensor()/zeros()/… to create tensors. `new torch.Tensor(…)` is a
   * TypeError pointing at them (Python's legacy `torch.Tensor(5)` is `torch.empty(5)` here).
   */
  constructor(handle: Handle, token?: typeof WRAP) {
    if (token !== WRAP) {
      throw new TypeError(`torch.Tensor: tensors are not made with new; use torch.tensor(data), or torch.empty(size) for an uninitialized tensor (Python's torch.Tensor(5)), but received new Tensor(${describe(handle)})`);
    }
    this.#h = handle;
    adopt(this, handle);
    track(this);
  }

  static {
    handleOf = (t: Tensor) => t.#handle;
    registerNow = (t: Tensor, report: boolean) => {
      if (t.#h === null) return;
      if (!t.#registered) {
        registry.register(t, t.#h, t);
        t.#registered = true;
      }
      // Only now is its memory the GC's business: count it as external memory (once).
      if (report) native.trackMemory(t.#h);
    };
    registerFresh = () => {
      flushQueued = false;
      for (const t of fresh) registerNow(t, true);
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
  /** Python: `is_contiguous(memory_format=torch.contiguous_format)`. */
  isContiguous(options?: { memoryFormat?: MemoryFormat }): boolean {
    const format = memoryFormatOption("Tensor.isContiguous", options);
    return format === undefined ? native.isContiguous(this.#handle) : native.isContiguousAs(this.#handle, format);
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
    const o = checkOptions("Tensor.backward", options, ["retainGraph", "createGraph"]);
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
    const o = checkOptions("Tensor.to", options, ["nonBlocking", "copy"]);
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
      const t = checkOptions("Tensor.to", target, ["device", "dtype"]);
      if (t.device !== undefined) device = parseDevice("Tensor.to", "device", t.device);
      if (t.dtype !== undefined) dtype = DTYPES[checkDType("Tensor.to", "dtype", t.dtype)].code;
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
  /** Python: `contiguous(memory_format=torch.contiguous_format)`; "channelsLast" gives NHWC strides. */
  contiguous(options?: { memoryFormat?: MemoryFormat }): Tensor {
    const format = memoryFormatOption("Tensor.contiguous", options);
    return wrap(format === undefined ? native.contiguous(this.#handle) : native.contiguousAs(this.#handle, format));
  }
  /** Python: `pin_memory()`: a copy in page-locked host memory (fast, asynchronous copies to CUDA). */
  pinMemory(): Tensor {
    // libtorch's own message here is a dispatcher dump; say what is missing instead.
    if (native.cudaDeviceCount() === 0) throw new TorchError("Tensor.pinMemory: pinned memory needs CUDA, which is not available");
    return wrap(native.pinMemory(this.#handle));
  }
  /** Python: `is_pinned()`. */
  isPinned(): boolean {
    return native.isPinned(this.#handle);
  }

  // ---- data out ----
  /**
   * A copy of the elements, row-major, in the dtype's TypedArray (float16/bfloat16 as
   * their raw bits in a Uint16Array, bool as 0/1 in a Uint8Array). Python: `t.numpy()`.
   */
  toTypedArray(): TypedArray {
    readingData("toTypedArray");
    return this.#typed();
  }
  #typed(): TypedArray {
    return new DTYPES[this.dtype].array(native.toData(this.#handle));
  }
  /**
   * Nested arrays of numbers (booleans for bool). Python: `t.tolist()`. Every value is exact:
   * an int64 tensor gives numbers when all its elements are safe integers (|v| <= 2^53 - 1), and
   * otherwise throws a RangeError naming the first element that is not, rather than round it;
   * `{ bigint: true }` gives bigints for int64 (exact, always), and toTypedArray() a BigInt64Array.
   */
  tolist(options?: { bigint?: boolean }): unknown {
    const o = checkOptions("Tensor.tolist", options, ["bigint"]);
    const asBigint = o.bigint === undefined ? false : checkBool("Tensor.tolist", "bigint", o.bigint);
    readingData("tolist");
    const dtype = this.dtype;
    const shape = this.shape;
    let flat: ArrayLike<number | bigint>;
    if (dtype === "float16" || dtype === "bfloat16") {
      const f = this.to("float32");
      flat = f.#typed() as Float32Array;
      f.dispose();
    } else {
      flat = this.#typed();
    }
    let convert: (v: number | bigint) => unknown;
    if (dtype === "bool") convert = (v) => v !== 0;
    else if (dtype !== "int64") convert = (v) => v;
    else if (asBigint) convert = (v) => v;
    else {
      const safe = BigInt(Number.MAX_SAFE_INTEGER);
      const big = flat as BigInt64Array;
      for (let i = 0; i < big.length; i++) {
        const v = big[i]!;
        if (v > safe || v < -safe) {
          const at: number[] = [];
          for (let d = shape.length - 1, r = i; d >= 0; d--) {
            at.unshift(r % shape[d]!);
            r = Math.floor(r / shape[d]!);
          }
          throw new RangeError(`Tensor.tolist: int64 element ${at.map((k) => `[${k}]`).join("")} = ${v} is not exactly representable as a JS number (beyond ±(2^53 - 1)); use tolist({ bigint: true }) for bigints or toTypedArray() for a BigInt64Array`);
        }
      }
      convert = (v) => Number(v);
    }
    let pos = 0;
    const build = (d: number): unknown => {
      if (d === shape.length) return convert(flat[pos++]!);
      const out: unknown[] = new Array(shape[d]);
      for (let i = 0; i < shape[d]!; i++) out[i] = build(d + 1);
      return out;
    };
    return build(0);
  }
  /**
   * The value of a one-element tensor. Python: `t.item()`. Exact, as tolist(): an int64 value
   * beyond ±(2^53 - 1) is a RangeError rather than a rounded number (read it with
   * `tolist({ bigint: true })` or toTypedArray()).
   */
  item(): number | boolean {
    readingData("item");
    const v = native.item(this.#handle);
    // Only a huge integral result can be an inexact int64; the dtype is asked only then.
    if (typeof v === "number" && !Number.isSafeInteger(v) && Number.isInteger(v) && this.dtype === "int64") {
      const exact = (this.#typed() as BigInt64Array)[0]!;
      throw new RangeError(`Tensor.item: the int64 value ${exact} is not exactly representable as a JS number (beyond ±(2^53 - 1)); use tolist({ bigint: true }) for a bigint or toTypedArray() for a BigInt64Array`);
    }
    return v;
  }
  toString(): string {
    if (this.#h === null) return "tensor(<disposed>)";
    return format(this);
  }
  [inspect.custom](): string {
    return this.toString();
  }

}

/** Python's torch.contiguous_format, channels_last, channels_last_3d, preserve_format. */
export type MemoryFormat = "contiguousFormat" | "channelsLast" | "channelsLast3d" | "preserveFormat";
const MEMORY_FORMATS: readonly string[] = ["contiguousFormat", "channelsLast", "channelsLast3d", "preserveFormat"];

/** Internal: the memoryFormat of an options object (undefined when not given). */
export function memoryFormatOption(fn: string, options: unknown): MemoryFormat | undefined {
  const o = checkOptions(fn, options, ["memoryFormat"]);
  if (o.memoryFormat === undefined) return undefined;
  if (typeof o.memoryFormat !== "string" || !MEMORY_FORMATS.includes(o.memoryFormat)) {
    throw argError(fn, "memoryFormat", `one of ${MEMORY_FORMATS.join(", ")}`, o.memoryFormat);
  }
  return o.memoryFormat as MemoryFormat;
}
