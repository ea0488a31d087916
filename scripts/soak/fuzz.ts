// Soak test of torch.load against hostile input: the seeded fuzz of
// test/serialization_robustness.test.ts (same generator, same cases in the same order) run
// for 100 000 cases or more. Fails (exit 1) when anything but the loader's own errors
// escapes (a TypeError or RangeError from a missed check), when a case leaves a tensor alive
// (the failing input is saved for replay), when the
// resident set grows past a bound, or when one case takes longer than a bound; a native
// crash ends the process with a signal. Reports cases/s, loaded vs refused and peak RSS.
//
//   npx tsx scripts/soak/fuzz.ts [cases]        default 100000
//   FUZZ_SEED=n             another sequence of cases (default 0x5eed, the test's)
//   FUZZ_MAX_RSS_MB=n       RSS bound (default 1024)
//   FUZZ_MAX_CASE_MS=n      one case's time bound (default 5000; a hang shows here)
//
// The bases are Python-written checkpoints (test/reference/serialization.py, Debian's
// /usr/bin/python3 with torch), made into a temp directory at start.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as torch from "../../lib/index.js";
import { parseCommandLine, parseFlags, UsageError } from "../../lib/train/cli.js";
import { fuzzBases, runFuzz, type FuzzReport } from "../../test/reference/fuzz_cases.js";
import { ReferenceSession } from "../../test/reference/session.js";

const HELP = `usage: npx tsx scripts/soak/fuzz.ts [cases]
  cases                   how many fuzzed checkpoints to load, an integer >= 1 (default 100000)
  --help
environment: FUZZ_SEED=n (default 0x5eed), FUZZ_MAX_RSS_MB=n (default 1024), FUZZ_MAX_CASE_MS=n (default 5000)`;

const { cases } = parseCommandLine("soak/fuzz", HELP, () => {
  const { values, positionals } = parseFlags(process.argv.slice(2), {}, { positionals: true });
  if (values.help === true) return { help: true as const };
  if (positionals.length > 1) throw new UsageError(`expected at most one argument (cases), got ${positionals.length}: ${positionals.map((p) => JSON.stringify(p)).join(" ")}`);
  const text = positionals[0] ?? "100000";
  const n = /^\+?\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`cases must be an integer >= 1, got ${JSON.stringify(text)}`);
  return { cases: n };
});
const seed = Number(process.env.FUZZ_SEED ?? 0x5eed);
const maxRssMb = Number(process.env.FUZZ_MAX_RSS_MB ?? 1024);
const maxCaseMs = Number(process.env.FUZZ_MAX_CASE_MS ?? 5000);

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const line = (r: FuzzReport) =>
  `${r.cases} cases in ${r.seconds.toFixed(1)} s (${(r.cases / r.seconds).toFixed(0)} cases/s): ${r.loaded} loaded, ${r.refused} refused; ` +
  `peak RSS ${mb(r.peakRss)} MB; slowest case ${r.slowestCase} (${r.slowestMs.toFixed(1)} ms)`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "torch-ts-soak-fuzz-"));
const py = new ReferenceSession("serialization.py");
let files: Record<string, string>;
try {
  const gen = await py.request<{ cases: Record<string, { file?: string }> }>({ cmd: "generate", dir, small: true });
  files = Object.fromEntries(Object.entries(gen.cases).filter(([, c]) => c.file).map(([k, c]) => [k, c.file!]));
} finally {
  py.close();
}

const bases = fuzzBases(files);
const liveBefore = torch.liveTensors();
const rssBefore = process.memoryUsage.rss();
console.log(`fuzzing torch.load: ${cases} cases, seed ${seed}, ${bases.raws.length} raw bases and ${bases.zipped.length} repacked zips; RSS at start ${mb(rssBefore)} MB`);
const wall = performance.now();
let report: FuzzReport;
try {
  report = runFuzz(bases, cases, { seed, onProgress: (r) => console.log(`  ${line(r)}`) });
} catch (err) {
  // A non-library error or a leak: keep the input so it can be replayed with torch.load(file).
  const bytes = (err as { bytes?: Buffer }).bytes;
  const saved = bytes ? path.join(os.tmpdir(), `torch-ts-fuzz-failure-${Date.now()}.bin`) : null;
  if (saved && bytes) fs.writeFileSync(saved, bytes);
  console.error(`FAIL: ${(err as Error).message}${saved ? `\n  input saved to ${saved}` : ""}`);
  console.error((err as { cause?: Error }).cause?.stack ?? "");
  process.exit(1);
}
fs.rmSync(dir, { recursive: true, force: true });

console.log(line(report));
console.log(`wall time ${((performance.now() - wall) / 1000).toFixed(1)} s; RSS at end ${mb(process.memoryUsage.rss())} MB`);
const failures: string[] = [];
if (torch.liveTensors() !== liveBefore) failures.push(`tensors leaked: ${torch.liveTensors() - liveBefore}`);
if (report.peakRss > maxRssMb * 2 ** 20) failures.push(`peak RSS ${mb(report.peakRss)} MB is over the ${maxRssMb} MB bound`);
if (report.slowestMs > maxCaseMs) failures.push(`case ${report.slowestCase} took ${report.slowestMs.toFixed(0)} ms, over the ${maxCaseMs} ms bound`);
if (report.loaded === 0 || report.refused === 0) failures.push("every case loaded, or every case was refused: the fuzzer is not exercising the loader");
if (failures.length > 0) {
  for (const f of failures) console.error(`FAIL: ${f}`);
  process.exit(1);
}
console.log("ok");
