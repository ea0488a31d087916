// Python's indexing: `x.index(...)` is `x[...]`, `x.indexPut_([...], value)` is `x[...] = value`.
// The elements are written as Python writes them: integers, `null` (None), `"..."` (Ellipsis),
// slices as strings (":", "1:", "::2", "-3:", "1:5:2"), booleans, and integer or bool tensors
// or (nested) arrays of them (advanced indexing). libtorch's own indexing code does the rest
// (native/indexing.cc), so views, broadcasting and autograd are Python's.
import { native } from "../binding.js";
import { tensor } from "../creation.js";
import { handleOf, Tensor, wrap } from "../tensor.js";
import { argError, checkInt64 } from "../validate.js";

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

declare module "../tensor.js" {
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
