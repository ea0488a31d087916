// A pickle opcode walker for the fuzz's pickle mutations (as pickletools.genops, for the
// opcodes of protocols 0-5): where each opcode and its argument lie, its length prefix, and
// the value of integer opcodes. Stops at STOP or at the first opcode it does not know.

export interface PickleOp {
  code: number;
  /** The opcode's offset; its argument runs to `end`. */
  at: number;
  end: number;
  /** Width of the length prefix (1, 4 or 8) of a counted argument; 0 for others. */
  lenBytes: number;
  /** The counted argument's length. */
  argLen: number;
  /** BININT1 / BININT2 / BININT / LONG1's value. */
  int?: bigint;
}

const FIXED: Record<number, number> = {
  0x4b: 1, 0x4d: 2, 0x4a: 4, 0x71: 1, 0x72: 4, 0x68: 1, 0x6a: 4, 0x47: 8, 0x80: 1, 0x82: 1, 0x83: 2, 0x84: 4, 0x95: 8,
};
const COUNTED: Record<number, number> = {
  0x58: 4, 0x42: 4, 0x43: 1, 0x8c: 1, 0x8d: 8, 0x8e: 8, 0x55: 1, 0x54: 4, 0x8a: 1, 0x8b: 4, 0x96: 8,
};
const LINES: Record<number, number> = { 0x63: 2, 0x69: 2, 0x49: 1, 0x4c: 1, 0x46: 1, 0x53: 1, 0x56: 1, 0x50: 1, 0x70: 1, 0x67: 1 };
const NO_ARG = new Set([..."()]}tRb.012Q\x81\x85\x86\x87\x88\x89NeasuldN\x92\x93\x94\x97\x98"].map((c) => c.charCodeAt(0)));

export function pickleOps(b: Uint8Array): PickleOp[] {
  const ops: PickleOp[] = [];
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 0;
  while (p < b.length) {
    const code = b[p]!;
    const at = p++;
    let lenBytes = 0;
    let argLen = 0;
    let value: bigint | undefined;
    if (code in FIXED) {
      const n = FIXED[code]!;
      if (p + n > b.length) break;
      if (code === 0x4b) value = BigInt(b[p]!);
      if (code === 0x4d) value = BigInt(view.getUint16(p, true));
      if (code === 0x4a) value = BigInt(view.getInt32(p, true));
      p += n;
    } else if (code in COUNTED) {
      lenBytes = COUNTED[code]!;
      if (p + lenBytes > b.length) break;
      argLen = lenBytes === 1 ? b[p]! : lenBytes === 4 ? view.getUint32(p, true) : Number(view.getBigUint64(p, true));
      if (p + lenBytes + argLen > b.length) break;
      if (code === 0x8a) value = decode(b.subarray(p + 1, p + 1 + argLen));
      p += lenBytes + argLen;
    } else if (code in LINES) {
      for (let k = 0; k < LINES[code]!; k++) {
        const nl = b.indexOf(0x0a, p);
        if (nl < 0) return ops;
        p = nl + 1;
      }
    } else if (!NO_ARG.has(code)) {
      break;
    }
    ops.push({ code, at, end: p, lenBytes, argLen, int: value });
    if (code === 0x2e) break; // STOP
  }
  return ops;
}

function decode(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  if (bytes.length > 0 && bytes[bytes.length - 1]! & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return v;
}

/** The shortest pickle encoding of `v`: BININT1, BININT2, BININT, or LONG1. */
export function encodeInt(v: bigint): Uint8Array {
  if (v >= 0n && v < 256n) return Uint8Array.of(0x4b, Number(v));
  if (v >= 0n && v < 65536n) return Uint8Array.of(0x4d, Number(v & 0xffn), Number(v >> 8n));
  if (v >= -(2n ** 31n) && v < 2n ** 31n) {
    const out = new Uint8Array(5);
    out[0] = 0x4a;
    new DataView(out.buffer).setInt32(1, Number(v), true);
    return out;
  }
  const bytes: number[] = [];
  let x = v;
  // Two's complement, little-endian, as few bytes as keep the sign.
  for (;;) {
    bytes.push(Number(x & 0xffn));
    x >>= 8n;
    const last = bytes[bytes.length - 1]!;
    if ((x === 0n && !(last & 0x80)) || (x === -1n && last & 0x80)) break;
  }
  return Uint8Array.of(0x8a, bytes.length, ...bytes);
}
