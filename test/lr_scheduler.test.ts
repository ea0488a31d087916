// Every torch.optim.lr_scheduler of PyTorch 1.13 against Python: the learning rates (and the
// momentum CyclicLR / OneCycleLR cycle) of 50 steps over two param groups are Python's, bit
// for bit; the state dict has Python's keys, order and values; and state dicts cross both ways
// (as JSON, and as torch.save files where Python can pickle them), resuming to Python's next
// 10 steps.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { ReferenceSession } from "./reference/session.js";

const { optim } = torch;
const L = optim.lr_scheduler;
const STEPS = 50;
const MORE = 10;

interface SchedSpec { kind: string; python?: Record<string, unknown>; lambda?: string; scaleFn?: string; children?: SchedSpec[] }
interface Case { name: string; optimizer: "SGD" | "Adam"; scheduler: SchedSpec; metrics?: number[]; epochs?: number[]; save?: boolean }

const plateau = Array.from({ length: STEPS + MORE }, (_, k) => (k < 10 ? 1 - k * 0.05 : k < 30 ? 0.5 + 0.001 * (k % 4) : 0.45 - 0.002 * k));
const rising = Array.from({ length: STEPS + MORE }, (_, k) => Math.min(k, 12) * 0.1 + (k % 5 === 0 ? 0.01 : 0));
const cases: Case[] = [
  { name: "LambdaLR", optimizer: "SGD", scheduler: { kind: "LambdaLR", lambda: "inv" }, save: true },
  { name: "MultiplicativeLR", optimizer: "Adam", scheduler: { kind: "MultiplicativeLR", lambda: "third" } },
  { name: "StepLR", optimizer: "SGD", scheduler: { kind: "StepLR", python: { step_size: 7, gamma: 0.5 } }, save: true },
  { name: "MultiStepLR (a repeated milestone)", optimizer: "SGD", scheduler: { kind: "MultiStepLR", python: { milestones: [5, 15, 15, 30], gamma: 0.3 } } },
  { name: "ConstantLR", optimizer: "Adam", scheduler: { kind: "ConstantLR", python: { factor: 0.25, total_iters: 8 } }, save: true },
  { name: "LinearLR", optimizer: "SGD", scheduler: { kind: "LinearLR", python: { start_factor: 0.2, end_factor: 0.9, total_iters: 20 } } },
  { name: "ExponentialLR", optimizer: "SGD", scheduler: { kind: "ExponentialLR", python: { gamma: 0.93 } } },
  { name: "SequentialLR constant then exponential", optimizer: "SGD", save: true,
    scheduler: { kind: "SequentialLR", python: { milestones: [5] }, children: [{ kind: "ConstantLR", python: { factor: 0.5, total_iters: 3 } }, { kind: "ExponentialLR", python: { gamma: 0.9 } }] } },
  { name: "SequentialLR warm-up then cosine", optimizer: "Adam",
    scheduler: { kind: "SequentialLR", python: { milestones: [10] }, children: [{ kind: "LinearLR", python: { start_factor: 0.1, total_iters: 10 } }, { kind: "CosineAnnealingLR", python: { T_max: 30, eta_min: 0.001 } }] } },
  { name: "PolynomialLR", optimizer: "SGD", scheduler: { kind: "PolynomialLR", python: { total_iters: 30, power: 2.0 } } },
  { name: "CosineAnnealingLR past T_max", optimizer: "SGD", scheduler: { kind: "CosineAnnealingLR", python: { T_max: 12, eta_min: 0.001 } } },
  { name: "ChainedScheduler", optimizer: "SGD",
    scheduler: { kind: "ChainedScheduler", children: [{ kind: "ConstantLR", python: { factor: 0.1, total_iters: 2 } }, { kind: "ExponentialLR", python: { gamma: 0.9 } }] } },
  { name: "ReduceLROnPlateau min, abs, cooldown, min_lr list", optimizer: "SGD", metrics: plateau, save: true,
    scheduler: { kind: "ReduceLROnPlateau", python: { mode: "min", patience: 2, cooldown: 1, min_lr: [0.01, 0.001], threshold_mode: "abs", threshold: 0.01 } } },
  { name: "ReduceLROnPlateau max, rel, eps", optimizer: "Adam", metrics: rising,
    scheduler: { kind: "ReduceLROnPlateau", python: { mode: "max", factor: 0.5, patience: 3, eps: 1e-4 } } },
  { name: "CyclicLR triangular with momentum", optimizer: "SGD", scheduler: { kind: "CyclicLR", python: { base_lr: 0.01, max_lr: 0.1, step_size_up: 5 } } },
  { name: "CyclicLR triangular2, per-group lrs, step_size_down", optimizer: "SGD",
    scheduler: { kind: "CyclicLR", python: { base_lr: [0.01, 0.02], max_lr: [0.1, 0.2], step_size_up: 4, step_size_down: 6, mode: "triangular2", base_momentum: 0.7, max_momentum: 0.95 } } },
  { name: "CyclicLR exp_range without momentum (Adam)", optimizer: "Adam",
    scheduler: { kind: "CyclicLR", python: { base_lr: 0.001, max_lr: 0.01, step_size_up: 3, mode: "exp_range", gamma: 0.97, cycle_momentum: false } } },
  { name: "CyclicLR scale_fn by iterations", optimizer: "SGD", scheduler: { kind: "CyclicLR", scaleFn: "inv", python: { base_lr: 0.01, max_lr: 0.1, step_size_up: 4, scale_mode: "iterations" } } },
  { name: "OneCycleLR SGD cos", optimizer: "SGD", scheduler: { kind: "OneCycleLR", python: { max_lr: 0.5, total_steps: STEPS + MORE } } },
  { name: "OneCycleLR Adam linear three-phase", optimizer: "Adam",
    scheduler: { kind: "OneCycleLR", python: { max_lr: [0.1, 0.2], epochs: 6, steps_per_epoch: 10, anneal_strategy: "linear", three_phase: true, pct_start: 0.25, div_factor: 10.0, final_div_factor: 100.0 } } },
  { name: "CosineAnnealingWarmRestarts step()", optimizer: "SGD", save: true, scheduler: { kind: "CosineAnnealingWarmRestarts", python: { T_0: 7 } } },
  { name: "CosineAnnealingWarmRestarts T_mult 2, fractional epochs", optimizer: "SGD",
    epochs: Array.from({ length: STEPS + MORE }, (_, k) => k / 5), scheduler: { kind: "CosineAnnealingWarmRestarts", python: { T_0: 3, T_mult: 2, eta_min: 0.001 } } },
  { name: "CosineAnnealingWarmRestarts T_mult 1, fractional epochs", optimizer: "Adam",
    epochs: Array.from({ length: STEPS + MORE }, (_, k) => 0.3 + k * 0.7), scheduler: { kind: "CosineAnnealingWarmRestarts", python: { T_0: 4, eta_min: 0.01 } } },
];

const camel = (k: string) => k.replace(/^T_/, "t_").replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const tsOptions = (py: Record<string, unknown> = {}) => Object.fromEntries(Object.entries(py).map(([k, v]) => [camel(k), v]));
const LAMBDAS: Record<string, (e: number) => number> = { inv: (e) => 1 / (1 + e), third: (e) => (e % 3 === 0 ? 0.9 : 1.0) };

type AnySched = { step(arg?: number): void; stateDict(): Map<string, unknown>; loadStateDict(sd: unknown): void; getLastLr(): number[] };
function makeOptimizer(kind: "SGD" | "Adam"): torch.optim.Optimizer<never> {
  const ps = [torch.zeros(2, { requiresGrad: true }), torch.zeros(3, { requiresGrad: true })];
  const groups = [{ params: [ps[0]!], lr: 0.1 }, { params: [ps[1]!], lr: 0.05 }];
  return (kind === "Adam" ? new optim.Adam(groups) : new optim.SGD(groups, { lr: 0.1, momentum: 0.9 })) as unknown as torch.optim.Optimizer<never>;
}

function build(spec: SchedSpec, opt: torch.optim.Optimizer<never>): AnySched {
  const o = tsOptions(spec.python);
  switch (spec.kind) {
    case "LambdaLR": return new L.LambdaLR(opt, LAMBDAS[spec.lambda!]!);
    case "MultiplicativeLR": return new L.MultiplicativeLR(opt, LAMBDAS[spec.lambda!]!);
    case "SequentialLR": return new L.SequentialLR(opt, spec.children!.map((c) => build(c, opt) as unknown as torch.optim.LRScheduler), o as never) as unknown as AnySched;
    case "ChainedScheduler": return new L.ChainedScheduler(spec.children!.map((c) => build(c, opt) as unknown as torch.optim.LRScheduler)) as unknown as AnySched;
    case "CyclicLR": if (spec.scaleFn) o.scaleFn = LAMBDAS[spec.scaleFn];
  }
  const Ctor = (L as unknown as Record<string, new (opt: unknown, o: unknown) => AnySched>)[spec.kind]!;
  return new Ctor(opt, o);
}

function drive(c: Case, opt: torch.optim.Optimizer<never>, sched: AnySched, start: number, n: number): [number[][], (number | null)[]] {
  const lrs: number[][] = [];
  const moms: (number | null)[] = [];
  for (let k = start; k < start + n; k++) {
    const groups = opt.paramGroups as unknown as Record<string, unknown>[];
    lrs.push(groups.map((g) => g.lr as number));
    const g = groups[0]!;
    moms.push(Array.isArray(g.betas) ? (g.betas as number[])[0]! : ((g.momentum as number | undefined) ?? null));
    opt.step();
    if (c.metrics) sched.step(c.metrics[k]);
    else if (c.epochs) sched.step(c.epochs[k]);
    else sched.step();
  }
  return [lrs, moms];
}

/** A state dict as JSON (Maps as objects, infinities as Python's encoding sends them). */
function json(v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), json(x)]));
  if (Array.isArray(v)) return v.map(json);
  if (typeof v === "number" && !Number.isFinite(v)) return { $f: v > 0 ? "inf" : "-inf" };
  if (typeof v === "bigint") return Number(v);
  return v;
}
function unjson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unjson);
  if (v !== null && typeof v === "object") {
    if ("$f" in v) return (v as { $f: string }).$f === "inf" ? Infinity : -Infinity;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unjson(x)]));
  }
  return v;
}

interface RunReply { lrs: number[][]; momenta: (number | null)[]; state: [string, unknown][]; param_groups: Record<string, unknown>[]; more: number[][]; more_momenta: (number | null)[] }

let py: ReferenceSession;
let dir: string;
beforeAll(() => {
  py = new ReferenceSession("lr_scheduler.py");
  dir = mkdtempSync(path.join(tmpdir(), "torch-ts-lrs-"));
});
afterAll(() => {
  py.close();
  rmSync(dir, { recursive: true, force: true });
});

const refs = new Map<string, RunReply>();
describe("every lr_scheduler matches torch.optim.lr_scheduler", () => {
  it.each(cases.map((c, i) => [c.name, i] as const))("%s", async (_name, i) => {
    const c = cases[i]!;
    const pySaved = path.join(dir, `py-${i}.pt`);
    const ref = await py.request<RunReply>({ cmd: "run", case: c, steps: STEPS, more: MORE, save: c.save ? pySaved : undefined });
    refs.set(c.name, ref);
    const opt = makeOptimizer(c.optimizer);
    const sched = build(c.scheduler, opt);
    const [lrs, moms] = drive(c, opt, sched, 0, STEPS);
    expect(lrs).toEqual(ref.lrs);
    expect(moms).toEqual(ref.momenta);

    // Python's keys, in Python's order, with Python's values (a weakref and bound methods,
    // which no checkpoint can hold, are the keys PyTorch has and this does not).
    const sd = sched.stateDict();
    expect([...sd.keys()]).toEqual(ref.state.map(([k]) => k));
    expect(json(sd)).toEqual(Object.fromEntries(ref.state));

    // Ours resumes in Python (JSON, and a torch.save file where Python pickles its own).
    const groups = json(opt.stateDict().param_groups) as Record<string, unknown>[];
    const back = await py.request<{ more: number[][]; more_momenta: unknown[] }>({ cmd: "resume", case: c, steps: STEPS, more: MORE, param_groups: groups, state: json(sd) });
    expect(back.more).toEqual(ref.more);
    if (c.save) {
      const file = path.join(dir, `ts-${i}.pt`);
      torch.save(sd, file);
      const fromFile = await py.request<{ more: number[][] }>({ cmd: "resume", case: c, steps: STEPS, more: MORE, param_groups: groups, file });
      expect(fromFile.more).toEqual(ref.more);
    }

    // Python's resumes here.
    const resume = (state: unknown) => {
      const opt2 = makeOptimizer(c.optimizer);
      const sched2 = build(c.scheduler, opt2);
      opt2.loadStateDict({ state: new Map(), param_groups: ref.param_groups.map((g, gi) => ({ ...(unjson(g) as object), params: [gi] })) });
      sched2.loadStateDict(state);
      return drive(c, opt2, sched2, STEPS, MORE);
    };
    const [moreLrs, moreMoms] = resume(unjson(Object.fromEntries(ref.state)));
    expect(moreLrs).toEqual(ref.more);
    expect(moreMoms).toEqual(ref.more_momenta);
    if (c.save) expect(resume(torch.load(pySaved))[0]).toEqual(ref.more);
  });
});

describe("CyclicLR with betas", () => {
  it("cycles Adam's beta1 as it cycles SGD's momentum (PyTorch 2.x; 1.13 refused Adam)", () => {
    const ref = refs.get("CyclicLR triangular with momentum")!;
    expect(ref).toBeDefined();
    const opt = makeOptimizer("Adam");
    const sched = build({ kind: "CyclicLR", python: { base_lr: 0.01, max_lr: 0.1, step_size_up: 5 } }, opt);
    const [lrs, moms] = drive(cases[0]!, opt, sched, 0, STEPS);
    expect(lrs).toEqual(ref.lrs);
    expect(moms).toEqual(ref.momenta);
    expect((opt.paramGroups[1] as unknown as { betas: number[] }).betas[1]).toBe(0.999);
  });
});
