// safetensors (https://github.com/huggingface/safetensors): an 8-byte little-endian header
// length N, N bytes of JSON {"__metadata__": {str: str}, name: {dtype, shape, data_offsets}},
// then the tensors' bytes back to back. Checks and layout follow the reference
// implementation: offsets must tile the data exactly, each tensor's byte count must match
// its dtype and shape, the header is padded with spaces to a multiple of 8, and tensors are
// written sorted by dtype (widest first) then name, which keeps every tensor aligned.
import { native } from "../binding.js";
import { empty } from "../tensor/creation.js";
import { parseDevice, type DeviceLike } from "../device.js";
import { DTYPES, type DType } from "../dtype.js";
import { TorchError } from "../errors.js";
import { handleOf, Tensor } from "../tensor/index.js";
import { writeFileAtomic } from "./atomic_file.js";
import type { StorageFill } from "./byte_source.js";
import { bufferSource, fileSource, type ByteSource } from "./zip.js";

const CODES: Readonly<Record<string, DType>> = {
  F32: "float32", F64: "float64", F16: "float16", BF16: "bfloat16", I64: "int64", I32: "int32",
  I16: "int16", I8: "int8", U8: "uint8", BOOL: "bool", C64: "complex64",
};
const CODE_OF = Object.fromEntries(Object.entries(CODES).map(([code, dtype]) => [dtype, code])) as Partial<Record<DType, string>>;
/**
 * The reference's Dtype enum order; it sorts tensors by it, descending. C64 (complex64, two
 * F32 parts; the format has no complex128) sits between F32 and F64 in that enum.
 */
const RANK: Readonly<Record<string, number>> = { BOOL: 0, U8: 1, I8: 2, I16: 5, F16: 7, BF16: 8, I32: 9, F32: 11, C64: 11.5, F64: 12, I64: 13 };
const MAX_HEADER = 100_000_000; // the reference's limit

/** The header length field is sane and the JSON starts right after it. */
export function isSafetensors(head: Uint8Array, size: number): boolean {
  if (head.length < 9 || size < 10) return false;
  const n = Buffer.from(head.buffer, head.byteOffset, head.byteLength).readBigUInt64LE(0);
  return n >= 2n && n <= BigInt(Math.min(size - 8, MAX_HEADER)) && head[8] === 0x7b;
}

interface Header {
  metadata: Record<string, string> | null;
  tensors: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[];
  dataStart: number;
}

function bad(message: string): never {
  throw new TorchError(`safetensors: ${message}`);
}

function readHeader(source: ByteSource): Header {
  if (source.size < 8) bad("file is shorter than its 8-byte header length");
  const n = source.read(0, 8).readBigUInt64LE(0);
  if (n > BigInt(MAX_HEADER)) bad(`header of ${n} bytes is larger than the ${MAX_HEADER}-byte limit`);
  if (Number(n) + 8 > source.size) bad(`header of ${n} bytes runs past the end of the ${source.size}-byte file`);
  let json: unknown;
  try {
    json = JSON.parse(source.read(8, Number(n)).toString("utf8"));
  } catch (err) {
    bad(`header is not valid JSON (${(err as Error).message})`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) bad("header is not a JSON object");
  const dataStart = 8 + Number(n);
  const dataLength = source.size - dataStart;
  let metadata: Record<string, string> | null = null;
  const tensors: Header["tensors"] = [];
  for (const [name, info] of Object.entries(json as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (info === null || typeof info !== "object" || Array.isArray(info) || Object.values(info).some((v) => typeof v !== "string")) {
        bad("__metadata__ must be an object of strings");
      }
      metadata = { ...(info as Record<string, string>) };
      continue;
    }
    const t = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (t === null || typeof t !== "object") bad(`entry ${name} is not an object`);
    const dtype = Object.hasOwn(CODES, String(t.dtype)) ? CODES[String(t.dtype)] : undefined;
    if (dtype === undefined) bad(`tensor ${name} has dtype ${JSON.stringify(t.dtype)}, which torch-ts does not support`);
    const shape = t.shape;
    if (!Array.isArray(shape) || shape.length > 64 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) bad(`tensor ${name} has an invalid shape`);
    const offsets = t.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) bad(`tensor ${name} has invalid data_offsets`);
    const [begin, end] = offsets as [number, number];
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end < begin || !Number.isSafeInteger(numel * DTYPES[dtype].bytes) || end - begin !== numel * DTYPES[dtype].bytes) {
      bad(`tensor ${name}: data_offsets [${begin}, ${end}] do not hold ${numel} ${dtype} elements`);
    }
    tensors.push({ name, dtype, shape: shape as number[], begin, end });
  }
  // The tensors must tile the data region exactly, with no gap or overlap.
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const t of tensors) {
    if (t.begin !== at) bad(`tensor ${t.name} starts at ${t.begin}, expected ${at} (offsets overlap or leave a gap)`);
    at = t.end;
  }
  if (at !== dataLength) bad(`tensors cover ${at} bytes but the file holds ${dataLength} bytes of data`);
  return { metadata, tensors, dataStart };
}

function loadFrom(source: ByteSource, device?: DeviceLike): Map<string, Tensor> {
  const header = readHeader(source);
  const target = device === undefined ? undefined : parseDevice("safetensors.load", "device", device);
  const onCpu = target === undefined || target === "cpu";
  const out = new Map<string, Tensor>();
  const jobs: StorageFill[] = [];
  try {
    for (const t of header.tensors) {
      // Read straight into the new tensor (little-endian, as the format is); CPU tensors all
      // at once at the end, the others one at a time so host memory holds one of them.
      let tensor = empty(t.shape, { dtype: t.dtype });
      out.set(t.name, tensor);
      const job = { offset: header.dataStart + t.begin, nbytes: t.end - t.begin, target: tensor, swapSize: 0 };
      if (onCpu) {
        jobs.push(job);
        continue;
      }
      source.fillStorages([job], false);
      const moved = tensor.to(target);
      tensor.dispose();
      tensor = moved;
      out.set(t.name, tensor);
    }
    source.fillStorages(jobs, false);
  } catch (err) {
    for (const t of out.values()) if (!t.isDisposed) t.dispose();
    throw err;
  }
  return out;
}

/** fileSource, with a refusal (missing, a directory, a device) naming the function. */
function openFile(fn: string, filename: string): ByteSource {
  try {
    return fileSource(filename);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (err instanceof TorchError) throw new TorchError(`${fn}: ${err.message}`);
    throw new TorchError(`${fn}: cannot open ${filename}: ${e.code === "ENOENT" ? "no such file" : e.message}${e.code ? ` (${e.code})` : ""}`);
  }
}

/** Python: `safetensors.torch.load_file(filename, device="cpu")`, as a Map in file order. */
export function loadFile(filename: string, options: { device?: DeviceLike } = {}): Map<string, Tensor> {
  const source = openFile("safetensors.loadFile", filename);
  try {
    return loadFrom(source, options.device);
  } finally {
    source.close();
  }
}

/** Python: `safetensors.torch.load(data)`. */
export function load(data: Uint8Array, options: { device?: DeviceLike } = {}): Map<string, Tensor> {
  return loadFrom(bufferSource(data), options.device);
}

/** Internal: torch.load's path for a safetensors file it was given. */
export function loadSource(source: ByteSource, device?: DeviceLike): Map<string, Tensor> {
  return loadFrom(source, device);
}

/** The `__metadata__` of a safetensors file (null when it has none). */
export function readMetadata(filename: string): Record<string, string> | null {
  const source = openFile("safetensors.readMetadata", filename);
  try {
    return readHeader(source).metadata;
  } finally {
    source.close();
  }
}

type TensorDict = Map<string, Tensor> | Readonly<Record<string, Tensor>>;

function serialize(tensors: TensorDict, metadata: Record<string, string> | null | undefined, sink: (chunk: Uint8Array) => void): void {
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  for (const [name, t] of entries) {
    if (typeof name !== "string") throw new TypeError(`safetensors.save: tensor names must be strings, got ${typeof name}`);
    if (!(t instanceof Tensor)) throw new TypeError(`safetensors.save: ${name} is not a Tensor`);
    if (CODE_OF[t.dtype] === undefined) throw new TorchError(`safetensors.save: ${name} is ${t.dtype}, which the safetensors format has no dtype code for`);
  }
  if (metadata != null && Object.values(metadata).some((v) => typeof v !== "string")) {
    throw new TypeError("safetensors.save: metadata values must be strings");
  }
  const byName = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  entries.sort(([an, a], [bn, b]) => RANK[CODE_OF[b.dtype]!]! - RANK[CODE_OF[a.dtype]!]! || byName(an, bn));
  const parts: string[] = [];
  if (metadata != null) parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  const datas: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    const data = new Uint8Array(native.toData(handleOf(t))); // contiguous, on the CPU
    datas.push(data);
    parts.push(`${JSON.stringify(name)}:{"dtype":"${CODE_OF[t.dtype]}","shape":${JSON.stringify(t.shape)},"data_offsets":[${offset},${offset + data.length}]}`);
    offset += data.length;
  }
  let header = Buffer.from(`{${parts.join(",")}}`, "utf8");
  const pad = (8 - (header.length % 8)) % 8;
  if (pad > 0) header = Buffer.concat([header, Buffer.alloc(pad, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  sink(len);
  sink(header);
  for (const data of datas) sink(data);
}

/** Python: `safetensors.torch.save(tensors, metadata=None)` -> bytes. */
export function save(tensors: TensorDict, metadata?: Record<string, string> | null): Buffer {
  const chunks: Uint8Array[] = [];
  serialize(tensors, metadata, (c) => chunks.push(c));
  return Buffer.concat(chunks);
}

/** Python: `safetensors.torch.save_file(tensors, filename, metadata=None)`; written atomically. */
export function saveFile(tensors: TensorDict, filename: string, metadata?: Record<string, string> | null): void {
  writeFileAtomic(filename, (sink) => serialize(tensors, metadata, sink), "safetensors.saveFile");
}
