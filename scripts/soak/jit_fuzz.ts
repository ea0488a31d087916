// Soak test of torch.jit.load against hostile TorchScript archives: Python-made seed archives
// (test/reference/jit_fuzz.py) mutated — truncated, bytes flipped, and records rewritten with
// correct CRCs so the mutation reaches libtorch (scripts/soak/jit_fuzz/mutate.ts) — loaded in
// worker processes, forward run on whatever loads. A crash (signal), a hang, a resident set
// past the bound or an error other than TorchError/TypeError is a failure (exit 1; each
// failing case's archive is saved for replay). Prints the counts by outcome as JSON.
//
//   npx tsx scripts/soak/jit_fuzz.ts [cases] [--seed N] [--jobs N] [--save DIR]
//   defaults: 10000 cases, seed 1, 1 worker, failing archives saved under $TMPDIR/torch-ts-jit-fuzz-*
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseCommandLine, parseFlags, UsageError } from "../../lib/train/cli.js";
import { runReference } from "../../test/reference/python.js";
import { runJitFuzz, type SeedFile } from "./jit_fuzz/run.js";

const HELP = `usage: npx tsx scripts/soak/jit_fuzz.ts [cases] [--seed N] [--jobs N] [--save DIR]
  cases        how many mutated archives to load, an integer >= 1 (default 10000)
  --seed N     which sequence of mutations (default 1)
  --jobs N     worker processes in parallel (default 1)
  --save DIR   where failing archives are written (default a new temp directory)
environment: JIT_FUZZ_CASE_MS=n (a case's time bound, default 10000), JIT_FUZZ_MAX_RSS_MB=n (default 3072)`;

const int = (text: string, what: string, min: number): number => {
  const n = /^\+?\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${what} must be an integer >= ${min}, got ${JSON.stringify(text)}`);
  return n;
};
const opt = parseCommandLine("soak/jit_fuzz", HELP, () => {
  const { values, positionals } = parseFlags(process.argv.slice(2), {
    seed: { type: "string" }, jobs: { type: "string" }, save: { type: "string" },
  }, { positionals: true });
  if (values.help === true) return { help: true as const };
  if (positionals.length > 1) throw new UsageError(`expected at most one argument (cases), got ${positionals.length}`);
  return {
    cases: int(positionals[0] ?? "10000", "cases", 1),
    seed: int(String(values.seed ?? "1"), "--seed", 0),
    jobs: int(String(values.jobs ?? "1"), "--jobs", 1),
    save: typeof values.save === "string" ? values.save : undefined,
  };
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "torch-ts-jit-fuzz-"));
const { bases } = runReference<{ bases: SeedFile[] }>("jit_fuzz.py", { dir });
const saveDir = opt.save ?? path.join(dir, "failures");
console.error(`jit_fuzz: ${opt.cases} cases, seed ${opt.seed}, ${opt.jobs} worker(s), seeds ${bases.map((b) => b.name).join(", ")}`);
let last = 0;
const report = await runJitFuzz({
  seed: opt.seed, count: opt.cases, seeds: bases, jobs: opt.jobs, saveDir,
  caseTimeoutMs: Number(process.env.JIT_FUZZ_CASE_MS ?? 10_000),
  maxRss: Number(process.env.JIT_FUZZ_MAX_RSS_MB ?? 3072) * 2 ** 20,
  onProgress: (done) => {
    if (done - last >= 1000) {
      last = done;
      console.error(`jit_fuzz: ${done}/${opt.cases}`);
    }
  },
});
console.log(JSON.stringify({
  seed: report.seed, cases: report.cases, seconds: Math.round(report.seconds), outcomes: report.outcomes,
  failures: report.failures, asPython: report.asPython, slowest: report.slowest, workers: report.workers, byKind: report.byKind,
}, null, 2));
if (report.failures.length > 0) {
  console.error(`jit_fuzz: ${report.failures.length} failing case(s); archives under ${saveDir}`);
  process.exit(1);
}
fs.rmSync(dir, { recursive: true, force: true });
