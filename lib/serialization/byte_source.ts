// Random access to a checkpoint's bytes — a file read lazily through one descriptor, or a
// buffer already in memory — with every read bounds-checked against the size.
import fs from "node:fs";
import { native } from "../binding.js";
import { TorchError } from "../errors.js";
import { handleOf, type Tensor } from "../tensor/index.js";

/** Random access to the bytes of a file or a buffer; reads are bounds-checked. */
export interface ByteSource {
  readonly size: number;
  /** The bytes at offset: a new Buffer, or a view of the source's own memory. */
  read(offset: number, length: number): Buffer;
  /** Many small ranges at once (a zip's local headers): one native call for a file. */
  readRanges(ranges: readonly { offset: number; length: number }[]): Buffer[];
  /**
   * Fills the whole storage of each job's `target` (a new CPU tensor of nbytes) with the bytes
   * at its offset, in native code and in parallel: a file is read straight into the storages.
   * Elements of swapSize > 1 bytes are byte-swapped afterwards (a big-endian file). Returns
   * each job's CRC-32 of the bytes when crc is set (zeros otherwise).
   */
  fillStorages(jobs: readonly StorageFill[], crc: boolean): Float64Array;
  close(): void;
}

/** Where one storage's bytes are in a ByteSource, and the new tensor they go to. */
export interface StorageFill {
  offset: number;
  nbytes: number;
  target: Tensor;
  swapSize: number;
}

/** The native call behind fillStorages, after every range is checked against the source. */
function fillFrom(source: ByteSource, from: number | Uint8Array, jobs: readonly StorageFill[], crc: boolean): Float64Array {
  const offsets = new Float64Array(jobs.length);
  const nbytes = new Float64Array(jobs.length);
  const swaps = new Int32Array(jobs.length);
  const handles = jobs.map((job, i) => {
    checkRange(source, job.offset, job.nbytes, "storage");
    offsets[i] = job.offset;
    nbytes[i] = job.nbytes;
    swaps[i] = job.swapSize;
    return handleOf(job.target);
  });
  return native.fillStorages(from, handles, offsets, nbytes, swaps, crc);
}

export function checkRange(source: ByteSource, offset: number, length: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > source.size) {
    throw new TorchError(`checkpoint is truncated or corrupt: ${what} (bytes ${offset}..${offset + length}) lies outside the ${source.size}-byte file`);
  }
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    size: buf.length,
    read(offset, length) {
      checkRange(this, offset, length, "read");
      return buf.subarray(offset, offset + length);
    },
    readRanges(ranges) {
      return ranges.map((r) => this.read(r.offset, r.length));
    },
    fillStorages(jobs, crc) {
      return fillFrom(this, buf, jobs, crc);
    },
    close() {},
  };
}

/**
 * Opening a checkpoint: read-only and non-blocking, so a FIFO nobody writes to does not block
 * the open (on a regular file O_NONBLOCK changes nothing).
 */
export const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;

/**
 * Refuses what is not a regular file (links followed; a directory is EISDIR): a device such as
 * /dev/zero has no end to read to, and a FIFO or a socket cannot be read at random offsets. A
 * checkpoint is read by random access, so only a file of known size is one; the bytes of a
 * stream can be read into a Buffer and loaded from there.
 */
export function checkRegularFile(path: string, st: fs.Stats): void {
  if (st.isFile()) return;
  if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
  const kind = st.isCharacterDevice() ? "a character device" : st.isBlockDevice() ? "a block device" : st.isFIFO() ? "a FIFO" : st.isSocket() ? "a socket" : "not a regular file";
  throw new TorchError(`cannot read ${path}: it is ${kind}, not a checkpoint file (read a stream into a Buffer and load that)`);
}

/** Reads a file lazily through one descriptor: only the parts asked for are in memory. */
export function fileSource(path: string): ByteSource {
  const fd = fs.openSync(path, OPEN_FLAGS);
  let size: number;
  try {
    const st = fs.fstatSync(fd);
    checkRegularFile(path, st);
    size = st.size;
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  let open = true;
  const fill = <T extends Uint8Array>(out: T, offset: number): T => {
    let done = 0;
    while (done < out.length) {
      const n = fs.readSync(fd, out, done, Math.min(out.length - done, 1 << 30), offset + done);
      if (n === 0) throw new TorchError(`checkpoint ${path} changed size while it was read`);
      done += n;
    }
    return out;
  };
  return {
    size,
    read(offset, length) {
      checkRange(this, offset, length, "read");
      return fill(Buffer.allocUnsafe(length), offset);
    },
    readRanges(ranges) {
      const offsets = new Float64Array(ranges.length);
      const lengths = new Uint32Array(ranges.length);
      ranges.forEach((r, i) => {
        checkRange(this, r.offset, r.length, "read");
        if (r.length > 0xffffffff) throw new TorchError(`checkpoint read of ${r.length} bytes at ${r.offset} is too large for one range`);
        offsets[i] = r.offset;
        lengths[i] = r.length;
      });
      if (!open) throw new TorchError(`checkpoint ${path} is already closed`);
      const all = native.readRanges(fd, offsets, lengths);
      let at = 0;
      return ranges.map((r) => all.subarray(at, (at += r.length)));
    },
    fillStorages(jobs, crc) {
      if (!open) throw new TorchError(`checkpoint ${path} is already closed`);
      return fillFrom(this, fd, jobs, crc);
    },
    close() {
      if (open) fs.closeSync(fd);
      open = false;
    },
  };
}
