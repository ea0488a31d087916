// The parent of the TorchScript archive fuzz: runs cases [0, count) of a seed in worker
// processes (worker.ts), restarts a worker after it crashes or hangs, and records which case
// did it (the case's archive is saved for replay when `saveDir` is given). Used by
// scripts/soak/jit_fuzz.ts (10 000 cases) and test/jit_fuzz.test.ts (a CI-sized run).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { PYTHON } from "../../../test/reference/python.js";
import { makeCase, type Base } from "./mutate.js";
import type { Outcome } from "./worker.js";

const here = path.dirname(fileURLToPath(import.meta.url));

export interface SeedFile {
  name: string;
  file: string;
  input: number[];
}

export interface Failure {
  i: number;
  base: string;
  kind: string;
  /** "crash" (a signal or exit), "hang" (no answer within the case timeout), "rss", "bad-error". */
  failure: string;
  /** Where it happened: "load" (torch.jit.load) or "forward" (running what loaded). */
  phase: "load" | "forward";
  message: string;
  saved?: string;
}

/**
 * A case that crashed or hung torch-ts while running forward, not while loading, and that
 * PyTorch crashes or hangs on in the same way: the archive's code does it (a loop it bounds by
 * a mutated attribute, an aten kernel given a hostile argument by mutated code). A
 * TorchScript archive is a program (see lib/jit/load.ts); no archive check can bound what
 * a program does, so these are reported, not failures.
 */
export interface AsPython {
  i: number;
  base: string;
  kind: string;
  failure: string;
  saved?: string;
}

export interface FuzzReport {
  seed: number;
  cases: number;
  seconds: number;
  outcomes: Record<Outcome | "crash" | "hang" | "rss" | "forward-crash-as-python" | "forward-hang-as-python", number>;
  /** Outcome counts by mutation kind's first word (truncate, raw-flip, pickle-int:data.pkl, …). */
  byKind: Record<string, Record<string, number>>;
  failures: Failure[];
  /** Crashes and hangs in forward that PyTorch has too (see AsPython). */
  asPython: AsPython[];
  slowest: { i: number; kind: string; ms: number };
  workers: number;
}

export interface FuzzOptions {
  seed: number;
  /** Cases [first, first + count) of the seed (first defaults to 0). */
  count: number;
  first?: number;
  seeds: SeedFile[];
  /** A case running longer than this is a hang (ms). */
  caseTimeoutMs?: number;
  /** A worker's resident set past this is a failure of its current case (bytes). */
  maxRss?: number;
  /** Parallel workers (the cases are split between them). */
  jobs?: number;
  /** Cases per worker process before a fresh one takes over (bounds what leaks accumulate). */
  batch?: number;
  saveDir?: string;
  onProgress?: (done: number) => void;
}

export async function runJitFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const t0 = performance.now();
  const caseTimeoutMs = o.caseTimeoutMs ?? 10_000;
  const maxRss = o.maxRss ?? 3 * 2 ** 30;
  const report: FuzzReport = {
    seed: o.seed, cases: o.count, seconds: 0, failures: [], asPython: [], byKind: {}, slowest: { i: -1, kind: "", ms: 0 }, workers: 0,
    outcomes: {
      "refused-check": 0, "refused-load": 0, ran: 0, "forward-error": 0, "bad-error": 0, crash: 0, hang: 0, rss: 0,
      "forward-crash-as-python": 0, "forward-hang-as-python": 0,
    },
  };
  const count = (kind: string, outcome: string) => {
    const k = kind.split("+")[0]!;
    const row = (report.byKind[k] ??= {});
    row[outcome] = (row[outcome] ?? 0) + 1;
  };
  let done = 0;
  const fail = (i: number, failure: string, phase: "load" | "forward", message: string) => {
    const bases: Base[] = o.seeds.map((s) => ({ name: s.name, input: s.input, bytes: new Uint8Array(fs.readFileSync(s.file)) }));
    const c = makeCase(bases, o.seed, i);
    const f: Failure = { i, base: c.base, kind: c.kind, failure, phase, message };
    if (o.saveDir) {
      fs.mkdirSync(o.saveDir, { recursive: true });
      f.saved = path.join(o.saveDir, `jit_fuzz_seed${o.seed}_case${i}.pt`);
      fs.writeFileSync(f.saved, c.bytes);
    }
    if (phase === "forward" && (failure === "crash" || failure === "hang")) {
      const input = bases.find((b) => b.name === c.base)!.input;
      if (pythonDoes(c.bytes, input, caseTimeoutMs) === failure) {
        report.outcomes[failure]--;
        report.outcomes[`forward-${failure}-as-python`]++;
        report.asPython.push({ i, base: c.base, kind: c.kind, failure, saved: f.saved });
        count(c.kind, `forward-${failure}-as-python`);
        return;
      }
    }
    report.failures.push(f);
    count(c.kind, failure);
  };

  // Runs [from, to) until done, a worker per stretch; a dead worker's case is charged and skipped.
  const stretch = async (from: number, to: number) => {
    while (from < to) {
      report.workers++;
      const next = await runWorker(o, from, Math.min(to, from + (o.batch ?? 1000)), caseTimeoutMs, maxRss, (v) => {
        report.outcomes[v.outcome as Outcome]++;
        count(v.kind, v.outcome);
        if (v.outcome === "bad-error") report.failures.push({ i: v.i, base: v.base, kind: v.kind, failure: "bad-error", phase: v.phase, message: v.message ?? "" });
        if (v.ms > report.slowest.ms) report.slowest = { i: v.i, kind: v.kind, ms: Math.round(v.ms) };
        o.onProgress?.(++done);
      });
      if (next.died) {
        if (next.died.i < 0) throw new Error(`jit_fuzz: a worker did not start: ${next.died.message}`);
        report.outcomes[next.died.failure as "crash" | "hang" | "rss"]++;
        fail(next.died.i, next.died.failure, next.died.phase, next.died.message);
        o.onProgress?.(++done);
        from = next.died.i + 1;
      } else {
        from = next.to;
      }
    }
  };
  const jobs = Math.max(1, Math.min(o.jobs ?? 1, o.count));
  const per = Math.ceil(o.count / jobs);
  const first = o.first ?? 0;
  await Promise.all(Array.from({ length: jobs }, (_, k) => stretch(first + k * per, first + Math.min(o.count, (k + 1) * per))));
  report.seconds = (performance.now() - t0) / 1000;
  return report;
}

/** What PyTorch does with the case's archive: load it and run forward on ones (reference/jit_fuzz.py). */
function pythonDoes(bytes: Uint8Array, input: number[], timeoutMs: number): "crash" | "hang" | "ok" {
  const file = path.join(fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "torch-ts-jit-replay-")), "case.pt");
  fs.writeFileSync(file, bytes);
  try {
    const res = spawnSync(PYTHON, [path.join(here, "../../../test/reference/jit_fuzz.py")], {
      input: JSON.stringify({ replay: file, input }), timeout: timeoutMs + 3000, killSignal: "SIGKILL", encoding: "utf8",
      env: { ...process.env, OMP_NUM_THREADS: "1" },
    });
    if ((res.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT") return "hang";
    if (res.signal) return "crash";
    if (res.status !== 0) throw new Error(`jit_fuzz: the PyTorch replay failed (exit ${res.status}): ${res.stderr.slice(-500)}`);
    return "ok";
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

interface Done { i: number; base: string; kind: string; outcome: string; message?: string; ms: number; phase: "load" | "forward" }

function runWorker(o: FuzzOptions, from: number, to: number, caseTimeoutMs: number, maxRss: number, record: (v: Done) => void):
  Promise<{ to: number; died: { i: number; failure: string; phase: "load" | "forward"; message: string } | null }> {
  return new Promise((resolve) => {
    const job = JSON.stringify({ seed: o.seed, bases: o.seeds, from, to });
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "worker.ts"), job], {
      stdio: ["ignore", "ignore", "pipe", "pipe"],
      env: { ...process.env, OMP_NUM_THREADS: "1" },
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    let current: number | null = null;
    let phase: "load" | "forward" = "load";
    let started = performance.now();
    let killedFor: { failure: string; message: string } | null = null;
    const kill = (failure: string, message: string) => {
      if (killedFor) return;
      killedFor = { failure, message };
      child.kill("SIGKILL");
    };
    const timer = setInterval(() => {
      try {
        const rss = Number(fs.readFileSync(`/proc/${child.pid}/statm`, "utf8").split(" ")[1]) * 4096;
        if (rss > maxRss) kill("rss", `resident set ${(rss / 2 ** 20).toFixed(0)} MB over the ${(maxRss / 2 ** 20).toFixed(0)} MB bound`);
      } catch { /* exited */ }
      if (current !== null && performance.now() - started > caseTimeoutMs) kill("hang", `no answer after ${caseTimeoutMs} ms`);
    }, 50);
    let last = from - 1;
    createInterface({ input: child.stdio[3] as NodeJS.ReadableStream }).on("line", (line) => {
      const m = JSON.parse(line) as Done & { ev: string };
      if (m.ev === "start") {
        current = m.i;
        phase = "load";
        started = performance.now();
        return;
      }
      if (m.ev === "forward") {
        phase = "forward";
        return;
      }
      current = null;
      m.phase = phase;
      last = m.i;
      record(m);
    });
    child.on("exit", (code, signal) => {
      clearInterval(timer);
      if (code === 0 && !killedFor && last === to - 1) return resolve({ to, died: null });
      const tail = stderr.trim().split("\n").slice(-4).join(" | ");
      if (current === null && last === from - 1) return resolve({ to, died: { i: -1, failure: "startup", phase, message: tail } });
      // Every case answered and then the process died at exit: charged to the last case.
      const i = current ?? last;
      const died = killedFor ?? { failure: "crash", message: `${current === null ? "at exit: " : ""}${signal ? `signal ${signal}` : `exit code ${code}`}; stderr: ${tail}` };
      resolve({ to, died: { i, phase, ...died } });
    });
  });
}
