// torch.utils.data.Subset: a view of some indices of a dataset (train.ts --limit).
import type { Dataset, DatasetSpec } from "../vision/datasets.js";
import type { Rng } from "../vision/transforms.js";

export class Subset<T> implements Dataset<T> {
  readonly spec?: DatasetSpec;

  constructor(readonly dataset: Dataset<T>, readonly indices: number[]) {
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
