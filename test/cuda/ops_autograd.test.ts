// CUDA ops and autograd: every op and gradient below is computed on CUDA and on the CPU by
// torch-ts and on CUDA by Python PyTorch (test/reference/cuda.py, same GPU, same libtorch), in
// float32 (the tolerance of each op's class, common.ts TOL) and in float64 (no TF32: rounding
// order only). Also: the device basics (config, copies, pinned memory, cuDNN flags).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { cpuCopy, DEV, expectNear, HAS_CUDA, loadMap, note, python, RUN, tempDir, title, TOL, uniform, writeReport, type TolName } from "./common.js";

const F = torch.nn.functional;
type T = torch.Tensor;
const DTYPES = ["float32", "float64"] as const;
type DT = (typeof DTYPES)[number];

/** Inputs by name ([shape, lo, hi]); the same file feeds Python. */
const INPUTS: Record<string, [number[], number, number]> = {
  a: [[64, 128], -1, 1], b: [[64, 128], -1, 1], pos: [[64, 128], 0.1, 2],
  m1: [[96, 160], -1, 1], m2: [[160, 80], -1, 1],
  img: [[8, 16, 20, 20], -1, 1], w: [[32, 16, 3, 3], -0.1, 0.1], wg: [[32, 4, 3, 3], -0.2, 0.2], cb: [[32], -0.1, 0.1],
  bnw: [[16], 0.5, 1.5], bnb: [[16], -0.5, 0.5], rm: [[16], -0.2, 0.2], rv: [[16], 0.5, 2],
  bw: [[32], 0.5, 1.5], bb: [[32], -0.5, 0.5], hw: [[10, 32], -0.2, 0.2],
  lw: [[40, 128], -0.1, 0.1], lb: [[40], -0.1, 0.1], logits: [[64, 10], -3, 3],
};

/** Inputs on one device in one dtype (class indices stay int64); rm/rv are cloned by the op that updates them. */
type In = Record<string, T>;

/** Mirror of OPS in test/reference/cuda.py, entry by entry. */
const OPS: Record<string, [TolName, (t: In) => T | T[]]> = {
  "add alpha": ["fp32", (t) => t.a!.add(t.b!, { alpha: 0.5 })],
  sub: ["fp32", (t) => t.a!.sub(t.b!)],
  mul: ["fp32", (t) => t.a!.mul(t.b!)],
  div: ["fp32", (t) => t.a!.div(t.pos!)],
  "pow 3": ["fp32", (t) => t.a!.pow(3)],
  exp: ["fp32", (t) => t.a!.exp()],
  log: ["fp32", (t) => t.pos!.log()],
  sqrt: ["fp32", (t) => t.pos!.sqrt()],
  rsqrt: ["fp32", (t) => t.pos!.rsqrt()],
  tanh: ["fp32", (t) => t.a!.tanh()],
  sigmoid: ["fp32", (t) => t.a!.sigmoid()],
  relu: ["fp32", (t) => t.a!.relu()],
  abs: ["fp32", (t) => t.a!.abs()],
  sin: ["fp32", (t) => t.a!.sin()],
  clamp: ["fp32", (t) => t.a!.clamp(-0.5, 0.5)],
  where: ["fp32", (t) => torch.where(t.a!.gt(0), t.a!, t.b!)],
  sum: ["fp32", (t) => t.a!.sum()],
  "sum dim 1": ["fp32", (t) => t.a!.sum(1)],
  "mean dim 0 keepdim": ["fp32", (t) => t.a!.mean(0, { keepdim: true })],
  "std dim 1": ["fp32", (t) => t.a!.std(1)],
  var: ["fp32", (t) => t.a!.var()],
  "max dim 1": ["fp32", (t) => [...t.a!.max(1)]],
  "argmin dim 0": ["fp32", (t) => t.a!.argmin(0)],
  "softmax dim 1": ["fp32", (t) => F.softmax(t.a!, 1)],
  "logSoftmax dim 1": ["fp32", (t) => F.logSoftmax(t.a!, 1)],
  matmul: ["gemm", (t) => t.m1!.matmul(t.m2!)],
  linear: ["gemm", (t) => F.linear(t.a!, t.lw!, t.lb!)],
  "conv2d padding 1": ["tf32", (t) => F.conv2d(t.img!, t.w!, t.cb!, { padding: 1 })],
  "conv2d stride 2 dilation 2": ["tf32", (t) => F.conv2d(t.img!, t.w!, null, { stride: 2, padding: 2, dilation: 2 })],
  "conv2d groups 4": ["tf32", (t) => F.conv2d(t.img!, t.wg!, t.cb!, { padding: 1, groups: 4 })],
  "batchNorm train": ["fp32", (t) => {
    const [rm, rv] = [t.rm!.clone(), t.rv!.clone()];
    return [F.batchNorm(t.img!, rm, rv, { weight: t.bnw!, bias: t.bnb!, training: true, momentum: 0.1 }), rm, rv];
  }],
  "batchNorm eval": ["fp32", (t) => F.batchNorm(t.img!, t.rm!, t.rv!, { weight: t.bnw!, bias: t.bnb!, training: false })],
  "maxPool2d 3/2/1": ["fp32", (t) => F.maxPool2d(t.img!, 3, { stride: 2, padding: 1 })],
  "maxPool2d 3 ceilMode": ["fp32", (t) => F.maxPool2d(t.img!, 3, { ceilMode: true })],
  "avgPool2d 2": ["fp32", (t) => F.avgPool2d(t.img!, 2)],
  "avgPool2d 3/2/1 countIncludePad false": ["fp32", (t) => F.avgPool2d(t.img!, 3, { stride: 2, padding: 1, countIncludePad: false })],
  "adaptiveAvgPool2d 1": ["fp32", (t) => F.adaptiveAvgPool2d(t.img!, 1)],
  "adaptiveAvgPool2d [3, 4]": ["fp32", (t) => F.adaptiveAvgPool2d(t.img!, [3, 4])],
  crossEntropy: ["fp32", (t) => F.crossEntropy(t.logits!, t.target!)],
  "crossEntropy labelSmoothing 0.1 sum": ["fp32", (t) => F.crossEntropy(t.logits!, t.target!, { labelSmoothing: 0.1, reduction: "sum" })],
  "nllLoss of logSoftmax": ["fp32", (t) => F.nllLoss(F.logSoftmax(t.logits!, 1), t.target!)],
  mseLoss: ["fp32", (t) => F.mseLoss(t.a!, t.b!)],
};

/** Mirror of GRADS in test/reference/cuda.py: inputs that need gradients, a scalar function. */
const GRADS: Record<string, [TolName, string[], (t: In) => T]> = {
  "elementwise chain": ["fp32", ["a", "b", "pos"], (t) => t.a!.mul(t.b!).tanh().exp().add(t.pos!.log().mul(t.a!.sigmoid())).sum()],
  "logSoftmax and reductions": ["fp32", ["a", "b"], (t) => F.logSoftmax(t.a!.mul(t.b!), 1).mean(0).pow(2).sum().add(t.a!.std(1).sum())],
  "matmul and linear": ["gemm", ["a", "lw", "lb", "m1", "m2"],
    (t) => F.linear(t.a!, t.lw!, t.lb!).relu().pow(2).mean().add(t.m1!.matmul(t.m2!).tanh().sum())],
  pooling: ["fp32", ["img"], (t) => F.maxPool2d(t.img!, 3, { stride: 2, padding: 1 }).mul(F.avgPool2d(t.img!, 3, { stride: 2, padding: 1 })).sum()
    .add(F.adaptiveAvgPool2d(t.img!, [3, 4]).pow(2).sum())],
  "crossEntropy and nllLoss": ["fp32", ["logits"], (t) => F.crossEntropy(t.logits!, t.target!, { labelSmoothing: 0.1 })
    .add(F.nllLoss(F.logSoftmax(t.logits!, 1), t.target!, { reduction: "sum" }))],
  "conv2d alone": ["tf32", ["img", "w"], (t) => F.conv2d(t.img!, t.w!, null, { stride: 2, padding: 1 }).pow(2).sum()],
  // No conv bias before a train-mode batchNorm: its gradient is exactly 0 in theory, rounding noise
  // in practice, and noise has no relative error to speak of.
  "conv2d, batchNorm (train), relu, pool, linear, crossEntropy": ["tf32Composite", ["img", "w", "bw", "bb", "hw"],
    (t) => F.crossEntropy(F.linear(F.adaptiveAvgPool2d(F.batchNorm(F.conv2d(t.img!, t.w!, null, { padding: 1 }), null, null,
      { weight: t.bw!, bias: t.bb!, training: true }).relu(), 1).flatten(1), t.hw!), t.t8!)],
};

let raw: Map<string, T>;
let pyOps: Map<string, T>;
let pyGrads: Map<string, T>;
let cleanup = () => {};

/** The inputs on `device` in `dtype`, each a leaf (requiresGrad for those named). */
function inputsOn(device: torch.Device, dtype: DT, wrt: string[] = []): In {
  const t: In = {};
  for (const [k, v] of raw) {
    const moved = v.dtype === "int64" ? v.to(device, { copy: true }) : v.to({ device, dtype }).detach();
    t[k] = wrt.includes(k) ? moved.requiresGrad_(true) : moved;
  }
  return t;
}

const asList = (r: T | T[]) => (Array.isArray(r) ? r : [r]);

describe.skipIf(!RUN)(title("ops and autograd: CUDA beside CPU and beside PyTorch on the same GPU"), () => {
  beforeAll(() => {
    torch.manualSeed(0);
    raw = new Map(Object.entries(INPUTS).map(([k, [shape, lo, hi]]) => [k, uniform(shape, lo, hi)]));
    raw.set("target", torch.randint(10, [64]));
    raw.set("t8", torch.randint(10, [8]));
    const [dir, rm] = tempDir("cuda-ops");
    cleanup = rm;
    torch.save(raw, `${dir}/inputs.pth`);
    python("ops", { inputs: `${dir}/inputs.pth`, out: `${dir}/ops.pth`, dtypes: DTYPES, names: Object.keys(OPS) });
    python("grads", { inputs: `${dir}/inputs.pth`, out: `${dir}/grads.pth`, dtypes: DTYPES, names: Object.keys(GRADS) });
    pyOps = loadMap(`${dir}/ops.pth`);
    pyGrads = loadMap(`${dir}/grads.pth`);
  });
  afterAll(() => {
    writeReport("ops_autograd");
    cleanup();
  });

  it.each(Object.keys(OPS))("%s", (name) => {
    const [tolName, op] = OPS[name]!;
    torch.tidy(() => {
      for (const dt of DTYPES) {
        const onCpu = asList(op(inputsOn("cpu", dt)));
        const onDev = asList(op(inputsOn(DEV, dt))).map(cpuCopy);
        expect(onDev.length).toBe(onCpu.length);
        const vsCpu = dt === "float64" ? TOL.fp64 : TOL[tolName];
        const vsPy = dt === "float64" ? TOL.fp64 : Math.max(TOL.sameGpu, tolName === "tf32" ? TOL.tf32 : 0);
        onDev.forEach((r, i) => {
          expect(r.device).toBe("cpu");
          expectNear(r, onCpu[i], vsCpu, `${name} ${dt} [${i}] ${DEV} vs cpu`);
          expectNear(r, pyOps.get(`${name}|${dt}|${i}`), vsPy, `${name} ${dt} [${i}] vs PyTorch ${DEV}`);
        });
      }
    });
  });

  it.each(Object.keys(GRADS))("gradients: %s", (name) => {
    const [tolName, wrt, f] = GRADS[name]!;
    torch.tidy(() => {
      for (const dt of DTYPES) {
        const run = (device: torch.Device) => {
          const t = inputsOn(device, dt, wrt);
          const value = f(t);
          value.backward();
          return [value, ...wrt.map((k) => t[k]!.grad)].map((g) => cpuCopy(g!));
        };
        const [cpu, dev] = [run("cpu"), run(DEV)];
        const vsCpu = dt === "float64" ? TOL.fp64 : TOL[tolName];
        const vsPy = dt === "float64" ? TOL.fp64 : Math.max(TOL.sameGpu, tolName.startsWith("tf32") ? TOL[tolName] : 0);
        ["value", ...wrt.map((k) => `grad:${k}`)].forEach((k, i) => {
          expectNear(dev[i], cpu[i], vsCpu, `${name} ${dt} ${k} ${DEV} vs cpu`);
          expectNear(dev[i], pyGrads.get(`${name}|${dt}|${k}`), vsPy, `${name} ${dt} ${k} vs PyTorch ${DEV}`);
        });
      }
    });
  });
});

describe.skipIf(!HAS_CUDA)(title("CUDA device basics", true), () => {
  it("config reports a CUDA build with cuDNN, and tensors round-trip to the device bit for bit", () => {
    const cfg = torch.config();
    note("config", cfg);
    expect(cfg.cudaBuild).toBe(true);
    expect(cfg.cudaAvailable).toBe(true);
    expect(cfg.cudnnAvailable).toBe(true);
    expect(torch.cuda.deviceCount()).toBeGreaterThanOrEqual(1);
    expect(torch.backends.cudnn.isAvailable()).toBe(true);
    note("python", python("info", {}));
    torch.tidy(() => {
      const x = torch.randn(1000, { dtype: "float64" });
      const d = x.to("cuda");
      expect(d.device.startsWith("cuda")).toBe(true);
      expect(d.isCuda).toBe(true);
      expect(Array.from(d.cpu().toTypedArray() as Float64Array)).toEqual(Array.from(x.toTypedArray() as Float64Array));
      expect(torch.zeros([2, 3], { device: "cuda" }).device.startsWith("cuda")).toBe(true);
    });
  });

  it("pinned host memory: pinMemory, isPinned and a non-blocking copy round-trip exactly", () => {
    torch.tidy(() => {
      const x = torch.randn(256, 256);
      expect(x.isPinned()).toBe(false);
      const pinned = x.pinMemory();
      expect(pinned.isPinned()).toBe(true);
      const d = pinned.to("cuda", { nonBlocking: true });
      torch.cuda.synchronize();
      expectNear(d.cpu(), x, 0, "pinned non-blocking copy");
    });
  });

  it("cudnn.benchmark can be switched on and off, and a convolution under it still agrees with the CPU", () => {
    const before = torch.backends.cudnn.benchmark;
    expect(before).toBe(false); // PyTorch's default
    try {
      torch.backends.cudnn.benchmark = true;
      expect(torch.backends.cudnn.benchmark).toBe(true);
      torch.tidy(() => {
        torch.manualSeed(1);
        const x = torch.randn(4, 8, 16, 16);
        const w = torch.randn(16, 8, 3, 3).mul(0.1);
        const dev = F.conv2d(x.cuda(), w.cuda(), null, { padding: 1 }).cpu();
        expectNear(dev, F.conv2d(x, w, null, { padding: 1 }), TOL.tf32, "conv2d under cudnn.benchmark");
      });
    } finally {
      torch.backends.cudnn.benchmark = before;
    }
    expect(torch.backends.cudnn.benchmark).toBe(before);
  });
});
