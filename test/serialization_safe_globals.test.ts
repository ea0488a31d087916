// Checkpoints that hold Python objects besides tensors: torchvision's reference train.py
// checkpoint (its argparse.Namespace args), user classes, dict/list subclasses, and hostile
// globals. Python (one process) writes the files; expected values are Python's own.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { runReference } from "./reference/python.js";

const { PythonObject, PythonGlobal, UnpicklingError, addSafeGlobals, getSafeGlobals, clearSafeGlobals, safeGlobals } = torch.serialization;

interface Plain { shape: number[]; values: number[] }
interface Ref {
  train: {
    file: string; legacy: string; io: string; args: Record<string, unknown>; keys: string[];
    momentumSums: Record<string, number>; paramGroups: Record<string, unknown>[]; scheduler: Record<string, unknown>;
  };
  objects: { file: string; legacy: string; cfg: { name: string; scale: Plain; layers: number[] }; path: string; counts: Record<string, number>; dd: Record<string, number[]> };
  hostile: { files: Record<string, string>; marker: string };
}

let dir: string;
let ref: Ref;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "torch-ts-safe-globals-"));
  ref = runReference<Ref>("serialization_safe_globals.py", { dir });
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});
afterEach(() => clearSafeGlobals());

const valuesOf = (t: torch.Tensor): number[] => Array.from(t.toTypedArray() as Float32Array);
const get = (v: unknown, key: string): unknown => (v as Map<string, unknown>).get(key);

function loadError(f: string, options?: torch.LoadOptions): Error {
  let result: unknown;
  try {
    result = torch.load(f, options);
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    return err as Error;
  }
  torch.dispose(result);
  throw new Error("expected torch.load to throw");
}

/** The train.py checkpoint's parts other than args, checked against Python's. */
function expectTrainCheckpoint(ckpt: Map<string, unknown>): void {
  expect([...ckpt.keys()]).toEqual(ref.train.keys);
  expect(ckpt.get("epoch")).toBe(0);
  const opt = ckpt.get("optimizer") as Map<string, unknown>;
  const state = opt.get("state") as Map<number, Map<string, torch.Tensor>>;
  const sums = Object.fromEntries([...state].map(([k, v]) => [String(k), v.get("momentum_buffer")!.double().sum().item() as number]));
  expect(Object.keys(sums)).toEqual(Object.keys(ref.train.momentumSums));
  for (const [k, s] of Object.entries(ref.train.momentumSums)) expect(sums[k]).toBeCloseTo(s, 6);
  const groups = (opt.get("param_groups") as Map<string, unknown>[]).map((g) => Object.fromEntries(g));
  expect(groups).toEqual(ref.train.paramGroups);
  expect(Object.fromEntries(ckpt.get("lr_scheduler") as Map<string, unknown>)).toEqual(ref.train.scheduler);
}

/** The checkpoint's model, strictly into vision.resnet18, gives Python's eval output. */
function expectModelRuns(sd: Map<string, torch.Tensor>): void {
  const model = torch.vision.resnet18();
  expect(model.loadStateDict(sd, { strict: true })).toEqual({ missingKeys: [], unexpectedKeys: [] });
  model.eval();
  const io = torch.load(ref.train.io) as Map<string, torch.Tensor>;
  torch.tidy(() => {
    const y = torch.noGrad(() => model.call(io.get("x")!)) as torch.Tensor;
    expect(y.shape).toEqual(io.get("y")!.shape);
    const scale = 1 + (io.get("y")!.abs().max().item() as number);
    expect(y.sub(io.get("y")!).abs().max().item()).toBeLessThan(1e-5 * scale); // NaN fails too
  });
  torch.dispose(io, model.stateDict());
}

describe("torchvision's reference train.py checkpoint (model, optimizer, lr_scheduler, epoch, argparse.Namespace args)", () => {
  it("is refused by default, with an error that names the global and says how to allow it", () => {
    const err = loadError(ref.train.file);
    expect(err).toBeInstanceOf(UnpicklingError);
    expect(err.message).toMatch(/^Unsupported global: GLOBAL argparse\.Namespace was not an allowed global by default/);
    expect(err.message).toContain('torch.serialization.addSafeGlobals(["argparse.Namespace"])');
    expect(err.message).toContain("{ inert: true }");
  });

  it("loads with safeGlobals: args come back as Python's vars(args); the model runs in vision.resnet18", () => {
    const ckpt = safeGlobals(["argparse.Namespace"], () => torch.load(ref.train.file)) as Map<string, unknown>;
    const args = ckpt.get("args");
    expect(Object.getPrototypeOf(args)).toBe(Object.prototype);
    expect(args).toEqual(ref.train.args);
    expect(Object.keys(args as object)).toEqual(Object.keys(ref.train.args)); // attribute order kept
    expectTrainCheckpoint(ckpt);
    expectModelRuns(ckpt.get("model") as Map<string, torch.Tensor>);
    torch.dispose(ckpt);
    // Outside the scope the global is refused again.
    expect(loadError(ref.train.file).message).toMatch(/argparse\.Namespace was not an allowed global/);
  });

  it("loads with addSafeGlobals too, and getSafeGlobals / clearSafeGlobals manage the list", () => {
    addSafeGlobals(["argparse.Namespace"]);
    expect(getSafeGlobals().map((g) => g.name)).toEqual(["argparse.Namespace"]);
    const ckpt = torch.load(ref.train.file) as Map<string, unknown>;
    expect(ckpt.get("args")).toEqual(ref.train.args);
    torch.dispose(ckpt);
    clearSafeGlobals();
    expect(getSafeGlobals()).toEqual([]);
    expect(loadError(ref.train.file)).toBeInstanceOf(UnpicklingError);
  });

  it("loads with inert decoding: args are a PythonObject whose BUILD state is vars(args)", () => {
    const ckpt = torch.load(ref.train.file, { inert: true }) as Map<string, unknown>;
    const args = ckpt.get("args");
    expect(args).toBeInstanceOf(PythonObject);
    const obj = args as InstanceType<typeof PythonObject>;
    expect(obj.__global__).toBe("argparse.Namespace");
    expect(obj.how).toBe("NEWOBJ");
    expect(obj.args).toEqual([]);
    expect(Object.fromEntries(obj.state as Map<string, unknown>)).toEqual(ref.train.args);
    expectTrainCheckpoint(ckpt);
    expectModelRuns(ckpt.get("model") as Map<string, torch.Tensor>);
    torch.dispose(ckpt);
  });

  it("loadStateDict reads its model entry without being told about the Namespace, strictly into resnet18", () => {
    const sd = torch.loadStateDict(ref.train.file);
    expectModelRuns(sd);
    torch.dispose(sd);
    expect(() => torch.loadStateDict(ref.train.file, { inert: false })).toThrow(/argparse\.Namespace was not an allowed global/);
  });

  it("the legacy (pre-1.6) format of the same checkpoint loads the same ways", () => {
    expect(loadError(ref.train.legacy).message).toMatch(/^Unsupported global: GLOBAL argparse\.Namespace was not an allowed global by default/);
    const ckpt = safeGlobals(["argparse.Namespace"], () => torch.load(ref.train.legacy)) as Map<string, unknown>;
    expect(ckpt.get("args")).toEqual(ref.train.args);
    expectTrainCheckpoint(ckpt);
    torch.dispose(ckpt);
    const inert = torch.load(ref.train.legacy, { inert: true }) as Map<string, unknown>;
    expect(Object.fromEntries((inert.get("args") as InstanceType<typeof PythonObject>).state as Map<string, unknown>)).toEqual(ref.train.args);
    torch.dispose(inert);
    const sd = torch.loadStateDict(ref.train.legacy);
    expectModelRuns(sd);
    torch.dispose(sd);
  });

  it("safeGlobals with an async callback keeps the globals until its promise settles", async () => {
    const ckpt = await safeGlobals(["argparse.Namespace"], async () => {
      await new Promise((r) => setImmediate(r));
      return torch.loadAsync(ref.train.file);
    }) as Map<string, unknown>;
    expect(ckpt.get("args")).toEqual(ref.train.args);
    torch.dispose(ckpt);
    expect(getSafeGlobals()).toEqual([]);
    await expect(safeGlobals(["argparse.Namespace"], async () => { throw new Error("boom"); })).rejects.toThrow("boom");
    expect(getSafeGlobals()).toEqual([]);
  });
});

describe("user classes and other objects", () => {
  it("a reconstruction function receives args / state / items with tensors loaded; children rebuild first", () => {
    const seen: unknown[] = [];
    const ckpt = safeGlobals([
      { name: "__main__.Config", reconstruct: (o) => { seen.push(o); return { kind: "Config", ...Object.fromEntries(o.state as Map<string, unknown>) }; } },
      { name: "__main__.Tags", reconstruct: (o) => [...o.listItems] },
      "types.SimpleNamespace", "pathlib.PosixPath",
    ], () => torch.load(ref.objects.file, { inert: true })) as Map<string, unknown>;
    const cfg = ckpt.get("cfg") as { kind: string; name: string; scale: torch.Tensor; layers: number[] };
    expect(cfg.kind).toBe("Config");
    expect(cfg.name).toBe(ref.objects.cfg.name);
    expect(cfg.layers).toEqual(ref.objects.cfg.layers);
    expect(cfg.scale).toBeInstanceOf(torch.Tensor);
    expect(cfg.scale.shape).toEqual(ref.objects.cfg.scale.shape);
    expect(valuesOf(cfg.scale)).toEqual(ref.objects.cfg.scale.values);
    expect((seen[0] as InstanceType<typeof PythonObject>).how).toBe("NEWOBJ");
    expect(ckpt.get("tags")).toEqual(["p", "q"]);
    expect(ckpt.get("ns")).toEqual({ a: 1, b: "two" });
    expect(ckpt.get("path")).toBe(ref.objects.path);
    expect(Object.fromEntries(ckpt.get("counts") as Map<string, number>)).toEqual(ref.objects.counts); // Counter: allowed by default, as in Python
    // Not allowed and decoded inert: defaultdict(list, …) with its items and the factory as a name.
    const dd = ckpt.get("dd") as InstanceType<typeof PythonObject>;
    expect(dd).toBeInstanceOf(PythonObject);
    expect(dd.__global__).toBe("collections.defaultdict");
    expect(dd.args[0]).toBeInstanceOf(PythonGlobal);
    expect((dd.args[0] as InstanceType<typeof PythonGlobal>).fullName).toBe("builtins.list");
    expect(Object.fromEntries(dd.dictItems)).toEqual(ref.objects.dd);
    cfg.scale.dispose();
  });

  it("inert decoding keeps a tensor inside an object's state as a Tensor, and list items", () => {
    const ckpt = torch.load(ref.objects.file, { inert: true }) as Map<string, unknown>;
    const cfg = ckpt.get("cfg") as InstanceType<typeof PythonObject>;
    expect(cfg.__global__).toBe("__main__.Config");
    const scale = get(cfg.state, "scale") as torch.Tensor;
    expect(valuesOf(scale)).toEqual(ref.objects.cfg.scale.values);
    expect((ckpt.get("tags") as InstanceType<typeof PythonObject>).listItems).toEqual(["p", "q"]);
    const p = ckpt.get("path") as InstanceType<typeof PythonObject>;
    expect([p.__global__, p.how, p.args]).toEqual(["pathlib.PosixPath", "REDUCE", ["/", "tmp", "run", "ckpt"]]);
    scale.dispose();
  });

  it("in the legacy format, an object holding tensors loads as in the zip format, and nothing leaks", () => {
    const before = torch.liveTensors();
    const ckpt = torch.load(ref.objects.legacy, { inert: true }) as Map<string, unknown>;
    const cfg = ckpt.get("cfg") as InstanceType<typeof PythonObject>;
    expect(cfg.__global__).toBe("__main__.Config");
    const scale = get(cfg.state, "scale") as torch.Tensor;
    expect(valuesOf(scale)).toEqual(ref.objects.cfg.scale.values);
    torch.dispose(ckpt);
    expect(torch.liveTensors()).toBe(before);
  });

  it("a reconstruction that throws is an UnpicklingError naming the global, and frees the loaded tensors", () => {
    const before = torch.liveTensors();
    expect(() => safeGlobals([{ name: "__main__.Config", reconstruct: () => { throw new Error("nope"); } }], () => torch.load(ref.objects.file, { inert: true })))
      .toThrow(/reconstructing __main__\.Config failed: nope/);
    expect(torch.liveTensors()).toBe(before);
  });

  it("bad entries are refused by name", () => {
    expect(() => addSafeGlobals(["my.module.Config"])).toThrow(/my\.module\.Config has no built-in reconstruction; pass \{ name: "my\.module\.Config", reconstruct/);
    expect(() => addSafeGlobals(["Config"])).toThrow(/not a "module\.Name" global name/);
    expect(() => addSafeGlobals([{ name: "a.B", reconstruct: 3 as never }])).toThrow(/reconstruct must be a function/);
    expect(() => addSafeGlobals("argparse.Namespace" as never)).toThrow(TypeError);
    expect(() => addSafeGlobals([null as never])).toThrow(/each entry must be/);
    expect(() => safeGlobals(["argparse.Namespace"], 1 as never)).toThrow(/fn to be a function/);
    expect(() => torch.load(ref.objects.file, { inert: "yes" as never })).toThrow(/inert/);
    expect(getSafeGlobals()).toEqual([]);
  });
});

describe("hostile globals never run, in any mode", () => {
  const cases = [
    ["system", "posix.system", "posix.system", ["touch"]],
    ["eval", "__builtin__.eval", "builtins.eval", ["open("]],
    ["popen", "commands.Popen", "subprocess.Popen", []],
  ] as const;

  it.each(cases)("%s: refused by default with the name; os/posix cannot be allowlisted", (name, inFile, py) => {
    const err = loadError(ref.hostile.files[name]!);
    expect(err).toBeInstanceOf(UnpicklingError);
    expect(err.message).toContain(`Unsupported global: GLOBAL ${inFile} was not an allowed global`);
    if (name === "system") expect(err.message).toMatch(/module posix is blocked: it cannot be allowlisted/);
    else expect(err.message).toContain(`addSafeGlobals([{ name: "${py}", reconstruct`);
    expect(fs.existsSync(ref.hostile.marker)).toBe(false);
  });

  it.each(cases)("%s: inert decoding gives plain data, and loadStateDict still reads the model", (name, _inFile, py, argStart) => {
    const ckpt = torch.load(ref.hostile.files[name]!, { inert: true }) as Map<string, unknown>;
    const payload = ckpt.get("payload") as InstanceType<typeof PythonObject>;
    expect(payload).toBeInstanceOf(PythonObject);
    expect(payload.__global__).toBe(py);
    expect(payload.how).toBe("REDUCE");
    const first = payload.args[0];
    expect(String(Array.isArray(first) ? first[0] : first).startsWith(argStart[0] ?? "touch")).toBe(true);
    torch.dispose(ckpt);
    const sd = torch.loadStateDict(ref.hostile.files[name]!);
    expect([...sd.keys()]).toEqual(["weight", "bias"]);
    torch.dispose(sd);
    expect(fs.existsSync(ref.hostile.marker)).toBe(false);
  });

  it("the blocked modules cannot be added; a JS reconstruction for builtins.eval is only JS", () => {
    for (const g of ["os.system", "posix.system", "nt.system", "sys.exit", "os.path.join"]) {
      expect(() => addSafeGlobals([{ name: g, reconstruct: () => null }])).toThrow(/blocked module/);
    }
    const got = safeGlobals([{ name: "builtins.eval", reconstruct: (o) => ({ wouldEval: o.args[0] }) }], () => torch.load(ref.hostile.files.eval!)) as Map<string, unknown>;
    expect((got.get("payload") as { wouldEval: string }).wouldEval).toMatch(/^open\(/);
    torch.dispose(got);
    expect(fs.existsSync(ref.hostile.marker)).toBe(false);
  });
});
