// The addon in worker_threads: each thread's environment has its own tensor table, two threads
// training at once get exactly what sequential runs get, and a terminated worker's tensors are
// freed with its environment.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Worker } from "node:worker_threads";
import * as torch from "torch-ts";
import { startWorker } from "../lib/data/spawn.js";
import { trainSmall, type SmallRun } from "./threads/train_small.js";

const entry = new URL("./threads/worker.ts", import.meta.url);

function message<T>(w: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    w.once("message", resolve);
    w.once("error", reject);
    w.once("exit", (code) => reject(new Error(`worker exited with code ${code} before replying`)));
  });
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

describe("worker_threads", () => {
  it("two workers training at once give exactly the sequential results, each with its own tensors", async () => {
    const steps = 15;
    const sequential = [trainSmall(11, steps), trainSmall(12, steps)];
    expect(sequential[0]!.losses.at(-1)!).toBeLessThan(sequential[0]!.losses[0]!); // it trains
    const workers = [11, 12].map((seed) => startWorker(entry, { kind: "train", seed, steps }));
    const results = await Promise.all(workers.map((w) => message<SmallRun & { live: number }>(w)));
    await Promise.all(workers.map((w) => w.terminate()));
    results.forEach((r, i) => {
      expect(r.losses).toEqual(sequential[i]!.losses);
      expect(r.params).toEqual(sequential[i]!.params);
      expect(r.live).toBe(0); // trainSmall disposes everything it made, in the worker's table
    });
  });

  it("terminating a worker frees the tensors it still held", async () => {
    await settle();
    const before = torch.liveTensors({ allThreads: true });
    const mainBefore = torch.liveTensors();
    const w = startWorker(entry, { kind: "hold", count: 64 });
    const held = await message<{ held: number; live: number; processLive: number }>(w);
    expect(held.live).toBe(64);
    expect(held.processLive).toBeGreaterThanOrEqual(before + 64);
    expect(torch.liveTensors()).toBe(mainBefore); // the worker's tensors are not the main thread's
    await w.terminate();
    await settle();
    expect(torch.liveTensors({ allThreads: true })).toBe(before);
  });

  it("liveTensors refuses bad options", () => {
    expect(() => torch.liveTensors({ allThreads: 1 as unknown as boolean })).toThrow(/allThreads.*boolean/);
  });
});

describe("intra-op threads", () => {
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
  /** torch.getNumThreads() in a fresh process, pinned with taskset to `cpus` when given. */
  const threadsIn = (env: NodeJS.ProcessEnv, cpus?: string): number => {
    const code = 'const torch = await import("./lib/index.ts"); console.log(torch.getNumThreads());';
    const node = [process.execPath, "--import", "tsx", "--input-type=module", "-e", code];
    const [cmd, ...args] = cpus === undefined ? node : ["taskset", "-c", cpus, ...node];
    return Number(execFileSync(cmd!, args, { cwd: root, env, encoding: "utf8" }).trim());
  };

  it("default to the CPUs the process may run on (taskset, a container's cpuset), not the machine's; OMP_NUM_THREADS wins", () => {
    const env = { ...process.env };
    delete env.OMP_NUM_THREADS;
    delete env.MKL_NUM_THREADS;
    expect(threadsIn(env)).toBe(os.availableParallelism());
    // Pinned to one CPU this process may use (the first of its own affinity list).
    const allowed = /Cpus_allowed_list:\s*(\d+)/.exec(fs.readFileSync("/proc/self/status", "utf8"))![1]!;
    expect(threadsIn(env, allowed)).toBe(1);
    expect(threadsIn({ ...env, OMP_NUM_THREADS: "3" }, allowed)).toBe(3);
  });
});
