// Argument checks that name the function, the argument, what was expected and what came.
import { DTYPES, isDType, type DType } from "./dtype.js";

/**
 * Short, readable rendering of a received value for error messages. Never throws and always
 * ends: a Proxy whose traps throw reads as unreadable, an array that contains itself shows the
 * repeat as "[…]", nesting is cut off past 4 levels, and a hole in a sparse array is "<empty>".
 */
export function describe(value: unknown): string {
  try {
    return describeAt(value, []);
  } catch {
    return "an unreadable value (reading it threw)";
  }
}

function describeAt(value: unknown, enclosing: unknown[]): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (Array.isArray(value)) {
    if (enclosing.includes(value) || enclosing.length >= 4) return "[…]";
    const n = value.length;
    const inner: string[] = [];
    enclosing.push(value);
    for (let i = 0; i < Math.min(n, 8); i++) inner.push(i in value ? describeAt(value[i], enclosing) : "<empty>");
    enclosing.pop();
    return `[${inner.join(", ")}${n > 8 ? ", …" : ""}]`;
  }
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as { length?: number }).length ?? value.byteLength})`;
  const name = (value as object).constructor?.name;
  if (name === "Tensor") return describeTensor(value as TensorLike);
  return name && name !== "Object" ? `a ${name}` : "an object";
}

/**
 * A real, dense copy of an array argument, or undefined when `value` is not an array. Accepts
 * what Array.isArray accepts, a Proxy over an array included (native/ sees only real arrays,
 * as PyTorch takes any sequence); a hole reads as undefined, so element checks refuse it; a
 * trap or getter that throws gives undefined too (the caller's argError then names the argument).
 */
export function arrayCopy(value: unknown): unknown[] | undefined {
  try {
    if (!Array.isArray(value)) return undefined;
    const n = value.length;
    if (!Number.isSafeInteger(n) || n < 0) return undefined;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = i in value ? value[i] : undefined;
    return out;
  } catch {
    return undefined;
  }
}

/** What describe() reads of a Tensor (validate.ts cannot import tensor.ts: it imports us). */
interface TensorLike {
  readonly isDisposed: boolean;
  readonly shape: number[];
  readonly dtype: string;
  readonly device: string;
}

/**
 * Small tensors as PyTorch prints them (the values are what was wrong); larger ones by dtype,
 * shape and device, so a bad image batch does not print pages of numbers into an error.
 */
function describeTensor(t: TensorLike): string {
  if (t.isDisposed) return String(t);
  const numel = t.shape.reduce((a, b) => a * b, 1);
  if (numel <= 16) return String(t);
  return `a ${t.dtype} tensor of shape [${t.shape.join(", ")}]${t.device === "cpu" ? "" : ` on ${t.device}`}`;
}

export function argError(fn: string, arg: string, expected: string, received: unknown): TypeError {
  return new TypeError(`${fn}: expected ${arg} to be ${expected}, but received ${describe(received)}`);
}

export function isInt(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value);
}

export function checkInt(fn: string, arg: string, value: unknown): number {
  if (!isInt(value)) throw argError(fn, arg, "an integer", value);
  return value;
}

export function checkNonNegInt(fn: string, arg: string, value: unknown): number {
  if (!isInt(value) || value < 0) throw argError(fn, arg, "a non-negative integer", value);
  return value;
}

export function checkPositiveInt(fn: string, arg: string, value: unknown): number {
  if (!isInt(value) || value < 1) throw argError(fn, arg, "a positive integer", value);
  return value;
}

/**
 * A number in [min, max]; NaN never is, so `lr: NaN` is refused (as PyTorch's
 * `if not 0.0 <= lr`). `expected` words the range in the message when the default does not.
 */
export function checkNumberIn(fn: string, arg: string, value: unknown, min: number, max: number, expected?: string): number {
  if (typeof value !== "number" || !(value >= min && value <= max)) {
    const range = max === Infinity ? `a number >= ${min}` : max === Number.MAX_VALUE ? `a finite number >= ${min}` : `a number between ${min} and ${max}`;
    throw argError(fn, arg, expected ?? range, value);
  }
  return value;
}

export function checkFunction(fn: string, arg: string, value: unknown): (...args: never[]) => unknown {
  if (typeof value !== "function") throw argError(fn, arg, "a function", value);
  return value as (...args: never[]) => unknown;
}

export function checkBool(fn: string, arg: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw argError(fn, arg, "a boolean", value);
  return value;
}

export function checkNumber(fn: string, arg: string, value: unknown): number {
  if (typeof value !== "number") throw argError(fn, arg, "a number", value);
  return value;
}

/** A scalar operand: number, bigint or boolean (like a Python number). */
export function checkScalar(fn: string, arg: string, value: unknown): number | bigint | boolean {
  const t = typeof value;
  if (t !== "number" && t !== "bigint" && t !== "boolean") throw argError(fn, arg, "a number, bigint or boolean", value);
  if (t === "bigint") checkInt64(fn, arg, value as bigint);
  return value as number | bigint | boolean;
}

/** A bigint scalar must fit in int64 (PyTorch: "Overflow when unpacking long"). */
export function checkInt64(fn: string, arg: string, value: bigint): bigint {
  if (value < -(1n << 63n) || value >= 1n << 63n) throw argError(fn, arg, "an integer within int64 (Overflow when unpacking long)", value);
  return value;
}

export function checkShape(fn: string, arg: string, value: unknown): number[] {
  const a = arrayCopy(value);
  if (a === undefined || !a.every((d) => isInt(d) && d >= 0)) {
    throw argError(fn, arg, "an array of non-negative integers", value);
  }
  return a as number[];
}

/** A shape that may hold one -1 (reshape/view/expand). */
export function checkShapeWithInfer(fn: string, arg: string, value: unknown): number[] {
  const a = arrayCopy(value);
  if (a === undefined || !a.every((d) => isInt(d) && d >= -1)) {
    throw argError(fn, arg, "an array of integers (-1 allowed)", value);
  }
  return a as number[];
}

export function checkIntList(fn: string, arg: string, value: unknown): number[] {
  const a = arrayCopy(value);
  if (a === undefined || !a.every(isInt)) throw argError(fn, arg, "an array of integers", value);
  return a as number[];
}

export function checkDType(fn: string, arg: string, value: unknown): DType {
  if (!isDType(value)) throw argError(fn, arg, `one of ${Object.keys(DTYPES).join(", ")}`, value);
  return value;
}

/** A dims argument: an integer, an array of integers, or null/undefined for all dims. */
export function checkDims(fn: string, arg: string, value: unknown): number[] | null {
  if (value === undefined || value === null) return null;
  if (isInt(value)) return [value];
  return checkIntList(fn, arg, value);
}

/**
 * An options object (undefined: none). With `allowed`, a key outside it is refused, naming it
 * and the allowed keys: a misspelt option (`{strid: 2}`, or Python's `weight_decay`) would
 * otherwise be ignored without a word, which is how PyTorch's keyword arguments never behave.
 * Every public function passes `allowed`; it is optional only for callers outside lib/.
 */
export function checkOptions(fn: string, value: unknown, allowed?: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw argError(fn, "options", "an object", value);
  // Only a plain object is options: a Tensor (torch.arange(0, t)) or a Map there is a misplaced
  // argument, and reading it as options would silently ignore it.
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw argError(fn, "options", "a plain object of options", value);
  if (allowed !== undefined) {
    for (const key of Object.keys(value)) if (!allowed.includes(key)) throw unknownOption(fn, key, allowed);
  }
  return value as Record<string, unknown>;
}

/** The error for an option name that is not one of `allowed`, with the likely intended one. */
export function unknownOption(fn: string, key: string, allowed: readonly string[]): TypeError {
  const hint = closestName(key, allowed);
  const choices = allowed.length === 0 ? `${fn} takes no options` : `expected one of ${allowed.join(", ")}`;
  return new TypeError(`${fn}: unknown option ${JSON.stringify(key)}${hint === undefined ? "" : ` (did you mean ${JSON.stringify(hint)}?)`}; ${choices}`);
}

/**
 * The allowed name `key` was probably meant to be: the same letters in another case or with
 * underscores (Python's snake_case), or at most two edits away (one for short names).
 */
export function closestName(key: string, allowed: readonly string[]): string | undefined {
  const norm = (s: string) => s.replace(/_/g, "").toLowerCase();
  const same = allowed.find((a) => norm(a) === norm(key));
  if (same !== undefined) return same;
  let best: string | undefined;
  let bestDistance = key.length < 5 ? 1 : 2;
  for (const a of allowed) {
    const d = editDistance(norm(key), norm(a));
    if (d <= bestDistance) [best, bestDistance] = [a, d - 1];
  }
  return best;
}

/** Edits (insert, delete, substitute, swap two neighbours) turning a into b. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
