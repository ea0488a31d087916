// The zip container of torch.save files: a bounds-checked reader (stored and deflated
// entries, zip64, data descriptors) and a writer that lays files out exactly as PyTorch's
// PyTorchStreamWriter (miniz) does, so Python and other zip tools read what we write.
import { crc32, inflateRawSync } from "node:zlib";
import { TorchError } from "../errors.js";
import { checkRange, type ByteSource, type Scratch } from "./byte_source.js";

export { bufferSource, fileSource, Scratch, type ByteSource } from "./byte_source.js";

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_DESCRIPTOR = 0x08074b50;
const U32_MAX = 0xffffffff;
const U16_MAX = 0xffff;

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

export interface ZipReadOptions {
  /** Largest entry (uncompressed) this reader will materialize; guards against zip bombs. */
  maxEntryBytes?: number;
  /** Verify each entry's CRC-32 (miniz, PyTorch's reader, does). Default true. */
  checkCrc?: boolean;
}

/** Default ceiling for one entry: what a Node Buffer can hold. */
export const MAX_ENTRY_BYTES = Math.min(2 ** 32, Number.MAX_SAFE_INTEGER);

function u64(buf: Buffer, at: number, what: string): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new TorchError(`zip archive is corrupt: ${what} ${v} is out of range`);
  return Number(v);
}

/** The central directory of a zip archive, and checked access to its entries. */
export class ZipReader {
  readonly entries: ZipEntry[] = [];
  readonly #byName = new Map<string, ZipEntry>();
  readonly #maxEntryBytes: number;
  readonly #checkCrc: boolean;

  constructor(readonly source: ByteSource, options: ZipReadOptions = {}) {
    this.#maxEntryBytes = options.maxEntryBytes ?? MAX_ENTRY_BYTES;
    this.#checkCrc = options.checkCrc ?? true;
    this.#readCentralDirectory();
  }

  #readCentralDirectory(): void {
    const { size } = this.source;
    // The end-of-central-directory record is the last 22 bytes plus an optional comment.
    const tailLength = Math.min(size, 22 + U16_MAX);
    const tail = this.source.read(size - tailLength, tailLength);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === SIG_EOCD && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new TorchError("zip archive is truncated or corrupt: end of central directory not found");
    const eocdOffset = size - tailLength + eocd;
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    // Zip64: a locator right before the EOCD points at the zip64 EOCD record (PyTorch always writes it).
    if (eocdOffset >= 20) {
      const loc = this.source.read(eocdOffset - 20, 20);
      if (loc.readUInt32LE(0) === SIG_ZIP64_LOCATOR) {
        const recOffset = u64(loc, 8, "zip64 record offset");
        checkRange(this.source, recOffset, 56, "zip64 end of central directory");
        const rec = this.source.read(recOffset, 56);
        if (rec.readUInt32LE(0) !== SIG_ZIP64_EOCD) throw new TorchError("zip archive is corrupt: bad zip64 end of central directory");
        count = u64(rec, 32, "entry count");
        cdSize = u64(rec, 40, "central directory size");
        cdOffset = u64(rec, 48, "central directory offset");
      }
    }
    checkRange(this.source, cdOffset, cdSize, "central directory");
    if (count > cdSize / 46) throw new TorchError(`zip archive is corrupt: ${count} entries cannot fit a ${cdSize}-byte central directory`);
    const cd = this.source.read(cdOffset, cdSize);
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) throw new TorchError(`zip archive is corrupt: central directory entry ${i} is damaged`);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      if (p + 46 + nameLen + extraLen + commentLen > cd.length) throw new TorchError(`zip archive is corrupt: central directory entry ${i} overruns the directory`);
      let compressedSize = cd.readUInt32LE(p + 20);
      let entrySize = cd.readUInt32LE(p + 24);
      let localHeaderOffset = cd.readUInt32LE(p + 42);
      // Zip64 extra field: the 64-bit values of whichever fields are 0xFFFFFFFF, in this order.
      for (let e = p + 46 + nameLen, end = e + extraLen; e + 4 <= end;) {
        const id = cd.readUInt16LE(e);
        const len = cd.readUInt16LE(e + 2);
        if (e + 4 + len > end) break;
        if (id === 0x0001) {
          let q = e + 4;
          const take = (what: string): number => {
            if (q + 8 > e + 4 + len) throw new TorchError(`zip archive is corrupt: short zip64 field in entry ${i}`);
            const v = u64(cd, q, what);
            q += 8;
            return v;
          };
          if (entrySize === U32_MAX) entrySize = take("entry size");
          if (compressedSize === U32_MAX) compressedSize = take("compressed size");
          if (localHeaderOffset === U32_MAX) localHeaderOffset = take("local header offset");
        }
        e += 4 + len;
      }
      const entry: ZipEntry = {
        name: cd.toString("utf8", p + 46, p + 46 + nameLen),
        flags: cd.readUInt16LE(p + 8),
        method: cd.readUInt16LE(p + 10),
        crc: cd.readUInt32LE(p + 16),
        compressedSize,
        size: entrySize,
        localHeaderOffset,
      };
      this.entries.push(entry);
      if (!this.#byName.has(entry.name)) this.#byName.set(entry.name, entry);
      p += 46 + nameLen + extraLen + commentLen;
    }
  }

  get(name: string): ZipEntry | undefined {
    return this.#byName.get(name);
  }

  /** Where the entry's bytes start: after its local header, name and extra field. */
  dataOffset(entry: ZipEntry): number {
    checkRange(this.source, entry.localHeaderOffset, 30, `local header of ${entry.name}`);
    const header = this.source.read(entry.localHeaderOffset, 30);
    if (header.readUInt32LE(0) !== SIG_LOCAL) throw new TorchError(`zip archive is corrupt: bad local header for ${entry.name}`);
    const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    checkRange(this.source, start, entry.compressedSize, `data of ${entry.name}`);
    return start;
  }

  /**
   * The uncompressed bytes of an entry; sizes are checked before anything is allocated.
   * With `scratch`, stored entries may be read into it (see ByteSource.readInto).
   */
  read(entry: ZipEntry, scratch?: Scratch): Buffer {
    if (entry.flags & 1) throw new TorchError(`zip entry ${entry.name} is encrypted`);
    if (entry.size > this.#maxEntryBytes) {
      throw new TorchError(`zip entry ${entry.name} declares ${entry.size} bytes uncompressed, more than the ${this.#maxEntryBytes}-byte limit`);
    }
    const start = this.dataOffset(entry);
    let data: Buffer;
    if (entry.method === 0) {
      if (entry.compressedSize !== entry.size) {
        throw new TorchError(`zip archive is corrupt: stored entry ${entry.name} has ${entry.compressedSize} bytes but declares ${entry.size}`);
      }
      data = scratch ? this.source.readInto(start, entry.size, scratch) : this.source.read(start, entry.size);
    } else if (entry.method === 8) {
      const packed = this.source.read(start, entry.compressedSize);
      try {
        // maxOutputLength stops a zip bomb at its declared size instead of exhausting memory.
        data = inflateRawSync(packed, { maxOutputLength: Math.max(1, entry.size) });
      } catch (err) {
        throw new TorchError(`zip entry ${entry.name} does not inflate to its declared ${entry.size} bytes: ${(err as Error).message}`);
      }
      if (data.length !== entry.size) throw new TorchError(`zip entry ${entry.name} inflates to ${data.length} bytes but declares ${entry.size}`);
    } else {
      throw new TorchError(`zip entry ${entry.name} uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`);
    }
    if (this.#checkCrc && (crc32(data) >>> 0) !== entry.crc) {
      throw new TorchError(`zip entry ${entry.name} is corrupt: CRC-32 check failed`);
    }
    return data;
  }
}

/** 64: the alignment PyTorch gives every record's data (so storages can be memory-mapped). */
export const FIELD_ALIGNMENT = 64;

interface CentralRecord {
  name: Buffer;
  crc: number;
  size: number;
  offset: number;
}

/**
 * Writes a zip archive the way PyTorch's PyTorchStreamWriter (miniz) does: every record
 * under `<archiveName>/`, stored, its data 64-byte aligned by an "FB" extra field of 'Z'
 * padding, local headers with zero sizes followed by a data descriptor (bit 3), UTF-8 names
 * (bit 11), zero times, zip64 fields only where a size or offset needs them, and always the
 * zip64 end-of-central-directory record and locator before the classic one.
 */
export class ZipWriter {
  #offset = 0;
  readonly #central: CentralRecord[] = [];
  #finished = false;

  constructor(private readonly sink: (chunk: Uint8Array) => void, readonly archiveName: string) {
    if (archiveName.length === 0) throw new TorchError("zip archive name must not be empty");
  }

  #emit(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.sink(chunk);
    this.#offset += chunk.length;
  }

  get bytesWritten(): number {
    return this.#offset;
  }

  writeRecord(name: string, data: Uint8Array): void {
    if (this.#finished) throw new Error("ZipWriter: archive already finished");
    const fullName = Buffer.from(`${this.archiveName}/${name}`, "utf8");
    if (fullName.length > U16_MAX) throw new TorchError(`zip record name too long: ${name}`);
    const size = data.length;
    const offset = this.#offset;
    const bigSize = size >= U32_MAX;
    const bigOffset = offset >= U32_MAX;
    const zip64Len = bigSize || bigOffset ? 4 + (bigSize ? 16 : 0) + (bigOffset ? 8 : 0) : 0;
    // Padding so that the data starts on a FIELD_ALIGNMENT boundary (PyTorch's getPadding).
    const start = offset + 30 + fullName.length + zip64Len + 4;
    const pad = (FIELD_ALIGNMENT - (start % FIELD_ALIGNMENT)) % FIELD_ALIGNMENT;
    const header = Buffer.alloc(30 + fullName.length + zip64Len + 4 + pad, 0);
    header.writeUInt32LE(SIG_LOCAL, 0);
    header.writeUInt16LE(0x0808, 6); // data descriptor follows; UTF-8 name
    // method, time, date, crc and sizes stay 0: the descriptor and central directory hold them.
    header.writeUInt16LE(fullName.length, 26);
    header.writeUInt16LE(zip64Len + 4 + pad, 28);
    fullName.copy(header, 30);
    let p = 30 + fullName.length;
    if (zip64Len > 0) {
      // miniz writes the local zip64 field before the data exists: compressed size is still 0.
      header.writeUInt16LE(0x0001, p);
      header.writeUInt16LE(zip64Len - 4, p + 2);
      p += 4;
      if (bigSize) {
        header.writeBigUInt64LE(BigInt(size), p);
        header.writeBigUInt64LE(0n, p + 8);
        p += 16;
      }
      if (bigOffset) {
        header.writeBigUInt64LE(BigInt(offset), p);
        p += 8;
      }
    }
    header.write("FB", p, "latin1");
    header.writeUInt16LE(pad, p + 2);
    header.fill("Z", p + 4);
    this.#emit(header);
    this.#emit(data);
    const crc = crc32(data) >>> 0;
    const descriptor = Buffer.alloc(zip64Len > 0 ? 24 : 16);
    descriptor.writeUInt32LE(SIG_DESCRIPTOR, 0);
    descriptor.writeUInt32LE(crc, 4);
    if (zip64Len > 0) {
      descriptor.writeBigUInt64LE(BigInt(size), 8);
      descriptor.writeBigUInt64LE(BigInt(size), 16);
    } else {
      descriptor.writeUInt32LE(size, 8);
      descriptor.writeUInt32LE(size, 12);
    }
    this.#emit(descriptor);
    this.#central.push({ name: fullName, crc, size, offset });
  }

  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    const cdOffset = this.#offset;
    const parts: Buffer[] = [];
    for (const r of this.#central) {
      const bigSize = r.size >= U32_MAX;
      const bigOffset = r.offset >= U32_MAX;
      const zip64Len = bigSize || bigOffset ? 4 + (bigSize ? 16 : 0) + (bigOffset ? 8 : 0) : 0;
      const h = Buffer.alloc(46 + r.name.length + zip64Len, 0);
      h.writeUInt32LE(SIG_CENTRAL, 0);
      h.writeUInt16LE(0x0808, 8);
      h.writeUInt32LE(r.crc, 16);
      h.writeUInt32LE(Math.min(r.size, U32_MAX), 20);
      h.writeUInt32LE(Math.min(r.size, U32_MAX), 24);
      h.writeUInt16LE(r.name.length, 28);
      h.writeUInt16LE(zip64Len, 30);
      h.writeUInt32LE(Math.min(r.offset, U32_MAX), 42);
      r.name.copy(h, 46);
      let p = 46 + r.name.length;
      if (zip64Len > 0) {
        h.writeUInt16LE(0x0001, p);
        h.writeUInt16LE(zip64Len - 4, p + 2);
        p += 4;
        if (bigSize) {
          h.writeBigUInt64LE(BigInt(r.size), p);
          h.writeBigUInt64LE(BigInt(r.size), p + 8);
          p += 16;
        }
        if (bigOffset) h.writeBigUInt64LE(BigInt(r.offset), p);
      }
      parts.push(h);
    }
    const cd = Buffer.concat(parts);
    this.#emit(cd);
    const count = this.#central.length;
    const zip64Offset = this.#offset;
    const end = Buffer.alloc(56 + 20 + 22, 0);
    end.writeUInt32LE(SIG_ZIP64_EOCD, 0);
    end.writeBigUInt64LE(44n, 4);
    end.writeUInt16LE(0x031e, 12);
    end.writeUInt16LE(0x002d, 14);
    end.writeBigUInt64LE(BigInt(count), 24);
    end.writeBigUInt64LE(BigInt(count), 32);
    end.writeBigUInt64LE(BigInt(cd.length), 40);
    end.writeBigUInt64LE(BigInt(cdOffset), 48);
    end.writeUInt32LE(SIG_ZIP64_LOCATOR, 56);
    end.writeBigUInt64LE(BigInt(zip64Offset), 64);
    end.writeUInt32LE(1, 72);
    end.writeUInt32LE(SIG_EOCD, 76);
    end.writeUInt16LE(Math.min(count, U16_MAX), 84);
    end.writeUInt16LE(Math.min(count, U16_MAX), 86);
    end.writeUInt32LE(Math.min(cd.length, U32_MAX), 88);
    end.writeUInt32LE(Math.min(cdOffset, U32_MAX), 92);
    this.#emit(end);
  }
}
