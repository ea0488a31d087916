// nn.RNN / LSTM / GRU, their cells and nn.utils.rnn against PyTorch (test/reference/nn_rnn.py,
// one process): each case is built after the same manualSeed on both sides, so its state dict
// (keys, order, values bitwise) is Python's default init; then forward (dropout draws after the
// same seed), final states and the input's, initial state's and parameters' gradients; repr;
// the messages of bad input; packing utilities; a 200-step training loop's live tensor count.
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { expectClose, expectExact, floatSpec, fromEncoded, prng, valuesOf, type Encoded, type Spec } from "./reference/nn_common.js";
import { runReference } from "./reference/python.js";

const { nn } = torch;
const { PackedSequence } = nn.utils.rnn;
type Named = [string, Encoded][];
type DT = "float32" | "float64";

const rnd = prng(17);
const f = (shape: number[]) => floatSpec(rnd, shape, -1, 1);
const snake = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));

interface LayerCase {
  kind: "RNN" | "LSTM" | "GRU";
  args: (number | boolean)[];
  kw: Record<string, unknown>;
  dtype: DT;
  train: boolean;
  x: Spec;
  hx?: Spec[];
  packed?: { lengths: number[]; batchFirst: boolean; enforceSorted: boolean };
}
// Shapes: (seq, batch, feature), or (batch, seq, feature) with batchFirst; states (layers*dirs, batch, hidden).
const layer = (kind: LayerCase["kind"], args: (number | boolean)[], kw: Record<string, unknown>, x: number[], more: Partial<LayerCase> = {}): LayerCase =>
  ({ kind, args, kw, dtype: (kw.dtype as DT | undefined) ?? "float32", train: true, x: f(x), ...more });
const LAYERS: Record<string, LayerCase> = {
  "RNN tanh, 1 layer, zero state": layer("RNN", [3, 5], {}, [6, 2, 3]),
  "RNN relu, 2 layers, bidirectional, batchFirst, given h0, float64": layer("RNN", [3, 4, 2], { nonlinearity: "relu", bidirectional: true, batchFirst: true, dtype: "float64" }, [2, 5, 3], { hx: [f([4, 2, 4])] }),
  "RNN bias false, unbatched 2-D input with 2-D h0": layer("RNN", [3, 4], { bias: false }, [5, 3], { hx: [f([1, 4])] }),
  "RNN 3 layers, dropout 0.5 in training": layer("RNN", [3, 4, 3], { dropout: 0.5 }, [5, 3, 3]),
  "RNN packed, enforceSorted true": layer("RNN", [2, 3], {}, [4, 3, 2], { packed: { lengths: [4, 2, 1], batchFirst: false, enforceSorted: true } }),
  "LSTM 1 layer, zero state": layer("LSTM", [3, 5], {}, [6, 2, 3]),
  "LSTM 2 layers, bidirectional, given [h0, c0], float64": layer("LSTM", [3, 4, 2], { bidirectional: true, dtype: "float64" }, [5, 2, 3], { hx: [f([4, 2, 4]), f([4, 2, 4])] }),
  "LSTM projSize 2, 2 layers, bidirectional, batchFirst": layer("LSTM", [3, 5], { numLayers: 2, projSize: 2, bidirectional: true, batchFirst: true }, [2, 4, 3], { hx: [f([4, 2, 2]), f([4, 2, 5])] }),
  "LSTM bias false, unbatched input with given state": layer("LSTM", [3, 4, 1, false], {}, [5, 3], { hx: [f([1, 4]), f([1, 4])] }),
  "LSTM 3 layers, dropout 0.3 in training, float64": layer("LSTM", [2, 3, 3], { dropout: 0.3, dtype: "float64" }, [4, 3, 2]),
  "LSTM dropout 0.5 in eval (no dropout)": layer("LSTM", [2, 3, 2], { dropout: 0.5 }, [4, 3, 2], { train: false }),
  "LSTM packed, enforceSorted false, batchFirst, given state": layer("LSTM", [2, 3], { batchFirst: true }, [4, 5, 2], { hx: [f([1, 4, 3]), f([1, 4, 3])], packed: { lengths: [2, 5, 1, 3], batchFirst: true, enforceSorted: false } }),
  "LSTM packed, projSize, bidirectional, float64": layer("LSTM", [2, 4], { projSize: 3, bidirectional: true, dtype: "float64" }, [5, 3, 2], { packed: { lengths: [5, 3, 3], batchFirst: false, enforceSorted: true } }),
  "GRU 1 layer, zero state": layer("GRU", [3, 5], {}, [6, 2, 3]),
  "GRU 2 layers, bidirectional, batchFirst, given h0, float64": layer("GRU", [3, 4], { numLayers: 2, bidirectional: true, batchFirst: true, dtype: "float64" }, [3, 4, 3], { hx: [f([4, 3, 4])] }),
  "GRU 2 layers, dropout 0.4 in training": layer("GRU", [3, 4, 2, true, false, 0.4], {}, [5, 2, 3]),
  "GRU packed, enforceSorted false, given h0, bidirectional": layer("GRU", [2, 3], { bidirectional: true }, [4, 3, 2], { hx: [f([2, 3, 3])], packed: { lengths: [1, 4, 2], batchFirst: false, enforceSorted: false } }),
  "GRU unbatched, bias false, zero state": layer("GRU", [3, 4], { bias: false }, [5, 3]),
};

interface CellCase { kind: "RNNCell" | "LSTMCell" | "GRUCell"; args: unknown[]; kw: Record<string, unknown>; dtype: DT; x: Spec; hx?: Spec[] }
const cell = (kind: CellCase["kind"], args: unknown[], kw: Record<string, unknown>, x: number[], hx?: number[][]): CellCase =>
  ({ kind, args, kw, dtype: (kw.dtype as DT | undefined) ?? "float32", x: f(x), hx: hx?.map(f) });
const CELLS: Record<string, CellCase> = {
  "RNNCell tanh, batched, given hx": cell("RNNCell", [3, 4], {}, [2, 3], [[2, 4]]),
  "RNNCell relu, unbatched, zero hx, float64": cell("RNNCell", [3, 4, true, "relu"], { dtype: "float64" }, [3]),
  "RNNCell bias false, unbatched, given hx": cell("RNNCell", [3, 4], { bias: false }, [3], [[4]]),
  "LSTMCell batched, given [h, c]": cell("LSTMCell", [3, 4], {}, [2, 3], [[2, 4], [2, 4]]),
  "LSTMCell unbatched, zero state, bias false, float64": cell("LSTMCell", [3, 4, false], { dtype: "float64" }, [3]),
  "LSTMCell unbatched, given [h, c]": cell("LSTMCell", [3, 4], {}, [3], [[4], [4]]),
  "GRUCell batched, zero hx": cell("GRUCell", [3, 5], {}, [4, 3]),
  "GRUCell unbatched, given hx, float64": cell("GRUCell", [3, 5], { dtype: "float64" }, [3], [[5]]),
};

interface Ctor { kind: string; args: unknown[]; kw: Record<string, unknown> }
const REPRS: Record<string, Ctor> = {
  "RNN defaults": { kind: "RNN", args: [10, 20], kw: {} },
  "RNN relu (1.13 does not show nonlinearity)": { kind: "RNN", args: [10, 20, 2], kw: { nonlinearity: "relu" } },
  "LSTM all options": { kind: "LSTM", args: [10, 20], kw: { numLayers: 3, bias: false, batchFirst: true, dropout: 0.25, bidirectional: true, projSize: 5 } },
  "LSTM dropout 1 (a float)": { kind: "LSTM", args: [4, 6, 2, true, false, 1], kw: {} },
  "GRU positional": { kind: "GRU", args: [4, 6, 2, true, true, 0.5, true], kw: {} },
  "RNNCell relu, bias false": { kind: "RNNCell", args: [3, 4], kw: { bias: false, nonlinearity: "relu" } },
  "LSTMCell": { kind: "LSTMCell", args: [3, 4], kw: {} },
  "GRUCell bias false": { kind: "GRUCell", args: [3, 4, false], kw: {} },
};

interface ErrCase extends Ctor { x: number[]; hx?: number[][] }
const ERRORS: Record<string, ErrCase> = {
  "RNN wrong input size": { kind: "RNN", args: [3, 4], kw: {}, x: [5, 2, 6] },
  "RNN wrong hx shape": { kind: "RNN", args: [3, 4, 2], kw: {}, x: [5, 2, 3], hx: [[2, 3, 4]] },
  "RNN batched input with 2-D hx": { kind: "RNN", args: [3, 4], kw: {}, x: [5, 2, 3], hx: [[2, 4]] },
  "RNN unbatched input with 3-D hx": { kind: "RNN", args: [3, 4], kw: {}, x: [5, 3], hx: [[1, 1, 4]] },
  "RNN 4-D input": { kind: "RNN", args: [3, 4], kw: {}, x: [5, 2, 2, 3] },
  "GRU wrong hx size, bidirectional": { kind: "GRU", args: [3, 4], kw: { bidirectional: true }, x: [5, 2, 3], hx: [[1, 2, 4]] },
  "LSTM wrong h0 size with projSize": { kind: "LSTM", args: [3, 4], kw: { projSize: 2 }, x: [5, 2, 3], hx: [[1, 2, 4], [1, 2, 4]] },
  "LSTM wrong c0 size": { kind: "LSTM", args: [3, 4], kw: {}, x: [5, 2, 3], hx: [[1, 2, 4], [1, 3, 4]] },
  "LSTM batched input, 2-D states": { kind: "LSTM", args: [3, 4], kw: {}, x: [5, 2, 3], hx: [[2, 4], [2, 4]] },
  "LSTM wrong input size, batchFirst": { kind: "LSTM", args: [3, 4], kw: { batchFirst: true }, x: [2, 5, 4] },
  "RNNCell 3-D input": { kind: "RNNCell", args: [3, 4], kw: {}, x: [1, 2, 3] },
  "GRUCell wrong input size": { kind: "GRUCell", args: [3, 4], kw: {}, x: [2, 5] },
  "LSTMCell wrong input size": { kind: "LSTMCell", args: [3, 4], kw: {}, x: [5] },
};

const seqs = (lengths: number[], feat: number[]) => lengths.map((n) => f([n, ...feat]));
interface UtilsCase { seqs: Spec[]; batchFirst: boolean; paddingValue: number; enforceSorted: boolean; totalLength: number | null }
const UTILS: Record<string, UtilsCase> = {
  "sorted lengths, time-major": { seqs: seqs([4, 3, 1], [2]), batchFirst: false, paddingValue: 0, enforceSorted: true, totalLength: null },
  "unsorted, batchFirst, padding -1, totalLength 6": { seqs: seqs([2, 5, 3, 5], [3]), batchFirst: true, paddingValue: -1, enforceSorted: false, totalLength: 6 },
  "unsorted, 2 trailing dims": { seqs: seqs([1, 3, 2], [2, 2]), batchFirst: false, paddingValue: 0.5, enforceSorted: false, totalLength: null },
};

interface LayerRef {
  state: Named; repr: string; out: Encoded; finals: Encoded[]; cots: Encoded[]; x_grad: Encoded; hx_grads: Encoded[];
  param_grads: Named; batch_sizes?: Encoded; padded?: Encoded;
}
interface CellRef { state: Named; repr: string; outs: Encoded[]; cots: Encoded[]; x_grad: Encoded; hx_grads: Encoded[]; param_grads: Named }
interface PackedRef { data: Encoded; batch_sizes: Encoded; sorted_indices: Encoded | null; unsorted_indices: Encoded | null }
interface UtilsRef { padded: Encoded; packed: PackedRef; packed_padded: PackedRef; repadded: Encoded; lengths: Encoded; unpacked: Encoded[]; unpadded: Encoded[] }
interface Reference {
  layers: Record<string, LayerRef>; cells: Record<string, CellRef>; reprs: Record<string, string>; errors: Record<string, string>;
  utils: Record<string, UtilsRef>; unsorted_error: string; total_length_error: string;
}

const SEED = 1000;
let ref: Reference;
const seeded = <T extends object>(cases: Record<string, T>) =>
  Object.fromEntries(Object.entries(cases).map(([k, c], i) => [k, { ...c, kw: snake((c as { kw: Record<string, unknown> }).kw), seed: SEED + 10 * i }]));
beforeAll(() => {
  ref = runReference<Reference>("nn_rnn.py", {
    layers: Object.fromEntries(Object.entries(seeded(LAYERS)).map(([k, c]) => [k, { ...c, packed: c.packed && snake(c.packed) }])),
    cells: seeded(CELLS), reprs: seeded(REPRS), errors: seeded(ERRORS),
    utils: Object.fromEntries(Object.entries(UTILS).map(([k, c]) => [k, snake(c as unknown as Record<string, unknown>)])),
  });
});

type AnyModule = torch.nn.Module & { call(...args: unknown[]): unknown };
function build(c: Ctor): AnyModule {
  const ctor = (nn as unknown as Record<string, new (...args: unknown[]) => AnyModule>)[c.kind]!;
  return Object.keys(c.kw).length === 0 ? new ctor(...c.args) : new ctor(...c.args, c.kw);
}
const ofSpec = (s: Spec, dtype: DT, requiresGrad = false) =>
  torch.tensor(dtype === "float64" ? Float64Array.from(s.data) : Float32Array.from(s.data), { shape: s.shape, requiresGrad });
const tol = (dtype: DT) => (dtype === "float64" ? 1e-10 : 2e-5);
const seedOf = (name: string, cases: Record<string, unknown>) => SEED + 10 * Object.keys(cases).indexOf(name);
const lossOf = (ts: torch.Tensor[], cots: Encoded[]) =>
  ts.map((t, i) => t.mul(fromEncoded(cots[i]!)).sum()).reduce((a, b) => a.add(b));

function expectState(m: torch.nn.Module, want: Named): void {
  const sd = m.stateDict();
  expect([...sd.keys()], "state-dict keys").toEqual(want.map(([k]) => k));
  for (const [k, e] of want) expectExact(sd.get(k), e, `init ${k}`);
}
function expectParamGrads(m: torch.nn.Module, want: Named, t: number): void {
  const named = [...m.namedParameters()];
  expect(named.map(([k]) => k)).toEqual(want.map(([k]) => k));
  named.forEach(([k, p], i) => expectClose(p.grad, want[i]![1], `${k}.grad`, t));
}

describe("RNN, LSTM, GRU: seeded init, forward, final states and gradients equal PyTorch's", () => {
  for (const [name, c] of Object.entries(LAYERS)) {
    it(name, () => {
      const want = ref.layers[name]!;
      const seed = seedOf(name, LAYERS);
      torch.manualSeed(seed);
      const m = build({ ...c });
      expectState(m, want.state);
      expect(String(m)).toBe(want.repr);
      m.train(c.train);
      const x = ofSpec(c.x, c.dtype, true);
      const states = c.hx?.map((s) => ofSpec(s, c.dtype, true));
      const hx = states === undefined ? undefined : c.kind === "LSTM" ? states : states[0];
      const input = c.packed === undefined ? x : nn.utils.rnn.packPaddedSequence(x, c.packed.lengths, { batchFirst: c.packed.batchFirst, enforceSorted: c.packed.enforceSorted });
      torch.manualSeed(seed + 1);
      const [out, h] = m.call(input, hx) as [torch.Tensor | InstanceType<typeof PackedSequence>, torch.Tensor | torch.Tensor[]];
      const finals = c.kind === "LSTM" ? (h as torch.Tensor[]) : [h as torch.Tensor];
      let outT: torch.Tensor;
      if (c.packed !== undefined) {
        expect(out).toBeInstanceOf(PackedSequence);
        const p = out as InstanceType<typeof PackedSequence>;
        expectExact(p.batchSizes, want.batch_sizes!, "batch_sizes");
        expectClose(nn.utils.rnn.padPackedSequence(p, { batchFirst: c.packed.batchFirst })[0], want.padded!, "padded output", tol(c.dtype));
        outT = p.data;
      } else {
        outT = out as torch.Tensor;
      }
      expectClose(outT, want.out, "output", tol(c.dtype));
      finals.forEach((t, i) => expectClose(t, want.finals[i]!, `final state ${i}`, tol(c.dtype)));
      lossOf([outT, ...finals], want.cots).backward();
      expectClose(x.grad, want.x_grad, "input grad", tol(c.dtype));
      (states ?? []).forEach((s, i) => expectClose(s.grad, want.hx_grads[i]!, `initial state ${i} grad`, tol(c.dtype)));
      expectParamGrads(m, want.param_grads, tol(c.dtype));
    });
  }
});

describe("RNNCell, LSTMCell, GRUCell: seeded init, forward and gradients equal PyTorch's", () => {
  for (const [name, c] of Object.entries(CELLS)) {
    it(name, () => {
      const want = ref.cells[name]!;
      torch.manualSeed(seedOf(name, CELLS));
      const m = build(c);
      expectState(m, want.state);
      expect(String(m)).toBe(want.repr);
      const x = ofSpec(c.x, c.dtype, true);
      const states = c.hx?.map((s) => ofSpec(s, c.dtype, true));
      const hx = states === undefined ? undefined : c.kind === "LSTMCell" ? states : states[0];
      const out = m.call(x, hx) as torch.Tensor | torch.Tensor[];
      const outs = Array.isArray(out) ? out : [out];
      outs.forEach((t, i) => expectClose(t, want.outs[i]!, `output ${i}`, tol(c.dtype)));
      lossOf(outs, want.cots).backward();
      expectClose(x.grad, want.x_grad, "input grad", tol(c.dtype));
      (states ?? []).forEach((s, i) => expectClose(s.grad, want.hx_grads[i]!, `state ${i} grad`, tol(c.dtype)));
      expectParamGrads(m, want.param_grads, tol(c.dtype));
    });
  }
});

describe("repr and construction", () => {
  it("print(module) equals Python's repr", () => {
    for (const [name, c] of Object.entries(REPRS)) expect(String(build(c)), name).toBe(ref.reprs[name]);
  });

  it("the calling rule: positional parameters in Python's order or one options object, typed", () => {
    const a = new nn.LSTM(10, 20, 2, true, true, 0, true, 5);
    const b = new nn.LSTM(10, 20, { numLayers: 2, batchFirst: true, bidirectional: true, projSize: 5 });
    const c = new nn.LSTM(10, 20, 2, { batchFirst: true, bidirectional: true, projSize: 5, dtype: "float64" });
    expect(String(a)).toBe(String(b));
    expect(String(c)).toBe(String(a));
    expect((c.getAttr("weight_hr_l1_reverse") as torch.Tensor).dtype).toBe("float64");
    expect([a.numLayers, a.batchFirst, a.bidirectional, a.projSize, a.mode]).toEqual([2, true, true, 5, "LSTM"]);
    expect(new nn.RNN(3, 4, { nonlinearity: "relu" }).mode).toBe("RNN_RELU");
    expect(new nn.RNNCell(3, 4, true, "relu").nonlinearity).toBe("relu");
    expect(new nn.GRUCell(3, 4, { bias: false }).biasIh).toBeNull();
    // call() is typed by the input's kind: a PackedSequence in gives one out, a Tensor a Tensor.
    const gru = new nn.GRU(2, 3);
    const [packedOut, hn] = gru.call(nn.utils.rnn.packSequence([torch.ones([2, 2]), torch.ones([1, 2])]));
    expect(nn.utils.rnn.padPackedSequence(packedOut)[0].shape).toEqual([2, 2, 3]);
    expect(hn.shape).toEqual([1, 2, 3]);
    const [tensorOut, [hN, cN]] = new nn.LSTM(2, 3).call(torch.ones([4, 2]));
    expect([tensorOut.shape, hN.shape, cN.shape]).toEqual([[4, 3], [1, 3], [1, 3]]);
  });

  it("allWeights and flatWeights follow Python's _all_weights / _flat_weights; flattenParameters is a no-op on CPU", () => {
    const m = new nn.GRU(2, 3, { numLayers: 2, bidirectional: true, bias: false });
    expect(m.flatWeightsNames).toEqual(["weight_ih_l0", "weight_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse",
      "weight_ih_l1", "weight_hh_l1", "weight_ih_l1_reverse", "weight_hh_l1_reverse"]);
    expect(m.allWeights.map((ws) => ws.map((w) => w.shape))).toEqual([[[9, 2], [9, 3]], [[9, 2], [9, 3]], [[9, 6], [9, 3]], [[9, 6], [9, 3]]]);
    const before = m.flatWeights;
    m.flattenParameters();
    expect(m.flatWeights.every((w, i) => w === before[i])).toBe(true);
    // Module.to() converts in place, and forward reads the registered parameters at each call.
    m.to("float64");
    expect(m.flatWeights.map((w) => w.dtype)).toEqual(Array(8).fill("float64"));
    const [out] = m.call(torch.ones([3, 2, 2], { dtype: "float64" }));
    expect([out.dtype, out.shape]).toEqual(["float64", [3, 2, 6]]);
  });

  it("bad constructor arguments are TypeErrors naming the layer and the argument", () => {
    const cases: [() => unknown, RegExp][] = [
      [() => new nn.LSTM(3, 4, { dropout: 1.5 }), /nn\.LSTM: expected dropout to be a number in range \[0, 1\]/],
      [() => new nn.LSTM(3, 4, { projSize: 4 }), /nn\.LSTM: proj_size has to be smaller than hidden_size/],
      [() => new nn.GRU(3, 4, { projSize: 2 } as never), /nn\.GRU: proj_size argument is only supported for LSTM/],
      [() => new nn.RNN(3, 4, { nonlinearity: "sigmoid" } as never), /nn\.RNN: expected nonlinearity to be "tanh" or "relu"/],
      [() => new nn.RNN(3.5, 4), /nn\.RNN: .*inputSize/],
      [() => new nn.GRU(3, 4, 0), /nn\.GRU: .*numLayers/],
      [() => new nn.LSTM(3, 4, { numLayer: 2 } as never), /nn\.LSTM: .*numLayer/],
      [() => new nn.RNNCell(3, 4, true, "gelu" as never), /nn\.RNNCell: expected nonlinearity/],
      [() => new nn.LSTMCell(3, -1), /nn\.LSTMCell: .*hiddenSize/],
    ];
    for (const [make, msg] of cases) {
      expect(make).toThrow(TypeError);
      expect(make).toThrow(msg);
    }
  });
});

describe("bad input is a clear error with Python's message", () => {
  for (const [name, c] of Object.entries(ERRORS)) {
    it(name, () => {
      const m = build(c);
      const x = torch.zeros(c.x);
      const hs = c.hx?.map((s) => torch.zeros(s));
      const hx = hs === undefined ? undefined : c.kind.startsWith("LSTM") ? hs : hs[0];
      let err: Error | undefined;
      try {
        m.call(x, hx);
      } catch (e) {
        err = e as Error;
      }
      expect(typeof ref.errors[name], "PyTorch raised too").toBe("string");
      expect(err).toBeInstanceOf(torch.TorchError);
      expect(err!.message.startsWith(`nn.${c.kind}: `), err!.message).toBe(true);
      expect(err!.message).toContain(ref.errors[name]);
    });
  }

  it("a wrong hx type or a cell state of the wrong shape names the argument", () => {
    const lstm = new nn.LSTM(3, 4);
    expect(() => lstm.call(torch.zeros([2, 1, 3]), torch.zeros([1, 1, 4]) as never)).toThrow(/nn\.LSTM: expected hx to be an array \[h_0, c_0\]/);
    expect(() => new nn.GRUCell(3, 4).call(torch.zeros([2, 3]), torch.zeros([3, 4]))).toThrow(/nn\.GRUCell: Expected hx of size \[2, 4\], got \[3, 4\]/);
    expect(() => new nn.LSTMCell(3, 4).call(torch.zeros([3]), [torch.zeros([4]), torch.zeros([5])])).toThrow(/nn\.LSTMCell: Expected hx\[1\] of size \[4\]/);
    expect(() => new nn.RNN(3, 4).call("x" as never)).toThrow(/nn\.RNN: expected input to be a Tensor or a PackedSequence/);
    // What ATen itself refuses comes back as a TorchError under the layer's name.
    const dtypeError = (() => { try { new nn.LSTM(2, 3).call(torch.zeros([4, 1, 2], { dtype: "float64" })); } catch (e) { return e; } })();
    expect(dtypeError).toBeInstanceOf(torch.TorchError);
    expect((dtypeError as Error).message).toMatch(/^nn\.LSTM: .*(Double|Float|dtype)/);
    expect(() => new nn.GRUCell(2, 3).call(torch.zeros([4, 2], { dtype: "float64" }))).toThrow(/^nn\.GRUCell: /);
  });
});

describe("torch.nn.utils.rnn equals PyTorch's", () => {
  const expectPacked = (p: InstanceType<typeof PackedSequence>, want: PackedRef, what: string) => {
    expectExact(p.data, want.data, `${what} data`);
    expectExact(p.batchSizes, want.batch_sizes, `${what} batch_sizes`);
    for (const [got, w, n] of [[p.sortedIndices, want.sorted_indices, "sorted_indices"], [p.unsortedIndices, want.unsorted_indices, "unsorted_indices"]] as const) {
      if (w === null) expect(got, `${what} ${n}`).toBeNull();
      else expectExact(got, w, `${what} ${n}`);
    }
  };
  for (const [name, c] of Object.entries(UTILS)) {
    it(name, () => {
      const want = ref.utils[name]!;
      const list = c.seqs.map((s) => ofSpec(s, "float32"));
      const padded = nn.utils.rnn.padSequence(list, c.batchFirst, c.paddingValue);
      expectExact(padded, want.padded, "padSequence");
      expectPacked(nn.utils.rnn.packSequence(list, { enforceSorted: c.enforceSorted }), want.packed, "packSequence");
      const lengths = list.map((t) => t.size(0));
      const pp = nn.utils.rnn.packPaddedSequence(padded, lengths, c.batchFirst, c.enforceSorted);
      expectPacked(pp, want.packed_padded, "packPaddedSequence");
      const [repadded, lens] = nn.utils.rnn.padPackedSequence(pp, { batchFirst: c.batchFirst, paddingValue: c.paddingValue, totalLength: c.totalLength });
      expectExact(repadded, want.repadded, "padPackedSequence");
      expectExact(lens, want.lengths, "padPackedSequence lengths");
      const unpacked = nn.utils.rnn.unpackSequence(nn.utils.rnn.packSequence(list, { enforceSorted: c.enforceSorted }));
      expect(unpacked.length).toBe(want.unpacked.length);
      unpacked.forEach((t, i) => expectExact(t, want.unpacked[i]!, `unpackSequence[${i}]`));
      const unpadded = nn.utils.rnn.unpadSequence(padded, torch.tensor(BigInt64Array.from(lengths, BigInt)), { batchFirst: c.batchFirst });
      unpadded.forEach((t, i) => expectExact(t, want.unpadded[i]!, `unpadSequence[${i}]`));
      expectExact(padded, want.padded, "unpadSequence leaves its input as it was");
    });
  }

  it("a PackedSequence unpacks like Python's namedtuple and moves with to()", () => {
    const p = nn.utils.rnn.packSequence([torch.ones([3, 2]), torch.ones([1, 2])]);
    const [data, batchSizes, sorted, unsorted] = p;
    expect([data === p.data, batchSizes === p.batchSizes, sorted, unsorted]).toEqual([true, true, null, null]);
    expect(p.length).toBe(4);
    expect(valuesOf(p.batchSizes)).toEqual([2, 1, 1]);
    expect(p.batchSizes.dtype).toBe("int64");
    const d = p.double();
    expect([d.data.dtype, d.batchSizes.dtype, p.to("float32") === p]).toEqual(["float64", "int64", true]);
    const q = new PackedSequence([p.data, p.batchSizes], null, torch.tensor([1n, 0n]));
    expect(valuesOf(q.unsortedIndices!)).toEqual([1, 0]);
  });

  it("bad arguments: Python's messages, and the function named", () => {
    expect(() => nn.utils.rnn.packPaddedSequence(torch.zeros([3, 2, 1]), [1, 3])).toThrow(ref.unsorted_error.split("\n")[0]!);
    expect(() => nn.utils.rnn.padPackedSequence(nn.utils.rnn.packSequence([torch.zeros([3, 1])]), { totalLength: 2 }))
      .toThrow(`nn.utils.rnn.padPackedSequence: ${ref.total_length_error}`);
    expect(() => nn.utils.rnn.padSequence("x" as never)).toThrow(/nn\.utils\.rnn\.padSequence: expected sequences to be an array of Tensors/);
    expect(() => nn.utils.rnn.packPaddedSequence(torch.zeros([3, 2, 1]), ["a"] as never)).toThrow(/nn\.utils\.rnn\.packPaddedSequence: expected lengths/);
    expect(() => nn.utils.rnn.padPackedSequence(torch.zeros([2]) as never)).toThrow(/nn\.utils\.rnn\.padPackedSequence: expected sequence to be a PackedSequence/);
    // Checks Python lacks, where ATen 1.13 would read out of bounds:
    expect(() => nn.utils.rnn.packPaddedSequence(torch.zeros([3, 2, 1]), [4, 3])).toThrow(/nn\.utils\.rnn\.packPaddedSequence: lengths must not exceed the padded length of input \(3\), got a length of 4/);
    expect(() => new PackedSequence(torch.zeros([5, 2]), torch.tensor([3n, 3n]))).toThrow(/nn\.utils\.rnn\.PackedSequence: batchSizes must be positive, non-increasing and sum to data\.size\(0\) \(5\), got \[3, 3\]/);
    expect(() => new PackedSequence(torch.zeros([5, 2]), torch.tensor([2n, 3n]))).toThrow(TypeError);
    expect(() => nn.utils.rnn.padSequence([torch.zeros([3, 2]), torch.zeros([2, 3])])).toThrow(/^nn\.utils\.rnn\.padSequence: The size of tensor a/);
  });
});

describe("memory", () => {
  it("200 LSTM training steps (packed input, SGD) keep the live tensor count constant", () => {
    torch.manualSeed(0);
    const lstm = new nn.LSTM(4, 8, { numLayers: 2, dropout: 0.1 });
    const head = new nn.Linear(8, 1);
    const params = [...lstm.parameters(), ...head.parameters()];
    const opt = new torch.optim.SGD(params, { lr: 0.01 });
    const x = torch.randn([6, 3, 4]);
    const y = torch.randn([3, 1]);
    const step = () => torch.tidy(() => {
      opt.zeroGrad();
      const packed = nn.utils.rnn.packPaddedSequence(x, [6, 4, 2]);
      const [, [h]] = lstm.call(packed);
      const loss = head.call(h.select(0, -1)).sub(y).pow(2).mean();
      loss.backward();
      opt.step();
      return loss.item();
    });
    const first = step();
    step();
    const before = torch.liveTensors();
    let last = first;
    for (let i = 0; i < 200; i++) last = step();
    expect(torch.liveTensors()).toBe(before);
    expect(last).toBeLessThan(first);
  });
});
