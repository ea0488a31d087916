// Python: init_process_group, new_group, destroy_process_group and the default group, on
// c10d's ProcessGroupGloo. The store layout is Python's (distributed_c10d.py): the default
// group's store is PrefixStore("default_pg", <rendezvous store>), group n (n = 0 for the
// default one) talks through PrefixStore("<n>", that), and each creation ends with the
// store-based barrier on "store_based_barrier_key:<count>" — so Python ranks can join.
import type { DistGroup, DistStore } from "../../binding.js";
import { native } from "../binding.js";
import { TorchError } from "../errors.js";
import { config } from "../runtime.js";
import { checkOptions } from "../validate.js";
import { setRankAndWorldSize } from "./state.js";
import { forgetRanks, publishRank } from "./faults.js";
import { rendezvous } from "./rendezvous.js";

/** Python: default_pg_timeout (30 minutes), in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;

/** A process group: this process's rank in it and the global ranks it holds (Python: ProcessGroup). */
export class ProcessGroup {
  /** @internal */
  readonly native: DistGroup | null;
  /** This process's rank in the group; -1 when it is not a member (Python's NON_GROUP_MEMBER). */
  readonly rank: number;
  /** The group's global ranks, in group-rank order. */
  readonly ranks: readonly number[];
  readonly name: string;

  /** Internal: made by initProcessGroup / newGroup. */
  constructor(nativeGroup: DistGroup | null, rank: number, ranks: readonly number[], name: string) {
    this.native = nativeGroup;
    this.rank = rank;
    this.ranks = ranks;
    this.name = name;
  }

  get size(): number {
    return this.ranks.length;
  }

  /** Python: `dist.get_group_rank(group, global_rank)`. */
  groupRank(globalRank: number): number {
    const i = this.ranks.indexOf(globalRank);
    if (i < 0) throw new RangeError(`torch.distributed: global rank ${globalRank} is not part of group ${this.name} (ranks ${this.ranks.join(", ")})`);
    return i;
  }
}

interface World {
  store: DistStore;
  group: ProcessGroup;
  worldSize: number;
  rank: number;
  timeoutMs: number;
  groupCount: number;
  backend: string;
}
let world: World | null = null;

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Python's _store_based_barrier: every rank adds 1 to the key, then waits for worldSize. */
function storeBarrier(store: DistStore, rank: number, worldSize: number, count: number, timeoutMs: number): void {
  const key = `store_based_barrier_key:${count}`;
  native.distStoreAdd(store, key, 1);
  const start = Date.now();
  for (let n = native.distStoreAdd(store, key, 0); n !== worldSize; n = native.distStoreAdd(store, key, 0)) {
    if (Date.now() - start > timeoutMs) {
      throw new TorchError(`Timed out initializing process group in store based barrier on rank: ${rank}, for key: ${key} (world_size=${worldSize}, worker_count=${n}, timeout=${timeoutMs} ms)`);
    }
    sleepMs(10);
  }
}

function gloo(store: DistStore, name: string, rank: number, size: number, timeoutMs: number): DistGroup {
  return native.distGloo(native.distPrefixStore(name, store), rank, size, timeoutMs);
}

function checkBackend(fn: string, backend: unknown): string {
  const b = backend === undefined ? "gloo" : backend;
  if (b !== "gloo" && b !== "nccl") throw new TypeError(`${fn}: backend must be "gloo" or "nccl", got ${JSON.stringify(b)}`);
  const have = config().distributedBackends;
  if (!have.includes(b)) {
    throw new TorchError(`${fn}: this build of torch-ts has no ${b} backend (it has: ${have.join(", ") || "none"}; ${b === "gloo" ? "install libgloo-dev and rebuild" : "NCCL needs a CUDA libtorch built with it"})`);
  }
  return b;
}

const ARRIVED_KEY = "torch_ts/arrived";

/** After a timeout forming the group: how many ranks reached the store, and what to check. */
function arrivedHint(store: DistStore, message: string, worldSize: number, timeoutMs: number): string {
  if (!/timeout|timed out/i.test(message)) return "";
  try {
    native.distStoreSetTimeout(store, 1000);
    const n = native.distStoreAdd(store, ARRIVED_KEY, 0);
    return ` — ${n} of ${worldSize} ranks reached the store within ${timeoutMs} ms (torch-ts ranks counted): is WORLD_SIZE (${worldSize}) right, and did every rank start?`;
  } catch {
    return ` — the store stopped answering: is rank 0 (which hosts it) still running?`;
  }
}

export interface InitProcessGroupOptions {
  /** "gloo" (default) or "nccl" when the build has it (torch.config().distributedBackends). */
  backend?: "gloo" | "nccl";
  /** "env://" (default: MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE, as torchrun sets them), "tcp://host:port" or "file:///path". */
  initMethod?: string;
  rank?: number;
  worldSize?: number;
  /** Milliseconds a collective or the rendezvous may take (default 30 minutes, Python's). */
  timeout?: number;
}

/** Python: `torch.distributed.init_process_group(backend, init_method, timeout, world_size, rank)`. */
export function initProcessGroup(options?: InitProcessGroupOptions): void {
  const fn = "torch.distributed.initProcessGroup";
  const o = checkOptions(fn, options, ["backend", "initMethod", "rank", "worldSize", "timeout"]) as InitProcessGroupOptions;
  if (world !== null) throw new TorchError("trying to initialize the default process group twice!");
  const backend = checkBackend(fn, o.backend);
  const timeoutMs = o.timeout ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`${fn}: timeout must be a positive number of milliseconds, got ${timeoutMs}`);
  const r = rendezvous(o.initMethod ?? "env://", o.rank, o.worldSize, timeoutMs);
  native.distStoreSetTimeout(r.store, timeoutMs);
  const store = native.distPrefixStore("default_pg", r.store);
  let nativeGroup: DistGroup;
  try {
    // Counted so a timeout can say how many ranks came (a key Python ranks neither set nor read).
    native.distStoreAdd(store, ARRIVED_KEY, 1);
    nativeGroup = gloo(store, "0", r.rank, r.worldSize, timeoutMs);
    storeBarrier(store, r.rank, r.worldSize, 1, timeoutMs);
    native.distSetSequenceNumber(nativeGroup);
  } catch (err) {
    const message = err instanceof Error ? err.message.split("\n")[0]! : String(err);
    throw new TorchError(`${fn}: rank ${r.rank} of ${r.worldSize} could not form the group through ${r.where}: ${message}${arrivedHint(store, message, r.worldSize, timeoutMs)}`);
  }
  const ranks = Array.from({ length: r.worldSize }, (_, i) => i);
  world = { store, group: new ProcessGroup(nativeGroup, r.rank, ranks, "0"), worldSize: r.worldSize, rank: r.rank, timeoutMs, groupCount: 1, backend };
  publishRank({ store, rank: r.rank, worldSize: r.worldSize, timeoutMs, agentStore: r.agentStore });
  setRankAndWorldSize([r.rank, r.worldSize]);
}

/** Python: `dist.is_initialized()`. */
export function isInitialized(): boolean {
  return world !== null;
}

/** Python: `dist.is_available()`: whether this build has a distributed backend. */
export function isAvailable(): boolean {
  return config().distributedBackends.length > 0;
}

/** The default group, or a TorchError saying initProcessGroup comes first. */
export function defaultGroup(fn: string): ProcessGroup {
  if (world === null) throw new TorchError(`${fn}: Default process group has not been initialized, please make sure to call initProcessGroup.`);
  return world.group;
}

export function groupOf(fn: string, group: ProcessGroup | undefined | null): ProcessGroup {
  if (group === undefined || group === null) return defaultGroup(fn);
  if (!(group instanceof ProcessGroup)) throw new TypeError(`${fn}: group must be a ProcessGroup from newGroup(), got ${typeof group}`);
  defaultGroup(fn);
  return group;
}

/** Python: `dist.get_rank(group=None)`: -1 when this process is not in the group. */
export function getRank(group?: ProcessGroup | null): number {
  return groupOf("torch.distributed.getRank", group).rank;
}

/** Python: `dist.get_world_size(group=None)`: -1 when this process is not in the group. */
export function getWorldSize(group?: ProcessGroup | null): number {
  const g = groupOf("torch.distributed.getWorldSize", group);
  return g.rank < 0 ? -1 : g.size;
}

/** Python: `dist.get_backend(group=None)`. */
export function getBackend(group?: ProcessGroup | null): string {
  groupOf("torch.distributed.getBackend", group);
  return world!.backend;
}

/**
 * Python: `dist.new_group(ranks=None, timeout=None, backend=None)`. Every process of the
 * default group must call it, members or not, in the same order; a non-member gets a group
 * whose rank is -1 (collectives on it do nothing, as in Python).
 */
export function newGroup(ranks?: number[] | null, options?: { timeout?: number; backend?: "gloo" | "nccl" }): ProcessGroup {
  const fn = "torch.distributed.newGroup";
  const o = checkOptions(fn, options, ["timeout", "backend"]);
  checkBackend(fn, o.backend);
  const w = world;
  if (w === null) defaultGroup(fn);
  const list = ranks === undefined || ranks === null ? w!.group.ranks.slice() : [...ranks].sort((a, b) => a - b);
  for (const r of list) {
    if (!Number.isInteger(r) || r < 0 || r >= w!.worldSize) throw new RangeError(`${fn}: rank ${r} is not in the default group (world size ${w!.worldSize})`);
  }
  if (new Set(list).size !== list.length) throw new RangeError(`${fn}: ranks must be unique, got ${list.join(", ")}`);
  const name = String(w!.groupCount);
  w!.groupCount += 1;
  const timeoutMs = (o.timeout as number | undefined) ?? w!.timeoutMs;
  const groupRank = list.indexOf(w!.rank);
  const nativeGroup = groupRank >= 0 ? gloo(w!.store, name, groupRank, list.length, timeoutMs) : null;
  storeBarrier(w!.store, w!.rank, w!.worldSize, w!.groupCount, timeoutMs);
  if (nativeGroup !== null) native.distSetSequenceNumber(nativeGroup);
  return new ProcessGroup(nativeGroup, groupRank, list, name);
}

/**
 * Python: `dist.destroy_process_group(group=None)`. Without a group, forgets the default one
 * and every group made from it (their connections close when collected).
 */
export function destroyProcessGroup(group?: ProcessGroup | null): void {
  if (group !== undefined && group !== null && world !== null && group !== world.group) return;
  defaultGroup("torch.distributed.destroyProcessGroup");
  world = null;
  forgetRanks();
  setRankAndWorldSize(null);
}

/** Internal: the world's global rank (for src/dst translation). */
export function globalRank(): number {
  return world === null ? -1 : world.rank;
}
