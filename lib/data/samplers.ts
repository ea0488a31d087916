// torch.utils.data's samplers (Python: torch/utils/data/sampler.py): index orders drawn exactly as
// Python draws them, from an explicit torch.Generator or from the global generator.
import { checkGenerator, checkWeights, Generator } from "../generator.js";
import { Tensor } from "../tensor/index.js";
import { bindArgs, type PyArgs } from "../tensor/python_args.js";
import { argError, checkBool, describe, isInt } from "../validate.js";
import { drawInt64, drawMultinomial, drawRandint, drawRandperm } from "./draws.js";

/** Python: `torch.utils.data.Sampler`: an iterable of indices (or of index lists) with a length. */
export abstract class Sampler<T = number> implements Iterable<T> {
  abstract [Symbol.iterator](): Iterator<T>;
  /** Python: `len(sampler)`. */
  abstract readonly length: number;
}

/** Anything with a length: a dataset, an array. */
interface Sized {
  readonly length: number;
}

function checkSized(fn: string, value: unknown): Sized {
  const n = (value as Sized | null)?.length;
  if (value === null || typeof value !== "object" || !Number.isSafeInteger(n) || n! < 0) throw argError(fn, "dataSource", "a dataset (or array) with a length", value);
  return value as Sized;
}

function checkPositive(fn: string, arg: string, value: unknown): number {
  if (!isInt(value) || value <= 0) throw argError(fn, arg, "a positive integer", value);
  return value;
}

/** Python: `SequentialSampler(data_source)`: 0, 1, …, len - 1. */
export class SequentialSampler extends Sampler<number> {
  readonly dataSource: Sized;

  constructor(dataSource: Sized) {
    super();
    this.dataSource = checkSized("SequentialSampler", dataSource);
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length;
    for (let i = 0; i < n; i++) yield i;
  }

  get length(): number {
    return this.dataSource.length;
  }
}

type RandomSamplerArgs = PyArgs<[replacement: boolean, numSamples: number | null, generator: Generator | null], { replacement: boolean; numSamples: number | null; generator: Generator | null }>;

/**
 * Python: `RandomSampler(data_source, replacement=False, num_samples=None, generator=None)`.
 * Without a generator each iteration seeds a fresh one from the global generator (one int64
 * draw), as Python does.
 */
export class RandomSampler extends Sampler<number> {
  readonly dataSource: Sized;
  readonly replacement: boolean;
  readonly generator: Generator | undefined;
  readonly #numSamples: number | null;

  constructor(dataSource: Sized, ...args: RandomSamplerArgs) {
    super();
    const fn = "RandomSampler";
    const o = bindArgs(fn, ["replacement", "numSamples", "generator"], args, 0, ["dataSource"]);
    this.dataSource = checkSized(fn, dataSource);
    this.replacement = o.replacement === undefined ? false : checkBool(fn, "replacement", o.replacement);
    this.#numSamples = o.numSamples === undefined || o.numSamples === null ? null : checkPositive(fn, "numSamples", o.numSamples);
    this.generator = checkGenerator(fn, o.generator);
    if (this.numSamples <= 0) throw argError(fn, "numSamples", "a positive integer (the dataset is empty)", this.numSamples);
  }

  /** Python: `num_samples` (the dataset's length unless given). */
  get numSamples(): number {
    return this.#numSamples ?? this.dataSource.length;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length;
    const g = this.generator ?? new Generator().manualSeed(drawInt64());
    const m = this.numSamples;
    if (this.replacement) {
      for (let k = 0; k < Math.floor(m / 32); k++) yield* drawRandint(n, 32, g);
      yield* drawRandint(n, m % 32, g);
    } else {
      for (let k = 0; k < Math.floor(m / n); k++) yield* drawRandperm(n, g);
      yield* drawRandperm(n, g).slice(0, m % n);
    }
  }

  get length(): number {
    return this.numSamples;
  }
}

/** Python: `SubsetRandomSampler(indices, generator=None)`: the indices in a random order. */
export class SubsetRandomSampler extends Sampler<number> {
  readonly indices: readonly number[];
  readonly generator: Generator | undefined;

  constructor(indices: readonly number[], ...args: PyArgs<[generator: Generator | null], { generator: Generator | null }>) {
    super();
    const fn = "SubsetRandomSampler";
    const o = bindArgs(fn, ["generator"], args, 0, ["indices"]);
    if (!Array.isArray(indices) || !indices.every((i) => isInt(i))) throw argError(fn, "indices", "an array of integer indices", indices);
    this.indices = indices;
    this.generator = checkGenerator(fn, o.generator);
  }

  *[Symbol.iterator](): Iterator<number> {
    // Without a generator Python's randperm draws from the global one directly.
    for (const i of drawRandperm(this.indices.length, this.generator)) yield this.indices[i]!;
  }

  get length(): number {
    return this.indices.length;
  }
}

type WeightedArgs = PyArgs<[replacement: boolean, generator: Generator | null], { replacement: boolean; generator: Generator | null }>;

/**
 * Python: `WeightedRandomSampler(weights, num_samples, replacement=True, generator=None)`:
 * indices drawn with the given (unnormalised) probabilities, by torch.multinomial on float64.
 */
export class WeightedRandomSampler extends Sampler<number> {
  readonly weights: Float64Array;
  readonly numSamples: number;
  readonly replacement: boolean;
  readonly generator: Generator | undefined;

  constructor(weights: ArrayLike<number> | Tensor, numSamples: number, ...args: WeightedArgs) {
    super();
    const fn = "WeightedRandomSampler";
    const o = bindArgs(fn, ["replacement", "generator"], args, 0, ["weights", "numSamples"]);
    this.numSamples = checkPositive(fn, "numSamples", numSamples);
    this.replacement = o.replacement === undefined ? true : checkBool(fn, "replacement", o.replacement);
    this.weights = weightsOf(fn, weights);
    this.generator = checkGenerator(fn, o.generator);
    checkWeights(fn, this.weights, this.numSamples, this.replacement);
  }

  *[Symbol.iterator](): Iterator<number> {
    yield* drawMultinomial(this.weights, this.numSamples, this.replacement, this.generator);
  }

  get length(): number {
    return this.numSamples;
  }
}

function weightsOf(fn: string, weights: unknown): Float64Array {
  if (weights instanceof Tensor) {
    if (weights.ndim !== 1) throw new TypeError(`${fn}: weights should be a 1d sequence but given weights have shape [${weights.shape.join(", ")}]`);
    return Float64Array.from(weights.double().toTypedArray() as Float64Array);
  }
  const ok = (Array.isArray(weights) || (ArrayBuffer.isView(weights) && !(weights instanceof DataView) && !(weights instanceof BigInt64Array) && !(weights instanceof BigUint64Array))) &&
    Array.prototype.every.call(weights, (w: unknown) => typeof w === "number");
  if (!ok) throw argError(fn, "weights", "a 1d sequence of numbers (an array, a typed array or a 1-d Tensor)", weights);
  return Float64Array.from(weights as ArrayLike<number>);
}

/**
 * Python: `BatchSampler(sampler, batch_size, drop_last)`: lists of `batchSize` indices from
 * `sampler` (any iterable of indices), the last one shorter unless dropped.
 */
export class BatchSampler extends Sampler<number[]> {
  readonly sampler: Iterable<number> & { readonly length?: number };
  readonly batchSize: number;
  readonly dropLast: boolean;

  constructor(sampler: Iterable<number>, ...args: PyArgs<[batchSize: number, dropLast: boolean], { batchSize: number; dropLast: boolean }>) {
    super();
    const fn = "BatchSampler";
    const o = bindArgs(fn, ["batchSize", "dropLast"], args, 2, ["sampler"]);
    if (sampler === null || typeof sampler !== "object" || typeof (sampler as Iterable<number>)[Symbol.iterator] !== "function") {
      throw argError(fn, "sampler", "a Sampler or an iterable of indices", sampler);
    }
    this.sampler = sampler;
    this.batchSize = checkPositive(fn, "batchSize", o.batchSize);
    this.dropLast = checkBool(fn, "dropLast", o.dropLast);
  }

  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }

  get length(): number {
    const n = this.sampler.length;
    if (!Number.isSafeInteger(n)) throw new TypeError(`BatchSampler: its sampler ${describe(this.sampler)} has no length`);
    return this.dropLast ? Math.floor(n! / this.batchSize) : Math.ceil(n! / this.batchSize);
  }
}
