// Optimizers and LR schedulers against torch.optim: the same regression trained for 20 steps
// from the same weights ends at the same parameters, with the same state dict.
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { runReference } from "./reference/python.js";

const { nn, optim } = torch;
const F = nn.functional;

const prng = torch.vision.transforms.mulberry32;
const rand = prng(7);
const spec = (shape: number[]) => ({ shape, data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.fround(rand() * 2 - 1)) });
const inputs = { w: spec([3, 5]), b: spec([3]), x: spec([8, 5]), y: spec([8, 3]) };
const STEPS = 20;

type Case = { name: string; kind: "Adam" | "AdamW" | "SGD"; ts: Record<string, unknown>; python: Record<string, unknown> };
const cases: Case[] = [
  { name: "Adam defaults", kind: "Adam", ts: {}, python: {} },
  { name: "Adam lr, betas, eps, weight decay", kind: "Adam", ts: { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 }, python: { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weight_decay: 0.1 } },
  { name: "Adam amsgrad", kind: "Adam", ts: { lr: 0.02, amsgrad: true }, python: { lr: 0.02, amsgrad: true } },
  { name: "Adam maximize", kind: "Adam", ts: { lr: 0.01, maximize: true }, python: { lr: 0.01, maximize: true } },
  { name: "AdamW defaults", kind: "AdamW", ts: {}, python: {} },
  { name: "AdamW amsgrad, weight decay", kind: "AdamW", ts: { lr: 0.01, weightDecay: 0.5, amsgrad: true }, python: { lr: 0.01, weight_decay: 0.5, amsgrad: true } },
  // foreach: PyTorch's _multi_tensor_adam(w) sequence (its default on CUDA), on the CPU here.
  { name: "Adam foreach, weight decay, amsgrad", kind: "Adam", ts: { lr: 0.01, weightDecay: 0.1, amsgrad: true, foreach: true }, python: { lr: 0.01, weight_decay: 0.1, amsgrad: true, foreach: true } },
  { name: "Adam foreach maximize", kind: "Adam", ts: { lr: 0.01, maximize: true, foreach: true }, python: { lr: 0.01, maximize: true, foreach: true } },
  { name: "AdamW foreach, weight decay", kind: "AdamW", ts: { lr: 0.01, weightDecay: 0.5, foreach: true }, python: { lr: 0.01, weight_decay: 0.5, foreach: true } },
  { name: "Adam foreach: false", kind: "Adam", ts: { lr: 0.01, foreach: false }, python: { lr: 0.01, foreach: false } },
  { name: "SGD plain", kind: "SGD", ts: { lr: 0.1 }, python: { lr: 0.1 } },
  { name: "SGD momentum, dampening, weight decay", kind: "SGD", ts: { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }, python: { lr: 0.05, momentum: 0.9, dampening: 0.1, weight_decay: 0.01 } },
  { name: "SGD Nesterov", kind: "SGD", ts: { lr: 0.05, momentum: 0.9, nesterov: true }, python: { lr: 0.05, momentum: 0.9, nesterov: true } },
];

type SchedCase = { name: string; kind: string; optimizer: "Adam" | "SGD"; optimizerOptions: Record<string, unknown>; ts: Record<string, unknown>; python: Record<string, unknown>; steps: number };
const schedules: SchedCase[] = [
  { name: "StepLR", kind: "StepLR", optimizer: "SGD", optimizerOptions: { lr: 0.1 }, ts: { stepSize: 3, gamma: 0.5 }, python: { step_size: 3, gamma: 0.5 }, steps: 12 },
  { name: "MultiStepLR", kind: "MultiStepLR", optimizer: "SGD", optimizerOptions: { lr: 0.1 }, ts: { milestones: [2, 5, 5, 9] }, python: { milestones: [2, 5, 5, 9] }, steps: 12 },
  { name: "CosineAnnealingLR past T_max", kind: "CosineAnnealingLR", optimizer: "Adam", optimizerOptions: { lr: 0.01 }, ts: { tMax: 5, etaMin: 0.001 }, python: { T_max: 5, eta_min: 0.001 }, steps: 16 },
  { name: "OneCycleLR with Adam betas", kind: "OneCycleLR", optimizer: "Adam", optimizerOptions: { lr: 0.01 }, ts: { maxLr: 0.1, totalSteps: 20 }, python: { max_lr: 0.1, total_steps: 20 }, steps: 20 },
  { name: "OneCycleLR SGD linear three-phase", kind: "OneCycleLR", optimizer: "SGD", optimizerOptions: { lr: 0.01, momentum: 0.9 }, ts: { maxLr: 0.2, epochs: 3, stepsPerEpoch: 5, annealStrategy: "linear", threePhase: true }, python: { max_lr: 0.2, epochs: 3, steps_per_epoch: 5, anneal_strategy: "linear", three_phase: true }, steps: 15 },
];

interface Dumped { shape: number[]; dtype: string; data: number[] }
interface Ref {
  runs: { w: Dumped; b: Dumped; state: Record<string, Record<string, Dumped | null>>; param_groups: Record<string, unknown>[] }[];
  schedules: { lrs: number[]; momentums: number[] }[];
}
let ref: Ref;
beforeAll(() => {
  ref = runReference<Ref>("optim.py", {
    ...inputs, steps: STEPS,
    optim: cases.map((c) => ({ kind: c.kind, python: c.python })),
    schedules: schedules.map((s) => ({ kind: s.kind, optimizer: s.optimizer, optimizerOptions: s.optimizerOptions, python: s.python, steps: s.steps })),
  });
});

const t = (s: { shape: number[]; data: number[] }) => torch.tensor(Float32Array.from(s.data), { shape: s.shape });

function expectClose(actual: torch.Tensor, expected: Dumped, rel = 1e-6, abs = 1e-7): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.dtype).toBe(expected.dtype);
  const a = Array.from(actual.toTypedArray() as Float32Array);
  a.forEach((v, i) => expect(Math.abs(v - expected.data[i]!)).toBeLessThanOrEqual(rel * Math.abs(expected.data[i]!) + abs));
}

describe("optimizers match torch.optim over 20 steps", () => {
  it.each(cases.map((c, i) => [c.name, i] as const))("%s", (_name, i) => {
    const c = cases[i]!;
    const w = t(inputs.w).requiresGrad_();
    const b = t(inputs.b).requiresGrad_();
    const x = t(inputs.x);
    const y = t(inputs.y);
    const opt = c.kind === "SGD" ? new optim.SGD([w, b], c.ts as unknown as torch.optim.SGDOptions) : new optim[c.kind]([w, b], c.ts);
    const before = torch.liveTensors();
    for (let step = 0; step < STEPS; step++) {
      opt.zeroGrad();
      torch.tidy(() => F.mseLoss(x.matmul(w.t()).add(b).tanh(), y).backward());
      opt.step();
    }
    const r = ref.runs[i]!;
    // Every update runs PyTorch's single-tensor op sequence (lib/optim/*.ts): bit for bit equal.
    const [rel, abs] = [0, 0];
    expectClose(w, r.w, rel, abs);
    expectClose(b, r.b, rel, abs);
    // Optimizer state and parameter groups in PyTorch's layout.
    const sd = opt.stateDict();
    expect([...sd.state.keys()].map(String)).toEqual(Object.keys(r.state));
    for (const [idx, s] of sd.state) {
      const want = r.state[String(idx)]!;
      expect([...s.keys()]).toEqual(Object.keys(want));
      for (const [k, v] of s) {
        if (v instanceof torch.Tensor) expectClose(v, want[k] as Dumped, rel, abs);
        else expect(v).toEqual(want[k]);
      }
    }
    const groups = sd.param_groups.map((g) => Object.fromEntries(g));
    expect(groups.map((g) => Object.keys(g))).toEqual(r.param_groups.map((g) => Object.keys(g)));
    expect(groups).toEqual(r.param_groups);
    // The loop kept only the optimizer's state and the grads alive.
    expect(torch.liveTensors() - before).toBeLessThanOrEqual(0 + [...opt.state.values()].reduce((n, s) => n + s.size, 0));
  });
});

describe("Adam foreach", () => {
  it("groups a mixed float32/float64 group by dtype, as Python does, and equals the per-parameter path bit for bit", () => {
    const run = (foreach: boolean) => {
      const w = t(inputs.w).requiresGrad_();
      const b = t(inputs.b).to({ dtype: "float64" }).requiresGrad_();
      const opt = new optim.AdamW([w, b], { lr: 0.01, weightDecay: 0.1, amsgrad: true, foreach });
      for (let step = 0; step < 5; step++) {
        opt.zeroGrad();
        torch.tidy(() => x0().matmul(w.t()).add(b.to({ dtype: "float32" })).tanh().sum().backward());
        opt.step();
      }
      const out = [w.toTypedArray(), b.toTypedArray(), b.dtype] as const;
      torch.dispose(w, b, [...opt.state.values()]);
      return out;
    };
    const x0 = () => t(inputs.x);
    const [perParam, foreach] = [run(false), run(true)];
    expect(foreach[2]).toBe("float64");
    expect(foreach).toEqual(perParam);
  });
});

describe("optimizer state dicts", () => {
  it("loadStateDict resumes exactly: 10 + 10 steps equal 20 steps", () => {
    const run = (split: boolean) => {
      const w = t(inputs.w).requiresGrad_();
      const b = t(inputs.b).requiresGrad_();
      const x = t(inputs.x);
      const y = t(inputs.y);
      let opt = new optim.Adam([w, b], { lr: 0.01, amsgrad: true });
      for (let step = 0; step < STEPS; step++) {
        if (split && step === STEPS / 2) {
          const saved = opt.stateDict();
          opt = new optim.Adam([w, b], { lr: 0.5 });
          opt.loadStateDict(saved);
        }
        opt.zeroGrad();
        torch.tidy(() => F.mseLoss(x.matmul(w.t()).add(b).tanh(), y).backward());
        opt.step();
      }
      return [w.tolist(), b.tolist()];
    };
    expect(run(true)).toEqual(run(false));
  });

  it("refuses a state dict whose groups do not match", () => {
    const w = t(inputs.w).requiresGrad_();
    const opt = new optim.Adam([w]);
    const other = new optim.Adam([w, t(inputs.b).requiresGrad_()]);
    expect(() => opt.loadStateDict(other.stateDict())).toThrow(/doesn't match the size/);
  });
});

describe("learning-rate schedulers match torch.optim.lr_scheduler", () => {
  it.each(schedules.map((s, i) => [s.name, i] as const))("%s", (_name, i) => {
    const s = schedules[i]!;
    const p = torch.zeros(1, { requiresGrad: true });
    const opt = s.optimizer === "SGD" ? new optim.SGD([p], s.optimizerOptions as unknown as torch.optim.SGDOptions) : new optim.Adam([p], s.optimizerOptions);
    const Sched = optim.lr_scheduler[s.kind as "StepLR"] as unknown as new (o: unknown, opts: unknown) => torch.optim.LRScheduler;
    const sched = new Sched(opt, s.ts);
    const lrs: number[] = [];
    const moms: (number | undefined)[] = [];
    for (let k = 0; k < s.steps; k++) {
      const g = opt.paramGroups[0] as Record<string, unknown>;
      lrs.push(g.lr as number);
      moms.push(Array.isArray(g.betas) ? (g.betas as number[])[0] : (g.momentum as number | undefined));
      opt.step();
      sched.step();
    }
    const want = ref.schedules[i]!;
    lrs.forEach((lr, k) => expect(lr).toBeCloseTo(want.lrs[k]!, 14));
    moms.forEach((m, k) => expect(m).toBeCloseTo(want.momentums[k]!, 14));
  });
});
