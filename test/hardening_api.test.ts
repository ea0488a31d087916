// Hardening of the training API ("[hardening]" issue): optimizer hyper-parameters reassigned
// after construction are checked at every step() before any weight moves; the DataLoader's
// collate refuses bad labels and mis-sized samples naming the dataset index (and keeps float
// labels float64, as PyTorch's default_collate); a Tensor sample is a clear TypeError;
// Module.loadStateDict refuses non-string keys and non-Tensor values before copying anything.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { expectError, expectRejection } from "./expect_error.js";
import { PYTHON } from "./reference/python.js";

const { nn, optim, data } = torch;
type Dataset = torch.data.Dataset;

/** Every parameter's values, to compare before and after a refused call. */
const snapshot = (params: Iterable<torch.Tensor>) => [...params].map((p) => p.tolist());

/** A model with gradients on every parameter (one forward/backward). */
function modelWithGrads(): torch.nn.Linear {
  const model = new nn.Linear(3, 2);
  torch.tidy(() => {
    const x = torch.randn([4, 3]);
    model.call(x).sum().backward();
  });
  return model;
}

function disposeModel(model: torch.nn.Module, ...opts: { state: Map<unknown, Map<string, unknown>> }[]): void {
  for (const o of opts) for (const s of o.state.values()) for (const v of s.values()) if (v instanceof torch.Tensor) v.dispose();
  for (const p of model.parameters()) {
    p.grad?.dispose();
    p.dispose();
  }
}

describe("optimizers check hyper-parameters at step()", () => {
  let baseline: number;
  beforeAll(() => {
    baseline = torch.liveTensors();
  });

  const bad: [string, unknown][] = [["\"x\"", "x"], ["undefined", undefined], ["an object", {}], ["NaN", NaN], ["-1", -1], ["Infinity", Infinity]];
  for (const [what, value] of bad) {
    it(`SGD refuses paramGroups[0].lr = ${what} and leaves the weights as they were`, () => {
      const model = modelWithGrads();
      const params = [...model.parameters()];
      const opt = new optim.SGD(params, { lr: 0.1, momentum: 0.9 });
      const before = snapshot(params);
      (opt.paramGroups[0] as Record<string, unknown>).lr = value;
      expectError(() => opt.step(), TypeError, /^SGD\.step: expected paramGroups\[0\]\.lr to be a finite learning rate >= 0, but received /);
      expect(snapshot(params)).toEqual(before);
      // No momentum buffer was made either: nothing about the step happened.
      expect(opt.state.size).toBe(0);
      disposeModel(model, opt as never);
      expect(torch.liveTensors()).toBe(baseline);
    });
  }

  it("the step message uses the constructor's words for the same value", () => {
    const model = modelWithGrads();
    const params = [...model.parameters()];
    const ctor = (() => {
      try {
        new optim.SGD(params, { lr: "x" as never });
      } catch (err) {
        return (err as Error).message;
      }
      return "";
    })();
    expect(ctor).toBe('optim.SGD: expected lr to be a finite learning rate >= 0, but received "x"');
    const opt = new optim.SGD(params, { lr: 0.1 });
    opt.paramGroups[0]!.lr = "x" as never;
    expectError(() => opt.step(), TypeError, /^SGD\.step: expected paramGroups\[0\]\.lr to be a finite learning rate >= 0, but received "x"$/);
    disposeModel(model, opt as never);
  });

  it("Adam refuses a bad lr, betas or eps set after construction with a message naming it (not native's)", () => {
    const model = modelWithGrads();
    const params = [...model.parameters()];
    const opt = new optim.Adam(params, { lr: 0.01 });
    const before = snapshot(params);
    const g = opt.paramGroups[0] as Record<string, unknown>;
    g.lr = "x";
    expectError(() => opt.step(), TypeError, /^Adam\.step: expected paramGroups\[0\]\.lr to be a finite learning rate >= 0, but received "x"$/);
    g.lr = 0.01;
    g.betas = [0.9, 1.5];
    expectError(() => opt.step(), TypeError, /^Adam\.step: expected paramGroups\[0\]\.betas to be a pair of numbers in \[0, 1\), but received \[0\.9, 1\.5\]$/);
    g.betas = [0.9, 0.999];
    g.eps = null;
    expectError(() => opt.step(), TypeError, /^Adam\.step: expected paramGroups\[0\]\.eps to be a finite number >= 0, but received null$/);
    g.eps = 1e-8;
    g.amsgrad = "yes";
    expectError(() => opt.step(), TypeError, /^Adam\.step: expected paramGroups\[0\]\.amsgrad to be a boolean, but received "yes"$/);
    expect(snapshot(params)).toEqual(before);
    expect(opt.state.size).toBe(0);
    // Repaired, the same optimizer steps.
    g.amsgrad = false;
    opt.step();
    expect(snapshot(params)).not.toEqual(before);
    disposeModel(model, opt as never);
  });

  it("AdamW and a second group: every group is checked before any parameter moves", () => {
    const a = modelWithGrads();
    const b = modelWithGrads();
    const opt = new optim.AdamW([{ params: a.parameters() }, { params: b.parameters(), lr: 0.1 }]);
    const before = snapshot([...a.parameters(), ...b.parameters()]);
    (opt.paramGroups[1] as Record<string, unknown>).weightDecay = -0.5;
    expectError(() => opt.step(), TypeError, /^AdamW\.step: expected paramGroups\[1\]\.weightDecay to be a finite number >= 0, but received -0\.5$/);
    // Group 0 is valid and comes first, yet it did not step either.
    expect(snapshot([...a.parameters(), ...b.parameters()])).toEqual(before);
    disposeModel(a, opt as never);
    disposeModel(b);
  });

  it("SGD's cross-checks and the params list are checked at step() too", () => {
    const model = modelWithGrads();
    const params = [...model.parameters()];
    const opt = new optim.SGD(params, { lr: 0.1, momentum: 0.9, nesterov: true });
    const before = snapshot(params);
    opt.paramGroups[0]!.momentum = 0;
    expectError(() => opt.step(), TypeError, /^SGD\.step: Nesterov momentum requires a momentum and zero dampening$/);
    opt.paramGroups[0]!.momentum = 0.9;
    opt.paramGroups[0]!.params.push(5 as never);
    expectError(() => opt.step(), TypeError, /^SGD\.step: expected paramGroups\[0\]\.params\[2\] to be a Tensor, but received 5$/);
    opt.paramGroups[0]!.params.pop();
    expect(snapshot(params)).toEqual(before);
    disposeModel(model, opt as never);
  });

  it("a closure is not run when the groups are refused", () => {
    const model = modelWithGrads();
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    opt.paramGroups[0]!.lr = "x" as never;
    let ran = false;
    expectError(() => opt.step(() => ((ran = true), 0)), TypeError, /^SGD\.step: expected paramGroups\[0\]\.lr/);
    expect(ran).toBe(false);
    disposeModel(model, opt as never);
  });

  it("schedulers that write lr keep working, and a valid lr written by hand steps", () => {
    const model = modelWithGrads();
    const params = [...model.parameters()];
    const opt = new optim.SGD(params, { lr: 0.1 });
    const sched = new optim.lr_scheduler.StepLR(opt, { stepSize: 1, gamma: 0.5 });
    for (let i = 0; i < 3; i++) {
      opt.step();
      sched.step();
    }
    expect(opt.paramGroups[0]!.lr).toBeCloseTo(0.0125, 12);
    const before = snapshot(params);
    opt.paramGroups[0]!.lr = 0.5;
    opt.step();
    expect(snapshot(params)).not.toEqual(before);
    disposeModel(model, opt as never);
    expect(torch.liveTensors()).toBe(baseline);
  });
});

/** A dataset of [1, 2, 2] samples whose labels (and optionally data) come from the caller. */
function dataset(labels: unknown[], dataOf: (i: number) => unknown = (i) => Float32Array.of(i, i, i, i)): Dataset {
  return {
    length: labels.length,
    getItem: (i: number) => [{ data: dataOf(i), shape: [1, 2, 2] }, labels[i]] as never,
  };
}

async function collect(loader: torch.data.DataLoader): Promise<[torch.Tensor, torch.Tensor][]> {
  const out: [torch.Tensor, torch.Tensor][] = [];
  for await (const b of loader) out.push(b);
  return out;
}

/** PyTorch's default_collate of a list of Python labels: dtype and values. */
function pythonCollate(labels: string): { dtype: string; values: number[] } {
  const code = [
    "import json, torch",
    "from torch.utils.data import default_collate",
    `t = default_collate(${labels})`,
    "print(json.dumps({'dtype': str(t.dtype).replace('torch.', ''), 'values': t.tolist()}))",
  ].join("\n");
  const res = spawnSync(PYTHON, ["-c", code], { encoding: "utf8" });
  if (res.status !== 0) throw new Error(`python failed: ${res.stderr}`);
  return JSON.parse(res.stdout);
}

describe("DataLoader collate: labels and sample sizes", () => {
  let baseline: number;
  beforeAll(() => {
    baseline = torch.liveTensors();
  });
  afterAll(() => {
    expect(torch.liveTensors()).toBe(baseline);
  });

  const badLabels: [string, unknown, RegExp][] = [
    ['"cat"', "cat", /^DataLoader: sample 2: label "cat" is not an integer \(a class index, batched as int64\) or a finite number/],
    ["undefined", undefined, /^DataLoader: sample 2: label undefined is not an integer/],
    ["NaN", NaN, /^DataLoader: sample 2: label NaN is not an integer/],
    ["Infinity", Infinity, /^DataLoader: sample 2: label Infinity is not an integer/],
    ["null", null, /^DataLoader: sample 2: label null is not an integer/],
    ["2n ** 63n", 2n ** 63n, /^DataLoader: sample 2: label 9223372036854775808n is outside int64$/],
    ["2 ** 64", 2 ** 64, /^DataLoader: sample 2: label 18446744073709552000 is outside int64$/],
  ];
  for (const [what, label, message] of badLabels) {
    it(`a label ${what} rejects the iteration naming the sample`, async () => {
      const loader = new data.DataLoader(dataset([0, 1, label, 3]), { batchSize: 4 });
      await expectRejection(() => collect(loader), TypeError, message);
      expect(torch.liveTensors()).toBe(baseline);
    });
  }

  it("integer labels are int64 and exact past 2^31 (as default_collate of Python ints)", async () => {
    const labels = [0, 2 ** 31, -3, 2 ** 40 + 1];
    const ref = pythonCollate(`[${labels.join(", ")}]`);
    const [[x, y]] = await collect(new data.DataLoader(dataset(labels), { batchSize: 4 })) as [[torch.Tensor, torch.Tensor]];
    expect(y.dtype).toBe(ref.dtype);
    expect((y.tolist() as (number | bigint)[]).map(Number)).toEqual(ref.values);
    // bigint labels, int64's extremes included.
    const big = [2n ** 63n - 1n, -(2n ** 63n), 5n];
    const [[x2, y2]] = await collect(new data.DataLoader(dataset(big), { batchSize: 3 })) as [[torch.Tensor, torch.Tensor]];
    expect(y2.dtype).toBe("int64");
    expect((y2.toTypedArray() as BigInt64Array)[0]).toBe(2n ** 63n - 1n);
    expect((y2.toTypedArray() as BigInt64Array)[1]).toBe(-(2n ** 63n));
    for (const t of [x, y, x2, y2]) t.dispose();
  });

  it("fractional labels are float64, as default_collate of Python floats", async () => {
    const ref = pythonCollate("[1.5, 2.0, -0.25]");
    const [[x, y]] = await collect(new data.DataLoader(dataset([1.5, 2, -0.25]), { batchSize: 3 })) as [[torch.Tensor, torch.Tensor]];
    expect(y.dtype).toBe(ref.dtype);
    expect(y.tolist()).toEqual(ref.values);
    x.dispose();
    y.dispose();
  });

  it("a bigint label beside a fractional one is refused (no one dtype holds both)", async () => {
    const loader = new data.DataLoader(dataset([1n, 0.5]), { batchSize: 2 });
    await expectRejection(() => collect(loader), TypeError, /^DataLoader: sample 0: label 1n is a bigint but sample 1's label 0\.5 is fractional/);
  });

  it("sample data shorter or longer than its shape is refused naming the sample, never zero-padded", async () => {
    const short = new data.DataLoader(dataset([0, 1, 2], (i) => (i === 1 ? Float32Array.of(1, 2, 3) : new Float32Array(4))), { batchSize: 3 });
    await expectRejection(() => collect(short), TypeError, /^DataLoader: sample 1: data has 3 values but its shape \[1, 2, 2\] needs 4$/);
    const long = new data.DataLoader(dataset([0, 1, 2], (i) => (i === 2 ? new Float32Array(5) : new Float32Array(4))), { batchSize: 3 });
    await expectRejection(() => collect(long), TypeError, /^DataLoader: sample 2: data has 5 values but its shape \[1, 2, 2\] needs 4$/);
    const none = new data.DataLoader({ length: 1, getItem: () => [{ shape: [1, 2, 2] }, 0] } as never);
    await expectRejection(() => collect(none), TypeError, /^DataLoader: sample 0: expected data to be a Float32Array \(or an array of numbers\), but received undefined$/);
    const badShape = new data.DataLoader({ length: 1, getItem: () => [{ data: new Float32Array(4), shape: [2, -2] }, 0] } as never);
    await expectRejection(() => collect(badShape), TypeError, /^DataLoader: sample 0: expected shape to be an array of non-negative integers, but received \[2, -2\]$/);
    expect(torch.liveTensors()).toBe(baseline);
  });

  it("getItem returning something other than [sample, label] or null is refused naming the sample", async () => {
    const loader = new data.DataLoader({ length: 2, getItem: (i: number) => (i === 1 ? 5 : [{ data: new Float32Array(4), shape: [1, 2, 2] }, 0]) } as never, { batchSize: 2 });
    await expectRejection(() => collect(loader), TypeError, /^DataLoader: sample 1: getItem must return \[sample, label\] .*, or null to skip it; it returned 5$/);
  });

  it("a valid dataset still batches (shuffled, dropLast) exactly", async () => {
    const loader = new data.DataLoader(dataset([0, 1, 2, 3, 4]), { batchSize: 2, shuffle: true, dropLast: true, seed: 3 });
    const batches = await collect(loader);
    expect(batches).toHaveLength(2);
    for (const [x, y] of batches) {
      expect(x.shape).toEqual([2, 1, 2, 2]);
      const ids = (y.tolist() as (number | bigint)[]).map(Number);
      // Each sample's data is its index repeated: data and label stayed together.
      expect((x.tolist() as number[][][][]).map((s) => s[0]![0]![0])).toEqual(ids);
      x.dispose();
      y.dispose();
    }
  });
});

describe("DataLoader: a Tensor as a sample", () => {
  it("is a TypeError naming the sample and what samples may be", async () => {
    const t = torch.zeros([1, 2, 2]);
    const before = torch.liveTensors();
    const loader = new data.DataLoader({ length: 2, getItem: () => [t, 0] } as never, { batchSize: 2 });
    await expectRejection(() => collect(loader), TypeError,
      /^DataLoader: sample 0: expected the sample to be a \{data: Float32Array, shape\} \(transforms\.ToTensor\(\)'s output\) or an image, but received [\s\S]*; getItem may not return a Tensor/);
    expect(torch.liveTensors()).toBe(before);
    // The dataset's tensor is left alone (the loader does not own it).
    expect(t.isDisposed).toBe(false);
    t.dispose();
  });
});

describe("DataLoader workers: a bad sample's error crosses from the worker with its class and message", () => {
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), "torch-ts-hardening-"));
    for (const cls of ["a", "b"]) {
      mkdirSync(path.join(root, cls));
      await sharp(Buffer.alloc(4 * 4 * 3, cls === "a" ? 20 : 200), { raw: { width: 4, height: 4, channels: 3 } }).png().toFile(path.join(root, cls, "x.png"));
    }
  });

  it("numWorkers 1 and 0 reject alike", async () => {
    for (const numWorkers of [0, 1]) {
      const loader = new data.DataLoader(new torch.vision.ImageFolder(root), { batchSize: 2, numWorkers });
      await expectRejection(() => collect(loader), TypeError,
        /^DataLoader: samples must be tensors to be batched; end the transform with transforms\.ToTensor\(\) \(sample 0 is an image\)$/);
      await loader.close();
    }
  });
});

describe("Module.loadStateDict: keys and values", () => {
  it("a non-string key is a TypeError naming loadStateDict, the key and what was expected; nothing is copied", () => {
    const model = new nn.Linear(2, 2);
    const before = snapshot(model.parameters());
    const baseline = torch.liveTensors();
    const w = torch.zeros([2, 2]);
    expectError(() => model.loadStateDict(new Map<unknown, torch.Tensor>([["weight", w], [1, w]]) as never), TypeError,
      /^Module\.loadStateDict: expected every key of stateDict to be a string \(a parameter or buffer name such as "fc\.weight"\), but received the key 1 \(number\)$/);
    expectError(() => model.loadStateDict(new Map<unknown, torch.Tensor>([[Symbol.iterator, w]]) as never), TypeError,
      /^Module\.loadStateDict: expected every key .*received the key .*\(symbol\)$/);
    expect(snapshot(model.parameters())).toEqual(before);
    w.dispose();
    expect(torch.liveTensors()).toBe(baseline);
    for (const p of model.parameters()) p.dispose();
  });

  it("a non-Tensor value is a TypeError naming the key; nothing is copied", () => {
    const model = new nn.Linear(2, 2);
    const before = snapshot(model.parameters());
    const w = torch.zeros([2, 2]);
    expectError(() => model.loadStateDict(new Map<string, unknown>([["weight", w], ["bias", 5]]) as never), TypeError,
      /^Module\.loadStateDict: expected stateDict\["bias"\] to be a Tensor, but received 5$/);
    expectError(() => model.loadStateDict({ weight: w, bias: [0, 0] } as never), TypeError,
      /^Module\.loadStateDict: expected stateDict\["bias"\] to be a Tensor, but received \[0, 0\]$/);
    expect(snapshot(model.parameters())).toEqual(before);
    // A valid state dict still loads (and a plain object's _metadata field is metadata, not a key).
    const b = torch.ones([2]);
    model.loadStateDict({ weight: w, bias: b, _metadata: { "": { version: 1 } } } as never);
    expect(model.bias!.tolist()).toEqual([1, 1]);
    for (const t of [w, b, ...model.parameters()]) t.dispose();
  });
});
