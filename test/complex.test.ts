// complex64 / complex128 end to end against PyTorch (test/reference/complex.py, one process for
// the file): creation and data out, the ops that make complex tensors (fft, linalg.eig, complex,
// polar, view_as_complex), printing byte for byte as Python's repr, autograd through complex
// ops, torch.save / torch.load both ways, safetensors' C64, and the OpInfo decoder. Inputs are
// made here; every expected value comes from Python. No test leaks a tensor.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { decodeValue, type Encoded } from "./reference/opinfo.js";
import { ReferenceSession } from "./reference/session.js";

/** A tensor as complex.py carries it: its contiguous little-endian bytes (complex: re, im pairs). */
interface Enc { dtype: string; shape: number[]; hex: string }

const ARRAY: Record<string, new (b: ArrayBuffer) => ArrayBufferView> = {
  complex64: Float32Array, complex128: Float64Array, float32: Float32Array, float64: Float64Array, int64: BigInt64Array,
};

function enc(t: torch.Tensor): Enc {
  const a = t.toTypedArray();
  return { dtype: t.dtype, shape: t.shape, hex: Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex") };
}

function dec(e: Enc, options: { requiresGrad?: boolean } = {}): torch.Tensor {
  const bytes = Buffer.from(e.hex, "hex");
  const aligned = new Uint8Array(bytes.length);
  aligned.set(bytes);
  return torch.tensor(new ARRAY[e.dtype]!(aligned.buffer) as Float32Array, { dtype: e.dtype as torch.DType, shape: e.shape, ...options });
}

/** The floats of an encoding (complex: interleaved), for comparisons within a tolerance. */
function floats(e: Enc): number[] {
  const bytes = Buffer.from(e.hex, "hex");
  const aligned = new Uint8Array(bytes.length);
  aligned.set(bytes);
  return Array.from(new ARRAY[e.dtype]!(aligned.buffer) as Float64Array, Number);
}

/** `actual` equals Python's `expected` in dtype and shape, and in value within rtol/atol (NaN equal to NaN). */
function expectClose(actual: torch.Tensor, expected: Enc, rtol = 1.3e-6, atol = 1e-5): void {
  const got = enc(actual);
  expect(got.dtype).toBe(expected.dtype);
  expect(got.shape).toEqual(expected.shape);
  const a = floats(got);
  const b = floats(expected);
  expect(a.length).toBe(b.length);
  const bad = a.findIndex((v, i) => !(Number.isNaN(v) && Number.isNaN(b[i]!)) && !(Math.abs(v - b[i]!) <= atol + rtol * Math.abs(b[i]!)));
  expect(bad, bad < 0 ? "" : `element ${bad}: ${a[bad]} vs Python's ${b[bad]}`).toBe(-1);
}

/** Deterministic inputs (a small LCG): these are data, not expected values. */
function values(n: number, seed: number, scale = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.round(((s / 2 ** 32) * 2 - 1) * scale * 1e4) / 1e4;
  });
}

function c64(shape: number[], seed: number, scale = 1): torch.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.tensor(Float32Array.from(values(2 * n, seed, scale)), { dtype: "complex64", shape });
}

let py: ReferenceSession;
let dir: string;
let live: number;

beforeAll(() => {
  py = new ReferenceSession("complex.py");
  dir = mkdtempSync(path.join(tmpdir(), "torch-ts-complex-"));
});
afterAll(() => {
  py.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  live = torch.liveTensors();
});
afterEach(() => {
  expect(torch.liveTensors(), "live tensors after the test").toBe(live);
});

describe("dtype names and data in and out", () => {
  it("names, aliases and the dtype table", () => {
    expect([torch.complex64, torch.complex128, torch.cfloat, torch.cdouble]).toEqual(["complex64", "complex128", "complex64", "complex128"]);
    using a = torch.zeros(2, { dtype: "complex64" });
    using b = torch.ones([1, 2], { dtype: torch.cdouble });
    expect([a.dtype, b.dtype]).toEqual(["complex64", "complex128"]);
    using c = a.cdouble();
    using d = b.cfloat();
    expect([c.dtype, d.dtype]).toEqual(["complex128", "complex64"]);
  });

  it("toTypedArray is interleaved (re, im); torch.tensor reads it back; tolist and item give { re, im }", () => {
    using t = torch.tensor(new Float64Array([1, 2, -0.5, 0.25, 3, -4]), { dtype: "complex128", shape: [3] });
    const a = t.toTypedArray();
    expect(a).toBeInstanceOf(Float64Array);
    expect(Array.from(a as Float64Array)).toEqual([1, 2, -0.5, 0.25, 3, -4]);
    expect(t.tolist()).toEqual([{ re: 1, im: 2 }, { re: -0.5, im: 0.25 }, { re: 3, im: -4 }]);
    using s = t.sum();
    expect(s.item()).toEqual({ re: 3.5, im: -1.75 });
    using n = torch.tensor([{ re: 1, im: -1 }, 2, { re: 0, im: 0.5 }]);
    expect(n.dtype).toBe("complex64"); // Python: torch.tensor([1-1j, 2, 0.5j]) is complex64
    expect(n.tolist()).toEqual([{ re: 1, im: -1 }, { re: 2, im: 0 }, { re: 0, im: 0.5 }]);
    using r = torch.tensor([[1, 2], [0.5, -3]], { dtype: "complex128" });
    expect(r.tolist()).toEqual([[{ re: 1, im: 0 }, { re: 2, im: 0 }], [{ re: 0.5, im: 0 }, { re: -3, im: 0 }]]);
    using b = torch.tensor([true, false], { dtype: "complex64" });
    using i = torch.tensor([3n, -1n], { dtype: "complex64" });
    expect([b.tolist(), i.tolist()]).toEqual([[{ re: 1, im: 0 }, { re: 0, im: 0 }], [{ re: 3, im: 0 }, { re: -1, im: 0 }]]);
    using z = torch.tensor({ re: 1.5, im: 2 });
    expect([z.shape, z.item()]).toEqual([[], { re: 1.5, im: 2 }]);
    using f = torch.frombuffer(new Float32Array([1, 2, 3, 4]), { dtype: "complex64" });
    expect(f.tolist()).toEqual([{ re: 1, im: 2 }, { re: 3, im: 4 }]);
  });

  it("a conjugate view reads as its values", () => {
    using t = torch.tensor([{ re: 1, im: 2 }, { re: 3, im: -4 }]);
    using v = t.conj();
    expect(v.isConj()).toBe(true);
    expect(v.tolist()).toEqual([{ re: 1, im: -2 }, { re: 3, im: 4 }]);
    expect(Array.from(v.toTypedArray() as Float32Array)).toEqual([1, -2, 3, 4]);
    using s = v.index(1);
    expect(s.item()).toEqual({ re: 3, im: 4 });
  });

  it("bad input is a clear error", () => {
    expect(() => torch.tensor(new Float32Array(3), { dtype: "complex64" })).toThrow(/interleaved \(re, im\) pairs, but its length 3 is odd/);
    expect(() => torch.tensor(new Int32Array(4), { dtype: "complex64" })).toThrow(/Float32Array or Float64Array of interleaved/);
    expect(() => torch.tensor(new Float32Array(4), { dtype: "complex64", shape: [3] })).toThrow(/holds 3 complex elements, but data has 2/);
    expect(() => torch.tensor([{ re: 1, im: 2 }], { dtype: "float32" })).toThrow(/data\[0\] is complex.*must be real number, not complex/);
    expect(() => torch.tensor([{ re: 1 }] as never)).toThrow(/expected numbers, booleans, bigints or \{ re, im \}/);
    expect(() => torch.tensor([{ re: 1, im: 2 }, true] as never)).toThrow(/mixed element types \(complex and boolean\)/);
    expect(() => torch.full([2], { re: 1, im: 2 }, { dtype: "float32" })).toThrow(/complex fillValue cannot fill a float32 tensor/);
    using z128 = torch.zeros(1, { dtype: "complex128" });
    expect(() => torch.serialization.safetensors.save({ c: z128 })).toThrow(/complex128, which the safetensors format has no dtype code for/);
  });
});

describe("ops against PyTorch", () => {
  it("fft, linalg.eig, complex, polar, viewAs*, arithmetic, creation and random", async () => {
    const inputs = torch.tidy(() => ({
      x: enc(torch.tensor(values(8, 1))), c: enc(c64([6], 2)), c2: enc(c64([3, 3], 3)),
      a: enc(torch.tensor([values(4, 4), values(4, 5), values(4, 6), values(4, 7)])),
      re: enc(torch.tensor(values(5, 8, 3))), im: enc(torch.tensor(values(5, 9, 3))),
    }));
    const ref = await py.request<Record<string, Enc> & { item: [number, number]; tolist: [number, number][] }>({ cmd: "ops", inputs });
    torch.tidy(() => {
      const i = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, dec(v)]));
      const { x, c, c2, a, re, im } = i as Record<string, torch.Tensor>;
      const [evals, evecs] = torch.linalg.eig(a!);
      torch.manualSeed(0);
      const randn = torch.randn(3, 2, { dtype: "complex64" });
      torch.manualSeed(0);
      const randn128 = torch.randn(5, { dtype: "complex128" });
      torch.manualSeed(0);
      const rand = torch.rand(4, { dtype: "complex64" });
      const exact: Record<string, torch.Tensor> = {
        complex: torch.complex(re!, im!), viewAsComplex: torch.viewAsComplex(torch.stack([re!, im!], -1)), viewAsReal: torch.viewAsReal(c!),
        real: torch.real(c!), imag: torch.imag(c!), conj: c!.conj(), zeros: torch.zeros(2, 3, { dtype: "complex64" }),
        ones: torch.ones(2, { dtype: "complex128" }), full: torch.full([2], { re: 1.5, im: -2 }), randn, randn128, rand,
        to128: c!.to("complex128"), fromReal: x!.to("complex64"), toReal: c!.to("float32"), cat: torch.cat([c!, c!.conj()]),
        index: c2!.index(1), transpose: c2!.t().contiguous(), mul: c!.mul(c!),
      };
      for (const [name, t] of Object.entries(exact)) expect(enc(t), name).toEqual(ref[name]);
      const close: Record<string, torch.Tensor> = {
        fft: torch.fft.fft(x!), rfft: torch.fft.rfft(x!), ifft: torch.fft.ifft(c!), fft2: torch.fft.fft2(c2!),
        irfft: torch.fft.irfft(torch.fft.rfft(x!)), polar: torch.polar(re!.abs(), im!), eigvals: evals!, eigvecs: evecs!,
        linalgEigvals: torch.linalg.eigvals(a!), abs: c!.abs(), angle: c!.angle(), matmul: c2!.matmul(c2!), sum: c!.sum(),
        exp: c!.exp(), sqrt: c!.sqrt(), div: c!.div(c!.flip(0)),
      };
      for (const [name, t] of Object.entries(close)) expectClose(t, ref[name]!);
      const item = (c!.sum() as torch.ComplexTensor).item(); // a { re, im }, typed so for a ComplexTensor
      expect(Math.abs(item.re - ref.item[0]) + Math.abs(item.im - ref.item[1])).toBeLessThan(1e-5);
      expect(c!.tolist()).toEqual(ref.tolist.map(([r, m]) => ({ re: r, im: m })));
    });
  });

  it("autograd through complex ops gives Python's gradients", async () => {
    const inputs = torch.tidy(() => ({
      x: enc(torch.tensor(values(8, 11))), w: enc(torch.tensor([values(5, 12), values(5, 13)]).t().contiguous()),
      c: enc(c64([4], 14)), re: enc(torch.tensor(values(3, 15, 2))), im: enc(torch.tensor(values(3, 16, 2))),
      w2: enc(torch.tensor([values(3, 17), values(3, 18)]).t().contiguous()),
    }));
    const ref = await py.request<Record<string, Record<string, Enc>>>({ cmd: "grad", inputs });
    const leaf = (name: keyof typeof inputs, f?: (t: torch.Tensor) => torch.Tensor): torch.Tensor => {
      const t = dec(inputs[name]);
      if (f === undefined) return t.requiresGrad_(true);
      const u = f(t);
      t.dispose();
      return u.requiresGrad_(true);
    };
    torch.tidy(() => {
      const i = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, dec(v)])) as Record<string, torch.Tensor>;
      let x = leaf("x");
      torch.viewAsReal(torch.fft.fft(x)).sum().backward();
      expectClose(x.grad!, ref.fftSum!.x!);

      x = leaf("x");
      torch.viewAsReal(torch.fft.rfft(x)).mul(i.w!).sum().backward();
      expectClose(x.grad!, ref.rfftWeighted!.x!);

      let z = leaf("c");
      z.mul(z).abs().sum().backward();
      expect(z.grad!.dtype).toBe("complex64");
      expectClose(z.grad!, ref.complexLeaf!.z!);

      const re = leaf("re");
      const im = leaf("im");
      torch.complex(re, im).exp().abs().sum().backward();
      expectClose(re.grad!, ref.complexOf!.re!);
      expectClose(im.grad!, ref.complexOf!.im!);

      const r = leaf("re", (t) => t.abs());
      const th = leaf("im");
      torch.viewAsReal(torch.polar(r, th)).mul(i.w2!).sum().backward();
      expectClose(r.grad!, ref.polar!.r!);
      expectClose(th.grad!, ref.polar!.th!);

      z = leaf("c");
      torch.real(z.conj().mul(i.c!)).sum().backward();
      expectClose(z.grad!, ref.conjReal!.z!);
    });
  });
});

describe("nn.Module.to(complex64)", () => {
  it("converts floating parameters and buffers, keeps integer ones, and a complex Linear runs", async () => {
    const m = new torch.nn.Sequential(new torch.nn.Linear(3, 2), new torch.nn.BatchNorm1d(2));
    const lin = new torch.nn.Linear(3, 2).to("complex64");
    try {
      expect(m.to("complex64")).toBe(m);
      const inputs = torch.tidy(() => ({ x: enc(c64([4, 3], 61)), weight: enc(lin.weight), bias: enc(lin.bias!) }));
      const ref = await py.request<{ dtypes: Record<string, string>; linear: Enc }>({ cmd: "module", inputs });
      const dtypes = torch.tidy(() => Object.fromEntries([...m.stateDict()].map(([k, v]) => [k, v.dtype])));
      expect(dtypes).toEqual(ref.dtypes);
      torch.tidy(() => expectClose(lin.forward(dec(inputs.x)), ref.linear));
    } finally {
      torch.dispose([...m.parameters(), ...m.buffers(), ...lin.parameters()]);
    }
  });
});

describe("printing is Python's repr", () => {
  const cx = (parts: number[], dtype: "complex64" | "complex128" = "complex64", shape?: number[]) =>
    torch.tensor(dtype === "complex64" ? Float32Array.from(parts) : Float64Array.from(parts), { dtype, shape: shape ?? [parts.length / 2] });
  type Case = { name: string; t: () => torch.Tensor; conj?: boolean; requiresGrad?: boolean; options?: Record<string, unknown> };
  const cases: Case[] = [
    { name: "basic", t: () => cx([1, 2, -3.5, -0.25, 0, 0, 0.125, 1000]) },
    { name: "intMode", t: () => cx([10, 0, -2, 2, -2, 0, -2, -2]) },
    { name: "sci", t: () => cx([1e-5, 1e5, 1, 1, -3e7, 2e-3]) },
    { name: "specials", t: () => cx([NaN, Infinity, 1, -0, -Infinity, NaN, 0, 0]) },
    { name: "negZeros", t: () => cx([-0, -0, 0, -0, 2.5, 0], "complex128") },
    { name: "matrix128", t: () => cx(values(24, 21, 10), "complex128", [3, 4]) },
    { name: "scalar", t: () => cx([1, 2], "complex64", []) },
    { name: "scalar128", t: () => cx([0.5, -0.25], "complex128", []) },
    { name: "zeroImag", t: () => cx([1.5, 0, 2.25, 0]) },
    { name: "wrap", t: () => cx(values(60, 22, 100)) },
    { name: "summarized", t: () => cx(values(4000, 23)) },
    { name: "summarized2d", t: () => cx(values(3200, 24, 5), "complex64", [40, 40]) },
    { name: "3d", t: () => cx(values(24, 25), "complex64", [2, 2, 3]) },
    { name: "empty", t: () => cx([]) },
    { name: "empty2d", t: () => cx([], "complex128", [2, 0]) },
    { name: "conj", t: () => cx([1, 2, -3.5, -0.25]), conj: true },
    { name: "requiresGrad", t: () => cx([1, 1, 2, -1]), requiresGrad: true },
    { name: "precision2", t: () => cx(values(8, 26)), options: { precision: 2 } },
    { name: "sciForced", t: () => cx([1, 2, 3, 4]), options: { sci_mode: true } },
    { name: "narrow", t: () => cx(values(40, 27)), options: { linewidth: 40 } },
  ];
  let ref: Record<string, string>;
  beforeAll(async () => {
    ref = await py.request({
      cmd: "repr",
      cases: cases.map((c) => torch.tidy(() => ({ name: c.name, t: enc(c.t()), conj: c.conj, requiresGrad: c.requiresGrad, options: c.options }))),
    });
  });
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const o = c.options ?? {};
    torch.setPrintoptions({ precision: o.precision as number | undefined, linewidth: o.linewidth as number | undefined, sciMode: o.sci_mode as boolean | undefined });
    try {
      const text = torch.tidy(() => {
        let t = c.t();
        if (c.conj) t = t.conj();
        if (c.requiresGrad) t.requiresGrad_(true);
        return String(t);
      });
      expect(text).toBe(ref[c.name]);
    } finally {
      torch.setPrintoptions({ profile: "default" });
    }
  });
});

describe("torch.load / torch.save", () => {
  type Saved = Record<string, { file: string; tensors: Record<string, Enc & { requiresGrad: boolean }>; shared: boolean }>;
  let saved: Saved;
  beforeAll(async () => {
    saved = await py.request<Saved>({ cmd: "save", dir });
  });

  it.each(["complex.pth", "complex_legacy.pt"])("torch.load reads Python's %s", (name) => {
    const ref = saved[name]!;
    const ck = torch.load(ref.file) as Map<string, torch.Tensor>;
    try {
      expect([...ck.keys()]).toEqual(Object.keys(ref.tensors));
      for (const [key, t] of ck) {
        const { requiresGrad, ...e } = ref.tensors[key]!;
        expect(enc(t), key).toEqual(e);
        expect(t.requiresGrad, key).toBe(requiresGrad);
      }
      expect(ref.shared).toBe(true);
      // The view still shares its storage: a write through it shows in the base, as in Python.
      torch.noGrad(() => ck.get("view")!.fill_(0));
      using row = ck.get("c64")!.index(1, 0);
      expect(row.tolist()).toEqual({ re: 0, im: 0 });
    } finally {
      torch.dispose([...ck.values()]);
    }
  });

  it("Python's torch.load(weights_only=True) reads what torch.save wrote, conjugate views resolved", async () => {
    const file = path.join(dir, "from_ts.pth");
    const ck = torch.tidy(() => {
      const base = c64([3, 4], 31);
      const m = new Map<string, torch.Tensor>([
        ["c64", base], ["c128", c64([5], 32).to("complex128")], ["view", base.index("1:", "::2")],
        ["conj", base.conj()], ["negImag", torch.imag(base.conj())], ["param", c64([2], 33).requiresGrad_(true)],
        ["scalar", torch.tensor({ re: 2.5, im: -1 })],
      ]);
      return m;
    });
    try {
      torch.save(ck, file);
      const ref = await py.request<Record<string, Enc & { requiresGrad: boolean; isConj: boolean }> & { _shared: boolean }>({ cmd: "inspect", file });
      for (const [key, t] of ck) {
        const { requiresGrad, isConj, ...e } = ref[key]!;
        expect(e, key).toEqual(enc(t)); // conj/negImag: the values the views hold, not their base's
        expect([requiresGrad, isConj], key).toEqual([t.requiresGrad, false]);
      }
      expect(ref._shared).toBe(true);
      const back = torch.load(file) as Map<string, torch.Tensor>;
      for (const [key, t] of back) expect(enc(t), key).toEqual(enc(ck.get(key)!));
      torch.dispose([...back.values()]);
    } finally {
      torch.dispose([...ck.values()]);
    }
  });
});

describe("safetensors C64", () => {
  it("save writes C64 (between F32 and F64 in the reference's order) and load reads it back", async () => {
    const file = path.join(dir, "c.safetensors");
    const tensors = torch.tidy(() => ({ c: c64([2, 3], 41), f: torch.tensor(values(3, 42)), d: torch.tensor(values(2, 43)).double() }));
    try {
      torch.serialization.safetensors.saveFile(tensors, file);
      const ref = await py.request<Record<string, Enc & { code: string; begin: number }>>({ cmd: "safetensors", file });
      expect(Object.fromEntries(Object.entries(ref).map(([k, v]) => [k, v.code]))).toEqual({ c: "C64", f: "F32", d: "F64" });
      expect([ref.d!.begin, ref.c!.begin, ref.f!.begin]).toEqual([0, 16, 64]); // F64, then C64, then F32
      for (const [key, t] of Object.entries(tensors)) {
        const { code: _code, begin: _begin, ...e } = ref[key]!;
        expect(e, key).toEqual(enc(t));
      }
      const back = torch.serialization.safetensors.loadFile(file);
      expect(enc(back.get("c")!)).toEqual(enc(tensors.c));
      torch.dispose([...back.values()]);
    } finally {
      torch.dispose(Object.values(tensors));
    }
  });
});

describe("the OpInfo decoder", () => {
  it("decodes opinfo.py's complex tensors (view_as_real bytes)", async () => {
    const inputs = torch.tidy(() => ({ c64: enc(c64([2, 3], 51)), c128: enc(c64([4], 52).to("complex128")), scalar: enc(c64([], 53)) }));
    const encoded = await py.request<Record<string, Encoded>>({ cmd: "opinfo_encode", inputs });
    for (const [name, e] of Object.entries(inputs)) {
      using t = decodeValue(encoded[name], torch) as torch.Tensor;
      expect(enc(t), name).toEqual(e);
    }
  });
});
