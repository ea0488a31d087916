// TorchScript values in JavaScript, as torch.load shows Python values (serialization/values.ts):
// Tensor, number, boolean, string, null; a list is an Array, a tuple an Array marked as a tuple
// (serialization.isTuple), a dict a Map; a device a string ("cpu"). Crossing to native code
// they take the tagged form of binding.d.ts JitValue; native/jit_ivalue.cc converts each one
// against the method's schema (a number is an int where the schema says int).
import type { JitRef, JitValue } from "../../binding.js";
import { markTuple } from "../serialization/values.js";
import { handleOf, Tensor, wrap } from "../tensor/index.js";

/** A value a script method takes or returns. */
export type ScriptValue =
  | Tensor | number | boolean | string | null
  | ScriptValue[] | Map<ScriptValue, ScriptValue> | { readonly [key: string]: ScriptValue } | ScriptObject;

/** A TorchScript object torch-ts does not convert (a custom class instance): its type name. */
export class ScriptObject {
  constructor(readonly typeName: string) {}
}

/** JS -> tagged. Tensors pass by handle (the call holds them; nothing is copied here). */
export function toJit(value: unknown, where: string): JitValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "string") return value;
  if (value instanceof Tensor) return { k: "t", h: handleOf(value) };
  if (Array.isArray(value)) return { k: "l", v: value.map((v, i) => toJit(v, `${where}[${i}]`)) };
  if (value instanceof Map) return { k: "d", v: [...value].map(([k, v]) => [toJit(k, `${where} key`), toJit(v, `${where}[${String(k)}]`)]) };
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return { k: "d", v: Object.entries(value).map(([k, v]) => [k, toJit(v, `${where}.${k}`)]) };
  }
  throw new TypeError(`${where}: a ${typeof value === "object" ? (value.constructor?.name ?? "object") : typeof value} cannot be passed to TorchScript (Tensor, number, boolean, string, null, arrays, Maps and plain objects can)`);
}

/** tagged -> JS. Every tensor handle becomes a Tensor owned by the current tidy() scope. */
export function fromJit(value: JitValue, module: (ref: JitRef) => unknown): ScriptValue {
  if (value === null || typeof value !== "object") return value;
  switch (value.k) {
    case "t":
      return wrap(value.h);
    case "l":
      return value.v.map((v) => fromJit(v, module));
    case "u":
      return markTuple(value.v.map((v) => fromJit(v, module)));
    case "d":
      return new Map(value.v.map(([k, v]) => [fromJit(k, module), fromJit(v, module)]));
    case "dev":
      return value.v;
    case "m":
      return module(value.ref) as ScriptValue;
    case "o":
      return new ScriptObject(value.type);
  }
}
