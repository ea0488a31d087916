// Python: torch.jit.ScriptModule (RecursiveScriptModule). A TorchScript module — loaded with
// torch.jit.load or made by torch.jit.trace — that is an nn.Module: its parameters, buffers
// and children are registered like any module's, and they are the script module's own tensors
// (native/jit.cc hands out handles to them, not copies), so torch-ts optimizers train it,
// loadStateDict fills it, and module.to() moves it. Its methods run libtorch's interpreter.
import type { JitMethodInfo, JitRef } from "../../binding.js";
import { native } from "../binding.js";
import { TorchError } from "../errors.js";
import { keep } from "../memory.js";
import { Module, Parameter } from "../nn/module.js";
import { Tensor, wrap } from "../tensor/index.js";
import { fromJit, toJit, type ScriptValue } from "./ivalue.js";

/** What a script method is called with: ScriptValues, and Maps or plain objects for dicts. */
export type ScriptArg = ScriptValue | undefined;

const REF: unique symbol = Symbol("torch-ts ScriptModule ref");
/** Modules made by optimizeForInference (their prepacked constants cannot be saved). */
const OPTIMIZED = new WeakSet<ScriptModule>();

/** Internal (lib/jit/trace.ts): marks a module optimizeForInference made. */
export function markOptimized(m: ScriptModule): ScriptModule {
  OPTIMIZED.add(m);
  return m;
}

/** Internal: the native module behind a ScriptModule (lib/jit/*). */
export function refOf(m: ScriptModule): JitRef {
  return m[REF];
}

export class ScriptModule extends Module {
  /** @internal */
  readonly [REF]: JitRef;
  /** Python: `original_name`: the class name the module was scripted or traced from. */
  readonly originalName: string;
  /** The TorchScript type's qualified name (`__torch__.Net`). */
  readonly qualifiedName: string;
  readonly #methods: ReadonlyMap<string, JitMethodInfo>;
  readonly #attributes: readonly string[];
  /** The `training` flag the native module last saw (synced before each call); null when it has none (frozen). */
  #nativeTraining: boolean | null;

  /** Internal: made by torch.jit.load / trace / freeze; not constructed by users. */
  constructor(ref: JitRef) {
    super();
    this[REF] = ref;
    const info = native.jitInfo(ref);
    this.qualifiedName = info.type;
    this.originalName = info.type.slice(info.type.lastIndexOf(".") + 1);
    this.#methods = new Map(info.methods.map((m) => [m.name, m]));
    this.#attributes = info.attributes.map(([name]) => name);
    // The handles are the module's own tensors; the module holds them, not any tidy() scope.
    for (const [name, h] of info.parameters) {
      const t = h === null ? null : keep(wrap(h));
      this.registerParameter(name, t === null ? null : Parameter(t, t.requiresGrad));
    }
    for (const [name, h] of info.buffers) this.registerBuffer(name, h === null ? null : keep(wrap(h)));
    for (const [name, child] of info.children) this.registerModule(name, new ScriptModule(child));
    this.training = info.training;
    this.#nativeTraining = info.hasTraining ? info.training : null;
  }

  /** The method names, Python's `dir()` restricted to TorchScript methods. */
  get methodNames(): string[] {
    return [...this.#methods.keys()];
  }

  /** The names of the attributes that are not parameters, buffers or submodules. */
  get attributeNames(): string[] {
    return [...this.#attributes];
  }

  /** Python: `m.<method>.schema`, as TorchScript prints it. */
  schema(method = "forward"): string {
    return this.#method("ScriptModule.schema", method).text;
  }

  /** Python: `m.graph` / `m.<method>.graph`: the method's TorchScript graph. */
  graph(method = "forward"): string {
    this.#method("ScriptModule.graph", method);
    return native.jitGraph(this[REF], method);
  }

  /** Python: `getattr(m, name)` for a TorchScript attribute (an int, a list, a dict …). */
  attr(name: string): ScriptValue {
    return fromJit(native.jitGetAttr(this[REF], name), (r) => new ScriptModule(r));
  }

  /** Python: `setattr(m, name, value)` for an existing TorchScript attribute, converted to its declared type. */
  setAttr(name: string, value: ScriptArg): void {
    if (!this.#attributes.includes(name)) {
      throw new TorchError(`ScriptModule.setAttr: '${name}' is not an attribute of ${this.originalName} (attributes: ${this.#attributes.join(", ") || "none"}); parameters, buffers and submodules are set as on any Module`);
    }
    native.jitSetAttr(this[REF], name, toJit(value, `ScriptModule.setAttr("${name}")`));
  }

  /** Python: `m(*args)`. A trailing plain object whose keys all name arguments is keyword arguments (the calling rule). */
  forward(...args: ScriptArg[]): ScriptValue {
    return this.runMethod("forward", ...args);
  }

  /** Python: `m.<name>(*args, **kwargs)`. */
  runMethod(name: string, ...args: ScriptArg[]): ScriptValue {
    const [positional, kwargs] = this.#split(name, args);
    this.#syncTraining();
    return fromJit(native.jitRun(this[REF], name, positional, kwargs), (r) => new ScriptModule(r));
  }

  /** runMethod on a libuv worker thread; top-level tensor arguments are copied first. */
  async runMethodAsync(name: string, ...args: ScriptArg[]): Promise<ScriptValue> {
    const [positional, kwargs] = this.#split(name, args);
    this.#syncTraining();
    return fromJit(await native.jitRunAsync(this[REF], name, positional, kwargs), (r) => new ScriptModule(r));
  }

  /** forward() on a libuv worker thread (no tracing needed: the module is already a graph). */
  override async forwardAsync(x: Tensor, ...rest: ScriptArg[]): Promise<Tensor> {
    const out = await this.runMethodAsync("forward", x, ...rest);
    if (!(out instanceof Tensor)) {
      throw new TorchError(`ScriptModule.forwardAsync: forward returned ${Array.isArray(out) ? "a list or tuple" : typeof out}, not a Tensor; use runMethodAsync("forward", …) for other outputs`);
    }
    return out;
  }

  /** Python: `torch.jit.save(m, f)` / `m.save(f)`: to a file, or without a path into a Buffer. */
  save(path: string): void;
  save(): Buffer;
  save(path?: string): void | Buffer {
    if (OPTIMIZED.has(this)) {
      throw new TorchError("ScriptModule.save: this module comes from torch.jit.optimizeForInference, whose oneDNN-prepacked weights do not serialize (Python cannot load such an archive); save the frozen module (torch.jit.freeze) and call optimizeForInference after loading it");
    }
    this.#syncTraining();
    if (path === undefined) return native.jitSave(this[REF], null);
    if (typeof path !== "string") throw new TypeError(`ScriptModule.save: path must be a string, got ${typeof path}`);
    native.jitSave(this[REF], path);
  }

  override extraRepr(): string {
    return `original_name=${this.originalName}`;
  }

  #method(fn: string, name: string): JitMethodInfo {
    const m = this.#methods.get(name);
    if (m === undefined) throw new TorchError(`${fn}: ${this.originalName} has no method '${name}' (methods: ${this.methodNames.join(", ")})`);
    return m;
  }

  /** The positional arguments and keyword arguments of a call, by the calling rule. */
  #split(name: string, args: ScriptArg[]) {
    const method = this.#method(`ScriptModule.${name}`, name);
    let kwargs: Record<string, ScriptArg> | null = null;
    const last = args[args.length - 1];
    const slot = method.args[args.length - 1];
    const isPlain = typeof last === "object" && last !== null && Object.getPrototypeOf(last) === Object.prototype;
    // A plain object where the schema takes a dict is that dict; otherwise it is the options
    // object when every key names an argument (the calling rule's trailing options).
    if (isPlain && !(slot !== undefined && !slot.kwargOnly && /^Dict\[/.test(slot.type))) {
      const names = new Set(method.args.map((a) => a.name));
      const keys = Object.keys(last);
      const unknown = keys.filter((k) => !names.has(k));
      if (unknown.length > 0) {
        throw new TypeError(`ScriptModule.${name}: unexpected keyword argument(s) ${unknown.map((k) => `'${k}'`).join(", ")} (${method.text})`);
      }
      kwargs = last as Record<string, ScriptArg>;
      args = args.slice(0, -1);
    }
    const positional = args.map((a, i) => toJit(a, `${name}(): argument '${method.args[i]?.name ?? i}'`));
    const kw = kwargs === null ? null : Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [k, toJit(v, `${name}(): argument '${k}'`)]));
    return [positional, kw] as const;
  }

  /** Module.train()/eval() set `training` on every module; the native modules follow at the next call. */
  #syncTraining(): void {
    ScriptModule.syncTraining(this);
  }

  /** Internal (lib/jit): gives each native module of the tree its ScriptModule's `training`. */
  static syncTraining(root: ScriptModule): void {
    for (const m of root.modules()) {
      if (m instanceof ScriptModule && m.#nativeTraining !== null && m.training !== m.#nativeTraining) {
        native.jitSetAttr(m[REF], "training", m.training);
        m.#nativeTraining = m.training;
      }
    }
  }
}
