// The mutations of the TorchScript archive fuzz (scripts/soak/jit_fuzz.ts, test/jit_fuzz.test.ts).
// Case i of seed s is a pure function of (s, i) and the seed archives, so the worker process
// rebuilds each case itself and the parent rebuilds the one that crashed to save it.
//
// Raw mutations (truncation, byte flips anywhere) mostly exercise the zip check. The record
// mutations rewrite the archive with correct CRCs and sizes (zip_rewrite.ts), so the mutated
// record gets past the zip check and reaches libtorch's readers: pickles (opcodes swapped,
// lengths made giant, integers such as tensor sizes, offsets and storage numels made huge or
// negative, storage keys and dtypes changed), code, storages, the version record, and whole
// records deleted, duplicated, emptied or swapped.
import { readArchive, writeArchive, type ArchiveRecord } from "./zip_rewrite.js";
import { encodeInt, pickleOps, type PickleOp } from "./pickle_ops.js";

export interface Base {
  name: string;
  bytes: Uint8Array;
  /** The forward input's shape. */
  input: number[];
}

export interface Case {
  base: string;
  kind: string;
  bytes: Uint8Array;
}

/** A small seeded PRNG (mulberry32): the same (seed, case) always gives the same mutation. */
export function rng(seed: number, i: number): () => number {
  let a = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
const splice = (b: Uint8Array, at: number, remove: number, insert: Uint8Array) => concat(b.subarray(0, at), insert, b.subarray(at + remove));
const latin1 = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

function flipBytes(r: Rand, b: Uint8Array, from = 0, to = b.length): Uint8Array {
  const out = b.slice();
  if (to <= from) return out;
  const n = 1 + int(r, 8);
  for (let k = 0; k < n; k++) {
    const at = from + int(r, to - from);
    out[at] = r() < 0.5 ? out[at]! ^ (1 << int(r, 8)) : int(r, 256);
  }
  return out;
}

/** Which records a record mutation aims at: each kind of record a TorchScript archive holds. */
function recordClass(name: string): string {
  if (name === "data.pkl" || name === "constants.pkl" || name === "version" || name === ".data/version") return name;
  if (name.endsWith(".debug_pkl")) return "debug_pkl";
  if (name.startsWith("code/")) return "code";
  if (name.startsWith("data/")) return "data/N";
  if (name.startsWith("constants/")) return "constants/N";
  return "other";
}

function pickRecord(r: Rand, records: ArchiveRecord[], classes?: readonly string[]): ArchiveRecord | undefined {
  const present = [...new Set(records.map((x) => recordClass(x.name)))].filter((c) => !classes || classes.includes(c));
  if (present.length === 0) return undefined;
  const cls = pick(r, present);
  return pick(r, records.filter((x) => recordClass(x.name) === cls));
}

const NO_ARG_OPS = latin1("()]}tRb.012Q\x81\x85\x86\x87\x88\x89Neasuld");
const HUGE_INTS: readonly bigint[] = [-1n, -2n, 0n, 1n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n, 2n ** 40n, 2n ** 53n, 2n ** 62n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, 2n ** 64n, 2n ** 100n];
const VERSIONS = ["0", "1", "2", "4", "5", "6", "7", "8", "9", "10", "99", "-1", "18446744073709551616", "3.5", "abc", "", "3\n3", " 3", "0x3", "3\0", "9999999999"];
const STRINGS = ["", "9", "99", "0", "1", "-1", "cuda", "cuda:7", "meta", "mps", "xyz", "storage", "../0", "data/0", "\u00ff", "x".repeat(300)];
const STORAGES = ["FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage", "LongStorage", "IntStorage", "ByteStorage", "BoolStorage", "ComplexFloatStorage", "QInt8Storage", "UntypedStorage", "Storage", "Tensor", "NoSuchStorage"];

/** A pickle mutated at one of its opcodes; null when it has none of the kind asked for. */
function mutatePickle(r: Rand, pkl: Uint8Array, how: string): Uint8Array | null {
  const ops = pickleOps(pkl);
  const of = (f: (op: PickleOp) => boolean) => ops.filter(f);
  switch (how) {
    case "opcode-swap": {
      const cands = of((op) => NO_ARG_OPS.includes(op.code));
      if (cands.length === 0) return null;
      const out = pkl.slice();
      out[pick(r, cands).at] = pick(r, [...NO_ARG_OPS]);
      return out;
    }
    case "opcode-exchange": {
      // Two neighbouring opcodes (with their arguments) trade places.
      if (ops.length < 3) return null;
      const k = 1 + int(r, ops.length - 2);
      const a = ops[k - 1]!;
      const b = ops[k]!;
      return concat(pkl.subarray(0, a.at), pkl.subarray(b.at, b.end), pkl.subarray(a.at, a.end), pkl.subarray(b.end));
    }
    case "opcode-delete": {
      if (ops.length < 2) return null;
      const op = pick(r, ops);
      return splice(pkl, op.at, op.end - op.at, new Uint8Array(0));
    }
    case "giant-length": {
      const cands = of((op) => op.lenBytes > 0);
      if (cands.length === 0) return null;
      const op = pick(r, cands);
      const out = pkl.slice();
      const view = new DataView(out.buffer);
      const max = op.lenBytes === 1 ? 0xff : op.lenBytes === 4 ? 0xffffffff : Number.MAX_SAFE_INTEGER;
      const len = pick(r, [max, max - 1, 0x7fffffff, op.argLen + 1, op.argLen + 1000, 0]);
      const at = op.at + 1;
      if (op.lenBytes === 1) out[at] = Math.min(len, 0xff);
      else if (op.lenBytes === 4) view.setUint32(at, Math.min(len, 0xffffffff), true);
      else view.setBigUint64(at, BigInt(Math.min(len, Number.MAX_SAFE_INTEGER)) * (r() < 0.5 ? 1n : 2n ** 10n), true);
      return out;
    }
    case "int": {
      // Tensor sizes, strides, storage offsets and numels are the pickle's integers.
      const cands = of((op) => op.int !== undefined);
      if (cands.length === 0) return null;
      const op = pick(r, cands);
      const v = r() < 0.7 ? pick(r, HUGE_INTS) : BigInt(op.int!) + BigInt(pick(r, [-1, 1, 2, 7, 64, -64]));
      return splice(pkl, op.at, op.end - op.at, encodeInt(v));
    }
    case "string": {
      // Storage keys ("0" → "9": a missing record), devices, attribute names.
      const cands = of((op) => op.code === 0x58 || op.code === 0x8c);
      if (cands.length === 0) return null;
      const op = pick(r, cands);
      const s = Buffer.from(pick(r, STRINGS), "utf8");
      const head = new Uint8Array(5);
      head[0] = 0x58;
      new DataView(head.buffer).setUint32(1, s.length, true);
      return splice(pkl, op.at, op.end - op.at, concat(head, s));
    }
    case "global": {
      // A storage's dtype (torch FloatStorage → HalfStorage / an unknown one), or another class.
      const cands = of((op) => op.code === 0x63);
      if (cands.length === 0) return null;
      const op = pick(r, cands);
      const text = Buffer.from(pkl.subarray(op.at + 1, op.end)).toString("latin1");
      const [module = "", name = ""] = text.split("\n");
      const next = module === "torch" ? `torch\n${pick(r, STORAGES)}\n` : r() < 0.5 ? `${module}\n${name}x\n` : `torch._utils\n${pick(r, ["_rebuild_tensor_v2", "_rebuild_tensor", "_rebuild_parameter", "_rebuild_qtensor", "_rebuild_sparse_tensor", "nothing"])}\n`;
      return splice(pkl, op.at + 1, op.end - op.at - 1, latin1(next));
    }
    default:
      throw new Error(`unknown pickle mutation ${how}`);
  }
}

const PICKLE_MUTATIONS = ["opcode-swap", "opcode-exchange", "opcode-delete", "giant-length", "int", "int", "int", "string", "global"];

/** One mutation of `records` (in place); returns its kind, or null when it did not apply. */
function mutateRecords(r: Rand, records: ArchiveRecord[]): string | null {
  const how = pick(r, ["flip", "flip", "pickle", "pickle", "pickle", "pickle", "truncate", "delete", "duplicate", "copy", "empty", "add", "version", "code-line", "code-number"]);
  switch (how) {
    case "flip": {
      const rec = pickRecord(r, records);
      if (!rec || rec.data.length === 0) return null;
      rec.data = flipBytes(r, rec.data);
      return `flip:${recordClass(rec.name)}`;
    }
    case "pickle": {
      const rec = pickRecord(r, records, ["data.pkl", "constants.pkl", "debug_pkl"]);
      if (!rec) return null;
      const m = pick(r, PICKLE_MUTATIONS);
      const out = mutatePickle(r, rec.data, m);
      if (!out) return null;
      rec.data = out;
      return `pickle-${m}:${recordClass(rec.name)}`;
    }
    case "truncate": {
      const rec = pickRecord(r, records);
      if (!rec || rec.data.length === 0) return null;
      rec.data = rec.data.slice(0, int(r, rec.data.length));
      return `truncate:${recordClass(rec.name)}`;
    }
    case "delete": {
      const rec = pickRecord(r, records);
      if (!rec) return null;
      records.splice(records.indexOf(rec), 1);
      return `delete:${recordClass(rec.name)}`;
    }
    case "duplicate": {
      const rec = pickRecord(r, records);
      if (!rec) return null;
      records.splice(int(r, records.length + 1), 0, { name: rec.name, data: rec.data.slice() });
      return `duplicate:${recordClass(rec.name)}`;
    }
    case "copy": {
      // Another record's bytes under this one's name (a storage of another size, a pickle as code).
      const a = pickRecord(r, records);
      const b = pickRecord(r, records);
      if (!a || !b || a === b) return null;
      a.data = b.data.slice();
      return `copy:${recordClass(b.name)}->${recordClass(a.name)}`;
    }
    case "empty": {
      const rec = pickRecord(r, records);
      if (!rec) return null;
      rec.data = new Uint8Array(0);
      return `empty:${recordClass(rec.name)}`;
    }
    case "add": {
      const name = pick(r, ["data/99", "constants/7", "code/__torch__/extra.py", "extra.pkl", "version2", ".data/version", "data/0/x"]);
      if (records.some((x) => x.name === name)) return null;
      records.push({ name, data: flipBytes(r, pick(r, records).data) });
      return `add:${name}`;
    }
    case "version": {
      const rec = records.find((x) => recordClass(x.name) === "version" || recordClass(x.name) === ".data/version");
      if (!rec) return null;
      rec.data = latin1(pick(r, VERSIONS) + (r() < 0.7 ? "\n" : ""));
      return "version";
    }
    case "code-line": {
      const rec = pickRecord(r, records, ["code"]);
      if (!rec) return null;
      const lines = Buffer.from(rec.data).toString("latin1").split("\n");
      const k = int(r, lines.length);
      if (r() < 0.5) lines.splice(k, 1);
      else lines.splice(int(r, lines.length), 0, lines[k]!);
      rec.data = latin1(lines.join("\n"));
      return "code-line";
    }
    case "code-number": {
      const rec = pickRecord(r, records, ["code"]);
      if (!rec) return null;
      const text = Buffer.from(rec.data).toString("latin1");
      const nums = [...text.matchAll(/\b\d+\b/g)];
      if (nums.length === 0) return null;
      const m = pick(r, nums);
      const v = pick(r, ["-1", "0", "99999999999", "9223372036854775807", "9223372036854775808", "1e308", "2147483648"]);
      rec.data = latin1(text.slice(0, m.index) + v + text.slice(m.index! + m[0].length));
      return "code-number";
    }
    default:
      throw new Error(`unknown record mutation ${how}`);
  }
}

/** Case `i` of the fuzz with seed `seed`. */
export function makeCase(bases: readonly Base[], seed: number, i: number): Case {
  const r = rng(seed, i);
  const base = bases[i % bases.length]!;
  const b = base.bytes;
  const raw = r();
  if (raw < 0.12) return { base: base.name, kind: "truncate", bytes: b.slice(0, int(r, b.length)) };
  if (raw < 0.22) return { base: base.name, kind: "raw-flip", bytes: flipBytes(r, b) };
  if (raw < 0.26) {
    const at = int(r, b.length);
    const junk = Uint8Array.from({ length: 1 + int(r, 64) }, () => int(r, 256));
    return { base: base.name, kind: "raw-random", bytes: splice(b, at, Math.min(junk.length, b.length - at), junk) };
  }
  // Record mutations (one to three), then a rewrite with CRCs and sizes right.
  const { prefix, records } = readArchive(b);
  const kinds: string[] = [];
  const n = r() < 0.75 ? 1 : 2 + int(r, 2);
  for (let tries = 0; kinds.length < n && tries < 20; tries++) {
    const k = mutateRecords(r, records);
    if (k) kinds.push(k);
  }
  return { base: base.name, kind: kinds.join("+"), bytes: writeArchive(prefix, records) };
}
