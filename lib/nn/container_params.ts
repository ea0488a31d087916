// nn.ParameterList and nn.ParameterDict (torch/nn/modules/container.py): parameters held by
// position ("0", "1", …) or by key, so state-dict keys are Python's. A Tensor put in one
// becomes an nn.Parameter (as Python wraps it); a Module put in one registers as a child.
import { TorchError } from "../errors.js";
import { Tensor } from "../tensor/index.js";
import { argError, describe } from "../validate.js";
import { absIndex, isSlice, slicePositions, type ContainerIndex } from "./container_index.js";
import { isParameter, Module, Parameter } from "./module.js";

/** What a parameter container holds: tensors (made nn.Parameters) or modules. */
export type ParamValue = Tensor | Module;

function checkValue(fn: string, value: unknown): ParamValue {
  if (value instanceof Module) return value;
  if (!(value instanceof Tensor)) throw argError(fn, "value", "a Tensor or a Module", value);
  return isParameter(value) ? value : Parameter(value);
}

const TYPENAMES: Record<string, string> = {
  float32: "FloatTensor", float64: "DoubleTensor", float16: "HalfTensor", bfloat16: "BFloat16Tensor", int64: "LongTensor",
  int32: "IntTensor", int16: "ShortTensor", int8: "CharTensor", uint8: "ByteTensor", bool: "BoolTensor",
  complex64: "ComplexFloatTensor", complex128: "ComplexDoubleTensor",
};

/** One line of Python's extra_repr for a value; `typeName` is ParameterList's dtype or ParameterDict's torch.typename. */
function valueLine(key: string, p: ParamValue, typeName: (t: Tensor) => string): string {
  if (!(p instanceof Tensor)) return `  (${key}): Object of type: ${p.constructor.name}`;
  const size = p.shape.join("x");
  const gpu = p.device.startsWith("cuda") ? ` (GPU ${p.device === "cuda" ? 0 : p.device.slice(5)})` : "";
  return `  (${key}): ${isParameter(p) ? "Parameter" : "Tensor"} containing: [${typeName(p)} of size ${size}${gpu}]`;
}

/**
 * Python's Module.__repr__, whose extra_repr may span lines (each line indented): the
 * containers' reprs are several lines, one per value.
 */
function pythonRepr(m: Module, children: [string, Module][]): string {
  const extra = m.extraRepr();
  const extraLines = extra === "" ? [] : extra.split("\n");
  const childLines = children.map(([k, c]) => `(${k}): ${String(c).split("\n").join("\n  ")}`);
  const lines = [...extraLines, ...childLines];
  if (lines.length === 0) return `${m.constructor.name}()`;
  if (extraLines.length === 1 && childLines.length === 0) return `${m.constructor.name}(${extraLines[0]})`;
  return `${m.constructor.name}(\n  ${lines.join("\n  ")}\n)`;
}


/**
 * Registers `value` under `name` by Python's setattr (Module's attribute trap): a parameter
 * replaced by a parameter keeps its place in the registry, as in Python.
 */
function assign(m: Module, name: string, value: ParamValue): void {
  (m as unknown as Record<string, unknown>)[name] = value;
}

function childrenIn(m: Module, keys: string[]): [string, Module][] {
  const mods = Module.members(m).modules;
  return keys.flatMap((k) => (mods.get(k) instanceof Module ? [[k, mods.get(k) as Module]] : []));
}

/** Python: `nn.ParameterList(values=None)`. */
export class ParameterList extends Module implements Iterable<ParamValue> {
  #size = 0;

  constructor(values: Iterable<ParamValue> | null = null) {
    super();
    if (values !== null) this.extend(values);
  }

  get length(): number {
    return this.#size;
  }

  /** Python: `plist[i]` (negative counts from the end), or `plist["1:3"]`, a new ParameterList of the slice. */
  get<T extends ParamValue = Tensor>(index: number): T;
  get(index: string): ParameterList;
  get(index: ContainerIndex): ParamValue | ParameterList {
    const fn = "ParameterList.get";
    if (isSlice(index)) return new ParameterList(slicePositions(fn, index, this.#size).map((i) => this.get(i)));
    return this.getAttr(String(absIndex(fn, index, this.#size, "value(s)"))) as ParamValue;
  }

  /** Python: `plist[i] = value` (a Tensor becomes an nn.Parameter). */
  set(index: number, value: ParamValue): this {
    const fn = "ParameterList.set";
    assign(this, String(absIndex(fn, index, this.#size, "value(s)")), checkValue(fn, value));
    return this;
  }

  append(value: ParamValue): this {
    const v = checkValue("ParameterList.append", value);
    assign(this, String(this.#size), v);
    this.#size++;
    return this;
  }

  extend(values: Iterable<ParamValue>): this {
    if (values === null || typeof values !== "object" || values instanceof Tensor || !(Symbol.iterator in values)) {
      throw new TypeError(`ParameterList.extend should be called with an iterable, but got ${describe(values)}`);
    }
    for (const v of values) this.append(v);
    return this;
  }

  *[Symbol.iterator](): Iterator<ParamValue> {
    for (let i = 0; i < this.#size; i++) yield this.getAttr(String(i)) as ParamValue;
  }

  override extraRepr(): string {
    return [...this].map((p, k) => valueLine(String(k), p, (t) => `torch.${t.dtype}`)).join("\n");
  }

  override toString(): string {
    return pythonRepr(this, childrenIn(this, Array.from({ length: this.#size }, (_, i) => String(i))));
  }

  forward(): never {
    throw new TorchError("ParameterList should not be called.");
  }
}

type ParamEntries = Map<string, ParamValue> | ParameterDict | Record<string, ParamValue> | Iterable<[string, ParamValue]>;

/** Python: `nn.ParameterDict(parameters=None)`: values keyed by name, in insertion order. */
export class ParameterDict extends Module implements Iterable<string> {
  readonly #keys: string[] = [];

  constructor(parameters: ParamEntries | null = null) {
    super();
    if (parameters !== null) this.update(parameters);
  }

  #key(fn: string, key: unknown): string {
    if (typeof key !== "string") {
      throw new TypeError(`${fn}: Index given to ParameterDict cannot be used as a key as it is not a string (type is '${describe(key)}')`);
    }
    return key;
  }

  /**
   * Python: `pdict[key]` (a RangeError when absent), or with a second argument Python's
   * `get(key, default)`: the default when the key is absent.
   */
  get<T extends ParamValue = Tensor>(key: string): T;
  get<T extends ParamValue = Tensor, D = null>(key: string, dflt: D): T | D;
  get(key: string, ...dflt: unknown[]): unknown {
    this.#key("ParameterDict.get", key);
    if (!this.#keys.includes(key)) {
      if (dflt.length > 0) return dflt[0];
      throw new RangeError(`ParameterDict: no parameter named "${key}"`);
    }
    return this.getAttr(key);
  }

  /** Python: `pdict[key] = value` (a Tensor becomes an nn.Parameter). */
  set(key: string, value: ParamValue): this {
    const fn = "ParameterDict.set";
    this.#key(fn, key);
    const v = checkValue(fn, value);
    if (!this.#keys.includes(key)) this.#keys.push(key);
    assign(this, key, v);
    return this;
  }

  /** Python: `del pdict[key]`. */
  delete(key: string): this {
    this.#key("ParameterDict.delete", key);
    const i = this.#keys.indexOf(key);
    if (i < 0) throw new RangeError(`ParameterDict.delete: no parameter named "${key}"`);
    this.#keys.splice(i, 1);
    delete (this as unknown as Record<string, unknown>)[key];
    return this;
  }

  /** Python: `key in pdict`. */
  has(key: string): boolean {
    return this.#keys.includes(key);
  }

  get length(): number {
    return this.#keys.length;
  }

  keys(): string[] {
    return [...this.#keys];
  }

  values(): ParamValue[] {
    return this.#keys.map((k) => this.getAttr(k) as ParamValue);
  }

  /** Python: `items()`. */
  entries(): [string, ParamValue][] {
    return this.#keys.map((k) => [k, this.getAttr(k) as ParamValue]);
  }

  items(): [string, ParamValue][] {
    return this.entries();
  }

  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }

  /** Python: `copy()`: a new ParameterDict holding the same parameters. */
  copy(): ParameterDict {
    return new ParameterDict(new Map(this.entries()));
  }

  /** Python: `setdefault(key, default)`: the value at key, set to `dflt` first when absent. */
  setdefault<T extends ParamValue = Tensor>(key: string, dflt: ParamValue): T {
    if (!this.has(key)) this.set(key, dflt);
    return this.get<T>(key);
  }

  clear(): void {
    for (const k of this.keys()) this.delete(k);
  }

  /** Python: `pop(key)`. */
  pop<T extends ParamValue = Tensor>(key: string): T {
    const v = this.get<T>(key);
    this.delete(key);
    return v;
  }

  /** Python: `popitem()`: removes and returns the last inserted [key, value]. */
  popitem(): [string, ParamValue] {
    const k = this.#keys[this.#keys.length - 1];
    if (k === undefined) throw new RangeError("ParameterDict.popitem: dictionary is empty");
    return [k, this.pop(k)];
  }

  /** Python: `fromkeys(keys, default)`: a new ParameterDict with every key set to `dflt`. */
  fromkeys(keys: Iterable<string>, dflt: ParamValue): ParameterDict {
    return new ParameterDict([...keys].map((k) => [k, dflt] as [string, ParamValue]));
  }

  /**
   * Python: `update(parameters)`: a Map or ParameterDict in its order, a plain object in sorted
   * key order (Python sorts a plain dict's items here), or [key, value] pairs in order.
   */
  update(parameters: ParamEntries): this {
    const fn = "ParameterDict.update";
    if (parameters === null || typeof parameters !== "object") {
      throw new TypeError(`ParametersDict.update should be called with an iterable of key/value pairs, but got ${describe(parameters)}`);
    }
    let entries: Iterable<unknown>;
    if (parameters instanceof ParameterDict) entries = parameters.entries();
    else if (parameters instanceof Map) entries = parameters;
    else if (Symbol.iterator in parameters) entries = parameters as Iterable<unknown>;
    else entries = Object.entries(parameters).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    let j = 0;
    for (const p of entries) {
      if (!Array.isArray(p)) throw new TypeError(`${fn}: ParameterDict update sequence element #${j} should be Iterable; is ${describe(p)}`);
      if (p.length !== 2) throw new TypeError(`${fn}: ParameterDict update sequence element #${j} has length ${p.length}; 2 is required`);
      this.set(p[0] as string, p[1] as ParamValue);
      j++;
    }
    return this;
  }

  override extraRepr(): string {
    const typeName = (t: Tensor) => `torch.${t.device.startsWith("cuda") ? "cuda." : ""}${TYPENAMES[t.dtype] ?? t.dtype}`;
    return this.entries().map(([k, p]) => valueLine(k, p, typeName)).join("\n");
  }

  override toString(): string {
    return pythonRepr(this, childrenIn(this, this.#keys));
  }

  forward(): never {
    throw new TorchError("ParameterDict should not be called.");
  }
}
