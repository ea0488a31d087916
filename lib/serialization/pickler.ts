// A pickle writer (protocol 2, as torch.save uses) for checkpoint data: it emits the same
// opcodes Python's pickle.Pickler does for the same values (BINUNICODE, BININT*, LONG1,
// BINFLOAT, EMPTY_DICT/SETITEMS in batches of 1000, tuples, memo puts), so Python reads the
// files with torch.load(weights_only=True). Tensors go through a hook (pth_writer.ts).
import { Tensor } from "../tensor/index.js";
import { isAllowedGlobal } from "./globals.js";
import { isMarkedDict, isMarkedOrderedDict, isTuple, metadataOf, PythonGlobal } from "./values.js";

const BATCH = 1000; // pickle.Pickler._BATCHSIZE
const MAX_DEPTH = 1000;

/** What torch.save can write: Python-like data, tensors, and the marked types of values.ts. */
export type Picklable = unknown;

export class PicklingError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = "PicklingError";
  }
}

/** Two's complement little-endian bytes of an int, as Python's pickle.encode_long. */
export function encodeLong(value: bigint): Uint8Array {
  if (value === 0n) return new Uint8Array(0);
  const bitLength = (value < 0n ? -value : value).toString(2).length;
  let n = (bitLength >> 3) + 1;
  let v = value < 0n ? (1n << BigInt(8 * n)) + value : value;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  // Python drops a redundant 0xff sign byte of negative numbers.
  if (value < 0n && n > 1 && out[n - 1] === 0xff && (out[n - 2]! & 0x80) !== 0) n -= 1;
  return out.subarray(0, n);
}

/**
 * Whether torch.save writes a Map as collections.OrderedDict (else as dict): Maps loaded
 * from an OrderedDict or a dict keep their type; other Maps are OrderedDicts when every key
 * is a string (a state dict) or they carry `_metadata`, dicts otherwise.
 */
export function writesAsOrderedDict(map: Map<unknown, unknown>): boolean {
  if (isMarkedOrderedDict(map)) return true;
  if (isMarkedDict(map)) return false;
  return metadataOf(map) !== undefined || [...map.keys()].every((k) => typeof k === "string");
}

export class Pickler {
  #buf = Buffer.allocUnsafe(1 << 16);
  #len = 0;
  #memoCount = 0;
  readonly #objMemo = new Map<object, number>();
  readonly #strMemo = new Map<string, number>();
  readonly #globalMemo = new Map<string, number>();
  readonly #active = new Set<object>();
  readonly #path: (string | number)[] = [];

  /** `saveTensor` writes a tensor (its REDUCE and memo put); see checkpoint.ts. */
  constructor(private readonly saveTensor: (p: Pickler, t: Tensor) => void) {}

  // ---- raw output ----
  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.#buf.copy(next, 0, 0, this.#len);
    this.#buf = next;
  }
  op(code: number): void {
    this.#reserve(1);
    this.#buf[this.#len++] = code;
  }
  bytes(data: Uint8Array): void {
    this.#reserve(data.length);
    this.#buf.set(data, this.#len);
    this.#len += data.length;
  }
  #u8(op: number, v: number): void { this.#reserve(2); this.#buf[this.#len++] = op; this.#buf[this.#len++] = v; }
  #u16(op: number, v: number): void { this.op(op); this.#reserve(2); this.#buf.writeUInt16LE(v, this.#len); this.#len += 2; }
  #u32(op: number, v: number): void { this.op(op); this.#reserve(4); this.#buf.writeUInt32LE(v, this.#len); this.#len += 4; }
  #i32(op: number, v: number): void { this.op(op); this.#reserve(4); this.#buf.writeInt32LE(v, this.#len); this.#len += 4; }

  /** The pickle so far (a copy), ending with STOP if finish() was called. */
  result(): Buffer {
    return Buffer.from(this.#buf.subarray(0, this.#len));
  }

  /** Writes PROTO 2, the value, STOP; returns the pickle. */
  dump(value: Picklable): Buffer {
    this.#u8(0x80, 2);
    this.save(value);
    this.op(0x2e);
    return this.result();
  }

  // ---- memo ----
  /** BINPUT / LONG_BINPUT of the next memo slot; `key` makes later saves of it a BINGET. */
  memoize(key?: object): void {
    const index = this.#memoCount++;
    if (key !== undefined) this.#objMemo.set(key, index);
    this.#put(index);
  }
  #put(index: number): void {
    if (index < 256) this.#u8(0x71, index);
    else this.#u32(0x72, index);
  }
  #get(index: number): void {
    if (index < 256) this.#u8(0x68, index);
    else this.#u32(0x6a, index);
  }
  /** Writes a BINGET if `key` was memoized; returns whether it did. */
  getMemoized(key: object): boolean {
    const index = this.#objMemo.get(key);
    if (index === undefined) return false;
    this.#get(index);
    return true;
  }

  // ---- values ----
  mark(): void { this.op(0x28); }
  none(): void { this.op(0x4e); }
  bool(v: boolean): void { this.op(v ? 0x88 : 0x89); }

  int(v: number | bigint): void {
    if (typeof v === "number" && Number.isSafeInteger(v)) {
      if (v >= 0 && v <= 0xff) return this.#u8(0x4b, v);
      if (v >= 0 && v <= 0xffff) return this.#u16(0x4d, v);
      if (v >= -0x80000000 && v <= 0x7fffffff) return this.#i32(0x4a, v);
    }
    const big = BigInt(v);
    if (big >= -0x80000000n && big <= 0x7fffffffn) return this.int(Number(big));
    const enc = encodeLong(big);
    if (enc.length < 256) this.#u8(0x8a, enc.length);
    else this.#i32(0x8b, enc.length);
    this.bytes(enc);
  }

  float(v: number): void {
    this.op(0x47);
    this.#reserve(8);
    this.#buf.writeDoubleBE(v, this.#len);
    this.#len += 8;
  }

  /** BINUNICODE, memoized by value (Python memoizes by identity; either reads back the same). */
  str(v: string): void {
    const index = this.#strMemo.get(v);
    if (index !== undefined) return this.#get(index);
    const data = Buffer.from(v, "utf8");
    this.#u32(0x58, data.length);
    this.bytes(data);
    const slot = this.#memoCount++;
    this.#strMemo.set(v, slot);
    this.#put(slot);
  }

  /** GLOBAL module\nname\n, memoized like Python's save_global. */
  global(module: string, name: string): void {
    const key = `${module}\n${name}`;
    const index = this.#globalMemo.get(key);
    if (index !== undefined) return this.#get(index);
    this.op(0x63);
    this.bytes(Buffer.from(`${module}\n${name}\n`, "utf8"));
    const slot = this.#memoCount++;
    this.#globalMemo.set(key, slot);
    this.#put(slot);
  }

  /** `OrderedDict()` as Python writes it: GLOBAL, EMPTY_TUPLE, REDUCE, memo put. */
  emptyOrderedDict(): void {
    this.global("collections", "OrderedDict");
    this.op(0x29);
    this.op(0x52);
    this.memoize();
  }

  /** A tuple of already-chosen items, memoized like Python's save_tuple. */
  tuple(items: readonly unknown[], key?: object): void {
    if (items.length === 0) return this.op(0x29); // EMPTY_TUPLE is not memoized
    if (items.length <= 3) {
      items.forEach((item, i) => this.#child(i, item));
      this.op(0x84 + items.length); // TUPLE1..TUPLE3
    } else {
      this.mark();
      items.forEach((item, i) => this.#child(i, item));
      this.op(0x74);
    }
    this.memoize(key ?? {});
  }

  #child(key: string | number, value: unknown): void {
    this.#path.push(key);
    this.save(value);
    this.#path.pop();
  }

  #fail(message: string): never {
    const where = this.#path.map((k) => (typeof k === "number" ? `[${k}]` : `[${JSON.stringify(k)}]`)).join("");
    throw new PicklingError(`torch.save: ${message} at obj${where}`);
  }

  save(value: unknown): void {
    if (this.#path.length > MAX_DEPTH) this.#fail(`nesting deeper than ${MAX_DEPTH} levels`);
    switch (typeof value) {
      case "undefined": return this.none();
      case "boolean": return this.bool(value);
      // A JS number is a Python int when it is a safe integer, a float otherwise: an integral
      // value beyond 2^53 (lr = 1e30) cannot be an exact int in JS (that takes a bigint).
      case "number": return Number.isSafeInteger(value) ? this.int(value) : this.float(value);
      case "bigint": return this.int(value);
      case "string": return this.str(value);
      case "object": break;
      default: this.#fail(`cannot save a ${typeof value}`);
    }
    if (value === null) return this.none();
    // Before the memo: a container is memoized when it starts, so an enclosing one would be
    // written as a BINGET and the file would hold a cycle, which Python reads but torch.load
    // refuses (its tree walkers and bounds rely on there being none).
    if (this.#active.has(value)) this.#fail("cannot save a recursive structure (a container that contains itself; torch.load could not read it back)");
    if (this.getMemoized(value)) return;
    if (value instanceof Tensor) return this.saveTensor(this, value);
    if (value instanceof PythonGlobal) {
      if (!isAllowedGlobal(value.module, value.name)) this.#fail(`${value.fullName} is not a global Python's weights-only loader accepts`);
      this.global(value.module, value.name);
      return;
    }
    this.#active.add(value);
    try {
      if (Array.isArray(value)) {
        if (isTuple(value)) this.tuple(value, value);
        else this.#list(value);
      } else if (value instanceof Map) {
        this.#dict(value);
      } else if (value instanceof Uint8Array) {
        // bytes (a Buffer or Uint8Array that is not a tensor), as protocol 2 pickles them:
        // _codecs.encode(latin-1 text, "latin1"). Not BINBYTES: PyTorch 2.x's weights-only
        // loader refuses that opcode ("Unsupported operand 67") but allows this global. Python
        // writes b"" as builtins.bytes(); the same call reads back as b"" with one global.
        this.global("_codecs", "encode");
        this.tuple([Buffer.from(value.buffer, value.byteOffset, value.length).toString("latin1"), "latin1"]);
        this.op(0x52);
        this.memoize(value);
      } else if (ArrayBuffer.isView(value)) {
        this.#fail(`cannot save a ${value.constructor.name}; make it a tensor with torch.tensor(array)`);
      } else if (value instanceof Set) {
        this.#fail("cannot save a Set (Python's weights-only loader refuses sets); use an array");
      } else {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) this.#fail(`cannot save a ${value.constructor?.name ?? "object"}`);
        this.op(0x7d); // EMPTY_DICT
        this.memoize(value);
        this.#items(Object.entries(value));
      }
    } finally {
      this.#active.delete(value);
    }
  }

  #list(list: unknown[]): void {
    this.op(0x5d); // EMPTY_LIST
    this.memoize(list);
    for (let start = 0; start < list.length; start += BATCH) {
      const n = Math.min(BATCH, list.length - start);
      if (n > 1) this.mark();
      for (let i = start; i < start + n; i++) this.#child(i, list[i]);
      this.op(n > 1 ? 0x65 : 0x61); // APPENDS : APPEND
    }
  }

  #dict(map: Map<unknown, unknown>): void {
    const metadata = metadataOf(map);
    const ordered = writesAsOrderedDict(map);
    for (const k of map.keys()) {
      if (k instanceof Map || k instanceof Set || (Array.isArray(k) && !isTuple(k)) || (typeof k === "object" && k !== null && !Array.isArray(k))) {
        this.#fail(`unhashable dict key (${Array.isArray(k) ? "list" : (k as object).constructor?.name})`);
      }
    }
    if (ordered) {
      // Python: OrderedDict.__reduce__ -> (OrderedDict, (), state, None, items)
      this.global("collections", "OrderedDict");
      this.op(0x29);
      this.op(0x52);
      this.memoize(map);
    } else {
      this.op(0x7d);
      this.memoize(map);
    }
    this.#items([...map]);
    if (ordered && metadata !== undefined) {
      // state = vars(od) = {'_metadata': ...}, then BUILD.
      this.op(0x7d);
      this.memoize();
      this.str("_metadata");
      this.#child("_metadata", metadata);
      this.op(0x73);
      this.op(0x62);
    }
  }

  #items(entries: [unknown, unknown][]): void {
    for (let start = 0; start < entries.length; start += BATCH) {
      const n = Math.min(BATCH, entries.length - start);
      if (n > 1) this.mark();
      for (let i = start; i < start + n; i++) {
        const [k, v] = entries[i]!;
        this.#child(`<key ${String(k)}>`, k);
        this.#child(typeof k === "string" || typeof k === "number" ? k : String(k), v);
      }
      this.op(n > 1 ? 0x75 : 0x73); // SETITEMS : SETITEM
    }
  }
}
