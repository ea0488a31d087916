// Deterministic release of native tensors (DESIGN.md "Memory model"). In order of
// preference: `using`, tidy(), dispose(); the GC finalizer is only a safety net.
import { objectParts, PythonObject } from "./serialization/values.js";
import { native } from "./binding.js";
import { isThenable, refuseThenable } from "./sync_scope.js";

/** What a scope tracks: anything that can be disposed once. */
export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

const scopes: Disposable[][] = [];

/** Called by every tensor the library creates: the innermost tidy() scope owns it. */
export function track<T extends Disposable>(value: T): T {
  // Not scopes[scopes.length - 1] outright: outside any scope that reads scopes[-1], a
  // property named "-1" that V8 looks up on its slow path, on every tensor made.
  const n = scopes.length;
  if (n > 0) scopes[n - 1]!.push(value);
  return value;
}

/**
 * Every tensor reachable from `root` through arrays, plain objects, Maps (keys and values) and
 * Sets. Iterative with a visited set: a container reached many times (a checkpoint's shared
 * lists) is walked once, cycles end, and depth cannot overflow the stack.
 */
function collect(root: unknown, out: Set<Disposable>): void {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== "object" || seen.has(value)) continue;
    seen.add(value);
    if (typeof (value as Disposable).dispose === "function" && "isDisposed" in (value as object)) {
      out.add(value as Disposable);
    } else if (Array.isArray(value)) {
      for (const v of value) stack.push(v);
    } else if (value instanceof Map) {
      for (const [k, v] of value) stack.push(k, v);
    } else if (value instanceof Set) {
      for (const v of value) stack.push(v);
    } else if (value instanceof PythonObject) {
      for (const v of objectParts(value)) stack.push(v); // an inert object from torch.load holds tensors too
    } else if (Object.getPrototypeOf(value) === Object.prototype) {
      for (const v of Object.values(value)) stack.push(v);
    }
  }
}

/**
 * Runs `fn` and disposes every tensor created inside it, except those it returns
 * (found in returned arrays, plain objects and Maps). Nested tidy() calls hand their
 * kept tensors to the enclosing scope. Like TensorFlow.js's `tf.tidy`; Python needs
 * no equivalent because its reference counting frees tensors at once.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new TypeError(`torch.tidy: expected fn to be a function, but received ${typeof fn}`);
  const scope: Disposable[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    scopes.pop();
    for (const t of scope) if (!t.isDisposed) t.dispose();
    throw err;
  }
  scopes.pop();
  if (isThenable(result)) {
    // Tensors made after an await would escape the scope; refuse rather than leak or free early.
    const parent = scopes[scopes.length - 1];
    if (parent) parent.push(...scope);
    refuseThenable(result, "torch.tidy: fn must be synchronous, but it returned a Promise; dispose tensors with `using` or dispose() in async code");
  }
  const kept = new Set<Disposable>();
  collect(result, kept);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (kept.has(t)) parent?.push(t);
    else if (!t.isDisposed) t.dispose();
  }
  return result;
}

/** Removes `value` from the enclosing tidy() scope so it outlives it. */
export function keep<T extends Disposable>(value: T): T {
  for (const scope of scopes) {
    const i = scope.indexOf(value);
    if (i >= 0) scope.splice(i, 1);
  }
  return value;
}

/** Disposes every tensor found in `values` (arrays, plain objects and Maps are searched). */
export function dispose(...values: unknown[]): void {
  const found = new Set<Disposable>();
  collect(values, found);
  for (const t of found) if (!t.isDisposed) t.dispose();
}

/**
 * Number of native tensors alive (not yet disposed or collected) in this thread's environment —
 * the main thread and each worker_thread hold their own — or, with `allThreads`, in the process.
 */
export function liveTensors(options?: { allThreads?: boolean }): number {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new TypeError(`torch.liveTensors: expected options to be an object, but received ${options === null ? "null" : typeof options}`);
  }
  const allThreads = options?.allThreads ?? false;
  if (typeof allThreads !== "boolean") throw new TypeError(`torch.liveTensors: expected allThreads to be a boolean, but received ${typeof allThreads}`);
  return allThreads ? native.processLiveTensors() : native.liveTensors();
}

/**
 * Bytes of CPU tensor memory the process holds right now (all threads), as malloc sizes the
 * blocks: the CPU counterpart of `torch.cuda.memoryAllocated()`. A disposed tensor's storage
 * leaves this count at once; one left to the garbage collector leaves it when collected.
 */
export function cpuMemoryAllocated(): number {
  return native.cpuMemoryAllocated();
}

/**
 * Internal: waits one turn of the event loop (a macrotask, not a microtask). The GC safety net
 * (FinalizationRegistry callbacks) and Ctrl-C handlers run only between macrotasks, so a loop
 * that awaits only already-resolved promises would never free what it forgot to dispose.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
