// torch.utils.data's datasets: the Dataset and IterableDataset base classes user datasets
// extend, TensorDataset, ConcatDataset and ChainDataset (Python: torch/utils/data/dataset.py).
import { Tensor } from "../tensor/index.js";
import { argError } from "../validate.js";
import { buildFromSpec, registerDatasetKind, specOf, type DatasetSpec, type PipelineDataset } from "./pipeline.js";
import type { Rng } from "./rng.js";

/**
 * Python: `torch.utils.data.Dataset`: a map-style dataset. Subclasses define `length` (Python's
 * `__len__`) and `getItem(index)` (Python's `__getitem__`; may return a Promise).
 */
export abstract class Dataset<T = unknown> {
  abstract readonly length: number;
  abstract getItem(index: number): T | Promise<T>;

  /** Python: `dataset + other` → `ConcatDataset([dataset, other])`. */
  concat<U>(other: Dataset<U> | PipelineDataset<U>): ConcatDataset<T | U> {
    return new ConcatDataset<T | U>([this, other as Dataset<U>]);
  }
}

/**
 * What Subset, ConcatDataset, randomSplit and the DataLoader take as a map-style dataset: a
 * Dataset subclass or an image-pipeline dataset ({length, getItem(i, rng)}); `I` is what
 * getItem returns.
 */
export interface MapDataset<I = unknown> {
  readonly length: number;
  getItem(index: number, rng: Rng): I;
}

/** An iterator source: a sync or async generator, or anything iterable. */
type AnyIterator<T> = Iterator<T> | AsyncIterator<T>;

/**
 * Python: `torch.utils.data.IterableDataset`: a stream of samples. Subclasses define
 * `[Symbol.iterator]()` or `[Symbol.asyncIterator]()` (Python's `__iter__`), e.g. as a
 * `*[Symbol.iterator]() { yield ... }` generator.
 */
export abstract class IterableDataset<T = unknown> {
  /** Python: `dataset + other` → `ChainDataset([dataset, other])`. */
  chain<U>(other: IterableDataset<U>): ChainDataset<T | U> {
    return new ChainDataset<T | U>([this, other as IterableDataset<T | U>]);
  }
}

/** A fresh iterator of an IterableDataset, sync or async; a clear error when it defines neither. */
export function iterateDataset<T>(dataset: IterableDataset<T>, fn: string): AnyIterator<T> {
  const d = dataset as unknown as { [Symbol.asyncIterator]?: () => AsyncIterator<T>; [Symbol.iterator]?: () => Iterator<T> };
  if (typeof d[Symbol.asyncIterator] === "function") return d[Symbol.asyncIterator]!();
  if (typeof d[Symbol.iterator] === "function") return d[Symbol.iterator]!();
  throw new TypeError(`${fn}: the IterableDataset ${dataset.constructor.name} defines neither [Symbol.iterator]() nor [Symbol.asyncIterator]() (Python's __iter__)`);
}

/** A map-style dataset's shape check: what DataLoader, Subset and ConcatDataset accept. */
export function isMapDataset(value: unknown): value is Dataset<unknown> | PipelineDataset<unknown> {
  if (value === null || typeof value !== "object") return false;
  const d = value as { getItem?: unknown; length?: unknown };
  return typeof d.getItem === "function" && Number.isSafeInteger(d.length) && (d.length as number) >= 0;
}

/** Python: `torch.utils.data.TensorDataset(*tensors)`: sample i is every tensor's row i. */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    tensors.forEach((t, k) => {
      if (!(t instanceof Tensor)) throw argError("TensorDataset", `tensors[${k}]`, "a Tensor", t);
      if (t.ndim === 0) throw new TypeError(`TensorDataset: tensors[${k}] is a zero-dimensional tensor; each tensor needs a first dimension to index`);
    });
    const n = tensors[0]?.shape[0];
    if (tensors.some((t) => t.shape[0] !== n)) {
      throw new TypeError(`TensorDataset: Size mismatch between tensors (first dimensions ${tensors.map((t) => t.shape[0]).join(", ")})`);
    }
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0]?.shape[0] ?? 0;
  }

  /** New views of row `index` of each tensor (negative indices count from the end). */
  getItem(index: number): Tensor[] {
    checkIndex("TensorDataset", index, this.length);
    return this.tensors.map((t) => t.select(0, index));
  }
}

function checkIndex(fn: string, index: unknown, length: number): asserts index is number {
  if (!Number.isSafeInteger(index)) throw argError(`${fn}.getItem`, "index", "an integer", index);
  if ((index as number) >= length || (index as number) < -length) throw new RangeError(`${fn}: index ${index} out of range for a dataset of length ${length}`);
}

/** Python: `torch.utils.data.ConcatDataset(datasets)`: the datasets one after another. */
export class ConcatDataset<T = unknown> extends Dataset<T> {
  readonly datasets: (Dataset<T> | PipelineDataset<unknown>)[];
  /** Python: `cumulative_sizes`. */
  readonly cumulativeSizes: number[];
  /** How a worker thread rebuilds it: when every part has a spec (image pipeline). */
  readonly spec?: DatasetSpec;

  constructor(datasets: Iterable<Dataset<T> | PipelineDataset<unknown>>) {
    super();
    if (datasets === null || typeof datasets !== "object" || typeof (datasets as Iterable<unknown>)[Symbol.iterator] !== "function") {
      throw argError("ConcatDataset", "datasets", "an array of datasets", datasets);
    }
    this.datasets = [...datasets];
    if (this.datasets.length === 0) throw new TypeError("ConcatDataset: datasets should not be an empty iterable");
    this.datasets.forEach((d, k) => {
      if (d instanceof IterableDataset) throw new TypeError(`ConcatDataset: datasets[${k}] is an IterableDataset; ConcatDataset does not support IterableDataset (use ChainDataset)`);
      if (!isMapDataset(d)) throw argError("ConcatDataset", `datasets[${k}]`, "a dataset with length and getItem()", d);
    });
    let total = 0;
    this.cumulativeSizes = this.datasets.map((d) => (total += d.length));
    const specs = this.datasets.map(specOf);
    if (specs.every((s) => s !== undefined)) this.spec = { kind: "ConcatDataset", args: specs };
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1]!;
  }

  getItem(index: number, rng?: Rng): T | Promise<T> {
    if (!Number.isSafeInteger(index)) throw argError("ConcatDataset.getItem", "index", "an integer", index);
    if (index < 0) {
      if (-index > this.length) throw new RangeError(`ConcatDataset: absolute value of index ${index} should not exceed dataset length ${this.length}`);
      index += this.length;
    }
    // bisect_right: the first dataset whose cumulative size exceeds the index.
    let k = 0;
    while (k < this.cumulativeSizes.length && this.cumulativeSizes[k]! <= index) k++;
    if (k === this.cumulativeSizes.length) throw new RangeError(`ConcatDataset: index ${index} out of range for a dataset of length ${this.length}`);
    const local = k === 0 ? index : index - this.cumulativeSizes[k - 1]!;
    return (this.datasets[k] as PipelineDataset<unknown>).getItem(local, rng as Rng) as T | Promise<T>;
  }
}

/** Python: `torch.utils.data.ChainDataset(datasets)`: iterable datasets one after another. */
export class ChainDataset<T = unknown> extends IterableDataset<T> {
  readonly datasets: IterableDataset<T>[];

  constructor(datasets: Iterable<IterableDataset<T>>) {
    super();
    if (datasets === null || typeof datasets !== "object" || typeof (datasets as Iterable<unknown>)[Symbol.iterator] !== "function") {
      throw argError("ChainDataset", "datasets", "an array of IterableDatasets", datasets);
    }
    this.datasets = [...datasets];
    this.datasets.forEach((d, k) => {
      if (!(d instanceof IterableDataset)) throw argError("ChainDataset", `datasets[${k}]`, "an IterableDataset", d);
    });
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (const d of this.datasets) {
      const it = iterateDataset(d, "ChainDataset");
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        yield r.value;
      }
    }
  }
}

// A worker rebuilds each part through the registry, then the concatenation.
registerDatasetKind("ConcatDataset", import.meta.url, (specs) => new ConcatDataset(specs.map((s) => buildFromSpec(s as DatasetSpec))) as unknown as PipelineDataset<unknown>);
