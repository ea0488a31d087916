// nn.Sequential, nn.ModuleList, nn.ModuleDict (torch/nn/modules/container.py): children named
// "0", "1", … or by key, so their state-dict keys are PyTorch's, with Python's list and dict
// API. Python's `c[i]`, `c[i] = m`, `del c[i]` and `c[1:3]` are get/set/delete with an integer
// or a slice string ("1:3", "::2", as tensor indexing writes slices). ParameterList and
// ParameterDict are in container_params.ts.
import { argError } from "../validate.js";
import type { Tensor } from "../tensor/index.js";
import { absIndex, isSlice, slicePositions, type ContainerIndex } from "./container_index.js";
import { chainForward, Module } from "./module.js";

/** The children registry (key order is Python's `_modules` order). */
const childrenOf = (m: Module): ReadonlyMap<string, Module | null> => Module.members(m).modules;

function checkModule(fn: string, module: unknown, arg = "module"): Module {
  if (!(module instanceof Module)) throw argError(fn, arg, "a Module", module);
  return module;
}

function checkIterable(fn: string, value: unknown, arg: string): Iterable<unknown> {
  if (value === null || typeof value !== "object" || !(Symbol.iterator in value)) throw argError(fn, arg, "an iterable of Modules", value);
  return value as Iterable<unknown>;
}

/** What ModuleList and Sequential share: the children in order, with Python's list methods. */
abstract class IndexedModules extends Module implements Iterable<Module> {
  /** Every child in registry order, a module held at two positions included (as Python's len/iteration). */
  #items(): Module[] {
    return [...childrenOf(this).values()] as Module[];
  }

  /** Re-registers `items` as "0", "1", … (Python's renumbering after a deletion or an insertion). */
  #renumber(items: Module[]): void {
    for (const key of [...childrenOf(this).keys()]) delete (this as unknown as Record<string, unknown>)[key];
    items.forEach((m, i) => this.registerModule(String(i), m));
  }

  /** A new container of the same class (Python's `self.__class__(...)`) of the children at `positions`. */
  protected abstract make(positions: number[]): this;

  get length(): number {
    return childrenOf(this).size;
  }

  /** Python: `c[i]` (negative counts from the end), or `c["1:3"]`, a new container of the slice. */
  get<M extends Module = Module>(index: number): M;
  get(index: string): this;
  get(index: ContainerIndex): Module {
    const fn = `${this.constructor.name}.get`;
    const items = this.#items();
    if (isSlice(index)) return this.make(slicePositions(fn, index, items.length));
    return items[absIndex(fn, index, items.length)]!;
  }

  /** Python: `c[i] = module`. */
  set(index: number, module: Module): this {
    const fn = `${this.constructor.name}.set`;
    checkModule(fn, module);
    const keys = [...childrenOf(this).keys()];
    (this as unknown as Record<string, unknown>)[keys[absIndex(fn, index, keys.length)]!] = module;
    return this;
  }

  /** Python: `del c[i]` / `del c["1:3"]`; the rest are renumbered "0", "1", …. */
  delete(index: ContainerIndex): this {
    const fn = `${this.constructor.name}.delete`;
    const items = this.#items();
    const gone = new Set(isSlice(index) ? slicePositions(fn, index, items.length) : [absIndex(fn, index, items.length)]);
    this.#renumber(items.filter((_, i) => !gone.has(i)));
    return this;
  }

  /** Python: `pop(i)`: removes and returns the module at i (or the container of a slice). */
  pop<M extends Module = Module>(index: number): M;
  pop(index: string): this;
  pop(index: ContainerIndex): Module {
    const v = isSlice(index) ? this.get(index) : this.get(index);
    this.delete(index);
    return v;
  }

  append(module: Module): this {
    checkModule(`${this.constructor.name}.append`, module);
    this.registerModule(String(this.length), module);
    return this;
  }

  extend(modules: Iterable<Module>): this {
    const fn = `${this.constructor.name}.extend`;
    for (const m of checkIterable(fn, modules, "modules")) this.append(checkModule(fn, m));
    return this;
  }

  /** Python: `insert(index, module)`: -length <= index <= length, as Sequential.insert checks. */
  insert(index: number, module: Module): this {
    const fn = `${this.constructor.name}.insert`;
    checkModule(fn, module);
    const items = this.#items();
    const i = index === items.length ? index : absIndex(fn, index, items.length);
    items.splice(i, 0, module);
    this.#renumber(items);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.#items()[Symbol.iterator]();
  }
}

/** Python: `nn.ModuleList(modules=None)`. */
export class ModuleList extends IndexedModules {
  constructor(modules: Iterable<Module> | null = null) {
    super();
    if (modules !== null) this.extend(checkIterable("nn.ModuleList", modules, "modules") as Iterable<Module>);
  }

  protected make(positions: number[]): this {
    const items = [...this];
    return new ModuleList(positions.map((i) => items[i]!)) as this;
  }

  /** Python: `list + other`: a new ModuleList of both. */
  concat(other: Iterable<Module>): ModuleList {
    return new ModuleList([...this, ...(checkIterable("ModuleList.concat", other, "other") as Iterable<Module>)]);
  }

  forward(): never {
    throw new TypeError("ModuleList has no forward(); call its modules");
  }
}

/**
 * Python: `nn.Sequential(*modules)` or `nn.Sequential(OrderedDict)` (a Map of name to module):
 * forward() feeds each module's output to the next. `Out` is the type of what the last module
 * returns: a Tensor unless said otherwise (`new nn.Sequential<[Tensor, Tensor]>(…)`), so
 * `model.call(x).argmax(1)` type-checks.
 */
export class Sequential<Out = Tensor> extends IndexedModules {
  constructor(...modules: Module[] | [Map<string, Module>]) {
    super();
    if (modules.length === 1 && modules[0] instanceof Map) {
      for (const [key, m] of modules[0]) this.registerModule(key, checkModule("Sequential.append", m));
    } else {
      for (const m of modules as unknown[]) this.append(m as Module);
    }
  }

  protected make(positions: number[]): this {
    // Python's slice keeps the keys: Sequential(OrderedDict(list(self._modules.items())[idx])).
    const entries = [...childrenOf(this)] as [string, Module][];
    return new Sequential(new Map(positions.map((i) => entries[i]!))) as unknown as this;
  }

  /** Python: `seq + other` (another Sequential): a new Sequential of both. */
  concat(other: Sequential<unknown>): Sequential<unknown> {
    if (!(other instanceof Sequential)) throw argError("Sequential.concat", "other", "a Sequential", other);
    return new Sequential<unknown>(...this, ...other);
  }

  /** Python: `seq * n`: a new Sequential of the same modules n times over (shared, not copied). */
  repeat(n: number): Sequential<Out> {
    if (!Number.isInteger(n) || n <= 0) throw argError("Sequential.repeat", "n", "a positive integer", n);
    const items = [...this];
    return new Sequential<Out>(...Array.from({ length: n }, () => items).flat());
  }

  forward(input: unknown): Out {
    // Intermediates are freed as soon as the next module has consumed them, as in Python.
    return chainForward(input, [...this].map((m) => (x: unknown) => m.forward(x))) as Out;
  }
}

/** Python: `nn.ModuleDict(modules=None)`: children keyed by name, in insertion order. */
export class ModuleDict extends Module implements Iterable<string> {
  constructor(modules: Iterable<[string, Module]> | Record<string, Module> | null = null) {
    super();
    if (modules !== null) this.#update("nn.ModuleDict", modules);
  }

  /** Python: `d[key]`. */
  get<M extends Module = Module>(key: string): M {
    const m = childrenOf(this).get(key);
    if (!(m instanceof Module)) throw new RangeError(`ModuleDict: no module named "${key}"`);
    return m as M;
  }

  /** Python: `d[key] = module`. */
  set(key: string, module: Module): this {
    if (module !== null && !(module instanceof Module)) throw argError("ModuleDict.set", "module", "a Module", module);
    this.registerModule(key, module);
    return this;
  }

  /** Python: `del d[key]`. */
  delete(key: string): this {
    if (!childrenOf(this).has(key)) throw new RangeError(`ModuleDict.delete: no module named "${key}"`);
    delete (this as unknown as Record<string, unknown>)[key];
    return this;
  }

  /** Python: `pop(key)`. */
  pop<M extends Module = Module>(key: string): M {
    const m = this.get<M>(key);
    this.delete(key);
    return m;
  }

  /** Python: `clear()`. */
  clear(): void {
    for (const key of this.keys()) this.delete(key);
  }

  /** Python: `key in d`. */
  has(key: string): boolean {
    return childrenOf(this).get(key) instanceof Module;
  }

  get length(): number {
    return childrenOf(this).size;
  }

  /** Every key in insertion order, a module held under two keys included (as PyTorch's keys()). */
  keys(): string[] {
    return [...childrenOf(this).keys()];
  }

  values(): Module[] {
    return [...childrenOf(this).values()] as Module[];
  }

  /** Python: `items()`. */
  entries(): [string, Module][] {
    return [...childrenOf(this)] as [string, Module][];
  }

  items(): [string, Module][] {
    return this.entries();
  }

  /** Python: `update(modules)`: a Map, ModuleDict or object in its order, or [key, module] pairs. */
  update(modules: Iterable<[string, Module]> | Record<string, Module> | ModuleDict): this {
    return this.#update("ModuleDict.update", modules);
  }

  #update(fn: string, modules: unknown): this {
    if (modules === null || typeof modules !== "object") throw argError(fn, "modules", "a Map, an object or an iterable of [name, Module] pairs", modules);
    const entries: Iterable<unknown> = modules instanceof ModuleDict ? modules.entries() : Symbol.iterator in modules ? (modules as Iterable<unknown>) : Object.entries(modules);
    for (const entry of entries) {
      if (!Array.isArray(entry) || entry.length !== 2) throw argError(fn, "modules", "[name, Module] pairs", entry);
      this.set(entry[0] as string, entry[1] as Module);
    }
    return this;
  }

  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }

  forward(): never {
    throw new TypeError("ModuleDict has no forward(); call its modules");
  }
}
