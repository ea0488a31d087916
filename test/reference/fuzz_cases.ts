// The seeded checkpoint fuzzer, shared by test/serialization_robustness.test.ts (a few
// thousand cases) and scripts/soak/fuzz.ts (100 000 and more): mutated bytes of valid
// files (zip, legacy and safetensors) and, so the mutations reach the unpickler behind the
// CRC check, zips repacked around a mutated data.pkl. Case i is the same in both.
// Imports the library by path, not as "torch-ts", so that a script run with tsx and the
// tests see the same error classes.
import fs from "node:fs";
import * as torch from "../../lib/index.js";
import { UnpicklingError } from "../../lib/serialization/values.js";
import { bufferSource, ZipReader, ZipWriter } from "../../lib/serialization/zip.js";

/** What the fuzzer mutates: whole files, and the records of zip checkpoints. */
export interface FuzzBases {
  raws: Buffer[];
  zipped: [string, Buffer][][];
}

/** The Python-written files the fuzzer starts from (serialization.py `generate` with small=true). */
export const RAW_FILES = ["views.pth", "nested.pth", "nested_proto4.pth", "views_legacy.pt", "nested_legacy.pt", "dtypes_legacy.pt"];
export const ZIPPED_FILES = ["nested.pth", "nested_proto4.pth", "views.pth", "scalars.pth"];

function recordsOf(file: Uint8Array): [string, Buffer][] {
  const z = new ZipReader(bufferSource(file));
  return z.entries.map((e) => [e.name.slice(e.name.indexOf("/") + 1), z.read(e)]);
}

function zipOf(records: [string, Uint8Array][]): Buffer {
  const chunks: Uint8Array[] = [];
  const w = new ZipWriter((c) => chunks.push(c), "archive");
  for (const [name, data] of records) w.writeRecord(name, data);
  w.finish();
  return Buffer.concat(chunks);
}

/** The bases from `files` (name -> path of the Python-written file), plus a safetensors file. */
export function fuzzBases(files: Record<string, string>): FuzzBases {
  const read = (name: string) => {
    const file = files[name];
    if (file === undefined) throw new Error(`fuzz base ${name} was not generated`);
    return fs.readFileSync(file);
  };
  const st = torch.tidy(() => torch.serialization.safetensors.save(new Map([["a", torch.arange(6).reshape([2, 3])], ["b", torch.tensor([1n, 2n])]])));
  return { raws: [...RAW_FILES.map(read), st], zipped: ZIPPED_FILES.map((n) => recordsOf(read(n))) };
}

/** The library's seeded PRNG: the same sequence everywhere. */
const rng = torch.vision.transforms.mulberry32;

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];

/** The fuzz cases in order: even cases mutate a whole file, odd ones a repacked data.pkl. */
export function* fuzzCases(bases: FuzzBases, count: number, seed = 0x5eed): Generator<Buffer> {
  const rand = rng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  // 1 to 3 of: bit flip, random byte, an "interesting" u32, truncation, deletion, duplication.
  const mutate = (src: Buffer): Buffer => {
    let b = Buffer.from(src);
    for (let k = 1 + int(3); k > 0 && b.length > 0; k--) {
      const at = int(b.length);
      switch (int(6)) {
        case 0: b[at] = b[at]! ^ (1 << int(8)); break;
        case 1: b[at] = int(256); break;
        case 2: if (at + 4 <= b.length) b.writeUInt32LE(INTERESTING[int(INTERESTING.length)]!, at); break;
        case 3: b = b.subarray(0, at); break;
        case 4: b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(16)))]); break;
        default: b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + 1 + int(16)), b.subarray(at)]);
      }
    }
    return b;
  };
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      yield mutate(bases.raws[int(bases.raws.length)]!);
    } else {
      const records = bases.zipped[int(bases.zipped.length)]!.map(([n, d]) => [n, d] as [string, Buffer]);
      const pk = records.findIndex(([n]) => n === "data.pkl");
      records[pk] = ["data.pkl", mutate(records[pk]![1])];
      yield zipOf(records);
    }
  }
}

/**
 * Disposes every tensor in a loaded value: Map keys and values, arrays, Sets, at any depth,
 * each container once. torch.dispose looks at Map values and 8 levels only, and mutated
 * pickles put tensors in keys and sets (Python allows tensors as dict keys).
 */
export function disposeAll(root: unknown): void {
  const seen = new Set<object>();
  const todo: unknown[] = [root];
  while (todo.length > 0) {
    const v = todo.pop();
    if (v instanceof torch.Tensor) {
      if (!v.isDisposed) v.dispose();
    } else if ((Array.isArray(v) || v instanceof Map || v instanceof Set) && !seen.has(v)) {
      seen.add(v);
      if (v instanceof Map) for (const [k, x] of v) todo.push(k, x);
      else todo.push(...v);
    }
  }
}

export interface FuzzReport {
  cases: number;
  loaded: number;
  refused: number;
  seconds: number;
  /** The slowest single case: a hang or a quadratic path shows here first. */
  slowestMs: number;
  slowestCase: number;
  /** Highest resident set size seen (sampled every 256 cases), in bytes. */
  peakRss: number;
}

/** An error of the fuzz itself (not a refusal): names the case and keeps its bytes. */
function caseError(i: number, what: string, bytes: Buffer, cause?: unknown): Error {
  return Object.assign(new Error(`fuzz case ${i}: ${what}`), { cause, bytes });
}

/**
 * Loads every case. A case passes when it loads (the result is disposed) or throws the
 * loader's own error (TorchError, UnpicklingError), and leaves no tensor alive; anything
 * else — a TypeError or RangeError escaping a missed check, a leak — is thrown naming the case.
 */
export function runFuzz(bases: FuzzBases, count: number, options: { seed?: number; onProgress?: (r: FuzzReport) => void } = {}): FuzzReport {
  const report: FuzzReport = { cases: 0, loaded: 0, refused: 0, seconds: 0, slowestMs: 0, slowestCase: -1, peakRss: process.memoryUsage.rss() };
  const started = performance.now();
  let i = 0;
  for (const bytes of fuzzCases(bases, count, options.seed)) {
    const t0 = performance.now();
    const live = torch.liveTensors();
    try {
      const result = torch.load(bytes);
      report.loaded++;
      disposeAll(result);
    } catch (err) {
      if (!(err instanceof torch.TorchError || err instanceof UnpicklingError)) {
        throw caseError(i, `unexpected ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, bytes, err);
      }
      report.refused++;
    }
    if (torch.liveTensors() !== live) throw caseError(i, `${torch.liveTensors() - live} tensors leaked`, bytes);
    const ms = performance.now() - t0;
    if (ms > report.slowestMs) [report.slowestMs, report.slowestCase] = [ms, i];
    report.cases = ++i;
    if ((i & 255) === 0) {
      report.peakRss = Math.max(report.peakRss, process.memoryUsage.rss());
      report.seconds = (performance.now() - started) / 1000;
      if ((i & 8191) === 0) options.onProgress?.(report);
    }
  }
  report.peakRss = Math.max(report.peakRss, process.memoryUsage.rss());
  report.seconds = (performance.now() - started) / 1000;
  return report;
}
