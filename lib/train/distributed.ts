// scripts/train.ts across processes: joining the process group torchrun (or `--nproc N`)
// describes in the environment, summing each rank's counts so every reported number is the
// whole group's, and `--nproc N`'s launcher, which starts N ranks of the same command with
// torchrun's environment contract (RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE,
// MASTER_ADDR, MASTER_PORT) and ends them together.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import os from "node:os";
import { allReduce, barrier, broadcast } from "../distributed/collectives.js";
import { explainFailure } from "../distributed/faults.js";
import { destroyProcessGroup, getRank, getWorldSize, initProcessGroup } from "../distributed/process_group.js";
import type { Module } from "../nn/module.js";
import { noGrad } from "../autograd.js";
import { tensor } from "../tensor/creation.js";

export interface DistContext {
  rank: number;
  worldSize: number;
  /** This rank's index on its host (torchrun's LOCAL_RANK): the CUDA device it takes. */
  localRank: number;
}

/** Whether the environment describes a rank of a group (torchrun, or `--nproc`, set both). */
export function underLauncher(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.RANK !== undefined && env.RANK !== "" && env.WORLD_SIZE !== undefined && env.WORLD_SIZE !== "";
}

/**
 * Joins the default group: env:// reads MASTER_ADDR/MASTER_PORT/RANK/WORLD_SIZE; any other
 * init method (tcp://host:port) takes the rank and world size from RANK and WORLD_SIZE.
 */
export function joinGroup(initMethod: string, timeoutMs: number): DistContext {
  const env = process.env;
  const num = (name: string) => (env[name] === undefined || env[name] === "" ? undefined : Number(env[name]));
  initProcessGroup(initMethod.startsWith("env://") ? { initMethod, timeout: timeoutMs }
    : { initMethod, rank: num("RANK"), worldSize: num("WORLD_SIZE"), timeout: timeoutMs });
  return { rank: getRank(), worldSize: getWorldSize(), localRank: num("LOCAL_RANK") ?? 0 };
}

/** Every rank's `values` summed, elementwise (float64: counts stay exact). */
export function sumOverRanks(values: number[]): number[] {
  const t = tensor(Float64Array.from(values));
  try {
    allReduce(t);
    return Array.from(t.toTypedArray() as Float64Array);
  } finally {
    t.dispose();
  }
}

/**
 * Rank 0's buffers to every rank. DDP broadcasts them before each forward, but the forward
 * then updates each rank's BatchNorm statistics with its own batch: after the last step the
 * ranks differ, and each must test the model rank 0 saves.
 */
export function syncBuffers(module: Module): void {
  noGrad(() => {
    for (const b of module.buffers()) broadcast(b, 0);
  });
}

/** Whether any rank says yes: every rank stops at the same batch (one small all-reduce). */
export function anyRank(flag: boolean): boolean {
  return sumOverRanks([flag ? 1 : 0])[0]! > 0;
}

/**
 * The test images this rank evaluates: every worldSize-th from rank, none repeated (unlike
 * DistributedSampler, which pads), so the summed counts are exactly the whole test set's.
 */
export function shardIndices(length: number, rank: number, worldSize: number): number[] {
  const out: number[] = [];
  for (let i = rank; i < length; i += worldSize) out.push(i);
  return out;
}

/** An error of a collective, with the lost rank named when that is what happened. */
export function explainDistributed(err: unknown): Error {
  return explainFailure(err);
}

/** Leaves the group once every rank is done with it (rank 0 hosts the store for the others). */
export function leaveGroup(): void {
  barrier();
  destroyProcessGroup();
}

/** A TCP port free now on 127.0.0.1 (bound to 0, closed): where rank 0 hosts the store. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface LaunchOptions {
  nproc: number;
  /** The script and its arguments, without --nproc. */
  script: string;
  args: string[];
  /** How long the other ranks may take to end by themselves after one fails (their fault message), ms. */
  graceMs?: number;
  log?: (line: string) => void;
}

/**
 * `--nproc N`: starts N ranks of this script on this host (as `torchrun --nproc_per_node N
 * --standalone` would, without its Python), each in its own process group so a Ctrl-C reaches
 * this launcher only and is passed on once. When a rank fails the others get `graceMs` to end
 * by themselves (they report the lost rank), then SIGTERM. Resolves to the exit status: 0 when
 * every rank succeeded, else the first failure's (128 + signal number for a signal).
 */
export async function launchRanks(options: LaunchOptions): Promise<number> {
  const { nproc, script } = options;
  const log = options.log ?? ((line: string) => console.error(line));
  const graceMs = options.graceMs ?? 30_000;
  const port = await freePort();
  // torchrun sets OMP_NUM_THREADS=1 when unset; a share of the cores keeps one rank per core busy.
  const threads = process.env.OMP_NUM_THREADS ?? String(Math.max(1, Math.floor(os.availableParallelism() / nproc)));
  const children: ChildProcess[] = [];
  const exits: Promise<{ rank: number; code: number | null; signal: NodeJS.Signals | null }>[] = [];
  for (let rank = 0; rank < nproc; rank++) {
    const child = spawn(process.execPath, [...process.execArgv, script, ...options.args], {
      stdio: "inherit", detached: true,
      env: {
        ...process.env, RANK: String(rank), LOCAL_RANK: String(rank), WORLD_SIZE: String(nproc), LOCAL_WORLD_SIZE: String(nproc),
        GROUP_RANK: "0", MASTER_ADDR: "127.0.0.1", MASTER_PORT: String(port), OMP_NUM_THREADS: threads,
      },
    });
    children.push(child);
    exits.push(new Promise((resolve) => child.once("exit", (code, signal) => resolve({ rank, code, signal }))));
  }
  log(`train: started ${nproc} ranks on 127.0.0.1:${port}, ${threads} thread(s) each (pids ${children.map((c) => c.pid).join(", ")})`);
  const forward = (signal: NodeJS.Signals) => () => children.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill(signal));
  let interrupted = false;
  const handlers = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((s) => [s, () => {
    interrupted = true;
    forward(s)();
  }] as const);
  handlers.forEach(([s, h]) => process.on(s, h));

  let status = 0;
  let timer: NodeJS.Timeout | undefined;
  const pending = new Set(exits.map((_, i) => i));
  while (pending.size > 0) {
    const done = await Promise.race([...pending].map((i) => exits[i]!));
    pending.delete(done.rank);
    const failed = done.code !== 0;
    if (!failed) continue;
    const how = done.signal !== null ? `was killed by ${done.signal}` : `exited with status ${done.code}`;
    // 130 after a Ctrl-C passed on: the rank saved last.pth and stopped, as asked.
    if (!(interrupted && done.code === 130)) log(`train: rank ${done.rank} (pid ${children[done.rank]!.pid}) ${how}`);
    if (status === 0) {
      status = done.signal !== null ? 128 + (os.constants.signals[done.signal] ?? 0) : done.code!;
      timer = setTimeout(() => {
        log(`train: stopping the ranks still running ${graceMs / 1000} s after rank ${done.rank} failed`);
        forward("SIGTERM")();
        setTimeout(forward("SIGKILL"), 5000).unref();
      }, graceMs);
      timer.unref();
    }
  }
  clearTimeout(timer);
  handlers.forEach(([s, h]) => process.off(s, h));
  return status;
}
