// The generated op surface (lib/tensor/ops.generated.ts) made callable: torch.x(...) for an
// op's function variant, t.x(...) for its method variant, in PyTorch's namespaces. Each name is
// one OpEntry over its schemas (op_call.ts). Hand-written ops keep their fast paths: a method
// already on Tensor.prototype, or a function the package exports by hand, wins (they follow
// the same calling rule), so the generated entry serves only the names not written by hand.
import { Tensor } from "./tensor.js";
import { OpEntry } from "./op_call.js";
import { isPlainObject } from "./python_args.js";
import { FAST_FORM, type FastForm } from "./define_methods.js";

/** Marks what the generator made, so scripts/gen-ops.ts can tell hand-written names apart. */
export const GENERATED = Symbol.for("torch-ts.generated-op");

/** A torch.x function over the schemas of aten::x (`display` names it in errors). */
export function fn<F>(display: string, qualified: string, schemas: readonly string[]): F {
  const entry = new OpEntry(display, qualified, schemas);
  const f = (...args: unknown[]) => entry.call(args);
  Object.defineProperty(f, "name", { value: display.slice(display.lastIndexOf(".") + 1) });
  Object.defineProperty(f, GENERATED, { value: entry });
  return f as F;
}

/**
 * Puts the method variants on Tensor.prototype, leaving hand-written methods in place; a
 * hand-written fast path for some forms only (define_methods.ts FAST_FORM) gets the generated
 * method behind it for the others.
 */
export function attachMethods(methods: Readonly<Record<string, readonly string[]>>): void {
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  for (const [name, schemas] of Object.entries(methods)) {
    const own = name in proto ? proto[name] : undefined;
    const fast = typeof own === "function" ? (own as { [FAST_FORM]?: FastForm })[FAST_FORM] : undefined;
    if (own !== undefined && fast === undefined) continue;
    const entry = new OpEntry(`Tensor.${name}`, name, schemas);
    let method = schemas.every(selfFirst)
      ? function (this: Tensor, ...args: unknown[]) {
        return entry.callMethod(this, args);
      }
      : selfInside(entry);
    if (fast !== undefined) method = behindFastPath(own as typeof method, fast, method);
    Object.defineProperty(method, "name", { value: name });
    Object.defineProperty(method, GENERATED, { value: entry });
    Object.defineProperty(proto, name, { value: method, writable: true, configurable: true, enumerable: false });
  }
}

/** Whether `args` is a form the fast path takes: its positional parameters, then its options. */
function fitsFast(args: unknown[], form: FastForm): boolean {
  if (args.length > form.arity) return false;
  for (let i = 0; i < args.length; i++) {
    const slotIsOptions = form.optionsLast && i === form.arity - 1;
    const a = args[i];
    if (slotIsOptions ? a !== undefined && !isPlainObject(a) : isPlainObject(a)) return false;
  }
  return true;
}

function behindFastPath(
  fast: (this: Tensor, ...args: unknown[]) => unknown, form: FastForm, general: (this: Tensor, ...args: unknown[]) => unknown,
): (this: Tensor, ...args: unknown[]) => unknown {
  return function (this: Tensor, ...args: unknown[]) {
    return fitsFast(args, form) ? fast.apply(this, args) : general.apply(this, args);
  };
}

const selfFirst = (schema: string): boolean => /^[\w.]+\(Tensor(\([^)]*\))? self[,)]/.test(schema);

/**
 * A method whose schema puts self after other arguments (polygamma(int n, Tensor self),
 * where.self(Tensor condition, Tensor self, Tensor other)): as in Python, the receiver is that
 * `self` and the method's arguments are the others in schema order (x.polygamma(1),
 * x.where(mask, y)); binding the receiver to the first argument computed where(x, mask, y).
 */
function selfInside(entry: OpEntry): (this: Tensor, ...args: unknown[]) => unknown {
  let at: number | undefined;
  return function (this: Tensor, ...args: unknown[]) {
    at ??= Math.max(0, entry.overloads[0]?.params.findIndex((p) => p.name === "self") ?? 0);
    const last = args[args.length - 1];
    const options = isPlainObject(last) ? last : undefined;
    const positional = options === undefined ? args : args.slice(0, -1);
    // Given up to self's place: the receiver goes there. Fewer (the rest by name): by name too.
    if (positional.length >= at) return entry.call([...positional.slice(0, at), this, ...positional.slice(at), ...(options === undefined ? [] : [options])]);
    return entry.call([...positional, { ...options, self: this }]);
  };
}

/** Python's Tensor properties over an op (x.T is aten::numpy_T): getters, leaving hand-written ones in place. */
export function attachProperties(properties: Readonly<Record<string, string>>): void {
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  for (const [name, schema] of Object.entries(properties)) {
    if (name in proto) continue;
    const entry = new OpEntry(`Tensor.${name}`, schema.slice(0, schema.indexOf("(")), [schema]);
    const get = function (this: Tensor) {
      return entry.call([this]);
    };
    Object.defineProperty(get, GENERATED, { value: entry });
    Object.defineProperty(proto, name, { get, configurable: true, enumerable: false });
  }
}

/**
 * The type of several returns: the array in schema order that also reads the schema's return
 * names (`x.topk(3).indices` is `[1]`). One type per (types, names) pair, so that ops with
 * the same returns (topk, sort, max.dim…) share it and compare by identity, not structurally.
 */
export type NamedReturns<T extends readonly unknown[], N extends readonly string[]> =
  T & { readonly [I in Extract<keyof N, `${number}`> as N[I] & string]: T[I & keyof T] };
