// Binding a Python signature by the calling rule, for the functions that are Python code in
// PyTorch (torch.* here, torch.nn.functional in lib/nn/): `input` first, then Python's
// parameters positionally in order, or any of them in one trailing options object with
// camelCase keys.
import { Tensor } from "./tensor.js";
import { argError, checkBool, checkInt, checkOptions } from "../validate.js";

type Prefixes<P extends unknown[]> = P extends [...infer H, unknown] ? P | Prefixes<H> : [];
/**
 * The arguments after `input` of a Python signature: any prefix of the positional parameters
 * `P` (in Python's order), then optionally one options object `O` (camelCase keys) for the rest.
 */
export type PyArgs<P extends unknown[], O> = Prefixes<P> extends infer Q ? (Q extends unknown[] ? [...Q, Partial<O>?] : never) : never;

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Tensor) && !ArrayBuffer.isView(v) &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/**
 * Binds `args` (what follows input) to the Python parameter `names` (camelCase, in order):
 * positional first, then one trailing options object; the first `required` must be given.
 * `lead` names the parameters before `args`, for the message about too many of them.
 */
export function bindArgs(fn: string, names: readonly string[], args: readonly unknown[], required = 0, lead: readonly string[] = ["input"]): Record<string, unknown> {
  let positional = args;
  let options: Record<string, unknown> = {};
  if (args.length > 0 && isPlainObject(args[args.length - 1])) {
    options = checkOptions(fn, args[args.length - 1], names);
    positional = args.slice(0, -1);
  }
  if (positional.length > names.length) {
    const all = [...lead, ...names];
    throw new TypeError(`${fn}: expected at most ${all.length} positional arguments (${all.join(", ")}), but received ${positional.length + lead.length}`);
  }
  const out: Record<string, unknown> = { ...options };
  positional.forEach((v, i) => {
    if (names[i]! in options) throw new TypeError(`${fn}: ${names[i]} was given both positionally and in the options`);
    out[names[i]!] = v;
  });
  for (let i = 0; i < required; i++) {
    if (out[names[i]!] === undefined) throw new TypeError(`${fn}: missing argument ${names[i]}`);
  }
  return out;
}

/** A Tensor parameter, or a TypeError naming the function and the parameter. */
export function tensorParam(fn: string, arg: string, value: unknown): Tensor {
  if (!(value instanceof Tensor)) throw argError(fn, arg, "a Tensor", value);
  return value;
}

/** A boolean parameter, its default when not given. */
export const boolParam = (fn: string, arg: string, value: unknown, dflt: boolean): boolean => (value === undefined ? dflt : checkBool(fn, arg, value));

/** An integer parameter that may be null (Python's `Optional[int]`): null when not given. */
export const optIntParam = (fn: string, arg: string, value: unknown): number | null => (value === undefined || value === null ? null : checkInt(fn, arg, value));
