// The image pipeline's dataset protocol (what lib/vision's datasets implement) and the registry
// that lets a DataLoader worker thread rebuild a dataset from its spec. lib/vision registers its
// kinds here, so lib/data never imports lib/vision.
import type { Rng } from "./rng.js";

/** A decoded image: `height * width * channels` bytes, row-major, channels interleaved. */
export interface PixelImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
}

/** A float image after ToTensor: CHW float32. */
export interface ChwSample {
  readonly data: Float32Array;
  readonly shape: [channels: number, height: number, width: number];
}

export type PipelineSample = PixelImage | ChwSample;

/** How a worker thread rebuilds a dataset. */
export interface DatasetSpec {
  readonly kind: string;
  readonly args: unknown[];
}

/**
 * A map-style dataset of the image pipeline: items are `[sample, label]` built with the given
 * per-sample generator (augmentations), possibly async (decoding); null skips a bad image.
 */
export interface PipelineDataset<T = PipelineSample> {
  readonly length: number;
  getItem(index: number, rng: Rng): Promise<[T, number] | null> | [T, number] | null;
  /** How a worker thread rebuilds this dataset; undefined when it cannot. */
  readonly spec?: DatasetSpec;
}

type Builder = (args: unknown[]) => PipelineDataset<unknown>;
const builders = new Map<string, { module: string; build: Builder }>();

/**
 * Registers how to rebuild datasets of `kind`; `module` (the registering module's
 * import.meta.url) is imported first by each worker thread so the kind is known there too.
 */
export function registerDatasetKind(kind: string, module: string, build: Builder): void {
  builders.set(kind, { module, build });
}

/** The modules a worker imports before rebuilding datasets. */
export function datasetModules(): string[] {
  return [...new Set([...builders.values()].map((b) => b.module))];
}

/** Rebuilds a dataset from its spec (in a DataLoader worker). */
export function buildFromSpec(spec: DatasetSpec): PipelineDataset<unknown> {
  const b = builders.get(spec.kind);
  if (b === undefined) throw new TypeError(`datasets: "${spec.kind}" cannot be rebuilt in a worker thread; use numWorkers: 0`);
  return b.build(spec.args);
}

/** A dataset's worker spec, if it has one (user datasets have none). */
export function specOf(dataset: unknown): DatasetSpec | undefined {
  return (dataset as { spec?: DatasetSpec } | null)?.spec ?? undefined;
}
