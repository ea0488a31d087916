// Grad mode, as torch.no_grad / torch.enable_grad / torch.inference_mode. libtorch's grad mode
// is thread-local: it applies to this JS thread (a worker_thread has its own). An async fn gets
// its mode across awaits, per task (grad_mode_async.ts).
import { native } from "./binding.js";
import { currentAsyncScope, runAsyncScope } from "./grad_mode_async.js";
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

const isAsyncFunction = (fn: unknown) => Object.prototype.toString.call(fn) === "[object AsyncFunction]";

function withGradMode<T>(enabled: boolean, fn: () => T, name: string): T {
  if (typeof fn !== "function") throw new TypeError(`torch.${name}: expected fn to be a function, but received ${typeof fn}`);
  const previous = native.isGradEnabled();
  native.setGradEnabled(enabled);
  try {
    // An async fn is a scope of its own: the mode holds after each await, for it alone.
    if (isAsyncFunction(fn)) return runAsyncScope(enabled, fn);
    const result = fn();
    // A plain function returning a Promise: the mode cannot follow work it started elsewhere.
    if (!isThenable(result) || !capturesGradMode.has(result)) {
      refuseThenable(result, `torch.${name}: fn returned a Promise but is not an async function; pass an async function (its awaits keep the mode) or call setGradEnabled() around the async code`);
    }
    return result;
  } finally {
    native.setGradEnabled(previous);
  }
}

/**
 * Python: `with torch.no_grad(): …` — runs fn without recording operations for autograd.
 * `await torch.noGrad(async () => …)` covers the async fn across its awaits; other tasks
 * interleaved with it keep their own mode.
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn, "noGrad");
}

/**
 * Python: `with torch.inference_mode(): …`. Here it is noGrad (no graph is recorded, async fns
 * too); libtorch's inference tensors, which would later refuse autograd, are not made.
 */
export function inferenceMode<T>(fn: () => T): T {
  return withGradMode(false, fn, "inferenceMode");
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
  // Inside an async scope the change is the scope's: its later continuations keep it.
  const scope = currentAsyncScope();
  if (scope !== undefined) scope.enabled = enabled;
  native.setGradEnabled(enabled);
}
