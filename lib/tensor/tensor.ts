// The Tensor class: one reference to a native at::Tensor, its lifetime, properties, autograd,
// conversion and data access. Math, reduction and shape methods live in math_methods.ts and
// shape_methods.ts; import the class through ./index.js to get them all.
// Methods validate in TypeScript (naming the argument), then call native/ with plain values.
import { inspect } from "node:util";
import type { Handle, Scalar } from "../../binding.js";
import { native } from "../binding.js";
import { parseDevice, type Device } from "../device.js";
import { pairsOf, type Complex } from "./complex.js";
import { DTYPES, dtypeFromCode, isDType, type DType, type TypedArray } from "../dtype.js";
import { TorchError } from "../errors.js";
import { track } from "../memory.js";
import { format } from "./format.js";
import { readingData } from "../tracing.js";
import { argError, checkBool, checkDType, checkInt, checkOptions, checkShapeWithInfer, describe } from "../validate.js";

/** What a binary op accepts on its right: a tensor or a Python-like scalar. */
export type TensorOrScalar = Tensor | Scalar;
export type Reduced = [values: Tensor, indices: Tensor] & { values: Tensor; indices: Tensor };

/** Internal: the native handle of a tensor (throws if it was disposed). Not exported publicly. */
export let handleOf: (t: Tensor) => Handle;
/**
 * Internal: whether `v` is a Tensor, by the class's own brand (`#h in v`) rather than
 * `instanceof`: the argument checks of every op ask this. Under a bundler that keeps class
 * names (esbuild's keepNames: tsx, vitest) the class's `name` is redefined, and V8 then takes
 * a generic path for `instanceof Tensor`, several times slower; the brand check is not affected.
 * (It also refuses an object that merely has Tensor.prototype in its chain, which has no handle.)
 */
export let isTensor: (v: unknown) => v is Tensor;
/** Internal: the handle of `v` if it is a live Tensor, else null (not a tensor, or disposed): one check per op argument. */
export let liveHandleOf: (v: unknown) => Handle | null;

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
// A batch is fresh[0 .. freshCount); its slots are cleared, not the array emptied, after a
// flush: emptying it gave its storage back, and each batch then grew it again push by push.
const fresh: (Tensor | undefined)[] = [];
let freshCount = 0;
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
  fresh[freshCount++] = t;
  if (freshCount >= FRESH_LIMIT) registerFresh();
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
export function sizeArgs(fn: string, args: unknown[], arg = "shape"): number[] {
  const shape = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  return checkShapeWithInfer(fn, arg, shape);
}


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
    // The field itself rather than the #handle getter: a private accessor is a call that
    // V8 did not inline here, where this runs once per tensor argument of every op.
    handleOf = (t: Tensor) => {
      const h = t.#h;
      if (h === null) throw new TorchError("Tensor was disposed and cannot be used any more");
      return h;
    };
    isTensor = (v: unknown): v is Tensor => typeof v === "object" && v !== null && #h in v;
    liveHandleOf = (v: unknown) => (typeof v === "object" && v !== null && #h in v ? v.#h : null);
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
      for (let i = 0; i < freshCount; i++) {
        registerNow(fresh[i]!, true);
        fresh[i] = undefined;
      }
      freshCount = 0;
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
  /** `using t = torch.randn(2)`. Symbol.dispose: Node >= 20.4 defines it (as Symbol.for("nodejs.dispose")). */
  [Symbol.dispose](): void {
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
   * Python's three `Tensor.to` forms, by the calling rule: `t.to(dtype, nonBlocking?, copy?)`,
   * `t.to(device, dtype?, nonBlocking?, copy?)` and `t.to(other, nonBlocking?, copy?)`, each with
   * an optional trailing `{ nonBlocking, copy, memoryFormat }` (and `{ device, dtype }`, so
   * `t.to({ dtype: "float64" })` is `t.to(dtype=torch.float64)`). Returns this same tensor (not a
   * copy) when nothing changes, as PyTorch does.
   */
  to(dtype: DType, nonBlocking?: boolean | ToOptions, copy?: boolean | ToOptions, options?: ToOptions): Tensor;
  to(device: Device | "auto" | null, dtype?: DType | null | ToOptions, nonBlocking?: boolean | ToOptions, copy?: boolean | ToOptions, options?: ToOptions): Tensor;
  to(other: Tensor, nonBlocking?: boolean | ToOptions, copy?: boolean | ToOptions, options?: ToOptions): Tensor;
  to(options: ToOptions & { device?: Device | "auto" | null; dtype?: DType | null }): Tensor;
  to(...args: unknown[]): Tensor {
    const fn = "Tensor.to";
    const last = args[args.length - 1];
    const hasOptions = args.length > 0 && last !== null && typeof last === "object" && !(last instanceof Tensor);
    const o = checkOptions(fn, hasOptions ? args.pop() : undefined, ["device", "dtype", "nonBlocking", "copy", "memoryFormat"]);
    let device: string | null = null;
    let dtype: number | null = null;
    let rest: unknown[];
    const [target] = args;
    if (target instanceof Tensor) {
      device = target.device;
      dtype = DTYPES[target.dtype].code;
      rest = args.slice(1);
    } else if (isDType(target)) {
      dtype = DTYPES[target].code;
      rest = args.slice(1);
    } else if (typeof target === "string" || target === null) {
      if (target !== null) {
        if (!/^(cpu|cuda|auto)/.test(target)) throw argError(fn, "target", "a device or a dtype name", target);
        device = parseDevice(fn, "device", target);
      }
      if (args[1] !== undefined && typeof args[1] !== "boolean") {
        if (args[1] !== null) dtype = DTYPES[checkDType(fn, "dtype", args[1])].code;
        rest = args.slice(2);
      } else rest = args.slice(1);
    } else if (target === undefined) {
      rest = [];
    } else {
      throw argError(fn, "target", "a device, a dtype, a Tensor or {device, dtype}", target);
    }
    if (rest.length > 2) throw new TypeError(`${fn}: expected at most ${args.length - rest.length + 2} positional arguments before the options, but received ${args.length}`);
    if (o.device !== undefined && o.device !== null) {
      if (device !== null) throw new TypeError(`${fn}: device given twice, positionally and in the options`);
      device = parseDevice(fn, "device", o.device);
    }
    if (o.dtype !== undefined && o.dtype !== null) {
      if (dtype !== null) throw new TypeError(`${fn}: dtype given twice, positionally and in the options`);
      dtype = DTYPES[checkDType(fn, "dtype", o.dtype)].code;
    }
    const flag = (name: "nonBlocking" | "copy", at: number): boolean => {
      if (rest[at] !== undefined && o[name] !== undefined) throw new TypeError(`${fn}: ${name} given twice, positionally and in the options`);
      const v = rest[at] ?? o[name];
      return v === undefined ? false : checkBool(fn, name, v);
    };
    const nonBlocking = flag("nonBlocking", 0);
    const copy = flag("copy", 1);
    const format = memoryFormatOption(fn, o.memoryFormat === undefined ? undefined : { memoryFormat: o.memoryFormat });
    const same = (device === null || device === this.device) && (dtype === null || dtype === native.dtype(this.#handle));
    // PyTorch aliases when nothing changes; a memoryFormat other than preserve is then contiguous()'s rule.
    const moved = !copy && same ? this : wrap(native.to(this.#handle, device, dtype, nonBlocking, copy));
    if (format === undefined || format === "preserveFormat") return moved;
    const laid = moved.contiguous({ memoryFormat: format });
    if (moved !== this) moved.dispose();
    return laid;
  }
  cpu(): Tensor {
    return this.to("cpu");
  }
  cuda(index?: number): Tensor {
    return this.to(index === undefined ? "cuda" : `cuda:${checkInt("Tensor.cuda", "index", index)}`);
  }
  // Python's dtype shorthands, each with its `memory_format=` keyword.
  float(options?: { memoryFormat?: MemoryFormat }): Tensor { return this.to("float32", options); }
  double(options?: { memoryFormat?: MemoryFormat }): Tensor { return this.to("float64", options); }
  half(options?: { memoryFormat?: MemoryFormat }): Tensor { return this.to("float16", options); }
  bfloat16(options?: { memoryFormat?: MemoryFormat }): Tensor { return this.to("bfloat16", options); }
  long(options?: { memoryFormat?: MemoryFormat }): Tensor { return this.to("int64", options); }
  int(options?: { memoryFormat?: MemoryFormat }): Tensor { return this.to("int32", options); }
  short(options?: { memoryFormat?: MemoryFormat }): Tensor { return this.to("int16", options); }
  char(options?: { memoryFormat?: MemoryFormat }): Tensor { return this.to("int8", options); }
  byte(options?: { memoryFormat?: MemoryFormat }): Tensor { return this.to("uint8", options); }
  bool(options?: { memoryFormat?: MemoryFormat }): Tensor { return this.to("bool", options); }
  cfloat(options?: { memoryFormat?: MemoryFormat }): Tensor { return this.to("complex64", options); }
  cdouble(options?: { memoryFormat?: MemoryFormat }): Tensor { return this.to("complex128", options); }
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
   * complex64 / complex128 give a Float32Array / Float64Array of twice numel() floats, each
   * element's real part then its imaginary part (re0, im0, re1, im1, …: the memory layout,
   * Python's `torch.view_as_real(t).numpy()`); a conjugate view (t.conj()) gives its values.
   */
  toTypedArray(): TypedArray {
    readingData("toTypedArray");
    return this.#typed();
  }
  #typed(): TypedArray {
    return new DTYPES[this.dtype].array(native.toData(this.#handle));
  }
  /**
   * Nested arrays of numbers (booleans for bool; `{ re, im }` objects for complex64 and
   * complex128, Python's complex). Python: `t.tolist()`. Every value is exact:
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
    let flat: ArrayLike<number | bigint | Complex>;
    if (DTYPES[dtype].isComplex) {
      flat = pairsOf(this.#typed() as Float32Array | Float64Array);
    } else if (dtype === "float16" || dtype === "bfloat16") {
      const f = this.to("float32");
      flat = f.#typed() as Float32Array;
      f.dispose();
    } else {
      flat = this.#typed();
    }
    let convert: (v: number | bigint | Complex) => unknown;
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
   * `tolist({ bigint: true })` or toTypedArray()). A complex tensor gives `{ re, im }`, a bool
   * tensor a boolean, every other dtype a number.
   *
   * Its type follows what the tensor's static type knows (Tensor has no dtype parameter): a
   * BoolTensor (what comparisons, logical ops, any/all, isnan, isfinite… are typed to return)
   * gives `boolean`, a ComplexTensor (the FFTs, torch.complex, linalg.eig…) a `Complex`, and
   * any other Tensor a `number`, so `correct += pred.eq(y).sum().item()` compiles under strict.
   * A tensor typed plain Tensor that is bool at run time (torch.tensor([true]), a loaded one)
   * still returns its boolean: read it as `Boolean(t.item())`.
   */
  item(this: BoolTensor): boolean;
  item(this: ComplexTensor): Complex;
  item(): number;
  item(): number | boolean | Complex {
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

/**
 * A Tensor statically known to be bool: what comparisons (eq, gt…), logical ops, any/all and
 * isnan, isfinite… return. The same objects as Tensor; only item() is typed `boolean` on it.
 */
export type BoolTensor = Tensor & { readonly dtype: "bool" };
/** A Tensor statically known to be complex (FFTs, torch.complex, linalg.eig…): item() is typed `Complex`. */
export type ComplexTensor = Tensor & { readonly dtype: "complex64" | "complex128" };

/** Python's torch.contiguous_format, channels_last, channels_last_3d, preserve_format. */
export type MemoryFormat = "contiguousFormat" | "channelsLast" | "channelsLast3d" | "preserveFormat";
const MEMORY_FORMATS: readonly string[] = ["contiguousFormat", "channelsLast", "channelsLast3d", "preserveFormat"];

/** Internal: the memoryFormat of an options object (undefined when not given). */
/** Tensor.to's trailing options (Python's keyword arguments). */
export interface ToOptions { nonBlocking?: boolean; copy?: boolean; memoryFormat?: MemoryFormat }

export function memoryFormatOption(fn: string, options: unknown): MemoryFormat | undefined {
  const o = checkOptions(fn, options, ["memoryFormat"]);
  if (o.memoryFormat === undefined) return undefined;
  if (typeof o.memoryFormat !== "string" || !MEMORY_FORMATS.includes(o.memoryFormat)) {
    throw argError(fn, "memoryFormat", `one of ${MEMORY_FORMATS.join(", ")}`, o.memoryFormat);
  }
  return o.memoryFormat as MemoryFormat;
}
