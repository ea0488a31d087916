// nn.utils.weightNorm / spectralNorm and their removal against Debian's torch
// (test/reference/nn_weight_spectral_norm.py): the weight is re-parametrized (weight_g/weight_v;
// weight_orig with power-iteration buffers weight_u/weight_v), recomputed by a forward pre-hook
// before every call() (steps with an update in between; spectral norm iterates in training only),
// gradients reach the new parameters, and removal restores one parameter; state-dict keys in
// Python's order throughout.
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { expectClose, floatSpec, prng } from "./reference/nn_common.js";
import { runReference } from "./reference/python.js";

const { nn } = torch;
const rnd = prng(9);
const CASES = [
  { name: "Linear, dim 0", kind: "linear", dim: 0, ...shapeOf([5, 4]) },
  { name: "Linear, dim null (whole tensor)", kind: "linear", dim: null, ...shapeOf([2, 4]) },
  { name: "Conv2d, dim 1", kind: "conv", dim: 1, ...shapeOf([1, 2, 5, 5]) },
  { name: "Conv2d, dim 0", kind: "conv", dim: 0, ...shapeOf([2, 2, 4, 4]) },
];
function shapeOf(shape: number[]) {
  return { shape, x: floatSpec(rnd, shape).data };
}

interface Ref {
  keys: string[]; g_shape: number[]; y0: number[]; y1: number[]; grad_g: number[]; grad_v: number[]; grad_bias: number[];
  removed_keys: string[]; removed_weight: number[]; removed_is_param: boolean;
}
const SPECTRAL = [
  { name: "Linear, 1 power iteration", kind: "linear", iters: 1, dim: null, ...shapeOf([3, 4]) },
  { name: "Conv2d, 3 power iterations", kind: "conv", iters: 3, dim: null, ...shapeOf([1, 2, 5, 5]) },
  { name: "ConvTranspose2d (dim 1 by default)", kind: "convT", iters: 1, dim: null, ...shapeOf([1, 2, 3, 3]) },
  { name: "Conv2d, dim 1", kind: "conv", iters: 2, dim: 1, ...shapeOf([1, 2, 4, 4]) },
];
interface SpectralRef {
  keys: string[]; u0: number[]; v0: number[]; y0: number[]; y1: number[]; y2: number[]; grad_orig: number[]; u: number[]; v: number[];
  removed_keys: string[]; removed_weight: number[];
}
let refs: Ref[];
let spectralRefs: SpectralRef[];
beforeAll(() => {
  const out = runReference<{ weight: Ref[]; spectral: SpectralRef[] }>("nn_weight_spectral_norm.py", {
    cases: CASES.map(({ kind, dim, x, shape }) => ({ kind, dim, x, shape })),
    spectral: SPECTRAL.map(({ kind, iters, dim, x, shape }) => ({ kind, iters, dim, x, shape })),
  });
  refs = out.weight;
  spectralRefs = out.spectral;
});

const close = (t: torch.Tensor, want: number[], what = "tensor") => expectClose(t.flatten(), { shape: [want.length], dtype: "float32", values: want }, what, 1e-5);

describe("nn.utils.weightNorm", () => {
  it.each(CASES.map((c, i) => [c.name, i] as const))("%s: keys, forward, gradients and removal equal PyTorch's", (_name, i) => {
    const c = CASES[i]!;
    const ref = refs[i]!;
    torch.manualSeed(3);
    const m = c.kind === "linear" ? new nn.Linear(4, 3) : new nn.Conv2d(2, 3, 3);
    expect(nn.utils.weightNorm(m, "weight", c.dim)).toBe(m);
    const x = torch.tensor(Float32Array.from(c.x), { shape: c.shape });
    expect([...m.stateDict().keys()]).toEqual(ref.keys);
    expect((m.getAttr("weight_g") as torch.Tensor).shape).toEqual(ref.g_shape);
    for (const step of [0, 1]) {
      const y = m.call(x);
      y.mul(y).sum().backward();
      close(y, step === 0 ? ref.y0 : ref.y1);
      const v = m.getAttr("weight_v") as torch.Tensor;
      torch.noGrad(() => v.sub_(v.grad!.mul(0.1)));
    }
    close((m.getAttr("weight_g") as torch.Tensor).grad!, ref.grad_g);
    close((m.getAttr("weight_v") as torch.Tensor).grad!, ref.grad_v);
    close(m.bias!.grad!, ref.grad_bias);
    nn.utils.removeWeightNorm(m);
    expect([...m.stateDict().keys()]).toEqual(ref.removed_keys);
    close(m.weight, ref.removed_weight);
    expect(nn.isParameter(m.weight)).toBe(ref.removed_is_param);
    expect([...m.parameters()]).toContain(m.weight);
  });

  it("refuses a second weight norm on the same parameter, a name that is no parameter, and a removal never applied", () => {
    const m = new nn.Linear(2, 2);
    nn.utils.weightNorm(m);
    expect(() => nn.utils.weightNorm(m)).toThrow(/Cannot register two weight_norm hooks on the same parameter weight/);
    expect(() => nn.utils.weightNorm(new nn.Linear(2, 2), "scale")).toThrow(/nn.utils.weightNorm: expected name to be the name of a parameter of Linear/);
    expect(() => nn.utils.removeWeightNorm(new nn.Linear(2, 2))).toThrow(/weight_norm of 'weight' not found in Linear/);
  });

  it("recomputing the weight every call does not leak tensors", () => {
    const m = nn.utils.weightNorm(new nn.Linear(3, 3));
    const x = torch.randn([2, 3]);
    const step = () => torch.tidy(() => {
      m.call(x).sum().backward();
    });
    step();
    const before = torch.memory.liveTensors();
    for (let i = 0; i < 50; i++) step();
    expect(torch.memory.liveTensors()).toBe(before);
  });
});

describe("nn.utils.spectralNorm", () => {
  const layer = (kind: string): torch.nn.Linear | torch.nn.Conv2d | torch.nn.ConvTranspose2d =>
    kind === "linear" ? new nn.Linear(4, 3) : kind === "conv" ? new nn.Conv2d(2, 3, 3) : new nn.ConvTranspose2d(2, 3, 3);

  it.each(SPECTRAL.map((c, i) => [c.name, i] as const))("%s: keys, u/v, forward in train and eval, gradient and removal equal PyTorch's", (_name, i) => {
    const c = SPECTRAL[i]!;
    const ref = spectralRefs[i]!;
    torch.manualSeed(5);
    const m = layer(c.kind);
    nn.utils.spectralNorm(m, { nPowerIterations: c.iters, dim: c.dim });
    const x = torch.tensor(Float32Array.from(c.x), { shape: c.shape });
    expect([...m.stateDict().keys()]).toEqual(ref.keys);
    close(m.getAttr("weight_u") as torch.Tensor, ref.u0);
    close(m.getAttr("weight_v") as torch.Tensor, ref.v0);
    const orig = m.getAttr("weight_orig") as torch.Tensor;
    for (const step of [0, 1, 2]) {
      if (step === 2) m.eval();
      const y = (m as torch.nn.Linear).call(x);
      y.mul(y).sum().backward();
      close(y, [ref.y0, ref.y1, ref.y2][step]!);
      torch.noGrad(() => orig.sub_(orig.grad!.mul(0.05)));
    }
    close(orig.grad!, ref.grad_orig);
    close(m.getAttr("weight_u") as torch.Tensor, ref.u);
    close(m.getAttr("weight_v") as torch.Tensor, ref.v);
    nn.utils.removeSpectralNorm(m);
    expect([...m.stateDict().keys()]).toEqual(ref.removed_keys);
    close(m.weight, ref.removed_weight);
  });

  it("refuses a second spectral norm, a non-positive iteration count, and a removal never applied", () => {
    const m = nn.utils.spectralNorm(new nn.Linear(2, 2));
    expect(() => nn.utils.spectralNorm(m)).toThrow(/Cannot register two spectral_norm hooks on the same parameter weight/);
    expect(() => nn.utils.spectralNorm(new nn.Linear(2, 2), "weight", 0)).toThrow(/nn.utils.spectralNorm: expected nPowerIterations to be a positive integer/);
    expect(() => nn.utils.removeSpectralNorm(new nn.Linear(2, 2))).toThrow(/spectral_norm of 'weight' not found in Linear/);
  });
});
