// Random access to a checkpoint's bytes — a file read lazily through one descriptor, or a
// buffer already in memory — with every read bounds-checked against the size.
import fs from "node:fs";
import { TorchError } from "../errors.js";

/** Random access to the bytes of a file or a buffer; reads are bounds-checked. */
export interface ByteSource {
  readonly size: number;
  /** The bytes at offset: a new Buffer, or a view of the source's own memory. */
  read(offset: number, length: number): Buffer;
  /** Copies target.length bytes at offset into target (a file is read straight into it). */
  copyTo(offset: number, target: Uint8Array): void;
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
    copyTo(offset, target) {
      target.set(this.read(offset, target.length));
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
    copyTo(offset, target) {
      checkRange(this, offset, target.length, "read");
      fill(target, offset);
    },
    close() {
      if (open) fs.closeSync(fd);
      open = false;
    },
  };
}
