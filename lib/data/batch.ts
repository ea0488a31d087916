// Loading one batch of samples into flat arrays: shared by the main thread and the worker
// threads, so a batch is the same whoever loads it.
import { describe } from "../validate.js";
import type { ChwSample as Chw, PipelineDataset as Dataset, PipelineSample as Sample } from "./pipeline.js";
import { mulberry32 } from "./rng.js";

/**
 * A collated batch before it becomes tensors: [n, ...shape] float32 samples and the labels as
 * PyTorch's default_collate makes them from Python numbers: int64 when every label is an
 * integer (a class index), float64 when one is fractional (Python floats; a JS number cannot
 * say whether 2 was meant as 2.0).
 */
export interface RawBatch {
  data: Float32Array;
  shape: number[];
  labels: BigInt64Array | Float64Array;
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

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const LABEL_KINDS = "an integer (a class index, batched as int64) or a finite number (batched as float64, as PyTorch's default_collate does for floats)";

/** A sample's error names its dataset index: the sample to look at in the dataset. */
const sampleError = (index: number, what: string) => new TypeError(`DataLoader: sample ${index}: ${what}`);

/** What a dataset may return as a sample: transforms.ToTensor()'s {data, shape}, or a decoded image. */
const SAMPLE_KINDS = "[sample, label] with sample a {data: Float32Array, shape} (transforms.ToTensor()'s output) and label a number";

function isChw(s: Sample): s is Chw {
  return (s as Chw).shape !== undefined;
}

function isImage(s: object): boolean {
  const i = s as { data?: unknown; width?: unknown; height?: unknown; channels?: unknown };
  return i.data instanceof Uint8Array && typeof i.width === "number" && typeof i.height === "number" && typeof i.channels === "number";
}

/**
 * Checks one sample's {data, shape}: a shape of non-negative integers and exactly as many
 * values as it declares (fewer would be zero-padded, more would spill into the next sample).
 */
function checkChw(index: number, s: Chw): void {
  const shape = s.shape as unknown;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw sampleError(index, `expected shape to be an array of non-negative integers, but received ${describe(shape)}`);
  }
  const data = s.data as unknown;
  const numeric = (ArrayBuffer.isView(data) && !(data instanceof DataView) && !(data instanceof BigInt64Array) && !(data instanceof BigUint64Array)) ||
    (Array.isArray(data) && data.every((v) => typeof v === "number"));
  if (!numeric) throw sampleError(index, `expected data to be a Float32Array (or an array of numbers), but received ${describe(data)}`);
  const need = shape.reduce((a: number, b: number) => a * b, 1);
  const have = (data as ArrayLike<number>).length;
  if (have !== need) {
    throw sampleError(index, `data has ${have} values but its shape [${shape.join(", ")}] needs ${need}`);
  }
}

/** A label as default_collate takes it: an int64 integer or a finite number. */
function checkLabel(index: number, label: unknown): number | bigint {
  if (typeof label === "bigint") {
    if (label < INT64_MIN || label > INT64_MAX) throw sampleError(index, `label ${describe(label)} is outside int64`);
    return label;
  }
  if (typeof label !== "number" || !Number.isFinite(label)) throw sampleError(index, `label ${describe(label)} is not ${LABEL_KINDS}`);
  // 2 ** 63 is an integer-valued double just past int64's maximum.
  if (Number.isInteger(label) && (label < -(2 ** 63) || label >= 2 ** 63)) throw sampleError(index, `label ${describe(label)} is outside int64`);
  return label;
}

/**
 * The labels tensor's data: BigInt64Array when every label is an integer, else Float64Array
 * (a bigint label next to a fractional one is refused: the batch has no one dtype for both).
 */
function collateLabels(labels: (number | bigint)[], indices: number[]): BigInt64Array | Float64Array {
  const fractional = labels.findIndex((y) => typeof y === "number" && !Number.isInteger(y));
  if (fractional < 0) return BigInt64Array.from(labels, (y) => BigInt(y));
  const big = labels.findIndex((y) => typeof y === "bigint");
  if (big >= 0) {
    throw sampleError(indices[big]!, `label ${describe(labels[big])} is a bigint but sample ${indices[fractional]}'s label ${labels[fractional]} is fractional; a batch's labels are all integers (int64) or all numbers (float64)`);
  }
  return Float64Array.from(labels as number[]);
}

export async function loadBatch(dataset: Dataset<unknown>, indices: number[], seed: number, epoch: number): Promise<RawBatch> {
  const items: [Chw, number | bigint][] = [];
  const kept: number[] = [];
  for (const i of indices) {
    const r = dataset.getItem(i, sampleRng(seed, epoch, i));
    const item = (r instanceof Promise ? await r : r) as unknown;
    if (item === null) continue;
    if (!Array.isArray(item) || item.length !== 2) throw sampleError(i, `getItem must return ${SAMPLE_KINDS}, or null to skip it; it returned ${describe(item)}`);
    const [sample, label] = item as [unknown, unknown];
    // A Tensor is refused (it has a shape, so it is tested first): batches are plain arrays
    // that worker threads transfer, and the loader cannot know whether the dataset still owns
    // a tensor it returned, so it could neither free it nor keep it.
    const isTensor = (sample as { constructor?: { name?: string } } | null)?.constructor?.name === "Tensor";
    if (isTensor || sample === null || typeof sample !== "object" || (!isChw(sample as Sample) && !isImage(sample))) {
      const hint = isTensor ? "; getItem may not return a Tensor: return {data: t.float().toTypedArray(), shape: t.shape} instead" : "";
      throw sampleError(i, `expected the sample to be a {data: Float32Array, shape} (transforms.ToTensor()'s output) or an image, but received ${describe(sample)}${hint}`);
    }
    if (!isChw(sample as Sample)) throw new TypeError(`DataLoader: samples must be tensors to be batched; end the transform with transforms.ToTensor() (sample ${i} is an image)`);
    checkChw(i, sample as Chw);
    items.push([sample as Chw, checkLabel(i, label)]);
    kept.push(i);
  }
  const shape = items[0]?.[0].shape ?? [0];
  const per = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(items.length * per);
  items.forEach(([s], k) => {
    if (s.shape.length !== shape.length || s.shape.some((d, j) => d !== shape[j])) {
      throw new TypeError(`DataLoader: cannot batch samples of shapes [${shape.join(", ")}] and [${s.shape.join(", ")}]; resize or crop them to one size (samples ${kept[0]} and ${kept[k]})`);
    }
    data.set(s.data, k * per);
  });
  const labels = collateLabels(items.map(([, y]) => y), kept);
  return { data, shape: [...shape], labels, count: items.length };
}
