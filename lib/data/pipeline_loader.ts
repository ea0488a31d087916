// The image pipeline's batch loading for DataLoader: [sample, label] items decoded and augmented
// on the main thread or in worker threads that rebuild the dataset from its spec, prefetched
// ahead, batched as [x, y] tensors. Batches and augmentations depend on (seed, epoch, index)
// only, never on the number of workers.
import type { Worker } from "node:worker_threads";
import { yieldToEventLoop } from "../memory.js";
import { tensor } from "../tensor/creation.js";
import type { Tensor } from "../tensor/index.js";
import { loadBatch, type RawBatch } from "./batch.js";
import { datasetModules, specOf, type PipelineDataset } from "./pipeline.js";
import { startWorker } from "./spawn.js";

type Pending = { resolve: (b: RawBatch) => void; reject: (e: Error) => void };

export class PipelineLoader {
  #workers: Worker[] = [];
  #pending = new Map<number, Pending>();
  #nextJob = 0;

  constructor(readonly dataset: PipelineDataset<unknown>, readonly numWorkers: number, readonly prefetchFactor: number) {}

  /** The [x, y] batches of these sample indices, augmented by (seed, epoch, index). */
  async *iterate(batches: number[][], seed: number, epoch: number): AsyncGenerator<[Tensor, Tensor]> {
    const ahead = Math.max(1, this.numWorkers * Math.max(1, this.prefetchFactor));
    const inflight: Promise<RawBatch>[] = [];
    let next = 0;
    const launch = () => {
      while (inflight.length < ahead && next < batches.length) {
        const batch = this.#load(batches[next++]!, seed, epoch, next);
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
    } finally {
      // An abandoned iteration (break, error) must not leave batches being loaded.
      await Promise.allSettled(inflight);
      // Idle workers must not keep the process alive; they are reused by the next epoch.
      for (const w of this.#workers) w.unref();
    }
  }

  #load(indices: number[], seed: number, epoch: number, job: number): Promise<RawBatch> {
    if (this.numWorkers === 0) return loadBatch(this.dataset, indices, seed, epoch);
    if (this.#workers.length === 0) this.#start(); // started ref'd: this iteration is waiting on them
    const worker = this.#workers[job % this.#workers.length]!;
    const id = this.#nextJob++;
    return new Promise<RawBatch>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, indices, seed, epoch });
    });
  }

  #start(): void {
    for (let i = 0; i < this.numWorkers; i++) {
      const w = spawnWorker({ dataset: specOf(this.dataset), modules: datasetModules() });
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
