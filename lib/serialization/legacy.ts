// The legacy torch.save format (PyTorch < 1.6, or _use_new_zipfile_serialization=False):
// five pickles back to back — the magic number, the protocol version (1001), a sys_info dict,
// the object itself (storages as persistent ids with a 6th "view" field), and the sorted
// list of storage keys — then each storage in that order as an 8-byte little-endian element
// count followed by its raw little-endian bytes. (torch/serialization.py _legacy_save and
// _legacy_load; the pre-1.0 tar variant is not supported.)
import { TorchError } from "../errors.js";
import { ELEMENT_SIZE, checkpointHooks, type StorageRef } from "./globals.js";
import type { DecodeOptions } from "./safe_globals.js";
import { materialize, type MapLocation } from "./materialize.js";
import { unpickle, type UnpicklerHooks } from "./unpickler.js";
import { objectParts, UnpicklingError } from "./values.js";
import type { ByteSource } from "./zip.js";

const MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;
const MAGIC_LE = Buffer.from("6cfc9c46f9206aa85019", "hex");

/** PROTO n, LONG1 of 10 bytes: the legacy magic number, as Python pickles it. */
export function isLegacy(head: Uint8Array): boolean {
  return head.length >= 14 && head[0] === 0x80 && head[2] === 0x8a && head[3] === 0x0a && Buffer.from(head.subarray(4, 14)).equals(MAGIC_LE);
}

/** The small header pickles hold plain data only. */
const plainData: UnpicklerHooks = {
  findClass: (module, name) => { throw new UnpicklingError(`Unsupported global: GLOBAL ${module}.${name} was not an allowed global in a legacy checkpoint header`); },
  persistentLoad: () => { throw new UnpicklingError("unexpected persistent id in a legacy checkpoint header"); },
  reduce: () => { throw new UnpicklingError("unexpected REDUCE in a legacy checkpoint header"); },
  newObj: () => { throw new UnpicklingError("unexpected NEWOBJ in a legacy checkpoint header"); },
  build: () => { throw new UnpicklingError("unexpected BUILD in a legacy checkpoint header"); },
};

/**
 * Reads the pickles from the start of the file. They precede the storages, whose total
 * size is unknown until the pickles are read, so a window of the file is read and doubled
 * until the pickles fit (usually the first read).
 */
function readPickles(source: ByteSource, decode: DecodeOptions | undefined): { main: unknown; hooks: ReturnType<typeof checkpointHooks>; keys: unknown; end: number } {
  for (let window = Math.min(source.size, 1 << 20); ; window = Math.min(source.size, window * 2)) {
    const data = source.read(0, window);
    try {
      let r = unpickle(data, plainData);
      if (r.value !== MAGIC_NUMBER) throw new TorchError("torch.load: Invalid magic number; corrupt file?");
      r = unpickle(data, plainData, { start: r.end });
      if (r.value !== PROTOCOL_VERSION) throw new TorchError(`torch.load: Invalid protocol version: ${String(r.value)}`);
      r = unpickle(data, plainData, { start: r.end }); // sys_info: storages are little-endian regardless
      const hooks = checkpointHooks(decode);
      const main = unpickle(data, hooks, { start: r.end });
      const keys = unpickle(data, plainData, { start: main.end });
      return { main: main.value, hooks, keys: keys.value, end: keys.end };
    } catch (err) {
      const truncated = err instanceof UnpicklingError && err.message.startsWith("pickle data was truncated");
      if (!truncated || window >= source.size) throw err;
    }
  }
}

export function loadLegacy(source: ByteSource, options: { mapLocation?: MapLocation }, decode?: DecodeOptions): unknown {
  const { main, hooks, keys, end } = readPickles(source, decode);
  if (!Array.isArray(keys)) throw new TorchError("torch.load: legacy checkpoint storage key list is not a list");
  // Where each storage's bytes are: walk the records, checking each count against the pickle.
  const records = new Map<string, { offset: number; nbytes: number }>();
  let pos = end;
  for (const rawKey of keys) {
    const key = String(rawKey);
    const ref = hooks.storages.get(key);
    if (ref === undefined) throw new TorchError(`torch.load: legacy checkpoint lists storage ${key}, which its pickle never uses`);
    if (pos + 8 > source.size) throw new TorchError(`torch.load: legacy checkpoint is truncated at the size of storage ${key}`);
    const count = source.read(pos, 8).readBigInt64LE(0);
    if (count !== BigInt(ref.numel)) {
      throw new TorchError(`torch.load: storage ${key} has wrong size: the pickle declares ${ref.numel} elements, the file holds ${count}`);
    }
    const nbytes = ref.numel * (ref.untyped ? 1 : ELEMENT_SIZE[ref.dtype]!);
    if (pos + 8 + nbytes > source.size) throw new TorchError(`torch.load: legacy checkpoint is truncated in storage ${key} (${nbytes} bytes)`);
    records.set(key, { offset: pos + 8, nbytes });
    pos += 8 + nbytes;
  }
  // The tensors inside Python objects (inert or safe globals) load with the rest, as in a zip file.
  const root = decode === undefined || decode.objects.length === 0 ? main : [main, ...decode.objects.map(objectParts)];
  const loaded = materialize(root, {
    mapLocation: options.mapLocation,
    locate: (ref: StorageRef, nbytes: number) => {
      const record = records.get(ref.key);
      if (record === undefined) throw new TorchError(`torch.load: storage ${ref.key} has no data in the legacy checkpoint`);
      if (record.nbytes !== nbytes) throw new TorchError(`torch.load: storage ${ref.key} has ${record.nbytes} bytes but the checkpoint declares ${nbytes}`);
      return record;
    },
    fill: (jobs) => {
      source.fillStorages(jobs.map((j) => ({ offset: j.where.offset, nbytes: j.where.nbytes, target: j.target, swapSize: 0 })), false);
    },
  });
  return root === main ? loaded : (loaded as unknown[])[0];
}
