// Random access to a checkpoint's bytes — a file read lazily through one descriptor, or a
// buffer already in memory — with every read bounds-checked against the size.
import fs from "node:fs";
import { native } from "../binding.js";
import { TorchError } from "../errors.js";
import { handleOf, type Tensor } from "../tensor.js";

/** Random access to the bytes of a file or a buffer; reads are bounds-checked. */
export interface ByteSource {
  readonly size: number;
  /** The bytes at offset: a new Buffer, or a view of the source's own memory. */
  read(offset: number, length: number): Buffer;
  /** Many small ranges at once (a zip's local headers): one native call for a file. */
  readRanges(ranges: readonly { offset: number; length: number }[]): Buffer[];
  /**
   * Fills the whole storage of `target` (a new CPU tensor of nbytes) with the bytes at offset,
   * in native code: a file is read straight into it. Elements of swapSize > 1 bytes are
   * byte-swapped afterwards (a big-endian file). Returns the bytes' CRC-32 when crc is set.
   */
  readToStorage(offset: number, target: Tensor, nbytes: number, crc: boolean, swapSize: number): number;
  close(): void;
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
    readToStorage(offset, target, nbytes, crc, swapSize) {
      return native.copyIntoStorage(handleOf(target), this.read(offset, nbytes), crc, swapSize);
    },
    close() {},
  };
}

/** Reads a file lazily through one descriptor: only the parts asked for are in memory. */
export function fileSource(path: string): ByteSource {
  const fd = fs.openSync(path, "r");
  let size: number;
  try {
    size = fs.fstatSync(fd).size;
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
    readToStorage(offset, target, nbytes, crc, swapSize) {
      checkRange(this, offset, nbytes, "read");
      if (!open) throw new TorchError(`checkpoint ${path} is already closed`);
      return native.readIntoStorage(handleOf(target), fd, offset, nbytes, crc, swapSize);
    },
    close() {
      if (open) fs.closeSync(fd);
      open = false;
    },
  };
}
