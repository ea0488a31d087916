// data.DistributedSampler against Debian's PyTorch (test/reference/data_distributed_sampler.py):
// every rank's indices after set_epoch for a grid of (n, numReplicas, rank, shuffle, seed, epoch,
// dropLast), DataLoader batches with the sampler, and the errors Python raises for bad ranks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { setRankAndWorldSize } from "../lib/distributed/state.js";
import { ReferenceSession } from "./reference/session.js";

const { data } = torch;
type Case = Record<string, any>;
type Orders = { len: number; num_samples: number; total_size: number; orders: number[][][] };

let py: ReferenceSession;
beforeAll(() => {
  py = new ReferenceSession("data_distributed_sampler.py");
});
afterAll(() => py.close());

/** Seeds past 2^53 travel as decimal strings, and are bigints here. */
const seedOf = (v: number | string): number | bigint => (typeof v === "string" ? BigInt(v) : v);
const U64_MAX = ((1n << 64n) - 1n).toString();
const I64_MIN = (-(1n << 63n)).toString();

/** The sampler a case describes, over `{ length: n }` (Python: `range(n)`). */
function make(c: Case): torch.data.DistributedSampler {
  const o: Record<string, unknown> = {};
  if ("num_replicas" in c) o.numReplicas = c.num_replicas;
  if ("rank" in c) o.rank = c.rank;
  if ("shuffle" in c) o.shuffle = c.shuffle;
  if ("seed" in c) o.seed = seedOf(c.seed);
  if ("drop_last" in c) o.dropLast = c.drop_last;
  return new data.DistributedSampler({ length: c.n }, o);
}

function orders(c: Case): Orders {
  const s = make(c);
  const out: number[][][] = [];
  for (const e of c.epochs) {
    s.setEpoch(seedOf(e));
    out.push([[...s], [...s]]);
  }
  return { len: s.length, num_samples: s.numSamples, total_size: s.totalSize, orders: out };
}

/** The grid: sizes around multiples of the world size, every rank class, both modes. */
function grid(): Case[] {
  const cases: Case[] = [];
  const ns = [0, 1, 2, 3, 5, 7, 8, 10, 13, 31, 64, 100];
  const worlds = [1, 2, 3, 4, 5, 8, 16];
  const seeds: (number | string)[] = [0, 7, -5, 123456789];
  for (const n of ns) {
    for (const r of worlds) {
      for (const rank of [...new Set([0, r >> 1, r - 1])]) {
        for (const dropLast of [false, true]) {
          cases.push({ n, num_replicas: r, rank, shuffle: false, drop_last: dropLast, epochs: [0, 2] });
          // One seed per (n, r, rank, dropLast), cycling, keeps the grid small but covers them all.
          const seed = seeds[(n + r + rank + (dropLast ? 1 : 0)) % seeds.length]!;
          cases.push({ n, num_replicas: r, rank, shuffle: true, seed, drop_last: dropLast, epochs: [0, 1, 3] });
        }
      }
    }
  }
  // Defaults (shuffle on, seed 0, no dropLast) and 64-bit seeds at the ends of manual_seed's range.
  cases.push({ n: 9, num_replicas: 2, rank: 1, epochs: [0, 5] });
  cases.push({ n: 50, num_replicas: 3, rank: 2, shuffle: true, seed: U64_MAX, drop_last: false, epochs: [0, -7] });
  cases.push({ n: 50, num_replicas: 4, rank: 0, shuffle: true, seed: I64_MIN, drop_last: true, epochs: [0, 9] });
  cases.push({ n: 20, num_replicas: 2, rank: 0, shuffle: true, seed: 2 ** 40, drop_last: false, epochs: [2 ** 40, -(2 ** 40)] });
  // Far more replicas than samples: padding repeats the indices several times over.
  cases.push({ n: 3, num_replicas: 11, rank: 10, shuffle: true, seed: 4, drop_last: false, epochs: [0, 1] });
  cases.push({ n: 2, num_replicas: 7, rank: 6, shuffle: false, drop_last: false, epochs: [0] });
  return cases;
}

describe("DistributedSampler: indices equal Python's", () => {
  it("for a grid of sizes, world sizes, ranks, shuffle, seeds, epochs and dropLast", async () => {
    const cases = grid();
    expect(cases.length).toBeGreaterThan(800);
    const expected = await py.request<Orders[]>({ cmd: "orders", cases });
    expect(expected).toHaveLength(cases.length);
    for (const [k, c] of cases.entries()) expect({ case: c, ...orders(c) }).toEqual({ case: c, ...expected[k] });
  });

  it("the ranks of one world split the padded (or cut) permutation between them", async () => {
    // Python's own invariant, checked on Python's numbers and ours: every rank the same length,
    // together each dataset index at least once (dropLast: at most once).
    const r = 4;
    for (const [n, dropLast] of [[10, false], [10, true], [3, false], [16, true]] as const) {
      const cases = Array.from({ length: r }, (_, rank) => ({ n, num_replicas: r, rank, shuffle: true, seed: 11, drop_last: dropLast, epochs: [1] }));
      const expected = await py.request<Orders[]>({ cmd: "orders", cases });
      const ours = cases.map((c) => orders(c).orders[0]![0]!);
      expect(ours).toEqual(expected.map((e) => e.orders[0]![0]));
      const all = ours.flat();
      expect(new Set(ours.map((x) => x.length)).size).toBe(1);
      if (dropLast) expect(new Set(all).size).toBe(all.length);
      else expect(new Set(all).size).toBe(n);
    }
  });

  it("positional arguments follow Python's order (num_replicas, rank, shuffle, seed, drop_last)", () => {
    const ds = { length: 23 };
    const a = new data.DistributedSampler(ds, 4, 1, true, 5, true);
    const b = new data.DistributedSampler(ds, 4, 1, { shuffle: true, seed: 5, dropLast: true });
    const c = new data.DistributedSampler(ds, { numReplicas: 4, rank: 1, shuffle: true, seed: 5, dropLast: true });
    for (const s of [a, b, c]) s.setEpoch(3);
    expect([...a]).toEqual([...c]);
    expect([...b]).toEqual([...c]);
    expect(a.length).toBe(5);
  });

  it("numReplicas and rank default to the process group's, once one is initialized", async () => {
    const [expected] = await py.request<Orders[]>({ cmd: "orders", cases: [{ n: 17, num_replicas: 3, rank: 1, epochs: [0, 4] }] });
    setRankAndWorldSize([1, 3]);
    try {
      expect(orders({ n: 17, epochs: [0, 4] })).toEqual(expected);
      // Either one given overrides the group's.
      const s = new data.DistributedSampler({ length: 17 }, { rank: 2 });
      expect([s.numReplicas, s.rank]).toEqual([3, 2]);
    } finally {
      setRankAndWorldSize(null);
    }
  });
});

class Range extends data.Dataset<number> {
  constructor(readonly n: number) {
    super();
  }
  get length() {
    return this.n;
  }
  getItem(i: number) {
    return i;
  }
}

describe("DistributedSampler in a DataLoader", () => {
  it("yields Python's batches epoch after epoch with setEpoch, and Python's len(loader)", async () => {
    const cases: Case[] = [];
    for (const n of [7, 10, 13]) {
      for (const rank of [0, 1, 2]) {
        for (const [shuffle, dropLast, batchSize, loaderDropLast] of [[true, false, 2, false], [true, true, 4, false], [false, false, 3, true], [true, false, 4, true]] as const) {
          cases.push({ n, num_replicas: 3, rank, shuffle, seed: n, drop_last: dropLast, batch_size: batchSize, loader_drop_last: loaderDropLast, epochs: [0, 1, 2] });
        }
      }
    }
    const expected = await py.request<{ len: number; epochs: { dtype: string; values: number[] }[][] }[]>({ cmd: "loader", cases });
    for (const [k, c] of cases.entries()) {
      const s = make(c);
      const loader = new data.DataLoader(new Range(c.n), { batchSize: c.batch_size, sampler: s, dropLast: c.loader_drop_last });
      const epochs: { dtype: string; values: number[] }[][] = [];
      for (const e of c.epochs) {
        s.setEpoch(e);
        const batches: { dtype: string; values: number[] }[] = [];
        for await (const b of loader) {
          const t = b as unknown as torch.Tensor;
          batches.push({ dtype: t.dtype, values: Array.from(t.toTypedArray() as BigInt64Array, Number) });
          t.dispose();
        }
        epochs.push(batches);
      }
      expect({ case: c, len: loader.length, epochs }).toEqual({ case: c, ...expected[k] });
    }
  });
});

type Err = { at: "construct" | "iterate" | null; type?: string; message?: string };

/** Where ours throws, and what. */
function ourError(c: Case): { at: Err["at"]; error?: Error } {
  let s: torch.data.DistributedSampler;
  try {
    s = make(c);
  } catch (error) {
    return { at: "construct", error: error as Error };
  }
  try {
    if ("epoch" in c) s.setEpoch(seedOf(c.epoch));
    [...s];
  } catch (error) {
    return { at: "iterate", error: error as Error };
  }
  return { at: null };
}

describe("DistributedSampler: bad arguments", () => {
  it("a bad rank is Python's ValueError message (a RangeError), raised where Python raises it", async () => {
    const cases = [
      { n: 5, num_replicas: 2, rank: 2 },
      { n: 5, num_replicas: 2, rank: -1 },
      { n: 5, num_replicas: 0, rank: 0 },
      { n: 5, num_replicas: -1, rank: 0 },
      { n: 0, num_replicas: 1, rank: 3 },
    ];
    const expected = await py.request<Err[]>({ cmd: "error", cases });
    for (const [k, c] of cases.entries()) {
      expect(expected[k]).toMatchObject({ at: "construct", type: "ValueError" });
      const got = ourError(c);
      expect(got.at).toBe("construct");
      expect(got.error).toBeInstanceOf(RangeError);
      expect(got.error!.message).toBe(`DistributedSampler: ${expected[k]!.message}`);
    }
  });

  it("without numReplicas or rank and no process group: Python's RuntimeError, as a TorchError", async () => {
    const cases = [{ n: 5 }, { n: 5, num_replicas: 2 }, { n: 5, rank: 0 }];
    const expected = await py.request<Err[]>({ cmd: "error", cases });
    for (const [k, c] of cases.entries()) {
      expect(expected[k]).toMatchObject({ at: "construct", type: "RuntimeError" });
      expect(expected[k]!.message).toMatch(/^Default process group has not been initialized, please make sure to call init_process_group/);
      const got = ourError(c);
      expect(got.at).toBe("construct");
      expect(got.error).toBeInstanceOf(torch.TorchError);
      expect(got.error!.message).toMatch(/^DistributedSampler: (numReplicas|rank) was not given and the default process group has not been initialized, please make sure to call initProcessGroup \(or pass numReplicas and rank\)$/);
    }
  });

  it("seed + epoch past manual_seed's range fails when iterating, as in Python", async () => {
    const cases = [
      { n: 5, num_replicas: 1, rank: 0, seed: U64_MAX, epoch: 1 },
      { n: 5, num_replicas: 1, rank: 0, seed: I64_MIN, epoch: -1 },
      { n: 5, num_replicas: 1, rank: 0, seed: U64_MAX, epoch: 0 },
      { n: 5, num_replicas: 1, rank: 0, shuffle: false, seed: U64_MAX, epoch: 1 },
    ];
    const expected = await py.request<Err[]>({ cmd: "error", cases });
    expect(expected.map((e) => e.at)).toEqual(["iterate", "iterate", null, null]);
    expect(expected[0]).toMatchObject({ type: "RuntimeError", message: "Overflow when unpacking long" });
    for (const [k, c] of cases.entries()) {
      const got = ourError(c);
      expect(got.at).toBe(expected[k]!.at);
      if (got.at !== null) {
        expect(got.error).toBeInstanceOf(torch.TorchError);
        expect(got.error!.message).toMatch(/^DistributedSampler: seed \+ epoch = -?\d+ is outside a generator seed's range \[-2\^63, 2\^64\)$/);
      }
    }
  });

  it("wrong types are TypeErrors naming the argument", () => {
    const ds = { length: 4 };
    const bad: [() => unknown, RegExp][] = [
      [() => new data.DistributedSampler(5 as never, 2, 0), /DistributedSampler: expected dataset to be a dataset \(or array\) with a length, but received 5/],
      [() => new data.DistributedSampler({ length: -1 }, 2, 0), /expected dataset to be a dataset \(or array\) with a length, but received an object/],
      [() => new data.DistributedSampler(ds, 1.5, 0), /DistributedSampler: expected numReplicas to be an integer, but received 1\.5/],
      [() => new data.DistributedSampler(ds, 2, "0" as never), /DistributedSampler: expected rank to be an integer, but received "0"/],
      [() => new data.DistributedSampler(ds, 2, 0, 1 as never), /DistributedSampler: expected shuffle to be a boolean, but received 1/],
      [() => new data.DistributedSampler(ds, 2, 0, true, 0.5), /DistributedSampler: expected seed to be an integer \(a number or a bigint\), but received 0\.5/],
      [() => new data.DistributedSampler(ds, 2, 0, true, 0, "no" as never), /DistributedSampler: expected dropLast to be a boolean, but received "no"/],
      [() => new data.DistributedSampler(ds, { numReplicas: 2, rank: 0, drop_last: true } as never), /DistributedSampler: unknown option "drop_last" \(did you mean "dropLast"\?\)/],
      [() => new data.DistributedSampler(ds, 2, 0, true, 0, false, 1 as never), /DistributedSampler: expected at most 6 positional arguments/],
      [() => new data.DistributedSampler(ds, 2, 0).setEpoch("1" as never), /DistributedSampler\.setEpoch: expected epoch to be an integer \(a number or a bigint\), but received "1"/],
    ];
    for (const [call, message] of bad) {
      expect(call).toThrow(TypeError);
      expect(call).toThrow(message);
    }
  });

  it("a dataset whose length changed to one Python's asserts refuse is a clear TorchError", () => {
    const ds = { length: 10 };
    const s = new data.DistributedSampler(ds, 3, 0, false);
    ds.length = 11; // ceil(11 / 3) is still 4: Python pads as before
    expect([...s]).toEqual([0, 3, 6, 9]);
    ds.length = 13;
    expect(() => [...s]).toThrow(torch.TorchError);
    expect(() => [...s]).toThrow(/DistributedSampler: the dataset's length is now 13, which does not fit the 12 indices \(4 per replica\) it was made for/);
    ds.length = 0;
    expect(() => [...s]).toThrow(/the dataset's length is now 0/);
  });
});
