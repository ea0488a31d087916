// The zip writer of torch.save: lays files out exactly as PyTorch's PyTorchStreamWriter
// (miniz) does, so Python and other zip tools read what we write. The reader is zip.ts.
import { native } from "../binding.js";
import { TorchError } from "../errors.js";

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_ZIP64_EOCD = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;
export const SIG_DESCRIPTOR = 0x08074b50;
export const U32_MAX = 0xffffffff;
export const U16_MAX = 0xffff;

/** The zip CRC-32 of bytes (zlib's; folded with PCLMULQDQ where the CPU has it). */
export function crc32(bytes: Uint8Array): number {
  return native.crc32s([bytes])[0]!;
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

  /** Appends a record; `crc` is data's CRC-32 when the caller has it already (torch.save computes all storages' at once). */
  writeRecord(name: string, data: Uint8Array, crc = crc32(data)): void {
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
