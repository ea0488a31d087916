// nn.Sequential, nn.ModuleList, nn.ModuleDict: children named "0", "1", … or by key, so their
// state-dict keys are PyTorch's.
import { argError, checkInt } from "../validate.js";
import type { Tensor } from "../tensor/index.js";
import { chainForward, Module } from "./module.js";

function indexOf(fn: string, index: number, length: number): number {
  checkInt(fn, "index", index);
  const i = index < 0 ? index + length : index;
  if (i < 0 || i >= length) throw new RangeError(`${fn}: index ${index} is out of range for ${length} module(s)`);
  return i;
}

/** Children "0", "1", … with index access: what ModuleList and Sequential share. */
abstract class IndexedModules extends Module implements Iterable<Module> {
  constructor(modules: Iterable<Module>) {
    super();
    if (modules === null || typeof modules !== "object" || !(Symbol.iterator in modules)) {
      throw argError(`nn.${new.target.name}`, "modules", "an iterable of Modules", modules);
    }
    for (const m of modules) this.append(m);
  }

  /**
   * Every position "0", "1", … in order, a module held at two positions included (as
   * PyTorch's len/indexing/iteration; children() lists such a module once).
   */
  #positions(): Module[] {
    const out: Module[] = [];
    for (let i = 0, m = this.getAttr("0"); m instanceof Module; m = this.getAttr(String(++i))) out.push(m);
    return out;
  }

  get length(): number {
    return this.#positions().length;
  }

  /** Python: `modules[i]` (negative indices count from the end). */
  get<M extends Module = Module>(index: number): M {
    const list = this.#positions();
    return list[indexOf(`${this.constructor.name}.get`, index, list.length)] as M;
  }

  append(module: Module): this {
    if (!(module instanceof Module)) throw argError(`${this.constructor.name}.append`, "module", "a Module", module);
    let n = 0;
    while (this.getAttr(String(n)) !== undefined) n++;
    this.registerModule(String(n), module);
    return this;
  }

  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.#positions()[Symbol.iterator]();
  }
}

/** Python: `nn.ModuleList(modules=None)`. */
export class ModuleList extends IndexedModules {
  constructor(modules: Iterable<Module> = []) {
    super(modules);
  }

  forward(): never {
    throw new TypeError("ModuleList has no forward(); call its modules");
  }
}

/**
 * Python: `nn.Sequential(*modules)`: forward() feeds each module's output to the next. `Out`
 * is the type of what the last module returns: a Tensor unless said otherwise
 * (`new nn.Sequential<[Tensor, Tensor]>(…)`), so `model.call(x).argmax(1)` type-checks.
 */
export class Sequential<Out = Tensor> extends IndexedModules {
  constructor(...modules: Module[]) {
    super(modules);
  }

  forward(input: unknown): Out {
    // Intermediates are freed as soon as the next module has consumed them, as in Python.
    return chainForward(input, [...this].map((m) => (x: unknown) => m.forward(x))) as Out;
  }
}

/** Python: `nn.ModuleDict(modules=None)`: children keyed by name, in insertion order. */
export class ModuleDict extends Module {
  /** Every key in insertion order, a module held under two keys included (as PyTorch's keys()). */
  readonly #keys: string[] = [];

  constructor(modules: Iterable<[string, Module]> | Record<string, Module> = {}) {
    super();
    if (modules === null || typeof modules !== "object") throw argError("nn.ModuleDict", "modules", "a Map, an object or an iterable of [name, Module] pairs", modules);
    const entries = Symbol.iterator in modules ? (modules as Iterable<[string, Module]>) : Object.entries(modules);
    for (const entry of entries) {
      if (!Array.isArray(entry) || entry.length !== 2) throw argError("nn.ModuleDict", "modules", "[name, Module] pairs", entry);
      this.set(entry[0], entry[1]);
    }
  }

  get<M extends Module = Module>(key: string): M {
    const m = this.getAttr(key);
    if (!(m instanceof Module)) throw new RangeError(`ModuleDict: no module named "${key}"`);
    return m as M;
  }

  set(key: string, module: Module): this {
    if (module !== null && !(module instanceof Module)) throw argError("ModuleDict.set", "module", "a Module", module);
    this.registerModule(key, module);
    if (!this.#keys.includes(key)) this.#keys.push(key);
    return this;
  }

  has(key: string): boolean {
    return this.getAttr(key) instanceof Module;
  }

  keys(): string[] {
    return [...this.#keys];
  }

  entries(): [string, Module][] {
    return this.#keys.map((k) => [k, this.get(k)]);
  }

  forward(): never {
    throw new TypeError("ModuleDict has no forward(); call its modules");
  }
}
