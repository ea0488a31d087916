// Grad modes that cover async code: `await torch.noGrad(async () => { for await (const b of
// loader) … })`. libtorch's grad mode is one flag per thread, and every async task of the event
// loop runs on the same thread, so the flag alone cannot tell two interleaved tasks apart. Each
// async scope therefore carries its mode in an AsyncLocalStorage, and an async hook sets the
// native flag to the scope's mode before each of the scope's continuations runs (and puts the
// previous mode back after it). Code outside every async scope is untouched: it sees the flag
// as it would without this file. The hook (and the promise tracking it needs) is enabled only
// while at least one async scope has not settled, so programs that never pass an async fn pay
// nothing.
import { AsyncLocalStorage, createHook } from "node:async_hooks";
import { native } from "./binding.js";

interface Scope {
  enabled: boolean;
}

const scopes = new AsyncLocalStorage<Scope>();
const saved = new Map<number, boolean>();
let open = 0;

const hook = createHook({
  before(asyncId) {
    const scope = scopes.getStore();
    if (scope === undefined) return;
    saved.set(asyncId, native.isGradEnabled());
    native.setGradEnabled(scope.enabled);
  },
  after(asyncId) {
    const previous = saved.get(asyncId);
    if (previous === undefined) return;
    saved.delete(asyncId);
    native.setGradEnabled(previous);
  },
});

/** The async scope the running code belongs to, if any (setGradEnabled updates its mode). */
export function currentAsyncScope(): Scope | undefined {
  return open > 0 ? scopes.getStore() : undefined;
}

/**
 * Runs `fn` (which has already been called synchronously by the caller's code path when it is
 * not async) as an async scope with grad mode `enabled`: its synchronous part and every
 * continuation after an await see that mode, other tasks keep theirs.
 */
export function runAsyncScope<T>(enabled: boolean, fn: () => T): T {
  if (open++ === 0) hook.enable();
  let result: T;
  try {
    result = scopes.run({ enabled }, fn);
  } catch (err) {
    if (--open === 0) close();
    throw err;
  }
  const settle = () => {
    if (--open === 0) close();
  };
  if (result !== null && typeof result === "object" && typeof (result as { then?: unknown }).then === "function") {
    (result as unknown as PromiseLike<unknown>).then(settle, settle);
  } else {
    settle();
  }
  return result;
}

function close(): void {
  hook.disable();
  saved.clear();
  scopes.disable();
}
