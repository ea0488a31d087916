// Every nn layer forward and backward, and the Adam step, on CUDA beside the CPU and beside
// Python PyTorch on the same GPU (test/reference/cuda.py builds the same layers from the same
// JSON specs and loads the same weights), in float32 and float64. Tolerances: common.ts TOL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { cpuCopy, DEV, expectNear, loadMap, python, RUN, tempDir, title, TOL, uniform, writeReport, type TolName } from "./common.js";

const { nn } = torch;
type T = torch.Tensor;
const DTYPES = ["float32", "float64"] as const;

/** A layer as both sides build it: `new nn[ctor](...args, kw)` here, `nn.<ctor>(*args, **snake(kw))` in Python. */
interface Spec { ctor: string; args?: unknown[]; kw?: Record<string, unknown>; children?: Spec[] }
interface Case { spec: Spec; input: number[]; target?: "class" | "float"; train?: boolean; tol: TolName }

const conv = (i: number, o: number, k: number | number[], kw: Record<string, unknown> = {}): Spec => ({ ctor: "Conv2d", args: [i, o, k], kw });
const bn2d = (c: number, kw: Record<string, unknown> = {}): Spec => ({ ctor: "BatchNorm2d", args: [c], kw });
const LAYERS: Record<string, Case> = {
  "Conv2d 3→8 k3 padding 1": { spec: conv(3, 8, 3, { padding: 1 }), input: [4, 3, 12, 12], tol: "tf32" },
  "Conv2d stride 2, groups 2, no bias": { spec: conv(4, 8, 3, { stride: 2, groups: 2, bias: false }), input: [4, 4, 11, 11], tol: "tf32" },
  "Conv2d [3, 5] dilation 2 padding [2, 4]": { spec: conv(3, 6, [3, 5], { dilation: 2, padding: [2, 4] }), input: [2, 3, 10, 12], tol: "tf32" },
  "Conv2d 1x1 (Bottleneck's)": { spec: conv(16, 32, 1, { bias: false }), input: [4, 16, 8, 8], tol: "tf32" },
  "BatchNorm2d train": { spec: bn2d(8), input: [4, 8, 6, 6], train: true, tol: "fp32" },
  "BatchNorm2d momentum null (cumulative average) train": { spec: bn2d(8, { momentum: null }), input: [4, 8, 6, 6], train: true, tol: "fp32" },
  "BatchNorm2d eval": { spec: bn2d(8), input: [4, 8, 6, 6], tol: "fp32" },
  "BatchNorm1d (N, C) train": { spec: { ctor: "BatchNorm1d", args: [16] }, input: [8, 16], train: true, tol: "fp32" },
  "BatchNorm1d (N, C, L) eval": { spec: { ctor: "BatchNorm1d", args: [6] }, input: [4, 6, 10], tol: "fp32" },
  "MaxPool2d 3/2/1": { spec: { ctor: "MaxPool2d", args: [3], kw: { stride: 2, padding: 1 } }, input: [4, 8, 13, 13], tol: "fp32" },
  "MaxPool2d 2 ceilMode": { spec: { ctor: "MaxPool2d", args: [2], kw: { stride: 2, ceilMode: true } }, input: [2, 3, 9, 9], tol: "fp32" },
  "AvgPool2d 2": { spec: { ctor: "AvgPool2d", args: [2] }, input: [4, 8, 12, 12], tol: "fp32" },
  "AvgPool2d 3/2/1 countIncludePad false": { spec: { ctor: "AvgPool2d", args: [3], kw: { stride: 2, padding: 1, countIncludePad: false } }, input: [2, 4, 9, 9], tol: "fp32" },
  "AdaptiveAvgPool2d 1": { spec: { ctor: "AdaptiveAvgPool2d", args: [1] }, input: [4, 8, 7, 7], tol: "fp32" },
  "AdaptiveAvgPool2d [3, 2]": { spec: { ctor: "AdaptiveAvgPool2d", args: [[3, 2]] }, input: [4, 8, 10, 9], tol: "fp32" },
  "Linear 16→10": { spec: { ctor: "Linear", args: [16, 10] }, input: [8, 16], tol: "gemm" },
  "Linear no bias on (N, L, C)": { spec: { ctor: "Linear", args: [12, 5], kw: { bias: false } }, input: [3, 4, 12], tol: "gemm" },
  Identity: { spec: { ctor: "Identity" }, input: [4, 5], tol: "fp32" },
  Flatten: { spec: { ctor: "Flatten" }, input: [4, 3, 2, 2], tol: "fp32" },
  ReLU: { spec: { ctor: "ReLU" }, input: [4, 10], tol: "fp32" },
  "Dropout eval": { spec: { ctor: "Dropout", args: [0.3] }, input: [4, 10], tol: "fp32" },
  "CrossEntropyLoss labelSmoothing 0.1": { spec: { ctor: "CrossEntropyLoss", kw: { labelSmoothing: 0.1 } }, input: [8, 10], target: "class", tol: "fp32" },
  "CrossEntropyLoss sum": { spec: { ctor: "CrossEntropyLoss", kw: { reduction: "sum" } }, input: [8, 10], target: "class", tol: "fp32" },
  MSELoss: { spec: { ctor: "MSELoss" }, input: [6, 5], target: "float", tol: "fp32" },
  "Sequential CNN (conv, BN, ReLU, max-pool, …, linear) train": {
    // Convs before BatchNorm have no bias (as in ResNet): its gradient would be rounding noise.
    spec: { ctor: "Sequential", children: [conv(3, 8, 3, { padding: 1, bias: false }), bn2d(8), { ctor: "ReLU" }, { ctor: "MaxPool2d", args: [2] },
      conv(8, 16, 3, { padding: 1, bias: false }), bn2d(16), { ctor: "ReLU" }, { ctor: "AdaptiveAvgPool2d", args: [1] }, { ctor: "Flatten" }, { ctor: "Linear", args: [16, 10] }] },
    input: [4, 3, 16, 16], train: true, tol: "tf32Composite",
  },
};

const CTORS: Record<string, new (...args: any[]) => torch.nn.Module> = {
  Conv2d: nn.Conv2d, BatchNorm2d: nn.BatchNorm2d, BatchNorm1d: nn.BatchNorm1d, MaxPool2d: nn.MaxPool2d, AvgPool2d: nn.AvgPool2d,
  AdaptiveAvgPool2d: nn.AdaptiveAvgPool2d, Linear: nn.Linear, Identity: nn.Identity, Flatten: nn.Flatten, ReLU: nn.ReLU,
  Dropout: nn.Dropout, CrossEntropyLoss: nn.CrossEntropyLoss, MSELoss: nn.MSELoss,
};

function build(spec: Spec): torch.nn.Module {
  if (spec.ctor === "Sequential") return new nn.Sequential(...spec.children!.map(build));
  const args = [...(spec.args ?? []), ...(spec.kw ? [spec.kw] : [])];
  return new CTORS[spec.ctor]!(...args);
}

/** BatchNorm's default weights and statistics (1, 0, 0, 1) would hide mistakes: make them random. */
function randomizeNorms(m: torch.nn.Module): void {
  torch.noGrad(() => torch.tidy(() => {
    for (const sub of m.modules()) {
      if (!(sub instanceof nn.BatchNorm2d || sub instanceof nn.BatchNorm1d)) continue;
      for (const [name, lo, hi] of [["weight", 0.5, 1.5], ["bias", -0.5, 0.5], ["running_mean", -0.5, 0.5], ["running_var", 0.5, 2]] as const) {
        const t = sub.getAttr(name) as T;
        t.copy_(uniform(t.shape, lo, hi));
      }
    }
  }));
}

const models = new Map<string, torch.nn.Module>();
const data = new Map<string, T>();
let py: Map<string, T>;
let pyAdam: Map<string, T>;
const adam = new Map<string, T>();
let cleanup = () => {};

/** One forward and backward of a fresh copy of the layer on `device`: output, input grad, param grads, buffers (CPU copies). */
function run(name: string, device: torch.Device, dtype: (typeof DTYPES)[number]): Map<string, T> {
  const c = LAYERS[name]!;
  const layer = build(c.spec);
  layer.loadStateDict(models.get(name)!.stateDict());
  layer.to({ device, dtype }).train(c.train === true);
  const x = data.get(`${name}|x`)!.to({ device, dtype }).detach().requiresGrad_(true);
  const target = data.get(`${name}|target`);
  const args: T[] = [x];
  if (target) args.push(target.dtype === "int64" ? target.to(device) : target.to({ device, dtype }));
  const y = (layer.call as (...a: T[]) => T)(...args);
  y.backward(data.get(`${name}|cot`)!.to({ device, dtype }));
  const out = new Map<string, T>([["out", cpuCopy(y)], ["x_grad", cpuCopy(x.grad!)]]);
  for (const [k, p] of layer.namedParameters()) out.set(`grad|${k}`, cpuCopy(p.grad!));
  for (const [k, b] of layer.namedBuffers()) out.set(`buffer|${k}`, cpuCopy(b));
  return out;
}

// ---- Adam: the same parameters and gradients, three steps, on both devices and in Python ----
const ADAM_SHAPES = [[32, 16, 3, 3], [32], [10, 32]];
const ADAM_STEPS = 3;
const ADAM: Record<string, torch.optim.AdamOptions> = {
  "lr 1e-2": { lr: 1e-2 },
  "weightDecay 0.1, amsgrad, betas [0.8, 0.99]": { lr: 1e-2, weightDecay: 0.1, amsgrad: true, betas: [0.8, 0.99] },
  maximize: { lr: 3e-3, maximize: true, eps: 1e-6 },
};

describe.skipIf(!RUN)(title("nn layers and Adam: CUDA beside CPU and beside PyTorch on the same GPU"), () => {
  beforeAll(() => {
    torch.manualSeed(0);
    const file = new Map<string, T>();
    for (const [name, c] of Object.entries(LAYERS)) {
      const m = build(c.spec);
      randomizeNorms(m);
      models.set(name, m);
      for (const [k, v] of m.stateDict()) file.set(`${name}|state|${k}`, v);
      const x = uniform(c.input, -1, 1);
      data.set(`${name}|x`, x);
      if (c.target === "class") data.set(`${name}|target`, torch.randint(10, [c.input[0]!]));
      if (c.target === "float") data.set(`${name}|target`, uniform(c.input, -1, 1));
      // The cotangent has the output's shape: ask a CPU forward for it (in eval mode, which
      // leaves the running statistics as saved).
      m.eval();
      const shape = torch.noGrad(() => torch.tidy(() => (m.call as (...a: T[]) => T)(x, ...(data.has(`${name}|target`) ? [data.get(`${name}|target`)!] : [])).shape));
      data.set(`${name}|cot`, uniform(shape, -1, 1));
    }
    for (const [k, v] of data) file.set(k, v);
    const [dir, rm] = tempDir("cuda-layers");
    cleanup = rm;
    torch.save(file, `${dir}/layers.pth`);
    const layers = Object.fromEntries(Object.entries(LAYERS).map(([k, c]) => [k, { ...c.spec, train: c.train === true }]));
    python("layers", { file: `${dir}/layers.pth`, out: `${dir}/layers_out.pth`, layers, dtypes: DTYPES });
    py = loadMap(`${dir}/layers_out.pth`);

    ADAM_SHAPES.forEach((s, i) => adam.set(`p${i}`, uniform(s, -1, 1)));
    for (let step = 0; step < ADAM_STEPS; step++) ADAM_SHAPES.forEach((s, i) => adam.set(`g${step}_${i}`, uniform(s, -1, 1)));
    torch.save(adam, `${dir}/adam.pth`);
    python("adam", { file: `${dir}/adam.pth`, out: `${dir}/adam_out.pth`, params: ADAM_SHAPES.length, steps: ADAM_STEPS, configs: ADAM });
    pyAdam = loadMap(`${dir}/adam_out.pth`);
  });
  afterAll(() => {
    writeReport("layers_optim");
    cleanup();
  });

  it.each(Object.keys(LAYERS))("%s: forward and backward", (name) => {
    const tol = LAYERS[name]!.tol;
    torch.tidy(() => {
      for (const dt of DTYPES) {
        const [cpu, dev] = [run(name, "cpu", dt), run(name, DEV, dt)];
        expect([...dev.keys()]).toEqual([...cpu.keys()]);
        const vsCpu = dt === "float64" ? TOL.fp64 : TOL[tol];
        const vsPy = dt === "float64" ? TOL.fp64 : Math.max(TOL.sameGpu, tol.startsWith("tf32") ? TOL[tol] : 0);
        for (const [k, v] of dev) {
          expectNear(v, cpu.get(k), vsCpu, `${name} ${dt} ${k} ${DEV} vs cpu`);
          expectNear(v, py.get(`${name}|${dt}|${k}`), vsPy, `${name} ${dt} ${k} vs PyTorch ${DEV}`);
        }
      }
    });
  });

  it("Dropout(0.3) in training on the device: about 30 % zeros, survivors scaled by 1/0.7, the gradient masked alike", () => {
    torch.tidy(() => {
      torch.manualSeed(5);
      const x = torch.ones([1000, 100], { device: DEV, requiresGrad: true });
      const y = new nn.Dropout(0.3).call(x);
      y.sum().backward();
      const zeros = y.eq(0).sum().item() as number;
      expect(Math.abs(zeros / 1e5 - 0.3)).toBeLessThan(0.01);
      expectNear(y.max(), torch.tensor(1 / 0.7, { device: DEV }), 1e-6, "Dropout survivor scale");
      expectNear(x.grad, y, 0, "Dropout gradient mask"); // x is all ones: the gradient is the output
    });
  });

  it("ModuleList and ModuleDict move every parameter and buffer to the device", () => {
    const list = new nn.ModuleList([new nn.Linear(4, 3), new nn.BatchNorm1d(3)]);
    const dict = new nn.ModuleDict({ conv: new nn.Conv2d(3, 4, 3), bn: new nn.BatchNorm2d(4) });
    for (const m of [list, dict]) {
      m.to(DEV);
      for (const [k, t] of [...m.namedParameters(), ...m.namedBuffers()]) expect(t.device.startsWith(DEV), k).toBe(true);
      torch.dispose([...m.parameters(), ...m.buffers()]);
    }
  });

  it.each(Object.keys(ADAM))("Adam (%s): three steps agree, parameters and state", (cfgName) => {
    torch.tidy(() => {
      const results = (["cpu", DEV] as torch.Device[]).map((device) => {
        const params = ADAM_SHAPES.map((_, i) => adam.get(`p${i}`)!.to(device, { copy: true }).requiresGrad_(true));
        const opt = new torch.optim.Adam(params, ADAM[cfgName]);
        for (let step = 0; step < ADAM_STEPS; step++) {
          params.forEach((p, i) => (p.grad = adam.get(`g${step}_${i}`)!.to(device, { copy: true })));
          opt.step();
        }
        const out = new Map<string, T>();
        params.forEach((p, i) => {
          out.set(`p${i}`, cpuCopy(p));
          for (const [k, v] of opt.state.get(p)!) if (v instanceof torch.Tensor) out.set(`p${i}|${k}`, cpuCopy(v));
        });
        torch.dispose([...opt.state.values()]);
        return out;
      });
      const [cpu, dev] = results as [Map<string, T>, Map<string, T>];
      for (const [k, v] of dev) {
        expectNear(v, cpu.get(k), TOL.fp32, `Adam ${cfgName} ${k} ${DEV} vs cpu`);
        expectNear(v, pyAdam.get(`${cfgName}|${k}`), TOL.fp32, `Adam ${cfgName} ${k} vs PyTorch ${DEV}`);
      }
    });
  });
});
