// torch.utils.data.Subset: a view of some indices of a dataset (train.ts --limit).
import type { Dataset, DatasetSpec } from "../vision/datasets.js";
import type { Rng } from "../vision/transforms.js";
import { argError } from "../validate.js";

export class Subset<T> implements Dataset<T> {
  readonly spec?: DatasetSpec;

  constructor(readonly dataset: Dataset<T>, readonly indices: number[]) {
    if (dataset === null || typeof dataset !== "object" || typeof dataset.getItem !== "function" || !Number.isSafeInteger(dataset.length)) {
      throw argError("Subset", "dataset", "a dataset with length and getItem()", dataset);
    }
    if (!Array.isArray(indices)) throw argError("Subset", "indices", "an array of sample indices", indices);
    for (const i of indices) {
      if (!Number.isSafeInteger(i) || i < 0 || i >= dataset.length) throw new RangeError(`Subset: index ${i} out of range [0, ${dataset.length})`);
    }
    this.spec = dataset.spec === undefined ? undefined : { kind: "Subset", args: [dataset.spec, indices] };
  }

  get length(): number {
    return this.indices.length;
  }

  getItem(index: number, rng: Rng) {
    return this.dataset.getItem(this.indices[index]!, rng);
  }
}
