// The ResNet family against torchvision (and against the tutorial's bias-everywhere ResNet,
// written the tutorial's way in test/reference/resnet.py): state-dict layout of every
// factory, printed form, eval logits and one training step from Python-initialised weights,
// the constructor options, initialisation (statistics and seeded draws), and memory.
// Weights, inputs and gradients come from Python as raw little-endian bytes in a temp dir.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { runReference } from "./reference/python.js";

const { nn, vision } = torch;
type Arch = torch.vision.Architecture;
type ResNet = torch.vision.ResNet;

// ---- what is asked of Python ----
const ARCHS: Arch[] = [
  "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
  "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2",
];
const STRUCTURE_CLASSES = 10;
const BATCH = [2, 3, 64, 64];
const NUMERIC = [
  { name: "resnet18", arch: "resnet18", numClasses: 5, seed: 1, train: true },
  { name: "resnet50", arch: "resnet50", numClasses: 5, seed: 2, train: true },
  { name: "resnext50_32x4d", arch: "resnext50_32x4d", numClasses: 5, seed: 3, train: true },
  { name: "tutorial50", arch: "tutorial50", numClasses: 7, seed: 4, train: false },
] as const;
const DILATION = { weightsFrom: "resnet50", numClasses: 5 };
const GRAY = { weightsFrom: "resnet18", numClasses: 5, seed: 5 };
const ZERO_INIT: Arch[] = ["resnet18", "resnet50"];
type LayerCase = { block: "BasicBlock" | "Bottleneck"; inplanes: number; planes: number; blocks: number; stride: number; dilate: boolean; dilation?: number; groups?: number; widthPerGroup?: number };
const MAKE_LAYER: LayerCase[] = [
  // stride 1 and inplanes == planes * expansion: no downsample (resnet18's layer1)
  { block: "BasicBlock", inplanes: 64, planes: 64, blocks: 2, stride: 1, dilate: false },
  // channels change: a 1x1 downsample with stride 1
  { block: "BasicBlock", inplanes: 64, planes: 128, blocks: 1, stride: 1, dilate: false },
  // stride 2, same channels: a strided downsample
  { block: "BasicBlock", inplanes: 64, planes: 64, blocks: 2, stride: 2, dilate: false },
  // resnet50's layer1: 64 -> 256 channels needs a downsample at stride 1
  { block: "Bottleneck", inplanes: 64, planes: 64, blocks: 3, stride: 1, dilate: false },
  // a later Bottleneck stage without change: no downsample
  { block: "Bottleneck", inplanes: 256, planes: 64, blocks: 2, stride: 1, dilate: false },
  // dilate turns stride 2 into dilation 2: channels match, so no downsample either
  { block: "Bottleneck", inplanes: 512, planes: 128, blocks: 2, stride: 2, dilate: true },
  // dilate with a channel change, starting from dilation 2 (previous_dilation on block 0)
  { block: "Bottleneck", inplanes: 512, planes: 256, blocks: 2, stride: 2, dilate: true, dilation: 2 },
  // grouped (ResNeXt) widths
  { block: "Bottleneck", inplanes: 256, planes: 128, blocks: 2, stride: 2, dilate: false, groups: 32, widthPerGroup: 4 },
  // BasicBlock cannot dilate: torchvision's error
  { block: "BasicBlock", inplanes: 64, planes: 64, blocks: 2, stride: 2, dilate: true },
];
const ERRORS: [Arch, Record<string, unknown>, torch.vision.ResNetOptions][] = [
  ["resnet18", { replace_stride_with_dilation: [false, false, true] }, { replaceStrideWithDilation: [false, false, true] }],
];
const INIT: Arch[] = ["resnet18", "resnet50"];
const SEEDED: Arch[] = ["resnet18", "resnext50_32x4d"];
const SEED = 0;

// ---- what Python sends back ----
interface Structure { keys: string[]; shapes: number[][]; dtypes: string[]; numParameters: number; children: string[] }
interface Plain { shape: number[]; dtype: string; values: number[] }
interface Entry { shape: number[]; dtype: string; offset: number; nbytes: number }
interface KeyedEntry extends Entry { key: string }
interface NumericRun {
  file: string; state: KeyedEntry[]; x: Entry; y: Plain; evalLogits: Plain;
  trainLogits?: Plain; loss?: number; grads?: KeyedEntry[]; buffers?: KeyedEntry[];
}
interface Ref {
  structure: Record<string, Structure>;
  tutorialStructure: Record<"tutorial18" | "tutorial50", Structure>;
  repr: Record<string, string>;
  numeric: Record<string, NumericRun>;
  dilation: { structure: Structure; repr: string; layer4Shape: number[]; layer4ShapeUndilated: number[]; evalLogits: Plain };
  gray: { file: string; conv1: Entry; x: Entry; evalLogits: Plain; structure: Structure; repr: string };
  zeroInit: Record<string, string[]>;
  makeLayer: ({ structure: Structure; repr: string; inplanes: number; dilation: number } | { error: string })[];
  errors: (string | null)[];
  init: Record<string, { convStd: Record<string, number>; bn: Record<string, number[]> }>;
  seeded: Record<string, Record<string, { sha256: string; head: number[] }>>;
}

let dir: string;
let ref: Ref;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "torch-ts-resnet-"));
  ref = runReference<Ref>("resnet.py", {
    dir, numClasses: STRUCTURE_CLASSES, structure: ARCHS, repr: ["resnet18", "resnet50"], batch: BATCH,
    numeric: NUMERIC, dilation: DILATION, gray: GRAY, zeroInit: ZERO_INIT, makeLayer: MAKE_LAYER,
    errors: ERRORS.map(([a, py]) => [a, py]), init: INIT, seeded: SEEDED, seed: SEED,
  });
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});
// These tests are synchronous and run back to back for about a minute; without a turn of the
// event loop between them the worker cannot read vitest's RPC replies and reports
// "Timeout calling onTaskUpdate" (an unhandled error that fails the run) once 60 s pass.
afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));

// ---- helpers ----
const files = new Map<string, Buffer>();
function bytesOf(file: string): Buffer {
  let b = files.get(file);
  if (b === undefined) files.set(file, (b = readFileSync(file)));
  return b;
}

/** A tensor from Python's bytes: float32 through torch.frombuffer, int64 through a BigInt64Array. */
function load(file: string, e: Entry): torch.Tensor {
  const view = bytesOf(file).subarray(e.offset, e.offset + e.nbytes);
  if (e.dtype === "float32") return torch.frombuffer(view, { dtype: "float32", shape: e.shape });
  if (e.dtype === "int64") {
    const copy = new Uint8Array(view); // aligned copy
    return torch.tensor(new BigInt64Array(copy.buffer), { shape: e.shape });
  }
  throw new Error(`unexpected dtype ${e.dtype}`);
}

function fromPlain(p: Plain): torch.Tensor {
  if (p.dtype === "int64") return torch.tensor(BigInt64Array.from(p.values, (v) => BigInt(v)), { shape: p.shape });
  return torch.tensor(Float32Array.from(p.values), { shape: p.shape });
}

/** model.loadStateDict (strict) from Python's state entries, optionally overriding some keys. */
function loadPython(model: torch.nn.Module, run: { file: string; state: KeyedEntry[] }, override = new Map<string, torch.Tensor>()): void {
  torch.tidy(() => {
    const sd = new Map<string, torch.Tensor>();
    for (const e of run.state) sd.set(e.key, override.get(e.key) ?? load(run.file, e));
    const result = model.loadStateDict(sd);
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
  });
}

function valuesOf(t: torch.Tensor): number[] {
  return torch.tidy(() => Array.from(t.detach().toTypedArray() as ArrayLike<number | bigint>, Number));
}

/** max |a - b| over all elements, computed natively (NaN anywhere gives NaN). */
function maxAbsDiff(a: torch.Tensor, b: torch.Tensor): number {
  return torch.tidy(() => a.detach().sub(b).abs().max().item() as number);
}
function maxAbs(t: torch.Tensor): number {
  return torch.tidy(() => t.detach().abs().max().item() as number);
}

function expectLogits(t: torch.Tensor, want: Plain, what: string, tol = 1e-4): void {
  expect(t.shape, `${what}: shape`).toEqual(want.shape);
  expect(t.dtype, `${what}: dtype`).toBe(want.dtype);
  expect(maxAbsDiff(t, fromPlain(want)), `${what}: max |logit - PyTorch's|`).toBeLessThanOrEqual(tol);
}

function structureOf(model: torch.nn.Module): Structure {
  return torch.tidy(() => {
    const sd = model.stateDict();
    return {
      keys: [...sd.keys()],
      shapes: [...sd.values()].map((t) => t.shape),
      dtypes: [...sd.values()].map((t) => t.dtype as string),
      numParameters: model.numParameters(),
      children: [...model.namedChildren()].map(([n]) => n),
    };
  });
}

/** Frees a model's native tensors at once (the big factories hold up to 0.5 GB). */
function free(model: torch.nn.Module): void {
  for (const p of model.parameters()) {
    const g = p.grad;
    if (g !== null) { p.grad = null; g.dispose(); }
    p.dispose();
  }
  for (const b of model.buffers()) b.dispose();
}

function withModel<M extends torch.nn.Module, T>(model: M, fn: (m: M) => T): T {
  try {
    return fn(model);
  } finally {
    free(model);
  }
}

function sha256(t: torch.Tensor): string {
  const a = torch.tidy(() => t.detach().toTypedArray());
  return createHash("sha256").update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest("hex");
}

/** The network up to layer4 (torchvision's forward without avgpool and fc). */
function layer4Of(m: ResNet, x: torch.Tensor): torch.Tensor {
  let y = m.maxpool.call(m.relu.call(m.bn1.call(m.conv1.call(x) as torch.Tensor) as torch.Tensor));
  for (const layer of [m.layer1, m.layer2, m.layer3, m.layer4]) y = layer.call(y) as torch.Tensor;
  return y;
}

// ---------------------------------------------------------------------------------------
describe("architectures match torchvision", () => {
  it.each(ARCHS)("%s: state-dict keys (in order), shapes, dtypes, parameter count, children", (arch) => {
    withModel(vision.architectures[arch]({ numClasses: STRUCTURE_CLASSES }), (m) => {
      const want = ref.structure[arch]!;
      const got = structureOf(m);
      expect(got.keys).toEqual(want.keys);
      expect(got.shapes).toEqual(want.shapes);
      expect(got.dtypes).toEqual(want.dtypes);
      expect(got.numParameters).toBe(want.numParameters);
      expect(got.children).toEqual(want.children);
    });
  });

  it.each(["resnet18", "resnet50"] as const)("%s prints as torchvision's str(model)", (arch) => {
    withModel(vision.architectures[arch](), (m) => expect(String(m)).toBe(ref.repr[arch]));
  });
});

// ---------------------------------------------------------------------------------------
describe("Python-initialised weights give PyTorch's outputs", () => {
  const trained = NUMERIC.filter((c) => c.train);

  it.each(trained.map((c) => c.name))("%s: eval-mode logits within 1e-4", (name) => {
    const c = NUMERIC.find((n) => n.name === name)!;
    const run = ref.numeric[name]!;
    withModel(vision.architectures[c.arch as Arch]({ numClasses: c.numClasses }), (m) => {
      loadPython(m, run);
      m.eval();
      torch.tidy(() => torch.noGrad(() => expectLogits(m.call(load(run.file, run.x)), run.evalLogits, `${name} eval`)));
      // eval mode did not touch the (randomised) running statistics
      torch.tidy(() => {
        const want = new Map(run.state.map((e) => [e.key, e]));
        for (const [k, b] of m.namedBuffers()) {
          const loaded = load(run.file, want.get(k)!);
          if (b.dtype === "int64") expect(valuesOf(b), k).toEqual(valuesOf(loaded));
          else expect(maxAbsDiff(b, loaded), k).toBe(0);
        }
      });
    });
  });

  // Gradient measure: per tensor, max|g_ts - g_py| <= 1e-4 * (max|g_py| + 1e-8), i.e. the
  // infinity-norm relative error. An element-wise relative error is meaningless here: many
  // gradient entries are sums of large terms of both signs that nearly cancel, so their
  // float32 rounding error is proportional to the size of the terms (on the order of the
  // tensor's largest entries), not to the tiny result. Scaling by the tensor's largest
  // magnitude measures exactly that; the 1e-8 floor keeps an all-zero gradient comparable.
  it.each(trained.map((c) => c.name))("%s: train-mode loss, every gradient, BN running stats after one step", (name) => {
    const c = NUMERIC.find((n) => n.name === name)!;
    const run = ref.numeric[name]!;
    withModel(vision.architectures[c.arch as Arch]({ numClasses: c.numClasses }), (m) => {
      loadPython(m, run);
      m.train();
      const criterion = new nn.CrossEntropyLoss();
      torch.tidy(() => {
        const logits = m.call(load(run.file, run.x));
        const loss = criterion.call(logits, fromPlain(run.y));
        loss.backward();
        expectLogits(logits, run.trainLogits!, `${name} train logits`);
        expect(Math.abs((loss.item() as number) - run.loss!), "loss vs PyTorch's").toBeLessThanOrEqual(1e-5);
      });

      const grads = run.grads!;
      expect([...m.namedParameters()].map(([k]) => k)).toEqual(grads.map((g) => g.key));
      const params = new Map(m.namedParameters());
      const bad: string[] = [];
      torch.tidy(() => {
        for (const e of grads) {
          const g = params.get(e.key)!.grad;
          expect(g, `${e.key}.grad`).not.toBeNull();
          expect(g!.shape, `${e.key}.grad shape`).toEqual(e.shape);
          const want = load(run.file, e);
          const err = maxAbsDiff(g!, want);
          if (!(err <= 1e-4 * (maxAbs(want) + 1e-8))) bad.push(`${e.key}: max err ${err} vs max |g| ${maxAbs(want)}`);
        }
      });
      expect(bad, "gradients beyond 1e-4 relative (inf-norm)").toEqual([]);

      const buffers = run.buffers!;
      const mine = new Map(m.namedBuffers());
      expect([...mine.keys()]).toEqual(buffers.map((b) => b.key));
      torch.tidy(() => {
        for (const e of buffers) {
          const got = mine.get(e.key)!;
          expect(got.dtype, e.key).toBe(e.dtype);
          const want = load(run.file, e);
          if (e.dtype === "int64") expect(valuesOf(got), e.key).toEqual(valuesOf(want));
          else expect(maxAbsDiff(got, want), `${e.key} vs PyTorch's`).toBeLessThanOrEqual(1e-5);
        }
      });
    });
  });
});

// ---------------------------------------------------------------------------------------
describe("the tutorial's variant (convBias: every convolution has a bias, a Flatten child)", () => {
  it("resnet50({ convBias: true }) has the tutorial model's keys, shapes and children, in order", () => {
    const want = ref.tutorialStructure.tutorial50;
    withModel(vision.resnet50({ convBias: true, numClasses: STRUCTURE_CLASSES }), (m) => {
      const got = structureOf(m);
      expect(got.keys).toEqual(want.keys);
      expect(got.shapes).toEqual(want.shapes);
      expect(got.dtypes).toEqual(want.dtypes);
      expect(got.numParameters).toBe(want.numParameters);
      expect(got.children).toEqual(want.children);
      expect(m.flatten).toBeInstanceOf(nn.Flatten);
    });
    // The class-based spelling builds the same model.
    withModel(new vision.ResNet(vision.BottleBlock, [3, 4, 6, 3], { convBias: true, numClasses: STRUCTURE_CLASSES }), (m) => {
      expect(structureOf(m)).toEqual(want);
    });
  });

  it("resnet18({ convBias: true }) has the tutorial BasicBlock model's keys, shapes and children", () => {
    withModel(vision.resnet18({ convBias: true, numClasses: STRUCTURE_CLASSES }), (m) => {
      expect(structureOf(m)).toEqual(ref.tutorialStructure.tutorial18);
    });
  });

  it("loads the tutorial model's Python weights strictly and gives its eval logits", () => {
    const run = ref.numeric.tutorial50!;
    withModel(vision.resnet50({ convBias: true, numClasses: 7 }), (m) => {
      expect(torch.tidy(() => [...m.stateDict().keys()])).toEqual(run.state.map((e) => e.key));
      loadPython(m, run);
      m.eval();
      torch.tidy(() => torch.noGrad(() => expectLogits(m.call(load(run.file, run.x)), run.evalLogits, "tutorial50 eval")));
    });
  });
});

// ---------------------------------------------------------------------------------------
describe("options", () => {
  it.each(ZERO_INIT)("%s: zeroInitResidual zeroes exactly the BN weights torchvision zeroes", (arch) => {
    for (const flag of [true, false]) {
      withModel(vision.architectures[arch]({ zeroInitResidual: flag }), (m) => {
        const zeroed = [...m.namedModules()]
          .filter(([, mod]) => mod instanceof nn.BatchNorm2d && valuesOf((mod as torch.nn.BatchNorm2d).weight!).every((v) => v === 0))
          .map(([n]) => `${n}.weight`);
        expect(zeroed, `zeroInitResidual: ${flag}`).toEqual(ref.zeroInit[`${arch}:${flag}`]);
      });
    }
    // and those are bn2 of every BasicBlock / bn3 of every Bottleneck
    expect(ref.zeroInit[`${arch}:true`]!.every((k) => k.endsWith(arch === "resnet18" ? ".bn2.weight" : ".bn3.weight"))).toBe(true);
  });

  it("resnet50 replaceStrideWithDilation [false, true, true]: torchvision's keys, repr, layer4 and output shapes, logits", () => {
    const d = ref.dilation;
    const run = ref.numeric[DILATION.weightsFrom]!;
    withModel(vision.resnet50({ numClasses: DILATION.numClasses, replaceStrideWithDilation: [false, true, true] }), (m) => {
      expect(structureOf(m)).toEqual(d.structure);
      expect(String(m)).toBe(d.repr);
      loadPython(m, run);
      m.eval();
      torch.tidy(() => torch.noGrad(() => {
        const x = load(run.file, run.x);
        expect(layer4Of(m, x).shape).toEqual(d.layer4Shape);
        expectLogits(m.call(x), d.evalLogits, "dilated resnet50 eval");
      }));
    });
    // the undilated model's layer4 is smaller, as in torchvision
    withModel(vision.resnet50({ numClasses: DILATION.numClasses }), (m) => {
      m.eval();
      torch.tidy(() => torch.noGrad(() => {
        expect(layer4Of(m, load(run.file, run.x)).shape).toEqual(d.layer4ShapeUndilated);
      }));
    });
  });

  it("inChannels: 1 builds torchvision's resnet18 with a 1-channel conv1 and runs a 1x28x28 batch", () => {
    const g = ref.gray;
    const run = ref.numeric[GRAY.weightsFrom]!;
    withModel(vision.resnet18({ inChannels: 1, numClasses: GRAY.numClasses }), (m) => {
      expect(structureOf(m)).toEqual(g.structure);
      expect(String(m)).toBe(g.repr);
      const conv1 = load(g.file, g.conv1);
      loadPython(m, run, new Map([["conv1.weight", conv1]]));
      conv1.dispose();
      m.eval();
      torch.tidy(() => torch.noGrad(() => {
        const out = m.call(load(g.file, g.x));
        expect(out.shape).toEqual([g.x.shape[0], GRAY.numClasses]);
        expectLogits(out, g.evalLogits, "grayscale resnet18 eval");
      }));
    });
  });

  it.each(MAKE_LAYER.map((c, i) => [`${c.block} ${c.inplanes}->${c.planes}x${c.block === "BasicBlock" ? 1 : 4} stride ${c.stride}${c.dilate ? " dilate" : ""}${c.groups ? ` groups ${c.groups}` : ""}`, i] as const))(
    "makeLayer: %s gives _make_layer's blocks (downsample only when stride or channels change)", (_label, i) => {
      const c = MAKE_LAYER[i]!;
      const want = ref.makeLayer[i]!;
      const block = c.block === "BasicBlock" ? vision.BasicBlock : vision.Bottleneck;
      withModel(new vision.ResNet(block, [1, 1, 1, 1], { groups: c.groups, widthPerGroup: c.widthPerGroup }), (m) => {
        m.inplanes = c.inplanes;
        m.dilation = c.dilation ?? 1;
        if ("error" in want) {
          expect(() => m.makeLayer(block, c.planes, c.blocks, c.stride, c.dilate)).toThrow(want.error);
          return;
        }
        withModel(m.makeLayer(block, c.planes, c.blocks, c.stride, c.dilate), (seq) => {
          const got = structureOf(seq);
          expect(got).toEqual(want.structure);
          expect(String(seq)).toBe(want.repr);
          expect(m.inplanes).toBe(want.inplanes);
          expect(m.dilation).toBe(want.dilation);
          // the rule itself, stated on the keys
          const hasDownsample = got.keys.some((k) => k.startsWith("0.downsample."));
          const expectDownsample = (c.dilate ? 1 : c.stride) !== 1 || c.inplanes !== c.planes * block.expansion;
          expect(hasDownsample).toBe(expectDownsample);
        });
      });
    });

  it.each(ERRORS.map(([a, py], i) => [`${a} ${JSON.stringify(py)}`, i] as const))("%s fails as torchvision does", (_label, i) => {
    const [arch, , ts] = ERRORS[i]!;
    const want = ref.errors[i];
    expect(want, "torchvision raised").toBeTypeOf("string");
    expect(() => vision.architectures[arch](ts)).toThrow(want!);
  });

  it.each(INIT)("%s: kaiming_normal_(fan_out, relu) conv weights, BN weight 1 / bias 0 / fresh running stats", (arch) => {
    const want = ref.init[arch]!;
    withModel(vision.architectures[arch]({ numClasses: STRUCTURE_CLASSES }), (m) => {
      const convs = [...m.namedModules()].filter(([, mod]) => mod instanceof nn.Conv2d) as [string, torch.nn.Conv2d][];
      expect(convs.map(([n]) => `${n}.weight`)).toEqual(Object.keys(want.convStd));
      const bad: string[] = [];
      for (const [n, conv] of convs) {
        // Every conv here has >= 4096 weights (resnet50's layer1.0.conv1, 64x64x1x1, is the
        // smallest): a sample std's relative error is ~1/sqrt(2n) <= 1.1%, so 10% is ~9 sigma.
        expect(conv.weight.numel()).toBeGreaterThanOrEqual(4096);
        const std = torch.tidy(() => conv.weight.detach().std().item() as number);
        const mean = torch.tidy(() => conv.weight.detach().mean().item() as number);
        const expected = want.convStd[`${n}.weight`]!;
        if (Math.abs(std - expected) > 0.1 * expected || Math.abs(mean) > 0.1 * expected) bad.push(`${n}: std ${std} mean ${mean} vs std ${expected}`);
      }
      expect(bad).toEqual([]);
      const bn: Record<string, number[]> = {};
      for (const [n, mod] of m.namedModules()) {
        if (!(mod instanceof nn.BatchNorm2d)) continue;
        for (const [k, t] of [...mod.namedParameters(), ...mod.namedBuffers()]) bn[`${n}.${k}`] = [...new Set(valuesOf(t))].sort((a, b) => a - b);
      }
      expect(bn).toEqual(want.bn);
    });
  });

  it.each(SEEDED)("%s: torch.manualSeed gives bit-identical weights twice, equal to torchvision's under torch.manual_seed", (arch) => {
    const hashes = () => {
      torch.manualSeed(SEED);
      return withModel(vision.architectures[arch](), (m) => torch.tidy(() => {
        const out: Record<string, { sha256: string; head: number[] }> = {};
        for (const [k, t] of m.stateDict()) out[k] = { sha256: sha256(t), head: valuesOf(t.reshape([-1]).narrow(0, 0, Math.min(4, t.numel()))) };
        return out;
      }));
    };
    const first = hashes();
    const second = hashes();
    expect(second).toEqual(first);
    // key by key, so a mismatch names the first tensor drawn differently
    const want = ref.seeded[arch]!;
    expect(Object.keys(first)).toEqual(Object.keys(want));
    for (const k of Object.keys(want)) expect(first[k], k).toEqual(want[k]);
  });
});

// ---------------------------------------------------------------------------------------
describe("memory", () => {
  it("20 forward+backward passes of resnet18 leave liveTensors() flat", () => {
    torch.manualSeed(0);
    withModel(vision.resnet18({ numClasses: 4 }), (m) => {
      const criterion = new nn.CrossEntropyLoss();
      const x = torch.randn([2, 3, 32, 32]);
      const y = torch.tensor(BigInt64Array.from([1n, 3n]));
      m.train();
      const before = torch.liveTensors();
      const counts: number[] = [];
      for (let i = 0; i < 20; i++) {
        m.zeroGrad();
        torch.tidy(() => {
          const loss = criterion.call(m.call(x), y);
          loss.backward();
        });
        counts.push(torch.liveTensors());
      }
      // Every step ends with as many live tensors as before the loop: the forward's
      // temporaries, the loss and the autograd graph are freed (grads live inside the
      // parameters, without JS handles, and zeroGrad() releases them each step).
      expect(counts).toEqual(counts.map(() => before));
      // the steps did train: grads exist until zeroGrad()
      torch.tidy(() => {
        expect([...m.parameters()].every((p) => p.grad !== null)).toBe(true);
      });
      m.zeroGrad();
      expect(torch.liveTensors()).toBe(before);
      torch.dispose(x, y);
    });
  });
});
