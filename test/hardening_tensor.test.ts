// Hardening of tensor creation, printing and data access (issue "[hardening]"): walks over user
// data that always end, printing that copies out only what it prints (byte-identical to Python's
// repr, generated at test time by Debian's python3), integer dtypes that refuse out-of-range
// values as PyTorch does, exact int64 in tolist() and printing, and messages that name the call.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import url from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { PYTHON } from "./reference/python.js";

const root = path.resolve(path.dirname(url.fileURLToPath(import.meta.url)), "..");
const entry = url.pathToFileURL(path.join(root, "lib", "index.ts")).href;

/** Runs `code` (Python, reading JSON from stdin, printing JSON) with the oracle. */
function python<T>(code: string, input: unknown): T {
  const res = spawnSync(PYTHON, ["-c", code], {
    input: JSON.stringify(input),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, OMP_NUM_THREADS: "1" },
  });
  if (res.error) throw new Error(`cannot run ${PYTHON} (${res.error.message}); run scripts/setup.sh`);
  if (res.status !== 0) throw new Error(`python failed (exit ${res.status}):\n${res.stderr}`);
  return JSON.parse(res.stdout) as T;
}

/** Runs `body` (JS, with `t` the torch-ts module) in a child node; a crash there is a failed exit code here. */
function child(body: string): { status: number | null; signal: string | null; stdout: string; stderr: string } {
  const code = `import(process.env.TORCH_TS_ENTRY).then((t) => { ${body} });`;
  const res = spawnSync(process.execPath, ["--import", "tsx", "-e", code], {
    cwd: root,
    env: { ...process.env, TORCH_TS_ENTRY: entry },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: res.status, signal: res.signal, stdout: res.stdout, stderr: res.stderr };
}

const caught = (f: () => unknown): Error => {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a throw");
};

let liveAtStart = 0;
beforeAll(() => {
  liveAtStart = torch.liveTensors();
});
afterEach(() => torch.setPrintoptions({ profile: "default" }));
afterAll(() => {
  // Every test disposes what it made (tidy or dispose): printing and failed calls leak nothing.
  expect(torch.liveTensors()).toBe(liveAtStart);
});

describe("1. walks over user data end", () => {
  it("a cyclic array is a TypeError naming torch.tensor and the path (in a child process: a regression cannot kill this worker)", () => {
    const r = child(`
      const out = [];
      const tryit = (f) => { try { f(); out.push("no error"); } catch (e) { out.push(e.constructor.name + ": " + e.message); } };
      const a = [1]; a[0] = a; tryit(() => t.tensor(a));
      const b = [[1, 2], [3, 4]]; b[1][0] = b; tryit(() => t.tensor(b));
      const c = [[1], [1]]; c[1] = c; tryit(() => t.tensor(c));
      console.log(JSON.stringify({ out, live: t.liveTensors() }));`);
    expect(r.signal).toBe(null);
    expect(r.status, r.stderr).toBe(0);
    const { out, live } = JSON.parse(r.stdout) as { out: string[]; live: number };
    expect(out).toEqual([
      "TypeError: torch.tensor: data[0] refers back to an enclosing array (nested data cannot contain itself)",
      "TypeError: torch.tensor: data[1][0] refers back to an enclosing array (nested data cannot contain itself)",
      "TypeError: torch.tensor: data[1] refers back to an enclosing array (nested data cannot contain itself)",
    ]);
    expect(live).toBe(0);
  });

  it("nesting is bounded by PyTorch's 128 dimensions (checked against Python), in a child process", () => {
    const py = python<string[]>(
      `import json, torch
out = []
for n in (128, 129):
    try:
        out.append(str(torch.tensor(eval("[" * n + "1" + "]" * n)).dim()))
    except Exception as e:
        out.append(type(e).__name__ + ": " + str(e))
print(json.dumps(out))`, null);
    expect(py[0]).toBe("128");
    expect(py[1]).toMatch(/^ValueError: too many dimensions/);
    const r = child(`
      const nest = (n) => { let v = 1; for (let i = 0; i < n; i++) v = [v]; return v; };
      const ok = t.tensor(nest(128)); const dim = ok.ndim; ok.dispose();
      let msg = "no error"; try { t.tensor(nest(129)); } catch (e) { msg = e.constructor.name + ": " + e.message; }
      let deep = "no error"; try { t.tensor(nest(100000)); } catch (e) { deep = e.constructor.name + ": " + e.message; }
      console.log(JSON.stringify({ dim, msg, deep, live: t.liveTensors() }));`);
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as { dim: number; msg: string; deep: string; live: number };
    expect(got.dim).toBe(128);
    const limit = "TypeError: torch.tensor: data nests deeper than 128 levels (too many dimensions; PyTorch's limit is 128)";
    expect(got.msg).toBe(limit);
    expect(got.deep).toBe(limit);
    expect(got.live).toBe(0);
  });

  it("holes in sparse arrays are refused by their path, not read as undefined or NaN", () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(() => torch.tensor([1, , 3] as never)).toThrow(
      new TypeError("torch.tensor: data[1] is an empty slot (a hole in a sparse array); expected a number, boolean or bigint"));
    // eslint-disable-next-line no-sparse-arrays
    expect(() => torch.tensor([[1, 2], [3, ,]] as never)).toThrow(/^torch\.tensor: data\[1\]\[1\] is an empty slot/);
    expect(() => torch.tensor([, 1] as never)).toThrow(/^torch\.tensor: data\[0\] is an empty slot/);
    expect(() => torch.tensor(new Array(3) as never)).toThrow(/^torch\.tensor: data\[0\] is an empty slot/);
  });

  it("a Proxy over an array is read as the array; throwing traps and getters are TypeErrors naming torch.tensor and the path", () => {
    const p = torch.tensor(new Proxy([[1, 2], [3, 4]], {}) as never);
    expect(p.tolist()).toEqual([[1, 2], [3, 4]]);
    p.dispose();
    const trap = new Proxy([1, 2, 3], { get: (o, k) => { if (k === "1") throw new Error("boom"); return (o as never)[k]; } });
    expect(() => torch.tensor(trap as never)).toThrow(
      new TypeError("torch.tensor: reading data[1] threw (Error: boom); expected nested arrays of numbers, booleans or bigints"));
    const getter = [1, 2];
    Object.defineProperty(getter, 1, { get() { throw new RangeError("no"); } });
    expect(() => torch.tensor([[0, 0], getter])).toThrow(/^torch\.tensor: reading data\[1\]\[1\] threw \(RangeError: no\)/);
    const lengthTrap = new Proxy([1], { get: (o, k) => { if (k === "length") throw new Error("len"); return (o as never)[k]; } });
    expect(caught(() => torch.tensor(lengthTrap as never))).toBeInstanceOf(TypeError);
    const revoked = Proxy.revocable([1], {});
    revoked.revoke();
    expect(() => torch.tensor(revoked.proxy as never)).toThrow(/^torch\.tensor: reading data threw \(TypeError: .*revoked/);
  });

  it("the existing messages stay (ragged, mixed, non-numbers), and a cycle inside a message is cut", () => {
    expect(() => torch.tensor([[1, 2], [3]] as never)).toThrow(/^torch\.tensor: ragged nested array: expected length 2 at data\[1\], but received \[3\]$/);
    const cyc: unknown[] = [1, 2];
    cyc[1] = cyc;
    // data[1] is a leaf position holding an array that contains itself: described, not recursed forever.
    expect(() => torch.tensor([[1], cyc] as never)).toThrow(/^torch\.tensor: ragged nested array: expected length 1 at data\[1\], but received \[1, \[…\]\]$/);
  });
});

interface Case {
  name: string;
  make: () => torch.Tensor;
  opts?: { precision?: number; threshold?: number; edgeitems?: number; linewidth?: number; profile?: "default" | "short" | "full"; sciMode?: boolean };
  grad?: boolean;
}

const PY_REPR = `import json, sys, torch
cases = json.load(sys.stdin)
out = []
for c in cases:
    t = torch.frombuffer(bytearray(open(c["file"], "rb").read()), dtype=getattr(torch, c["dtype"])) if c["bytes"] else torch.empty(0, dtype=getattr(torch, c["dtype"]))
    t = t.reshape(c["shape"])
    if c["grad"]:
        t.requires_grad_(True)
    torch.set_printoptions(profile="default")
    o = c["opts"]
    torch.set_printoptions(**{{"sciMode": "sci_mode"}.get(k, k): v for k, v in o.items()})
    out.append(repr(t))
print(json.dumps(out))`;

describe("2. printing summarizes as PyTorch and matches Python's repr", () => {
  torch.manualSeed(0);
  const big = (...shape: number[]) => () => torch.randn(shape);
  const CASES: Case[] = [
    { name: "randn(1000, 1000): the repro (threw with >= ~125k elements)", make: big(1000, 1000) },
    { name: "3-D float summarized", make: () => torch.tidy(() => torch.randn(200, 30, 40).mul(100)) },
    { name: "3-D with small middle dim", make: () => torch.tidy(() => torch.randn(50, 2, 30)) },
    { name: "4-D summarized", make: big(7, 8, 9, 10) },
    { name: "int64 summarized, past 2^53", make: () => torch.tensor(BigInt64Array.from({ length: 2400 }, (_, i) => (BigInt(i) * 3843720027436854775n) % (1n << 63n) * (i % 3 === 0 ? -1n : 1n)), { shape: [40, 60] }) },
    { name: "int64 small exact", make: () => torch.tensor([9007199254740993n, -9223372036854775808n, 1n]) },
    { name: "int32 summarized", make: () => torch.tidy(() => torch.randint(-1000, 1000, [30, 50], { dtype: "int32" })) },
    { name: "uint8", make: () => torch.tensor([[0, 255], [7, 12]], { dtype: "uint8" }) },
    { name: "bool summarized", make: () => torch.tidy(() => torch.rand(40, 40).gt(0.5)) },
    { name: "bool small", make: () => torch.tensor([[true, false], [true, true]]) },
    { name: "fixed-point with requires_grad", make: () => torch.tensor([[1.5, -2], [3, 4]], { dtype: "float64" }), grad: true },
    { name: "int-valued floats", make: () => torch.tidy(() => torch.arange(30, { dtype: "float32" })) },
    { name: "sci by range", make: () => torch.tensor([1e-5, 1, 1e5]) },
    { name: "sci int-valued by range", make: () => torch.tidy(() => torch.arange(2000, { dtype: "float32" }).reshape(2, 1000)) },
    { name: "nan inf -inf and zeros", make: () => torch.tensor([NaN, Infinity, -Infinity, 1.5, 0, -0]) },
    { name: "int mode with nan", make: () => torch.tensor([NaN, 1, 2, -Infinity]) },
    { name: "all zero", make: () => torch.zeros(2, 3) },
    { name: "negative zero in int mode", make: () => torch.tensor([-0, 1, 2]) },
    { name: "half-even ties", make: () => torch.tensor([0.03125, 0.09375, 1.03125, -0.15625, 2.5], { dtype: "float64" }) },
    { name: "float16", make: () => torch.tensor([0.1, 65504, -3.25, 1e-3], { dtype: "float16" }) },
    { name: "bfloat16 summarized", make: () => torch.tidy(() => torch.randn(30, 40).to("bfloat16")) },
    { name: "scalar float", make: () => torch.tensor(3.5) },
    { name: "scalar int64", make: () => torch.tensor(7n) },
    { name: "scalar bool", make: () => torch.tensor(true) },
    { name: "empty 2-D", make: () => torch.zeros(0, 3) },
    { name: "empty int64", make: () => torch.tensor([], { dtype: "int64" }) },
    { name: "empty float64 3-D", make: () => torch.zeros([2, 0, 4], { dtype: "float64" }) },
    { name: "long row wraps at linewidth", make: () => torch.tidy(() => torch.randn(3, 25)) },
    { name: "precision 2, threshold 5 (the docs' example)", make: () => torch.tidy(() => torch.arange(10, { dtype: "int64" })), opts: { precision: 2, threshold: 5 } },
    { name: "precision 2 float", make: () => torch.tidy(() => torch.randn(4, 5)), opts: { precision: 2 } },
    { name: "precision 0 ties", make: () => torch.tensor([0.5, 1.5, 2.5, 3.25]), opts: { precision: 0 } },
    { name: "precision 8", make: () => torch.tidy(() => torch.randn(3, 3, { dtype: "float64" })), opts: { precision: 8 } },
    { name: "edgeitems 2", make: big(20, 30), opts: { edgeitems: 2 } },
    { name: "edgeitems 1 3-D", make: big(10, 10, 20), opts: { edgeitems: 1 } },
    { name: "threshold 10 on small", make: big(4, 5), opts: { threshold: 10 } },
    { name: "linewidth 120", make: big(5, 30), opts: { linewidth: 120 } },
    { name: "linewidth 30 with suffix", make: () => torch.tensor([1.25, 2, 3], { dtype: "float64" }), opts: { linewidth: 30 }, grad: true },
    { name: "profile short", make: big(30, 40), opts: { profile: "short" } },
    { name: "profile full", make: big(40, 30), opts: { profile: "full" } },
    { name: "sciMode true", make: big(3, 3), opts: { sciMode: true } },
    { name: "sciMode false", make: () => torch.tensor([1e-5, 1, 1e5]), opts: { sciMode: false } },
    { name: "sciMode false huge", make: () => torch.tensor([1e30, 1], { dtype: "float64" }), opts: { sciMode: false } },
    { name: "sciMode true int64 (ignored for ints)", make: () => torch.tensor([1n, 100000n]), opts: { sciMode: true } },
    { name: "summarized with nan", make: () => torch.tidy(() => torch.randn(40, 40).log()) },
  ];

  let dir = "";
  let want: string[] = [];
  let got: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "torch-ts-print-"));
    const specs = CASES.map((c, i) => {
      const t = c.make();
      try {
        const file = path.join(dir, `${i}.bin`);
        const data = t.toTypedArray();
        writeFileSync(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        return { file, bytes: data.byteLength > 0, dtype: t.dtype, shape: t.shape, opts: c.opts ?? {}, grad: c.grad ?? false };
      } finally {
        t.dispose();
      }
    });
    want = python<string[]>(PY_REPR, specs);
    // The same tensors again from the same files (so printing sees the very bytes Python saw).
    got = specs.map((s, i) => {
      torch.setPrintoptions({ profile: "default" });
      torch.setPrintoptions(CASES[i]!.opts ?? {});
      const t = torch.frombuffer(new Uint8Array(readBytes(s.file, s.bytes)), { dtype: s.dtype as torch.DType, shape: s.shape });
      try {
        if (s.grad) t.requiresGrad_(true);
        return String(t);
      } finally {
        t.dispose();
      }
    });
    torch.setPrintoptions({ profile: "default" });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(CASES.map((c, i) => [c.name, i] as const))("%s", (_name, i) => {
    expect(want[i]).toMatch(/^tensor\(/);
    if (process.env.SHOW_REPR) console.log(`${CASES[i]!.name}\n${want[i]}\n${got[i]}`);
    expect(got[i]).toBe(want[i]);
  });

  it("a 10^10-element expanded view prints from its 36 corner values, as Python prints it (nothing else is copied)", () => {
    const before = torch.liveTensors();
    const column = torch.tidy(() => torch.arange(100000, { dtype: "float64" }).mul(0.37).sin().reshape(100000, 1));
    const view = column.expand(100000, 100000); // 80 GB if anything copied it whole
    const text = String(view);
    const bytes = column.toTypedArray();
    view.dispose();
    column.dispose();
    const file = path.join(dir, "column.bin");
    writeFileSync(file, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const py = python<string>(`import json, sys, torch
f = json.load(sys.stdin)
c = torch.frombuffer(bytearray(open(f, "rb").read()), dtype=torch.float64).reshape(100000, 1)
print(json.dumps(repr(c.expand(100000, 100000))))`, file);
    expect(text).toBe(py);
    expect(torch.liveTensors()).toBe(before);
  }, 60_000);
});

function readBytes(file: string, nonEmpty: boolean): Uint8Array {
  return nonEmpty ? new Uint8Array(readFileSync(file)) : new Uint8Array(0);
}

type Value = number | bigint | boolean;
const CONVERSIONS: [Value, torch.DType][] = [
  [300, "uint8"], [-1, "uint8"], [-255, "uint8"], [-256, "uint8"], [255, "uint8"], [256, "uint8"], [2.7, "uint8"],
  [-0.5, "uint8"], [-1.5, "uint8"], [255.9, "uint8"], [true, "uint8"], [300n, "uint8"], [-1n, "uint8"], [-256n, "uint8"],
  [200, "int8"], [-129, "int8"], [127, "int8"], [-128, "int8"], [127.5, "int8"], [-128.9, "int8"], [255, "int8"], [-2.5, "int8"],
  [40000, "int16"], [-32769, "int16"], [65535, "int16"], [32767, "int16"], [-32768.5, "int16"],
  [1e10, "int32"], [2 ** 31, "int32"], [-(2 ** 31) - 1, "int32"], [-(2 ** 31), "int32"], [2 ** 32 - 1, "int32"], [-2.7, "int32"],
  [NaN, "int32"], [Infinity, "int32"], [-Infinity, "int64"], [2147483647.5, "int32"], [2147483648.5, "int32"],
  [2 ** 63, "int64"], [-(2 ** 63), "int64"], [9.3e18, "int64"], [1e19, "int64"], [2n ** 63n, "int64"], [-(2n ** 63n), "int64"],
  [-(2n ** 63n) - 1n, "int64"], [2n ** 53n + 1n, "int64"], [9e15, "int64"], [1.5, "int64"], [-0.99, "int64"],
  [1e5, "float16"], [-70000, "float16"], [65504, "float16"], [65520, "float16"], [1e-8, "float16"], [1e39, "bfloat16"],
  [1e39, "float32"], [300, "bool"], [0.5, "bool"], [300n, "float32"],
];

const PY_CONVERT = `import json, math, sys, torch
out = []
for c in json.load(sys.stdin):
    k, s = c["kind"], c["v"]
    v = int(s) if k == "int" else float(s) if k == "float" else (s == "true")
    try:
        r = torch.tensor([v], dtype=getattr(torch, c["dtype"])).tolist()[0]
        out.append({"ok": str(r) if isinstance(r, int) and not isinstance(r, bool) else r if isinstance(r, bool) or math.isfinite(r) else str(r)})
    except Exception as e:
        out.append({"err": type(e).__name__ + ": " + str(e)})
print(json.dumps(out))`;

describe("3. integer dtypes refuse out-of-range values as PyTorch does (Python's behaviour at test time)", () => {
  // A JS number that is an integer stands for a Python int (what `torch.tensor([-1], dtype=torch.uint8)`
  // ports to), any other number for a Python float, a bigint for a Python int.
  const kind = (v: Value) => (typeof v === "boolean" ? "bool" : typeof v === "bigint" || Number.isInteger(v) ? "int" : "float");
  const text = (v: Value) => (typeof v === "number" && Number.isInteger(v) ? BigInt(v).toString() : String(v));
  let py: ({ ok: string | number | boolean } | { err: string })[] = [];
  beforeAll(() => {
    py = python(PY_CONVERT, CONVERSIONS.map(([v, dtype]) => ({ kind: kind(v), v: text(v), dtype })));
  });

  it.each(CONVERSIONS.map(([v, dtype], i) => [`${typeof v === "bigint" ? `${v}n` : v} into ${dtype}`, i] as const))("%s", (_name, i) => {
    const [v, dtype] = CONVERSIONS[i]!;
    const want = py[i]!;
    const before = torch.liveTensors();
    let got: { ok: unknown } | { err: Error };
    try {
      const t = torch.tensor([v] as never, { dtype });
      const r = (t.tolist({ bigint: true }) as unknown[])[0];
      t.dispose();
      got = { ok: typeof r === "bigint" || (typeof r === "number" && DTYPE_IS_INT[dtype]) ? String(r) : r === Infinity ? "inf" : r === -Infinity ? "-inf" : r };
    } catch (err) {
      got = { err: err as Error };
    }
    expect(torch.liveTensors()).toBe(before);
    if ("ok" in want) {
      expect(got).toEqual({ ok: want.ok });
    } else {
      expect("err" in got, `Python refused (${want.err}); torch-ts gave ${JSON.stringify(got)}`).toBe(true);
      const err = (got as { err: Error }).err;
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toMatch(/^torch\.tensor: /);
      // Python's own words, e.g. "value cannot be converted to type uint8 without overflow"; for an int
      // past int64 Python says "Overflow when unpacking long", which torch-ts words the same way as the rest.
      const pyWords = want.err.replace(/^RuntimeError: /, "");
      expect(err.message).toContain(pyWords.startsWith("value cannot") ? pyWords : `value cannot be converted to type ${dtype} without overflow`);
    }
  });

  it("the message names where the bad element is", () => {
    expect(() => torch.tensor([[1, 2, 3], [4, 5, 300]], { dtype: "uint8" })).toThrow(
      new TypeError("torch.tensor: value cannot be converted to type uint8 without overflow: data[1][2] is 300"));
    expect(() => torch.tensor([1e10], { dtype: "int32" })).toThrow(
      new TypeError("torch.tensor: value cannot be converted to type int32 without overflow: data[0] is 10000000000"));
    expect(() => torch.tensor([[0], [NaN]], { dtype: "int16" })).toThrow(/^torch\.tensor: cannot convert NaN to int16 \(data\[1\]\[0\]\)/);
  });

  it("torch.full refuses the same values (its check is libtorch's) and a failed call leaves no tensor", () => {
    for (const [v, dtype] of [[300, "uint8"], [1e10, "int32"], [200, "int8"]] as const) {
      const before = torch.liveTensors();
      torch.tidy(() => {
        expect(() => torch.full([1], v, { dtype })).toThrow(`value cannot be converted to type`);
        expect(() => torch.tensor([v], { dtype })).toThrow(`value cannot be converted to type ${dtype} without overflow`);
        expect(torch.liveTensors()).toBe(before);
      });
    }
  });

  it("in-range data of every integer dtype round-trips, large arrays included", () => {
    const values = Array.from({ length: 10000 }, (_, i) => (i * 7) % 256 - 128);
    for (const dtype of ["int8", "int16", "int32", "int64"] as const) {
      const t = torch.tensor(values, { dtype });
      expect(t.tolist()).toEqual(values);
      t.dispose();
    }
    const u = torch.tensor(values.map((v) => v & 255), { dtype: "uint8" });
    expect(u.tolist()).toEqual(values.map((v) => v & 255));
    u.dispose();
  });
});
const DTYPE_IS_INT: Record<string, boolean> = { uint8: true, int8: true, int16: true, int32: true, int64: true };

describe("4. int64 values are exact in tolist() and printing", () => {
  it("tolist() gives numbers while every element is a safe integer, and refuses to round otherwise", () => {
    const ok = torch.tensor([9007199254740991n, -9007199254740991n, 0n]);
    expect(ok.tolist()).toEqual([9007199254740991, -9007199254740991, 0]);
    ok.dispose();
    const big = torch.tensor([[1n, 2n], [3n, 9007199254740993n]]);
    const err = caught(() => big.tolist());
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toBe("Tensor.tolist: int64 element [1][1] = 9007199254740993 is not exactly representable as a JS number (beyond ±(2^53 - 1)); use tolist({ bigint: true }) for bigints or toTypedArray() for a BigInt64Array");
    expect(big.tolist({ bigint: true })).toEqual([[1n, 2n], [3n, 9007199254740993n]]);
    big.dispose();
  });

  it("item() follows the same rule: exact, or a RangeError naming the value", () => {
    const [ok, big, f] = [torch.tensor([-9007199254740991n]), torch.tensor([2n ** 60n + 1n]), torch.tensor([1e20], { dtype: "float64" })];
    expect(ok.item()).toBe(-9007199254740991);
    const err = caught(() => big.item());
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toBe("Tensor.item: the int64 value 1152921504606846977 is not exactly representable as a JS number (beyond ±(2^53 - 1)); use tolist({ bigint: true }) for a bigint or toTypedArray() for a BigInt64Array");
    expect(f.item()).toBe(1e20); // a float is a float, however large
    torch.dispose(ok, big, f);
  });

  it("tolist({ bigint }) is checked and only changes int64", () => {
    const f = torch.tensor([1.5]);
    expect(f.tolist({ bigint: true })).toEqual([1.5]);
    expect(() => f.tolist({ bigint: 1 } as never)).toThrow(new TypeError("Tensor.tolist: expected bigint to be a boolean, but received 1"));
    expect(() => f.tolist({ bigInt: true } as never)).toThrow(/^Tensor\.tolist: unknown option "bigInt" \(did you mean "bigint"\?\)/);
    f.dispose();
  });

  it("printing an int64 tensor prints every digit, as Python (also summarized: see the printing cases)", () => {
    const values = [2n ** 62n + 1n, -(2n ** 63n), 2n ** 63n - 1n];
    const t = torch.tensor(values);
    const want = python<string>("import json, sys, torch\nprint(json.dumps(repr(torch.tensor([int(s) for s in json.load(sys.stdin)]))))", values.map(String));
    expect(String(t)).toBe(want);
    t.dispose();
  });
});

describe("5. messages name the function and the argument", () => {
  it("a hole in torch.cat / torch.stack's list is named, not reported as a disposed tensor", () => {
    const a = torch.ones(2);
    // eslint-disable-next-line no-sparse-arrays
    expect(() => torch.cat([a, , a] as never)).toThrow(new TypeError(
      "torch.cat: expected tensors to be a non-empty array of Tensors, but received [tensor([1., 1.]), <empty>, tensor([1., 1.])] (tensors[1] is an empty slot: a hole in a sparse array)"));
    // eslint-disable-next-line no-sparse-arrays
    expect(() => torch.stack([a, , a] as never)).toThrow(/^torch\.stack: expected tensors to be a non-empty array of Tensors, .*tensors\[1\] is an empty slot/);
    const gone = torch.ones(2);
    gone.dispose();
    const disposedErr = caught(() => torch.cat([a, gone]));
    expect(disposedErr).toBeInstanceOf(torch.TorchError); // as every use of a disposed tensor (test/errors.test.ts)
    expect(disposedErr.message).toBe("torch.cat: tensors[1] was disposed and cannot be used any more");
    const joined = torch.cat(new Proxy([a, a], {}));
    expect(joined.tolist()).toEqual([1, 1, 1, 1]);
    joined.dispose();
    a.dispose();
  });

  it("new torch.Tensor(5) is a TypeError pointing at torch.empty / torch.tensor, and aliases no tensor", () => {
    const before = torch.liveTensors();
    const other = torch.ones(1);
    const err = caught(() => new (torch.Tensor as unknown as new (h: unknown) => unknown)(5));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toBe("torch.Tensor: tensors are not made with new; use torch.tensor(data), or torch.empty(size) for an uninitialized tensor (Python's torch.Tensor(5)), but received new Tensor(5)");
    expect(() => new (torch.Tensor as unknown as new () => unknown)()).toThrow(/but received new Tensor\(undefined\)$/);
    expect(other.tolist()).toEqual([1]);
    other.dispose();
    expect(torch.liveTensors()).toBe(before);
  });

  it("a Proxy over an array is accepted as a size; a hole in a size is named", () => {
    const z = torch.zeros(new Proxy([2, 3], {}) as never);
    expect(z.shape).toEqual([2, 3]);
    const r = z.reshape(new Proxy([3, 2], {}) as never);
    expect(r.shape).toEqual([3, 2]);
    r.dispose();
    z.dispose();
    // eslint-disable-next-line no-sparse-arrays
    expect(() => torch.zeros([2, , 3] as never)).toThrow(new TypeError("torch.zeros: expected size to be an array of non-negative integers, but received [2, <empty>, 3]"));
    const throwing = new Proxy([2, 3], { get: (o, k) => { if (k === "0") throw new Error("x"); return (o as never)[k]; } });
    expect(() => torch.zeros(throwing as never)).toThrow(/^torch\.zeros: expected size to be an array of non-negative integers, but received an unreadable value/);
  });
});

describe("setPrintoptions", () => {
  it("checks every option before applying any", () => {
    expect(() => torch.setPrintoptions({ precision: -1 })).toThrow(new TypeError("torch.setPrintoptions: expected precision to be an integer between 0 and 100, but received -1"));
    expect(() => torch.setPrintoptions({ precision: 2, edgeitems: 1.5 })).toThrow(/^torch\.setPrintoptions: expected edgeitems to be an integer/);
    expect(torch.getPrintoptions().precision).toBe(4);
    expect(() => torch.setPrintoptions({ profile: "long" as never })).toThrow(/^torch\.setPrintoptions: expected profile to be one of default, short, full, but received "long"$/);
    expect(() => torch.setPrintoptions({ threshold: NaN })).toThrow(/expected threshold to be a number >= 0/);
    expect(() => torch.setPrintoptions({ sciMode: "yes" as never })).toThrow(/expected sciMode to be a boolean or null/);
    expect(() => torch.setPrintoptions({ sci_mode: true } as never)).toThrow(/^torch\.setPrintoptions: unknown option "sci_mode" \(did you mean "sciMode"\?\)/);
  });

  it("resets sciMode unless given and keeps the rest, as Python's set_printoptions", () => {
    const py = python<unknown[]>(`import json, torch
torch.set_printoptions(sci_mode=True, precision=6)
a = torch._tensor_str.PRINT_OPTS.sci_mode
torch.set_printoptions(threshold=50)
o = torch._tensor_str.PRINT_OPTS
print(json.dumps([a, o.sci_mode, o.precision, o.threshold, o.edgeitems, o.linewidth]))`, null);
    torch.setPrintoptions({ sciMode: true, precision: 6 });
    const a = torch.getPrintoptions().sciMode;
    torch.setPrintoptions({ threshold: 50 });
    const o = torch.getPrintoptions();
    expect([a, o.sciMode, o.precision, o.threshold, o.edgeitems, o.linewidth]).toEqual(py);
  });
});
