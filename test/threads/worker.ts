// Worker thread entry for test/threads.test.ts: "train" runs trainSmall and reports; "hold"
// allocates tensors, keeps them and waits to be terminated (its environment must free them).
import { parentPort, workerData } from "node:worker_threads";
import * as torch from "../../lib/index.js";
import { trainSmall } from "./train_small.js";

const port = parentPort!;
const job = workerData as { kind: "train"; seed: number; steps: number } | { kind: "hold"; count: number };
if (job.kind === "train") {
  const run = trainSmall(job.seed, job.steps);
  port.postMessage({ ...run, live: torch.liveTensors(), threadId: (await import("node:worker_threads")).threadId });
} else {
  const held = Array.from({ length: job.count }, () => torch.zeros([256, 1024])); // 1 MiB each
  port.postMessage({ held: held.length, live: torch.liveTensors(), processLive: torch.liveTensors({ allThreads: true }) });
  setInterval(() => held.length, 1000); // stay alive until terminated
}
