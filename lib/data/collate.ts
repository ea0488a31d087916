// torch.utils.data's default_collate and default_convert (Python: torch/utils/data/_utils/
// collate.py), over JavaScript's values: Tensors are stacked, typed arrays play numpy arrays,
// numbers become int64 (all integers) or float64 tensors, arrays are transposed (Python's
// lists/tuples), plain objects and Maps (Python's dicts) are collated key by key.
import { tensor } from "../tensor/creation.js";
import { stack } from "../tensor/functions.js";
import { Tensor } from "../tensor/index.js";
import { describe } from "../validate.js";

const ERR = "default_collate: batch must contain tensors, typed arrays, numbers, bigints, booleans, strings, objects, Maps or arrays";

type Typed = Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array;
const TYPED = [Float32Array, Float64Array, BigInt64Array, Int32Array, Int16Array, Int8Array, Uint8Array, Uint16Array] as const;

function isTyped(v: unknown): v is Typed {
  return TYPED.some((C) => v instanceof C);
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/**
 * Python: `torch.utils.data.default_collate(batch)`: a list of samples to one batch of the
 * same structure, tensors gaining a first dimension of the batch's size.
 */
export function defaultCollate(batch: unknown[]): any {
  if (!Array.isArray(batch)) throw new TypeError(`default_collate: expected batch to be an array of samples, but received ${describe(batch)}`);
  if (batch.length === 0) throw new TypeError("default_collate: the batch is empty");
  const elem = batch[0];
  const kindMismatch = (what: string) => {
    const k = batch.findIndex((b) => !sameKind(elem, b));
    if (k >= 0) throw new TypeError(`default_collate: sample 0 is ${what} but sample ${k} is ${describe(batch[k])}`);
  };
  if (elem instanceof Tensor) {
    kindMismatch("a Tensor");
    return stack(batch as Tensor[], 0);
  }
  if (isTyped(elem)) {
    kindMismatch(`a ${elem.constructor.name}`);
    const n = elem.length;
    const k = batch.findIndex((b) => (b as Typed).length !== n);
    if (k >= 0) throw new TypeError(`default_collate: stack expects each tensor to be equal size, but sample 0 has ${n} values and sample ${k} has ${(batch[k] as Typed).length}`);
    const Ctor = elem.constructor as unknown as { new (n: number): Typed };
    const out = new Ctor(batch.length * n);
    batch.forEach((b, i) => (out as unknown as { set(a: Typed, o: number): void }).set(b as Typed, i * n));
    return tensor(out, { shape: [batch.length, n] });
  }
  if (typeof elem === "number" || typeof elem === "bigint") {
    kindMismatch("a number");
    const values = batch as (number | bigint)[];
    if (values.some((v) => typeof v === "number" && !Number.isInteger(v))) {
      const big = values.findIndex((v) => typeof v === "bigint");
      if (big >= 0) throw new TypeError(`default_collate: sample ${big} is a bigint (int64) but another sample is fractional; a batch of numbers is all integers or all floats`);
      return tensor(Float64Array.from(values as number[]));
    }
    return tensor(BigInt64Array.from(values, (v) => BigInt(v)));
  }
  if (typeof elem === "boolean") {
    kindMismatch("a boolean");
    return tensor(batch as boolean[]);
  }
  if (typeof elem === "string") {
    kindMismatch("a string");
    return batch;
  }
  if (elem instanceof Map) {
    kindMismatch("a Map");
    return new Map([...elem.keys()].map((key) => [key, defaultCollate(batch.map((d, i) => {
      if (!(d as Map<unknown, unknown>).has(key)) throw new TypeError(`default_collate: sample ${i} has no key ${describe(key)}`);
      return (d as Map<unknown, unknown>).get(key);
    }))]));
  }
  if (Array.isArray(elem)) {
    kindMismatch("an array");
    const n = elem.length;
    if (batch.some((b) => (b as unknown[]).length !== n)) throw new TypeError("default_collate: each element in list of batch should be of equal size");
    return Array.from({ length: n }, (_, j) => defaultCollate(batch.map((b) => (b as unknown[])[j])));
  }
  if (isPlain(elem)) {
    kindMismatch("an object");
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(elem)) {
      out[key] = defaultCollate(batch.map((d, i) => {
        if (!Object.hasOwn(d as object, key)) throw new TypeError(`default_collate: sample ${i} has no key ${JSON.stringify(key)}`);
        return (d as Record<string, unknown>)[key];
      }));
    }
    return out;
  }
  throw new TypeError(`${ERR}; found ${describe(elem)}`);
}

function sameKind(a: unknown, b: unknown): boolean {
  if (a instanceof Tensor) return b instanceof Tensor;
  if (isTyped(a)) return isTyped(b) && a.constructor === b.constructor;
  if (typeof a === "number" || typeof a === "bigint") return typeof b === "number" || typeof b === "bigint";
  if (a instanceof Map) return b instanceof Map;
  if (Array.isArray(a)) return Array.isArray(b);
  if (isPlain(a)) return isPlain(b);
  return typeof a === typeof b;
}

/**
 * Python: `torch.utils.data.default_convert(data)`: the collate function without batching
 * (batchSize null): typed arrays become tensors, containers are converted element by element.
 */
export function defaultConvert(data: unknown): any {
  if (data instanceof Tensor) return data;
  if (isTyped(data)) return tensor(data);
  if (data instanceof Map) return new Map([...data].map(([k, v]) => [k, defaultConvert(v)]));
  if (Array.isArray(data)) return data.map(defaultConvert);
  if (isPlain(data)) return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, defaultConvert(v)]));
  return data;
}
