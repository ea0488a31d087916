// The zip container of torch.save files: a bounds-checked reader (stored and deflated
// entries, zip64, data descriptors) that refuses ambiguous or hostile layouts (overlapping
// entries, lying counts, duplicate or path-traversal names). The writer is zip_writer.ts.
import { inflateRawSync } from "node:zlib";
import { TorchError } from "../errors.js";
import type { Tensor } from "../tensor/index.js";
import { bufferSource, checkRange, type ByteSource, type StorageFill } from "./byte_source.js";
import { crc32, SIG_CENTRAL, SIG_EOCD, SIG_LOCAL, SIG_ZIP64_EOCD, SIG_ZIP64_LOCATOR, U16_MAX, U32_MAX } from "./zip_writer.js";

export { bufferSource, fileSource, type ByteSource } from "./byte_source.js";
export { FIELD_ALIGNMENT, ZipWriter } from "./zip_writer.js";

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

/**
 * Refuses names that would escape a directory if the archive were ever extracted ("..",
 * absolute paths, drive letters, NUL). torch.load never uses names as paths, so this is
 * defence in depth; it accepts every name PyTorch writes, including the archive directory
 * ".." that PyTorch names after a file called "...pth".
 */
function checkEntryName(name: string, index: number): void {
  const unsafe = (why: string) => new TorchError(`zip archive entry ${index} has an unsafe name ${JSON.stringify(name.slice(0, 200))} (${why}); refusing the archive`);
  if (name.includes("\0")) throw unsafe("it contains a NUL character");
  if (name.startsWith("/") || name.startsWith("\\") || /^[A-Za-z]:[\\/]/.test(name)) throw unsafe("it is an absolute path");
  const parts = name.split(/[\\/]/);
  const prefixIsDotDot = name.split("/")[0] === "..";
  for (let i = prefixIsDotDot ? 1 : 0; i < parts.length; i++) {
    if (parts[i] === "..") throw unsafe("it climbs out of the archive with ..");
  }
}

/** The central directory of a zip archive, and checked access to its entries. */
export class ZipReader {
  readonly entries: ZipEntry[] = [];
  readonly #byName = new Map<string, ZipEntry>();
  /** Where each entry's data starts (after its local header), found when the archive is opened. */
  readonly #dataOffsets = new Map<ZipEntry, number>();
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
    if (tail.readUInt16LE(eocd + 8) !== count) {
      throw new TorchError(`zip archive is corrupt: the end of central directory counts ${tail.readUInt16LE(eocd + 8)} entries on this disk but ${count} in all (multi-disk archives are not supported)`);
    }
    let directoryEnd = eocdOffset;
    // Zip64: a locator right before the EOCD points at the zip64 EOCD record (PyTorch always writes it).
    if (eocdOffset >= 20) {
      const loc = this.source.read(eocdOffset - 20, 20);
      if (loc.readUInt32LE(0) === SIG_ZIP64_LOCATOR) {
        const recOffset = u64(loc, 8, "zip64 record offset");
        checkRange(this.source, recOffset, 56, "zip64 end of central directory");
        const rec = this.source.read(recOffset, 56);
        if (rec.readUInt32LE(0) !== SIG_ZIP64_EOCD) throw new TorchError("zip archive is corrupt: bad zip64 end of central directory");
        if (recOffset + 56 > eocdOffset - 20) throw new TorchError("zip archive is corrupt: the zip64 end of central directory overlaps its locator");
        // The classic record holds each value, or its field's maximum where zip64 holds it.
        const agree = (classic: number, max: number, big: number, what: string): number => {
          if (classic !== max && classic !== big) throw new TorchError(`zip archive is corrupt: the end of central directory says ${classic} for the ${what}, its zip64 record ${big}`);
          return big;
        };
        count = agree(count, U16_MAX, u64(rec, 32, "entry count"), "entry count");
        cdSize = agree(cdSize, U32_MAX, u64(rec, 40, "central directory size"), "central directory size");
        cdOffset = agree(cdOffset, U32_MAX, u64(rec, 48, "central directory offset"), "central directory offset");
        directoryEnd = recOffset;
      }
    }
    checkRange(this.source, cdOffset, cdSize, "central directory");
    // The directory must end before the records that describe it (no overlap with them).
    if (cdOffset + cdSize > directoryEnd) {
      throw new TorchError(`zip archive is corrupt: the central directory (bytes ${cdOffset}..${cdOffset + cdSize}) overlaps the end-of-directory records at ${directoryEnd}`);
    }
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
      checkEntryName(entry.name, i);
      if (this.#byName.has(entry.name)) throw new TorchError(`zip archive is corrupt: entry name ${JSON.stringify(entry.name)} appears twice (which one is meant is ambiguous)`);
      this.entries.push(entry);
      this.#byName.set(entry.name, entry);
      p += 46 + nameLen + extraLen + commentLen;
    }
    // A count that lies low would hide entries that other zip tools see.
    if (p !== cd.length) throw new TorchError(`zip archive is corrupt: the central directory holds more than the ${count} entries its end record counts`);
    this.#checkExtents(cdOffset);
  }

  /**
   * Each entry owns the bytes from its local header to the next entry's local header (or to
   * the central directory). Checked for every entry when the archive is opened, not only
   * those read: two entries sharing or overlapping local data (overlapping-entry zip bombs),
   * data running into the central directory, and a local header naming another file than
   * the directory (parser confusion) are refused. One small read per entry.
   */
  #checkExtents(cdOffset: number): void {
    const byOffset = [...this.entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
    const limits: number[] = [];
    const ranges: { offset: number; length: number }[] = [];
    const nameBytes = byOffset.map((e) => Buffer.from(e.name, "utf8"));
    for (let i = 0; i < byOffset.length; i++) {
      const entry = byOffset[i]!;
      const next = byOffset[i + 1];
      if (next !== undefined && next.localHeaderOffset === entry.localHeaderOffset) {
        throw new TorchError(`zip archive is corrupt: entries ${entry.name} and ${next.name} share the local header at ${entry.localHeaderOffset}`);
      }
      const limit = next?.localHeaderOffset ?? cdOffset;
      if (entry.localHeaderOffset + 30 > limit) {
        throw new TorchError(`zip archive is corrupt: the local header of ${entry.name} at ${entry.localHeaderOffset} overlaps the next entry or the central directory at ${limit}`);
      }
      limits.push(limit);
      // The header and, when the local name is as long as the directory's, the name itself.
      ranges.push({ offset: entry.localHeaderOffset, length: Math.min(30 + nameBytes[i]!.length, limit - entry.localHeaderOffset) });
    }
    const headers = this.source.readRanges(ranges); // one native call for all of them
    for (let i = 0; i < byOffset.length; i++) {
      const entry = byOffset[i]!;
      const header = headers[i]!;
      if (header.readUInt32LE(0) !== SIG_LOCAL) throw new TorchError(`zip archive is corrupt: bad local header for ${entry.name}`);
      const nameLen = header.readUInt16LE(26);
      const start = entry.localHeaderOffset + 30 + nameLen + header.readUInt16LE(28);
      if (start + entry.compressedSize > limits[i]!) {
        throw new TorchError(`zip archive is corrupt: the data of ${entry.name} (bytes ${start}..${start + entry.compressedSize}) overlaps the next entry or the central directory at ${limits[i]}`);
      }
      // As Python's zipfile: the local header must name the same file as the directory.
      // (Bytes first; a name that is not valid UTF-8 is compared decoded, as both names are.)
      const sameBytes = nameLen === nameBytes[i]!.length && header.length === 30 + nameLen && header.subarray(30).equals(nameBytes[i]!);
      const localName = sameBytes ? entry.name : this.source.read(entry.localHeaderOffset + 30, nameLen).toString("utf8");
      if (localName !== entry.name) {
        throw new TorchError(`zip archive is corrupt: the central directory names ${JSON.stringify(entry.name)} but its local header ${JSON.stringify(localName.slice(0, 200))}`);
      }
      this.#dataOffsets.set(entry, start);
    }
  }

  get(name: string): ZipEntry | undefined {
    return this.#byName.get(name);
  }

  /** Where the entry's bytes start: after its local header, name and extra field. */
  dataOffset(entry: ZipEntry): number {
    const start = this.#dataOffsets.get(entry);
    if (start === undefined) throw new TorchError(`zip entry ${entry.name} is not in this archive`);
    return start;
  }

  /**
   * The uncompressed bytes of an entry; sizes are checked before anything is allocated.
   */
  read(entry: ZipEntry): Buffer {
    return this.#read(entry);
  }

  /**
   * Each entry's bytes placed in the storage of its `target`, a new CPU tensor of exactly
   * entry.size bytes: stored entries are read straight into them in native code, in parallel,
   * their CRC-32s computed on the way (elements of swapSize > 1 bytes are swapped after the
   * check: a big-endian file). Every entry is checked before any is read.
   */
  readToStorages(jobs: readonly { entry: ZipEntry; target: Tensor; swapSize: number }[]): void {
    const stored: StorageFill[] = [];
    const storedEntries: ZipEntry[] = [];
    for (const { entry, target, swapSize } of jobs) {
      this.#checkReadable(entry);
      if (entry.method !== 0) continue;
      this.#checkStored(entry);
      stored.push({ offset: this.dataOffset(entry), nbytes: entry.size, target, swapSize });
      storedEntries.push(entry);
    }
    const crcs = this.source.fillStorages(stored, this.#checkCrc);
    if (this.#checkCrc) {
      storedEntries.forEach((entry, i) => {
        if (crcs[i] !== entry.crc) throw new TorchError(`zip entry ${entry.name} is corrupt: CRC-32 check failed`);
      });
    }
    for (const { entry, target, swapSize } of jobs) {
      if (entry.method === 0) continue;
      const bytes = this.read(entry); // inflated and checked
      bufferSource(bytes).fillStorages([{ offset: 0, nbytes: bytes.length, target, swapSize }], false);
    }
  }

  #checkReadable(entry: ZipEntry): void {
    if (entry.flags & 1) throw new TorchError(`zip entry ${entry.name} is encrypted`);
    if (entry.size > this.#maxEntryBytes) {
      throw new TorchError(`zip entry ${entry.name} declares ${entry.size} bytes uncompressed, more than the ${this.#maxEntryBytes}-byte limit`);
    }
  }

  #checkStored(entry: ZipEntry): void {
    if (entry.compressedSize !== entry.size) {
      throw new TorchError(`zip archive is corrupt: stored entry ${entry.name} has ${entry.compressedSize} bytes but declares ${entry.size}`);
    }
  }

  #read(entry: ZipEntry): Buffer {
    this.#checkReadable(entry);
    const start = this.dataOffset(entry);
    let data: Buffer;
    if (entry.method === 0) {
      this.#checkStored(entry);
      data = this.source.read(start, entry.size);
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
    if (this.#checkCrc && crc32(data) !== entry.crc) {
      throw new TorchError(`zip entry ${entry.name} is corrupt: CRC-32 check failed`);
    }
    return data;
  }
}
