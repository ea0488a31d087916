// How Python values from checkpoint files look in JavaScript, and the marks that let
// torch.save write them back as the same Python types:
//   dict / OrderedDict -> Map (keys keep their type and order; int keys stay numbers)
//   list -> Array, tuple -> Array marked by tuple() (isTuple), None -> null
//   int -> number (bigint beyond 2^53), float -> number, str -> string, bytes -> Buffer
//   torch.Size -> tuple of numbers, torch.device -> "cpu" / "cuda:0", torch.float16 -> "float16"
// A Python object that is none of these but is an allowed global (a class or function
// named in the file, kept as data) is a PythonGlobal.

/** The error for a checkpoint the unpickler refuses or cannot read. Python: `pickle.UnpicklingError`. */
export class UnpicklingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnpicklingError";
  }
}

const tuples = new WeakSet<unknown[]>();

/** Marks an array as a Python tuple (torch.save writes it as a tuple, not a list). Returns it. */
export function tuple<T extends unknown[]>(...items: T): T {
  tuples.add(items);
  return items;
}

/** Marks an existing array as a tuple, in place. */
export function markTuple<T extends unknown[]>(items: T): T {
  tuples.add(items);
  return items;
}

/** True for arrays that came from a Python tuple (or were made with tuple()). */
export function isTuple(value: unknown): value is unknown[] {
  return Array.isArray(value) && tuples.has(value);
}

// Which Maps came from a plain Python dict and which from collections.OrderedDict, so that a
// loaded checkpoint saves back as the same types. Unmarked Maps follow the rule in pickler.ts.
const plainDicts = new WeakSet<Map<unknown, unknown>>();
const orderedDicts = new WeakSet<Map<unknown, unknown>>();

/** Marks a Map to be written as a plain Python `dict`. Returns it. */
export function markDict<M extends Map<unknown, unknown>>(map: M): M {
  orderedDicts.delete(map);
  plainDicts.add(map);
  return map;
}
/** Marks a Map to be written as `collections.OrderedDict`. Returns it. */
export function markOrderedDict<M extends Map<unknown, unknown>>(map: M): M {
  plainDicts.delete(map);
  orderedDicts.add(map);
  return map;
}
export function isMarkedDict(map: Map<unknown, unknown>): boolean {
  return plainDicts.has(map);
}
export function isMarkedOrderedDict(map: Map<unknown, unknown>): boolean {
  return orderedDicts.has(map);
}

/**
 * A state dict's `_metadata` (PyTorch keeps per-module versions there, e.g. BatchNorm's) is
 * an attribute of the OrderedDict, not an entry. Loaded Maps carry it as a non-enumerable
 * `_metadata` property (the dict exactly as in the file: a Map of Maps), and also as
 * `metadata`, the shape lib/nn's Module.stateDict()/loadStateDict() use (a Map of plain
 * objects such as `{ version: 2 }`). torch.save writes `_metadata`, or else `metadata`.
 */
export function metadataOf(map: Map<unknown, unknown>): Map<unknown, unknown> | undefined {
  const raw = (map as { _metadata?: unknown })._metadata;
  if (raw instanceof Map) return raw;
  const nn = (map as { metadata?: unknown }).metadata;
  return nn instanceof Map ? nn : undefined;
}

/** Sets (or, with undefined, removes) a Map's `_metadata` and its `metadata` view. */
export function setMetadata(map: Map<unknown, unknown>, metadata: Map<unknown, unknown> | undefined): void {
  if (metadata === undefined) {
    delete (map as { _metadata?: unknown })._metadata;
    delete (map as { metadata?: unknown }).metadata;
    return;
  }
  const view = new Map<unknown, unknown>();
  for (const [k, v] of metadata) {
    view.set(k, v instanceof Map ? Object.fromEntries([...v].filter(([key]) => typeof key === "string")) : v);
  }
  Object.defineProperty(map, "_metadata", { value: metadata, enumerable: false, writable: true, configurable: true });
  Object.defineProperty(map, "metadata", { value: view, enumerable: false, writable: true, configurable: true });
}

/** A Python class or function named by the file and kept as a value (e.g. `torch.FloatStorage`). */
export class PythonGlobal {
  constructor(readonly module: string, readonly name: string) {
    Object.freeze(this);
  }
  get fullName(): string {
    return `${this.module}.${this.name}`;
  }
  toString(): string {
    return `<${this.fullName}>`;
  }
}

/** Where a PythonObject keeps its parts (see objectParts). */
const PARTS = Symbol("torch-ts.pythonObjectParts");
const ARGS = 0, KWARGS = 1, STATE = 2, LIST_ITEMS = 3, DICT_ITEMS = 4;

/**
 * A Python object the file builds from a global that torch-ts does not reconstruct, kept as
 * inert data (`torch.load(f, { inert: true })`): what the pickle applies to the global, never
 * run. `obj = callee(*args, **kwargs)` (REDUCE) or `callee.__new__(callee, *args, **kwargs)`
 * (NEWOBJ), then `obj.__setstate__(state)` (BUILD), `obj.extend(listItems)` (APPENDS) and
 * `obj[k] = v` for each of `dictItems` (SETITEMS). The reconstruction functions of
 * `serialization.addSafeGlobals` receive one of these, with its tensors already loaded.
 */
export class PythonObject {
  /** `"module.name"` of the global called, e.g. `"argparse.Namespace"`; for a call of another object's result, that object's `__global__` followed by `"()"`. */
  readonly __global__: string;
  /** How the pickle made it: REDUCE (a call) or NEWOBJ (`cls.__new__`). */
  readonly how: "REDUCE" | "NEWOBJ";
  /** The global (or, for a call of a call's result, the object) the pickle called. */
  readonly callee: PythonGlobal | PythonObject;
  /** One array for all parts, so the loader can turn the tensors in them into Tensors in place. */
  readonly [PARTS]: unknown[];
  constructor(callee: PythonGlobal | PythonObject, how: "REDUCE" | "NEWOBJ", args: unknown[], kwargs: Map<unknown, unknown> | null = null) {
    this.callee = callee;
    this.how = how;
    this.__global__ = callee instanceof PythonGlobal ? callee.fullName : `${callee.__global__}()`;
    this[PARTS] = [args, kwargs, undefined, [], markDict(new Map())];
    Object.defineProperty(this, PARTS, { enumerable: false });
  }
  /** Positional arguments (a tuple). */
  get args(): unknown[] { return this[PARTS][ARGS] as unknown[]; }
  /** Keyword arguments (NEWOBJ_EX only), or null. */
  get kwargs(): Map<unknown, unknown> | null { return this[PARTS][KWARGS] as Map<unknown, unknown> | null; }
  /** The BUILD state (usually the instance's `__dict__` as a Map), or undefined when the pickle gave none. */
  get state(): unknown { return this[PARTS][STATE]; }
  /** Items APPENDed to it (a list subclass). */
  get listItems(): unknown[] { return this[PARTS][LIST_ITEMS] as unknown[]; }
  /** Items set on it with SETITEM(S) (a dict subclass). */
  get dictItems(): Map<unknown, unknown> { return this[PARTS][DICT_ITEMS] as Map<unknown, unknown>; }
  toString(): string {
    return `<${this.__global__} object (inert)>`;
  }
}

/** Internal: the parts array of a PythonObject ([args, kwargs, state, listItems, dictItems]). */
export function objectParts(obj: PythonObject): unknown[] {
  return obj[PARTS];
}

/** Internal: BUILD on a PythonObject. */
export function setObjectState(obj: PythonObject, state: unknown): void {
  obj[PARTS][STATE] = state;
}
