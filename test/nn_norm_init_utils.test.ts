// Normalization layers, parameter containers, nn.init and the simple nn.utils against
// Debian's PyTorch 1.13 (test/reference/nn_norm_init_utils.py, one process): each layer built
// under the same seed in both, its repr, default init, train-mode forwards and gradients,
// running statistics, then eval; every initialiser bit-equal after the same seed; gradient
// clipping on Python's real gradients; errors where Python raises.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { expectClose, expectExact, floatSpec, fromEncoded, fromSpec, prng, valuesOf, type Encoded, type Spec } from "./reference/nn_common.js";
import { ReferenceSession } from "./reference/session.js";
import { CLIP, CONTAINERS, ERRORS, INIT, MESSAGE_PART, MODULES, type DType, type Module, type T } from "./reference/nn_norm_init_utils_cases.js";

const { nn } = torch;
const { init } = nn;
type Named = [string, Encoded][];
type Step = { out: Encoded; cot: Encoded; x_grad: Encoded; param_grads: Named };

const py = new ReferenceSession("nn_norm_init_utils.py");
afterAll(() => py.close());

const rnd = prng(1717);
const f = (shape: number[], lo = -1, hi = 1) => floatSpec(rnd, shape, lo, hi);

// ---- modules (cases in reference/nn_norm_init_utils_cases.ts) ----
interface ModReq { build: string; seed: number; dtype: DType; set: Record<string, Spec> | null; train: Spec[]; eval: Spec[] }
interface ModRef { repr: string; init: Named; train: Step[]; buffers: Named; eval: Step[]; eval_buffers: Named }
const MOD_REQS: Record<string, ModReq> = Object.fromEntries(Object.entries(MODULES).map(([name, c], i) => [name, {
  build: c.py, seed: 300 + i, dtype: c.dtype ?? "float32",
  set: c.set === undefined ? null : Object.fromEntries(Object.entries(c.set).map(([k, s]) => [k, f(s, 0.5, 1.5)])),
  train: [f(c.input, -1, 3), f(c.input, -2, 1), f(c.input, 0, 2)], eval: [f(c.input, -1, 2)],
}]));

let modRef: Record<string, ModRef>;
beforeAll(async () => {
  const names = Object.keys(MOD_REQS);
  const out = await py.request<ModRef[]>({ cmd: "modules", cases: names.map((n) => MOD_REQS[n]) });
  modRef = Object.fromEntries(names.map((n, i) => [n, out[i]!]));
});

const tolOf = (dtype: DType) => (dtype === "float64" ? 1e-10 : 2e-5);

function runStep(m: Module, spec: Spec, dtype: DType, want: Step, what: string, tol: number): void {
  const x = fromSpec(spec).to(dtype).requiresGrad_(true);
  const y = m.call(x) as torch.Tensor;
  expectClose(y, want.out, `${what}: output`, tol);
  y.backward(fromEncoded(want.cot));
  expectClose(x.grad, want.x_grad, `${what}: input grad`, tol);
  const params = [...m.namedParameters()];
  expect(params.map(([k]) => k), `${what}: parameter names`).toEqual(want.param_grads.map(([k]) => k));
  params.forEach(([k, p], j) => expectClose(p.grad, want.param_grads[j]![1], `${what}: ${k}.grad`, tol));
  m.zeroGrad();
}

describe("normalization layers equal PyTorch's: repr, init, train forwards and gradients, running stats, eval", () => {
  for (const [name, c] of Object.entries(MODULES)) {
    it(name, () => {
      const req = MOD_REQS[name]!;
      const want = modRef[name]!;
      const dtype = req.dtype;
      const tol = c.tol ?? tolOf(dtype);
      torch.manualSeed(req.seed);
      const m = c.ts().to(dtype);
      expect(String(m)).toBe(want.repr);
      const sd = m.stateDict();
      expect([...sd.keys()]).toEqual(want.init.map(([k]) => k));
      for (const [k, e] of want.init) expectExact(sd.get(k), e, `init ${k}`);
      if (req.set !== null) {
        torch.noGrad(() => {
          for (const [k, s] of Object.entries(req.set!)) (m.getAttr(k) as torch.Tensor).copy_(fromSpec(s));
        });
      }
      req.train.forEach((s, i) => runStep(m, s, dtype, want.train[i]!, `train step ${i}`, tol));
      const buffers = [...m.namedBuffers()];
      expect(buffers.map(([k]) => k)).toEqual(want.buffers.map(([k]) => k));
      buffers.forEach(([k, b], j) => expectClose(b, want.buffers[j]![1], `buffer ${k} after training`, tol));
      m.eval();
      req.eval.forEach((s, i) => runStep(m, s, dtype, want.eval[i]!, `eval step ${i}`, tol));
      [...m.namedBuffers()].forEach(([k, b], j) => expectClose(b, want.eval_buffers[j]![1], `buffer ${k} after eval`, tol));
    });
  }
});

// ---- errors where Python raises ----
describe("bad input: an error as Python raises one, naming the function", () => {
  let messages: (string | null)[];
  beforeAll(async () => {
    messages = await py.request<(string | null)[]>({ cmd: "errors", codes: Object.values(ERRORS).map(([, code]) => code) });
  });
  Object.entries(ERRORS).forEach(([name, [call, , kind]], i) => {
    it(name, () => {
      const pyMessage = messages[i];
      expect(pyMessage, "Python raises too").not.toBeNull();
      let err: unknown;
      try {
        call();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(kind);
      const msg = (err as Error).message;
      const part = (MESSAGE_PART[name]?.(pyMessage!) ?? pyMessage!).replace(/\s+/g, " ");
      expect(msg.replace(/\s+/g, " ")).toContain(part);
    });
  });
});


// ---- nn.init ----

describe("nn.init: every initialiser bit-equal to Python's after the same seed, drawing as many numbers", () => {
  let initRef: { value: Encoded; next: Encoded }[];
  const names = Object.keys(INIT);
  beforeAll(async () => {
    initRef = await py.request({ cmd: "init", cases: names.map((n, i) => ({ call: INIT[n]!.py, shape: INIT[n]!.shape, dtype: INIT[n]!.dtype ?? "float32", seed: 900 + i })) });
  });
  names.forEach((name, i) => {
    it(name, () => {
      const c = INIT[name]!;
      const t = torch.empty(c.shape, { dtype: c.dtype ?? "float32" });
      torch.manualSeed(900 + i);
      expect(c.ts(t)).toBe(t);
      expectExact(t, initRef[i]!.value, name);
      expectExact(torch.rand([3]), initRef[i]!.next, `${name}: the next draw`);
    });
  });

  it("initialising a parameter records no autograd history", () => {
    const p = nn.Parameter(torch.empty([4, 6]));
    for (const fn of [init.orthogonal_, init.eye_, (t: T) => init.sparse_(t, 0.5), init.ones_]) fn(p);
    expect(p.isLeaf && p.requiresGrad && p.grad === null).toBe(true);
  });

  it("calculateGain, positional and by options, equals nn.init.calculate_gain", async () => {
    const want = await py.request<number[]>({ cmd: "exec", code: "[nn.init.calculate_gain('leaky_relu', 0.3), nn.init.calculate_gain('leaky_relu'), nn.init.calculate_gain('tanh'), nn.init.calculate_gain('selu'), nn.init.calculate_gain('conv_transpose2d'), nn.init.calculate_gain('relu', 7)]" });
    expect([init.calculateGain("leaky_relu", 0.3), init.calculateGain("leaky_relu", { param: null }), init.calculateGain("tanh"), init.calculateGain("selu"),
      init.calculateGain("conv_transpose2d"), init.calculateGain("relu", 7)]).toEqual(want);
  });
});

// ---- nn.utils: clipping on Python's real gradients, parameters <-> vector ----

describe("nn.utils.clipGradNorm_ / clipGradValue_ equal Python's on the same gradients", () => {
  type ClipRef = { shapes: number[][]; before: (Encoded | null)[]; after: (Encoded | null)[]; ret: Encoded | null };
  let clipRef: ClipRef[];
  const names = Object.keys(CLIP);
  beforeAll(async () => {
    clipRef = await py.request({ cmd: "clip", cases: names.map((n, i) => ({ call: CLIP[n]!.py, seed: 40 + i, dtype: CLIP[n]!.dtype ?? "float32", scale: CLIP[n]!.scale ?? 1, no_grad: CLIP[n]!.noGrad ?? [] })) });
  });
  names.forEach((name, i) => {
    it(name, () => {
      const want = clipRef[i]!;
      const dtype = CLIP[name]!.dtype ?? "float32";
      const params = want.shapes.map((s, j) => {
        const p = nn.Parameter(torch.zeros(s, { dtype }));
        if (want.before[j] !== null) p.grad = fromEncoded(want.before[j]!);
        return p;
      });
      const ret = CLIP[name]!.ts(params);
      if (want.ret === null) expect(ret).toBeUndefined();
      else expectExact(ret as T, want.ret, "returned total norm");
      params.forEach((p, j) => {
        if (want.after[j] === null) expect(p.grad, `param ${j} has no grad`).toBeNull();
        else expectExact(p.grad, want.after[j]!, `param ${j} grad`);
      });
    });
  });
});

describe("nn.utils.parametersToVector / vectorToParameters equal Python's", () => {
  const BUILDS: Record<string, [string, () => Module]> = {
    "two Linear layers": ["nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))", () => new nn.Sequential(new nn.Linear(3, 4), new nn.Linear(4, 2))],
    "a LayerNorm and a Linear without bias": ["nn.Sequential(nn.LayerNorm([2, 3]), nn.Linear(3, 5, bias=False))", () => new nn.Sequential(new nn.LayerNorm([2, 3]), new nn.Linear(3, 5, { bias: false }))],
  };
  let vecRef: { vec: Encoded; after: Named }[];
  beforeAll(async () => {
    vecRef = await py.request({ cmd: "vector", cases: Object.values(BUILDS).map(([code], i) => ({ build: code, seed: 70 + i })) });
  });
  Object.entries(BUILDS).forEach(([name, [, build]], i) => {
    it(name, () => {
      torch.manualSeed(70 + i);
      const m = build();
      const vec = nn.utils.parametersToVector(m.parameters());
      expectExact(vec, vecRef[i]!.vec, "parameters_to_vector");
      expect(vec.requiresGrad, "the vector is differentiable, as in Python").toBe(true);
      const next = torch.arange(vec.numel()).div(7);
      nn.utils.vectorToParameters(next, m.parameters());
      const after = [...m.namedParameters()];
      expect(after.map(([k]) => k)).toEqual(vecRef[i]!.after.map(([k]) => k));
      after.forEach(([k, p], j) => expectExact(p, vecRef[i]!.after[j]![1], k));
      // As Python's param.data = vec[...]: the parameters now view the vector's storage.
      torch.noGrad(() => next.fill_(2));
      expect(valuesOf(after[0]![1]).every((v) => v === 2)).toBe(true);
      expect(after[0]![1].isLeaf && after[0]![1].requiresGrad).toBe(true);
    });
  });

  it("parameters on two devices are refused as in Python (checked before any copy)", () => {
    expect(() => nn.utils.parametersToVector([torch.zeros([2]), "x" as never])).toThrow(/parametersToVector: expected parameters\[1\] to be a Tensor/);
  });
});


describe("containers: Python's list/dict API, state-dict keys and values, repr", () => {
  let built: { state: Named; repr: string; out: unknown }[];
  const names = Object.keys(CONTAINERS);
  beforeAll(async () => {
    built = await py.request({ cmd: "build", codes: names.map((n) => CONTAINERS[n]![0]) });
  });
  names.forEach((name, i) => {
    it(name, () => {
      torch.manualSeed(0);
      const [m, out] = CONTAINERS[name]![1]();
      const want = built[i]!;
      const sd = m.stateDict();
      expect([...sd.keys()]).toEqual(want.state.map(([k]) => k));
      for (const [k, e] of want.state) expectExact(sd.get(k), e, k);
      expect(String(m)).toBe(want.repr);
      if (want.out !== null) expect(JSON.parse(JSON.stringify(out))).toEqual(want.out);
    });
  });

  it("a Tensor put in a ParameterList or ParameterDict becomes a trainable parameter", () => {
    const t = torch.zeros([2]);
    const list = new nn.ParameterList([t]);
    const dict = new nn.ParameterDict({ w: torch.zeros([3]) });
    expect(list.get(0).requiresGrad && dict.get("w").requiresGrad).toBe(true);
    expect([...list.parameters()].length + [...dict.parameters()].length).toBe(2);
  });
});

// ---- memory and checkpoints ----
describe("no tensors are left behind, and old checkpoints are handled as Python", () => {
  it("forwards (train and eval, with backward), initialisers and utils leave no native tensors behind", () => {
    const layers: [Module, number[]][] = [
      [new nn.LayerNorm([3, 4]), [2, 3, 4]], [new nn.GroupNorm(2, 4), [2, 4, 3]], [new nn.LocalResponseNorm(3), [2, 4, 3, 3]],
      [new nn.CrossMapLRN2d(3), [2, 4, 3, 3]], [new nn.InstanceNorm2d(4, { affine: true, trackRunningStats: true }), [4, 3, 3]],
      [new nn.BatchNorm3d(2), [2, 2, 2, 2, 2]],
    ];
    const x = torch.randn([2, 4, 3, 3]);
    const live = torch.liveTensors();
    for (const [m, shape] of layers) {
      for (const mode of [true, false]) {
        m.train(mode);
        torch.tidy(() => {
          const input = torch.randn(shape, { requiresGrad: true });
          (m.call(input) as T).sum().backward();
        });
        m.zeroGrad();
      }
    }
    const w = torch.empty([6, 4]);
    init.orthogonal_(w);
    init.sparse_(w, 0.5);
    init.eye_(w);
    init.dirac_(torch.tidy(() => x.detach()));
    const p = nn.Parameter(torch.randn([3]));
    p.grad = torch.randn([3]);
    nn.utils.clipGradNorm_([p], 0.1).dispose();
    nn.utils.clipGradNorm_([p], 0.1, Infinity).dispose();
    nn.utils.clipGradValue_(p, 0.01);
    nn.utils.parametersToVector([p, w]).dispose();
    const v = torch.zeros([27]);
    nn.utils.vectorToParameters(v, [p, w]);
    v.dispose();
    // w, p, p.grad and the tidy'd detach of x were made here: everything else was freed.
    expect(torch.liveTensors()).toBe(live + 4);
  });

  it("InstanceNorm: running stats in a checkpoint without version metadata are refused with Python's message", async () => {
    const msg = await py.request<string>({ cmd: "exec", code: "error_of(lambda: nn.InstanceNorm1d(3).load_state_dict({'running_mean': torch.zeros(3), 'running_var': torch.ones(3)}))" });
    const err = (() => {
      try {
        new nn.InstanceNorm1d(3).loadStateDict(new Map([["running_mean", torch.zeros([3])], ["running_var", torch.ones([3])]]));
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(torch.TorchError);
    expect(err!.message).toBe(msg);
  });

  it("InstanceNorm with trackRunningStats loads a version-2 checkpoint of its buffers", () => {
    const a = new nn.InstanceNorm1d(2, { trackRunningStats: true });
    torch.tidy(() => a.call(torch.randn([3, 2, 5])));
    const b = new nn.InstanceNorm1d(2, { trackRunningStats: true });
    b.loadStateDict(a.stateDict());
    expect(valuesOf(b.runningMean!)).toEqual(valuesOf(a.runningMean!));
    // As Python's _InstanceNorm, forwards do not count batches (only _BatchNorm does).
    expect(valuesOf(b.numBatchesTracked!)).toEqual(valuesOf(a.numBatchesTracked!));
  });
});

describe("bad arguments PyTorch would coerce or misread: a TypeError or RangeError naming the function and argument", () => {
  const t = () => torch.zeros([2, 2]);
  const CASES: [string, () => unknown, RegExp][] = [
    ["LayerNorm with Python's option name", () => new nn.LayerNorm(4, { elementwise_affine: false } as never), /^nn\.LayerNorm: unknown option "elementwise_affine" \(did you mean "elementwiseAffine"\?\)/],
    ["GroupNorm with a string eps", () => new nn.GroupNorm(2, 4, "x" as never), /^nn\.GroupNorm: expected eps to be a .*received "x"$/],
    ["BatchNorm3d with a string affine", () => new nn.BatchNorm3d(3, 1e-5, 0.1, "yes" as never), /^nn\.BatchNorm3d: expected affine to be a boolean, but received "yes"$/],
    ["InstanceNorm2d with an integer dtype", () => new nn.InstanceNorm2d(3, 1e-5, 0.1, true, false, "cpu", "int64"), /^nn\.InstanceNorm2d: expected dtype to be a floating point dtype/],
    ["InstanceNorm1d with a fractional numFeatures", () => new nn.InstanceNorm1d(2.5), /^nn\.InstanceNorm1d: expected numFeatures to be a non-negative integer/],
    ["LocalResponseNorm with too many arguments", () => new nn.LocalResponseNorm(2, 1, 1, 1, 1 as never), /^nn\.LocalResponseNorm: expected at most 4 positional arguments \(size, alpha, beta, k\)/],
    ["CrossMapLRN2d forward of a string", () => new nn.CrossMapLRN2d(3).call("x" as never), /^nn\.CrossMapLRN2d: expected input to be a Tensor/],
    ["init.uniform_ of a non-tensor", () => init.uniform_([1, 2] as never), /^nn\.init\.uniform_: expected tensor to be a Tensor/],
    ["init.constant_ without val", () => (init.constant_ as (t: T) => T)(t()), /^nn\.init\.constant_: missing argument val$/],
    ["init.sparse_ with a string sparsity", () => init.sparse_(t(), "0.5" as never), /^nn\.init\.sparse_: expected sparsity to be a .*received "0.5"$/],
    ["init.orthogonal_ with Python's option name", () => init.orthogonal_(t(), { Gain: 2 } as never), /^nn\.init\.orthogonal_: unknown option "Gain" \(did you mean "gain"\?\)/],
    ["clipGradNorm_ of a number", () => nn.utils.clipGradNorm_(5 as never, 1), /^nn\.utils\.clipGradNorm_: expected parameters to be a Tensor or an iterable of Tensors/],
    ["clipGradNorm_ without maxNorm", () => (nn.utils.clipGradNorm_ as (p: T[]) => T)([t()]), /^nn\.utils\.clipGradNorm_: missing argument maxNorm$/],
    ["clipGradValue_ of a list holding a number", () => nn.utils.clipGradValue_([t(), 3 as never], 1), /^nn\.utils\.clipGradValue_: expected parameters\[1\] to be a Tensor/],
    ["ParameterDict with a number key", () => new nn.ParameterDict().set(1 as never, t()), /^ParameterDict\.set: Index given to ParameterDict cannot be used as a key as it is not a string/],
    ["ParameterList of a number", () => new nn.ParameterList([5 as never]), /^ParameterList\.append: expected value to be a Tensor or a Module, but received 5$/],
    ["ParameterDict.get of a missing key", () => new nn.ParameterDict().get("w"), /^ParameterDict: no parameter named "w"$/],
    ["ModuleList.get of a malformed slice", () => new nn.ModuleList([new nn.ReLU()]).get("a:b"), /^ModuleList\.get: expected index to be an integer or a slice string/],
    ["Sequential.get of a zero-step slice", () => new nn.Sequential(new nn.ReLU()).get("::0"), /^Sequential\.get: slice step cannot be zero$/],
    ["Sequential.insert past the end", () => new nn.Sequential(new nn.ReLU()).insert(3, new nn.ReLU()), /^Sequential\.insert: index 3 is out of range for 1 module\(s\)$/],
    ["ModuleDict.delete of a missing key", () => new nn.ModuleDict().delete("a"), /^ModuleDict\.delete: no module named "a"$/],
  ];
  for (const [name, call, re] of CASES) {
    it(name, () => {
      let err: unknown;
      try {
        call();
      } catch (e) {
        err = e;
      }
      expect(err instanceof TypeError || err instanceof RangeError || err instanceof torch.TorchError, `${name}: a TypeError, RangeError or TorchError`).toBe(true);
      expect((err as Error).message).toMatch(re);
    });
  }
});
