// What a failed collective means, in words. Gloo reports a lost peer as a socket error naming
// an address and port ("Connection closed by peer [127.0.0.1]:40123"), which says nothing of
// the rank; a silent peer shows as a timeout. Each torch-ts rank publishes its pid and host in
// the store at init (initProcessGroup), so after a failure the ranks whose process is gone on
// this host can be named; if the store itself is unreachable, the rank hosting it (rank 0,
// unless torchrun's agent hosts it) is gone.
import { readFileSync } from "node:fs";
import os from "node:os";
import type { DistStore } from "../../binding.js";
import { native } from "../binding.js";
import { TorchError } from "../errors.js";

export interface FaultContext {
  store: DistStore;
  rank: number;
  worldSize: number;
  timeoutMs: number;
  /** Whether the store lives in a torchrun agent rather than in rank 0. */
  agentStore: boolean;
}

let context: FaultContext | null = null;
const INFO_KEY = "torch_ts/rank_info/";

/** Called by initProcessGroup: publish this rank, remember the store for diagnosis. */
export function publishRank(ctx: FaultContext): void {
  context = ctx;
  native.distStoreSet(ctx.store, INFO_KEY + ctx.rank, Buffer.from(JSON.stringify({ pid: process.pid, host: os.hostname() })));
}

export function forgetRanks(): void {
  context = null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  // A rank killed a moment ago may be a zombie its launcher has not reaped yet: gone all the same.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no /proc (not Linux): kill(pid, 0) is all there is
  }
}

/** The ranks known to be gone: their process no longer exists on this host. null: the store is unreachable. */
function goneRanks(ctx: FaultContext): number[] | null {
  const gone: number[] = [];
  native.distStoreSetTimeout(ctx.store, 1000);
  try {
    for (let r = 0; r < ctx.worldSize; r++) {
      if (r === ctx.rank) continue;
      let info: { pid: number; host: string };
      try {
        info = JSON.parse(native.distStoreGet(ctx.store, INFO_KEY + r).toString("utf8")) as { pid: number; host: string };
      } catch (err) {
        if (/timeout|Timeout|timed out/.test(String(err))) continue; // not a torch-ts rank (a Python one): unknown
        return null;
      }
      if (info.host === os.hostname() && !alive(info.pid)) gone.push(r);
    }
  } finally {
    try {
      native.distStoreSetTimeout(ctx.store, ctx.timeoutMs);
    } catch {
      // the store is gone; nothing to restore
    }
  }
  return gone;
}

export function explainFailure(err: unknown): Error {
  const message = err instanceof Error ? err.message.split("\n")[0]! : String(err);
  const lost = /closed by peer|reset by peer|Broken pipe|Connection refused|Socket Timeout|timed out|Timeout|EOF/i.test(message);
  if (!lost || context === null) return err instanceof Error ? err : new TorchError(message);
  const gone = goneRanks(context);
  let who: string;
  if (gone === null) who = context.agentStore ? "the torchrun agent holding the store is unreachable, and a rank" : "rank 0 (which holds the store)";
  else if (gone.length > 0) who = gone.length === 1 ? `rank ${gone[0]}` : `ranks ${gone.join(", ")}`;
  else who = "a peer rank (not found among this host's processes)";
  return new TorchError(`torch.distributed: ${who} is gone or not answering; rank ${context.rank} cannot finish the collective: ${message}`);
}
