// Hand-made hostile checkpoints (issue #9 item 3), beside the fuzz and the Python-written
// attacks of serialization_robustness.test.ts: zips whose entries overlap or whose directory
// lies, path-traversal and duplicate names, calls of builtins, and recursion / reference
// bombs in the pickle. Each must be refused with a clear error, run nothing, leak no tensor
// and return promptly (the < 5 s bound around each call only proves there is no hang).
// What PyTorch itself writes still loads (an archive directory named "..", `.data/version`).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { crc32 } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { op, pickle, zipOf } from "./reference/checkpoints.js";

const { UnpicklingError } = torch.serialization;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "torch-ts-attacks-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Loads `bytes`, which must be refused within 5 s by one of the loader's errors matching `message`. */
function refused(bytes: Uint8Array, message: RegExp): Error {
  const before = torch.liveTensors();
  const t0 = performance.now();
  let result: unknown;
  try {
    result = torch.load(bytes);
  } catch (err) {
    const ms = performance.now() - t0;
    expect(ms, `took ${ms} ms`).toBeLessThan(5000);
    expect(err instanceof torch.TorchError || err instanceof UnpicklingError, String(err)).toBe(true);
    expect((err as Error).message).toMatch(message);
    expect(torch.liveTensors()).toBe(before);
    return err as Error;
  }
  torch.dispose(result);
  throw new Error(`expected torch.load to refuse the file (${message})`);
}

const version = Buffer.from("3\n");
const noneTensor = pickle(op.raw("N"));
const valid = (pkl: Buffer = noneTensor) => zipOf([["data.pkl", pkl], ["version", version]]);

interface Local { name: string; data: Buffer }
interface Central { name: string; at: number | { offset: number }; size?: number }
/**
 * A stored zip built field by field: `locals` laid out in order, then a central directory
 * whose records point at locals by index (or at any offset), then the end record (`count`
 * and `cdOffset` may lie).
 */
function craft(locals: Local[], central: Central[], o: { count?: number; diskCount?: number; cdOffset?: number; cdSize?: number } = {}): Buffer {
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const l of locals) {
    const name = Buffer.from(l.name, "utf8");
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt32LE(crc32(l.data) >>> 0, 14);
    h.writeUInt32LE(l.data.length, 18);
    h.writeUInt32LE(l.data.length, 22);
    h.writeUInt16LE(name.length, 26);
    offsets.push(offset);
    parts.push(h, name, l.data);
    offset += 30 + name.length + l.data.length;
  }
  const cd = Buffer.concat(central.map((c) => {
    const name = Buffer.from(c.name, "utf8");
    const local = typeof c.at === "number" ? locals[c.at]! : undefined;
    const data = local?.data ?? Buffer.alloc(0);
    const h = Buffer.alloc(46);
    h.writeUInt32LE(0x02014b50, 0);
    h.writeUInt32LE(crc32(data) >>> 0, 16);
    h.writeUInt32LE(c.size ?? data.length, 20);
    h.writeUInt32LE(c.size ?? data.length, 24);
    h.writeUInt16LE(name.length, 28);
    h.writeUInt32LE(typeof c.at === "number" ? offsets[c.at]! : c.at.offset, 42);
    return Buffer.concat([h, name]);
  }));
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(o.diskCount ?? o.count ?? central.length, 8);
  eocd.writeUInt16LE(o.count ?? central.length, 10);
  eocd.writeUInt32LE(o.cdSize ?? cd.length, 12);
  eocd.writeUInt32LE(o.cdOffset ?? offset, 16);
  return Buffer.concat([...parts, cd, eocd]);
}
const pkl = { name: "archive/data.pkl", data: noneTensor };
const ver = { name: "archive/version", data: version };
const entries = (...names: string[]) => names.map((name, at) => ({ name, at }));

describe("zip structure attacks are refused before any entry is read", () => {
  it("the crafted baseline loads (so each refusal below is down to its one lie)", () => {
    expect(torch.load(craft([pkl, ver], entries(pkl.name, ver.name)))).toBe(null);
  });

  it("two directory records sharing one local entry, and entries overlapping each other", () => {
    const storage = { name: "archive/data/0", data: Buffer.alloc(256, 1) };
    refused(craft([pkl, ver, storage], [...entries(pkl.name, ver.name), { name: "archive/data/1", at: 0 }]), /entries archive\/data\.pkl and archive\/data\/1 share the local header at 0/);
    // A second record whose "local header" lies inside data/0's bytes: data/0 overlaps it.
    const inner = Buffer.alloc(256, 1);
    const hidden = craft([{ name: "archive/data/1", data: Buffer.alloc(16) }], []).subarray(0, 30 + 14 + 16);
    hidden.copy(inner, 64);
    const overlapping = craft([pkl, ver, { name: "archive/data/0", data: inner }], [
      ...entries(pkl.name, ver.name, "archive/data/0"),
      { name: "archive/data/1", at: { offset: 2 * 30 + pkl.name.length + ver.name.length + pkl.data.length + version.length + 30 + 14 + 64 } },
    ]);
    refused(overlapping, /the data of archive\/data\/0 \(bytes \d+\.\.\d+\) overlaps the next entry or the central directory/);
  });

  it("a local entry whose data runs into the central directory, or a header that is not before it", () => {
    const z = craft([pkl, ver], [...entries(pkl.name), { name: ver.name, at: 1, size: 40 }]);
    refused(z, /the data of archive\/version \(bytes \d+\.\.\d+\) overlaps the next entry or the central directory/);
    const pastCd = craft([pkl, ver], [...entries(pkl.name, ver.name), { name: "archive/x", at: { offset: 10_000 } }]);
    refused(pastCd, /local header of archive\/x at 10000 overlaps the next entry or the central directory|outside the/);
  });

  it("a directory that overlaps the end record, or counts that lie high or low", () => {
    const good = craft([pkl, ver], entries(pkl.name, ver.name));
    const cdOffset = good.readUInt32LE(good.length - 6);
    refused(craft([pkl, ver], entries(pkl.name, ver.name), { cdSize: good.length - 22 - cdOffset + 10 }), /central directory .* overlaps the end-of-directory records/);
    refused(craft([pkl, ver], entries(pkl.name, ver.name), { count: 1 }), /central directory holds more than the 1 entries its end record counts/);
    refused(craft([pkl, ver], entries(pkl.name, ver.name), { count: 3 }), /cannot fit|central directory entry 2 is damaged/);
    refused(craft([pkl, ver], entries(pkl.name, ver.name), { diskCount: 1 }), /counts 1 entries on this disk but 2 in all/);
    // Our writer's zip64 records, with the classic record's count changed to disagree.
    const z64 = valid();
    z64.writeUInt16LE(1, z64.length - 14);
    z64.writeUInt16LE(1, z64.length - 12);
    refused(z64, /end of central directory says 1 for the entry count, its zip64 record 2/);
  });

  it("a local header that names another file than the directory does", () => {
    refused(craft([pkl, { name: "archive/evil", data: version }], entries(pkl.name, ver.name)), /central directory names "archive\/version" but its local header "archive\/evil"/);
  });

  it.each([
    ["archive/../../etc/passwd", /climbs out of the archive/],
    ["archive/data/..\\..\\evil", /climbs out of the archive/],
    ["../../etc/passwd", /climbs out of the archive/],
    ["/etc/passwd", /absolute path/],
    ["C:/Windows/evil", /absolute path/],
    ["archive/data\0.pkl", /NUL character/],
  ])("an entry named %j is refused, whatever the loader would look up", (name, message) => {
    const err = refused(craft([pkl, ver, { name, data: Buffer.from("x") }], entries(pkl.name, ver.name, name)), message);
    expect(err.message).toMatch(/unsafe name .*refusing the archive/);
  });

  it("duplicate entry names (which one would be read is ambiguous)", () => {
    const twin = { name: "archive/data.pkl", data: pickle(op.global("os", "system")) };
    refused(craft([pkl, twin, ver], entries(pkl.name, twin.name, ver.name)), /entry name "archive\/data\.pkl" appears twice/);
  });

  it("names PyTorch writes still load: an archive directory called '..' (torch.save to '...pth'), .data/version", () => {
    const file = path.join(dir, "...pth");
    torch.save(new Map([["x", 1]]), file);
    expect(torch.load(file)).toEqual(new Map([["x", 1]]));
    expect(torch.load(zipOf([["data.pkl", noneTensor], [".data/version", version]], "..") )).toBe(null);
    expect(torch.load(zipOf([["data.pkl", noneTensor], ["version", version]], "a.b..c"))).toBe(null);
  });
});

describe("calls of builtins and other globals are refused by name", () => {
  it.each([
    ["builtins", "getattr"], ["builtins", "__import__"], ["builtins", "exec"], ["builtins", "open"], ["__builtin__", "eval"],
    ["subprocess", "Popen"], ["posix", "system"], ["copyreg", "_reconstructor"], ["torch", "load"], ["numpy.core.multiarray", "_reconstruct"],
  ])("%s.%s + REDUCE", (module, name) => {
    const call = pickle(op.global(module, name), op.str("touch /tmp/torch-ts-pwned"), op.raw("\x85"), op.reduce);
    refused(valid(call), new RegExp(`GLOBAL ${module.replace(/\./g, "\\.")}\\.${name} was not an allowed global`));
    expect(fs.existsSync("/tmp/torch-ts-pwned")).toBe(false);
  });

  it("REDUCE on allowed values that are not callable, and allowed globals given bad arguments", () => {
    refused(valid(pickle(op.raw("N"), op.emptyTuple, op.reduce)), /REDUCE: cannot call/);
    refused(valid(pickle(op.global("builtins", "set"), op.int(5), op.raw("\x85"), op.reduce)), /builtins\.set: expected a list/);
    refused(valid(pickle(op.global("collections", "OrderedDict"), op.str("ab"), op.raw("\x85"), op.reduce)), /items must be a list of pairs/);
  });
});

/** `n` opcodes repeated, as a raw pickle fragment. */
const times = (s: string, n: number) => op.raw(s.repeat(n));

describe("recursion and reference bombs in the pickle", () => {
  it("a list or dict that contains itself (a cycle through the memo) is refused", () => {
    refused(valid(pickle(op.raw("]q\x00h\x00a"))), /modifies a container after placing it inside another \(recursive structures are not supported\)/);
    refused(valid(pickle(op.raw("}q\x00X\x01\x00\x00\x00kh\x00s"))), /recursive structures are not supported/);
    // A cycle through a tuple: ([],) then the list gets the tuple.
    refused(valid(pickle(op.raw("]q\x00h\x00\x85q\x01h\x00h\x01a0"))), /recursive structures are not supported/);
  });

  it("deep nesting through MARK/LIST, TUPLE1 and OrderedDict(items) is bounded", () => {
    const n = 50_000;
    refused(valid(pickle(times("(", n), times("l", n))), /nests MARKs deeper than 1000 levels/);
    refused(valid(pickle(op.raw("N"), times("\x85", n))), /nests containers deeper than 1000 levels/);
    // OrderedDict([("k", x)]) built by REDUCE, n times over: each level must count as nesting.
    const level = Buffer.concat([op.global("collections", "OrderedDict"), op.raw("((("), op.str("k"), op.raw("h\x00tltRq\x000")]);
    refused(valid(pickle(op.raw("Nq\x000"), ...Array.from({ length: 2000 }, () => level), op.raw("h\x00"))), /nests containers deeper than 1000 levels/);
  });

  it("a billion-laughs list (each level holds the previous one 1000 times) is refused in milliseconds", () => {
    // L0 = []; L(k+1) = [Lk] * 1000, through BINGET of the memo: 10 levels = 1000^10 leaves.
    const levels: Buffer[] = [op.raw("]q\x00")];
    for (let k = 0; k < 10; k++) levels.push(op.raw(`](${"h\x00".repeat(1000)}eq\x00`));
    refused(valid(pickle(...levels)), /more than \d+ values when its shared references are followed/);
    // Small sharing is fine: a structure referenced twice loads, and as the same object.
    const shared = torch.load(valid(pickle(op.raw("](K\x01K\x02eq\x00](h\x00h\x00e")))) as unknown[][];
    expect(shared).toEqual([[1, 2], [1, 2]]);
    expect(shared[0]).toBe(shared[1]);
  });

  it("huge declared lengths and missing memo entries are refused before anything is allocated", () => {
    const huge = Buffer.alloc(8, 0xff);
    huge[7] = 0x0f;
    for (const opcode of ["\x8d", "\x8e", "\x96"]) refused(valid(pickle(op.raw(opcode), huge)), /pickle data was truncated/);
    refused(valid(pickle(op.raw("\x8b\xff\xff\xff\x7f"))), /pickle data was truncated/);
    refused(valid(pickle(op.raw("N"), op.raw("h\x07"))), /Memo value not found at index 7/);
  });
});
