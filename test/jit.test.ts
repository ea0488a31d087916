// torch.jit against Debian's torch (test/reference/jit.py): TorchScript archives Python wrote —
// scripted modules with control flow, loops, dict / tuple / list outputs, custom methods and
// submodules; traced torchvision resnet18 and mobilenet_v2 — give PyTorch's outputs here; a
// loaded script module trains for 20 Adam steps with torch-ts's optimizer as Python's does;
// torch-ts modules traced and frozen here run in Python with the same outputs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { ReferenceSession } from "./reference/session.js";

const { nn, jit } = torch;
type T = torch.Tensor;

let py: ReferenceSession;
let dir: string;
let answers: { pair1: number[]; describe: string; schema: string; code_has_loop: boolean; losses: number[] };
const file = (name: string) => path.join(dir, name);
const loadMap = (name: string) => torch.load(file(name)) as Map<string, T>;

/** |a - b| <= tol * (1 + |b|) elementwise, with the worst element in the message. */
function expectNear(a: T, b: T, what: string, tol = 1e-5): void {
  expect(a.shape, `${what}: shape`).toEqual(b.shape);
  const worst = torch.noGrad(() => a.detach().sub(b).abs().sub(b.abs().mul(tol)).max().item() as number);
  expect(worst, `${what}: beyond ${tol} abs + rel`).toBeLessThanOrEqual(tol);
}

beforeAll(async () => {
  py = new ReferenceSession("jit.py");
  dir = mkdtempSync(path.join(tmpdir(), "torch-ts-jit-"));
  answers = await py.request({ cmd: "make", dir });
}, 120_000);
afterAll(() => {
  py.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("torch.jit.load of Python's scripted modules", () => {
  it("runs forward with control flow and loops, returning Python's dict", () => {
    const m = jit.load(file("scripted.pt"));
    const ref = loadMap("scripted_out.pth");
    const x = ref.get("x")!;
    expect(answers.code_has_loop).toBe(true);
    for (const out of [m.call(x, 3, 0.5), m.call(x, { n: 3, scale: 0.5 }), m.call(x, 3, { scale: 0.5 })] as Map<string, T>[]) {
      expect(out).toBeInstanceOf(Map);
      expect([...out.keys()]).toEqual(["y", "total", "norm"]);
      for (const key of ["y", "total", "norm"]) expectNear(out.get(key)!, ref.get(key)!, key);
    }
    expect(m.schema()).toBe(answers.schema);
    expect(m.originalName).toBe("Scripted");
  });

  it("runs custom methods: tuples, int lists, tensor lists, dicts and strings both ways", () => {
    const m = jit.load(file("scripted.pt"));
    const ref = loadMap("scripted_out.pth");
    const x = ref.get("x")!;
    const pair = m.runMethod("pair", x, 1.5) as [T, number[]];
    expect(torch.serialization.isTuple(pair)).toBe(true);
    expectNear(pair[0], ref.get("pair0")!, "pair[0]");
    expect(pair[1]).toEqual(answers.pair1);
    const split = m.runMethod("split", x, [2, 3]) as T[];
    const refSplit = ref.get("split") as unknown as T[];
    expect(split).toHaveLength(2);
    split.forEach((t, i) => expectNear(t, refSplit[i]!, `split[${i}]`));
    expect(m.runMethod("describe", new Map([["zeta", 4], ["alpha", 2]]), true)).toBe(answers.describe);
    expect(m.runMethod("describe", { zeta: 4, alpha: 2 }, true)).toBe(answers.describe);
    expect(m.methodNames).toEqual(expect.arrayContaining(["forward", "pair", "split", "describe"]));
  });

  it("exposes submodules, parameters, buffers and attributes as Python does", () => {
    const m = jit.load(file("scripted.pt"));
    expect([...m.stateDict().keys()]).toEqual(["blocks.0.lin.weight", "blocks.0.lin.bias", "blocks.1.lin.weight", "blocks.1.lin.bias", "head.weight", "head.bias"]);
    const lin = m.getSubmodule("blocks.1.lin");
    expect(lin).toBeInstanceOf(jit.ScriptModule);
    expect((lin as torch.jit.ScriptModule).originalName).toBe("Linear");
    expect(m.attr("steps")).toBe(3);
    expect(m.attr("tags")).toEqual(["a", "b"]);
    expect((m.getSubmodule("blocks.0") as torch.jit.ScriptModule).attr("gain")).toBe(0.5);
    m.setAttr("steps", 7);
    expect((m.runMethod("pair", torch.ones([2, 4]), 1) as [T, number[]])[1]).toEqual([2, 4, 7]);
    expect(() => m.setAttr("steps", 1.5)).toThrow(/expected int/);
    expect(() => m.setAttr("nope", 1)).toThrow(/not an attribute/);
  });

  it("refuses bad calls by name, with no crash", () => {
    const m = jit.load(file("scripted.pt"));
    expect(() => m.call("x" as never)).toThrow(/argument 'x' expected Tensor, got string/);
    expect(() => m.call(torch.ones([2, 4]), 1.5)).toThrow(/argument 'n' expected int/);
    expect(() => m.call(torch.ones([2, 4]), { bogus: 1 })).toThrow(/unexpected keyword argument\(s\) 'bogus'/);
    expect(() => m.call(torch.ones([2, 4]), 1, 1, 1)).toThrow(/takes 3 argument/);
    expect(() => m.runMethod("missing")).toThrow(/has no method 'missing'/);
    expect(() => m.call(torch.ones([2, 5]))).toThrow(torch.TorchError);
    expect(() => jit.load(Buffer.from("not a zip"))).toThrow(/not a readable archive/);
    expect(() => torch.load(file("scripted.pt"))).toThrow(/torch\.jit\.load/);
  });
});

describe("traced torchvision models from Python", () => {
  it.each(["resnet18", "mobilenet_v2"])("%s gives PyTorch's outputs (sync and forwardAsync)", async (name) => {
    const m = jit.load(file(`${name}.pt`));
    const ref = loadMap(`${name}_out.pth`);
    const y = torch.noGrad(() => m.call(ref.get("x")!) as T);
    expectNear(y, ref.get("y")!, name, 1e-4);
    const z = await torch.noGrad(async () => m.forwardAsync(ref.get("x")!));
    expectNear(z, y, `${name} forwardAsync`, 1e-6);
  });

  it("a scripted module follows train()/eval(): BatchNorm's batch statistics and buffer updates are Python's", () => {
    const m = jit.load(file("bn.pt"));
    const ref = loadMap("bn_out.pth");
    const x = ref.get("x")!;
    expect(m.training).toBe(false);
    expectNear(torch.noGrad(() => m.call(x) as T), ref.get("eval")!, "eval");
    m.train();
    expectNear(torch.noGrad(() => m.call(x) as T), ref.get("train")!, "train");
    expectNear(m.getSubmodule("1").getAttr("running_mean") as T, ref.get("running_mean")!, "running_mean");
    m.eval();
    expect(torch.noGrad(() => (m.call(x) as T).sub(ref.get("eval")!).abs().max().item() as number)).toBeGreaterThan(1e-4);
  });
});

describe("training a loaded script module", () => {
  it("20 Adam steps with torch-ts's optimizer give Python's losses and weights", () => {
    const m = jit.load(file("mlp.pt"));
    const data = loadMap("mlp_data.pth");
    const opt = new torch.optim.Adam(m.parameters(), { lr: 0.01 });
    const losses: number[] = [];
    for (let i = 0; i < 20; i++) {
      opt.zeroGrad();
      const loss = nn.functional.crossEntropy(m.call(data.get("x")!) as T, data.get("y")!);
      loss.backward();
      opt.step();
      losses.push(loss.item() as number);
      loss.dispose();
    }
    losses.forEach((l, i) => expect(Math.abs(l - answers.losses[i]!), `loss ${i}`).toBeLessThan(1e-5 * (1 + Math.abs(l))));
    const trained = loadMap("mlp_trained.pth");
    for (const [k, v] of m.stateDict()) expectNear(v, trained.get(k)!, k, 1e-5);
  });

  it("moves with Module.to(dtype) and reloads weights with loadStateDict", () => {
    const m = jit.load(file("mlp.pt"));
    const x = loadMap("mlp_data.pth").get("x")!;
    const y32 = torch.noGrad(() => m.call(x) as T);
    m.to("float64");
    expect([...m.parameters()].every((p) => p.dtype === "float64")).toBe(true);
    const y64 = torch.noGrad(() => m.call(x.double()) as T);
    expect(y64.dtype).toBe("float64");
    expectNear(y64.float(), y32, "float64 forward", 1e-5);
    m.to("float32");
    m.loadStateDict(loadMap("mlp_trained.pth"));
    const trained = jit.load(file("mlp.pt"));
    trained.loadStateDict(loadMap("mlp_trained.pth"));
    expectNear(torch.noGrad(() => m.call(x) as T), torch.noGrad(() => trained.call(x) as T), "after loadStateDict", 0);
  });

  it("holds no tensors per call", () => {
    const m = jit.load(file("mlp.pt"));
    const x = loadMap("mlp_data.pth").get("x")!;
    torch.noGrad(() => m.call(x));
    const live = torch.liveTensors();
    for (let i = 0; i < 50; i++) torch.tidy(() => void m.call(x));
    expect(torch.liveTensors()).toBe(live);
  });
});

class TwoHeads extends nn.Module {
  body = new nn.Sequential(new nn.Conv2d(3, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU());
  a = new nn.Linear(8, 4);
  b = new nn.Linear(8, 2);
  forward(x: T, z: T): [T, T] {
    const h = this.body.call(x).mean([2, 3]);
    return [this.a.call(h).add(z), this.b.call(h).softmax(1)];
  }
}

describe("torch-ts modules traced, frozen and saved", () => {
  it("run in Python with the same outputs; optimizeForInference agrees and refuses to be saved", async () => {
    torch.manualSeed(5);
    const r18 = torch.vision.resnet18({ numClasses: 10 }).eval();
    const x = torch.randn([2, 3, 64, 64]);
    const traced = jit.trace(r18, x);
    expect(traced.graph()).toContain("prim::GetAttr");
    const eager = torch.noGrad(() => r18.call(x));
    expectNear(torch.noGrad(() => traced.call(x) as T), eager, "traced", 1e-6);
    traced.save(file("ts_resnet18.pt"));
    torch.save(x, file("ts_resnet18_in.pth"));
    const frozen = jit.freeze(traced);
    expect([...frozen.parameters()]).toHaveLength(0);
    jit.save(frozen, file("ts_resnet18_frozen.pt"));
    torch.save(x, file("ts_resnet18_frozen_in.pth"));
    const fast = jit.optimizeForInference(frozen);
    expectNear(torch.noGrad(() => fast.call(x) as T), eager, "optimizeForInference", 1e-4);
    expect(() => fast.save(file("never.pt"))).toThrow(/optimizeForInference/);

    torch.manualSeed(6);
    const heads = new TwoHeads().eval();
    const inputs = [torch.randn([3, 3, 8, 8]), torch.randn([3, 4])];
    const tracedHeads = jit.trace(heads, inputs);
    tracedHeads.save(file("ts_heads.pt"));
    torch.save(torch.serialization.tuple(...inputs), file("ts_heads_in.pth"));
    const fn = jit.trace((a: T, b: T) => a.mul(b).add(1).relu(), [inputs[1]!, inputs[1]!]);
    fn.save(file("ts_fn.pt"));
    torch.save(torch.serialization.tuple(inputs[1]!, inputs[1]!), file("ts_fn_in.pth"));

    const info = await py.request<Record<string, { type: string; keys: string[] }>>({ cmd: "run", dir, names: ["ts_resnet18", "ts_resnet18_frozen", "ts_heads", "ts_fn"] });
    expect(info.ts_resnet18!.keys).toEqual([...r18.stateDict().keys()]);
    expect(info.ts_resnet18!.type).toBe("ResNet");
    expectNear(torch.load(file("ts_resnet18_py.pth")) as T, eager, "resnet18 in Python", 1e-5);
    expectNear(torch.load(file("ts_resnet18_frozen_py.pth")) as T, eager, "frozen resnet18 in Python", 1e-4);
    const headsPy = torch.load(file("ts_heads_py.pth")) as T[];
    const headsTs = torch.noGrad(() => heads.call(inputs[0]!, inputs[1]!));
    expectNear(headsPy[0]!, headsTs[0], "heads[0] in Python", 1e-5);
    expectNear(headsPy[1]!, headsTs[1], "heads[1] in Python", 1e-5);
    expectNear(torch.load(file("ts_fn_py.pth")) as T, inputs[1]!.mul(inputs[1]!).add(1).relu(), "traced function in Python", 1e-6);
  });

  it("shares the weights with the module it traced, and trains through the script", () => {
    torch.manualSeed(7);
    const net = new nn.Sequential(new nn.Linear(3, 5), new nn.Tanh(), new nn.Linear(5, 1));
    const x = torch.randn([4, 3]);
    const traced = jit.trace(net, x);
    const loss = (traced.call(x) as T).pow(2).sum();
    loss.backward();
    const first = net.getSubmodule("0").getAttr("weight") as T;
    expect(first.grad).not.toBeNull();
    const eagerNet = new nn.Sequential(new nn.Linear(3, 5), new nn.Tanh(), new nn.Linear(5, 1));
    eagerNet.loadStateDict(net.stateDict());
    eagerNet.call(x).pow(2).sum().backward();
    expectNear(first.grad!, (eagerNet.getSubmodule("0").getAttr("weight") as T).grad!, "grad through the script", 1e-6);
    torch.noGrad(() => first.add_(1));
    expectNear(torch.noGrad(() => traced.call(x) as T), torch.noGrad(() => net.call(x)), "after an in-place update", 1e-6);
  });

  it("refuses what it cannot trace, clearly", () => {
    expect(() => jit.trace(new nn.Linear(2, 2), [1 as never])).toThrow(/exampleInputs/);
    expect(() => jit.trace(jit.load(file("mlp.pt")), torch.ones([1, 6]))).toThrow(/already a ScriptModule/);
    expect(() => jit.trace(() => 3, torch.ones([1]))).toThrow(/cannot be passed|TorchScript|traced/);
    const training = jit.trace(new nn.Linear(2, 2), torch.ones([1, 2]));
    expect(() => jit.freeze(training)).toThrow(/training mode/);
  });
});
