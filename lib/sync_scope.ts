// The scoped helpers that must run their fn synchronously (tidy, noGrad, enableGrad, autocast)
// refuse a Promise result: a scope cannot cover code after an await. One refusal for all.
import { dispose } from "./memory.js";

/** Whether `value` is a Promise or another thenable. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as { then?: unknown }).then === "function";
}

/**
 * Throws TypeError(message) when `result` is a thenable, after consuming it: the async fn has
 * already run up to its first await, and a promise dropped here would reject unhandled later
 * (Node then exits with code 1, although the caller caught the TypeError). Its eventual error,
 * if any, is the fn's own bug and is reported only through the TypeError's refusal; the tensors
 * it resolves to have no one to receive them and are freed.
 */
export function refuseThenable(result: unknown, message: string): void {
  if (!isThenable(result)) return;
  try {
    result.then((value) => dispose(value), () => undefined);
  } catch {
    // a thenable whose then() throws: nothing was scheduled, nothing to consume
  }
  throw new TypeError(message);
}
