// Checkpoints of CUDA tensors both ways with the GPU machine's PyTorch (its newest format):
// Python saves a resnet18 state dict, assorted dtypes and views, and Adam's state, all on the
// GPU; torch-ts loads them with mapLocation "cuda" (on the GPU), "cpu", a record, and none (the
// saved device), bit-exact. torch-ts saves the same kinds of things from the GPU; Python loads
// them with weights_only=True, finds them on the GPU and equal to the CPU copies torch-ts wrote
// beside them, and loads them into torchvision's resnet18 and torch.optim.Adam.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { DEV, expectNear, HAS_CUDA, loadMap, note, python, RUN, tempDir, title, TOL, writeReport } from "./common.js";

type T = torch.Tensor;
type Loaded = Map<string, Map<string, unknown>>;

let dir = "";
let cleanup = () => {};
let reference: Map<string, T>;

/** Every tensor of a loaded checkpoint under the reference file's key ("model|conv1.weight", "optimizer|0|exp_avg"). */
function flatten(loaded: Loaded): Map<string, T> {
  const out = new Map<string, T>();
  for (const [k, v] of loaded.get("model")!) out.set(`model|${k}`, v as T);
  for (const [k, v] of loaded.get("tensors")!) out.set(`tensors|${k}`, v as T);
  const state = loaded.get("optimizer")!.get("state") as Map<number, Map<string, unknown>>;
  for (const [i, s] of state) for (const [k, v] of s) if (v instanceof torch.Tensor) out.set(`optimizer|${i}|${k}`, v);
  return out;
}

/** Loads Python's device checkpoint with `mapLocation`; checks every tensor's device and bytes against Python's CPU copy. */
function expectLoads(mapLocation: torch.MapLocation | undefined, device: string, label: string): void {
  const loaded = torch.load(`${dir}/py_device.pth`, mapLocation === undefined ? {} : { mapLocation }) as Loaded;
  try {
    const tensors = flatten(loaded);
    expect(tensors.size).toBe([...reference.keys()].filter((k) => /^(model|tensors|optimizer)\|/.test(k)).length);
    for (const [k, t] of tensors) {
      // Adam's step stays a CPU tensor in PyTorch (not capturable); mapLocation still moves it.
      const want = k.endsWith("|step") && mapLocation === undefined ? "cpu" : device;
      expect(t.device.startsWith(want), `${label}: ${k} is on ${t.device}, expected ${want}`).toBe(true);
      expectNear(t, reference.get(k), 0, `${label}: ${k}`);
    }
  } finally {
    torch.dispose(loaded);
  }
}

describe.skipIf(!RUN)(title("checkpoints of CUDA tensors both ways with PyTorch on the GPU"), () => {
  beforeAll(() => {
    [dir, cleanup] = tempDir("cuda-ckpt");
    note("python wrote", python("ckpt_write", { dir }));
    reference = loadMap(`${dir}/py_cpu.pth`);
  });
  afterAll(() => {
    writeReport("checkpoint");
    cleanup();
  });

  it('Python\'s device checkpoint loads with mapLocation set to the device ("cuda"): every tensor there, bit-exact', () => {
    expectLoads(DEV, DEV, `mapLocation ${DEV}`);
  });

  it('loads with mapLocation "cpu", with a record, and with none (the device it was saved from)', () => {
    expectLoads("cpu", "cpu", "mapLocation cpu");
    expectLoads(HAS_CUDA ? { "cuda:0": "cpu" } : { cpu: "cpu" }, "cpu", "mapLocation record");
    expectLoads(undefined, DEV, "no mapLocation");
  });

  it("views saved from the device still share one storage after loading", () => {
    const loaded = torch.load(`${dir}/py_device.pth`, { mapLocation: DEV }) as Loaded;
    try {
      const t = loaded.get("tensors")! as Map<string, T>;
      t.get("base")!.mul_(2); // in place on the base: both views must see it
      torch.tidy(() => {
        expectNear(t.get("slice view"), reference.get("tensors|slice view")!.mul(2), 0, "slice view after base.mul_(2)");
        expectNear(t.get("transposed view"), reference.get("tensors|transposed view")!.mul(2), 0, "transposed view after base.mul_(2)");
      });
    } finally {
      torch.dispose(loaded);
    }
  });

  it("Python's resnet18 state dict drives a torch-ts resnet18 on the device to Python's logits", () => {
    const loaded = torch.load(`${dir}/py_device.pth`, { mapLocation: DEV }) as Loaded;
    try {
      const model = torch.vision.resnet18({ numClasses: 10 }).to(DEV);
      const keys = model.loadStateDict(loaded.get("model") as Map<string, T>);
      expect(keys).toEqual({ missingKeys: [], unexpectedKeys: [] });
      model.eval();
      torch.tidy(() => {
        const logits = torch.noGrad(() => model.call(reference.get("x")!.to(DEV))).cpu();
        // Same GPU and kernels as Python's forward: TF32 tolerance only in case cuDNN picks another algorithm.
        expectNear(logits, reference.get("logits"), TOL.tf32, "resnet18 logits from Python's weights vs PyTorch");
      });
      torch.dispose([...model.parameters(), ...model.buffers()]);
    } finally {
      torch.dispose(loaded);
    }
  });

  it("a checkpoint torch-ts writes from the device loads in PyTorch with weights_only=True: on the device, equal, and into resnet18 and Adam", () => {
    torch.manualSeed(4);
    const model = torch.vision.resnet18({ numClasses: 10 }).to(DEV);
    const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
    torch.tidy(() => {
      const x = torch.randn([2, 3, 32, 32], { device: DEV });
      torch.nn.functional.crossEntropy(model.call(x), torch.tensor([3n, 8n]).to(DEV)).backward();
    });
    opt.step();
    const tensors = new Map<string, T>([
      ["float32", torch.randn([3, 5], { device: DEV })],
      ["float64", torch.randn([4], { device: DEV, dtype: "float64" })],
      ["float16", torch.randn([2, 3], { device: DEV }).half()],
      ["bfloat16", torch.randn([2, 3], { device: DEV }).bfloat16()],
      ["int64", torch.arange(-5, 5, 1, { dtype: "int64", device: DEV })],
      ["bool", torch.tensor([true, false, true]).to(DEV)],
      ["scalar", torch.tensor(2.5).to(DEV)],
    ]);
    const sd = model.stateDict();
    const optSd = opt.stateDict();
    torch.save(new Map<string, unknown>([["model", sd], ["tensors", tensors], ["optimizer", optSd]]), `${dir}/ts_device.pth`);
    // The same values as plain CPU tensors, under the keys Python's check uses.
    const cpu = new Map<string, T>();
    for (const [k, v] of sd) cpu.set(`model|${k}`, v.cpu());
    for (const [k, v] of tensors) cpu.set(`tensors|${k}`, v.cpu());
    for (const [i, s] of optSd.state) for (const [k, v] of s) if (v instanceof torch.Tensor) cpu.set(`optimizer|${i}|${k}`, v.cpu());
    torch.save(cpu, `${dir}/ts_cpu.pth`);
    const res = python<{ problems: string[]; devices: string[]; count: number; loader: string }>("ckpt_read", { file: `${dir}/ts_device.pth`, reference: `${dir}/ts_cpu.pth` });
    note("python read", res);
    expect(res.problems).toEqual([]);
    // Only a dry run's torch 1.13 needs the allowlist fallback (its weights-only unpickler lacks BINFLOAT).
    if (HAS_CUDA) expect(res.loader).toBe("weights_only");
    expect(res.devices.every((d) => d.startsWith(DEV))).toBe(true);
    expect(res.count).toBe(sd.size + tensors.size);
    torch.dispose(sd, tensors, cpu, [...opt.state.values()], [...model.parameters(), ...model.buffers()]);
  });
});
