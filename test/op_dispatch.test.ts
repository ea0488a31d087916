// The fast paths of op dispatch answer as the general ones do: each op's generated calling
// function (lib/tensor/op_compile.ts) against OpEntry's general binder, call form by call form
// (results, named returns, in-place self, and the message of every refusal), and the
// scratch-buffer paths of several returns and of indexing.
import { describe, expect, it } from "vitest";
import * as torch from "../lib/index.js";
import { OpEntry } from "../lib/tensor/op_call.js";
import { GENERATED } from "../lib/tensor/ops.js";

type Args = () => unknown[];

const entryOf = (f: unknown): OpEntry => {
  const entry = (f as Record<symbol, OpEntry | undefined>)[GENERATED];
  if (entry === undefined) throw new Error("not a generated op");
  return entry;
};

/** What a call came to, in plain values: compared between the two paths. */
function outcome(entry: OpEntry, args: unknown[], asMethod = false): unknown {
  const plain = (v: unknown): unknown => {
    if (v instanceof torch.Tensor) return v === args[0] ? { self: true, values: v.tolist() } : { dtype: v.dtype, shape: v.shape, values: v.tolist() };
    if (Array.isArray(v)) {
      const names = ["values", "indices", "min", "max", "Q", "R"].filter((n) => n in v && (v as unknown as Record<string, unknown>)[n] !== undefined);
      return { items: v.map(plain), names: names.map((n) => [n, v.indexOf((v as unknown as Record<string, unknown>)[n])]), keys: Object.keys(v) };
    }
    return v;
  };
  try {
    return { ok: plain(asMethod ? entry.callMethod(args[0], args.slice(1)) : entry.call(args)) };
  } catch (err) {
    return { error: `${(err as Error).constructor.name}: ${(err as Error).message}` };
  }
}

describe("each op's generated calling function answers as the general path", () => {
  const x = () => torch.tensor([[3, 1, 4], [1, 5, 9]]);
  const cases: [unknown, Args[]][] = [
    [torch.Tensor.prototype.topk, [
      () => [x(), 2], () => [x(), 1, 0], () => [x(), 2, { largest: false }], () => [x(), 2, 1, { sorted: true, largest: false }],
      () => [x(), { k: 2 }], () => [x()], () => [x(), "2"], () => [x(), 2, { dim: 0, dims: 1 }], () => [x(), 2, 0, { dim: 0 }],
      () => [x(), 2, 0, true, true, 5], () => [x(), 2, { requiresGrad: true }], () => [x(), 5], () => [{ k: 2 }],
    ]],
    [torch.topk, [() => [x(), 2, { dim: 0, largest: false }], () => [{ self: x(), k: 1 }], () => [2, x()]]],
    [torch.sum, [
      () => [x()], () => [x(), 1], () => [x(), 1, true], () => [x(), 1, { keepdim: true }], () => [x(), [0, 1], { dtype: "float64" }],
      () => [x(), { dtype: "float64" }], () => [x(), null], () => [x(), 1, { keepdim: 1 }], () => [x(), "a"],
    ]],
    [torch.cumsum, [() => [x(), 1], () => [x(), { dim: 0 }], () => [x()], () => [x(), 1, { dtype: "float64" }], () => [x(), 1.5]]],
    [torch.Tensor.prototype.gather, [() => [x(), 1, torch.tensor([[0n], [2n]])], () => [x(), 1, [0]], () => [x(), 1, torch.tensor([[0n], [2n]]), { sparseGrad: false }]]],
    [torch.addcmul, [
      () => [x(), x(), x()], () => [x(), x(), x(), { value: 2 }], () => [x(), x(), x(), { value: 0.5 }], () => [x(), x(), x(), 2],
      () => [x(), x(), { tensor2: x() }],
    ]],
    [torch.Tensor.prototype.cumsum_, [() => [x(), 1], () => [x(), 0, { dtype: "int64" }], () => [x()]]],
    [torch.Tensor.prototype.tril_, [() => [x()], () => [x(), -1], () => [x(), { diagonal: 1 }]]],
    [torch.Tensor.prototype.clampMin_, [() => [x(), 2], () => [x(), x()], () => [x(), "2"]]],
    [torch.Tensor.prototype.sort, [() => [x()], () => [x(), 1, true], () => [x(), { stable: true, descending: true }], () => [x(), { stable: true }, 3]]],
    [torch.aminmax, [() => [x()], () => [x(), { dim: 1, keepdim: true }], () => [x(), 1]]],
    [torch.split, [() => [x(), 2, { dim: 1 }], () => [x(), [1, 2], 1], () => [x(), 1]]],
    [torch.Tensor.prototype.repeat, [() => [x(), 2, 1], () => [x(), [1, 2]], () => [x(), 2]]],
    [torch.clip, [() => [x(), 2], () => [x(), null, 4], () => [x(), { max: 4 }], () => [x(), x(), null]]],
    [torch.roll, [() => [x(), 1, 1], () => [x(), { shifts: [1, 2], dims: [0, 1] }], () => [x(), 1]]],
  ];
  for (const [f, calls] of cases) {
    const entry = entryOf(f);
    it(entry.fn, () => {
      const general = new OpEntry(entry.fn, entry.qualified, entry.overloads.map((o) => o.schema), { compile: false });
      const compiled = new OpEntry(entry.fn, entry.qualified, entry.overloads.map((o) => o.schema));
      torch.tidy(() => {
        for (const args of calls) {
          const want = outcome(general, args());
          // Twice: the first call compiles, the second runs what V8 made of it.
          expect(outcome(compiled, args()), `${entry.fn}(${args().length} args)`).toEqual(want);
          expect(outcome(compiled, args())).toEqual(want);
          // A method's receiver apart (Tensor.prototype's methods call this way).
          if (entry.fn.startsWith("Tensor.")) expect(outcome(compiled, args(), true), `${entry.fn}(${args().length} args), as a method`).toEqual(want);
        }
      });
    });
  }

  it("a disposed tensor argument is refused by name on both paths", () => {
    const entry = entryOf(torch.cumsum);
    const general = new OpEntry(entry.fn, entry.qualified, entry.overloads.map((o) => o.schema), { compile: false });
    const d = torch.ones(2);
    d.dispose();
    expect(outcome(entry, [d, 0])).toEqual(outcome(general, [d, 0]));
    expect(outcome(entry, [d, 0])).toMatchObject({ error: expect.stringMatching(/disposed/) });
  });
});

describe("several returns through the scratch buffer", () => {
  it("are a named array of fresh tensors, the names not enumerable", () => {
    torch.tidy(() => {
      const x = torch.tensor([[3, 1, 4], [1, 5, 9]]);
      const r = x.sort(1, true);
      expect(Array.isArray(r)).toBe(true);
      expect(Object.keys(r)).toEqual(["0", "1"]);
      expect(r.values.tolist()).toEqual([[4, 3, 1], [9, 5, 1]]);
      expect(r.indices.tolist()).toEqual([[2, 0, 1], [2, 1, 0]]);
      const [v, i] = torch.aminmax(x, { dim: 1 });
      expect([v!.tolist(), i!.tolist()]).toEqual([[1, 1], [4, 9]]);
      // Each call's handles are its own: the first result is intact after the next call.
      const a = x.topk(1);
      const b = x.topk(2, 0);
      expect(a.values.tolist()).toEqual([[4], [9]]);
      expect(b.values.shape).toEqual([2, 3]);
    });
  });

  it("free nothing early and leak nothing", () => {
    const before = torch.memory.liveTensors();
    torch.tidy(() => {
      const x = torch.rand(5);
      for (let i = 0; i < 100; i++) x.topk(2);
    });
    expect(torch.memory.liveTensors()).toBe(before);
  });
});

describe("indexing through the scratch buffer", () => {
  it("integer, slice, null, ellipsis and boolean indices read and write as the element path does", () => {
    torch.tidy(() => {
      const x = torch.arange(24).reshape(2, 3, 4);
      const same = (a: torch.Tensor, b: torch.Tensor) => expect([a.shape, a.tolist()]).toEqual([b.shape, b.tolist()]);
      // The second form holds a one-element index array, which takes the element path.
      same(x.index(0, "1:3"), x.index([0], "1:3").squeeze(0));
      same(x.index("...", -1), x.select(2, -1));
      same(x.index(null, 1, "::2"), x.select(0, 1).slice(0, 0, 3, 2).unsqueeze(0));
      same(x.index(true), x.unsqueeze(0));
      same(x.index(1, ":", "-3:"), x.select(0, 1).slice(1, 1, 4));
      expect(() => x.index(5)).toThrow(/index 5 is out of bounds for dimension 0 with size 2/);
      expect(() => x.index("::0")).toThrow(/slice step cannot be zero/);
      expect(() => x.index("::-1")).toThrow(/step must be greater than zero/);
      expect(() => x.index(1.5)).toThrow(TypeError);
      const y = torch.zeros(2, 3);
      y.indexPut_([0, "1:"], 7);
      y.indexPut_([1, null, "...", 0], torch.tensor([5]));
      expect(y.tolist()).toEqual([[0, 7, 7], [5, 0, 0]]);
      // A view, as Python's basic indexing gives: writing through it writes x.
      x.index(1, 2).fill_(-1);
      expect(x.index(1, 2).tolist()).toEqual([-1, -1, -1, -1]);
    });
  });
});
