// Deterministic release of native tensors (DESIGN.md "Memory model"). In order of
// preference: `using`, tidy(), dispose(); the GC finalizer is only a safety net.
import { native } from "./binding.js";

/** What a scope tracks: anything that can be disposed once. */
export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

const scopes: Disposable[][] = [];

/** Called by every tensor the library creates: the innermost tidy() scope owns it. */
export function track<T extends Disposable>(value: T): T {
  const scope = scopes[scopes.length - 1];
  if (scope !== undefined) scope.push(value);
  return value;
}

function collect(value: unknown, out: Set<Disposable>, depth: number): void {
  if (value === null || typeof value !== "object" || depth > 8) return;
  if (typeof (value as Disposable).dispose === "function" && "isDisposed" in (value as object)) {
    out.add(value as Disposable);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, out, depth + 1);
  else if (value instanceof Map) for (const v of value.values()) collect(v, out, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, out, depth + 1);
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
  if (result !== null && typeof (result as { then?: unknown })?.then === "function") {
    // Tensors made after an await would escape the scope; refuse rather than leak or free early.
    const parent = scopes[scopes.length - 1];
    if (parent) parent.push(...scope);
    throw new TypeError("torch.tidy: fn must be synchronous, but it returned a Promise; dispose tensors with `using` or dispose() in async code");
  }
  const kept = new Set<Disposable>();
  collect(result, kept, 0);
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
  collect(values, found, 0);
  for (const t of found) if (!t.isDisposed) t.dispose();
}

/** Number of native tensors alive in this process (not yet disposed or collected). */
export function liveTensors(): number {
  return native.liveTensors();
}
