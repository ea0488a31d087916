// torch.optim.swa_utils against PyTorch 1.13: AveragedModel's running average (parameters
// only, and with buffers) has Python's state dict (n_averaged, then the `module.` keys) bit for
// bit, updateBn recomputes the BatchNorm statistics as Python's update_bn, and SWALR anneals
// (cos and linear) to Python's learning rates.
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { runReference } from "./reference/python.js";
import { expectExact, floatSpec, fromEncoded, fromSpec, prng, type Encoded } from "./reference/nn_common.js";

const { nn, optim } = torch;
const { AveragedModel, SWALR, updateBn } = optim.swa_utils;
const rnd = prng(5);
const x = floatSpec(rnd, [6, 4]);
const batches = [floatSpec(rnd, [5, 4]), floatSpec(rnd, [7, 4]), floatSpec(rnd, [3, 4])];
const ROUNDS = 6;
const swalr = [
  { python: { swa_lr: 0.05, anneal_epochs: 5 }, steps: 12 },
  { python: { swa_lr: [0.01, 0.3], anneal_epochs: 4, anneal_strategy: "linear" }, steps: 10 },
  { python: { swa_lr: 0.02, anneal_epochs: 0 }, steps: 4 },
];
type Entries = [string, Encoded][];
interface Ref {
  initial: Entries; params: Entries; params_bn: Entries; buffers: Entries; buffers_bn: Entries; params_training: boolean;
  swalr: { lrs: number[][]; state: [string, unknown][] }[];
}
let ref: Ref;
beforeAll(() => {
  ref = runReference<Ref>("optim_swa.py", { seed: 3, x, batches, rounds: ROUNDS, swalr });
});

const build = () => new nn.Sequential(new nn.Linear(4, 8), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Linear(8, 2));
function expectStateDict(m: torch.nn.Module, want: Entries, what: string): void {
  const sd = m.stateDict();
  expect([...sd.keys()], `${what}: keys`).toEqual(want.map(([k]) => k));
  for (const [k, v] of want) expectExact(sd.get(k), v, `${what}: ${k}`);
}

describe("AveragedModel and updateBn", () => {
  it.each([[false], [true]])("useBuffers %s", (useBuffers) => {
    const m = build();
    m.loadStateDict(new Map(ref.initial.map(([k, e]) => [k, fromEncoded(e)])));
    const avg = new AveragedModel(m, { useBuffers, copy: build() });
    const opt = new optim.SGD(m.parameters(), 0.1);
    const input = fromSpec(x);
    for (let r = 0; r < ROUNDS; r++) {
      opt.zeroGrad();
      torch.tidy(() => (m.call(input) as torch.Tensor).pow(2).mean().backward());
      opt.step();
      avg.updateParameters(m);
    }
    const key = useBuffers ? "buffers" : "params";
    expectStateDict(avg, ref[key], "averaged");
    expect(Number(avg.nAveraged.item())).toBe(ROUNDS);
    const result = updateBn(batches.map((b) => fromSpec(b)), avg);
    expect(result).toBeUndefined();
    expectStateDict(avg, ref[`${key}_bn`], "after updateBn");
    expect(avg.training).toBe(ref.params_training);
    // The BatchNorm's momentum is restored after the pass.
    expect((avg.module.get(1) as torch.nn.BatchNorm1d).momentum).toBe(0.1);
  });

  it("refuses a model it cannot deep-copy, naming it and the way out", () => {
    expect(() => new AveragedModel(build())).toThrow(/AveragedModel: cannot deep-copy Sequential/);
    expect(() => new AveragedModel(build(), { copy: new nn.Linear(2, 2) })).toThrow(/AveragedModel: expected copy to be a Sequential/);
  });
});

describe("SWALR", () => {
  it.each(swalr.map((c, i) => [JSON.stringify(c.python), i] as const))("%s", (_name, i) => {
    const c = swalr[i]!;
    const opt = new optim.SGD([{ params: [torch.zeros(2, { requiresGrad: true })], lr: 0.1 }, { params: [torch.zeros(1, { requiresGrad: true })], lr: 0.2 }], { lr: 0.1 });
    const o = Object.fromEntries(Object.entries(c.python).map(([k, v]) => [k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase()), v]));
    const sched = new SWALR(opt, o as never);
    const lrs: number[][] = [];
    for (let k = 0; k < c.steps; k++) {
      lrs.push(opt.paramGroups.map((g) => g.lr));
      opt.step();
      sched.step();
    }
    expect(lrs).toEqual(ref.swalr[i]!.lrs);
    const sd = sched.stateDict();
    expect([...sd.keys()]).toEqual(ref.swalr[i]!.state.map(([k]) => k));
    expect(Object.fromEntries(sd)).toEqual(Object.fromEntries(ref.swalr[i]!.state));
  });
});
