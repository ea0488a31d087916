// A DataLoader worker thread: rebuilds the dataset from its spec and loads the batches it is
// sent (decode + augment off the main thread), replying with transferable arrays.
import { parentPort, workerData } from "node:worker_threads";
import { loadBatch } from "./batch.js";
import { buildFromSpec } from "./pipeline.js";
import "./subset.js";
import "./dataset.js";

interface Job {
  id: number;
  indices: number[];
  seed: number;
  epoch: number;
}

const port = parentPort;
if (port === null) throw new Error("lib/data/worker.ts runs only as a worker thread");
// The modules that registered dataset kinds in the main thread (lib/vision's datasets): messages
// wait in the port until the listener below is attached.
for (const m of (workerData.modules ?? []) as string[]) await import(m);
const dataset = buildFromSpec(workerData.dataset);

port.on("message", (job: Job) => {
  loadBatch(dataset, job.indices, job.seed, job.epoch).then(
    (b) => port.postMessage({ id: job.id, batch: b }, [b.data.buffer as ArrayBuffer, b.labels.buffer as ArrayBuffer]),
    (err: unknown) => port.postMessage({
      id: job.id, error: err instanceof Error ? err.message : String(err), errorName: err instanceof Error ? err.name : undefined,
    }),
  );
});
