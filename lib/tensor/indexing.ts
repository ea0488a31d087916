// Python's indexing: `x.index(...)` is `x[...]`, `x.indexPut_([...], value)` is `x[...] = value`.
// The elements are written as Python writes them: integers, `null` (None), `"..."` (Ellipsis),
// slices as strings (":", "1:", "::2", "-3:", "1:5:2"), booleans, and integer or bool tensors
// or (nested) arrays of them (advanced indexing). libtorch's own indexing code does the rest
// (native/indexing.cc), so views, broadcasting and autograd are Python's.
import { native } from "../binding.js";
import { tensor } from "./creation.js";
import { handleOf, Tensor, wrap } from "./tensor.js";
import { argError, checkInt64 } from "../validate.js";
import { scratch } from "./scratch.js";

/** One element of an index: what may stand between the commas of Python's `x[…]`. */
export type IndexElement = number | bigint | boolean | null | string | Tensor | IndexArray;
type IndexArray = readonly (number | bigint | boolean | IndexArray)[];

const KIND = { none: 0, ellipsis: 1, int: 2, bool: 3, slice: 4, tensor: 5 } as const;
const SLICE = /^\s*([+-]?\d+)?\s*:\s*([+-]?\d+)?\s*(?::\s*([+-]?\d+)?\s*)?$/;

interface Parsed { kinds: Int32Array; values: unknown[]; made: Tensor[] }

/** Parsed slice strings: a loop indexes with the same few strings, and the regex is the cost. */
const slices = new Map<string, (number | null)[] | null>();
function sliceOf(s: string): (number | null)[] | null {
  let v = slices.get(s);
  if (v === undefined) {
    const m = SLICE.exec(s);
    v = m === null ? null : [m[1], m[2], m[3]].map((x) => (x === undefined ? null : Number(x)));
    if (slices.size < 1024) slices.set(s, v);
  }
  return v;
}

/**
 * The common index, of integers, slices, null, "..." and booleans (x[0, 1:3], x[:, None]),
 * written into the scratch buffer as native/indexing.cc FromScratch reads it: four doubles
 * per element, [kind, a, b, c], NaN for an omitted slice bound. Returns the element count, or
 * -1 for any other index (a tensor, an array, a bigint, a value that is wrong): parse() takes
 * those, and names what is wrong. No array or typed array is made per call, and native reads
 * no JS value per element.
 */
function toScratch(elements: readonly unknown[]): number {
  const n = elements.length;
  if (n === 0 || n * 4 > scratch.length) return -1;
  for (let i = 0, at = 0; i < n; i++, at += 4) {
    const e = elements[i];
    if (e === null || e === undefined) {
      scratch[at] = KIND.none;
    } else if (typeof e === "number") {
      if (!Number.isSafeInteger(e)) return -1;
      scratch[at] = KIND.int;
      scratch[at + 1] = e;
    } else if (typeof e === "boolean") {
      scratch[at] = KIND.bool;
      scratch[at + 1] = e ? 1 : 0;
    } else if (typeof e === "string") {
      if (e === "...") {
        scratch[at] = KIND.ellipsis;
        continue;
      }
      const slice = sliceOf(e);
      if (slice === null) return -1;
      const [start, stop, step] = slice as [number | null, number | null, number | null];
      // A bound beyond 2^53 keeps the array path, whose integer check refuses it as before.
      if ((start !== null && !Number.isSafeInteger(start)) || (stop !== null && !Number.isSafeInteger(stop)) || (step !== null && !Number.isSafeInteger(step))) return -1;
      scratch[at] = KIND.slice;
      scratch[at + 1] = start ?? NaN;
      scratch[at + 2] = stop ?? NaN;
      scratch[at + 3] = step ?? NaN;
    } else {
      return -1;
    }
  }
  return n;
}

function parse(fn: string, elements: readonly unknown[]): Parsed {
  const kinds = new Int32Array(elements.length);
  const values: unknown[] = new Array(elements.length);
  const made: Tensor[] = [];
  try {
    elements.forEach((e, i) => {
      const at = `index element ${i}`;
      if (e === null || e === undefined) {
        kinds[i] = KIND.none;
      } else if (typeof e === "number") {
        if (!Number.isSafeInteger(e)) throw argError(fn, at, "an integer, a slice string, null, \"...\", a boolean or an integer/bool tensor (only integers index)", e);
        kinds[i] = KIND.int;
        values[i] = e;
      } else if (typeof e === "bigint") {
        kinds[i] = KIND.int;
        values[i] = checkInt64(fn, at, e);
      } else if (typeof e === "boolean") {
        kinds[i] = KIND.bool;
        values[i] = e;
      } else if (typeof e === "string") {
        if (e === "...") {
          kinds[i] = KIND.ellipsis;
          return;
        }
        const slice = sliceOf(e);
        if (slice === null) throw argError(fn, at, 'a slice written as Python writes it ("1:3", "::2", "-3:", ":") or "..."', e);
        kinds[i] = KIND.slice;
        values[i] = slice; // shared between calls: native only reads it
      } else if (e instanceof Tensor) {
        kinds[i] = KIND.tensor;
        values[i] = handleOf(e);
      } else if (Array.isArray(e)) {
        // A list index is advanced indexing with the tensor it makes, as in Python (x[[0, 2]]).
        const leaves = (e as unknown[]).flat(Infinity);
        const bool = leaves.length > 0 && leaves.every((v) => typeof v === "boolean");
        if (!bool && !leaves.every((v) => (typeof v === "number" && Number.isSafeInteger(v)) || typeof v === "bigint")) {
          throw argError(fn, at, "an array of integers or of booleans", e);
        }
        const t = tensor(e as never, { dtype: bool ? "bool" : "int64" });
        made.push(t);
        kinds[i] = KIND.tensor;
        values[i] = handleOf(t);
      } else {
        throw argError(fn, at, 'an integer, a slice string, null, "...", a boolean, or an integer/bool tensor or array', e);
      }
    });
  } catch (err) {
    for (const t of made) t.dispose();
    throw err;
  }
  return { kinds, values, made };
}

declare module "./tensor.js" {
  interface Tensor {
    /**
     * Python: `x[e0, e1, …]`. `x.index(":", "1:3", null, "...", idx)` is `x[:, 1:3, None, ..., idx]`.
     * Views where Python gives views (basic indexing); advanced indexing copies.
     */
    index(...elements: IndexElement[]): Tensor;
    /** Python: `x[e0, e1, …] = value`, in place (value broadcast as in Python); returns x. */
    indexPut_(elements: readonly IndexElement[], value: Tensor | number | bigint | boolean): Tensor;
  }
}

function index(this: Tensor, ...elements: unknown[]): Tensor {
  const count = toScratch(elements);
  if (count >= 0) return wrap(native.indexGetScratch(handleOf(this), count));
  const p = parse("Tensor.index", elements);
  try {
    return wrap(native.indexGet(handleOf(this), p.kinds, p.values));
  } finally {
    for (const t of p.made) t.dispose();
  }
}

function indexPut_(this: Tensor, elements: unknown, value: unknown): Tensor {
  if (!Array.isArray(elements)) throw argError("Tensor.indexPut_", "elements", "an array of index elements (x[a, b] = v is x.indexPut_([a, b], v))", elements);
  const isTensor = value instanceof Tensor;
  if (!isTensor && typeof value !== "number" && typeof value !== "boolean" && typeof value !== "bigint") {
    throw argError("Tensor.indexPut_", "value", "a Tensor or a number", value);
  }
  if (typeof value === "bigint") checkInt64("Tensor.indexPut_", "value", value);
  // A copy first: reading the caller's array could run its code (a Proxy, a getter), which
  // could use the scratch buffer between the elements written there.
  const count = toScratch(Array.prototype.slice.call(elements));
  if (count >= 0) {
    native.indexPutScratch(handleOf(this), count, isTensor ? handleOf(value as Tensor) : value, isTensor);
    return this;
  }
  const p = parse("Tensor.indexPut_", elements);
  try {
    native.indexPut(handleOf(this), p.kinds, p.values, isTensor ? handleOf(value as Tensor) : value, isTensor);
  } finally {
    for (const t of p.made) t.dispose();
  }
  return this;
}

for (const [name, f] of [["index", index], ["indexPut_", indexPut_]] as const) {
  Object.defineProperty(Tensor.prototype, name, { value: f, writable: true, configurable: true, enumerable: false });
}
