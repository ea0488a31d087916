// torch.load: recognizes the file by its content — a torch.save zip archive, the legacy
// (pre-1.6) format, or safetensors — and reads it with the weights-only unpickler.
// The zip layout (torch/serialization.py _load, caffe2/serialize/inline_container.cc):
// every record sits under one archive directory (whatever its name); `data.pkl` holds the
// object; `data/<key>` each storage; `version` or `.data/version` the format version;
// an optional `byteorder` ("little"/"big") the storages' byte order. Other records are ignored.
import fs from "node:fs";
import type { DeviceLike } from "../device.js";
import { TorchError } from "../errors.js";
import { argError, checkBool, checkOptions } from "../validate.js";
import { checkpointHooks, PendingTensor, StorageRef } from "./globals.js";
import { isLegacy, loadLegacy } from "./legacy.js";
import { materialize, type MapLocation } from "./materialize.js";
import { isSafetensors, loadSource as loadSafetensors } from "./safetensors.js";
import { checkNoPendingTensors, disposeTree, resolveObjects, withDecodeOptions, type DecodeOptions } from "./safe_globals.js";
import { unpickle, type UnpicklerLimits } from "./unpickler.js";
import { objectParts } from "./values.js";
import { checkRegularFile, OPEN_FLAGS } from "./byte_source.js";
import { bufferSource, fileSource, ZipReader, type ByteSource } from "./zip.js";

export interface LoadOptions {
  /** Python's map_location: where storages go (default: where they were saved). */
  mapLocation?: MapLocation;
  /**
   * Verify each zip record's CRC-32 (default true): a damaged file is an error, not silently
   * wrong weights. PyTorch's reader skips this check (built with MINIZ_DISABLE_ZIP_READER_CRC32_CHECKS).
   */
  checkCrc?: boolean;
  /** Unpickler bounds (nesting depth, memo and stack sizes). */
  limits?: UnpicklerLimits;
  /**
   * Decode objects of globals outside the weights-only allowlist and the safe globals
   * (`serialization.addSafeGlobals`) as inert `serialization.PythonObject` data — the global's
   * name and what the pickle applies to it (args, state, items) — instead of refusing the
   * file (default false). Nothing from the file runs either way.
   */
  inert?: boolean;
}

/** A file path, or the bytes of a checkpoint. */
export type CheckpointSource = string | Uint8Array | ArrayBuffer;

function openSource(f: CheckpointSource): ByteSource {
  if (typeof f === "string") return fileSource(f);
  if (f instanceof ArrayBuffer) return bufferSource(new Uint8Array(f));
  if (f instanceof Uint8Array) return bufferSource(f);
  throw new TypeError(`torch.load: expected a file path, a Buffer/Uint8Array or an ArrayBuffer, but received ${f === null ? "null" : typeof f}`);
}

function loadZip(source: ByteSource, options: LoadOptions, decode: DecodeOptions): unknown {
  const zip = new ZipReader(source, { checkCrc: options.checkCrc });
  const first = zip.entries[0];
  if (first === undefined) throw new TorchError("torch.load: archive does not contain any files");
  const slash = first.name.indexOf("/");
  if (slash < 0) throw new TorchError(`torch.load: file in archive is not in a subdirectory: ${first.name}`);
  const prefix = first.name.slice(0, slash + 1);
  const record = (name: string) => zip.get(prefix + name);
  if (record("constants.pkl") !== undefined) {
    throw new TorchError("torch.load: this is a TorchScript archive (torch.jit.save): load it with torch.jit.load, which gives a ScriptModule");
  }
  const versionEntry = record(".data/version") ?? record("version");
  if (versionEntry === undefined) throw new TorchError(`torch.load: archive ${prefix} has no version record; not a torch.save file`);
  const version = zip.read(versionEntry).toString("latin1").trim();
  if (!/^\d{1,6}$/.test(version) || Number(version) < 1) throw new TorchError(`torch.load: invalid format version ${JSON.stringify(version.slice(0, 20))}`);
  let bigEndian = false;
  const byteorderEntry = record("byteorder");
  if (byteorderEntry !== undefined) {
    const order = zip.read(byteorderEntry).toString("latin1");
    if (order !== "little" && order !== "big") throw new TorchError(`torch.load: unknown byteorder ${JSON.stringify(order.slice(0, 20))}`);
    bigEndian = order === "big";
  }
  const pickleEntry = record("data.pkl");
  if (pickleEntry === undefined) throw new TorchError(`torch.load: archive ${prefix} has no data.pkl record`);
  const hooks = checkpointHooks(decode);
  const { value } = unpickle(zip.read(pickleEntry), hooks, { limits: options.limits });
  // The tensors inside Python objects load with the rest (shared storages stay shared).
  const root = decode.objects.length === 0 ? value : [value, ...decode.objects.map(objectParts)];
  const loaded = materialize(root, {
    mapLocation: options.mapLocation,
    bigEndian,
    locate: (ref, nbytes) => {
      const entry = record(`data/${ref.key}`);
      if (entry === undefined) throw new TorchError(`torch.load: storage record data/${ref.key} is missing from the archive`);
      // Checked before allocating: a storage is exactly its declared size (no zip bomb, no short read).
      if (entry.size !== nbytes) throw new TorchError(`torch.load: storage data/${ref.key} has ${entry.size} bytes but the checkpoint declares ${nbytes}`);
      return entry;
    },
    fill: (jobs) => zip.readToStorages(jobs.map((j) => ({ entry: j.where, target: j.target, swapSize: j.swapSize }))),
  });
  return root === value ? loaded : (loaded as unknown[])[0];
}

/** Reads the file, then rebuilds the objects of safe globals in it. */
function loadFrom(source: ByteSource, options: LoadOptions): unknown {
  return withDecodeOptions(options, (decode) => {
    const value = readFrom(source, options, decode);
    try {
      checkNoPendingTensors(decode, (v) => v instanceof PendingTensor || v instanceof StorageRef);
      return resolveObjects(value, decode);
    } catch (err) {
      disposeTree([value, ...decode.objects.map(objectParts)]);
      throw err;
    }
  });
}

function readFrom(source: ByteSource, options: LoadOptions, decode: DecodeOptions): unknown {
  const head = source.read(0, Math.min(source.size, 512));
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6)) {
    return loadZip(source, options, decode);
  }
  if (isLegacy(head)) return loadLegacy(source, options, decode);
  if (isSafetensors(head, source.size)) {
    const ml = options.mapLocation;
    if (ml !== undefined && typeof ml !== "string") throw new TypeError("torch.load: a safetensors file takes mapLocation as a device string only");
    return loadSafetensors(source, ml as DeviceLike | undefined);
  }
  if (head.length >= 262 && head.toString("latin1", 257, 262) === "ustar") {
    throw new TorchError("torch.load: this is the pre-1.0 tar checkpoint format, which torch-ts does not read; re-save it with a newer PyTorch");
  }
  throw new TorchError("torch.load: not a PyTorch checkpoint: no zip, legacy torch.save or safetensors signature");
}

/** The options of torch.load, checked: unknown keys (Python's map_location) and wrong types refused. */
function loadOptions(options: unknown): LoadOptions {
  const o = checkOptions("torch.load", options, ["mapLocation", "checkCrc", "limits", "inert"]);
  const ml = o.mapLocation;
  if (ml !== undefined && ml !== null && typeof ml !== "string" && typeof ml !== "function" && (typeof ml !== "object" || Array.isArray(ml))) {
    throw argError("torch.load", "mapLocation", 'a device string, a {from: to} record or a function', ml);
  }
  if (o.checkCrc !== undefined) checkBool("torch.load", "checkCrc", o.checkCrc);
  if (o.inert !== undefined) checkBool("torch.load", "inert", o.inert);
  return o as LoadOptions;
}

/** Why a path cannot be opened for torch.load, as the TorchError torch.load throws. */
function openError(file: string, err: unknown): TorchError {
  if (err instanceof TorchError) return new TorchError(`torch.load: ${err.message}`);
  const e = err as NodeJS.ErrnoException;
  const why = e.code === "ENOENT" ? "no such file" : e.code === "EISDIR" ? "it is a directory" : e.code === "EACCES" ? "permission denied" : e.message;
  return new TorchError(`torch.load: cannot open ${file}: ${why}${e.code ? ` (${e.code})` : ""}`);
}

function openFileSource(file: string): ByteSource {
  try {
    return fileSource(file);
  } catch (err) {
    throw openError(file, err);
  }
}

/**
 * Python: `torch.load(f, map_location=None, weights_only=True)`. Reads a torch.save file
 * (zip or legacy) or a safetensors file. dicts come back as Maps (keys keep their type and
 * order), tuples as arrays marked by `serialization.isTuple`, tensors share storages as
 * they did when saved. Only allowlisted globals are accepted (an `UnpicklingError` names
 * any other and says how to allow it): the weights-only ones, those of
 * `serialization.addSafeGlobals` / `safeGlobals`, and with `inert` any (as inert data).
 * No code from the file runs. Dispose the result with `torch.dispose(result)`.
 */
export function load(f: CheckpointSource, options: LoadOptions = {}): unknown {
  options = loadOptions(options);
  const source = typeof f === "string" ? openFileSource(f) : openSource(f);
  try {
    return loadFrom(source, options);
  } finally {
    source.close();
  }
}

/** torch.load with the file read asynchronously (the parsing itself is synchronous). */
export async function loadAsync(f: CheckpointSource, options: LoadOptions = {}): Promise<unknown> {
  loadOptions(options);
  if (typeof f !== "string") return load(f, options);
  let bytes: Buffer;
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(f, OPEN_FLAGS);
    const st = await handle.stat();
    checkRegularFile(f, st);
    // Exactly the size the file has now: a file that grows meanwhile is not read without end.
    const size = st.size;
    bytes = Buffer.allocUnsafe(size);
    for (let done = 0; done < size;) {
      const { bytesRead } = await handle.read(bytes, done, size - done, done);
      if (bytesRead === 0) {
        bytes = bytes.subarray(0, done); // it shrank: the loader reports it as truncated
        break;
      }
      done += bytesRead;
    }
  } catch (err) {
    throw openError(f, err);
  } finally {
    await handle?.close().catch(() => undefined);
  }
  return load(bytes, options);
}
