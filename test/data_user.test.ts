// torch.utils.data for user code against Debian's PyTorch (test/reference/data_user.py): every
// sampler's index order, randomSplit, DataLoader over user Datasets and IterableDatasets, the
// default collate, torch.Generator, and the global generator after an epoch (Python's contract).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { randpermWith } from "../lib/generator.js";
import { ReferenceSession } from "./reference/session.js";

const { data } = torch;
type Tensor = torch.Tensor;
type Case = Record<string, any>;
type Enc = { T: string; shape: number[]; values: number[] } | Enc[] | { [k: string]: Enc } | string | number | boolean;

let py: ReferenceSession;
let baseline = 0;
beforeAll(() => {
  py = new ReferenceSession("data_user.py");
  baseline = torch.liveTensors();
});
afterAll(() => py.close());

/** Batches as the reference writes them. */
function enc(v: unknown): Enc {
  if (v instanceof torch.Tensor) {
    const values = v.dtype === "bool" ? (v.tolist() as unknown[]).flat(Infinity) as never : Array.from(v.toTypedArray() as ArrayLike<number | bigint>, Number);
    return { T: v.dtype, shape: v.shape, values };
  }
  if (Array.isArray(v)) return v.map(enc);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, enc(x)]));
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, enc(x)]));
  return v as Enc;
}

const TYPED: Record<string, new (xs: number[]) => ArrayLike<number>> = { float32: Float32Array as never, float64: Float64Array as never, int32: Int32Array as never, uint8: Uint8Array as never };
/** A sample from the shared encoding (JSON cannot tell 1 from 1.0). */
function dec(v: Record<string, any>): unknown {
  const [[kind, x]] = Object.entries(v) as [[string, any]];
  switch (kind) {
    case "i": case "f": case "b": case "s": return x;
    case "l": return x.map(dec);
    case "d": return Object.fromEntries(Object.entries(x).map(([k, e]) => [k, dec(e as Record<string, any>)]));
    case "a": return x.dtype === "int64" ? BigInt64Array.from(x.values, (n: number) => BigInt(n)) : new TYPED[x.dtype]!(x.values);
    case "t": return torch.tidy(() => torch.tensor(x.values, { dtype: x.dtype }).reshape(x.shape));
    default: throw new Error(kind);
  }
}

class Squares extends data.Dataset<{ x: Tensor; y: number; name: string }> {
  constructor(readonly n: number) {
    super();
  }
  get length() {
    return this.n;
  }
  getItem(i: number) {
    return { x: torch.tensor([i, i / 4]), y: i * i, name: `s${i}` };
  }
}

/** getItem declared async, making a tensor before its first await. */
class AsyncSquares extends data.Dataset<{ x: Tensor; y: number; name: string }> {
  constructor(readonly n: number) {
    super();
  }
  get length() {
    return this.n;
  }
  async getItem(i: number) {
    const x = torch.tensor([i, i / 4]);
    await new Promise((r) => setImmediate(r));
    return { x, y: i * i, name: `s${i}` };
  }
}

/** An IterableDataset with a sync generator. */
class Count extends data.IterableDataset<[number, Tensor]> {
  constructor(readonly n: number) {
    super();
  }
  *[Symbol.iterator](): Generator<[number, Tensor]> {
    for (let i = 0; i < this.n; i++) yield [i, torch.full([2], i)];
  }
}

/** The same stream from an async generator. */
class AsyncCount extends data.IterableDataset<[number, Tensor]> {
  constructor(readonly n: number) {
    super();
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<[number, Tensor]> {
    for (let i = 0; i < this.n; i++) {
      await new Promise((r) => setImmediate(r));
      yield [i, torch.full([2], i)];
    }
  }
}

const gen = (seed: number | undefined | null) => (seed === undefined || seed === null ? null : new torch.Generator().manualSeed(seed));

function dataset(c: Case): torch.data.AnyDataset {
  if (c.dataset === "squares") return new Squares(c.n);
  if (c.dataset === "async_squares") return new AsyncSquares(c.n);
  if (c.dataset === "subset_squares") return new data.Subset(new AsyncSquares(c.n + 3), Array.from({ length: c.n }, (_, i) => i + 3));
  if (c.dataset === "tensor") return new data.TensorDataset(...torch.tidy(() => [torch.arange(c.n * 3, { dtype: "float32" }).reshape([c.n, 3]), torch.arange(c.n).remainder(3)]));
  if (c.dataset === "count") return c.async ? new AsyncCount(c.n) : new Count(c.n);
  if (c.dataset === "chain") return new Count(2).chain(new AsyncCount(c.n));
  throw new Error(c.dataset);
}

function sampler(c: Case, g: torch.Generator | null): torch.data.Sampler<number> {
  const range = { length: c.n };
  if (c.sampler === "random") return new data.RandomSampler(range, c.replacement ?? false, c.numSamples ?? null, g);
  if (c.sampler === "subset") return new data.SubsetRandomSampler(c.indices, { generator: g });
  if (c.sampler === "weighted") return new data.WeightedRandomSampler(c.weights, c.numSamples, { replacement: c.replacement ?? true, generator: g });
  if (c.sampler === "sequential") return new data.SequentialSampler(range);
  throw new Error(c.sampler);
}

async function runCase(c: Case): Promise<Record<string, unknown>> {
  torch.manualSeed(c.seed ?? 0);
  const g = gen(c.gen);
  const out: Record<string, unknown> = {};
  if (c.kind === "sampler") {
    let s: Iterable<number | number[]> & { length: number } = sampler(c, g);
    if ("batchSize" in c) s = new data.BatchSampler(s as Iterable<number>, c.batchSize, c.dropLast);
    out.epochs = Array.from({ length: c.epochs ?? 2 }, () => [...s]);
    out.len = s.length;
  } else if (c.kind === "split") {
    const ds = new data.TensorDataset(torch.arange(c.n));
    const parts = g === null ? data.randomSplit(ds, c.lengths) : data.randomSplit(ds, c.lengths, g);
    out.parts = parts.map((p) => p.indices);
    torch.dispose(ds.tensors);
  } else if (c.kind === "loader") {
    const o: Record<string, unknown> = {};
    if ("batch_size" in c) o.batchSize = c.batch_size;
    if ("shuffle" in c) o.shuffle = c.shuffle;
    if ("drop_last" in c) o.dropLast = c.drop_last;
    if (g !== null) o.generator = g;
    if (c.collate === "len") o.collateFn = (b: unknown[]) => b.length;
    if ("sampler" in c) o.sampler = sampler(c.sampler, gen(c.sampler.gen));
    if ("batch_sampler" in c) o.batchSampler = new data.BatchSampler(new data.SequentialSampler({ length: c.n }), c.batch_sampler[0], c.batch_sampler[1]);
    const ds = dataset(c);
    const loader = new data.DataLoader(ds, o);
    const epochs: Enc[][] = [];
    for (let e = 0; e < (c.epochs ?? 1); e++) {
      const batches: Enc[] = [];
      for await (const b of loader) {
        batches.push(enc(b));
        torch.dispose(b);
      }
      epochs.push(batches);
    }
    out.epochs = epochs;
    try {
      out.len = loader.length;
    } catch {
      out.len = null;
    }
    if (ds instanceof data.TensorDataset) torch.dispose(ds.tensors);
  } else if (c.kind === "collate") {
    const samples = c.samples.map(dec);
    const batch = data.defaultCollate(samples);
    out.batch = enc(batch);
    torch.dispose(batch, samples);
  }
  const after = torch.rand([3]);
  out.after = after.tolist();
  after.dispose();
  return out;
}

async function compare(cases: Case[]): Promise<void> {
  const expected = await py.request<Record<string, unknown>[]>({ cmd: "run", cases });
  for (const [k, c] of cases.entries()) {
    const got = await runCase(c);
    expect({ case: c, ...got }).toEqual({ case: c, ...expected[k] });
  }
}

describe("samplers: index orders equal Python's", () => {
  it("RandomSampler: global generator and explicit generators, with and without replacement", async () => {
    const cases: Case[] = [];
    for (const seed of [0, 1, 7, 123456789]) {
      cases.push({ kind: "sampler", sampler: "random", n: 17, seed });
      cases.push({ kind: "sampler", sampler: "random", n: 17, seed, gen: seed + 3 });
      cases.push({ kind: "sampler", sampler: "random", n: 9, seed, numSamples: 23 });
      cases.push({ kind: "sampler", sampler: "random", n: 9, seed, numSamples: 5, gen: seed });
      cases.push({ kind: "sampler", sampler: "random", n: 11, seed, replacement: true });
      cases.push({ kind: "sampler", sampler: "random", n: 11, seed, replacement: true, numSamples: 70, gen: 2 * seed });
    }
    cases.push({ kind: "sampler", sampler: "random", n: 3000, seed: 5 });
    await compare(cases);
  });

  it("SubsetRandomSampler, SequentialSampler, BatchSampler", async () => {
    const cases: Case[] = [];
    for (const seed of [0, 3, 99]) {
      cases.push({ kind: "sampler", sampler: "subset", indices: [4, 8, 15, 16, 23, 42], seed });
      cases.push({ kind: "sampler", sampler: "subset", indices: [4, 8, 15, 16, 23, 42], seed, gen: seed + 1 });
      for (const [batchSize, dropLast] of [[1, false], [3, false], [4, true], [4, false], [20, true]] as const) {
        cases.push({ kind: "sampler", sampler: "random", n: 10, seed, gen: seed, batchSize, dropLast });
        cases.push({ kind: "sampler", sampler: "sequential", n: 10, seed, batchSize, dropLast });
      }
    }
    await compare(cases);
  });

  it("WeightedRandomSampler with and without replacement", async () => {
    const cases: Case[] = [];
    const weights = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6, 0, 2.5];
    for (const seed of [0, 1, 42]) {
      for (const replacement of [true, false]) {
        cases.push({ kind: "sampler", sampler: "weighted", weights, numSamples: 5, replacement, seed });
        cases.push({ kind: "sampler", sampler: "weighted", weights, numSamples: 7, replacement, seed, gen: seed + 10 });
        cases.push({ kind: "sampler", sampler: "weighted", weights, numSamples: 1, replacement, seed, gen: seed });
      }
      cases.push({ kind: "sampler", sampler: "weighted", weights, numSamples: 40, replacement: true, seed, gen: seed });
    }
    await compare(cases);
  });
});

describe("randomSplit", () => {
  it("lengths and fractions, with the global generator and a Generator, as Python splits", async () => {
    const cases: Case[] = [];
    for (const seed of [0, 5, 77]) {
      cases.push({ kind: "split", n: 10, lengths: [3, 7], seed });
      cases.push({ kind: "split", n: 10, lengths: [3, 7], seed, gen: 42 });
      cases.push({ kind: "split", n: 30, lengths: [0.3, 0.3, 0.4], seed, gen: seed });
      cases.push({ kind: "split", n: 11, lengths: [0.5, 0.25, 0.25], seed });
      cases.push({ kind: "split", n: 7, lengths: [0.1, 0.1, 0.8], seed, gen: seed + 1 });
    }
    await compare(cases);
  });
});

describe("DataLoader over user datasets", () => {
  it("a Dataset subclass: batch sizes, shuffle, dropLast, generator, batchSize null; the global RNG after equals Python's", async () => {
    const cases: Case[] = [];
    for (const seed of [0, 2, 31]) {
      cases.push({ kind: "loader", dataset: "squares", n: 7, seed });
      cases.push({ kind: "loader", dataset: "squares", n: 7, seed, batch_size: 3, shuffle: true, epochs: 2 });
      cases.push({ kind: "loader", dataset: "squares", n: 7, seed, batch_size: 3, shuffle: true, drop_last: true });
      cases.push({ kind: "loader", dataset: "squares", n: 9, seed, batch_size: 4, shuffle: true, gen: seed + 100, epochs: 2 });
      cases.push({ kind: "loader", dataset: "squares", n: 5, seed, batch_size: null, shuffle: true });
      cases.push({ kind: "loader", dataset: "tensor", n: 10, seed, batch_size: 4, shuffle: true });
      cases.push({ kind: "loader", dataset: "tensor", n: 10, seed, batch_size: 3, collate: "len", shuffle: true, drop_last: true });
      cases.push({ kind: "loader", dataset: "tensor", n: 6, seed, batch_size: 2, sampler: { sampler: "weighted", weights: [1, 2, 3, 0, 5, 1], numSamples: 8 } });
      cases.push({ kind: "loader", dataset: "tensor", n: 6, seed, sampler: { sampler: "random", n: 6, replacement: true, gen: seed } });
      cases.push({ kind: "loader", dataset: "tensor", n: 8, seed, batch_sampler: [3, false] });
    }
    await compare(cases);
    expect(torch.liveTensors()).toBe(baseline);
    // async getItem (directly and through a Subset): sample tensors are the GC's
    await compare([0, 3].flatMap((seed) => [
      { kind: "loader", dataset: "async_squares", n: 7, seed, batch_size: 3, shuffle: true, epochs: 2 },
      { kind: "loader", dataset: "subset_squares", n: 6, seed, batch_size: 4, shuffle: true, gen: seed },
      { kind: "loader", dataset: "async_squares", n: 4, seed, batch_size: null },
    ]));
  });

  it("an IterableDataset (sync and async iterators): batches, dropLast, batchSize null, collateFn", async () => {
    const cases: Case[] = [];
    for (const async of [false, true]) {
      cases.push({ kind: "loader", dataset: "count", async, n: 7, seed: 1 });
      cases.push({ kind: "loader", dataset: "count", async, n: 7, seed: 1, batch_size: 3 });
      cases.push({ kind: "loader", dataset: "count", async, n: 7, seed: 1, batch_size: 3, drop_last: true });
      cases.push({ kind: "loader", dataset: "count", async, n: 4, seed: 1, batch_size: null });
      cases.push({ kind: "loader", dataset: "count", async, n: 5, seed: 1, batch_size: 2, collate: "len", gen: 9 });
    }
    cases.push({ kind: "loader", dataset: "chain", async: true, n: 3, seed: 4, batch_size: 2 });
    cases.push({ kind: "loader", dataset: "chain", async: true, n: 3, seed: 4, batch_size: 4, drop_last: true });
    const before = torch.liveTensors();
    await compare(cases.filter((c) => !c.async));
    // Sample tensors of a sync iterator are freed once collated (an async one's are the GC's).
    expect(torch.liveTensors()).toBe(before);
    await compare(cases.filter((c) => c.async));
  });
});

describe("DataLoader over an image-pipeline dataset without a seed", () => {
  it("shuffles in Python's order from the global generator and leaves it as Python does", async () => {
    const cases: Case[] = [];
    for (const seed of [0, 9, 1234]) {
      cases.push({ kind: "loader", dataset: "index", n: 13, seed, batch_size: 4, shuffle: true, epochs: 2 });
      cases.push({ kind: "loader", dataset: "index", n: 13, seed, batch_size: 5, shuffle: true, drop_last: true });
    }
    const expected = await py.request<{ epochs: Enc[][]; after: number[] }[]>({ cmd: "run", cases });
    for (const [k, c] of cases.entries()) {
      torch.manualSeed(c.seed);
      // A plain {length, getItem(i, rng)} of [sample, label]: the image pipeline's protocol.
      const ds = { length: c.n, getItem: (i: number): [torch.data.ChwSample, number] => [{ data: Float32Array.of(i), shape: [1, 1, 1] }, i] };
      const loader = new data.DataLoader(ds, { batchSize: c.batch_size, shuffle: true, dropLast: c.drop_last ?? false });
      const epochs: Enc[][] = [];
      for (let e = 0; e < (c.epochs ?? 1); e++) {
        const labels: Enc[] = [];
        for await (const [x, y] of loader) {
          labels.push(enc(y));
          torch.dispose(x, y);
        }
        epochs.push(labels);
      }
      const after = torch.rand([3]);
      expect({ case: c, epochs, after: after.tolist() }).toEqual({ case: c, epochs: expected[k]!.epochs, after: expected[k]!.after });
      after.dispose();
    }
  });
});

describe("default_collate", () => {
  it("tensors, numbers, booleans, strings, typed arrays, arrays and objects collate as Python's", async () => {
    const t = (dtype: string, shape: number[], values: number[]) => ({ t: { dtype, shape, values } });
    const a = (dtype: string, values: number[]) => ({ a: { dtype, values } });
    const batches: Record<string, any>[][] = [
      [{ i: 1 }, { i: 2 }, { i: -7 }],
      [{ f: 1.5 }, { f: -0.25 }],
      [{ b: true }, { b: false }],
      [{ s: "a" }, { s: "bc" }],
      [t("float32", [2, 2], [1, 2, 3, 4]), t("float32", [2, 2], [5, 6, 7, 8])],
      [t("int64", [3], [1, 2, 3]), t("int64", [3], [4, 5, 6])],
      [a("float32", [1, 2, 3]), a("float32", [4, 5, 6])],
      [a("float64", [0.5]), a("float64", [1.5])],
      [a("uint8", [1, 255]), a("uint8", [0, 7])],
      [{ l: [t("float64", [2], [1, 2]), { i: 3 }] }, { l: [t("float64", [2], [3, 4]), { i: 4 }] }],
      [{ d: { img: t("float32", [1], [1]), label: { i: 0 }, meta: { d: { w: { f: 0.5 }, tag: { s: "x" } } } } },
        { d: { img: t("float32", [1], [2]), label: { i: 1 }, meta: { d: { w: { f: 1.5 }, tag: { s: "y" } } } } }],
      [{ l: [{ l: [{ i: 1 }, { i: 2 }] }, { s: "p" }] }, { l: [{ l: [{ i: 3 }, { i: 4 }] }, { s: "q" }] }],
    ];
    const before = torch.liveTensors();
    await compare(batches.map((samples) => ({ kind: "collate", samples })));
    expect(torch.liveTensors()).toBe(before);
  });

  it("collate errors name what is wrong", () => {
    expect(() => data.defaultCollate([[1, 2], [3]])).toThrow(/default_collate: each element in list of batch should be of equal size/);
    expect(() => data.defaultCollate([null, null])).toThrow(/default_collate: batch must contain tensors.*; found null/);
    expect(() => data.defaultCollate([{ a: 1 }, { b: 2 }])).toThrow(/default_collate: sample 1 has no key "a"/);
    expect(() => data.defaultCollate([1, "x"])).toThrow(/default_collate: sample 0 is a number but sample 1 is "x"/);
    expect(() => data.defaultCollate([])).toThrow(/default_collate: the batch is empty/);
    const a = torch.zeros([2]);
    const b = torch.zeros([3]);
    expect(() => data.defaultCollate([a, b])).toThrow(/stack expects each tensor to be equal size/);
    torch.dispose(a, b);
  });
});

describe("torch.Generator", () => {
  it("getState is Python's get_state bytes; setState replays; initialSeed", async () => {
    const seeds = [0, 1, 42, 2 ** 32 + 5, 123456789012];
    const py2 = await py.request<{ state: number[]; initial: string }[]>({ cmd: "run", cases: seeds.map((gen) => ({ kind: "state", gen, n: 700 })) });
    for (const [k, s] of seeds.entries()) {
      const g = new torch.Generator().manualSeed(s);
      expect(g.initialSeed()).toBe(BigInt(s));
      const before = g.getState();
      const first = torch.randperm(5); // the global generator is untouched by g
      first.dispose();
      randpermWith(700, g);
      expect(Array.from(g.getState())).toEqual(py2[k]!.state);
      expect(String(g.initialSeed())).toBe(py2[k]!.initial);
      const replay = new torch.Generator().setState(before);
      const again = new torch.Generator().setState(before);
      expect(randpermWith(50, replay)).toEqual(randpermWith(50, again));
    }
    expect(new torch.Generator().initialSeed()).toBe(67280421310721n);
  });
});

describe("bad arguments are clear errors", () => {
  it("samplers, randomSplit, DataLoader", () => {
    const ds = new Squares(4);
    expect(() => new data.RandomSampler(ds, "yes" as never)).toThrow(/RandomSampler: expected replacement to be a boolean/);
    expect(() => new data.RandomSampler(ds, false, 0)).toThrow(/RandomSampler: expected numSamples to be a positive integer, but received 0/);
    expect(() => new data.RandomSampler(new Squares(0))).toThrow(/RandomSampler: expected numSamples to be a positive integer/);
    expect(() => new data.RandomSampler(ds, { generator: 3 as never })).toThrow(/RandomSampler: expected generator to be a torch.Generator or null, but received 3/);
    expect(() => new data.RandomSampler(ds, { replacment: true } as never)).toThrow(/RandomSampler.*replacment/);
    expect(() => new data.WeightedRandomSampler([1, -1], 2)).toThrow(/WeightedRandomSampler: weights must be finite and non-negative/);
    expect(() => new data.WeightedRandomSampler([1, 0, 2], 3, false)).toThrow(/WeightedRandomSampler: cannot draw 3 samples without replacement from 2 categories/);
    expect(() => new data.WeightedRandomSampler([0, 0], 1)).toThrow(/WeightedRandomSampler: weights must have a positive sum/);
    expect(() => new data.WeightedRandomSampler([[1]] as never, 1)).toThrow(/WeightedRandomSampler: expected weights to be a 1d sequence/);
    expect(() => new data.WeightedRandomSampler([1], 1.5)).toThrow(/WeightedRandomSampler: expected numSamples to be a positive integer/);
    expect(() => new data.BatchSampler(new data.SequentialSampler(ds), 0, false)).toThrow(/BatchSampler: expected batchSize to be a positive integer, but received 0/);
    expect(() => new data.BatchSampler(new data.SequentialSampler(ds), 2, "no" as never)).toThrow(/BatchSampler: expected dropLast to be a boolean/);
    expect(() => new data.BatchSampler(5 as never, 2, false)).toThrow(/BatchSampler: expected sampler to be a Sampler or an iterable/);
    expect(() => data.randomSplit(ds, [1, 2])).toThrow(/randomSplit: Sum of input lengths \(1 \+ 2\) does not equal the length of the input dataset \(4\)/);
    expect(() => data.randomSplit(ds, [1.5, -0.5])).toThrow(/randomSplit: Fraction at index 0 is not between 0 and 1/);
    expect(() => data.randomSplit(ds, "ab" as never)).toThrow(/randomSplit: expected lengths to be a non-empty array/);
    expect(() => new data.TensorDataset(torch.zeros([2]), torch.zeros([3]))).toThrow(/TensorDataset: Size mismatch between tensors/);
    expect(() => new data.ConcatDataset([])).toThrow(/ConcatDataset: datasets should not be an empty iterable/);
    expect(() => new data.ConcatDataset([new Count(2) as never])).toThrow(/ConcatDataset does not support IterableDataset/);
    const smp = new data.SequentialSampler(ds);
    expect(() => new data.DataLoader(ds, { sampler: smp, shuffle: true })).toThrow(/DataLoader: sampler option is mutually exclusive with shuffle/);
    expect(() => new data.DataLoader(ds, { batchSampler: new data.BatchSampler(smp, 2, false), batchSize: 2 })).toThrow(/DataLoader: batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast/);
    expect(() => new data.DataLoader(ds, { batchSize: null, dropLast: true })).toThrow(/DataLoader: batchSize: null disables auto-batching and is mutually exclusive with dropLast/);
    expect(() => new data.DataLoader(new Count(3), { shuffle: true })).toThrow(/DataLoader with IterableDataset: expected unspecified shuffle option/);
    expect(() => new data.DataLoader(new Count(3), { sampler: smp })).toThrow(/DataLoader with IterableDataset: expected unspecified sampler option/);
    expect(() => new data.DataLoader(ds, { collateFn: 3 as never })).toThrow(/DataLoader: expected collateFn to be a function/);
    expect(() => new data.DataLoader(ds, { generator: {} as never })).toThrow(/DataLoader: expected generator to be a torch.Generator or null/);
    expect(() => new data.DataLoader(ds, { numWorkers: 2 })).toThrow(/DataLoader: numWorkers > 0 needs a dataset workers can rebuild/);
    expect(() => new data.DataLoader(ds, { timeout: 5 })).toThrow(/DataLoader: expected timeout to be 0/);
    expect(() => new data.DataLoader(ds, { seed: 1, generator: new torch.Generator() })).toThrow(/DataLoader: seed orders the default samplers/);
    expect(() => new torch.Generator().manualSeed(1.5)).toThrow(/Generator.manualSeed: expected seed to be an integer/);
    expect(() => new torch.Generator().setState(new Uint8Array(10))).toThrow(/Generator.setState: expected state to be the 5056 bytes/);
    expect(() => ds.getItem(9)).not.toThrow(); // a user dataset decides its own indices
    const td = new data.TensorDataset(torch.zeros([2]));
    expect(() => td.getItem(2)).toThrow(/TensorDataset: index 2 out of range for a dataset of length 2/);
    torch.dispose(td.tensors);
  });

  it("positional arguments follow Python's order", async () => {
    torch.manualSeed(4);
    const g = new torch.Generator().manualSeed(8);
    const a = [...new data.RandomSampler({ length: 6 }, false, 4, g)];
    const b = [...new data.RandomSampler({ length: 6 }, { numSamples: 4, generator: new torch.Generator().manualSeed(8) })];
    expect(a).toEqual(b);
    const ds = new Squares(5);
    const loader = new data.DataLoader(ds, 2, false, null, null, 0, (batch: unknown[]) => batch.length);
    const sizes: unknown[] = [];
    for await (const s of loader) sizes.push(s);
    expect(sizes).toEqual([2, 2, 1]);
    const c = new data.ConcatDataset([ds, new Squares(2)]);
    expect(c.length).toBe(7);
    expect(c.cumulativeSizes).toEqual([5, 7]);
    const item = c.getItem(6) as { y: number; x: Tensor };
    expect(item.y).toBe(1);
    item.x.dispose();
    const d = ds.concat(new Squares(1));
    expect(d).toBeInstanceOf(data.ConcatDataset);
    expect(d.length).toBe(6);
  });
});
