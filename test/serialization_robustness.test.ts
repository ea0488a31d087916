// Hostile and damaged checkpoints: every one is a thrown Error with a message — no crash, no
// hang, no code run, no leaked tensors. Valid bases and the code-running pickles come from
// Python's torch.save (one reference process); a seeded fuzzer mutates the bases (2000 cases;
// TORCH_TS_FUZZ_CASES for more).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { crc32, deflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { native } from "../lib/binding.js";
import { bufferSource } from "../lib/serialization/byte_source.js";
import { checkpointHooks } from "../lib/serialization/globals.js";
import { ZipReader } from "../lib/serialization/zip.js";
import { unpickle } from "../lib/serialization/unpickler.js";
import { lyingZip, op, pickle, recordsOf, tensorPickle, zipOf } from "./reference/checkpoints.js";
import { fuzzBases, runFuzz } from "./reference/fuzz_cases.js";
import { ReferenceSession } from "./reference/session.js";

const { UnpicklingError } = torch.serialization;
let py: ReferenceSession;
let dir: string;
let files: Record<string, string>;
let hostile: { files: Record<string, string>; marker: string };
const read = (name: string) => fs.readFileSync(files[name]!);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "torch-ts-hostile-"));
  py = new ReferenceSession("serialization.py");
  const gen = await py.request<{ cases: Record<string, { file?: string }> }>({ cmd: "generate", dir, small: true });
  files = Object.fromEntries(Object.entries(gen.cases).filter(([, c]) => c.file).map(([k, c]) => [k, c.file!]));
  hostile = await py.request({ cmd: "hostile", dir });
});
afterAll(() => {
  py?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Loads `bytes`; returns the error it threw (failing if it loaded or threw a non-Error). */
function loadError(bytes: Uint8Array, options?: torch.LoadOptions): Error {
  let result: unknown;
  try {
    result = torch.load(bytes, options);
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message.length).toBeGreaterThan(10);
    return err as Error;
  }
  torch.dispose(result);
  throw new Error("expected torch.load to throw");
}

const withPickle = (pkl: Buffer, storages: [string, Uint8Array][] = []) =>
  zipOf([["data.pkl", pkl], ...storages, ["version", Buffer.from("3\n")]]);

describe("code-running pickles are refused by name, and nothing runs", () => {
  it.each(["evil_system.pth", "evil_eval_proto4.pth", "evil_system_legacy.pt"])("%s (written by Python's torch.save)", (name) => {
    const err = loadError(fs.readFileSync(hostile.files[name]!));
    expect(err).toBeInstanceOf(UnpicklingError);
    expect(err.message).toMatch(/^Unsupported global: GLOBAL (posix\.system|builtins\.eval) was not an allowed global/);
    expect(fs.existsSync(hostile.marker)).toBe(false);
  });

  it("GLOBAL os.system + REDUCE, builtins.eval via STACK_GLOBAL, and allowed globals called wrongly", () => {
    const system = pickle(op.global("os", "system"), op.str("echo hi"), op.raw("\x85"), op.reduce);
    expect(loadError(withPickle(system)).message).toMatch(/Unsupported global: GLOBAL os\.system was not an allowed global/);
    const evalStack = pickle(op.str("builtins"), op.str("eval"), op.raw("\x93"), op.str("1+1"), op.raw("\x85"), op.reduce);
    expect(loadError(withPickle(evalStack)).message).toMatch(/GLOBAL builtins\.eval was not an allowed global/);
    const notStorage = pickle(op.mark, op.str("module"), op.str("x"), op.tuple, op.persid);
    expect(loadError(withPickle(notStorage)).message).toMatch(/Only persistent_load of storage is allowed/);
    const badRebuild = pickle(op.global("torch._utils", "_rebuild_tensor_v2"), op.mark, op.int(1), op.int(2), op.int(3), op.int(4), op.int(5), op.int(6), op.tuple, op.reduce);
    expect(loadError(withPickle(badRebuild)).message).toMatch(/_rebuild_tensor_v2: first argument must be a storage/);
    const callString = pickle(op.str("x"), op.emptyTuple, op.reduce);
    expect(loadError(withPickle(callString)).message).toMatch(/REDUCE: cannot call a string/);
    const inst = pickle(op.raw("(ios\nsystem\n"));
    expect(loadError(withPickle(inst)).message).toMatch(/opcode INST is not supported/);
  });
});

describe("declared sizes are checked against the file before anything is allocated", () => {
  it("storages: size beyond the record, views outside the storage, negative sizes, missing records", () => {
    const data = Buffer.alloc(16);
    const cases: [Buffer, RegExp][] = [
      [tensorPickle({ numel: 2n ** 50n, offset: 0, size: [4], stride: [1] }), /data\/0 has 16 bytes but the checkpoint declares 4503599627370496/],
      [tensorPickle({ numel: 4, offset: 0, size: [4, 4], stride: [4, 1] }), /reads outside its storage 0 of 4 elements/],
      [tensorPickle({ numel: 4, offset: 3, size: [2], stride: [1] }), /reads outside its storage/],
      [tensorPickle({ numel: -1, offset: 0, size: [1], stride: [1] }), /size of storage 0 must be an integer >= 0/],
      [tensorPickle({ numel: 4, offset: 0, size: [-2], stride: [1] }), /size\[0\] must be an integer >= 0/],
      [tensorPickle({ numel: 4, offset: 0, size: [2], stride: [1], key: "9" }), /storage record data\/9 is missing/],
      [tensorPickle({ numel: 4, offset: 0, size: [2, 2], stride: [1] }), /size has 2 dimensions but stride has 1/],
    ];
    for (const [pkl, message] of cases) expect(loadError(withPickle(pkl, [["data/0", data]])).message).toMatch(message);
  });

  it("legacy: a storage's element count that disagrees with the pickle, or runs past the file", () => {
    const file = read("views_legacy.pt");
    // The storage records start after the fifth pickle (the key list).
    let end = 0;
    for (let i = 0; i < 5; i++) end = unpickle(file, checkpointHooks(), { start: end }).end;
    for (const count of [2n ** 62n, 47n, -1n]) {
      const bad = Buffer.from(file);
      bad.writeBigInt64LE(count, end);
      expect(loadError(bad).message).toMatch(/storage \S+ has wrong size: the pickle declares 48 elements, the file holds/);
    }
  });

  it("zip bombs: a deflated record larger than declared, a declared size beyond the limit", () => {
    const bomb = deflateRawSync(Buffer.alloc(64 << 20));
    const rss = process.memoryUsage().rss;
    expect(loadError(lyingZip("data.pkl", bomb, { method: 8, size: 100 }, [["version", Buffer.from("3\n")]])).message)
      .toMatch(/data\.pkl does not inflate to its declared 100 bytes/);
    expect(loadError(lyingZip("data.pkl", bomb, { method: 8, size: 2 ** 40 }, [["version", Buffer.from("3\n")]])).message)
      .toMatch(/declares 1099511627776 bytes uncompressed, more than the \d+-byte limit/);
    expect(process.memoryUsage().rss - rss).toBeLessThan(256 << 20);
  });

  it("nesting, MARK depth, memo and stack are bounded", () => {
    const n = 100_000;
    const deepList = pickle(op.raw("]".repeat(n) + "a".repeat(n - 1)));
    expect(loadError(withPickle(deepList)).message).toMatch(/nests containers deeper than 1000 levels/);
    expect(loadError(withPickle(pickle(op.raw("(".repeat(n))))).message).toMatch(/nests MARKs deeper than 1000 levels/);
    expect(loadError(withPickle(pickle(op.raw("N" + "\x85".repeat(n))))).message).toMatch(/deeper than 1000/);
    const twenty = withPickle(pickle(op.raw("]".repeat(20) + "a".repeat(19))));
    const ok = torch.load(twenty);
    expect(Array.isArray(ok)).toBe(true);
    expect(loadError(twenty, { limits: { maxDepth: 10 } }).message).toMatch(/deeper than 10 levels/);
    const memo = pickle(op.raw("N" + Array.from({ length: 300 }, (_, i) => `r${Buffer.from(new Uint32Array([i]).buffer).toString("latin1")}`).join("")));
    expect(loadError(withPickle(memo), { limits: { maxMemo: 256 } }).message).toMatch(/memo exceeds 256 entries/);
    expect(loadError(withPickle(pickle(op.raw("N".repeat(5000)))), { limits: { maxStack: 1000 } }).message).toMatch(/stack exceeds 1000 items/);
  });

  it("not a checkpoint, truncated headers, TorchScript and tar archives: clear errors", () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from("{\"json\": true}"), Buffer.from("PK\x03\x04short"), Buffer.alloc(4096, 7)]) loadError(bytes);
    expect(loadError(Buffer.from("hello world, no checkpoint here")).message).toMatch(/not a PyTorch checkpoint/);
    const ts = zipOf([["data.pkl", pickle(op.raw("N"))], ["constants.pkl", pickle(op.raw("N"))], ["version", Buffer.from("3\n")]]);
    expect(loadError(ts).message).toMatch(/TorchScript archive/);
    const tar = Buffer.alloc(1024);
    tar.write("ustar", 257);
    expect(loadError(tar).message).toMatch(/pre-1\.0 tar checkpoint format/);
    expect(loadError(zipOf([["data.pkl", pickle(op.raw("N"))]])).message).toMatch(/no version record/);
  });
});

describe("damaged files", () => {
  it.each(["views.pth", "views_legacy.pt", "scalars.pth", "dtypes_bigendian.pth"])("%s: every truncation throws", (name) => {
    const file = read(name);
    const before = torch.liveTensors();
    for (let n = 0; n < file.length; n++) loadError(file.subarray(0, n));
    expect(torch.liveTensors()).toBe(before);
  });

  it("a flipped byte in a storage record: a CRC-32 error naming the record, from a file, a Buffer and loadAsync", async () => {
    const file = read("views.pth");
    const zip = new ZipReader(bufferSource(file));
    const entry = zip.entries.find((e) => /\/data\/\d+$/.test(e.name))!;
    const at = zip.dataOffset(entry) + Math.floor(entry.size / 2);
    const damaged = Buffer.from(file);
    damaged[at] ^= 0x10;
    const onDisk = path.join(dir, "flipped.pth");
    fs.writeFileSync(onDisk, damaged);
    const crcError = new RegExp(`zip entry ${entry.name.replace(/[/.]/g, "\\$&")} is corrupt: CRC-32 check failed`);
    const before = { live: torch.liveTensors(), bytes: torch.cpuMemoryAllocated() };
    expect(loadError(damaged).message).toMatch(crcError);
    expect(() => torch.load(onDisk)).toThrow(crcError);
    await expect(torch.loadAsync(onDisk)).rejects.toThrow(crcError);
    expect({ live: torch.liveTensors(), bytes: torch.cpuMemoryAllocated() }).toEqual(before);
    // PyTorch's reader skips the check; so does checkCrc: false, and the flipped byte comes through.
    const loaded = torch.load(onDisk, { checkCrc: false }) as Map<string, torch.Tensor>;
    const intact = torch.load(file) as Map<string, torch.Tensor>;
    const bytesOf = (m: Map<string, torch.Tensor>) => torch.tidy(() => Buffer.from(m.get("base")!.flatten().contiguous().toTypedArray().buffer));
    const [flipped, original] = [bytesOf(loaded), bytesOf(intact)];
    const diff = [...flipped].filter((b, i) => b !== original[i]).length;
    expect(diff).toBe(1);
    torch.dispose(loaded, intact);
  });

  it("a 12 MiB storage (read as three 4 MiB pieces on several threads): loads intact from a file and a Buffer, and a flipped byte in any piece is a CRC-32 error", () => {
    const big = torch.rand([3 << 20]); // 12 MiB of float32
    const onDisk = path.join(dir, "big.pth");
    torch.save(new Map([["big", big]]), onDisk);
    const file = fs.readFileSync(onDisk);
    const want = Buffer.from(big.toTypedArray().buffer);
    for (const source of [onDisk, file]) {
      const loaded = torch.load(source) as Map<string, torch.Tensor>;
      expect(Buffer.from(loaded.get("big")!.toTypedArray().buffer).equals(want)).toBe(true);
      torch.dispose(loaded);
    }
    const zip = new ZipReader(bufferSource(file));
    const entry = zip.entries.find((e) => /\/data\/\d+$/.test(e.name))!;
    const start = zip.dataOffset(entry);
    for (const at of [start + 5, start + (6 << 20), start + entry.size - 5]) {
      const damaged = Buffer.from(file);
      damaged[at] ^= 0x01;
      fs.writeFileSync(onDisk, damaged);
      expect(() => torch.load(onDisk)).toThrow(/CRC-32 check failed/);
      expect(loadError(damaged).message).toMatch(/CRC-32 check failed/);
    }
    // The same bytes as a big-endian file: each piece is swapped on its own, after its CRC.
    const swapped = Buffer.from(zip.read(entry));
    swapped.swap32();
    const records = recordsOf(file).map(([name, data]): [string, Uint8Array] =>
      name === "byteorder" ? [name, Buffer.from("big")] : name === entry.name.slice(entry.name.indexOf("/") + 1) ? [name, swapped] : [name, data]);
    const loaded = torch.load(zipOf(records)) as Map<string, torch.Tensor>;
    expect(Buffer.from(loaded.get("big")!.toTypedArray().buffer).equals(want)).toBe(true);
    torch.dispose(loaded);
    big.dispose();
  });

  it("the reader's native CRC-32 (PCLMULQDQ folding where the CPU has it) is zlib's, at every length and alignment", () => {
    const rng = torch.vision.transforms.mulberry32(7);
    for (const n of [0, 1, 9, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 17]) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(rng() * 256));
      expect(native.crc32s([bytes])[0]).toBe(crc32(bytes) >>> 0);
    }
    // Around the folding's 16- and 64-byte steps, from unaligned starts.
    const pool = Uint8Array.from({ length: 600 }, () => Math.floor(rng() * 256));
    for (let n = 0; n <= 520; n++) {
      for (const offset of [0, 1, 3, 8]) {
        const bytes = pool.subarray(offset, offset + n);
        expect(native.crc32s([bytes])[0]).toBe(crc32(bytes) >>> 0);
      }
    }
    expect(native.crc32s([Buffer.from("123456789")])[0]).toBe(0xcbf43926);
  });

  it("CRC-32s of big buffers, computed in 4 MiB pieces on several threads and combined, are zlib's", () => {
    const rng = torch.vision.transforms.mulberry32(11);
    const pool = Buffer.alloc((21 << 20) + 64);
    for (let i = 0; i < pool.length; i += 4) pool.writeUInt32LE(Math.floor(rng() * 2 ** 32), i);
    // Lengths at and around piece boundaries, from unaligned starts; empty ones in between.
    const chunks = [(4 << 20) - 1, 4 << 20, (4 << 20) + 1, (8 << 20) + 17, 0, 21 << 20, 12345].map((n, i) => pool.subarray(i % 5, (i % 5) + n));
    const got = native.crc32s(chunks);
    expect(got.length).toBe(chunks.length);
    chunks.forEach((c, i) => expect(got[i]).toBe(crc32(c) >>> 0));
    expect(native.crc32s([])).toHaveLength(0);
    expect(() => native.crc32s([new Float32Array(4) as unknown as Uint8Array])).toThrow(/item 0 is not a Uint8Array/);
  });

  it("seeded fuzz: mutated files (raw bytes, and pickles repacked with valid CRCs) load or throw an Error", () => {
    // The generator is shared with scripts/soak/fuzz.ts, which runs the same cases by the 100 000.
    const cases = Number(process.env.TORCH_TS_FUZZ_CASES ?? 2000);
    const before = torch.liveTensors();
    const report = runFuzz(fuzzBases(files), cases);
    expect(torch.liveTensors()).toBe(before);
    expect(report.loaded).toBeGreaterThan(0);
    expect(report.loaded).toBeLessThan(cases);
    if (process.env.TORCH_TS_FUZZ_CASES === undefined) expect(report.seconds).toBeLessThan(20);
  });
});
