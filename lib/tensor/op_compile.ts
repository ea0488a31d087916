// A calling function generated for each op from its overloads (op_call.ts's OpEntry compiles
// it on the op's first call): the calling rule written out as straight-line code, overload by
// overload, the way op_call.ts's bind() applies it in a loop.
//
// Why generate code: every generated op shares bind() and OpEntry.call, so once a program calls
// more than a few ops, V8 sees every kind of argument list, options object, overload and return
// at the same sites and compiles them for all of them (a 4-element topk cost ~25% more after an
// addcmul loop had run than alone). A function of its own per op keeps each site seeing one op:
// option names become constant property loads and switch cases, the native call has a fixed
// arity, the named-returns class is a constant, and no array of values is built per call.
//
// It decides only what it can decide exactly as bind() would; anything else (an overload taking
// Python's `*size` form, a factory's requiresGrad) answers UNSURE and OpEntry.call takes the
// general path from the first overload. It never explains a misfit: when no overload fits it
// answers UNSURE too, and bind() makes the message. Each argument is converted by op_call.ts's
// convert(), the one definition of what fits a schema type.
import type { OpRef } from "../../binding.js";
import type { Tensor } from "./tensor.js";
import type { Overload } from "./op_call.js";

/** What the generated code calls: op_call.ts's own pieces, passed in rather than imported. */
export interface CompileParts {
  isPlainObject: (v: unknown) => boolean;
  convert: (p: Overload["params"][number], v: unknown) => unknown;
  NO_FIT: symbol;
  UNSURE: symbol;
  /** The op id of an overload, found on first use (throws when the linked libtorch lacks it). */
  idOf: (o: Overload) => OpRef;
  /** native.opCall itself. */
  call: (op: OpRef, ...args: unknown[]) => unknown;
  wrap: (h: never) => Tensor;
  /** The i-th tensor handle native left in the scratch buffer, wrapped (null for NaN). */
  tensorAt: (i: number) => Tensor | null;
  /** The class of an overload's several returns. */
  namedOf: (o: Overload) => new (...items: unknown[]) => unknown[];
  /** The general return walk (op_call.ts returnsOf). */
  returnsOf: (o: Overload, out: unknown, self: Tensor | undefined) => unknown;
  mode: { tensor: number; self: number; tensors: number; general: number };
}

/** How the generated code reads argument i (a method's receiver is argument 0). */
type ArgAt = (i: number | string) => string;

/**
 * The calling function of an op, or null when it is not worth one or code cannot be generated
 * here (--disallow-code-generation-from-strings). It takes the arguments as OpEntry.call does,
 * `(args)`, or as OpEntry.callMethod does, `(self, rest)`: a method's receiver apart, so that
 * no array of receiver and arguments is made per call.
 */
export function compileCall(fn: string, overloads: readonly Overload[], parts: CompileParts, method: false): ((args: readonly unknown[]) => unknown) | null;
export function compileCall(fn: string, overloads: readonly Overload[], parts: CompileParts, method: true): ((self: unknown, rest: readonly unknown[]) => unknown) | null;
export function compileCall(fn: string, overloads: readonly Overload[], parts: CompileParts, method: boolean): ((...a: never[]) => unknown) | null {
  // Factories apply requiresGrad themselves (OpEntry.call): the general path serves them.
  if (overloads.length === 0 || overloads.some((o) => o.params.some((p) => p.name === "pinMemory"))) return null;
  const lines: string[] = [];
  const emit = (s: string) => lines.push(s);
  let arg: ArgAt;
  if (method) {
    arg = (i) => (i === 0 ? "self" : typeof i === "number" ? `rest[${i - 1}]` : `(${i} === 0 ? self : rest[${i} - 1])`);
    emit(`return function ${identifier(fn)}(self, rest) {`);
    emit("let n = rest.length + 1;");
  } else {
    arg = (i) => `args[${i}]`;
    emit(`return function ${identifier(fn)}(args) {`);
    emit("let n = args.length;");
  }
  emit("let options;");
  emit(`if (n > 0 && isPlainObject(${arg("n - 1")})) {`);
  emit(`options = ${arg("n - 1")};`);
  emit("n--;");
  emit("}");
  overloads.forEach((o, k) => emitOverload(emit, o, k, parts, arg));
  emit("return UNSURE;");
  emit("};");
  const source = lines.join("\n");
  try {
    const make = new Function("parts", "O", "P", `"use strict";
const { isPlainObject, convert, NO_FIT, UNSURE, idOf, call, wrap, tensorAt, namedOf, returnsOf } = parts;
${source}`) as (parts: CompileParts, O: readonly Overload[], P: readonly (readonly Overload["params"][number][])[]) => (...a: never[]) => unknown;
    return make(parts, overloads, overloads.map((o) => o.params));
  } catch {
    return null;
  }
}

/** One overload's block: `break oK` when the arguments do not fit it, a return when they do. */
function emitOverload(emit: (s: string) => void, o: Overload, k: number, parts: CompileParts, arg: ArgAt): void {
  const params = o.params;
  const npos = o.positionalCount;
  const label = `o${k}`;
  emit(`${label}: {`);
  const last = params[npos - 1];
  // bind()'s spread forms (x.view(2, 3), x.view(6)) start at npos arguments: left to it.
  if (npos > 0 && (last!.kind === "intList" || last!.kind === "TensorList")) emit(`if (n >= ${npos}) return UNSURE;`);
  emit(`if (n > ${npos}) break ${label};`);
  // Each option must name a parameter not already given positionally.
  emit("if (options !== undefined) for (const key in options) switch (key) {");
  params.forEach((p, i) => emit(`case ${JSON.stringify(p.name)}: if (n > ${i}) break ${label}; continue;`));
  emit(`default: break ${label};`);
  emit("}");
  params.forEach((p, i) => {
    const option = `(options === undefined ? undefined : options[${JSON.stringify(p.name)}])`;
    emit(`const g${i} = ${p.kwOnly ? option : `n > ${i} ? ${arg(i)} : ${option}`};`);
    emit(`let v${i};`);
    // As bind(): not given is the schema's default (native fills it in), or no fit unless the
    // parameter takes null (convert says what null becomes).
    const check = `if ((v${i} = convert(P[${k}][${i}], g${i})) === NO_FIT) break ${label};`;
    if (p.hasDefault) emit(`if (g${i} === undefined) v${i} = undefined; else ${check}`);
    else if (!p.optional && p.kind !== "Generator") emit(`if (g${i} === undefined) break ${label}; ${check}`);
    else emit(check);
  });
  const values = params.map((_, i) => `, v${i}`).join("");
  emit(`const o = O[${k}];`);
  emit("const id = o.id ?? idOf(o);");
  const self = params[0]?.mutatesSelf === true ? arg(0) : "undefined";
  switch (o.mode) {
    case parts.mode.tensor:
      emit(`return wrap(call(id${values}));`);
      break;
    case parts.mode.self:
      emit(`call(id${values});`);
      emit(`return ${arg(0)};`); // the op returned its own input: hand back that object
      break;
    case parts.mode.tensors:
      // The handles native left in the scratch buffer, read before anything else calls native.
      emit(`call(id${values});`);
      emit(`return new (o.named ?? namedOf(o))(${o.returns.map((_, i) => `tensorAt(${i})`).join(", ")});`);
      break;
    default:
      emit(`return returnsOf(o, call(id${values}), ${self});`);
  }
  emit("}");
}

/** A function name from an op's display name (torch.linalg.solve -> torch_linalg_solve), for stack traces. */
function identifier(fn: string): string {
  const id = fn.replace(/[^A-Za-z0-9_$]/g, "_");
  return /^[A-Za-z_$]/.test(id) ? id : `_${id}`;
}
