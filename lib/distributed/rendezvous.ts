// Where the ranks meet: Python's torch.distributed.rendezvous for env://, tcp:// and file://,
// making the same c10d store Python makes (so a Python rank can share it). Under torchrun
// (TORCHELASTIC_USE_AGENT_STORE=True) the agent already hosts the TCPStore: every rank is a
// client, under the agent's "/worker/attempt_<n>" prefix.
import type { DistStore } from "../../binding.js";
import { native } from "../binding.js";
import { TorchError } from "../errors.js";

export interface Rendezvous {
  store: DistStore;
  rank: number;
  worldSize: number;
  agentStore: boolean;
  /** Where the store is, for error messages. */
  where: string;
}

function envInt(name: string, given: number | undefined, method: string): number {
  if (given !== undefined) return given;
  const v = process.env[name];
  if (v === undefined || v === "") throw new TorchError(`Error initializing torch.distributed using ${method} rendezvous: environment variable ${name} expected, but not set`);
  const n = Number(v);
  if (!Number.isInteger(n)) throw new TorchError(`Error initializing torch.distributed using ${method} rendezvous: environment variable ${name} is ${JSON.stringify(v)}, not an integer`);
  return n;
}

function checkRankAndSize(rank: number, worldSize: number): void {
  if (!Number.isInteger(worldSize) || worldSize < 1) throw new RangeError(`torch.distributed.initProcessGroup: worldSize must be a positive integer, got ${worldSize}`);
  if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize) {
    throw new RangeError(`torch.distributed.initProcessGroup: rank ${rank} is outside [0, ${worldSize - 1}] for worldSize ${worldSize} (is WORLD_SIZE right?)`);
  }
}

function tcpStore(host: string, port: number, rank: number, worldSize: number, timeoutMs: number): { store: DistStore; agentStore: boolean } {
  if (!Number.isInteger(port) || port < 0 || port >= 65536) throw new RangeError(`port must have value from 0 to 65535 but was ${port}.`);
  const agentStore = process.env.TORCHELASTIC_USE_AGENT_STORE === "True";
  try {
    if (agentStore) {
      const client = native.distTcpStore(host, port, worldSize, false, timeoutMs, true);
      return { store: native.distPrefixStore(`/worker/attempt_${process.env.TORCHELASTIC_RESTART_COUNT ?? "0"}`, client), agentStore };
    }
    return { store: native.distTcpStore(host, port, worldSize, rank === 0, timeoutMs, true), agentStore };
  } catch (err) {
    const msg = err instanceof Error ? err.message.split("\n")[0]! : String(err);
    if (/address already in use|failed to listen|EADDRINUSE/i.test(msg)) {
      throw new TorchError(`torch.distributed.initProcessGroup: rank 0 cannot host the store on ${host}:${port}: the port is in use (another job, or a previous run still exiting); pick another MASTER_PORT. (${msg})`);
    }
    if (/timed? ?out|Timeout/i.test(msg)) {
      throw new TorchError(`torch.distributed.initProcessGroup: the rendezvous at ${host}:${port} did not complete within ${timeoutMs} ms (rank ${rank} of ${worldSize}): ${rank === 0 ? "not every rank connected — is WORLD_SIZE right, and did every rank start?" : "no store answered — is rank 0 running, and MASTER_ADDR/MASTER_PORT right?"} (${msg})`);
    }
    throw new TorchError(`torch.distributed.initProcessGroup: cannot reach the store at ${host}:${port}: ${msg}`);
  }
}

/** Python: `rendezvous(init_method, rank, world_size, timeout)` for the three schemes. */
export function rendezvous(initMethod: string, rank: number | undefined, worldSize: number | undefined, timeoutMs: number): Rendezvous {
  if (initMethod.startsWith("env://")) {
    const r = envInt("RANK", rank, "env://");
    const w = envInt("WORLD_SIZE", worldSize, "env://");
    checkRankAndSize(r, w);
    const host = process.env.MASTER_ADDR;
    if (!host) throw new TorchError("Error initializing torch.distributed using env:// rendezvous: environment variable MASTER_ADDR expected, but not set");
    const port = envInt("MASTER_PORT", undefined, "env://");
    return { ...tcpStore(host, port, r, w, timeoutMs), rank: r, worldSize: w, where: `${host}:${port}` };
  }
  if (initMethod.startsWith("tcp://")) {
    const url = new URL(initMethod);
    const r = rank ?? (url.searchParams.has("rank") ? Number(url.searchParams.get("rank")) : undefined);
    const w = worldSize ?? (url.searchParams.has("world_size") ? Number(url.searchParams.get("world_size")) : undefined);
    if (r === undefined || w === undefined) throw new TorchError("torch.distributed.initProcessGroup: tcp:// rendezvous needs rank and worldSize (options, or ?rank=&world_size= in the URL)");
    checkRankAndSize(r, w);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (url.port === "") throw new TorchError(`torch.distributed.initProcessGroup: ${initMethod} names no port`);
    return { ...tcpStore(host, Number(url.port), r, w, timeoutMs), rank: r, worldSize: w, where: `${host}:${url.port}` };
  }
  if (initMethod.startsWith("file://")) {
    const url = new URL(initMethod);
    const r = rank ?? (url.searchParams.has("rank") ? Number(url.searchParams.get("rank")) : undefined);
    const w = worldSize ?? (url.searchParams.has("world_size") ? Number(url.searchParams.get("world_size")) : undefined);
    if (r === undefined || w === undefined) throw new TorchError("torch.distributed.initProcessGroup: file:// rendezvous needs rank and worldSize");
    checkRankAndSize(r, w);
    const path = decodeURIComponent(url.pathname);
    let store: DistStore;
    try {
      store = native.distFileStore(path, w);
    } catch (err) {
      throw new TorchError(`torch.distributed.initProcessGroup: cannot use ${path} as the file store: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
    }
    return { store, rank: r, worldSize: w, agentStore: false, where: path };
  }
  throw new TorchError(`torch.distributed.initProcessGroup: no rendezvous handler for ${initMethod} (env://, tcp://host:port and file:///path are)`);
}
