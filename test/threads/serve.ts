// Worker thread entry for test/forward_async_pool.test.ts: one server of a forwardAsync pool.
// It loads the model the test saved, answers each request { id, data } with the model's output,
// and on { die } leaves mid-work the way a worker can: process.exit(), or an uncaught error.
import { parentPort, workerData } from "node:worker_threads";
import * as torch from "../../lib/index.js";

const port = parentPort!;
const { checkpoint, batch, inFeatures, hidden, outFeatures } = workerData as { checkpoint: string; batch: number; inFeatures: number; hidden: number; outFeatures: number };
const model = new torch.nn.Sequential(new torch.nn.Linear(inFeatures, hidden), new torch.nn.ReLU(), new torch.nn.Linear(hidden, outFeatures)).eval();
const state = torch.load(checkpoint) as Map<string, torch.Tensor>;
model.loadStateDict(state);
torch.dispose(state);

async function answer(id: number, data: Float32Array): Promise<void> {
  const x = torch.tensor(data, { shape: [data.length / inFeatures, inFeatures] });
  const y = await torch.noGrad(() => model.forwardAsync(x));
  x.dispose();
  const out = y.toTypedArray() as Float32Array;
  y.dispose();
  port.postMessage({ id, out });
}

port.on("message", (m: { id: number; data: Float32Array } | { die: "exit" | "throw" }) => {
  if ("die" in m) {
    if (m.die === "exit") process.exit(0);
    setImmediate(() => { throw new Error("a request handler failed"); });
    return;
  }
  void answer(m.id, m.data);
});
// The first forwardAsync of a shape records the graph synchronously; do it before serving.
await answer(-1, new Float32Array(batch * inFeatures));
