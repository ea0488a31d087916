// The standing API fuzzer: seeded random calls across torch-ts's public surface (creation,
// tensor ops, nn layers and functional, init, optim, DataLoader, save/load/loadAsync,
// setNumThreads, grad mode, forwardAsync, and, for 60% of the calls, every function of the
// generated op surface with arguments derived from its schemas: api_fuzz/schema.ts, whose
// errors must name the op) with hostile values (NaN, ±Inf, -0, 2^53+1, bigints,
// huge/fractional/negative sizes, Proxies, throwing getters and valueOf, cyclic and sparse
// arrays, disposed tensors, wrong devices and dtypes, strings for numbers). Batches run in child
// processes (scripts/soak/api_fuzz/child.ts); creation and elementwise/reduction calls on plain
// values are also run by PyTorch (test/reference/api_fuzz.py) and must agree with it.
// A call passes if it returns (matching PyTorch where PyTorch has the call) or throws a clean
// error: a TorchError with a message, or an Error whose message names a function ("fn: …", as
// lib/validate.ts argError writes, or the called function's name), or the fuzz value's own
// trap error passed through. Fails: signal, hang, RSS over the bound, leak, unnamed error,
// silent coercion (PyTorch refuses, we return), a result that differs from PyTorch's.
// Known defects are allowlisted in scripts/soak/api_fuzz/allowlist.json (reasons given).
//
//   npx tsx scripts/soak/api_fuzz.ts [calls] [--seed N] [--batch N] [--json] [--replay I]
//   defaults: 100000 calls, seed 1, 500 calls per child; FUZZ_MAX_RSS_MB (1536), FUZZ_MAX_CALL_MS (10000)
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { ReferenceSession } from "../../test/reference/session.js";
import type { Verdict } from "./api_fuzz/child.js";
import { generate, METHOD_ARITY } from "./api_fuzz/generate.js";
import { compare, type Encoded, type PyCall } from "./api_fuzz/oracle.js";
import { renderGenerated, TARGET_BY_LABEL } from "./api_fuzz/schema.js";
import { source } from "./api_fuzz/values.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const USAGE = "usage: npx tsx scripts/soak/api_fuzz.ts [calls] [--seed N] [--batch N] [--json] [--replay I]";
function usage(msg: string): never {
  console.error(`${msg}\n${USAGE}`);
  process.exit(2);
}
const opt = { calls: 100_000, seed: 1, batch: 500, json: false, replay: null as number | null };
const argv = process.argv.slice(2);
for (let k = 0; k < argv.length; k++) {
  const a = argv[k]!;
  const intArg = (name: string) => {
    const v = argv[++k];
    if (v === undefined || !/^\d+$/.test(v)) usage(`${name} needs a non-negative integer, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  if (a === "--seed") opt.seed = intArg(a);
  else if (a === "--batch") opt.batch = Math.max(1, intArg(a));
  else if (a === "--replay") opt.replay = intArg(a);
  else if (a === "--json") opt.json = true;
  else if (a === "--help" || a === "-h") { console.log(USAGE); process.exit(0); }
  else if (/^\d+$/.test(a) && Number(a) >= 1) opt.calls = Number(a);
  else usage(`Unknown argument ${JSON.stringify(a)}`);
}
const maxRss = Number(process.env.FUZZ_MAX_RSS_MB ?? 1536) * 2 ** 20;
const maxCallMs = Number(process.env.FUZZ_MAX_CALL_MS ?? 10_000);

/** An allowlisted defect: every given field must match (regexes; extraArgs: a Tensor method given more positional arguments than it takes). */
interface Allow { id: string; fn: string; args?: string; kind?: string; message?: string; extraArgs?: boolean; reason: string }
const allowlist = JSON.parse(fs.readFileSync(path.join(here, "api_fuzz", "allowlist.json"), "utf8")) as Allow[];

interface Failure { i: number; fn: string; kind: string; message: string; known?: string }
const failures: Failure[] = [];
const classes = new Map<string, number>();
const fns = new Set<string>();
const bump = (k: string) => classes.set(k, (classes.get(k) ?? 0) + 1);
let slowest = { ms: 0, i: -1, fn: "" };
let peakRss = 0;
let done = 0;
let generatedCalls = 0;
const oracleQueue: { v: Verdict }[] = [];
const refusedWherePytorchAccepts: string[] = [];

function fail(i: number, fn: string, kind: string, message: string) {
  const args = generate(opt.seed, i).args;
  const argsJson = JSON.stringify(args);
  const positional = args.slice(1).filter((v, k, all) => !(k === all.length - 1 && v.k === "obj")).length;
  const extraArgs = fn.startsWith("Tensor.") && positional > (METHOD_ARITY[fn.slice(7)] ?? Infinity);
  const known = allowlist.find((a) => new RegExp(a.fn).test(fn) && (!a.args || new RegExp(a.args).test(argsJson)) && (!a.extraArgs || extraArgs) &&
    (!a.kind || new RegExp(a.kind).test(kind)) && (!a.message || new RegExp(a.message).test(message)));
  failures.push({ i, fn, kind, message, known: known?.id });
  bump(known ? `known-failure:${known.id}` : `FAIL:${kind}`);
}

/**
 * glibc's malloc checking in the children (FUZZ_MALLOC_CHECK=0 turns it off): a kernel that
 * writes past a tensor's end otherwise corrupts the heap silently, to abort some later call in
 * free(), or never; checked, the free of the overrun buffer aborts within the call's cleanup.
 */
const MALLOC_DEBUG = "/lib/x86_64-linux-gnu/libc_malloc_debug.so.0";
const mallocCheck: Record<string, string> = process.env.FUZZ_MALLOC_CHECK !== "0" && fs.existsSync(MALLOC_DEBUG)
  ? { LD_PRELOAD: [process.env.LD_PRELOAD, MALLOC_DEBUG].filter(Boolean).join(" "), GLIBC_TUNABLES: [process.env.GLIBC_TUNABLES, "glibc.malloc.check=3"].filter(Boolean).join(":") }
  : {};

/** Runs calls `indices` in one child; returns the indices not run (after a crash/hang/RSS kill). */
function runChild(indices: number[]): Promise<{ rest: number[]; died: { i: number; kind: string; message: string; atExit?: boolean } | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "api_fuzz", "child.ts"), JSON.stringify({ seed: opt.seed, indices, timeoutMs: maxCallMs })],
      { stdio: ["ignore", "ignore", "pipe", "pipe"], env: { ...process.env, OMP_NUM_THREADS: "1", ...mallocCheck } });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    let current: number | null = null;
    let started = performance.now();
    const finished = new Set<number>();
    let anyStarted = false;
    let killedFor: { kind: string; message: string } | null = null;
    const kill = (kind: string, message: string) => { if (!killedFor) { killedFor = { kind, message }; child.kill("SIGKILL"); } };
    const timer = setInterval(() => {
      try {
        const rss = Number(fs.readFileSync(`/proc/${child.pid}/statm`, "utf8").split(" ")[1]) * 4096;
        peakRss = Math.max(peakRss, rss);
        if (rss > maxRss) kill("rss", `resident set ${(rss / 2 ** 20).toFixed(0)} MB over the ${(maxRss / 2 ** 20).toFixed(0)} MB bound`);
      } catch { /* exited */ }
      if (current !== null && performance.now() - started > maxCallMs) kill("hang", `no answer after ${maxCallMs} ms`);
    }, 25);
    createInterface({ input: child.stdio[3] as NodeJS.ReadableStream }).on("line", (line) => {
      const m = JSON.parse(line) as Omit<Verdict, "ev"> & { ev: string };
      if (m.ev === "start") { current = m.i; started = performance.now(); anyStarted = true; return; }
      if (m.ev !== "done") return;
      current = null;
      finished.add(m.i);
      record(m as Verdict);
    });
    child.on("exit", (code, signal) => {
      clearInterval(timer);
      const rest = indices.filter((i) => !finished.has(i));
      if (rest.length === 0 && code === 0) return resolve({ rest, died: null });
      // A child that never reached its first call did not start (e.g. lib/ mid-edit): not a call's fault.
      if (!anyStarted && !killedFor) return resolve({ rest, died: { i: -1, kind: "startup", message: stderr.trim().split("\n").slice(-6).join(" | ") } });
      // Every call returned and then the process died: a heap overrun by an earlier call shows at
      // exit, when destructors free memory next to it. Charged to the batch's last call and
      // pinpointed like any crash (a run ending in the culprit crashes at its exit too).
      const atExit = current === null && rest.length === 0;
      const at = current ?? rest[0] ?? indices[indices.length - 1]!;
      const died = killedFor ?? { kind: signal ? "crash" : "child-exit", message: `${atExit ? "at exit, after the calls returned: " : ""}${signal ? `signal ${signal}` : `exit code ${code}`}; stderr: ${stderr.trim().split("\n").slice(-3).join(" | ")}` };
      resolve({ rest: rest.filter((i) => i !== at), died: { i: at, atExit, ...died } });
    });
  });
}

function record(v: Verdict) {
  done++;
  if (TARGET_BY_LABEL.has(v.fn)) generatedCalls++;
  fns.add(v.fn);
  peakRss = Math.max(peakRss, v.rss);
  if (v.ms > slowest.ms) slowest = { ms: v.ms, i: v.i, fn: v.fn };
  if (v.fail) return fail(v.i, v.fn, v.fail, v.message ?? "");
  if (v.py) return void oracleQueue.push({ v });
  bump(v.outcome === "result" ? "ok-result" : v.outcome === "fixture" ? "skipped-fixture" : `clean-error:${v.cls}`);
}

async function runOracle(py: ReferenceSession) {
  const batch = oracleQueue.splice(0);
  if (batch.length === 0) return;
  const { results } = await py.request<{ results: Record<string, Encoded | { error: string }> }>({ calls: batch.map(({ v }) => ({ id: String(v.i), ...(v.py as PyCall) })) });
  for (const { v } of batch) {
    const pr = results[String(v.i)]!;
    const ts = v.ts as Encoded | { error: string };
    const pyErr = pr !== null && typeof pr === "object" && !Array.isArray(pr) && "error" in pr;
    const tsErr = ts !== null && typeof ts === "object" && !Array.isArray(ts) && "error" in ts;
    if (pyErr && tsErr) bump("ok-both-refuse");
    else if (pyErr) fail(v.i, v.fn, "silent-coercion", `returned ${JSON.stringify(ts).slice(0, 200)}; PyTorch refuses: ${(pr as { error: string }).error}`);
    else if (tsErr) {
      bump(`clean-error-where-pytorch-accepts:${v.cls}`);
      if (refusedWherePytorchAccepts.length < 8) refusedWherePytorchAccepts.push(`#${v.i} ${describeCall(v.i)}  -> ${(ts as { error: string }).error.slice(0, 120)}`);
    } else {
      let d: string | null;
      try {
        d = compare(ts as Encoded, pr as Encoded, (v.py as PyCall).compare);
      } catch (err) {
        d = `the oracle could not compare the results (${(err as Error).message}): ${String(JSON.stringify(ts)).slice(0, 100)} vs ${String(JSON.stringify(pr)).slice(0, 100)}`;
      }
      if (d) fail(v.i, v.fn, "mismatch", d);
      else bump("ok-matching-pytorch");
    }
  }
}

function describeCall(i: number): string {
  const c = generate(opt.seed, i);
  const a = c.args.map(source);
  const generated = renderGenerated(c.fn, a);
  if (generated !== null) return generated;
  if (c.fn.startsWith("Tensor.")) return `${a[0]}.${c.fn.slice(7)}(${a.slice(1).join(", ")})`;
  if (c.fn.endsWith("#call")) return `new torch.nn.${c.fn.slice(3, -5)}(...${a[0]}).call(${a.slice(1).join(", ")})`;
  return `${c.fn}(${a.join(", ")})`;
}

/** A crash whose call does not crash alone: the shortest run of preceding calls that does. */
async function pinpoint(batch: number[], at: number, kind: string, message: string) {
  const alone = await runChild([at]);
  if (alone.died && alone.died.i === at) return fail(at, generate(opt.seed, at).fn, kind, `${message} (reproduces alone: --replay ${at})`);
  const upto = batch.slice(0, batch.indexOf(at) + 1);
  let lo = 0, hi = upto.length - 1; // calls upto[lo..] crash; find the largest lo that still does
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const r = await runChild(upto.slice(mid));
    if (r.died && r.died.i === at) lo = mid; else hi = mid - 1;
  }
  fail(at, generate(opt.seed, at).fn, kind, `${message} (only after calls ${upto[lo]}..${at - 1} in the same process)`);
}

const wall = performance.now();
let startupFailures = 0;
const py = new ReferenceSession("api_fuzz.py");
try {
  const all = opt.replay !== null ? [opt.replay] : Array.from({ length: opt.calls }, (_, i) => i);
  if (opt.replay !== null) console.log(`call ${opt.replay}: ${describeCall(opt.replay)}`);
  for (let b = 0; b < all.length; b += opt.batch) {
    const batch = all.slice(b, b + opt.batch);
    let todo = batch;
    while (todo.length > 0) {
      const { rest, died } = await runChild(todo);
      if (died?.kind === "startup") {
        if (++startupFailures > 3) throw new Error(`api_fuzz: a batch child failed to start 4 times: ${died.message}`);
        await new Promise((r) => setTimeout(r, 2000));
        continue;
      }
      if (died) {
        if (!died.atExit) { // a call that died is counted here; one that returned was counted when it did
          done++;
          if (TARGET_BY_LABEL.has(generate(opt.seed, died.i).fn)) generatedCalls++;
        }
        if (died.kind === "crash") await pinpoint(batch, died.i, died.kind, died.message);
        else fail(died.i, generate(opt.seed, died.i).fn, died.kind, died.message);
      }
      todo = rest;
    }
    await runOracle(py);
    if (!opt.json && (b / opt.batch) % 20 === 19) console.log(`  ${done} calls, ${((performance.now() - wall) / 1000).toFixed(0)} s, ${failures.filter((f) => !f.known).length} failures`);
  }
} finally {
  py.close();
}

const seconds = (performance.now() - wall) / 1000;
const newFailures = failures.filter((f) => !f.known);
const report = {
  calls: done, seed: opt.seed, seconds, distinctFunctions: fns.size,
  generatedFunctions: { called: [...fns].filter((f) => TARGET_BY_LABEL.has(f)).length, of: TARGET_BY_LABEL.size },
  generatedCalls: generatedCalls,
  outcomes: Object.fromEntries([...classes].sort()), slowestCall: { ...slowest, call: slowest.i >= 0 ? describeCall(slowest.i) : "" },
  peakRssMB: peakRss / 2 ** 20,
  failures: failures.map((f) => ({ ...f, replay: `npx tsx scripts/soak/api_fuzz.ts --seed ${opt.seed} --replay ${f.i}`, call: describeCall(f.i) })),
  refusedWherePytorchAccepts, ok: newFailures.length === 0,
};
if (opt.json) console.log(JSON.stringify(report));
else {
  console.log(`${done} calls (seed ${opt.seed}) in ${seconds.toFixed(1)} s; ${fns.size} distinct functions; peak RSS ${report.peakRssMB.toFixed(0)} MB`);
  console.log(`generated surface: ${generatedCalls} calls, ${report.generatedFunctions.called} of its ${report.generatedFunctions.of} functions; hand-written: ${done - generatedCalls} calls, ${fns.size - report.generatedFunctions.called} functions`);
  console.log(`slowest call #${slowest.i} ${slowest.fn}: ${slowest.ms.toFixed(1)} ms`);
  for (const [k, n] of [...classes].sort()) console.log(`  ${k.padEnd(48)} ${n}`);
  if (refusedWherePytorchAccepts.length) console.log(`refused where PyTorch accepts (first ${refusedWherePytorchAccepts.length}):\n  ${refusedWherePytorchAccepts.join("\n  ")}`);
  for (const f of failures) {
    console.log(`${f.known ? `known (${f.known})` : "FAIL"} ${f.kind} #${f.i} ${f.fn}: ${f.message.slice(0, 300)}\n    ${describeCall(f.i).slice(0, 400)}\n    replay: npx tsx scripts/soak/api_fuzz.ts --seed ${opt.seed} --replay ${f.i}`);
  }
  console.log(newFailures.length === 0 ? "ok" : `${newFailures.length} failure(s)`);
}
process.exit(newFailures.length === 0 ? 0 : 1);
