// Test helpers for checkpoints: `describe` (the same JSON tree test/reference/serialization.py
// makes of Python values, so a loaded checkpoint compares with what PyTorch saw), a tiny
// pickle assembler and zip builders for crafting hostile files.
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import * as torch from "torch-ts";
import { native } from "../../lib/binding.js";
import { writesAsOrderedDict } from "../../lib/serialization/pickler.js";
import { isMarkedDict, metadataOf } from "../../lib/serialization/values.js";
import { bufferSource, ZipReader, ZipWriter } from "../../lib/serialization/zip.js";
import { handleOf } from "../../lib/tensor/index.js";

export type Desc = Record<string, unknown>;

export function sha256(bytes: Uint8Array | ArrayBuffer): string {
  return createHash("sha256").update(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes).digest("hex");
}

const floatRepr = (v: number): number | string => (Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : v);

/**
 * Describes a JS value as serialization.py describes a Python one. `groups` numbers shared
 * storages in order of first appearance. With `asWritten`, numbers are typed the way
 * torch.save writes them (integral -> int, else float) and Maps as dict/OrderedDict by the
 * writer's rule; otherwise numbers are "num" (compare with normalize()).
 */
export function describe(v: unknown, groups = new Map<string, number>(), asWritten = false): Desc {
  const d = (x: unknown) => describe(x, groups, asWritten);
  if (v instanceof torch.Tensor) {
    const [key, nbytes, offset] = native.storageInfo(handleOf(v));
    let group: number | null = null;
    if (nbytes > 0) {
      if (!groups.has(key)) groups.set(key, groups.size);
      group = groups.get(key)!;
    }
    return {
      t: "tensor", dtype: v.dtype, shape: v.shape, stride: v.stride(), offset, requires_grad: v.requiresGrad,
      storage: group, storage_nbytes: nbytes, sha256: sha256(native.toData(handleOf(v))),
    };
  }
  if (v instanceof Map) {
    const ordered = asWritten ? writesAsOrderedDict(v) : !isMarkedDict(v);
    const out: Desc = { t: ordered ? "odict" : "dict", items: [...v].map(([k, x]) => [d(k), d(x)]) };
    const meta = metadataOf(v);
    if (ordered && meta !== undefined) out.metadata = d(meta);
    return out;
  }
  if (Array.isArray(v)) return { t: torch.serialization.isTuple(v) ? "tuple" : "list", items: v.map(d) };
  if (typeof v === "number") {
    if (!asWritten) return { t: "num", v: floatRepr(v) };
    return Number.isInteger(v) ? { t: "int", v: String(v) } : { t: "float", v: floatRepr(v) };
  }
  if (typeof v === "bigint") return { t: "int", v: String(v) };
  if (typeof v === "boolean") return { t: "bool", v };
  if (typeof v === "string") return { t: "str", v };
  if (v === null || v === undefined) return { t: "none" };
  if (v instanceof Uint8Array) return { t: "bytes", hex: Buffer.from(v).toString("hex") };
  if (Object.getPrototypeOf(v) === Object.prototype) {
    return { t: "dict", items: Object.entries(v as object).map(([k, x]) => [d(k), d(x)]) };
  }
  throw new Error(`describe: unexpected ${String(v)}`);
}

/** Python's description with int/float folded into "num" where JS numbers hold them exactly. */
export function normalize(d: unknown): unknown {
  if (Array.isArray(d)) return d.map(normalize);
  if (d === null || typeof d !== "object") return d;
  const o = d as Desc;
  if (o.t === "int" && Number.isSafeInteger(Number(o.v))) return { t: "num", v: Number(o.v) };
  if (o.t === "float") return { t: "num", v: o.v };
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, normalize(x)]));
}

/** A pickle assembler: each helper returns opcode bytes; `pickle(...)` adds PROTO 2 and STOP. */
export const op = {
  global: (module: string, name: string) => Buffer.from(`c${module}\n${name}\n`, "utf8"),
  str: (s: string) => {
    const b = Buffer.from(s, "utf8");
    const h = Buffer.alloc(5);
    h[0] = 0x58;
    h.writeUInt32LE(b.length, 1);
    return Buffer.concat([h, b]);
  },
  int: (n: number) => {
    const b = Buffer.alloc(5);
    b[0] = 0x4a;
    b.writeInt32LE(n, 1);
    return b;
  },
  long: (n: bigint) => {
    const bytes: number[] = [];
    for (let v = n, i = 0; i < 9; i++, v >>= 8n) bytes.push(Number(v & 0xffn));
    return Buffer.from([0x8a, bytes.length, ...bytes]);
  },
  raw: (s: string) => Buffer.from(s, "latin1"),
  mark: Buffer.from("("),
  tuple: Buffer.from("t"),
  emptyTuple: Buffer.from(")"),
  reduce: Buffer.from("R"),
  persid: Buffer.from("Q"),
  false: Buffer.from([0x89]),
};
export function pickle(...parts: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from([0x80, 0x02]), ...parts, Buffer.from(".")]);
}

/** `_rebuild_tensor_v2` of a float32 storage with the given numbers, for hostile variants. */
export function tensorPickle(o: { numel: number | bigint; offset: number; size: number[]; stride: number[]; key?: string }): Buffer {
  const ints = (xs: number[]) => Buffer.concat([op.mark, ...xs.map(op.int), op.tuple]);
  return pickle(
    op.global("torch._utils", "_rebuild_tensor_v2"),
    op.mark,
    op.mark, op.str("storage"), op.global("torch", "FloatStorage"), op.str(o.key ?? "0"), op.str("cpu"),
    typeof o.numel === "bigint" ? op.long(o.numel) : op.int(o.numel), op.tuple, op.persid,
    op.int(o.offset), ints(o.size), ints(o.stride), op.false,
    op.global("collections", "OrderedDict"), op.emptyTuple, op.reduce,
    op.tuple, op.reduce,
  );
}

/** A torch.save-style zip (our writer) of the given records. */
export function zipOf(records: [string, Uint8Array][], archive = "archive"): Buffer {
  const chunks: Uint8Array[] = [];
  const w = new ZipWriter((c) => chunks.push(c), archive);
  for (const [name, data] of records) w.writeRecord(name, data);
  w.finish();
  return Buffer.concat(chunks);
}

/** The records of a zip, in order, with their names relative to the archive directory. */
export function recordsOf(file: Uint8Array): [string, Buffer][] {
  const z = new ZipReader(bufferSource(file));
  return z.entries.map((e) => [e.name.slice(e.name.indexOf("/") + 1), z.read(e)]);
}

/**
 * A zip whose central directory says what we like (method, sizes, CRC) about one record:
 * for zip bombs and lies. Local header sizes match the central directory.
 */
export function lyingZip(name: string, data: Uint8Array, o: { method: number; size: number; crc?: number }, rest: [string, Uint8Array][] = []): Buffer {
  const entries: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const add = (n: string, d: Uint8Array, method: number, size: number, crc: number) => {
    const nb = Buffer.from(n);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(method, 8);
    h.writeUInt32LE(crc, 14);
    h.writeUInt32LE(d.length, 18);
    h.writeUInt32LE(Math.min(size, 0xffffffff), 22);
    h.writeUInt16LE(nb.length, 26);
    const big = size >= 0xffffffff;
    const c = Buffer.alloc(46 + nb.length + (big ? 12 : 0));
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(method, 10);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(d.length, 20);
    c.writeUInt32LE(big ? 0xffffffff : size, 24);
    c.writeUInt16LE(nb.length, 28);
    c.writeUInt16LE(big ? 12 : 0, 30);
    c.writeUInt32LE(offset, 42);
    nb.copy(c, 46);
    if (big) {
      c.writeUInt16LE(1, 46 + nb.length);
      c.writeUInt16LE(8, 48 + nb.length);
      c.writeBigUInt64LE(BigInt(size), 50 + nb.length);
    }
    entries.push(h, nb, Buffer.from(d));
    central.push(c);
    offset += 30 + nb.length + d.length;
  };
  add(`archive/${name}`, data, o.method, o.size, o.crc ?? 0);
  for (const [n, d] of rest) add(`archive/${n}`, d, 0, d.length, crc32(d) >>> 0);
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(central.length, 8);
  eocd.writeUInt16LE(central.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...entries, cd, eocd]);
}
