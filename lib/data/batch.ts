// Loading one batch of samples into flat arrays: shared by the main thread and the worker
// threads, so a batch is the same whoever loads it.
import type { Dataset } from "../vision/datasets.js";
import type { Chw } from "../vision/image.js";
import { mulberry32, type Sample } from "../vision/transforms.js";

/** A collated batch before it becomes tensors: [n, ...shape] float32 samples and int labels. */
export interface RawBatch {
  data: Float32Array;
  shape: number[];
  labels: Int32Array;
  /** Samples in the batch (fewer than requested when bad images were skipped). */
  count: number;
}

/** The generator of one sample's augmentations: depends on (seed, epoch, index) only. */
export function sampleRng(seed: number, epoch: number, index: number) {
  let h = (seed ^ Math.imul(epoch + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return mulberry32(h ^ (h >>> 16));
}

function isChw(s: Sample): s is Chw {
  return (s as Chw).shape !== undefined;
}

export async function loadBatch(dataset: Dataset, indices: number[], seed: number, epoch: number): Promise<RawBatch> {
  const items: [Chw, number][] = [];
  for (const i of indices) {
    const r = dataset.getItem(i, sampleRng(seed, epoch, i));
    const item = r instanceof Promise ? await r : r;
    if (item === null) continue;
    const [sample, label] = item;
    if (!isChw(sample)) throw new TypeError("DataLoader: samples must be tensors to be batched; end the transform with transforms.ToTensor()");
    items.push([sample, label]);
  }
  const shape = items[0]?.[0].shape ?? [0];
  const per = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(items.length * per);
  const labels = new Int32Array(items.length);
  items.forEach(([s, y], k) => {
    if (s.shape.length !== shape.length || s.shape.some((d, j) => d !== shape[j])) {
      throw new TypeError(`DataLoader: cannot batch samples of shapes [${shape.join(", ")}] and [${s.shape.join(", ")}]; resize or crop them to one size`);
    }
    data.set(s.data, k * per);
    labels[k] = y;
  });
  return { data, shape: [...shape], labels, count: items.length };
}
