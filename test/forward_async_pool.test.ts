// A pool of worker threads serving forwardAsync, with workers killed at random while their
// forwards run on the libuv pool: terminate() from the main thread, process.exit() and an
// uncaught error inside the worker. A completion that finds its environment stopping used to
// throw from a libuv callback and abort the whole process (native/worker.h). Here the main
// process must stay up, every dead worker's tensors must be freed with its environment, and
// every request must be answered correctly: a request that was in a killed worker is retried
// by the pool, and no other request may be lost.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Worker } from "node:worker_threads";
import { expect, it } from "vitest";
import * as torch from "torch-ts";
import { startWorker } from "../lib/data/spawn.js";

const entry = new URL("./threads/serve.ts", import.meta.url);
const shape = { batch: 64, inFeatures: 512, hidden: 1024, outFeatures: 10 };
const KILLS = 50;
const REQUESTS = 400;
const POOL = 2;


interface Server { worker: Worker; ready: boolean; inFlight: Set<number>; dying: boolean }

it(`a forwardAsync pool survives ${KILLS} workers killed mid-forward, frees their tensors and loses no other request`, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "torch-ts-pool-"));
  const checkpoint = path.join(dir, "model.pth");
  torch.manualSeed(7);
  const { nn } = torch;
  const model = new nn.Sequential(new nn.Linear(shape.inFeatures, shape.hidden), new nn.ReLU(), new nn.Linear(shape.hidden, shape.outFeatures)).eval();
  torch.tidy(() => torch.save(model.stateDict(), checkpoint));
  const random = torch.vision.transforms.mulberry32(1234);
  const inputs = Array.from({ length: REQUESTS }, () => Float32Array.from({ length: shape.batch * shape.inFeatures }, () => random() * 2 - 1));
  // What each request must get: the same forward run synchronously on this thread.
  const expected = inputs.map((data) => torch.tidy(() => torch.noGrad(() =>
    model.call(torch.tensor(data, { shape: [shape.batch, shape.inFeatures] })).toTypedArray() as Float32Array)));
  for (const p of model.parameters()) p.dispose();
  const liveBefore = torch.liveTensors({ allThreads: true });

  const answers = new Map<number, Float32Array>();
  const queue = Array.from({ length: REQUESTS }, (_, i) => i);
  const servers: Server[] = [];
  let kills = 0;
  let killedInFlight = 0;
  const killModes = { terminate: 0, exit: 0, throw: 0 };
  let finish: () => void;
  let fail: (e: unknown) => void;
  const done = new Promise<void>((resolve, reject) => { finish = resolve; fail = reject; });

  const dispatch = () => {
    for (const s of servers) {
      while (s.ready && !s.dying && s.inFlight.size < 2 && queue.length > 0) {
        const id = queue.shift()!;
        s.inFlight.add(id);
        s.worker.postMessage({ id, data: inputs[id] });
      }
    }
    if (answers.size === REQUESTS) finish();
  };
  const spawn = () => {
    const s: Server = { worker: startWorker(entry, { checkpoint, ...shape }), ready: false, inFlight: new Set(), dying: false };
    servers.push(s);
    s.worker.on("message", (m: { id: number; out: Float32Array }) => {
      if (m.id === -1) s.ready = true;
      else {
        s.inFlight.delete(m.id);
        if (answers.has(m.id)) fail(new Error(`request ${m.id} answered twice`));
        answers.set(m.id, m.out);
        maybeKill();
      }
      dispatch();
    });
    s.worker.on("error", () => {}); // the "throw" kill ends the worker with its uncaught error
    s.worker.on("exit", () => {
      servers.splice(servers.indexOf(s), 1);
      // The pool retries what the dead worker had taken; nothing else was given to it.
      queue.unshift(...s.inFlight);
      if (answers.size < REQUESTS) spawn();
      dispatch();
    });
  };
  // Kill a worker that has forwards in flight, at random moments, until KILLS are done.
  const maybeKill = () => {
    if (kills >= KILLS || random() > 0.5) return;
    const busy = servers.filter((s) => s.ready && !s.dying && s.inFlight.size > 0);
    if (busy.length === 0) return;
    const s = busy[Math.floor(random() * busy.length)]!;
    s.dying = true;
    kills++;
    killedInFlight += s.inFlight.size;
    const mode = (["terminate", "exit", "throw"] as const)[kills % 3]!;
    killModes[mode]++;
    if (mode === "terminate") void s.worker.terminate();
    else s.worker.postMessage({ die: mode });
  };
  for (let i = 0; i < POOL; i++) spawn();
  await done;
  await Promise.all(servers.map((s) => s.worker.terminate()));
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  fs.rmSync(dir, { recursive: true, force: true });

  console.log(`${kills} kills (${JSON.stringify(killModes)}), ${killedInFlight} requests were in killed workers and retried; ${answers.size} answered`);
  expect(kills).toBe(KILLS);
  expect(killedInFlight).toBeGreaterThanOrEqual(KILLS);
  expect(answers.size).toBe(REQUESTS);
  for (let i = 0; i < REQUESTS; i++) expect(answers.get(i), `request ${i}`).toEqual(expected[i]);
  expect(torch.liveTensors({ allThreads: true })).toBe(liveBefore);
}, 600_000);
