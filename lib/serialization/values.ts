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
