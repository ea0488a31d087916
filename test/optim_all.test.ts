// Every torch.optim optimizer against PyTorch 1.13: the same small model trained for 20 steps
// from the same weights ends at bit-identical parameters with the same state dict (keys,
// order, values), and state dicts cross both ways through torch.save files: PyTorch's loaded
// here and ours loaded by PyTorch both resume to PyTorch's own next 5 steps, bit for bit.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { ReferenceSession } from "./reference/session.js";
import { expectExact, floatSpec, fromEncoded, fromSpec, intSpec, prng, type Encoded, type Spec } from "./reference/nn_common.js";

const { optim } = torch;
const F = torch.nn.functional;
const STEPS = 20;
const MORE = 5;

type Kind = "SGD" | "Adam" | "AdamW" | "ASGD" | "Adadelta" | "Adagrad" | "Adamax" | "NAdam" | "RAdam" | "RMSprop" | "Rprop" | "LBFGS" | "SparseAdam";
interface Case { kind: Kind; python: Record<string, unknown> }
const cases: Case[] = [
  { kind: "SGD", python: { lr: 0.1 } },
  { kind: "SGD", python: { lr: 0.05, momentum: 0.9, dampening: 0.1, weight_decay: 0.01 } },
  { kind: "SGD", python: { lr: 0.05, momentum: 0.9, nesterov: true, maximize: true } },
  { kind: "Adam", python: {} },
  { kind: "Adam", python: { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weight_decay: 0.1 } },
  { kind: "Adam", python: { lr: 0.02, amsgrad: true, maximize: true } },
  { kind: "AdamW", python: { lr: 0.01, weight_decay: 0.5, amsgrad: true } },
  { kind: "AdamW", python: { lr: 0.01, maximize: true } },
  { kind: "ASGD", python: { lr: 0.05 } },
  { kind: "ASGD", python: { lr: 0.05, lambd: 1e-3, alpha: 0.5, t0: 5, weight_decay: 0.01 } },
  { kind: "ASGD", python: { lr: 0.05, t0: 3, maximize: true } },
  { kind: "Adadelta", python: {} },
  { kind: "Adadelta", python: { lr: 0.5, rho: 0.8, eps: 1e-5, weight_decay: 0.1, maximize: true } },
  { kind: "Adagrad", python: { lr: 0.1 } },
  { kind: "Adagrad", python: { lr: 0.1, lr_decay: 0.01, weight_decay: 0.05, initial_accumulator_value: 0.1, eps: 1e-8 } },
  { kind: "Adagrad", python: { lr: 0.1, maximize: true } },
  { kind: "Adamax", python: {} },
  { kind: "Adamax", python: { lr: 0.01, betas: [0.8, 0.99], weight_decay: 0.1, maximize: true } },
  { kind: "NAdam", python: {} },
  { kind: "NAdam", python: { lr: 0.01, weight_decay: 0.1, momentum_decay: 0.01 } },
  { kind: "RAdam", python: {} },
  { kind: "RAdam", python: { lr: 0.01, betas: [0.9, 0.99], weight_decay: 0.1 } },
  { kind: "RMSprop", python: {} },
  { kind: "RMSprop", python: { lr: 0.01, momentum: 0.9 } },
  { kind: "RMSprop", python: { lr: 0.01, centered: true } },
  { kind: "RMSprop", python: { lr: 0.01, alpha: 0.9, centered: true, momentum: 0.5, weight_decay: 0.1, maximize: true } },
  { kind: "Rprop", python: {} },
  { kind: "Rprop", python: { lr: 0.05, etas: [0.3, 1.5], step_sizes: [1e-4, 0.1], maximize: true } },
  { kind: "LBFGS", python: { lr: 1, max_iter: 5 } },
  { kind: "LBFGS", python: { lr: 0.5, max_iter: 4, history_size: 3 } },
  { kind: "LBFGS", python: { max_iter: 5, line_search_fn: "strong_wolfe" } },
  { kind: "SparseAdam", python: { lr: 0.01 } },
  { kind: "SparseAdam", python: { lr: 0.02, betas: [0.8, 0.99], maximize: true } },
];

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const tsOptions = (py: Record<string, unknown>) => Object.fromEntries(Object.entries(py).map(([k, v]) => [camel(k), v]));

const rnd = prng(11);
const mlp = { kind: "mlp", params: [floatSpec(rnd, [4, 5]), floatSpec(rnd, [4]), floatSpec(rnd, [3, 4]), floatSpec(rnd, [3])], x: floatSpec(rnd, [8, 5]), y: floatSpec(rnd, [8, 3]) };
const emb = { kind: "embedding", params: [floatSpec(rnd, [6, 3])], idx: intSpec(rnd, [5], 6), y: floatSpec(rnd, [5, 3]) };
type Model = { kind: string; params: Spec[]; x?: Spec; y: Spec; idx?: Spec };

function lossOf(model: Model, ps: torch.Tensor[]): torch.Tensor {
  if (model.kind === "embedding") return F.mseLoss(F.embedding(fromSpec(model.idx!), ps[0]!, { sparse: true }), fromSpec(model.y));
  const [w1, b1, w2, b2] = ps as [torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor];
  return F.mseLoss(fromSpec(model.x!).matmul(w1.t()).add(b1).tanh().matmul(w2.t()).add(b2), fromSpec(model.y));
}

function make(c: Case, ps: torch.Tensor[]): torch.optim.Optimizer<never> {
  const Ctor = optim[c.kind] as unknown as new (p: torch.Tensor[], o: Record<string, unknown>) => torch.optim.Optimizer<never>;
  return new Ctor(ps, tsOptions(c.python));
}

function train(c: Case, model: Model, opt: torch.optim.Optimizer<never>, ps: torch.Tensor[], steps: number): void {
  for (let i = 0; i < steps; i++) {
    const closure = () => {
      opt.zeroGrad();
      return torch.tidy(() => {
        const loss = lossOf(model, ps);
        loss.backward();
        return loss.item();
      });
    };
    if (c.kind === "LBFGS") opt.step(closure);
    else {
      closure();
      opt.step();
    }
  }
}

type Plain = Encoded | number | boolean | string | null | Plain[];
interface StateReply { state: [number, [string, Plain][]][]; param_groups: [string, Plain][][] }
interface RunReply extends StateReply { params: Encoded[]; after: Encoded[] }

const isEncoded = (v: unknown): v is Encoded => v !== null && typeof v === "object" && !Array.isArray(v) && "values" in v;
function expectValue(got: unknown, want: Plain, what: string): void {
  if (isEncoded(want)) return expectExact(got as torch.Tensor, want, what);
  if (Array.isArray(want)) {
    expect(Array.isArray(got), `${what}: a list`).toBe(true);
    expect((got as unknown[]).length, `${what}: length`).toBe(want.length);
    want.forEach((w, i) => expectValue((got as unknown[])[i], w, `${what}[${i}]`));
    return;
  }
  expect(got, what).toEqual(want);
}

function expectState(opt: torch.optim.Optimizer<never>, want: StateReply, what: string): void {
  const sd = opt.stateDict();
  expect([...sd.state.keys()], `${what}: state indices`).toEqual(want.state.map(([k]) => k));
  for (const [idx, entries] of want.state) {
    const s = sd.state.get(idx)!;
    expect([...s.keys()], `${what}: state[${idx}] keys`).toEqual(entries.map(([k]) => k));
    for (const [k, v] of entries) expectValue(s.get(k), v, `${what}: state[${idx}].${k}`);
  }
  expect(sd.param_groups.length).toBe(want.param_groups.length);
  sd.param_groups.forEach((g, i) => {
    expect([...g.keys()], `${what}: param_groups[${i}] keys`).toEqual(want.param_groups[i]!.map(([k]) => k));
    for (const [k, v] of want.param_groups[i]!) expectValue(g.get(k), v, `${what}: param_groups[${i}].${k}`);
  });
}

const stateTensors = (opt: torch.optim.Optimizer<never>) =>
  [...opt.state.values()].flatMap((s) => [...s.values()]).flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v) => v instanceof torch.Tensor).length;

let py: ReferenceSession;
let dir: string;
beforeAll(() => {
  py = new ReferenceSession("optim_all.py");
  dir = mkdtempSync(path.join(tmpdir(), "torch-ts-optim-"));
});
afterAll(() => {
  py.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("every optimizer matches torch.optim bit for bit", () => {
  it.each(cases.map((c, i) => [`${c.kind} ${JSON.stringify(c.python)}`, i] as const))("%s", async (_name, i) => {
    const c = cases[i]!;
    const model: Model = c.kind === "SparseAdam" ? emb : mlp;
    const pySaved = path.join(dir, `py-${i}.pt`);
    const ref = await py.request<RunReply>({ cmd: "run", case: c, model, steps: STEPS, more: MORE, save: pySaved });

    const ps = model.params.map((s) => fromSpec(s, true));
    const opt = make(c, ps);
    const live = torch.liveTensors();
    train(c, model, opt, ps, STEPS);
    // Nothing leaks: what stays alive is the optimizer's state and the gradients.
    expect(torch.liveTensors() - live).toBeLessThanOrEqual(stateTensors(opt) + ps.length);
    ps.forEach((p, k) => expectExact(p, ref.params[k]!, `param ${k} after ${STEPS} steps`));
    expectState(opt, ref, "state dict");

    // Ours, saved and loaded by PyTorch, resumes as PyTorch's own optimizer did.
    const tsSaved = path.join(dir, `ts-${i}.pt`);
    torch.save(opt.stateDict(), tsSaved);
    const back = await py.request<StateReply & { after: Encoded[] }>({ cmd: "load", case: c, model, params: ref.params, more: MORE, file: tsSaved });
    expect(back.state.map(([k, e]) => [k, e.map(([kk]) => kk)])).toEqual(ref.state.map(([k, e]) => [k, e.map(([kk]) => kk)]));
    back.after.forEach((e, k) => expect(e.values, `PyTorch resumed from ours: param ${k}`).toEqual(ref.after[k]!.values));

    // PyTorch's, loaded here, resumes the same way.
    const ps2 = ref.params.map((e) => fromEncoded(e).requiresGrad_());
    const opt2 = make(c, ps2);
    opt2.loadStateDict(torch.load(pySaved) as Map<string, unknown>);
    expectState(opt2, ref, "PyTorch's state dict loaded");
    train(c, model, opt2, ps2, MORE);
    ps2.forEach((p, k) => expectExact(p, ref.after[k]!, `resumed from PyTorch's: param ${k}`));
    torch.dispose(ps, ps2, [...opt.state.values()], [...opt2.state.values()]);
  });
});

describe("bad arguments are refused naming the optimizer and the argument", () => {
  const p = () => [torch.zeros(3, { requiresGrad: true })];
  const cases: [string, () => unknown, RegExp][] = [
    ["RMSprop alpha -1", () => new optim.RMSprop(p(), { alpha: -1 }), /^optim\.RMSprop: expected alpha to be a finite number >= 0, but received -1$/],
    ["Rprop etas (1.5, 1.2)", () => new optim.Rprop(p(), 0.01, [1.5, 1.2]), /^optim\.Rprop: expected etas to be a pair \(etaminus, etaplus\) with 0 < etaminus < 1 < etaplus/],
    ["Adadelta rho 2", () => new optim.Adadelta(p(), { rho: 2 }), /^optim\.Adadelta: expected rho to be a number in \[0, 1\], but received 2$/],
    ["Adam capturable", () => new optim.Adam(p(), { capturable: true }), /^optim\.Adam: capturable=true .* is not supported by torch-ts/],
    ["AdamW fused", () => new optim.AdamW(p(), { fused: true } as never), /^optim\.AdamW: unknown option "fused"/],
    ["ASGD too many positional", () => new (optim.ASGD as unknown as new (...a: unknown[]) => unknown)(p(), 1, 2, 3, 4, 5, null, false, 9), /^optim\.ASGD: expected at most 8 positional arguments/],
    ["NAdam lr given twice", () => new optim.NAdam(p(), 0.1, { lr: 0.2 } as never), /^optim\.NAdam: lr was given both positionally and in the options$/],
    ["LBFGS with two groups", () => new optim.LBFGS([{ params: p() }, { params: p() }]), /^optim\.LBFGS: LBFGS doesn't support per-parameter options/],
    ["LBFGS lineSearchFn \"wolfe\"", () => new optim.LBFGS(p(), { lineSearchFn: "wolfe" as never }), /^optim\.LBFGS: expected lineSearchFn to be "strong_wolfe" or null, but received "wolfe"$/],
    ["LBFGS step without a closure", () => new optim.LBFGS(p()).step(), /^LBFGS\.step: LBFGS needs a closure/],
    ["SparseAdam lr 0", () => new optim.SparseAdam(p(), { lr: 0 }), /^optim\.SparseAdam: expected lr to be a finite learning rate > 0, but received 0$/],
  ];
  it.each(cases)("%s", (_name, make, message) => {
    expect(make).toThrow(message);
  });

  it("SparseAdam refuses a dense gradient as PyTorch does, leaving the weights as they were", () => {
    const w = torch.ones(2, 2, { requiresGrad: true });
    const opt = new optim.SparseAdam([w]);
    torch.tidy(() => w.sum().backward());
    expect(() => opt.step()).toThrow(/^SparseAdam does not support dense gradients, please consider Adam instead$/);
    expect(w.tolist()).toEqual([[1, 1], [1, 1]]);
  });
});
