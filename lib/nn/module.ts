// nn.Module: parameters, buffers and children registered in order under PyTorch's names,
// the state_dict contract of torch/nn/modules/module.py, train/eval, in-place to().
import { native } from "../binding.js";
import { noGrad } from "../autograd.js";
import { parseDevice, type Device } from "../device.js";
import { DTYPES, isDType, type DType } from "../dtype.js";
import { TorchError } from "../errors.js";
import { tidy } from "../memory.js";
import { handleOf, memoryFormatOption, Tensor, type MemoryFormat } from "../tensor/index.js";
import { forwardAsync } from "./forward_async.js";
import { argError, checkBool, checkDType, checkNonNegInt, checkOptions } from "../validate.js";
import { stateDictEntries } from "./state_dict_entries.js";

/** A state dict: an ordered Map (or plain object) of PyTorch keys to tensors. */
export type StateDict = Map<string, Tensor> | Record<string, Tensor>;

/** What loadStateDict reports, as PyTorch's `_IncompatibleKeys`. */
export interface IncompatibleKeys {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Per-module metadata PyTorch stores in `state_dict._metadata` (e.g. BatchNorm's version). */
export type StateDictMetadata = Map<string, { version?: number }>;

function checkName(kind: string, name: unknown): string {
  if (typeof name !== "string" || name === "") throw argError(`Module.register${kind}`, "name", "a non-empty string", name);
  if (name.includes(".")) throw new TypeError(`Module.register${kind}: ${kind.toLowerCase()} name can't contain ".", got "${name}"`);
  return name;
}

function shapeText(shape: number[]): string {
  return `torch.Size([${shape.join(", ")}])`;
}

/**
 * Python: `nn.Parameter(data, requires_grad=True)`: a leaf tensor that a Module registers as
 * a parameter. Returns `data` itself (detached from any graph) with requiresGrad set.
 */
export function Parameter(data: Tensor, requiresGrad = true): Tensor {
  if (!(data instanceof Tensor)) throw argError("nn.Parameter", "data", "a Tensor", data);
  const leaf = data.isLeaf ? data : data.detach();
  return leaf.requiresGrad_(requiresGrad);
}

/** Python: `torch.nn.Module`. Subclasses register state in the constructor and define forward(). */
export abstract class Module {
  /** Python: `module.training`. */
  training = true;
  readonly #parameters = new Map<string, Tensor | null>();
  readonly #buffers = new Map<string, Tensor | null>();
  readonly #nonPersistent = new Set<string>();
  readonly #modules = new Map<string, Module | null>();
  /** Python: `_version`; written to state_dict metadata (BatchNorm uses 2). */
  static readonly version: number = 1;

  /** The computation; call it through `call()` so its temporaries are freed. */
  abstract forward(...args: unknown[]): unknown;

  /**
   * Python: `module(x)`. Runs forward() inside tidy(), so intermediate tensors are freed as
   * soon as it returns (autograd keeps what backward needs natively).
   */
  call(...args: Parameters<this["forward"]>): ReturnType<this["forward"]> {
    return tidy(() => this.forward(...args)) as ReturnType<this["forward"]>;
  }

  /**
   * `await model.forwardAsync(x)`: forward() on a libuv worker thread, so the event loop keeps
   * serving while a long inference runs (see nn/forward_async.ts for how and its limits).
   */
  forwardAsync(x: Tensor): Promise<Tensor> {
    return forwardAsync(this, x);
  }

  /** Python: `register_parameter(name, param)`. Returns the parameter. */
  registerParameter<T extends Tensor | null>(name: string, param: T): T {
    checkName("Parameter", name);
    if (param !== null && !(param instanceof Tensor)) throw argError("Module.registerParameter", "param", "a Tensor or null", param);
    if (this.#buffers.has(name) || this.#modules.has(name)) throw new TypeError(`Module.registerParameter: attribute "${name}" already exists`);
    this.#parameters.set(name, param === null ? null : Parameter(param));
    return this.#parameters.get(name) as T;
  }

  /** Python: `register_buffer(name, tensor, persistent=True)`. Returns the buffer. */
  registerBuffer<T extends Tensor | null>(name: string, tensor: T, options?: { persistent?: boolean }): T {
    checkName("Buffer", name);
    const o = checkOptions("Module.registerBuffer", options, ["persistent"]);
    if (tensor !== null && !(tensor instanceof Tensor)) throw argError("Module.registerBuffer", "tensor", "a Tensor or null", tensor);
    if (this.#parameters.has(name) || this.#modules.has(name)) throw new TypeError(`Module.registerBuffer: attribute "${name}" already exists`);
    this.#buffers.set(name, tensor);
    if (o.persistent === false) this.#nonPersistent.add(name);
    else this.#nonPersistent.delete(name);
    return tensor;
  }

  /** Python: `add_module(name, module)` / `register_module`. Returns the module. */
  registerModule<M extends Module | null>(name: string, module: M): M {
    checkName("Module", name);
    if (module !== null && !(module instanceof Module)) throw argError("Module.registerModule", "module", "a Module or null", module);
    if (this.#parameters.has(name) || this.#buffers.has(name)) throw new TypeError(`Module.registerModule: attribute "${name}" already exists`);
    this.#modules.set(name, module);
    return module;
  }

  /** Python: `getattr(module, name)` for a registered parameter, buffer or child. */
  getAttr(name: string): Tensor | Module | null | undefined {
    if (this.#parameters.has(name)) return this.#parameters.get(name);
    if (this.#buffers.has(name)) return this.#buffers.get(name);
    return this.#modules.get(name);
  }

  /** Python: `get_submodule(target)`: the module at a dotted path of child names ("" is this one). */
  getSubmodule(target: string): Module {
    if (typeof target !== "string") throw argError("Module.getSubmodule", "target", "a dotted path string", target);
    let mod: Module = this;
    if (target === "") return mod;
    for (const item of target.split(".")) {
      const next: Module | null | undefined = mod.#modules.get(item);
      if (next === undefined) throw new TypeError(`Module.getSubmodule: ${mod.constructor.name} has no child module "${item}" (in "${target}")`);
      if (next === null) throw new TypeError(`Module.getSubmodule: "${item}" (in "${target}") is null, not a Module`);
      mod = next;
    }
    return mod;
  }

  /**
   * Python: `set_submodule(target, module)`: replaces the child at a dotted path. Like Python's
   * setattr, this also rebinds the owner's property of that name (the field a forward() reads,
   * e.g. a ResNet block's `bn1`), so the new module is the one that runs.
   */
  setSubmodule(target: string, module: Module): void {
    if (typeof target !== "string" || target === "") throw argError("Module.setSubmodule", "target", "a non-empty dotted path string", target);
    if (!(module instanceof Module)) throw argError("Module.setSubmodule", "module", "a Module", module);
    const dot = target.lastIndexOf(".");
    const owner = this.getSubmodule(dot < 0 ? "" : target.slice(0, dot));
    const name = target.slice(dot + 1);
    if (!owner.#modules.has(name)) throw new TypeError(`Module.setSubmodule: ${owner.constructor.name} has no child module "${name}" (in "${target}")`);
    const old = owner.#modules.get(name);
    owner.#modules.set(name, module);
    if (Object.prototype.hasOwnProperty.call(owner, name) && (owner as unknown as Record<string, unknown>)[name] === old) {
      (owner as unknown as Record<string, unknown>)[name] = module;
    }
  }

  /** Replaces a registered buffer's tensor (e.g. BatchNorm's num_batches_tracked when null). */
  protected setBuffer(name: string, tensor: Tensor | null): void {
    if (!this.#buffers.has(name)) throw new TypeError(`Module: no buffer named "${name}"`);
    this.#buffers.set(name, tensor);
  }

  // ---- traversal (deduplicated, PyTorch order) ----
  /** Python: `named_modules(prefix="")`: this module first, then children depth-first. */
  *namedModules(prefix = "", memo = new Set<Module>()): Generator<[string, Module]> {
    if (memo.has(this)) return;
    memo.add(this);
    yield [prefix, this];
    for (const [name, m] of this.#modules) {
      if (m !== null) yield* m.namedModules(prefix ? `${prefix}.${name}` : name, memo);
    }
  }
  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }
  *namedChildren(): Generator<[string, Module]> {
    const seen = new Set<Module>();
    for (const [name, m] of this.#modules) {
      if (m !== null && !seen.has(m)) {
        seen.add(m);
        yield [name, m];
      }
    }
  }
  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }
  /** Python: `named_parameters(prefix="", recurse=True)`. */
  *namedParameters(options?: { prefix?: string; recurse?: boolean }): Generator<[string, Tensor]> {
    yield* this.#namedMembers((m) => m.#parameters, options);
  }
  *parameters(options?: { recurse?: boolean }): Generator<Tensor> {
    for (const [, p] of this.namedParameters(options)) yield p;
  }
  /** Python: `named_buffers(prefix="", recurse=True)`. */
  *namedBuffers(options?: { prefix?: string; recurse?: boolean }): Generator<[string, Tensor]> {
    yield* this.#namedMembers((m) => m.#buffers, options);
  }
  *buffers(options?: { recurse?: boolean }): Generator<Tensor> {
    for (const [, b] of this.namedBuffers(options)) yield b;
  }
  *#namedMembers(members: (m: Module) => Map<string, Tensor | null>, options?: { prefix?: string; recurse?: boolean }): Generator<[string, Tensor]> {
    const o = checkOptions("Module.namedParameters", options, ["prefix", "recurse"]);
    const prefix = (o.prefix as string | undefined) ?? "";
    const recurse = o.recurse === undefined ? true : checkBool("Module.namedParameters", "recurse", o.recurse);
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [modPrefix, m] of mods) {
      for (const [name, t] of members(m)) {
        if (t === null || seen.has(t)) continue;
        seen.add(t);
        yield [modPrefix ? `${modPrefix}.${name}` : name, t];
      }
    }
  }
  /** Total number of parameter elements (optionally only trainable ones). */
  numParameters(options?: { onlyTrainable?: boolean }): number {
    const only = checkOptions("Module.numParameters", options, ["onlyTrainable"]).onlyTrainable === true;
    let n = 0;
    for (const p of this.parameters()) if (!only || p.requiresGrad) n += p.numel();
    return n;
  }

  // ---- modes and bulk operations ----
  /** Python: `train(mode=True)`. */
  train(mode = true): this {
    checkBool("Module.train", "mode", mode);
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  /** Python: `eval()`. */
  eval(): this {
    return this.train(false);
  }
  /** Python: `apply(fn)`: fn on every child (depth-first), then on this module. */
  apply(fn: (m: Module) => void): this {
    for (const m of this.children()) m.apply(fn);
    fn(this);
    return this;
  }
  /** Python: `requires_grad_(requires_grad=True)` on every parameter (freeze / unfreeze). */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }
  /** Python: `zero_grad(set_to_none=True)`. */
  zeroGrad(options?: { setToNone?: boolean }): void {
    const o = checkOptions("Module.zeroGrad", options, ["setToNone"]);
    const setToNone = o.setToNone === undefined ? true : checkBool("Module.zeroGrad", "setToNone", o.setToNone);
    for (const p of this.parameters()) zeroGradOf(p, setToNone);
  }
  /**
   * Python: `module.to(device)` / `to(dtype)` / `to(memory_format=…)`: moves/casts parameters
   * (and their grads) and buffers in place, so tensors held elsewhere (an optimizer) stay valid.
   * dtype casts apply to floating-point tensors only, and a memory format to 4-D (5-D for
   * channelsLast3d) tensors only, as in PyTorch.
   */
  to(target: Device | "auto" | DType | { device?: Device | "auto"; dtype?: DType; memoryFormat?: MemoryFormat }): this {
    let device: Device | undefined;
    let dtype: DType | undefined;
    let format: MemoryFormat | undefined;
    if (typeof target === "string") {
      if (isDType(target)) dtype = target;
      else device = parseDevice("Module.to", "device", target);
    } else if (target !== null && typeof target === "object") {
      const { memoryFormat, ...rest } = target as Record<string, unknown>;
      const o = checkOptions("Module.to", rest, ["device", "dtype"]);
      if (o.device !== undefined) device = parseDevice("Module.to", "device", o.device);
      if (o.dtype !== undefined) dtype = checkDType("Module.to", "dtype", o.dtype);
      format = memoryFormatOption("Module.to", { memoryFormat });
    } else {
      throw argError("Module.to", "target", "a device, a dtype or {device, dtype, memoryFormat}", target);
    }
    if (dtype !== undefined && !DTYPES[dtype].isFloatingPoint && !DTYPES[dtype].isComplex) {
      throw new TypeError(`Module.to: nn.Module.to only accepts floating point or complex dtypes, but got ${dtype}`);
    }
    const formatRank = format === "channelsLast" ? 4 : format === "channelsLast3d" ? 5 : -1;
    const convert = (t: Tensor) => {
      // As Python: floating and complex tensors take the dtype; integer buffers keep theirs.
      const cast = dtype !== undefined && (DTYPES[t.dtype].isFloatingPoint || DTYPES[t.dtype].isComplex) ? dtype : undefined;
      let moved = t.to({ device, dtype: cast });
      if (format !== undefined && (formatRank < 0 || t.ndim === formatRank)) {
        const laid = moved.contiguous({ memoryFormat: format });
        if (moved !== t) moved.dispose();
        moved = laid;
      }
      if (moved !== t) {
        native.setData(handleOf(t), handleOf(moved));
        moved.dispose();
      }
    };
    tidy(() => noGrad(() => {
      for (const p of this.parameters()) {
        convert(p);
        const g = p.grad;
        if (g !== null) {
          convert(g);
          p.grad = g;
        }
      }
      for (const b of this.buffers()) convert(b);
    }));
    return this;
  }
  cpu(): this {
    return this.to("cpu");
  }
  cuda(index?: number): this {
    return this.to(index === undefined ? "cuda" : (`cuda:${checkNonNegInt("Module.cuda", "index", index)}` as Device));
  }

  // ---- state dict ----
  /**
   * Python: `state_dict(prefix="", keep_vars=False)`: params, then persistent buffers, then
   * children, in registration order. Tensors are detached views sharing the module's
   * storage (new handles: dispose them, or call inside tidy()). The map carries PyTorch's
   * `_metadata` (per-module versions) as a `metadata` property.
   */
  stateDict(options?: { prefix?: string; keepVars?: boolean }): Map<string, Tensor> & { metadata: StateDictMetadata } {
    const o = checkOptions("Module.stateDict", options, ["prefix", "keepVars"]);
    const keepVars = o.keepVars === true;
    const out = new Map<string, Tensor>() as Map<string, Tensor> & { metadata: StateDictMetadata };
    const metadata: StateDictMetadata = new Map();
    Object.defineProperty(out, "metadata", { value: metadata, enumerable: false });
    const visit = (m: Module, prefix: string) => {
      metadata.set(prefix.endsWith(".") ? prefix.slice(0, -1) : prefix, { version: (m.constructor as typeof Module).version });
      for (const [name, p] of m.#parameters) if (p !== null) out.set(prefix + name, keepVars ? p : p.detach());
      for (const [name, b] of m.#buffers) {
        if (b !== null && !m.#nonPersistent.has(name)) out.set(prefix + name, keepVars ? b : b.detach());
      }
      for (const [name, child] of m.#modules) if (child !== null) visit(child, `${prefix}${name}.`);
    };
    visit(this, (o.prefix as string | undefined) ?? "");
    return out;
  }

  /**
   * Python: `load_state_dict(state_dict, strict=True)`: copies into the existing tensors under
   * no_grad. Every problem is collected into one TorchError worded as PyTorch's; a size
   * mismatch fails even when strict is false. Returns the missing and unexpected keys.
   */
  loadStateDict(stateDict: StateDict, options?: { strict?: boolean }): IncompatibleKeys {
    const o = checkOptions("Module.loadStateDict", options, ["strict"]);
    const strict = o.strict === undefined ? true : checkBool("Module.loadStateDict", "strict", o.strict);
    if (stateDict === null || typeof stateDict !== "object") throw argError("Module.loadStateDict", "stateDict", "a Map or an object of tensors", stateDict);
    const sd = stateDictEntries(stateDict);
    const metadata = ((stateDict as { metadata?: unknown }).metadata ?? (stateDict as { _metadata?: unknown })._metadata) as
      Map<string, { version?: number }> | Record<string, { version?: number }> | undefined;
    const versionOf = (prefix: string): number | undefined => {
      const key = prefix.endsWith(".") ? prefix.slice(0, -1) : prefix;
      const entry = metadata instanceof Map ? metadata.get(key) : metadata?.[key];
      return entry?.version;
    };
    const missing: string[] = [];
    const unexpected: string[] = [];
    const errors: string[] = [];
    const load = (m: Module, prefix: string) => {
      m.loadFromStateDict(sd, prefix, versionOf(prefix));
      const local = new Map<string, Tensor>();
      for (const [n, p] of m.#parameters) if (p !== null) local.set(n, p);
      for (const [n, b] of m.#buffers) if (b !== null && !m.#nonPersistent.has(n)) local.set(n, b);
      for (const [name, param] of local) {
        const key = prefix + name;
        if (!sd.has(key)) {
          missing.push(key);
          continue;
        }
        const value = sd.get(key);
        if (!(value instanceof Tensor)) {
          errors.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${typeof value}`);
          continue;
        }
        const target = param.shape;
        let source = value.shape;
        // PyTorch accepts a 1-element 1-D tensor for a 0-dim one (old checkpoints).
        const squeezeOld = target.length === 0 && source.length === 1;
        if (squeezeOld) source = [];
        if (source.length !== target.length || source.some((d, i) => d !== target[i])) {
          errors.push(`size mismatch for ${key}: copying a param with shape ${shapeText(value.shape)} from checkpoint, the shape in current model is ${shapeText(target)}.`);
          continue;
        }
        try {
          tidy(() => noGrad(() => param.copy_(squeezeOld ? value.reshape([]) : value)));
        } catch (err) {
          errors.push(`While copying the parameter named "${key}", whose dimensions in the model are ${shapeText(target)} and whose dimensions in the checkpoint are ${shapeText(value.shape)}, an exception occurred : ${(err as Error).message}.`);
        }
      }
      for (const key of sd.keys()) {
        if (!key.startsWith(prefix)) continue;
        const inputName = key.slice(prefix.length).split(".", 1)[0]!;
        if (!m.#modules.has(inputName) && !local.has(inputName)) unexpected.push(key);
      }
      for (const [name, child] of m.#modules) if (child !== null) load(child, `${prefix}${name}.`);
    };
    // tidy: tensors a loadFromStateDict hook creates (BatchNorm's num_batches_tracked) are freed.
    tidy(() => load(this, ""));
    if (strict) {
      if (unexpected.length > 0) errors.unshift(`Unexpected key(s) in state_dict: ${unexpected.map((k) => `"${k}"`).join(", ")}. `);
      if (missing.length > 0) errors.unshift(`Missing key(s) in state_dict: ${missing.map((k) => `"${k}"`).join(", ")}. `);
    }
    if (errors.length > 0) {
      throw new TorchError(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join("\n\t")}`);
    }
    return { missingKeys: missing, unexpectedKeys: unexpected };
  }

  /**
   * Hook for subclasses that adapt old checkpoints before the copy (Python's
   * `_load_from_state_dict` override); `version` is the checkpoint's version of this module.
   * It runs inside tidy(): tensors it creates are freed once loading ends (keep() any that
   * the module must hold on to).
   */
  protected loadFromStateDict(stateDict: Map<string, unknown>, prefix: string, version: number | undefined): void {
    void stateDict;
    void prefix;
    void version;
  }

  // ---- printing ----
  /** Python: `extra_repr()`: the constructor arguments shown by print(module). */
  extraRepr(): string {
    return "";
  }
  /** Python: `print(module)`. */
  toString(): string {
    const lines: string[] = [];
    for (const [name, m] of this.#modules) {
      const text = m === null ? "None" : m.toString();
      lines.push(`(${name}): ${text.split("\n").join("\n  ")}`);
    }
    const extra = this.extraRepr();
    const name = this.constructor.name;
    if (lines.length === 0) return `${name}(${extra})`;
    const head = extra ? [extra, ...lines] : lines;
    return `${name}(\n  ${head.join("\n  ")}\n)`;
  }
}

/** zero_grad for one parameter, as Optimizer.zero_grad and Module.zero_grad do it. */
export function zeroGradOf(p: Tensor, setToNone: boolean): void {
  const g = p.grad;
  if (g === null) return;
  if (setToNone) p.grad = null;
  else g.detach().zero_().dispose();
  g.dispose();
}

/**
 * Internal: runs `steps` one after another on `input`, disposing each intermediate result as
 * soon as the next step has consumed it (never `input` itself, nor a step's result that is its
 * own input, e.g. an in-place ReLU). Python frees an intermediate when its last reference goes;
 * without this a forward would hold every activation until its tidy() ends, raising peak
 * memory (and page faults) by the whole network's activations. Autograd keeps what backward
 * needs natively, so this is safe in training too.
 */
export function chainForward(input: unknown, steps: Iterable<(x: unknown) => unknown>): unknown {
  let x = input;
  for (const step of steps) {
    const y = step(x);
    if (y !== x && x !== input && x instanceof Tensor && !x.isDisposed) x.dispose();
    x = y;
  }
  return x;
}
