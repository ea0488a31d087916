// Conv/Linear–BatchNorm fusion for inference against Python's torch.nn.utils.fusion and
// torch.ao.quantization.fuse_modules (test/reference/fusion.py): fused weights, state-dict
// keys in order, outputs, and what fusion must not do (draw random numbers, leak tensors,
// change a model it refuses, drop a channels-last layout).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { runReference } from "./reference/python.js";

const { nn, vision } = torch;

type LayerCase = {
  name: string; kind: "conv" | "linear"; seed: number; in: number; out: number; bias: boolean; eps: number;
  kernel?: number; stride?: number; padding?: number; dilation?: number; groups?: number; affine?: boolean;
};
const conv = (c: Partial<LayerCase> & { name: string; seed: number }): LayerCase => ({
  kind: "conv", in: 4, out: 6, bias: false, eps: 1e-5, kernel: 3, stride: 1, padding: 1, dilation: 1, groups: 1, affine: true, ...c,
});
const LAYERS: LayerCase[] = [
  conv({ name: "conv_nobias", seed: 1 }),
  conv({ name: "conv_bias", seed: 2, bias: true }),
  conv({ name: "conv_grouped_strided", seed: 3, in: 6, groups: 2, stride: 2, dilation: 2, padding: 2, eps: 1e-3 }),
  conv({ name: "conv_bn_not_affine", seed: 4, bias: true, affine: false, kernel: 1, padding: 0 }),
  { name: "linear", kind: "linear", seed: 5, in: 7, out: 5, bias: true, eps: 1e-5 },
  { name: "linear_nobias", kind: "linear", seed: 6, in: 7, out: 5, bias: false, eps: 1e-4 },
];
const MODELS = [
  { name: "resnet18", arch: "resnet18", numClasses: 5, seed: 7, input: [2, 3, 64, 64] },
  { name: "resnet50", arch: "resnet50", numClasses: 5, seed: 8, input: [1, 3, 64, 64] },
  { name: "stem", arch: "stem", seed: 9, input: [2, 3, 10, 10] },
] as const;

interface Ref {
  layers: Record<string, string>;
  models: Record<string, { file: string; fusedKeys: string[]; groups: string[][]; repr: string | null }>;
}

let dir: string;
let ref: Ref;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "torch-ts-fusion-"));
  ref = runReference<Ref>("fusion.py", { dir, layers: LAYERS, models: MODELS });
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Record_ = Map<string, unknown>;
const sd = (r: Record_, key: string) => r.get(key) as Map<string, torch.Tensor>;
const tensorOf = (r: Record_, key: string) => r.get(key) as torch.Tensor;

const bytesOf = (t: torch.Tensor) => {
  const a = t.detach().toTypedArray() as ArrayBufferView;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
};

function expectEqualTensor(actual: torch.Tensor, expected: torch.Tensor, label: string): void {
  expect(actual.shape, label).toEqual(expected.shape);
  expect(actual.dtype, label).toBe(expected.dtype);
  expect(bytesOf(actual).equals(bytesOf(expected)), `${label} bit-exact`).toBe(true);
}

function maxAbsDiff(a: torch.Tensor, b: torch.Tensor): number {
  return torch.tidy(() => a.sub(b).abs().max().item() as number);
}

function buildLayer(c: LayerCase): [torch.nn.Conv2d | torch.nn.Linear, torch.nn.BatchNorm2d | torch.nn.BatchNorm1d] {
  if (c.kind === "conv") {
    return [
      new nn.Conv2d(c.in, c.out, c.kernel!, { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups, bias: c.bias }),
      new nn.BatchNorm2d(c.out, { eps: c.eps, affine: c.affine }),
    ];
  }
  return [new nn.Linear(c.in, c.out, { bias: c.bias }), new nn.BatchNorm1d(c.out, { eps: c.eps })];
}

describe("fuseConvBnEval / fuseLinearBnEval", () => {
  for (const c of LAYERS) {
    it(`${c.name}: the fused weight and bias are Python's, bit for bit, and so is the output`, () => {
      const r = torch.load(ref.layers[c.name]!) as Record_;
      const [layer, bn] = buildLayer(c);
      expect(layer.loadStateDict(sd(r, "layer"))).toEqual({ missingKeys: [], unexpectedKeys: [] });
      expect(bn.loadStateDict(sd(r, "bn"))).toEqual({ missingKeys: [], unexpectedKeys: [] });
      layer.eval();
      bn.eval();
      const live = torch.liveTensors();
      const fused = layer instanceof nn.Conv2d
        ? nn.utils.fuseConvBnEval(layer, bn as torch.nn.BatchNorm2d)
        : nn.utils.fuseLinearBnEval(layer, bn as torch.nn.BatchNorm1d);
      expect(torch.liveTensors() - live).toBe(2); // its weight and bias; every temporary freed
      expect(fused).not.toBe(layer);
      expect(fused.training).toBe(false);
      const expected = sd(r, "fused");
      expect([...fused.stateDict().keys()]).toEqual([...expected.keys()]);
      expectEqualTensor(fused.weight, expected.get("weight")!, "weight");
      expectEqualTensor(fused.bias!, expected.get("bias")!, "bias");
      expect(fused.weight.requiresGrad && fused.bias!.requiresGrad).toBe(true); // nn.Parameter, as in Python
      torch.tidy(() => torch.noGrad(() => {
        const y = fused.call(tensorOf(r, "x"));
        expectEqualTensor(y, tensorOf(r, "fused_y"), "fused output");
        expect(maxAbsDiff(y, tensorOf(r, "unfused_y"))).toBeLessThan(1e-4);
        // The inputs are left as they were: the unfused pair still gives Python's unfused output.
        expect(maxAbsDiff(bn.call(layer.call(tensorOf(r, "x"))), tensorOf(r, "unfused_y"))).toBeLessThan(1e-6);
      }));
      torch.dispose(r, [...fused.parameters()], [...layer.parameters()], [...bn.parameters()], [...bn.buffers()]);
    });
  }

  it("fuseConvBnWeights is the same arithmetic as fuseConvBnEval", () => {
    const r = torch.load(ref.layers.conv_bias!) as Record_;
    const layer = sd(r, "layer");
    const bn = sd(r, "bn");
    const [w, b] = nn.utils.fuseConvBnWeights(layer.get("weight")!, layer.get("bias")!, bn.get("running_mean")!, bn.get("running_var")!, 1e-5,
      bn.get("weight")!, bn.get("bias")!);
    expectEqualTensor(w, sd(r, "fused").get("weight")!, "weight");
    expectEqualTensor(b, sd(r, "fused").get("bias")!, "bias");
    torch.dispose(r, w, b);
  });

  it("keeps a channels-last weight channels-last", () => {
    const c = new nn.Conv2d(4, 6, 3).to({ memoryFormat: "channelsLast" }).eval();
    const bn = new nn.BatchNorm2d(6).eval();
    const fused = nn.utils.fuseConvBnEval(c, bn);
    expect(fused.weight.isContiguous({ memoryFormat: "channelsLast" })).toBe(true);
    expect(fused.weight.isContiguous()).toBe(false);
    torch.dispose([...c.parameters()], [...bn.parameters()], [...bn.buffers()], [...fused.parameters()]);
  });

  it("refuses what cannot be folded, with errors that say why", () => torch.tidy(() => { // frees the throwaway layers
    const c = new nn.Conv2d(3, 4, 1);
    const bn = new nn.BatchNorm2d(4);
    expect(() => nn.utils.fuseConvBnEval(c, bn)).toThrow(/Fusion only for eval.*model\.eval\(\)/);
    c.eval();
    bn.eval();
    expect(() => nn.utils.fuseConvBnEval(c, new nn.BatchNorm2d(4, { trackRunningStats: false }).eval())).toThrow(/no running statistics/);
    expect(() => nn.utils.fuseConvBnEval(c, new nn.BatchNorm2d(5).eval())).toThrow(/BatchNorm2d has 5 features but the Conv2d has 4 outputs/);
    expect(() => nn.utils.fuseConvBnEval(c, new nn.BatchNorm1d(4).eval() as never)).toThrow(/bn.*nn\.BatchNorm2d/);
    expect(() => nn.utils.fuseConvBnEval(new nn.Linear(3, 4).eval() as never, bn)).toThrow(/conv.*nn\.Conv2d/);
    expect(() => nn.utils.fuseLinearBnEval(new nn.Linear(3, 4).eval(), new nn.BatchNorm1d(4, { affine: false }).eval())).toThrow(/affine/);
    expect(() => nn.utils.fuseConvBnWeights(c.weight, null, bn.runningMean!, bn.runningVar!, Number.NaN, null, null)).toThrow(/bnEps/);
  }));
});

describe("fuseModules and ResNet.fuseModel", () => {
  for (const m of MODELS) {
    it(`${m.name}: the fused model has Python's state-dict keys and values, in order, and its outputs`, () => {
      const r = torch.load(ref.models[m.name]!.file) as Record_;
      const model = m.arch === "stem"
        ? new nn.Sequential(new nn.Conv2d(3, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU(), new nn.Conv2d(8, 4, 1), new nn.ReLU())
        : vision.architectures[m.arch]({ numClasses: m.numClasses });
      expect(model.loadStateDict(sd(r, "state"))).toEqual({ missingKeys: [], unexpectedKeys: [] });
      model.eval();
      const x = tensorOf(r, "x");
      torch.tidy(() => torch.noGrad(() => {
        expect(maxAbsDiff(model.call(x), tensorOf(r, "unfused_y"))).toBeLessThan(1e-4);
      }));
      if (model instanceof vision.ResNet) model.fuseModel();
      else nn.utils.fuseModules(model, ref.models[m.name]!.groups);
      if (m.arch === "stem") expect(String(model).replace(/ConvReLU2d|Sequential/g, "S")).toBe(ref.models.stem!.repr!.replace(/ConvReLU2d|Sequential/g, "S"));
      const fused = model.stateDict();
      expect([...fused.keys()]).toEqual(ref.models[m.name]!.fusedKeys);
      for (const [k, v] of sd(r, "fused")) expectEqualTensor(fused.get(k)!, v, k);
      torch.tidy(() => torch.noGrad(() => {
        const y = model.call(x);
        const scale = torch.tidy(() => tensorOf(r, "fused_y").abs().max().item() as number);
        expect(maxAbsDiff(y, tensorOf(r, "fused_y"))).toBeLessThan(1e-5 * Math.max(1, scale));
        expect(maxAbsDiff(y, tensorOf(r, "unfused_y"))).toBeLessThan(1e-4 * Math.max(1, scale));
      }));
      torch.dispose(r, [...model.parameters()], [...model.buffers()]);
    });
  }

  it("fuseModel draws no random numbers and leaves the BatchNorms as Identity", () => {
    const model = vision.resnet18({ numClasses: 3 }).eval();
    torch.manualSeed(123);
    model.fuseModel();
    const after = torch.randn(4);
    torch.manualSeed(123);
    const expected = torch.randn(4);
    expect(bytesOf(after).equals(bytesOf(expected))).toBe(true);
    expect(model.bn1).toBeInstanceOf(nn.Identity);
    expect(model.getSubmodule("layer1.0.bn2")).toBeInstanceOf(nn.Identity);
    expect([...model.modules()].some((m) => m instanceof nn.BatchNorm2d)).toBe(false);
    expect(() => model.fuseModel()).toThrow(/cannot fuse modules \(Conv2d, Identity\)/);
    torch.dispose(after, expected, [...model.parameters()], [...model.buffers()]);
  });

  it("refuses a bad call and leaves the model untouched", () => {
    const model = new nn.Sequential(new nn.Conv2d(3, 4, 1), new nn.BatchNorm2d(4), new nn.Linear(4, 2), new nn.BatchNorm2d(2)).eval();
    const before = [...model.stateDict().keys()];
    expect(() => nn.utils.fuseModules(model, [["0", "1"], ["2", "3"]])).toThrow(/cannot fuse modules \(Linear, BatchNorm2d\)/);
    expect(() => nn.utils.fuseModules(model, [["0", "1"], ["2", "9"]])).toThrow(/Sequential has no child module "9"/);
    expect(() => nn.utils.fuseModules(model, [["0"]])).toThrow(/two or more/);
    expect(() => nn.utils.fuseModules(model, [])).toThrow(/modulesToFuse/);
    model.train();
    expect(() => nn.utils.fuseModules(model, ["0", "1"])).toThrow(/Fusion only for eval/);
    expect([...model.stateDict().keys()]).toEqual(before);
    expect(model.get(1)).toBeInstanceOf(nn.BatchNorm2d);
    torch.dispose([...model.parameters()], [...model.buffers()]);
  });
});

describe("Module.getSubmodule / setSubmodule", () => {
  it("walk dotted paths, rebind the owner's field as Python's setattr does, and name what is missing", () => {
    const model = vision.resnet18({ numClasses: 2 });
    const block = model.layer1.get<torch.vision.BasicBlock>(0);
    expect(model.getSubmodule("layer1.0")).toBe(block);
    expect(model.getSubmodule("")).toBe(model);
    const replacement = new nn.Identity();
    model.setSubmodule("layer1.0.bn1", replacement);
    expect(block.bn1).toBe(replacement); // the field forward() reads
    expect(model.getSubmodule("layer1.0.bn1")).toBe(replacement);
    expect([...model.stateDict().keys()].some((k) => k.startsWith("layer1.0.bn1."))).toBe(false);
    expect(() => model.getSubmodule("layer9")).toThrow(/ResNet has no child module "layer9"/);
    expect(() => model.setSubmodule("layer1.0.bn9", replacement)).toThrow(/BasicBlock has no child module "bn9"/);
    expect(() => model.setSubmodule("layer1.0.bn1", {} as never)).toThrow(/module/);
    expect(() => model.setSubmodule("", replacement)).toThrow(/target/);
    torch.dispose([...model.parameters()], [...model.buffers()]);
  });
});
