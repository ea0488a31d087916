// torch.nn's convolutions (Conv1d/2d/3d, ConvTranspose1d/2d/3d) and every pooling module against
// PyTorch: the same configurations (reference/nn_conv_pool_cases.ts) built here and in Debian's
// torch (reference/nn_conv_pool.py, one process): repr, seeded default init bit for bit,
// forward in float32 and float64, input and parameter gradients, and the errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { expectClose, expectExact, fromEncoded, type Encoded, type Spec } from "./reference/nn_common.js";
import { FUNCTIONAL_CASES, MODULE_CASES, SAME_ERRORS, type DT, type ModCase } from "./reference/nn_conv_pool_cases.js";
import { ReferenceSession } from "./reference/session.js";

const { nn } = torch;
type Module = torch.nn.Module;
type Out = Encoded | [Encoded, Encoded];
interface ModRef { repr: string; state: [string, Encoded][]; out: Out; pooled?: [Encoded, Encoded]; cot: Encoded; x_grad: Encoded; param_grads: [string, Encoded][] }

const FACTORY = new Set(["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]);
const TOL: Record<DT, number> = { float32: 2e-5, float64: 1e-10 };

let py: ReferenceSession;
let mods: Record<string, ModRef>;
let sameErrors: Record<string, string | null>;
let fns: Record<string, Out>;
beforeAll(async () => {
  py = new ReferenceSession("nn_conv_pool.py");
  [mods, sameErrors, fns] = await Promise.all([
    py.request<Record<string, ModRef>>({ cmd: "modules", cases: MODULE_CASES }),
    py.request<Record<string, string | null>>({ cmd: "errors", cases: SAME_ERRORS }),
    py.request<Record<string, Out>>({ cmd: "functional", cases: FUNCTIONAL_CASES }),
  ]);
});
afterAll(() => py.close());

const tensorOf = (spec: Spec, dtype: DT, requiresGrad = false) =>
  torch.tensor(dtype === "float64" ? Float64Array.from(spec.data) : Float32Array.from(spec.data), { shape: spec.shape, requiresGrad });

/** The module of a case, built as Python builds it (positional args, then one options object). */
function build(c: ModCase): Module {
  const Cls = (nn as unknown as Record<string, new (...a: unknown[]) => Module>)[c.cls];
  if (Cls === undefined) throw new Error(`nn.${c.cls} is missing`);
  const kw: Record<string, unknown> = { ...c.kw };
  if (c.samples !== undefined) kw.randomSamples = tensorOf(c.samples, c.dtype);
  if (FACTORY.has(c.cls)) kw.dtype = c.dtype;
  torch.manualSeed(c.seed);
  return Object.keys(kw).length > 0 ? new Cls(...c.args, kw) : new Cls(...c.args);
}

function forward(m: Module, c: ModCase, x: torch.Tensor, ref: ModRef): unknown {
  const call = (m as unknown as { call: (...a: unknown[]) => unknown }).call.bind(m);
  const fwd = c.forward_kw === undefined ? [] : c.forward_positional ? Object.values(c.forward_kw) : [c.forward_kw];
  torch.manualSeed(c.seed + 1);
  if (c.unpool === undefined) return call(x, ...fwd);
  const Pool = (nn as unknown as Record<string, new (...a: unknown[]) => Module>)[c.cls.replace("Unpool", "Pool")]!;
  const [pooled, indices] = (new Pool(...c.unpool, { returnIndices: true }) as unknown as { call: (x: torch.Tensor) => [torch.Tensor, torch.Tensor] }).call(x);
  expectClose(pooled, ref.pooled![0], "MaxPool output", TOL[c.dtype]);
  expectExact(indices, ref.pooled![1], "MaxPool indices");
  return call(pooled, indices, ...fwd);
}

describe("modules against PyTorch: repr, default init, forward and backward", () => {
  for (const [name, c] of Object.entries(MODULE_CASES)) {
    it(name, () => {
      const ref = mods[name]!;
      const m = build(c);
      expect(String(m)).toBe(ref.repr);
      const state = m.stateDict();
      expect([...state.keys()]).toEqual(ref.state.map(([k]) => k));
      for (const [k, e] of ref.state) expectExact(state.get(k), e, `${k} after manualSeed`);
      const x = tensorOf(c.x, c.dtype, true);
      const out = forward(m, c, x, ref);
      let y: torch.Tensor;
      if (Array.isArray(ref.out)) {
        expect(Array.isArray(out), "returnIndices gives [output, indices]").toBe(true);
        const [o, i] = out as [torch.Tensor, torch.Tensor];
        expectClose(o, ref.out[0], "output", TOL[c.dtype]);
        expectExact(i, ref.out[1], "indices");
        y = o;
      } else {
        expectClose(out as torch.Tensor, ref.out, "output", TOL[c.dtype]);
        y = out as torch.Tensor;
      }
      y.backward(fromEncoded(ref.cot));
      expectClose(x.grad, ref.x_grad, "input grad", TOL[c.dtype]);
      const params = [...m.namedParameters()];
      expect(params.map(([k]) => k)).toEqual(ref.param_grads.map(([k]) => k));
      params.forEach(([k, p], i) => expectClose(p.grad, ref.param_grads[i]![1], `${k}.grad`, TOL[c.dtype] * 10));
    });
  }
});

describe("the torch.nn.functional twins against PyTorch", () => {
  const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const arg = (v: unknown): unknown => (v !== null && typeof v === "object" && "spec" in v ? tensorOf((v as { spec: Spec }).spec, "float32") : v);
  for (const [name, c] of Object.entries(FUNCTIONAL_CASES)) {
    it(name, () => {
      torch.tidy(() => {
        const f = (nn.functional as unknown as Record<string, (...a: unknown[]) => torch.Tensor | [torch.Tensor, torch.Tensor]>)[camel(c.fn)]!;
        const kw = Object.fromEntries(Object.entries(c.kw).map(([k, v]) => [k, arg(v)]));
        const out = f(...c.args.map(arg), ...(Object.keys(kw).length > 0 ? [kw] : []));
        const want = fns[name]!;
        if (Array.isArray(want)) {
          expectClose((out as [torch.Tensor, torch.Tensor])[0], want[0], "output", TOL.float32);
          expectExact((out as [torch.Tensor, torch.Tensor])[1], want[1], "indices");
        } else expectClose(out as torch.Tensor, want, "output", TOL.float32);
      });
    });
  }
});

describe("errors PyTorch raises too carry its message after the module's name", () => {
  for (const [name, c] of Object.entries(SAME_ERRORS)) {
    it(name, () => {
      const want = sameErrors[name];
      expect(want, "PyTorch raises").toBeTypeOf("string");
      let err: unknown;
      try {
        const m = build(c);
        forward(m, c, tensorOf(c.x, c.dtype), {} as ModRef);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).message).toBe(`nn.${c.cls}: ${want}`);
    });
  }
});

describe("bad arguments name the module and the argument", () => {
  const x3 = () => torch.zeros([1, 2, 6]);
  const cases: [string, () => unknown, RegExp][] = [
    ['Conv1d padding "full"', () => new nn.Conv1d(2, 2, 3, { padding: "full" as never }), /^nn\.Conv1d: expected padding to be an integer >= 0, an array of one, "valid" or "same", but received "full"$/],
    ['Conv3d paddingMode "mirror"', () => new nn.Conv3d(2, 2, 3, { paddingMode: "mirror" as never }), /^nn\.Conv3d: expected paddingMode to be "zeros", "reflect", "replicate" or "circular", but received "mirror"$/],
    ["Conv3d kernelSize of two", () => new nn.Conv3d(2, 2, [3, 3]), /^nn\.Conv3d: expected kernelSize to be an integer >= 1 or a triple of them, but received \[3, 3\]$/],
    ["Conv1d groups not dividing inChannels", () => new nn.Conv1d(3, 4, 3, { groups: 2 }), /^nn\.Conv1d: expected groups to be a positive divisor of inChannels \(3\), but received 2$/],
    ["Conv2d stride both positionally and in options", () => new nn.Conv2d(1, 2, 3, 1, { stride: 1 } as never), /^nn\.Conv2d: stride was given both positionally and in the options$/],
    ["Conv2d too many positional arguments", () => new nn.Conv2d(1, 2, 3, 1, 0, 1, 1, true, "zeros", "cpu", "float32", 5 as never),
      /^nn\.Conv2d: expected at most 11 positional arguments \(inChannels, outChannels, kernelSize, stride, /],
    ["Conv2d Python's padding_mode", () => new nn.Conv2d(1, 2, 3, { padding_mode: "reflect" } as never), /^nn\.Conv2d: unknown option "padding_mode" \(did you mean "paddingMode"\?\)/],
    ['ConvTranspose1d padding "same"', () => new nn.ConvTranspose1d(2, 2, 3, { padding: "same" as never }), /^nn\.ConvTranspose1d: expected padding to be an integer >= 0 or an array of one, but received "same"$/],
    ["ConvTranspose2d outputPadding -1", () => new nn.ConvTranspose2d(2, 2, 3, { outputPadding: -1 }), /^nn\.ConvTranspose2d: expected outputPadding to be an integer >= 0 or a pair of them, but received -1$/],
    ["ConvTranspose1d outputSize of strings", () => new nn.ConvTranspose1d(2, 2, 3).call(x3(), ["9"] as never), /^nn\.ConvTranspose1d: expected outputSize to be an array of integers or null, but received \["9"\]$/],
    ["ConvTranspose1d on an array", () => new nn.ConvTranspose1d(2, 2, 3).call([1] as never), /^nn\.ConvTranspose1d: expected input to be a Tensor, but received \[1\]$/],
    ["Conv1d on an array", () => new nn.Conv1d(2, 2, 3).call([1] as never), /conv1d: expected input to be a Tensor/],
    ["MaxPool1d kernelSize of two", () => new nn.MaxPool1d([2, 2]), /^nn\.MaxPool1d: expected kernelSize to be an integer >= 1 or an array of one, but received \[2, 2\]$/],
    ['MaxPool3d returnIndices "yes"', () => new nn.MaxPool3d(2, { returnIndices: "yes" as never }), /^nn\.MaxPool3d: expected returnIndices to be a boolean, but received "yes"$/],
    ["MaxUnpool2d padding -1", () => new nn.MaxUnpool2d(2, 2, -1), /^nn\.MaxUnpool2d: expected padding to be an integer >= 0 or a pair of them, but received -1$/],
    ["AvgPool1d has no divisorOverride", () => new nn.AvgPool1d(2, { divisorOverride: 2 } as never), /^nn\.AvgPool1d: unknown option "divisorOverride"/],
    ["AvgPool3d ceilMode 1", () => new nn.AvgPool3d(2, { ceilMode: 1 as never }), /^nn\.AvgPool3d: expected ceilMode to be a boolean, but received 1$/],
    ["FractionalMaxPool2d outputRatio 1.5", () => new nn.FractionalMaxPool2d(2, { outputRatio: 1.5 }), /^nn\.FractionalMaxPool2d: expected outputRatio to be numbers strictly between 0 and 1, but received 1\.5$/],
    ["FractionalMaxPool3d randomSamples [1]", () => new nn.FractionalMaxPool3d(2, { outputSize: 2, randomSamples: [1] as never }), /^nn\.FractionalMaxPool3d: expected randomSamples to be a Tensor or null, but received \[1\]$/],
    ['LPPool2d normType "2"', () => new nn.LPPool2d("2" as never, 2), /^nn\.LPPool2d: expected normType to be a number, but received "2"$/],
    ["AdaptiveMaxPool3d outputSize of two", () => new nn.AdaptiveMaxPool3d([1, 2]), /^nn\.AdaptiveMaxPool3d: expected outputSize to be an integer >= 1 or a triple of them, but received \[1, 2\]$/],
    ["AdaptiveAvgPool1d outputSize 0", () => new nn.AdaptiveAvgPool1d(0), /^nn\.AdaptiveAvgPool1d: expected outputSize to be an integer >= 1 or an array of one, but received 0$/],
  ];
  for (const [name, fn, re] of cases) it(name, () => expect(fn).toThrow(re));
});

describe("the calling rule, typed", () => {
  it("positional and options forms build the same module (same seed, same weights, same repr)", () => {
    torch.manualSeed(3);
    const a = new nn.Conv2d(1, 32, 3, 1);
    torch.manualSeed(3);
    const b = new nn.Conv2d(1, 32, 3, { stride: 1 });
    expect(String(a)).toBe(String(b));
    expect(a.weight.equal(b.weight) && a.bias!.equal(b.bias!)).toBe(true);
    const t = new nn.ConvTranspose2d(2, 4, 3, 2, 1, 1, 1, false, 1, "zeros", "cpu", "float64");
    expect([t.weight.shape, t.weight.dtype, t.bias]).toEqual([[2, 4, 3, 3], "float64", null]);
  });

  it("returnIndices: true types forward as [output, indices], otherwise a Tensor", () => {
    torch.tidy(() => {
      const x = torch.rand([1, 2, 8, 8]);
      const plain: torch.Tensor = new nn.MaxPool2d(2).call(x);
      const [o, i]: [torch.Tensor, torch.Tensor] = new nn.MaxPool2d(2, { returnIndices: true }).call(x);
      const [o2]: [torch.Tensor, torch.Tensor] = new nn.AdaptiveMaxPool2d([2, null], true).call(x);
      const [o3]: [torch.Tensor, torch.Tensor] = new nn.FractionalMaxPool2d(2, [4, 4], null, true).call(x);
      const back: torch.Tensor = new nn.MaxUnpool2d(2).call(o, i, { outputSize: [8, 8] });
      expect([plain.shape, i.dtype, o2.shape, o3.shape, back.shape]).toEqual([[1, 2, 4, 4], "int64", [1, 2, 2, 8], [1, 2, 4, 4], [1, 2, 8, 8]]);
      const up: torch.Tensor = new nn.ConvTranspose2d(2, 3, 3, 2).call(x, [18, 18]);
      expect(up.shape).toEqual([1, 3, 18, 18]);
    });
  });

  it("FractionalMaxPool's randomSamples is Python's _random_samples buffer", () => {
    const s = torch.rand([1, 2, 2]);
    const m = new nn.FractionalMaxPool2d(2, { outputSize: 3, randomSamples: s });
    expect([...m.stateDict().keys()]).toEqual(["_random_samples"]);
    expect(m.randomSamples).toBe(s);
    expect(new nn.FractionalMaxPool2d(2, { outputSize: 3 }).stateDict().size).toBe(0);
  });

  it("a forward leaves no tensors behind", () => {
    const m = new nn.Conv1d(2, 4, 3, { padding: "same", paddingMode: "reflect" });
    const x = torch.rand([1, 2, 9]);
    m.call(x).dispose();
    const live = torch.liveTensors();
    for (let k = 0; k < 3; k++) m.call(x).dispose();
    expect(torch.liveTensors()).toBe(live);
  });
});
