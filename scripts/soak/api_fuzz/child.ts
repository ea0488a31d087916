// One batch of the API fuzzer, in its own process (a crash or hang kills only this batch).
//   node --import tsx scripts/soak/api_fuzz/child.ts '{"seed":1,"indices":[…],"timeoutMs":5000}'
// Writes one JSON line per event to fd 3 (synchronously, so the "start" of the call that
// crashes the process is on record): {ev:"start", i} and {ev:"done", i, …verdict}.
import fs from "node:fs";
import * as torch from "../../../lib/index.js";
import { cleanup, execute, judgeError, SILENT, type Outcome } from "./execute.js";
import { generate } from "./generate.js";
import { encode, toPython } from "./oracle.js";
import { makeTmpDir, type Made } from "./values.js";

export interface Verdict {
  ev: "done";
  i: number;
  fn: string;
  outcome: "result" | "error" | "fixture";
  cls?: string;
  fail?: string;
  message?: string;
  ms: number;
  rss: number;
  py?: unknown;
  ts?: unknown;
}

const job = JSON.parse(process.argv[2] ?? "{}") as { seed: number; indices: number[]; timeoutMs: number };
const out = (msg: unknown) => fs.writeSync(3, `${JSON.stringify(msg)}\n`);
const unhandled: unknown[] = [];
process.on("unhandledRejection", (reason) => unhandled.push(reason));
process.on("uncaughtException", (err) => unhandled.push(err));
const tmpDir = makeTmpDir("torch-ts-api-fuzz-");
process.chdir(tmpDir); // a string argument used as a path (torch.save(x, "abc")) lands here, not in the repo
const turn = () => new Promise<void>((r) => setImmediate(r));

async function once(i: number): Promise<{ v: Omit<Verdict, "ev" | "rss" | "ms">; leaked: number }> {
  const call = generate(job.seed, i);
  const made: Made = { tensors: [], modules: [], tmpDir };
  const before = torch.liveTensors();
  let outcome: Outcome | null = null;
  const v: Omit<Verdict, "ev" | "rss" | "ms"> = { i, fn: call.fn, outcome: "result" };
  try {
    outcome = await execute(call, made, job.timeoutMs);
    if (outcome.kind === "error") {
      const e = outcome.error as { hang?: boolean; message?: string };
      const j = judgeError(call.fn, outcome.error);
      v.outcome = "error";
      v.cls = j.cls;
      v.message = String(e?.message ?? e).slice(0, 300);
      if (e?.hang) v.fail = "hang";
      else if (j.fail) v.fail = j.fail;
    }
    const silent = outcome.kind === "result" ? (outcome.value as Record<string, unknown> | null)?.[SILENT] : undefined;
    if (typeof silent === "string") { v.fail = "silent-coercion"; v.message = silent; }
    const pyCall = toPython(call);
    if (pyCall) {
      v.py = pyCall;
      v.ts = outcome.kind === "result" ? encode(outcome.value) : { error: v.message };
    }
  } catch (err) {
    v.outcome = "fixture";
    v.message = (err as Error).message.slice(0, 300);
  } finally {
    try {
      cleanup(made, outcome);
    } catch (err) {
      v.fail ??= "cleanup-threw";
      v.message = `cleanup: ${(err as Error).message}`;
    }
  }
  await turn();
  await turn();
  if (unhandled.length > 0) {
    v.fail ??= "unhandled-rejection";
    v.message = `unhandled: ${String((unhandled[0] as Error)?.stack ?? unhandled[0]).slice(0, 300)}`;
    unhandled.length = 0;
  }
  return { v, leaked: torch.liveTensors() - before };
}

for (const i of job.indices) {
  out({ ev: "start", i });
  const t0 = performance.now();
  let { v, leaked } = await once(i);
  if (leaked > 0 && !v.fail) {
    // A first call may fill a cache: only a call that leaks again is a leak.
    ({ leaked } = await once(i));
    if (leaked > 0) { v.fail = "leak"; v.message = `${leaked} tensor(s) still alive after disposing the call's arguments and results; ${v.message ?? ""}`; }
  }
  out({ ev: "done", ...v, ms: performance.now() - t0, rss: process.memoryUsage.rss() } satisfies Verdict);
}
fs.rmSync(tmpDir, { recursive: true, force: true });
out({ ev: "end" });
process.exit(0); // a loader or worker left behind by a refused call must not hold the batch open
