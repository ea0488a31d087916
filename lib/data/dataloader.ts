// torch.utils.data.DataLoader. Two ways to load: the image pipeline (lib/vision's datasets and
// plain {length, getItem(i, rng)} objects of [sample, label]: decoded and augmented, in worker
// threads if asked, batched as [x, y]) and Python's general one (Dataset / IterableDataset
// subclasses, or any dataset with a collateFn: samplers, collate). The index order is Python's,
// drawn from the global generator or `generator`, unless the torch-ts `seed` option is given:
// then it depends on (seed, epoch) only, never on the global generator or the worker count.
import { checkGenerator, type Generator as TorchGenerator } from "../generator.js";
import { tidy, yieldToEventLoop } from "../memory.js";
import type { Tensor } from "../tensor/index.js";
import { bindArgs, isPlainObject, type PyArgs } from "../tensor/python_args.js";
import { argError, checkBool, checkFunction, checkNonNegInt, checkOptions } from "../validate.js";
import { defaultCollate, defaultConvert } from "./collate.js";
import { ConcatDataset, Dataset, isMapDataset, IterableDataset, iterateDataset, type MapDataset } from "./dataset.js";
import { drawInt64 } from "./draws.js";
import { specOf, type PipelineDataset } from "./pipeline.js";
import { PipelineLoader } from "./pipeline_loader.js";
import { mulberry32 } from "./rng.js";
import { BatchSampler, RandomSampler, SequentialSampler } from "./samplers.js";
import { Subset } from "./subset.js";

/** What a DataLoader loads from. */
export type AnyDataset = MapDataset<any> | IterableDataset<any>;

export interface DataLoaderOptions<B = [Tensor, Tensor]> {
  /** Samples per batch (default 1); null turns batching off (each sample is one item). */
  batchSize?: number | null;
  shuffle?: boolean | null;
  /** The order of sample indices (mutually exclusive with shuffle). */
  sampler?: Iterable<number> | null;
  /** The batches of indices (mutually exclusive with batchSize, shuffle, sampler, dropLast). */
  batchSampler?: Iterable<number[]> | null;
  /** Worker threads decoding and augmenting (0: the main thread does it; image pipeline only). */
  numWorkers?: number;
  /** Python's collate_fn: samples (or one sample, when batchSize is null) to a batch. */
  collateFn?: ((batch: any) => B) | null;
  /** Accepted for Python's signature; batches are made on the CPU. */
  pinMemory?: boolean;
  dropLast?: boolean;
  /** Python's timeout: only 0 (no timeout) is supported. */
  timeout?: number;
  workerInitFn?: null;
  multiprocessingContext?: null;
  /** The generator of the shuffle order and of the base seed (default: the global one). */
  generator?: TorchGenerator | null;
  /** Batches loaded ahead per worker (default 2). */
  prefetchFactor?: number;
  /** Accepted for Python's signature: workers are kept between epochs anyway (close() stops them). */
  persistentWorkers?: boolean;
  /**
   * torch-ts: seeds shuffling and augmentation by (seed, epoch), independent of the global
   * generator. Without it the order is Python's, drawn from the global generator.
   */
  seed?: number;
}

type Opts<B> = Required<DataLoaderOptions<B>>;
type Positional<B> = [batchSize: Opts<B>["batchSize"], shuffle: Opts<B>["shuffle"], sampler: Opts<B>["sampler"], batchSampler: Opts<B>["batchSampler"],
  numWorkers: number, collateFn: Opts<B>["collateFn"], pinMemory: boolean, dropLast: boolean, timeout: number, workerInitFn: null,
  multiprocessingContext: null, generator: TorchGenerator | null];
const NAMES = ["batchSize", "shuffle", "sampler", "batchSampler", "numWorkers", "collateFn", "pinMemory", "dropLast", "timeout", "workerInitFn", "multiprocessingContext", "generator"];
const KEYWORD = ["prefetchFactor", "persistentWorkers", "seed"];

/** Whether the image pipeline loads this dataset: lib/vision's datasets and plain [sample, label] objects. */
function isPipeline(d: unknown): boolean {
  if (specOf(d) !== undefined) return true;
  if (d instanceof Subset) return isPipeline(d.dataset);
  if (d instanceof ConcatDataset) return d.datasets.every(isPipeline);
  return !(d instanceof Dataset || d instanceof IterableDataset);
}

const isAsyncFunction = (f: unknown) => typeof f === "function" && (f.constructor?.name === "AsyncFunction" || f.constructor?.name === "AsyncGeneratorFunction");

/** Whether getItem is declared async (through Subset and ConcatDataset). */
function isAsyncDataset(d: unknown): boolean {
  if (d instanceof Subset) return isAsyncDataset(d.dataset);
  if (d instanceof ConcatDataset) return d.datasets.some(isAsyncDataset);
  return isAsyncFunction((d as { getItem?: unknown }).getItem);
}

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof (v as { then?: unknown } | null)?.then === "function";

/**
 * Python: `torch.utils.data.DataLoader(dataset, batch_size=1, shuffle=None, sampler=None,
 * batch_sampler=None, num_workers=0, collate_fn=None, pin_memory=False, drop_last=False,
 * timeout=0, worker_init_fn=None, multiprocessing_context=None, generator=None, *,
 * prefetch_factor=2, persistent_workers=False)`.
 */
class DataLoaderImpl<B = [Tensor, Tensor]> implements AsyncIterable<B> {
  readonly dataset: AnyDataset;
  readonly batchSize: number | null;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  /** The torch-ts seed, or null: Python's order from the global generator (or `generator`). */
  readonly seed: number | null;
  readonly numWorkers: number;
  readonly prefetchFactor: number;
  readonly sampler: Iterable<number> | null;
  readonly batchSampler: Iterable<number[]> | null;
  readonly collateFn: (batch: any) => B;
  readonly generator: TorchGenerator | null;
  /** The epoch the next iteration runs (advances after each full pass; set it to resume). */
  epoch = 0;
  readonly #pipeline: boolean;
  readonly #iterable: boolean;
  /** The image pipeline's loader (worker threads), when the dataset is one. */
  readonly #pool: PipelineLoader | null;

  constructor(dataset: AnyDataset, ...args: PyArgs<Positional<B>, Omit<DataLoaderOptions<B>, never>>) {
    const fn = "DataLoader";
    const o = bindArgs(fn, [...NAMES, ...KEYWORD], args, 0, ["dataset"]);
    // Keyword-only in Python: only in the options object.
    const positional = args.length - (args.length > 0 && isPlainObject(args[args.length - 1]) ? 1 : 0);
    if (positional > NAMES.length) throw new TypeError(`${fn}: expected at most ${NAMES.length + 1} positional arguments`);
    this.#iterable = dataset instanceof IterableDataset;
    // Without a length the loader would see an empty dataset and train on nothing, silently.
    if (!this.#iterable && !isMapDataset(dataset)) throw argError(fn, "dataset", "a dataset with length and getItem()", dataset);
    this.dataset = dataset;
    this.numWorkers = o.numWorkers === undefined ? 0 : checkNonNegInt(fn, "numWorkers", o.numWorkers);
    this.prefetchFactor = o.prefetchFactor === undefined ? 2 : checkNonNegInt(fn, "prefetchFactor", o.prefetchFactor);
    this.seed = o.seed === undefined || o.seed === null ? null : checkNonNegInt(fn, "seed", o.seed);
    this.generator = checkGenerator(fn, o.generator) ?? null;
    if (o.pinMemory !== undefined) checkBool(fn, "pinMemory", o.pinMemory);
    if (o.persistentWorkers !== undefined) checkBool(fn, "persistentWorkers", o.persistentWorkers);
    if (o.timeout !== undefined && o.timeout !== 0) throw argError(fn, "timeout", "0 (timeouts are not supported)", o.timeout);
    for (const k of ["workerInitFn", "multiprocessingContext"]) {
      if (o[k] !== undefined && o[k] !== null) throw argError(fn, k, "null (worker threads rebuild datasets from their spec)", o[k]);
    }
    let shuffle = o.shuffle === undefined || o.shuffle === null ? null : checkBool(fn, "shuffle", o.shuffle);
    let dropLast = o.dropLast === undefined ? false : checkBool(fn, "dropLast", o.dropLast);
    let batchSize: number | null = 1;
    if (o.batchSize === null) batchSize = null;
    else if (o.batchSize !== undefined) {
      batchSize = checkNonNegInt(fn, "batchSize", o.batchSize);
      if (batchSize < 1) throw argError(fn, "batchSize", "a positive integer", batchSize);
    }
    const iterableOf = (k: string, v: unknown) => {
      if (v === undefined || v === null) return null;
      if (typeof v !== "object" || typeof (v as Iterable<unknown>)[Symbol.iterator] !== "function") throw argError(fn, k, "a Sampler (an iterable of indices) or null", v);
      return v;
    };
    let sampler = iterableOf("sampler", o.sampler) as Iterable<number> | null;
    let batchSampler = iterableOf("batchSampler", o.batchSampler) as Iterable<number[]> | null;
    if (this.#iterable) {
      if (shuffle) throw new TypeError(`${fn} with IterableDataset: expected unspecified shuffle option, but got shuffle=${shuffle}`);
      if (sampler !== null) throw new TypeError(`${fn} with IterableDataset: expected unspecified sampler option`);
      if (batchSampler !== null) throw new TypeError(`${fn} with IterableDataset: expected unspecified batchSampler option`);
    }
    shuffle = shuffle ?? false;
    if (sampler !== null && shuffle) throw new TypeError(`${fn}: sampler option is mutually exclusive with shuffle`);
    if (batchSampler !== null) {
      if (batchSize !== 1 || shuffle || sampler !== null || dropLast) throw new TypeError(`${fn}: batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast`);
      batchSize = null;
      dropLast = false;
    } else if (batchSize === null && dropLast) {
      throw new TypeError(`${fn}: batchSize: null disables auto-batching and is mutually exclusive with dropLast`);
    }
    if (this.seed !== null && (o.sampler != null || o.batchSampler != null || this.generator !== null)) {
      throw new TypeError(`${fn}: seed orders the default samplers by (seed, epoch); with a sampler, batchSampler or generator give no seed`);
    }
    // With a seed the order is (seed, epoch)'s, not a sampler's (and an empty dataset may shuffle).
    if (!this.#iterable && sampler === null && this.seed === null) {
      const sized = dataset as PipelineDataset<unknown>;
      sampler = shuffle ? new RandomSampler(sized, { generator: this.generator }) : new SequentialSampler(sized);
    }
    if (batchSize !== null && batchSampler === null && sampler !== null) batchSampler = new BatchSampler(sampler, batchSize, dropLast);
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.sampler = sampler;
    this.batchSampler = batchSampler;
    const collate = o.collateFn === undefined || o.collateFn === null ? null : checkFunction(fn, "collateFn", o.collateFn);
    this.collateFn = (collate ?? (batchSize === null && batchSampler === null ? defaultConvert : defaultCollate)) as (batch: any) => B;
    this.#pipeline = collate === null && batchSize !== null && !this.#iterable && isPipeline(dataset);
    if (this.numWorkers > 0 && !(this.#pipeline && specOf(dataset) !== undefined)) {
      throw new TypeError("DataLoader: numWorkers > 0 needs a dataset workers can rebuild (FashionMNIST, MNIST, ImageFolder with torchvision transforms); use numWorkers: 0");
    }
    this.#pool = this.#pipeline ? new PipelineLoader(dataset as PipelineDataset<unknown>, this.numWorkers, this.prefetchFactor) : null;
  }

  /** Number of batches per epoch (Python: `len(loader)`). */
  get length(): number {
    if (this.batchSampler !== null && this.seed === null) {
      const n = (this.batchSampler as { length?: number }).length;
      if (!Number.isSafeInteger(n)) throw new TypeError("DataLoader: its batchSampler has no length");
      return n!;
    }
    const n = (this.dataset as { length?: number }).length;
    if (!Number.isSafeInteger(n)) throw new TypeError(`DataLoader: the dataset ${this.dataset.constructor.name} has no length`);
    if (this.batchSize === null) return n!;
    return this.dropLast ? Math.floor(n! / this.batchSize) : Math.ceil(n! / this.batchSize);
  }

  /**
   * The sample indices of each batch of `epoch`. With a seed they depend on (seed, epoch) only;
   * without one this iterates the batch sampler, drawing from its generator as an epoch does.
   */
  batches(epoch: number): number[][] {
    if (this.#iterable) throw new TypeError("DataLoader.batches: an IterableDataset has no sample indices");
    if (this.seed === null) {
      if (this.batchSampler !== null) return [...this.batchSampler].map((b) => [...b]);
      return [...this.sampler!].map((i) => [i]);
    }
    const n = (this.dataset as PipelineDataset<unknown>).length;
    const order = Array.from({ length: n }, (_, i) => i);
    if (this.shuffle) {
      const rng = mulberry32((this.seed * 0x9e3779b1 + epoch * 0x632be5ab) >>> 0);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
    }
    const size = this.batchSize ?? 1;
    const out: number[][] = [];
    for (let s = 0; s < n; s += size) {
      const b = order.slice(s, s + size);
      if (b.length < size && this.dropLast) break;
      out.push(b);
    }
    return out;
  }

  /** Iterates one epoch: `for await (const batch of loader)`. Dispose the batches' tensors when done with them. */
  [Symbol.asyncIterator](): AsyncGenerator<B> {
    return this.iterate();
  }

  /**
   * One epoch's batches; `skip` leaves out its first batches (resuming mid-epoch sees exactly
   * the batches an uninterrupted run would have). Advances `epoch` when the pass completes.
   */
  async *iterate(options?: { epoch?: number; skip?: number }): AsyncGenerator<B> {
    const o = checkOptions("DataLoader.iterate", options, ["epoch", "skip"]);
    const epoch = o.epoch === undefined ? this.epoch : checkNonNegInt("DataLoader.iterate", "epoch", o.epoch);
    const skip = o.skip === undefined ? 0 : checkNonNegInt("DataLoader.iterate", "skip", o.skip);
    // Python's _BaseDataLoaderIter draws its _base_seed first, then the sampler draws its own.
    const baseSeed = this.seed === null ? drawInt64(this.generator ?? undefined) : null;
    if (this.#iterable) yield* this.#iterateStream(skip);
    else if (this.#pipeline) {
      const seed = baseSeed === null ? this.seed! : Number(baseSeed & 0xffffffffn);
      const batches: number[][] = [];
      let k = 0;
      for (const b of this.#plan(epoch)) if (k++ >= skip) batches.push(b as number[]);
      yield* this.#pool!.iterate(batches, seed, epoch) as AsyncGenerator<B>;
    } else yield* this.#iterateMap(this.#plan(epoch), skip);
    this.epoch = epoch + 1;
  }

  /** Stops the worker threads (they restart on the next iteration). */
  async close(): Promise<void> {
    await this.#pool?.close();
  }

  /** The index batches (or single indices, batching off) in order, drawn lazily as Python does. */
  *#plan(epoch: number): Generator<number[] | number> {
    if (this.seed !== null) {
      if (this.batchSize === null) yield* this.batches(epoch).map((b) => b[0]!);
      else yield* this.batches(epoch);
    } else if (this.batchSampler !== null) yield* this.batchSampler;
    else yield* this.sampler!;
  }

  async *#iterateMap(plan: Iterable<number[] | number>, skip: number): AsyncGenerator<B> {
    const ds = this.dataset as Dataset<unknown>;
    // An async getItem runs up to its first await when called: inside tidy() the tensors it
    // made there would be freed before it resolves, so async datasets are fetched outside it.
    let asyncItems = isAsyncDataset(ds);
    let k = 0;
    for (const entry of plan) {
      if (k++ < skip) continue;
      const batched = Array.isArray(entry);
      const indices = batched ? entry : [entry];
      if (!asyncItems) {
        // Sample tensors made by getItem (TensorDataset's row views) are freed once collated.
        const r = tidy((): { batch?: B; pending: PromiseLike<unknown>[] } => {
          const items = indices.map((i) => ds.getItem(i));
          const pending = items.filter(isThenable);
          if (pending.length > 0) return { pending };
          return { batch: this.collateFn(batched ? items : items[0]), pending };
        });
        if (r.pending.length === 0) {
          yield r.batch as B;
          await yieldToEventLoop();
          continue;
        }
        // A Promise from a function not declared async: fetch this batch again outside tidy().
        for (const p of r.pending) Promise.resolve(p).catch(() => {});
        asyncItems = true;
      }
      const items = await Promise.all(indices.map((i) => ds.getItem(i)));
      yield tidy(() => this.collateFn(batched ? items : items[0]));
      await yieldToEventLoop();
    }
  }

  async *#iterateStream(skip: number): AsyncGenerator<B> {
    const it = iterateDataset(this.dataset as IterableDataset<unknown>, "DataLoader");
    const size = this.batchSize;
    const want = size ?? 1;
    let k = 0;
    if (typeof (this.dataset as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function") {
      // An async iterator runs up to its first await inside next(): pulled outside tidy().
      for (;;) {
        const data: unknown[] = [];
        let ended = false;
        while (data.length < want) {
          const r = await it.next();
          if (r.done) {
            ended = true;
            break;
          }
          data.push(r.value);
        }
        if (data.length === 0 || (size !== null && this.dropLast && data.length < size)) return;
        if (k++ >= skip) yield tidy(() => this.collateFn(size === null ? data[0] : data));
        if (ended) return;
        await yieldToEventLoop();
      }
    }
    for (;;) {
      // A sync iterator's samples are pulled inside tidy(), so the tensors they made are freed
      // once collated; an async one's are awaited first (tidy cannot span an await).
      const step = tidy((): { count: number; ended: boolean; data?: unknown[]; pending?: PromiseLike<IteratorResult<unknown>>; batch?: B } => {
        const data: unknown[] = [];
        while (data.length < want) {
          const r = it.next();
          // Pending samples go back with the result (kept); collated ones do not (freed).
          if (isThenable(r)) return { count: data.length, ended: false, data, pending: r };
          if (r.done) return { count: data.length, ended: true, ...this.#collateStream(data, size, k < skip) };
          data.push(r.value);
        }
        return { count: data.length, ended: false, ...this.#collateStream(data, size, k < skip) };
      });
      let { count, ended, batch } = step;
      if (step.pending !== undefined) {
        const data = step.data!;
        let r = await step.pending;
        for (;;) {
          if (r.done) {
            ended = true;
            break;
          }
          data.push(r.value);
          if (data.length >= want) break;
          r = await (it.next() as PromiseLike<IteratorResult<unknown>>);
        }
        count = data.length;
        batch = tidy(() => this.#collateStream(data, size, k < skip).batch);
      }
      if (count === 0 || (size !== null && this.dropLast && count < size)) return;
      if (k++ >= skip) yield batch as B;
      if (ended) return;
      await yieldToEventLoop();
    }
  }

  /** A stream's batch, unless it is dropped (empty, short with dropLast, or skipped). */
  #collateStream(data: unknown[], size: number | null, skipped: boolean): { batch?: B } {
    if (skipped || data.length === 0 || (size !== null && this.dropLast && data.length < size)) return {};
    return { batch: this.collateFn(size === null ? data[0] : data) };
  }
}

Object.defineProperty(DataLoaderImpl, "name", { value: "DataLoader" });

/** DataLoader's constructor: its batch type is what `collateFn` returns, else [x, y] tensors. */
export interface DataLoaderConstructor {
  readonly prototype: DataLoaderImpl<any>;
  new <B>(dataset: AnyDataset, options: DataLoaderOptions<B> & { collateFn: (batch: any) => B }): DataLoaderImpl<B>;
  new (dataset: AnyDataset, ...args: PyArgs<Positional<any>, DataLoaderOptions<any>>): DataLoaderImpl<[Tensor, Tensor]>;
}
export type DataLoader<B = [Tensor, Tensor]> = DataLoaderImpl<B>;
export const DataLoader = DataLoaderImpl as unknown as DataLoaderConstructor;
