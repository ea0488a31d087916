// nn.Module: parameters, buffers and children registered in order under PyTorch's names
// (by field assignment, as Python's __setattr__, or explicitly), traversal, train/eval,
// forward hooks; the state dict lives in module_state_dict.ts, conversions in module_convert.ts.
import { type Device } from "../device.js";
import { type DType } from "../dtype.js";
import { tidy } from "../memory.js";
import { Tensor, type MemoryFormat } from "../tensor/index.js";
import { forwardAsync } from "./forward_async.js";
import { castFloating, moduleTo } from "./module_convert.js";
import { AttributeTrap, installAttributeSink } from "./module_attributes.js";
import { addHook, callWithHooks, noHooks, type ForwardHook, type ForwardPreHook, type RemovableHandle } from "./module_hooks.js";
import { argError, checkBool, checkNonNegInt, checkOptions, describe } from "../validate.js";
import { loadStateDictInto, stateDictOf, type ModuleMembers } from "./module_state_dict.js";
import { moduleRepr } from "./module_repr.js";
import { zeroGradOf } from "./module_steps.js";

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

// Which tensors are nn.Parameters: Python tells them by class (isinstance(v, Parameter)); a
// torch-ts Parameter is a plain Tensor, marked here when made or registered.
const PARAMETERS = new WeakSet<Tensor>();

/**
 * Python: `nn.Parameter(data, requires_grad=True)`: a leaf tensor that a Module registers as
 * a parameter when assigned to one of its fields. Returns `data` itself (detached from any
 * graph) with requiresGrad set.
 */
export function Parameter(data: Tensor, requiresGrad = true): Tensor {
  if (!(data instanceof Tensor)) throw argError("nn.Parameter", "data", "a Tensor", data);
  const leaf = data.isLeaf ? data : data.detach();
  PARAMETERS.add(leaf);
  return leaf.requiresGrad_(requiresGrad);
}

/** Python: `isinstance(t, nn.Parameter)`. */
export function isParameter(t: unknown): t is Tensor {
  return t instanceof Tensor && PARAMETERS.has(t);
}

/** How Python's __setattr__ messages name a value. */
const kindOf = (v: unknown) => (v instanceof Tensor ? `a Tensor (${v.dtype}) that is not an nn.Parameter` : describe(v));

/**
 * Python: `torch.nn.Module`. Subclasses define forward(); children, nn.Parameters and buffers
 * assigned to fields register themselves in assignment order, as Python's __setattr__ does
 * (module_attributes.ts): `this.conv = new nn.Conv2d(…)`, `this.w = nn.Parameter(t)`, and a
 * class field `fc = new nn.Linear(…)` alike. registerParameter/registerBuffer/registerModule
 * remain for computed names and non-persistent buffers.
 */
export abstract class Module extends AttributeTrap {
  /** Python: `module.training`. */
  training = true;
  readonly #parameters = new Map<string, Tensor | null>();
  readonly #buffers = new Map<string, Tensor | null>();
  readonly #nonPersistent = new Set<string>();
  readonly #modules = new Map<string, Module | null>();
  readonly #forwardPreHooks = new Map<number, ForwardPreHook>();
  readonly #forwardHooks = new Map<number, ForwardHook>();
  /** Python: `_version`; written to state_dict metadata (BatchNorm uses 2). */
  static readonly version: number = 1;

  /** The computation; call it through `call()` so its temporaries are freed. */
  abstract forward(...args: unknown[]): unknown;

  /**
   * Python: `module(x)`. Runs forward() inside tidy(), so intermediate tensors are freed as
   * soon as it returns (autograd keeps what backward needs natively).
   */
  call(...args: Parameters<this["forward"]>): ReturnType<this["forward"]> {
    if (noHooks()) return tidy(() => this.forward(...args)) as ReturnType<this["forward"]>;
    return tidy(() => callWithHooks(this, this.#forwardPreHooks, this.#forwardHooks, args, (...a) => this.forward(...a))) as ReturnType<this["forward"]>;
  }

  /**
   * Python: `register_forward_pre_hook(hook)`: `hook(module, args)` runs before each call();
   * a result other than undefined/null replaces the arguments (an array is the argument list).
   */
  registerForwardPreHook(hook: ForwardPreHook<this>): RemovableHandle {
    return addHook("Module.registerForwardPreHook", this.#forwardPreHooks as Map<number, ForwardPreHook<this>>, hook);
  }

  /**
   * Python: `register_forward_hook(hook)`: `hook(module, args, output)` runs after each
   * call()'s forward; a result other than undefined/null replaces the output.
   */
  registerForwardHook(hook: ForwardHook<this>): RemovableHandle {
    return addHook("Module.registerForwardHook", this.#forwardHooks as Map<number, ForwardHook<this>>, hook);
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
    if (this.#buffers.has(name) || this.#modules.has(name) || this.#isMember(name)) throw new TypeError(`Module.registerParameter: attribute "${name}" already exists`);
    const value = param === null ? null : Parameter(param);
    this.#parameters.set(name, value);
    this.#mirror(name, value);
    return value as T;
  }

  /** Python: `register_buffer(name, tensor, persistent=True)`. Returns the buffer. */
  registerBuffer<T extends Tensor | null>(name: string, tensor: T, options?: { persistent?: boolean }): T {
    checkName("Buffer", name);
    const o = checkOptions("Module.registerBuffer", options, ["persistent"]);
    if (tensor !== null && !(tensor instanceof Tensor)) throw argError("Module.registerBuffer", "tensor", "a Tensor or null", tensor);
    if (this.#parameters.has(name) || this.#modules.has(name) || this.#isMember(name)) throw new TypeError(`Module.registerBuffer: attribute "${name}" already exists`);
    this.#buffers.set(name, tensor);
    if (o.persistent === false) this.#nonPersistent.add(name);
    else this.#nonPersistent.delete(name);
    this.#mirror(name, tensor);
    return tensor;
  }

  /** Python: `add_module(name, module)` / `register_module`. Returns the module. */
  registerModule<M extends Module | null>(name: string, module: M): M {
    checkName("Module", name);
    if (module !== null && !(module instanceof Module)) throw argError("Module.registerModule", "module", "a Module or null", module);
    if (this.#parameters.has(name) || this.#buffers.has(name) || this.#isMember(name)) throw new TypeError(`Module.registerModule: attribute "${name}" already exists`);
    this.#modules.set(name, module);
    this.#mirror(name, module);
    return module;
  }

  /** A method or accessor of the class (Python's hasattr for a name not in __dict__). */
  #isMember(name: string): boolean {
    return !Object.prototype.hasOwnProperty.call(this, name) && name in this;
  }

  /** The field that mirrors a registered name (Python's getattr falls back to the registries). */
  #mirror(name: string, value: unknown): void {
    (this as unknown as Record<string, unknown>)[name] = value;
  }

  /** Python's Module.__setattr__, applied by the attribute trap; returns what the field holds. */
  static #setAttr(m: Module, name: string, value: unknown): unknown {
    // Module's own fields are defined before its registries exist (and are never registered).
    if (!(#parameters in m)) return value;
    const params = m.#parameters;
    const buffers = m.#buffers;
    const modules = m.#modules;
    // A TypeScript field declared without an initializer is defined as undefined after a
    // base class registered it (a subclass re-declaring `weight`): it keeps the registered value.
    if (value === undefined) return params.get(name) ?? buffers.get(name) ?? modules.get(name) ?? undefined;
    if (isParameter(value)) {
      buffers.delete(name);
      m.#nonPersistent.delete(name);
      modules.delete(name);
      params.set(name, value);
    } else if (params.has(name)) {
      if (value !== null) throw new TypeError(`Module: cannot assign ${kindOf(value)} as parameter "${name}" (nn.Parameter or null expected)`);
      params.set(name, null);
    } else if (value instanceof Module) {
      params.delete(name);
      buffers.delete(name);
      m.#nonPersistent.delete(name);
      modules.set(name, value);
    } else if (modules.has(name)) {
      if (value !== null) throw new TypeError(`Module: cannot assign ${describe(value)} as child module "${name}" (nn.Module or null expected)`);
      modules.set(name, null);
    } else if (buffers.has(name)) {
      if (value !== null && !(value instanceof Tensor)) throw new TypeError(`Module: cannot assign ${describe(value)} as buffer "${name}" (Tensor or null expected)`);
      buffers.set(name, value as Tensor | null);
    }
    return value;
  }

  /** Python's Module.__delattr__. */
  static #delAttr(m: Module, name: string): void {
    if (!(#parameters in m)) return;
    m.#parameters.delete(name);
    m.#buffers.delete(name);
    m.#nonPersistent.delete(name);
    m.#modules.delete(name);
  }

  static {
    installAttributeSink({
      set: (proxy, name, value) => Module.#setAttr(proxy as Module, name, value),
      delete: (proxy, name) => Module.#delAttr(proxy as Module, name),
    });
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
    // Python's setattr: the registry and the field a forward() reads (a block's `bn1`) both change.
    (owner as unknown as Record<string, unknown>)[name] = module;
  }

  /** Replaces a registered buffer's tensor (e.g. BatchNorm's num_batches_tracked when null). */
  protected setBuffer(name: string, tensor: Tensor | null): void {
    if (!this.#buffers.has(name)) throw new TypeError(`Module: no buffer named "${name}"`);
    this.#mirror(name, tensor);
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
    moduleTo(this, target);
    return this;
  }
  /** Python: `half()`: floating-point parameters and buffers to float16. */
  half(): this {
    castFloating(this, "float16");
    return this;
  }
  /** Python: `float()`: floating-point parameters and buffers to float32. */
  float(): this {
    castFloating(this, "float32");
    return this;
  }
  /** Python: `double()`: floating-point parameters and buffers to float64. */
  double(): this {
    castFloating(this, "float64");
    return this;
  }
  /** Python: `bfloat16()`: floating-point parameters and buffers to bfloat16. */
  bfloat16(): this {
    castFloating(this, "bfloat16");
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
    return stateDictOf(this, options);
  }

  /**
   * Python: `load_state_dict(state_dict, strict=True)`: copies into the existing tensors under
   * no_grad. Every problem is collected into one TorchError worded as PyTorch's; a size
   * mismatch fails even when strict is false. Returns the missing and unexpected keys.
   */
  loadStateDict(stateDict: StateDict, options?: { strict?: boolean }): IncompatibleKeys {
    return loadStateDictInto(this, stateDict, options);
  }

  /** Internal (module_state_dict.ts): the registries, read-only. */
  static members(m: Module): ModuleMembers {
    return { parameters: m.#parameters, buffers: m.#buffers, nonPersistent: m.#nonPersistent, modules: m.#modules };
  }

  /** Internal: runs the checkpoint-adapting hook (it is protected). */
  static loadFromStateDictOf(m: Module, stateDict: Map<string, unknown>, prefix: string, version: number | undefined): void {
    m.loadFromStateDict(stateDict, prefix, version);
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
  /** Python: `print(module)` (Module.__repr__). */
  override toString(): string {
    return moduleRepr(this.constructor.name, this.extraRepr(), this.#modules);
  }
}

export { chainForward, zeroGradOf } from "./module_steps.js";
