// Argument checks that name the function, the argument, what was expected and what came.
import { DTYPES, isDType, type DType } from "./dtype.js";

/** Short, readable rendering of a received value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (Array.isArray(value)) {
    const inner = value.slice(0, 8).map(describe).join(", ");
    return `[${inner}${value.length > 8 ? ", …" : ""}]`;
  }
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as { length?: number }).length ?? value.byteLength})`;
  const name = (value as object).constructor?.name;
  if (name === "Tensor") return String(value);
  return name && name !== "Object" ? `a ${name}` : "an object";
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
  return value as number | bigint | boolean;
}

export function checkShape(fn: string, arg: string, value: unknown): number[] {
  if (!Array.isArray(value) || !value.every((d) => isInt(d) && d >= 0)) {
    throw argError(fn, arg, "an array of non-negative integers", value);
  }
  return value;
}

/** A shape that may hold one -1 (reshape/view/expand). */
export function checkShapeWithInfer(fn: string, arg: string, value: unknown): number[] {
  if (!Array.isArray(value) || !value.every((d) => isInt(d) && d >= -1)) {
    throw argError(fn, arg, "an array of integers (-1 allowed)", value);
  }
  return value;
}

export function checkIntList(fn: string, arg: string, value: unknown): number[] {
  if (!Array.isArray(value) || !value.every(isInt)) throw argError(fn, arg, "an array of integers", value);
  return value;
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

export function checkOptions(fn: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw argError(fn, "options", "an object", value);
  return value as Record<string, unknown>;
}
