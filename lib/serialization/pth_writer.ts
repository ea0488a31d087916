// torch.save's zip format, written as PyTorch 1.13 writes it (torch/serialization.py _save):
// `<archive>/data.pkl` (protocol 2, tensors as torch._utils._rebuild_tensor_v2 over a
// persistent id ('storage', torch.<Type>Storage, key, location, numel)), `byteorder` (as
// PyTorch 2.x adds; 1.13 ignores it), `data/<key>` for each storage once, in sorted key
// order, then `version` ("3\n"). Only globals Python's weights_only=True loader accepts.
// Files are written atomically (atomic_file.ts): a crash or a full disk never damages the
// previous checkpoint.
import os from "node:os";
import type { Writable } from "node:stream";
import { native } from "../binding.js";
import { noGrad } from "../autograd.js";
import { DTYPES, type DType } from "../dtype.js";
import { TorchError } from "../errors.js";
import { checkBool, checkOptions } from "../validate.js";
import { handleOf, type Tensor } from "../tensor/index.js";
import { isConj, isNeg, resolveConj, resolveNeg } from "../tensor/ops.generated.js";
import { STORAGE_DTYPES } from "./globals.js";
import { writeFileAtomic, writeFileAtomicAsync } from "./atomic_file.js";
import { Pickler } from "./pickler.js";
import { ZipWriter } from "./zip.js";

/** The torch.<Type>Storage class PyTorch 1.13 names for each dtype (ComplexFloatStorage for complex64, …). */
const STORAGE_CLASS = Object.fromEntries(
  Object.entries(STORAGE_DTYPES).filter(([name]) => !name.startsWith("Q")).map(([name, dtype]) => [dtype, name]),
) as Record<DType, string>;

/** PyTorchStreamWriter's archive name: the file's base name without its last extension. */
export function archiveNameFor(file: string): string {
  const base = file.slice(Math.max(file.lastIndexOf("/"), file.lastIndexOf("\\")) + 1);
  const dot = base.lastIndexOf(".");
  const name = dot >= 0 ? base.slice(0, dot) : base;
  if (name.length === 0) throw new TorchError(`torch.save: invalid file name: ${file} (PyTorch names the archive after the file's stem)`);
  return name;
}

interface StorageRecord {
  key: string;
  dtype: DType;
  nbytes: number;
  /** A tensor on the storage, to read its bytes when the record is written. */
  tensor: Tensor;
}

/** Tensors' storages: one record per storage, keyed "0", "1", … in order of first use. */
class StorageTable {
  readonly records: StorageRecord[] = [];
  readonly #byNative = new Map<string, StorageRecord>();

  add(t: Tensor): StorageRecord {
    const [nativeKey, nbytes] = native.storageInfo(handleOf(t));
    const dtype = t.dtype;
    // An unallocated storage (nbytes 0, null data pointer) is never shared, as in PyTorch.
    let record = nbytes > 0 ? this.#byNative.get(nativeKey) : undefined;
    if (record === undefined) {
      record = { key: String(this.records.length), dtype, nbytes, tensor: t };
      this.records.push(record);
      if (nbytes > 0) this.#byNative.set(nativeKey, record);
    } else if (record.dtype !== dtype) {
      throw new TorchError("torch.save: Cannot save multiple tensors or storages that view the same data as different types");
    }
    return record;
  }
}

function locationOf(t: Tensor): string {
  const device = t.device;
  return device === "cuda" ? "cuda:0" : device;
}

/** A copy of a storage's bytes on the CPU: for CUDA tensors, and sinks that keep chunks (streams, saveAsync). */
function storageCopy(t: Tensor, nbytes: number): Uint8Array {
  return nbytes === 0 ? new Uint8Array(0) : new Uint8Array(native.storageData(handleOf(t)), 0, nbytes);
}

/**
 * A view of a CPU tensor's storage bytes, no copy: for sinks that consume each chunk before
 * returning (a synchronous file write, a concat), so that saving copies nothing. Undefined for
 * other devices, and where V8 forbids external buffers (its sandbox).
 */
function storageView(t: Tensor, nbytes: number): Uint8Array | undefined {
  if (nbytes === 0) return new Uint8Array(0);
  if (t.device !== "cpu") return undefined;
  try {
    return new Uint8Array(native.storageView(handleOf(t)), 0, nbytes);
  } catch {
    return undefined;
  }
}

/** Writes `obj` as a torch.save zip archive into `sink`, chunk by chunk. */
export function writeCheckpoint(obj: unknown, archiveName: string, sink: (chunk: Uint8Array) => void, options: { zeroCopy?: boolean } = {}): void {
  const resolved: Tensor[] = [];
  try {
    writeArchive(obj, archiveName, sink, options.zeroCopy ?? false, resolved);
  } finally {
    for (const t of resolved) t.dispose();
  }
}

/**
 * The tensor whose storage holds `t`'s values. A conjugate or negative view (x.conj(),
 * x.conj().imag) shares its storage with the tensor it views and only carries a bit, which
 * the file format has no field for: Python 1.13 writes the storage as it is and so loads
 * x.conj() back as x. Such a view is saved as a resolved copy (kept in `resolved` until written).
 */
function storedValues(t: Tensor, resolved: Tensor[]): Tensor {
  if (!isConj(t) && !isNeg(t)) return t;
  const copy = noGrad(() => {
    const c = resolveConj(t);
    const n = resolveNeg(c);
    if (n !== c) c.dispose();
    return n;
  });
  resolved.push(copy);
  return copy;
}

function writeArchive(obj: unknown, archiveName: string, sink: (chunk: Uint8Array) => void, zeroCopy: boolean, resolved: Tensor[]): void {
  const storages = new StorageTable();
  const writeTensorV2 = (p: Pickler, viewed: Tensor, requiresGrad: boolean): void => {
    const t = storedValues(viewed, resolved);
    const record = storages.add(t);
    const [, , offset] = native.storageInfo(handleOf(t));
    p.global("torch._utils", "_rebuild_tensor_v2");
    p.mark();
    // persistent id ('storage', torch.FloatStorage, key, location, numel), then BINPERSID
    p.mark();
    p.str("storage");
    p.global("torch", STORAGE_CLASS[record.dtype]);
    p.str(record.key);
    p.str(locationOf(t));
    p.int(record.nbytes / DTYPES[record.dtype].bytes);
    p.op(0x74);
    p.memoize();
    p.op(0x51);
    p.int(offset);
    p.tuple(t.shape);
    p.tuple(t.stride());
    p.bool(requiresGrad);
    p.emptyOrderedDict(); // backward_hooks
    p.op(0x74);
    p.memoize();
    p.op(0x52);
  };
  const saveTensor = (p: Pickler, t: Tensor): void => {
    if (t.requiresGrad) {
      // nn.Parameter.__reduce_ex__: _rebuild_parameter(self.data, requires_grad, OrderedDict())
      p.global("torch._utils", "_rebuild_parameter");
      writeTensorV2(p, t, false);
      p.memoize();
      p.bool(true);
      p.emptyOrderedDict();
      p.op(0x87); // TUPLE3
      p.memoize();
      p.op(0x52);
    } else {
      writeTensorV2(p, t, false);
    }
    p.memoize(t);
  };
  const pickle = new Pickler(saveTensor).dump(obj);

  const zip = new ZipWriter(sink, archiveName);
  zip.writeRecord("data.pkl", pickle);
  zip.writeRecord("byteorder", Buffer.from(os.endianness() === "LE" ? "little" : "big"));
  // Python: for key in sorted(serialized_storages.keys()) — string order: "0", "1", "10", "2", …
  const sorted = [...storages.records].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // The CRC-32s of the storages written in place, all in one native call that spreads them
  // over threads; the others (copies: CUDA, streams) are checked one by one as they are made.
  const views = sorted.map((r) => (zeroCopy ? storageView(r.tensor, r.nbytes) : undefined));
  const viewCrcs = native.crc32s(views.filter((v): v is Uint8Array => v !== undefined));
  let nextCrc = 0;
  sorted.forEach((record, i) => {
    const view = views[i];
    const name = `data/${record.key}`;
    if (view !== undefined) zip.writeRecord(name, view, viewCrcs[nextCrc++]);
    else zip.writeRecord(name, storageCopy(record.tensor, record.nbytes));
  });
  zip.writeRecord("version", Buffer.from("3\n"));
  zip.finish();
}

export interface SaveOptions {
  /**
   * Flush the file to disk before it replaces the previous one (default true), so that a
   * power cut never leaves a damaged checkpoint. `false` keeps the temp file and the atomic
   * rename (a process that dies mid-save still leaves the previous file intact) and skips the
   * flush, as Python's torch.save does: for frequent saves of big models where the flush
   * costs more than the risk (about 60 ms for 100 MB on the dev VM's disk). Ignored for streams.
   */
  fsync?: boolean;
}

function saveOptions(what: string, options: unknown): SaveOptions {
  const o = checkOptions(what, options, ["fsync"]);
  if (o.fsync !== undefined) checkBool(what, "fsync", o.fsync);
  return o as SaveOptions;
}

function checkTarget(f: unknown): void {
  if (typeof f === "string") return;
  if (f === null || typeof f !== "object" || typeof (f as Writable).write !== "function") {
    throw new TypeError(`torch.save: expected f to be a file path or a writable stream, but received ${f === null ? "null" : typeof f}`);
  }
}

/** Python: `torch.save(obj, f)`. `f` is a path (written atomically) or a writable stream (archive name "archive"). */
export function save(obj: unknown, f: string | Writable, options: SaveOptions = {}): void {
  const { fsync = true } = saveOptions("torch.save", options);
  checkTarget(f);
  if (typeof f === "string") {
    const name = archiveNameFor(f);
    writeFileAtomic(f, (sink) => writeCheckpoint(obj, name, sink, { zeroCopy: true }), "torch.save", fsync);
    return;
  }
  writeCheckpoint(obj, "archive", (chunk) => f.write(chunk));
}

/** The bytes torch.save would write to a stream (PyTorch: torch.save into an io.BytesIO). */
export function saveToBuffer(obj: unknown): Buffer {
  const chunks: Uint8Array[] = [];
  writeCheckpoint(obj, "archive", (chunk) => chunks.push(chunk), { zeroCopy: true }); // concat copies
  return Buffer.concat(chunks);
}

/**
 * torch.save that writes asynchronously. The tensors' bytes are copied when it is called
 * (so they may change or be disposed right after); only the file I/O is asynchronous.
 */
export async function saveAsync(obj: unknown, f: string | Writable, options: SaveOptions = {}): Promise<void> {
  const { fsync = true } = saveOptions("torch.saveAsync", options);
  checkTarget(f);
  const chunks: Uint8Array[] = [];
  const name = typeof f === "string" ? archiveNameFor(f) : "archive";
  writeCheckpoint(obj, name, (chunk) => chunks.push(chunk));
  if (typeof f !== "string") {
    for (const chunk of chunks) {
      if (!f.write(chunk)) await new Promise<void>((resolve) => f.once("drain", resolve));
    }
    return;
  }
  await writeFileAtomicAsync(f, chunks, "torch.save", fsync);
}
