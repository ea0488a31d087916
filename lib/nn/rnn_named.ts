// What the recurrent layers and nn.utils.rnn share for errors raised inside ATen.
import { TorchError } from "../errors.js";

/** Runs an ATen call, its TorchError prefixed with the function's name. */
export function named<T>(fn: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof TorchError && !err.message.startsWith(`${fn}:`)) throw new TorchError(`${fn}: ${err.message}`);
    throw err;
  }
}
