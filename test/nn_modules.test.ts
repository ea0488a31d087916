// nn layers against PyTorch: the same models are built here and in Debian's torch
// (test/reference/nn_modules.py, one process; builders in reference/nn_models.*): seeded
// default init, single layers' and a CNN's forward and backward, BatchNorm's running
// statistics, print(model), state_dict keys and the load_state_dict contract, messages included.
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import {
  expectClose, expectExact, floatSpec, fromEncoded, fromSpec, intSpec, prng, valuesOf, type Encoded, type Spec,
} from "./reference/nn_common.js";
import { cnn, INIT, LAYERS, loadModel, MODELS, WithBuffers, type Module } from "./reference/nn_models.js";
import { runReference } from "./reference/python.js";

const { nn } = torch;
type Named = [string, Encoded][];
type Grads = { out: Encoded; cot: Encoded; x_grad: Encoded; param_grads: Named };

// ---- inputs sent to the reference ----
const rnd = prng(31);
const f = (shape: number[], lo = -1, hi = 1) => floatSpec(rnd, shape, lo, hi);
const INIT_SEED = 100;
const LAYER_INPUTS = Object.fromEntries(Object.entries(LAYERS).map(([name, c], i) => [name, {
  seed: 200 + 2 * i, x: f(c.input),
  target: c.target === undefined ? null : c.target.high === undefined ? f(c.target.shape) : intSpec(rnd, c.target.shape, c.target.high),
}]));
const CNN = { x: f([4, 3, 12, 12]), target: intSpec(rnd, [4], 10), weights_seed: 11, dropout_seed: 77 };

interface BnCase { kind: "1d" | "2d"; features: number; kw: Record<string, unknown>; weight: Spec; bias: Spec; train: Spec[]; eval: Spec }
const bnCase = (kind: "1d" | "2d", features: number, kw: Record<string, unknown>, shape: number[]): BnCase => ({
  kind, features, kw, weight: f([features], 0.5, 1.5), bias: f([features]),
  train: [f(shape, -1, 3), f(shape, -2, 1), f(shape, 0, 2)], eval: f(shape, -1, 2),
});
const BN: Record<string, BnCase> = {
  "BatchNorm2d, momentum 0.1": bnCase("2d", 3, {}, [4, 3, 5, 5]),
  "BatchNorm2d, momentum null (cumulative moving average)": bnCase("2d", 3, { momentum: null }, [4, 3, 5, 5]),
  "BatchNorm2d, momentum 0.5 and eps 1e-3": bnCase("2d", 2, { momentum: 0.5, eps: 1e-3 }, [3, 2, 4, 6]),
  "BatchNorm2d, affine false": bnCase("2d", 3, { affine: false }, [2, 3, 4, 4]),
  "BatchNorm2d, trackRunningStats false (batch statistics in eval too)": bnCase("2d", 3, { trackRunningStats: false }, [4, 3, 3, 3]),
  "BatchNorm1d on (N, C), momentum 0.3": bnCase("1d", 4, { momentum: 0.3 }, [6, 4]),
  "BatchNorm1d on (N, C, L), momentum null": bnCase("1d", 4, { momentum: null }, [3, 4, 5]),
};

interface Edit { drop?: string[]; add?: Record<string, number[]>; resize?: Record<string, number[]>; metadata?: "keep" | "none" | "v1" }
const LOAD: Record<string, Edit> = {
  "missing keys": { drop: ["0.bias", "1.running_var"] },
  "unexpected keys (a dotted key under a parameter's name is not one)": { add: { "3.extra": [2], "2.bias": [4], extra: [1], "0.weight.old": [3] } },
  "missing and unexpected keys": { drop: ["3.weight"], add: { "4.weight": [4, 4] } },
  "size mismatch (throws even when not strict)": { resize: { "0.weight": [3, 2, 2, 2], "3.bias": [5] } },
  "size mismatch with missing and unexpected keys": { resize: { "1.running_mean": [4] }, drop: ["0.bias"], add: { "head.weight": [1] } },
  "num_batches_tracked missing from a version-2 checkpoint": { drop: ["1.num_batches_tracked"] },
  "a matching checkpoint": {},
};
const OLD_CHECKPOINT: Record<string, Edit> = {
  "no metadata (a pre-versioning checkpoint)": { drop: ["1.num_batches_tracked"], metadata: "none" },
  "metadata version 1": { drop: ["1.num_batches_tracked"], metadata: "v1" },
  "0-dim num_batches_tracked from a 1-element 1-D tensor": { resize: { "1.num_batches_tracked": [1] } },
};

const snake = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));

interface Reference {
  init: Record<string, Named>;
  cnn: { weights: Named; out: Encoded; loss: Encoded; grads: Named; buffers: Named; eval_out: Encoded };
  bn: Record<string, Grads & { train_outs: Encoded[]; buffers: Named; eval_out: Encoded }>;
  repr: Record<string, string>;
  keys: Record<string, string[]>;
  metadata: Record<string, Record<string, { version: number }>>;
  prefixed_keys: string[];
  with_buffers_named_buffers: string[];
  load: Record<string, { strict_error: string | null; non_strict?: { missing: string[]; unexpected: string[] }; non_strict_error?: string }>;
  old_checkpoint: Record<string, { before: number; after: Encoded; missing: string[]; unexpected: string[] }>;
  layers: Record<string, Grads>;
}

let ref: Reference;
beforeAll(() => {
  ref = runReference<Reference>("nn_modules.py", {
    init_seed: INIT_SEED, layers: LAYER_INPUTS, cnn: CNN, load: LOAD, old_checkpoint: OLD_CHECKPOINT,
    bn: Object.fromEntries(Object.entries(BN).map(([k, c]) => [k, { ...c, kw: snake(c.kw) }])),
  });
});

const tensorsOf = (named: Named) => new Map(named.map(([k, e]) => [k, fromEncoded(e)]));
function thrown(fn: () => unknown): Error | undefined {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  return undefined;
}

describe("default initialisation equals PyTorch's under the same seed", () => {
  Object.entries(INIT).forEach(([name, build], i) => {
    it(name, () => {
      torch.manualSeed(INIT_SEED + i);
      const sd = build().stateDict();
      const want = ref.init[name]!;
      expect([...sd.keys()]).toEqual(want.map(([k]) => k));
      for (const [k, e] of want) expectExact(sd.get(k), e, k);
    });
  });

  it("BatchNorm defaults: weight 1, bias 0, running_mean 0, running_var 1, num_batches_tracked int64 0", () => {
    const bn = new nn.BatchNorm2d(4);
    expect(valuesOf(bn.weight!)).toEqual([1, 1, 1, 1]);
    expect(valuesOf(bn.bias!)).toEqual([0, 0, 0, 0]);
    expect(valuesOf(bn.runningMean!)).toEqual([0, 0, 0, 0]);
    expect(valuesOf(bn.runningVar!)).toEqual([1, 1, 1, 1]);
    expect(bn.numBatchesTracked!.dtype).toBe("int64");
    expect(bn.numBatchesTracked!.shape).toEqual([]);
    expect(valuesOf(bn.numBatchesTracked!)).toEqual([0]);
    expect(bn.weight!.requiresGrad && bn.bias!.requiresGrad).toBe(true);
    expect(bn.runningMean!.requiresGrad).toBe(false);
  });
});

/** backward(cot) from PyTorch, then the input's and every parameter's gradient. */
function expectGrads(m: Module, x: torch.Tensor, y: torch.Tensor, want: Grads): void {
  y.backward(fromEncoded(want.cot));
  expectClose(x.grad, want.x_grad, "x.grad");
  const params = [...m.namedParameters()];
  expect(params.map(([k]) => k)).toEqual(want.param_grads.map(([k]) => k));
  params.forEach(([k, p], i) => expectClose(p.grad, want.param_grads[i]![1], `${k}.grad`));
}

describe("single layers: forward and backward equal PyTorch's (same seed, same init)", () => {
  for (const [name, c] of Object.entries(LAYERS)) {
    it(name, () => {
      const input = LAYER_INPUTS[name]!;
      const want = ref.layers[name]!;
      torch.manualSeed(input.seed);
      const m = c.build();
      if (c.eval) m.eval();
      const x = fromSpec(input.x, true);
      torch.manualSeed(input.seed + 1);
      const y = (input.target === null ? m.call(x) : m.call(x, fromSpec(input.target))) as torch.Tensor;
      expectClose(y, want.out, "output");
      expectGrads(m, x, y, want);
    });
  }
});

describe("a Sequential CNN with PyTorch's weights", () => {
  // One training-mode forward/backward (Dropout seeded as in Python), then eval.
  let run: { model: Module; out: torch.Tensor; loss: torch.Tensor; evalOut: torch.Tensor } | undefined;
  const cnnRun = () => {
    if (run) return run;
    const model = cnn();
    expect(model.loadStateDict(tensorsOf(ref.cnn.weights))).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const x = fromSpec(CNN.x);
    torch.manualSeed(CNN.dropout_seed);
    const out = model.call(x) as torch.Tensor;
    const loss = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).call(out, fromSpec(CNN.target));
    loss.backward();
    model.eval();
    const evalOut = torch.noGrad(() => model.call(x) as torch.Tensor);
    return (run = { model, out, loss, evalOut });
  };

  it("training-mode output and loss equal PyTorch's", () => {
    const { out, loss } = cnnRun();
    expectClose(out, ref.cnn.out, "logits");
    expectClose(loss, ref.cnn.loss, "loss");
  });

  it("every parameter's gradient equals PyTorch's", () => {
    const named = [...cnnRun().model.namedParameters()];
    expect(named.map(([k]) => k)).toEqual(ref.cnn.grads.map(([k]) => k));
    for (const [[k, p], [, want]] of named.map((e, i) => [e, ref.cnn.grads[i]!] as const)) expectClose(p.grad, want, `${k}.grad`);
  });

  it("BatchNorm buffers after the training forward equal PyTorch's", () => {
    const named = [...cnnRun().model.namedBuffers()];
    expect(named.map(([k]) => k)).toEqual(ref.cnn.buffers.map(([k]) => k));
    named.forEach(([k, b], i) => expectClose(b, ref.cnn.buffers[i]![1], k));
  });

  it("eval-mode output (running statistics, no dropout) equals PyTorch's", () => {
    expectClose(cnnRun().evalOut, ref.cnn.eval_out, "eval logits");
  });
});

describe("BatchNorm: 3 training steps, then eval", () => {
  for (const [name, c] of Object.entries(BN)) {
    it(name, () => {
      const want = ref.bn[name]!;
      const bn = c.kind === "2d" ? new nn.BatchNorm2d(c.features, c.kw) : new nn.BatchNorm1d(c.features, c.kw);
      if (bn.affine) torch.noGrad(() => { bn.weight!.copy_(fromSpec(c.weight)); bn.bias!.copy_(fromSpec(c.bias)); });
      c.train.forEach((x, i) => expectClose(bn.call(fromSpec(x)), want.train_outs[i]!, `training output ${i}`));
      const buffers = [...bn.namedBuffers()];
      expect(buffers.map(([k]) => k)).toEqual(want.buffers.map(([k]) => k));
      buffers.forEach(([k, b], i) => expectClose(b, want.buffers[i]![1], `${k} after 3 steps`));
      bn.eval();
      const x = fromSpec(c.eval, true);
      const y = bn.call(x);
      expectClose(y, want.eval_out, "eval output");
      expectGrads(bn, x, y, want);
    });
  }
});

describe("print(model) equals Python's str(model)", () => {
  for (const [name, build] of Object.entries(MODELS)) it(name, () => expect(String(build())).toBe(ref.repr[name]));
});

describe("stateDict", () => {
  for (const [name, build] of Object.entries(MODELS)) {
    it(`${name}: keys and order equal PyTorch's`, () => expect([...build().stateDict().keys()]).toEqual(ref.keys[name]));
  }

  for (const [name, build] of Object.entries(MODELS)) {
    it(`${name}: metadata (per-module versions) equals PyTorch's _metadata`, () => {
      expect(Object.fromEntries(build().stateDict().metadata)).toEqual(ref.metadata[name]);
    });
  }

  it("a prefix goes in front of every key", () => {
    expect([...loadModel().stateDict({ prefix: "m." }).keys()]).toEqual(ref.prefixed_keys);
  });

  it("non-persistent and null buffers are excluded, though namedBuffers lists the non-persistent one", () => {
    const m = new WithBuffers();
    expect([...m.stateDict().keys()]).toEqual(ref.keys.with_buffers);
    expect(ref.keys.with_buffers).not.toContain("scratch");
    expect([...m.namedBuffers()].map(([k]) => k)).toEqual(ref.with_buffers_named_buffers);
    expect(ref.with_buffers_named_buffers).toContain("scratch");
  });

  it("values are detached and share storage with the module", () => {
    const lin = new nn.Linear(2, 2);
    const w = lin.stateDict().get("weight")!;
    expect(w.requiresGrad).toBe(false);
    w.fill_(3);
    expect(valuesOf(lin.weight)).toEqual([3, 3, 3, 3]);
    const kept = lin.stateDict({ keepVars: true }).get("weight");
    expect(kept).toBe(lin.weight);
    expect(kept!.requiresGrad).toBe(true);
  });
});

function editedStateDict(model: Module, edit: Edit): Map<string, torch.Tensor> {
  const sd = model.stateDict();
  for (const k of edit.drop ?? []) sd.delete(k);
  for (const [k, shape] of Object.entries(edit.add ?? {})) sd.set(k, torch.zeros(shape));
  for (const [k, shape] of Object.entries(edit.resize ?? {})) sd.set(k, torch.zeros(shape, { dtype: sd.get(k)!.dtype }));
  if (edit.metadata === "none") return new Map(sd); // a copy carries no metadata: an old checkpoint
  if (edit.metadata === "v1") sd.metadata.set("1", { version: 1 });
  return sd;
}

describe("loadStateDict: errors and key lists equal PyTorch's", () => {
  for (const [name, edit] of Object.entries(LOAD)) {
    it(name, () => {
      const want = ref.load[name]!;
      const strict = thrown(() => loadModel().loadStateDict(editedStateDict(loadModel(), edit)));
      if (want.strict_error === null) {
        expect(strict).toBeUndefined();
      } else {
        expect(strict).toBeInstanceOf(torch.TorchError);
        expect(strict!.message).toBe(want.strict_error);
      }
      const nonStrict = () => loadModel().loadStateDict(editedStateDict(loadModel(), edit), { strict: false });
      if (want.non_strict_error !== undefined) {
        const err = thrown(nonStrict);
        expect(err).toBeInstanceOf(torch.TorchError);
        expect(err!.message).toBe(want.non_strict_error);
      } else {
        expect(nonStrict()).toEqual({ missingKeys: want.non_strict!.missing, unexpectedKeys: want.non_strict!.unexpected });
      }
    });
  }
});

describe("loadStateDict: old BatchNorm checkpoints and the copy", () => {
  for (const [name, edit] of Object.entries(OLD_CHECKPOINT)) {
    it(`${name}: loads, num_batches_tracked as PyTorch sets it`, () => {
      const want = ref.old_checkpoint[name]!;
      const model = loadModel();
      for (let i = 0; i < want.before; i++) model.call(torch.randn(2, 2, 4, 4));
      const bn = model.get<InstanceType<typeof nn.BatchNorm2d>>(1);
      expect(valuesOf(bn.numBatchesTracked!)).toEqual([want.before]);
      const sd = editedStateDict(loadModel(), edit);
      const live = torch.liveTensors();
      const keys = model.loadStateDict(sd);
      expect(torch.liveTensors(), "tensors left behind by loading").toBe(live);
      expect(keys).toEqual({ missingKeys: want.missing, unexpectedKeys: want.unexpected });
      expectExact(bn.numBatchesTracked, want.after, "num_batches_tracked");
    });
  }

  it("copies in place: a parameter taken before loading sees the new values", () => {
    torch.manualSeed(1);
    const src = loadModel();
    const dst = loadModel();
    const weight = dst.get<InstanceType<typeof nn.Linear>>(3).weight;
    const mean = dst.get<InstanceType<typeof nn.BatchNorm2d>>(1).runningMean!;
    torch.noGrad(() => src.get<InstanceType<typeof nn.BatchNorm2d>>(1).runningMean!.fill_(0.25));
    dst.loadStateDict(src.stateDict());
    expect(dst.get<InstanceType<typeof nn.Linear>>(3).weight).toBe(weight);
    expect(valuesOf(weight)).toEqual(valuesOf(src.get<InstanceType<typeof nn.Linear>>(3).weight));
    expect(valuesOf(mean)).toEqual([0.25, 0.25, 0.25]);
    expect(weight.requiresGrad).toBe(true);
    expect(weight.isLeaf).toBe(true);
  });

  it("accepts a plain object as well as a Map", () => {
    torch.manualSeed(2);
    const src = loadModel();
    const dst = loadModel();
    expect(dst.loadStateDict(Object.fromEntries(src.stateDict()))).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const [a, b] = [src.stateDict(), dst.stateDict()];
    for (const k of a.keys()) expect(valuesOf(b.get(k)!), k).toEqual(valuesOf(a.get(k)!));
    const obj = Object.fromEntries(src.stateDict());
    delete obj["0.bias"];
    expect(() => dst.loadStateDict(obj)).toThrow(/Missing key\(s\) in state_dict: "0.bias"/);
  });
});
