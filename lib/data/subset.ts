// torch.utils.data.Subset: a view of some indices of a dataset (train.ts --limit, randomSplit).
import { argError } from "../validate.js";
import { Dataset, isMapDataset, type MapDataset } from "./dataset.js";
import { buildFromSpec, registerDatasetKind, specOf, type DatasetSpec, type PipelineDataset } from "./pipeline.js";
import type { Rng } from "./rng.js";

/**
 * Python: `torch.utils.data.Subset(dataset, indices)`. Over an image-pipeline dataset it is one
 * too (items built with the per-sample generator, rebuilt in workers from its spec).
 */
export class Subset<I> extends Dataset<I> {
  readonly spec?: DatasetSpec;

  constructor(readonly dataset: MapDataset<I>, readonly indices: number[]) {
    super();
    if (!isMapDataset(dataset)) throw argError("Subset", "dataset", "a dataset with length and getItem()", dataset);
    if (!Array.isArray(indices)) throw argError("Subset", "indices", "an array of sample indices", indices);
    for (const i of indices) {
      if (!Number.isSafeInteger(i) || i < 0 || i >= dataset.length) throw new RangeError(`Subset: index ${i} out of range [0, ${dataset.length})`);
    }
    const spec = specOf(dataset);
    this.spec = spec === undefined ? undefined : { kind: "Subset", args: [spec, indices] };
  }

  get length(): number {
    return this.indices.length;
  }

  getItem(index: number, rng?: Rng): I {
    const i = this.indices[index < 0 ? index + this.indices.length : index];
    if (!Number.isSafeInteger(index) || i === undefined) throw new RangeError(`Subset: index ${index} out of range for a subset of length ${this.indices.length}`);
    return this.dataset.getItem(i, rng as Rng);
  }
}

registerDatasetKind("Subset", import.meta.url, ([spec, indices]) => new Subset(buildFromSpec(spec as DatasetSpec), indices as number[]) as unknown as PipelineDataset<unknown>);
