// Grad mode, as torch.no_grad / torch.enable_grad. libtorch's grad mode is thread-local:
// it applies to this JS thread (a worker_thread has its own).
import { native } from "./binding.js";
import { isThenable, refuseThenable } from "./sync_scope.js";

/**
 * Promises whose work read the grad mode synchronously, when they were created (forwardAsync):
 * `noGrad(() => model.forwardAsync(x))` is then as correct as it reads.
 */
const capturesGradMode = new WeakSet<object>();

/** Internal: marks a promise that captured the grad mode at creation. */
export function gradModeCaptured<T extends object>(promise: T): T {
  capturesGradMode.add(promise);
  return promise;
}

function withGradMode<T>(enabled: boolean, fn: () => T, name: string): T {
  if (typeof fn !== "function") throw new TypeError(`torch.${name}: expected fn to be a function, but received ${typeof fn}`);
  const previous = native.isGradEnabled();
  native.setGradEnabled(enabled);
  try {
    const result = fn();
    // The mode would not cover code after an await; say so rather than silently record graphs.
    if (!isThenable(result) || !capturesGradMode.has(result)) {
      refuseThenable(result, `torch.${name}: fn must be synchronous, but it returned a Promise; call setGradEnabled() around async code`);
    }
    return result;
  } finally {
    native.setGradEnabled(previous);
  }
}

/** Python: `with torch.no_grad(): …` — runs fn without recording operations for autograd. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn, "noGrad");
}

/** Python: `with torch.enable_grad(): …` — re-enables recording inside a noGrad block. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn, "enableGrad");
}

/** Python: `torch.is_grad_enabled()`. */
export function isGradEnabled(): boolean {
  return native.isGradEnabled();
}

/** Python: `torch.set_grad_enabled(mode)`. */
export function setGradEnabled(enabled: boolean): void {
  if (typeof enabled !== "boolean") throw new TypeError(`torch.setGradEnabled: expected enabled to be a boolean, but received ${typeof enabled}`);
  native.setGradEnabled(enabled);
}
