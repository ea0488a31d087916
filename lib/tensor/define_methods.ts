// Putting hand-written methods on Tensor.prototype, each refusing more arguments than it
// declares: JS ignores extra arguments, so `t.sqrt(5)` or `t.mul(2, 3)` returned as if they
// were not there, where PyTorch raises ("mul() takes 1 positional argument but 2 were given").
// The generated ops check their arity from the schema (lib/tensor/op_call.ts); these take it
// from their own declaration.
import { Tensor } from "./tensor.js";

type Method = (this: Tensor, ...args: never[]) => unknown;

/** The most arguments `fn` declares (Infinity with a rest parameter), read from its source. */
function declaredArity(fn: Method): number {
  const src = Function.prototype.toString.call(fn);
  const open = src.indexOf("(");
  let depth = 0;
  let end = open;
  for (let i = open; i < src.length; i++) {
    if ("([{".includes(src[i]!)) depth++;
    else if (")]}".includes(src[i]!) && --depth === 0) { end = i; break; }
  }
  const params = src.slice(open + 1, end).trim();
  if (params === "") return 0;
  if (params.includes("...")) return Infinity;
  let count = 1;
  depth = 0;
  for (const c of params) {
    if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (c === "," && depth === 0) count++;
  }
  return params.trimEnd().endsWith(",") ? count - 1 : count;
}

function tooMany(name: string, max: number, given: number): TypeError {
  return new TypeError(`Tensor.${name}: expected at most ${max} argument${max === 1 ? "" : "s"}, but received ${given}`);
}

/**
 * A disposed tensor reaching a hand-written method is refused where its handle is read, by a
 * message that cannot know the method; this names it (`Tensor.remainder: Tensor was disposed …`).
 */
function named(name: string, err: unknown): unknown {
  if (err instanceof Error && err.message.startsWith("Tensor was disposed")) err.message = `Tensor.${name}: ${err.message}`;
  return err;
}

/** One wrapper per arity, without a rest parameter, so a hot method pays one length check. */
function guarded(name: string, fn: Method): Method {
  const f = fn as (this: Tensor, ...args: unknown[]) => unknown;
  switch (declaredArity(fn)) {
    case 0: return function (this: Tensor) {
      if (arguments.length > 0) throw tooMany(name, 0, arguments.length);
      try { return f.call(this); } catch (err) { throw named(name, err); }
    };
    case 1: return function (this: Tensor, a: unknown) {
      if (arguments.length > 1) throw tooMany(name, 1, arguments.length);
      try { return f.call(this, a); } catch (err) { throw named(name, err); }
    } as Method;
    case 2: return function (this: Tensor, a: unknown, b: unknown) {
      if (arguments.length > 2) throw tooMany(name, 2, arguments.length);
      try { return f.call(this, a, b); } catch (err) { throw named(name, err); }
    } as Method;
    case 3: return function (this: Tensor, a: unknown, b: unknown, c: unknown) {
      if (arguments.length > 3) throw tooMany(name, 3, arguments.length);
      try { return f.call(this, a, b, c); } catch (err) { throw named(name, err); }
    } as Method;
    // A rest parameter, or more than three: the method checks what it takes.
    default: return function (this: Tensor, ...args: unknown[]) {
      try { return f.apply(this, args); } catch (err) { throw named(name, err); }
    } as Method;
  }
}

/**
 * A hand-written fast path that takes only part of the calling rule: its declared positional
 * parameters, the last of them an options object when `optionsLast`. ops.ts puts the
 * generated method of the same name behind it, for every other form (`x.sum(1, true)`,
 * `x.argmax({ dim: 1 })`, `x.std(1, true, true)`).
 */
export const FAST_FORM = Symbol("torch-ts.fast-form");
export interface FastForm {
  readonly arity: number;
  readonly optionsLast: boolean;
}

/**
 * Defines `methods` on Tensor.prototype (not enumerable, as class methods are). Names in
 * `partial` are fast paths for the common forms only (see FAST_FORM); the others take every
 * form they accept themselves.
 */
export function defineMethods(methods: Readonly<Record<string, Method>>, partial?: { optionsLast: readonly string[]; positional: readonly string[] }): void {
  for (const [name, fn] of Object.entries(methods)) {
    const value = guarded(name, fn);
    const optionsLast = partial?.optionsLast.includes(name) === true;
    if (optionsLast || partial?.positional.includes(name) === true) {
      Object.defineProperty(value, FAST_FORM, { value: { arity: declaredArity(fn), optionsLast } satisfies FastForm });
    }
    Object.defineProperty(Tensor.prototype, name, { value, writable: true, configurable: true, enumerable: false });
  }
}
