// One worker of the TorchScript archive fuzz, in its own process (a crash or hang kills only
// this worker; the parent records the case and starts another on the rest).
//   node --import tsx scripts/soak/jit_fuzz/worker.ts '{"seed":1,"bases":[…],"from":0,"to":600}'
// Rebuilds each case from (seed, i), loads it with torch.jit.load and, if it loads, runs
// forward on a fixed input. Writes JSON lines to fd 3 synchronously, so the "start" of the
// case that kills the process is on record: {ev:"start", i} and {ev:"done", i, outcome, …}.
import fs from "node:fs";
import * as torch from "../../../lib/index.js";
import { checkScriptArchive } from "../../../lib/jit/archive_check.js";
import { makeCase, type Base } from "./mutate.js";

export type Outcome = "refused-check" | "refused-load" | "ran" | "forward-error" | "bad-error";

interface Job {
  seed: number;
  bases: { name: string; file: string; input: number[] }[];
  from: number;
  to: number;
}

const job = JSON.parse(process.argv[2] ?? "{}") as Job;
const bases: Base[] = job.bases.map((b) => ({ name: b.name, input: b.input, bytes: new Uint8Array(fs.readFileSync(b.file)) }));
const out = (msg: unknown) => fs.writeSync(3, `${JSON.stringify(msg)}\n`);
/** Errors a hostile archive may raise; anything else (RangeError, a plain Error) is a missed check. */
const fine = (err: unknown) => err instanceof torch.TorchError || err instanceof TypeError;
const brief = (err: unknown) => `${(err as Error)?.constructor?.name ?? typeof err}: ${String((err as Error)?.message ?? err).slice(0, 240)}`;

for (let i = job.from; i < job.to; i++) {
  out({ ev: "start", i });
  const t0 = performance.now();
  const c = makeCase(bases, job.seed, i);
  const base = bases.find((b) => b.name === c.base)!;
  let outcome: Outcome;
  let message: string | undefined;
  let checked = false;
  try {
    checkScriptArchive(c.bytes, "the case");
    checked = true;
    const m = torch.jit.load(c.bytes);
    out({ ev: "forward", i }); // a crash from here on is in running the loaded code
    try {
      torch.tidy(() => {
        m.eval();
        m.forward(torch.ones(base.input));
      });
      outcome = "ran";
    } catch (err) {
      outcome = fine(err) ? "forward-error" : "bad-error";
      message = brief(err);
    } finally {
      torch.dispose([...m.parameters(), ...m.buffers()]);
    }
  } catch (err) {
    outcome = !fine(err) ? "bad-error" : checked ? "refused-load" : "refused-check";
    message = brief(err);
  }
  out({ ev: "done", i, base: c.base, kind: c.kind, outcome, message, ms: performance.now() - t0 });
}
