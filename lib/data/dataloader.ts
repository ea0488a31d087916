// torch.utils.data.DataLoader: batches of tensors from a dataset, shuffled by a seed, with
// decoding and augmentation in worker threads. The order of samples and their augmentations
// depend only on (seed, epoch), never on the number of workers.
import type { Worker } from "node:worker_threads";
import { tensor } from "../tensor/creation.js";
import { yieldToEventLoop } from "../memory.js";
import type { Tensor } from "../tensor/index.js";
import { argError, checkBool, checkNonNegInt, checkOptions } from "../validate.js";
import type { Dataset } from "../vision/datasets.js";
import { mulberry32 } from "../vision/transforms.js";
import { loadBatch, type RawBatch } from "./batch.js";
import { startWorker } from "./spawn.js";

export interface DataLoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  dropLast?: boolean;
  /** Seeds shuffling and augmentation (default 0). */
  seed?: number;
  /** Worker threads decoding and augmenting (0: the main thread does it). */
  numWorkers?: number;
  /** Batches loaded ahead per worker (default 2). */
  prefetchFactor?: number;
}

type Pending = { resolve: (b: RawBatch) => void; reject: (e: Error) => void };

/** Python: `torch.utils.data.DataLoader(dataset, batch_size=1, shuffle=False, num_workers=0, drop_last=False)`. */
export class DataLoader implements AsyncIterable<[Tensor, Tensor]> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly seed: number;
  readonly numWorkers: number;
  readonly prefetchFactor: number;
  /** The epoch the next iteration runs (advances after each full pass; set it to resume). */
  epoch = 0;
  #workers: Worker[] = [];
  #pending = new Map<number, Pending>();
  #nextJob = 0;

  constructor(dataset: Dataset, options?: DataLoaderOptions) {
    const fn = "DataLoader";
    const o = checkOptions(fn, options, ["batchSize", "shuffle", "dropLast", "seed", "numWorkers", "prefetchFactor"]);
    // Without a length the loader would see an empty dataset and train on nothing, silently.
    if (dataset === null || typeof dataset !== "object" || typeof dataset.getItem !== "function" ||
      !Number.isSafeInteger(dataset.length) || dataset.length < 0) {
      throw argError(fn, "dataset", "a dataset with length and getItem()", dataset);
    }
    this.dataset = dataset;
    this.batchSize = o.batchSize === undefined ? 1 : checkNonNegInt(fn, "batchSize", o.batchSize);
    if (this.batchSize < 1) throw argError(fn, "batchSize", "a positive integer", this.batchSize);
    this.shuffle = o.shuffle === undefined ? false : checkBool(fn, "shuffle", o.shuffle);
    this.dropLast = o.dropLast === undefined ? false : checkBool(fn, "dropLast", o.dropLast);
    this.seed = o.seed === undefined ? 0 : checkNonNegInt(fn, "seed", o.seed);
    this.numWorkers = o.numWorkers === undefined ? 0 : checkNonNegInt(fn, "numWorkers", o.numWorkers);
    this.prefetchFactor = o.prefetchFactor === undefined ? 2 : checkNonNegInt(fn, "prefetchFactor", o.prefetchFactor);
    if (this.numWorkers > 0 && dataset.spec === undefined) {
      throw new TypeError("DataLoader: numWorkers > 0 needs a dataset workers can rebuild (FashionMNIST, MNIST, ImageFolder with torchvision transforms); use numWorkers: 0");
    }
  }

  /** Number of batches per epoch (Python: `len(loader)`). */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The sample indices of each batch of `epoch`. */
  batches(epoch: number): number[][] {
    const n = this.dataset.length;
    const order = Array.from({ length: n }, (_, i) => i);
    if (this.shuffle) {
      const rng = mulberry32((this.seed * 0x9e3779b1 + epoch * 0x632be5ab) >>> 0);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
    }
    const out: number[][] = [];
    for (let s = 0; s < n; s += this.batchSize) {
      const b = order.slice(s, s + this.batchSize);
      if (b.length < this.batchSize && this.dropLast) break;
      out.push(b);
    }
    return out;
  }

  /** Iterates one epoch: `for await (const [x, y] of loader)`. Dispose x and y when done with them. */
  [Symbol.asyncIterator](): AsyncGenerator<[Tensor, Tensor]> {
    return this.iterate();
  }

  /**
   * One epoch's batches; `skip` leaves out its first batches (resuming mid-epoch sees exactly
   * the batches an uninterrupted run would have). Advances `epoch` when the pass completes.
   */
  async *iterate(options?: { epoch?: number; skip?: number }): AsyncGenerator<[Tensor, Tensor]> {
    const o = checkOptions("DataLoader.iterate", options, ["epoch", "skip"]);
    const epoch = o.epoch === undefined ? this.epoch : checkNonNegInt("DataLoader.iterate", "epoch", o.epoch);
    const plan = this.batches(epoch).slice(o.skip === undefined ? 0 : checkNonNegInt("DataLoader.iterate", "skip", o.skip));
    const ahead = Math.max(1, this.numWorkers * Math.max(1, this.prefetchFactor));
    const inflight: Promise<RawBatch>[] = [];
    let next = 0;
    const launch = () => {
      while (inflight.length < ahead && next < plan.length) {
        const batch = this.#load(plan[next++]!, epoch, next);
        // A prefetched batch may fail before the loop awaits it: mark it handled here (the
        // loop still sees the error when it reaches that batch) so the process does not
        // die of an unhandled rejection.
        batch.catch(() => {});
        inflight.push(batch);
      }
    };
    for (const w of this.#workers) w.ref();
    try {
      launch();
      while (inflight.length > 0) {
        const raw = await inflight.shift()!;
        launch();
        // Prefetched batches are often ready already, and awaiting them costs only microtasks:
        // yield a real turn so a loop that never disposes is still cleaned up by the GC.
        await yieldToEventLoop();
        if (raw.count === 0) continue;
        const x = tensor(raw.data, { shape: [raw.count, ...raw.shape] });
        // int64 class indices, or float64 when a label is fractional (as default_collate).
        const y = tensor(raw.labels);
        yield [x, y];
      }
      this.epoch = epoch + 1;
    } finally {
      // An abandoned iteration (break, error) must not leave batches being loaded.
      await Promise.allSettled(inflight);
      // Idle workers must not keep the process alive; they are reused by the next epoch.
      for (const w of this.#workers) w.unref();
    }
  }

  #load(indices: number[], epoch: number, job: number): Promise<RawBatch> {
    if (this.numWorkers === 0) return loadBatch(this.dataset, indices, this.seed, epoch);
    if (this.#workers.length === 0) this.#start(); // started ref'd: this iteration is waiting on them
    const worker = this.#workers[job % this.#workers.length]!;
    const id = this.#nextJob++;
    return new Promise<RawBatch>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, indices, seed: this.seed, epoch });
    });
  }

  #start(): void {
    for (let i = 0; i < this.numWorkers; i++) {
      const w = spawnWorker({ dataset: this.dataset.spec });
      w.on("message", (m: { id: number; batch?: RawBatch; error?: string; errorName?: string }) => {
        const p = this.#pending.get(m.id);
        if (p === undefined) return;
        this.#pending.delete(m.id);
        // The worker's error, with its class where it is a TypeError or a RangeError (a bad
        // sample is a TypeError on both paths).
        if (m.error !== undefined) p.reject(m.errorName === "TypeError" ? new TypeError(m.error) : m.errorName === "RangeError" ? new RangeError(m.error) : new Error(m.error));
        else p.resolve(m.batch!);
      });
      w.on("error", (err) => {
        for (const p of this.#pending.values()) p.reject(err);
        this.#pending.clear();
      });
      this.#workers.push(w);
    }
  }

  /** Stops the worker threads (they restart on the next iteration). */
  async close(): Promise<void> {
    const ws = this.#workers;
    this.#workers = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }
}

/** Starts lib/data/worker: worker.js in a package, worker.ts from sources. */
function spawnWorker(workerData: unknown): Worker {
  const self = new URL(import.meta.url);
  return startWorker(new URL(self.pathname.endsWith(".ts") ? "./worker.ts" : "./worker.js", self), workerData);
}
