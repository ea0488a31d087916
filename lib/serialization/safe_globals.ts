// Globals a user allows torch.load to rebuild, beyond the weights-only allowlist in
// globals.ts: Python's torch.serialization.add_safe_globals / safe_globals
// (torch/_weights_only_unpickler.py). Python allowlists a class and then runs its __new__ and
// __setstate__; here nothing from the file can run at all, so an entry says how its objects are
// rebuilt in JavaScript: a reconstruction function receiving the PythonObject the pickle made
// (its args, kwargs, BUILD state, items), with the tensors in it already loaded. A few harmless
// globals (argparse.Namespace, pathlib paths, …) have built-in reconstructions.
//
// The objects are rebuilt after the storages are read, children before parents, so a
// reconstruction sees real Tensors. Python rebuilds each object as its opcode runs; the only
// difference is when, since the unpickler refuses cycles through objects.
import { TorchError } from "../errors.js";
import { Tensor } from "../tensor/index.js";
import { PythonObject, isTuple, objectParts, UnpicklingError } from "./values.js";

/** Rebuilds an allowed global's object from what the pickle applied to it. */
export type Reconstruct = (obj: PythonObject) => unknown;

/** An allowed global: `"module.Name"` and how its objects are rebuilt. */
export interface SafeGlobal {
  name: string;
  reconstruct: Reconstruct;
}

/** What addSafeGlobals accepts: a name with a built-in reconstruction, or a name and a function. */
export type SafeGlobalEntry = string | SafeGlobal;

/** Modules never allowed, whatever the allowlist says (as Python's _blocklisted_modules). */
export const BLOCKED_MODULES: ReadonlySet<string> = new Set(["sys", "os", "posix", "nt"]);

/** Whether `module` (of a GLOBAL) is, or is inside, a blocked module. */
export function isBlockedModule(module: string): boolean {
  return BLOCKED_MODULES.has(module.split(".")[0]!);
}

function fail(message: string): never {
  throw new UnpicklingError(message);
}

/** An instance's attributes from its BUILD state, as pickle's load_build applies it: a dict, or (dict | None, slots dict). */
function attributes(obj: PythonObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let state = obj.state;
  const parts: unknown[] = [];
  if (isTuple(state) && state.length === 2) parts.push(...state);
  else parts.push(state);
  if (obj.kwargs !== null) parts.push(obj.kwargs); // Namespace(**kwargs) through NEWOBJ_EX
  for (state of parts) {
    if (state === undefined || state === null) continue;
    if (!(state instanceof Map)) fail(`${obj.__global__}: BUILD state must be a dict of attributes, got ${describe(state)}`);
    for (const [k, v] of state) {
      if (typeof k !== "string") fail(`${obj.__global__}: attribute names must be str, got ${describe(k)}`);
      // A data property even for "__proto__", so a file cannot reach the prototype chain.
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}

function describe(v: unknown): string {
  if (v === null) return "None";
  if (Array.isArray(v)) return isTuple(v) ? "tuple" : "list";
  if (v instanceof Map) return "dict";
  if (v instanceof PythonObject) return v.__global__;
  return typeof v === "object" ? (v as object).constructor?.name ?? "object" : typeof v;
}

/** argparse.Namespace / types.SimpleNamespace -> a plain object of its attributes (Python's vars(ns)). */
const namespace: Reconstruct = (obj) => {
  if (obj.args.length !== 0) fail(`${obj.__global__}: expected no positional arguments, got ${obj.args.length}`);
  return attributes(obj);
};

/** pathlib paths -> the path as a string (their __reduce__ gives the path's parts). */
const path = (sep: string): Reconstruct => (obj) => {
  if (!obj.args.every((a) => typeof a === "string")) fail(`${obj.__global__}: expected str path parts`);
  const parts = obj.args as string[];
  return parts.map((p, i) => (i > 0 && p.startsWith(sep) ? p.slice(1) : p)).join(sep).replace(new RegExp(`\\${sep}{2,}`, "g"), sep);
};

/** Reconstructions addSafeGlobals gives by name alone. */
export const BUILTIN_RECONSTRUCTIONS: Readonly<Record<string, Reconstruct>> = {
  "argparse.Namespace": namespace,
  "types.SimpleNamespace": namespace,
  "pathlib.PosixPath": path("/"), "pathlib.PurePosixPath": path("/"),
  "pathlib.WindowsPath": path("\\"), "pathlib.PureWindowsPath": path("\\"),
  // Python 3.13 moved the classes into pathlib._local.
  "pathlib._local.PosixPath": path("/"), "pathlib._local.PurePosixPath": path("/"),
  "pathlib._local.WindowsPath": path("\\"), "pathlib._local.PureWindowsPath": path("\\"),
};

const NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;

function checkEntry(fn: string, entry: unknown): SafeGlobal {
  const name = typeof entry === "string" ? entry : (entry as SafeGlobal | null)?.name;
  if (typeof name !== "string") {
    throw new TypeError(`torch.serialization.${fn}: each entry must be "module.Name" or { name, reconstruct }, but received ${entry === null ? "null" : typeof entry}`);
  }
  if (!NAME.test(name)) throw new TypeError(`torch.serialization.${fn}: ${JSON.stringify(name.slice(0, 80))} is not a "module.Name" global name`);
  if (isBlockedModule(name)) throw new TypeError(`torch.serialization.${fn}: ${name} is in a blocked module (${[...BLOCKED_MODULES].join(", ")}) and cannot be allowlisted`);
  if (typeof entry === "string") {
    const reconstruct = BUILTIN_RECONSTRUCTIONS[name];
    if (reconstruct === undefined) {
      throw new TypeError(
        `torch.serialization.${fn}: ${name} has no built-in reconstruction; pass { name: ${JSON.stringify(name)}, reconstruct: (obj) => … } ` +
          `(built in: ${Object.keys(BUILTIN_RECONSTRUCTIONS).join(", ")})`,
      );
    }
    return { name, reconstruct };
  }
  const { reconstruct } = entry as SafeGlobal;
  if (typeof reconstruct !== "function") throw new TypeError(`torch.serialization.${fn}: ${name}: reconstruct must be a function, but received ${typeof reconstruct}`);
  return { name, reconstruct };
}

function checkList(fn: string, list: unknown): SafeGlobal[] {
  if (!Array.isArray(list)) throw new TypeError(`torch.serialization.${fn}: expected an array of globals, but received ${list === null ? "null" : typeof list}`);
  return list.map((e) => checkEntry(fn, e));
}

const registry = new Map<string, SafeGlobal>();

/**
 * Python: `torch.serialization.add_safe_globals([...])`. Allows torch.load to rebuild these
 * globals' objects: `"argparse.Namespace"` (a built-in reconstruction) or
 * `{ name: "my.module.Config", reconstruct: (obj) => ({ ...obj.state }) }`. A later entry for
 * the same name replaces the earlier one.
 */
export function addSafeGlobals(globals: readonly SafeGlobalEntry[]): void {
  for (const g of checkList("addSafeGlobals", globals)) registry.set(g.name, g);
}

/** Python: `torch.serialization.get_safe_globals()`. */
export function getSafeGlobals(): SafeGlobal[] {
  return [...registry.values()].map((g) => ({ ...g }));
}

/** Python: `torch.serialization.clear_safe_globals()`. */
export function clearSafeGlobals(): void {
  registry.clear();
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as { then?: unknown }).then === "function";
}

/**
 * Python: `with torch.serialization.safe_globals([...]):`. Allows the globals while `fn` runs
 * (until its promise settles, when it returns one), then restores what was allowed before.
 * The allowlist is process-wide: loads that run concurrently meanwhile see the entries too.
 */
export function safeGlobals<T>(globals: readonly SafeGlobalEntry[], fn: () => T): T {
  const entries = checkList("safeGlobals", globals);
  if (typeof fn !== "function") throw new TypeError(`torch.serialization.safeGlobals: expected fn to be a function, but received ${typeof fn}`);
  const before = new Map(entries.map((g) => [g.name, registry.get(g.name)]));
  for (const g of entries) registry.set(g.name, g);
  const restore = (): void => {
    for (const [name, g] of before) {
      if (g === undefined) registry.delete(name);
      else registry.set(name, g);
    }
  };
  let result: T;
  try {
    result = fn();
  } catch (err) {
    restore();
    throw err;
  }
  if (!isThenable(result)) {
    restore();
    return result;
  }
  return Promise.resolve(result).finally(restore) as T;
}

/** How one load decodes globals outside the weights-only allowlist. */
export interface DecodeOptions {
  /** Decode any other global's objects as inert PythonObjects instead of refusing the file. */
  inert: boolean;
  /** The safe globals at the start of the load. */
  safe: ReadonlyMap<string, SafeGlobal>;
  /** Every PythonObject the load's unpicklers made (filled by checkpointHooks). */
  objects: PythonObject[];
}

let current: DecodeOptions | undefined;

/** The decode options of the load in progress (loads are synchronous), or the defaults. */
export function currentDecodeOptions(): DecodeOptions {
  return current ?? { inert: false, safe: new Map(registry), objects: [] };
}

/** Runs one synchronous load with these decode options (so every unpickler it starts uses them). */
export function withDecodeOptions<T>(options: { inert?: boolean }, fn: (decode: DecodeOptions) => T): T {
  const outer = current;
  const decode: DecodeOptions = { inert: options.inert === true, safe: new Map(registry), objects: [] };
  current = decode;
  try {
    return fn(decode);
  } finally {
    current = outer;
  }
}

/** Disposes the tensors reachable from `root`, through PythonObjects too. */
export function disposeTree(root: unknown): void {
  for (const t of walkTensors(root)) if (!t.isDisposed) t.dispose();
}

/** Every tensor reachable from `root` (containers, plain objects and PythonObjects). */
export function walkTensors(root: unknown): Set<Tensor> {
  const found = new Set<Tensor>();
  const seen = new Set<object>();
  const todo: unknown[] = [root];
  while (todo.length > 0) {
    const v = todo.pop();
    if (v instanceof Tensor) found.add(v);
    else if (v !== null && typeof v === "object" && !seen.has(v)) {
      seen.add(v);
      if (Array.isArray(v) || v instanceof Set) todo.push(...v);
      else if (v instanceof Map) for (const [k, x] of v) todo.push(k, x);
      else if (v instanceof PythonObject) todo.push(...objectParts(v));
      else if (Object.getPrototypeOf(v) === Object.prototype) todo.push(...Object.values(v));
    }
  }
  return found;
}

/**
 * Replaces each PythonObject of an allowed global in `root` (in place, containers included)
 * by what its reconstruction returns; inert ones stay. Children are rebuilt before the
 * objects that hold them. Returns the new root.
 */
export function resolveObjects(root: unknown, decode: DecodeOptions): unknown {
  if (!decode.objects.some((o) => decode.safe.has(o.__global__))) return root;
  const done = new Map<PythonObject, unknown>();
  const seen = new Set<object>();

  const rebuild = (obj: PythonObject): unknown => {
    if (done.has(obj)) return done.get(obj);
    walk(objectParts(obj));
    const g = decode.safe.get(obj.__global__)!;
    let value: unknown;
    try {
      value = g.reconstruct(obj);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw Object.assign(new UnpicklingError(`torch.load: reconstructing ${g.name} failed: ${why}`), { cause: err });
    }
    if (isThenable(value)) throw new TypeError(`torch.load: the reconstruction of ${g.name} returned a Promise; it must return the object itself`);
    done.set(obj, value);
    return value;
  };
  const sub = (v: unknown): unknown => {
    if (v instanceof PythonObject) {
      if (decode.safe.has(v.__global__)) return rebuild(v);
      walk(objectParts(v)); // inert: its parts may hold allowed objects
      return v;
    }
    if (v !== null && typeof v === "object" && (Array.isArray(v) || v instanceof Map || v instanceof Set)) walk(v);
    return v;
  };
  // Containers change in place (tuple and dict marks, `_metadata`, stay with them).
  const walk = (c: unknown[] | Map<unknown, unknown> | Set<unknown>): void => {
    if (seen.has(c)) return;
    seen.add(c);
    if (Array.isArray(c)) {
      for (let i = 0; i < c.length; i++) c[i] = sub(c[i]);
    } else if (c instanceof Map) {
      const entries = [...c];
      const next = entries.map(([k, v]) => [sub(k), sub(v)] as const);
      if (next.some(([k], i) => k !== entries[i]![0])) {
        c.clear(); // a rebuilt key: re-insert all, keeping the order
        for (const [k, v] of next) c.set(k, v);
      } else {
        next.forEach(([k, v], i) => { if (v !== entries[i]![1]) c.set(k, v); });
      }
    } else {
      const items = [...c];
      const next = items.map(sub);
      if (next.some((v, i) => v !== items[i])) {
        c.clear();
        for (const v of next) c.add(v);
      }
    }
  };
  return sub(root);
}

/** A load that ends with objects holding tensors it could not load (a reader that does not hand their parts to materialize). */
export function checkNoPendingTensors(decode: DecodeOptions, isPending: (v: unknown) => boolean): void {
  for (const obj of decode.objects) {
    const todo: unknown[] = [...objectParts(obj)];
    const seen = new Set<object>();
    while (todo.length > 0) {
      const v = todo.pop();
      if (isPending(v)) throw new TorchError(`torch.load: the ${obj.__global__} object holds a tensor whose storage was never read (a torch-ts bug: please report it with the file)`);
      if (v !== null && typeof v === "object" && !seen.has(v) && !(v instanceof PythonObject)) {
        seen.add(v);
        if (Array.isArray(v) || v instanceof Set) todo.push(...v);
        else if (v instanceof Map) for (const [k, x] of v) todo.push(k, x);
      }
    }
  }
}
