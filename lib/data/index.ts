// torch.utils.data for torch-ts: `import { data } from "torch-ts"`.
import { Dataset as DatasetBase } from "./dataset.js";
import type { MapDataset } from "./dataset.js";

export { DataLoader, type AnyDataset, type DataLoaderOptions } from "./dataloader.js";
/** Python: `torch.utils.data.Dataset`: extend it (`class MyData extends data.Dataset<T>`). */
export const Dataset = DatasetBase;
/**
 * As a type: any map-style dataset, a Dataset subclass or an image-pipeline dataset
 * (lib/vision's, or {length, getItem(i, rng)}); `I` is what getItem returns.
 */
export type Dataset<I = any> = MapDataset<I>;
export type { MapDataset } from "./dataset.js";
export { IterableDataset, TensorDataset, ConcatDataset, ChainDataset } from "./dataset.js";
export type { DatasetSpec, PipelineDataset, PipelineSample, ChwSample, PixelImage } from "./pipeline.js";
export { registerDatasetKind } from "./pipeline.js";
export { Subset } from "./subset.js";
export { randomSplit } from "./random_split.js";
export { Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler } from "./samplers.js";
export { defaultCollate, defaultConvert } from "./collate.js";
export { Generator } from "../generator.js";
export { DistributedSampler } from "./distributed_sampler.js";
