// torch.utils.data.random_split: non-overlapping random Subsets, split as Python splits.
import { checkGenerator, type Generator } from "../generator.js";
import { bindArgs, type PyArgs } from "../tensor/python_args.js";
import { argError } from "../validate.js";
import { isMapDataset, type MapDataset } from "./dataset.js";
import { drawRandperm } from "./draws.js";
import { Subset } from "./subset.js";

/** Python's math.isclose(a, b) with its default rel_tol 1e-9. */
const isClose = (a: number, b: number) => a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));

/**
 * Python: `torch.utils.data.random_split(dataset, lengths, generator=default_generator)`.
 * `lengths` are sizes, or fractions summing to 1 (floor of each, the remainder handed out
 * one by one from the first split). The permutation is `randperm(len(dataset), generator)`:
 * from the global generator unless one is given.
 */
export function randomSplit<I>(dataset: MapDataset<I>, lengths: readonly number[], ...args: PyArgs<[generator: Generator | null], { generator: Generator | null }>): Subset<I>[] {
  const fn = "randomSplit";
  const o = bindArgs(fn, ["generator"], args, 0, ["dataset", "lengths"]);
  if (!isMapDataset(dataset)) throw argError(fn, "dataset", "a dataset with length and getItem()", dataset);
  if (!Array.isArray(lengths) || lengths.length === 0 || !lengths.every((l) => typeof l === "number" && Number.isFinite(l))) {
    throw argError(fn, "lengths", "a non-empty array of lengths or of fractions summing to 1", lengths);
  }
  const generator = checkGenerator(fn, o.generator);
  const n = dataset.length;
  let sizes = [...lengths];
  const total = sizes.reduce((a, b) => a + b, 0);
  if (isClose(total, 1) && total <= 1) {
    sizes = sizes.map((frac, i) => {
      if (frac < 0 || frac > 1) throw new RangeError(`${fn}: Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(n * frac);
    });
    const remainder = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length]! += 1;
    sizes.forEach((s, i) => {
      if (s === 0) process.emitWarning(`Length of split at index ${i} is 0. This might result in an empty dataset.`);
    });
  }
  sizes.forEach((s, i) => {
    if (!Number.isSafeInteger(s) || s < 0) throw argError(fn, `lengths[${i}]`, "a non-negative integer (or a fraction, with fractions summing to 1)", lengths[i]);
  });
  if (sizes.reduce((a, b) => a + b, 0) !== n) {
    throw new RangeError(`${fn}: Sum of input lengths (${sizes.join(" + ")}) does not equal the length of the input dataset (${n})`);
  }
  const indices = drawRandperm(n, generator);
  let offset = 0;
  return sizes.map((s) => new Subset<I>(dataset, indices.slice(offset, (offset += s))));
}
