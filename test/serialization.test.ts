// Checkpoints against PyTorch (Debian's torch 1.13 as the oracle, in one Python process):
// files Python's torch.save wrote (zip, legacy, big-endian, deflated, zip64, BytesIO) load
// with the same keys, order, types, shapes, strides, shared storages and element bytes;
// files torch-ts writes load in Python with torch.load(weights_only=True) the same way; the
// zip layout is PyTorch's byte for byte; safetensors both ways; loadStateDict; memory.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { native } from "../lib/binding.js";
import { handleOf } from "../lib/tensor/index.js";
import { bufferSource, ZipReader } from "../lib/serialization/zip.js";
import { describe as describeValue, normalize, op, pickle, recordsOf, zipOf, type Desc } from "./reference/checkpoints.js";
import { ReferenceSession } from "./reference/session.js";

interface Case { file: string; expect: Desc }
interface TorchInspect {
  loader: string; globals: string[]; disallowed: string[]; describe: Desc; parameters: string[];
  load_state_dict?: string; model_describe?: Desc; optimizer_loaded?: boolean; shares_base?: Record<string, boolean>; after_mul?: Desc; error?: string;
}
interface StInspect { header_len: number; padding_ok: boolean; keys: string[]; metadata: Record<string, string> | null; contiguous: boolean; aligned: boolean; describe: Desc; error?: string }

let py: ReferenceSession;
let dir: string;
let cases: Record<string, Case>;
const storageKey = (t: torch.Tensor) => native.storageInfo(handleOf(t))[0];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "torch-ts-ckpt-"));
  py = new ReferenceSession("serialization.py");
  cases = (await py.request<{ cases: Record<string, Case> }>({ cmd: "generate", dir })).cases;
});
afterAll(() => {
  py?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Loads, compares with Python's description, disposes, and checks nothing leaked. */
/** Loads a Python-written file and compares; disposing the result frees every byte at once. */
function expectLoadsAsPython(name: string, options: torch.LoadOptions = {}): void {
  const before = { live: torch.liveTensors(), bytes: torch.cpuMemoryAllocated() };
  const loaded = torch.load(cases[name]!.file, options);
  try {
    expect(describeValue(loaded)).toEqual(normalize(cases[name]!.expect));
  } finally {
    torch.dispose(loaded);
  }
  expect({ live: torch.liveTensors(), bytes: torch.cpuMemoryAllocated() }).toEqual(before);
}

describe("torch.load reads what Python's torch.save wrote", () => {
  it.each([
    "dtypes.pth", "dtypes_legacy.pt", "scalars.pth", "scalars_legacy.pt", "views.pth", "views_legacy.pt",
    "nested.pth", "nested_legacy.pt", "optimizer.pth", "model.pth", "checkpoint.pth", "ddp.pth", "simple.pth",
  ])("%s: same keys, order, types, shapes, strides, shared storages and bytes", (name) => {
    expectLoadsAsPython(name);
  });

  it.each([
    ["dtypes_bigendian.pth", "big-endian storages (byteorder record), another archive name, Python's zipfile writer"],
    ["nested_deflated.pth", "deflated records, .data/version, extra records ignored"],
    ["views_zip64.pth", "zip64 sizes and offsets in every header"],
    ["bytesio.bin", "saved to a BytesIO (archive name 'archive'), no extension"],
    ["nested_proto4.pth", "pickle protocol 4 (FRAME, SHORT_BINUNICODE, STACK_GLOBAL, MEMOIZE)"],
    ["nested_proto5.pth", "pickle protocol 5"],
  ])("%s: %s", (name) => expectLoadsAsPython(name));

  it("torchvision resnet50().state_dict(): 320 tensors and _metadata identical, no leak", () => {
    expectLoadsAsPython("resnet50.pth");
  });

  it.each(["views.pth", "views_legacy.pt"])("%s: views share one storage — an in-place op on one changes the others", (name) => {
    const v = torch.load(cases[name]!.file) as Map<string, torch.Tensor>;
    const base = storageKey(v.get("base")!);
    for (const t of v.values()) expect(storageKey(t)).toBe(base);
    v.get("slice")!.mul_(10);
    expect(describeValue(v)).toEqual(normalize(cases.views_after_mul!.expect));
    torch.dispose(v);
  });

  it("Python values map to JS: int keys stay numbers, tuples are marked, _metadata is kept", () => {
    const n = torch.load(cases["nested.pth"]!.file) as Map<string, unknown>;
    expect([...(n.get("int_keys") as Map<unknown, string>).keys()]).toEqual([0, 1, -1, 2 ** 40, 300]);
    expect(n.get("big")).toBe(2n ** 70n);
    expect(torch.serialization.isTuple(n.get("size"))).toBe(true);
    expect(Buffer.isBuffer(n.get("bytes"))).toBe(true);
    expect((n.get("param") as torch.Tensor).requiresGrad).toBe(true);
    torch.dispose(n);
    const opt = torch.load(cases["optimizer.pth"]!.file) as Map<string, Map<unknown, unknown>>;
    expect([...opt.get("state")!.keys()].every((k) => typeof k === "number")).toBe(true);
    torch.dispose(opt);
    const sd = torch.load(cases["model.pth"]!.file) as Map<string, torch.Tensor>;
    const meta = torch.serialization.metadataOf(sd)!;
    expect((meta.get("1") as Map<string, number>).get("version")).toBe(2); // BatchNorm2d's _version
    expect((sd as unknown as { metadata: Map<string, { version: number }> }).metadata.get("1")!.version).toBe(2);
    torch.dispose(sd);
  });

  it("JS numbers are written as Python ints only when safe integers: 1e30 stays a float, exact ints need a bigint", () => {
    const back = torch.load(torch.serialization.saveToBuffer(new Map<string, unknown>([
      ["lr", 1e30], ["steps", 3], ["neg", -(2 ** 53) + 1], ["huge", 2 ** 60], ["exact", 2n ** 70n], ["half", 0.5],
    ]))) as Map<string, unknown>;
    expect([...back.entries()]).toEqual([["lr", 1e30], ["steps", 3], ["neg", -(2 ** 53) + 1], ["huge", 2 ** 60], ["exact", 2n ** 70n], ["half", 0.5]]);
  });

  it("mapLocation: a storage tagged cuda:0 needs CUDA or a mapping", () => {
    const file = cases["cuda_tagged.pth"]!.file;
    if (!torch.cuda.isAvailable()) expect(() => torch.load(file)).toThrow(/saved on cuda:0, but CUDA is not available.*mapLocation/);
    const seen: string[] = [];
    for (const mapLocation of ["cpu", { "cuda:0": "cpu" }, (s: torch.Tensor, loc: string) => (seen.push(loc), s)] as torch.MapLocation[]) {
      const r = torch.load(file, { mapLocation }) as Map<string, torch.Tensor>;
      expect(r.get("w")!.device).toBe("cpu");
      expect(r.get("w")!.tolist()).toEqual([0, 1, 2, 3]);
      torch.dispose(r);
    }
    expect(seen).toEqual(["cuda:0"]);
    expect(() => torch.load(file, { mapLocation: "mps" })).toThrow(/don't know how to restore/);
  });
});

describe("forms newer PyTorch writes", () => {
  it("_rebuild_tensor_v3 over an UntypedStorage + dtype, _rebuild_from_type_v2, Parameter via NEWOBJ, 2.x extra records", () => {
    // Python's own float32 [3, 4] weight bytes from simple.pth, described by Python.
    const [records, weight] = [recordsOf(fs.readFileSync(cases["simple.pth"]!.file)), (cases["simple.pth"]!.expect.items as Desc[][])[0]![1]!];
    const data = records.find(([n]) => n === "data/0")![1];
    const ints = (xs: number[]) => Buffer.concat([op.mark, ...xs.map(op.int), op.tuple]);
    const untyped = Buffer.concat([op.mark, op.str("storage"), op.global("torch", "UntypedStorage"), op.str("0"), op.str("cpu"), op.int(48), op.tuple, op.persid]);
    const hooks = Buffer.concat([op.global("collections", "OrderedDict"), op.emptyTuple, op.reduce]);
    const v3 = Buffer.concat([op.global("torch._utils", "_rebuild_tensor_v3"), op.mark, untyped, op.int(0), ints([3, 4]), ints([4, 1]), op.false, hooks, op.global("torch", "float32"), op.tuple, op.reduce]);
    const fromType = Buffer.concat([op.global("torch._tensor", "_rebuild_from_type_v2"), op.mark, op.global("torch._utils", "_rebuild_tensor_v3"),
      op.global("torch", "Tensor"), op.mark, untyped, op.int(4), ints([2]), ints([1]), op.false, hooks, op.global("torch", "float32"), op.tuple, op.raw("}"), op.tuple, op.reduce]);
    const param = Buffer.concat([op.global("torch.nn.parameter", "Parameter"), op.mark, v3, op.raw("\x88"), op.tuple, op.raw("\x81")]);
    const file = zipOf([
      ["data.pkl", pickle(op.raw("]"), op.mark, v3, fromType, param, op.raw("e"))], [".format_version", Buffer.from("1")], [".storage_alignment", Buffer.from("64")],
      ["byteorder", Buffer.from("little")], ["data/0", data], ["version", Buffer.from("3\n")], [".data/serialization_id", Buffer.from("0123")],
    ]);
    const [a, b, p] = torch.load(file) as torch.Tensor[];
    expect(describeValue(a)).toEqual(weight);
    expect(storageKey(b!)).toBe(storageKey(a!));
    expect(b!.tolist()).toEqual((a!.tolist() as number[][])[1]!.slice(0, 2));
    expect(p!.requiresGrad).toBe(true);
    torch.dispose(a, b, p);
  });
});

describe("Python reads what torch.save wrote (torch.load weights_only=True)", () => {
  let inspected: Record<string, TorchInspect & StInspect>;
  const expected: Record<string, Desc> = {};
  const DTYPE_VALUES: [torch.DType, torch.TensorData][] = [
    ["float32", [NaN, Infinity, -Infinity, 0.1, -2.5, 3.4e38]], ["float64", [NaN, 1 / 3, -1e300, 5e-324, 0, -0]],
    ["float16", [NaN, Infinity, 65504, 6e-8, -0.5, 1000.7]], ["bfloat16", [NaN, -Infinity, 3.14159, 1e38, -1, 0]],
    ["int64", [-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 2n ** 53n + 1n, 7n]], ["int32", [-2147483648, 2147483647, 0, -7, 1, 2]],
    ["int16", [-32768, 32767, 0, 1, 2, 3]], ["int8", [-128, 127, 0, 1, 2, 3]], ["uint8", [0, 255, 128, 1, 2, 3]],
    ["bool", [true, false, true, true, false, false]],
  ];

  beforeAll(async () => {
    const write = (name: string, obj: unknown) => {
      torch.save(obj, path.join(dir, name));
      expected[name] = describeValue(obj, new Map(), true);
    };
    write("ts_dtypes.pth", new Map(DTYPE_VALUES.map(([dt, v]) => [dt, torch.tensor(v, { dtype: dt }).reshape([2, 3])])));
    const base = torch.arange(48).reshape([6, 8]);
    const views = new Map([
      ["base", base], ["t", base.transpose(0, 1)], ["slice", base.narrow(0, 1, 3).narrow(1, 2, 5)], ["row", base.select(0, 3)],
      ["col", base.select(1, 5)], ["expanded", base.narrow(0, 0, 1).expand([4, 8])],
    ]);
    write("ts_views.pth", views);
    views.get("slice")!.mul_(10);
    expected.views_after_mul = describeValue(views, new Map(), true);
    const w = torch.randn(3, 4);
    write("ts_nested.pth", {
      epoch: 5, best_acc: 0.93, name: "héllo ☃ 𝄞", flag: false, nothing: null, big: 2n ** 70n, neg: -(2 ** 40),
      bytes: Buffer.from([0, 255, 1]), pair: torch.serialization.tuple(1, "two", torch.serialization.tuple()),
      model: new Map([["fc.weight", w], ["fc.bias", torch.zeros(3)]]),
      optimizer: { state: new Map([[0, { step: 3, exp_avg: torch.zerosLike(w) }]]), param_groups: [{ lr: 1e-3, betas: torch.serialization.tuple(0.9, 0.999), params: [0, 1] }] },
      param: torch.ones(2).requiresGrad_(), shared: [w, w.transpose(0, 1), w.select(0, 1)], scalar: torch.tensor(2.5), empty: torch.zeros(0, 3),
      long_list: Array.from({ length: 2500 }, (_, i) => i),
    });
    const resnet = torch.load(cases["resnet50.pth"]!.file);
    torch.save(resnet, path.join(dir, "ts_resnet50.pth"));
    torch.dispose(resnet);
    const opt = torch.load(cases["optimizer.pth"]!.file);
    torch.save(opt, path.join(dir, "ts_optimizer.pth"));
    torch.dispose(opt);
    // lib/nn: a Module loads Python's state dict (with _metadata) and saves its own.
    const model = new torch.nn.Sequential(new torch.nn.Conv2d(3, 4, 3), new torch.nn.BatchNorm2d(4), new torch.nn.Flatten(), new torch.nn.Linear(4 * 6 * 6, 5));
    const pySd = torch.load(cases["model.pth"]!.file) as Map<string, torch.Tensor>;
    model.loadStateDict(pySd);
    torch.dispose(pySd);
    const tsSd = model.stateDict();
    torch.save(tsSd, path.join(dir, "ts_model.pth"));
    torch.dispose(tsSd);
    const st = new Map<string, torch.Tensor>(DTYPE_VALUES.map(([dt, v]) => [`w.${dt}`, torch.tensor(v, { dtype: dt })]));
    st.set("a.transposed", torch.arange(12, { dtype: "float32" }).reshape([3, 4]).transpose(0, 1));
    st.set("z.empty", torch.zeros(0, 2));
    st.set("m.scalar", torch.tensor(1.5, { dtype: "float64" }));
    torch.serialization.safetensors.saveFile(st, path.join(dir, "ts.safetensors"), { format: "pt", note: "ünïcode" });
    expected["ts.safetensors"] = describeValue(st, new Map(), true);
    inspected = await py.request({
      cmd: "inspect",
      files: [["ts_dtypes.pth", "plain"], ["ts_views.pth", "views"], ["ts_nested.pth", "plain"], ["ts_resnet50.pth", "resnet50"],
        ["ts_optimizer.pth", "optimizer"], ["ts.safetensors", "safetensors"], ["ts_model.pth", "model"]].map(([name, kind]) => ({ name, kind, path: path.join(dir, name!) })),
    });
  });

  const ok = (name: string): TorchInspect & StInspect => {
    const r = inspected[name]!;
    expect(r.error).toBeUndefined();
    return r;
  };

  it.each(["ts_dtypes.pth", "ts_views.pth", "ts_resnet50.pth"])("%s loads with weights_only=True, values identical", (name) => {
    const r = ok(name);
    expect(r.loader).toBe("weights_only");
    expect(r.disallowed).toEqual([]);
    if (expected[name]) expect(r.describe).toEqual(expected[name]);
  });

  it("views keep sharing one storage in Python; an in-place op shows in every view", () => {
    const r = ok("ts_views.pth");
    expect(Object.values(r.shares_base!).every(Boolean)).toBe(true);
    expect(r.after_mul).toEqual(expected.views_after_mul);
  });

  it("a nested checkpoint {epoch, model, optimizer, best_acc, …}: every type as written; requiresGrad tensors become Parameters", () => {
    const r = ok("ts_nested.pth");
    // torch 1.13's weights-only unpickler lacks BINFLOAT (Python floats); its allowlist then
    // runs on the stock unpickler ("strict"). Every global is on weights_only's list either way.
    expect(["weights_only", "strict"]).toContain(r.loader);
    expect(r.disallowed).toEqual([]);
    expect(r.describe).toEqual(expected["ts_nested.pth"]);
    expect(r.parameters).toEqual(["/param"]);
  });

  it("a re-saved resnet50 state dict: identical to the original, load_state_dict(strict=True) accepts it", () => {
    const r = ok("ts_resnet50.pth");
    expect(r.describe).toEqual(cases["resnet50.pth"]!.expect);
    expect(r.load_state_dict).toBe("<All keys matched successfully>");
  });

  it("nn.Module: loadStateDict(torch.load(Python's file)), then torch.save(stateDict()) loads into the Python model unchanged", () => {
    const r = ok("ts_model.pth");
    expect(r.loader).toBe("weights_only");
    expect(r.load_state_dict).toBe("<All keys matched successfully>");
    expect(r.describe).toEqual(cases["model.pth"]!.expect); // keys, _metadata versions, values
    expect(r.model_describe).toEqual(cases["model.pth"]!.expect);
  });

  it("a re-saved optimizer state_dict (int keys, floats, tuples, None): identical, Adam.load_state_dict accepts it", () => {
    const r = ok("ts_optimizer.pth");
    expect(r.describe).toEqual(cases["optimizer.pth"]!.expect);
    expect(r.optimizer_loaded).toBe(true);
  });

  it("safetensors written here parse by hand in Python: header padded, sorted, aligned, contiguous", () => {
    const r = ok("ts.safetensors");
    expect(r.header_len % 8).toBe(0);
    expect(r.padding_ok).toBe(true);
    expect(r.contiguous).toBe(true);
    expect(r.aligned).toBe(true);
    expect(r.metadata).toEqual({ format: "pt", note: "ünïcode" });
    expect(r.keys[0]).toBe("__metadata__");
    // The reference's order: widest dtype first, then name.
    expect(r.keys.slice(1)).toEqual(["w.int64", "m.scalar", "w.float64", "a.transposed", "w.float32", "z.empty", "w.int32", "w.bfloat16", "w.float16", "w.int16", "w.int8", "w.uint8", "w.bool"]);
    const byName = new Map((r.describe.items as [Desc, Desc][]).map(([k, v]) => [k.v as string, v]));
    for (const [k, v] of expected["ts.safetensors"]!.items as [Desc, Desc][]) {
      const got = byName.get(k.v as string)!;
      expect([got.dtype, got.shape, got.sha256]).toEqual([v.dtype, v.shape, v.sha256]);
    }
  });
});

describe("the zip layout is PyTorch's", () => {
  it("our zip writer reproduces a Python-written file byte for byte from its records", () => {
    const file = fs.readFileSync(cases["simple.pth"]!.file);
    expect(zipOf(recordsOf(file), "simple").equals(file)).toBe(true);
  });

  it("torch.save of the same state dict: the same pickle bytes and records as Python (plus byteorder)", () => {
    const sd = torch.load(cases["simple.pth"]!.file);
    const out = path.join(dir, "sub");
    fs.mkdirSync(out, { recursive: true });
    torch.save(sd, path.join(out, "simple.pth"));
    torch.dispose(sd);
    const ours = fs.readFileSync(path.join(out, "simple.pth"));
    // PyTorch >= 2.1 also writes byteorder, .format_version, .storage_alignment and
    // .data/serialization_id (a random id); torch-ts writes 1.13's records plus byteorder,
    // which every version reads. Compare the records both write.
    const newer = new Set(["byteorder", ".format_version", ".storage_alignment", ".data/serialization_id"]);
    const theirs = recordsOf(fs.readFileSync(cases["simple.pth"]!.file)).filter(([n]) => !newer.has(n));
    const mine = recordsOf(ours);
    expect(mine.map(([n]) => n)).toEqual(["data.pkl", "byteorder", ...theirs.slice(1).map(([n]) => n)]);
    expect(mine.filter(([n]) => n !== "byteorder")).toEqual(theirs);
    const z = new ZipReader(bufferSource(ours));
    for (const e of z.entries) {
      expect(e.name.startsWith("simple/")).toBe(true);
      expect([e.flags, e.method, z.dataOffset(e) % 64]).toEqual([0x0808, 0, 0]);
    }
  });

  it("archive names: the file stem as PyTorch uses, 'archive' for streams; streams get the same bytes", async () => {
    const t = torch.arange(3);
    torch.save(t, path.join(dir, "model.tar.pth"));
    expect(new ZipReader(bufferSource(fs.readFileSync(path.join(dir, "model.tar.pth")))).entries[0]!.name).toBe("model.tar/data.pkl");
    const chunks: Buffer[] = [];
    const stream = new PassThrough().on("data", (c: Buffer) => chunks.push(c));
    torch.save(t, stream);
    await new Promise((r) => stream.end(r));
    expect(Buffer.concat(chunks).equals(torch.serialization.saveToBuffer(t))).toBe(true);
    await torch.saveAsync(t, path.join(dir, "async.pt"));
    const back = (await torch.loadAsync(path.join(dir, "async.pt"))) as torch.Tensor;
    expect(back.tolist()).toEqual([0, 1, 2]);
    torch.dispose(t, back);
    expect(() => torch.save(t, path.join(dir, ".pth"))).toThrow(/invalid file name/);
  });

  it("an interrupted save leaves the previous file intact and no temp file", () => {
    const file = path.join(dir, "atomic.pth");
    const t = torch.ones(2);
    torch.save({ t }, file);
    const before = fs.readFileSync(file);
    expect(() => torch.save({ t, bad: new Set([1]) }, file)).toThrow(/cannot save a Set.*at obj\["bad"\]/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => f.includes(".tmp"))).toEqual([]);
    t.dispose();
  });

  it("a save is flushed to disk (file and directory) before it replaces the previous file; { fsync: false } writes the same bytes atomically without the flushes", async () => {
    const t = torch.arange(1 << 20, { dtype: "float64" }); // 8 MiB: past the step at which early writeback starts
    // Same file name (the archive is named after it), different directories.
    const [flushed, unflushed] = ["flushed", "unflushed"].map((d) => path.join(fs.mkdtempSync(path.join(dir, d)), "ckpt.pth")) as [string, string];
    const calls = { fsync: 0, writeback: 0 };
    const fsyncSync = fs.fsyncSync;
    const startWriteback = native.startWriteback;
    const count = (f: (...a: never[]) => unknown, key: keyof typeof calls) => (...a: never[]) => (calls[key]++, f(...a));
    Object.assign(fs, { fsyncSync: count(fsyncSync, "fsync") });
    Object.assign(native, { startWriteback: count(startWriteback, "writeback") });
    const seen: (typeof calls)[] = [];
    const run = async (save: () => unknown) => {
      Object.assign(calls, { fsync: 0, writeback: 0 });
      await save();
      seen.push({ ...calls });
    };
    try {
      await run(() => torch.save({ t }, flushed));
      await run(() => torch.save({ t }, unflushed, { fsync: false }));
      await run(() => torch.save({ t }, unflushed, { fsync: false })); // replacing a previous file
    } finally {
      Object.assign(fs, { fsyncSync });
      Object.assign(native, { startWriteback });
    }
    expect(seen).toEqual([{ fsync: 2, writeback: 1 }, { fsync: 0, writeback: 0 }, { fsync: 0, writeback: 0 }]);
    expect(fs.readFileSync(unflushed).equals(fs.readFileSync(flushed))).toBe(true);
    expect(fs.readdirSync(path.dirname(unflushed))).toEqual(["ckpt.pth"]);
    // The async form takes the option too, and both refuse what is not an option.
    await torch.saveAsync({ t }, unflushed, { fsync: false });
    const back = torch.load(unflushed) as Map<string, torch.Tensor>;
    expect(Buffer.from(back.get("t")!.toTypedArray().buffer).equals(Buffer.from(t.toTypedArray().buffer))).toBe(true);
    expect(() => torch.save({ t }, unflushed, { fsync: "no" } as never)).toThrow(/fsync/);
    expect(() => torch.save({ t }, unflushed, { sync: false } as never)).toThrow(/sync/);
    await expect(torch.saveAsync({ t }, unflushed, { fsync: 0 } as never)).rejects.toThrow(/fsync/);
    torch.dispose(t, back);
  });
});

describe("safetensors", () => {
  it("round trip keeps names, dtypes, shapes and bytes; torch.load recognizes it by content", () => {
    const tensors = new Map<string, torch.Tensor>([
      ["b", torch.randn(2, 3)], ["a", torch.arange(5, { dtype: "int64" })], ["h", torch.randn(4).to("bfloat16")],
      ["t", torch.randn(3, 2).transpose(0, 1)], ["e", torch.zeros(0)], ["flag", torch.tensor([true, false])],
    ]);
    const file = path.join(dir, "round.bin");
    torch.serialization.safetensors.saveFile(tensors, file, { k: "v" });
    const back = torch.load(file) as Map<string, torch.Tensor>;
    const strip = (d: Desc) => (d.items as [Desc, Desc][]).map(([k, v]) => [k.v, v.dtype, v.shape, v.sha256]).sort();
    expect(strip(describeValue(back))).toEqual(strip(describeValue(tensors)));
    expect(torch.serialization.safetensors.readMetadata(file)).toEqual({ k: "v" });
    torch.dispose(back, tensors);
  });
});

describe("loadStateDict", () => {
  it("finds model_state_dict in a training checkpoint and frees the rest", () => {
    const before = torch.liveTensors();
    const sd = torch.loadStateDict(cases["checkpoint.pth"]!.file);
    expect(describeValue(sd)).toEqual(normalize(cases.model_metadata!.expect));
    torch.dispose(sd);
    expect(torch.liveTensors()).toBe(before);
  });

  it("strips DataParallel's module. prefix from keys and _metadata", () => {
    const sd = torch.loadStateDict(cases["ddp.pth"]!.file, { stripPrefix: true });
    expect(describeValue(sd)).toEqual(normalize(cases.model_metadata!.expect));
    torch.dispose(sd);
  });

  it("a state dict file is its own state dict; a checkpoint without one is a clear error", () => {
    const sd = torch.loadStateDict(cases["model.pth"]!.file);
    expect([...sd.keys()][0]).toBe("0.weight");
    torch.dispose(sd);
    const before = torch.liveTensors();
    expect(() => torch.loadStateDict(cases["nested.pth"]!.file)).toThrow(/no state dict found.*"epoch"/);
    expect(torch.liveTensors()).toBe(before);
  });
});
