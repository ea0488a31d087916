// nn.init against PyTorch: every initialiser draws from the same libtorch generator as
// Python, so under the same seed the values must be bit-equal to Debian's torch
// (test/reference/nn_init.py, one process). Gains and fan errors are compared too.
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { expectExact, valuesOf, type Encoded } from "./reference/nn_common.js";
import { runReference } from "./reference/python.js";

const { nn } = torch;
const init = nn.init;
type Nonlinearity = Parameters<typeof init.calculateGain>[0];
type FanMode = torch.nn.init.FanMode;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Kw = Record<string, any>;
interface Case {
  /** nn.init's Python name; kw goes to it as keyword arguments. */
  fn: string;
  shape: number[];
  dtype?: "float32" | "float64";
  kw?: Kw;
  ts: (t: torch.Tensor, kw: Kw) => torch.Tensor;
}

const kaimingU = (t: torch.Tensor, kw: Kw) => init.kaimingUniform_(t, kw);
const kaimingN = (t: torch.Tensor, kw: Kw) => init.kaimingNormal_(t, kw);
const xavierU = (t: torch.Tensor, kw: Kw) => init.xavierUniform_(t, kw.gain);
const xavierN = (t: torch.Tensor, kw: Kw) => init.xavierNormal_(t, kw.gain);
const normal = (t: torch.Tensor, kw: Kw) => init.normal_(t, kw.mean, kw.std);
const uniform = (t: torch.Tensor, kw: Kw) => init.uniform_(t, kw.a, kw.b);
const trunc = (t: torch.Tensor, kw: Kw) => init.truncNormal_(t, kw);

const CASES: Record<string, Case> = {
  "kaimingUniform_ defaults (leaky_relu, fan_in)": { fn: "kaiming_uniform_", shape: [16, 8, 3, 3], ts: kaimingU },
  "kaimingUniform_ a = sqrt(5) (the layers' default init)": { fn: "kaiming_uniform_", shape: [6, 4], kw: { a: Math.sqrt(5) }, ts: kaimingU },
  "kaimingUniform_ fan_out, relu, 3-D": { fn: "kaiming_uniform_", shape: [8, 4, 5], kw: { mode: "fan_out", nonlinearity: "relu" }, ts: kaimingU },
  "kaimingUniform_ on float64": { fn: "kaiming_uniform_", shape: [5, 7], dtype: "float64", ts: kaimingU },
  "kaimingNormal_ defaults": { fn: "kaiming_normal_", shape: [32, 16], ts: kaimingN },
  "kaimingNormal_ fan_out, relu": { fn: "kaiming_normal_", shape: [16, 8, 3, 3], kw: { mode: "fan_out", nonlinearity: "relu" }, ts: kaimingN },
  "kaimingNormal_ leaky_relu a = 0.2, small (non-vectorised) tensor": {
    fn: "kaiming_normal_", shape: [3, 4], kw: { a: 0.2, nonlinearity: "leaky_relu" }, ts: kaimingN,
  },
  "kaimingNormal_ tanh on float64": { fn: "kaiming_normal_", shape: [6, 6], dtype: "float64", kw: { nonlinearity: "tanh" }, ts: kaimingN },
  "xavierUniform_ defaults": { fn: "xavier_uniform_", shape: [20, 30], kw: { gain: 1 }, ts: xavierU },
  "xavierUniform_ gain 1.7, conv weight": { fn: "xavier_uniform_", shape: [8, 4, 3, 3], kw: { gain: 1.7 }, ts: xavierU },
  "xavierNormal_ defaults": { fn: "xavier_normal_", shape: [20, 30], kw: { gain: 1 }, ts: xavierN },
  "xavierNormal_ gain 0.5, conv weight": { fn: "xavier_normal_", shape: [5, 6, 2, 2], kw: { gain: 0.5 }, ts: xavierN },
  "normal_ defaults": { fn: "normal_", shape: [100], kw: { mean: 0, std: 1 }, ts: normal },
  "normal_ mean 2, std 0.5": { fn: "normal_", shape: [10, 10], kw: { mean: 2, std: 0.5 }, ts: normal },
  "normal_ on 7 elements (scalar path)": { fn: "normal_", shape: [7], kw: { mean: -1, std: 3 }, ts: normal },
  "uniform_ defaults": { fn: "uniform_", shape: [100], kw: { a: 0, b: 1 }, ts: uniform },
  "uniform_ a = -3, b = 0.5": { fn: "uniform_", shape: [7, 7], kw: { a: -3, b: 0.5 }, ts: uniform },
  "constant_ 0.3": { fn: "constant_", shape: [4, 5], kw: { val: 0.3 }, ts: (t, kw) => init.constant_(t, kw.val) },
  "zeros_": { fn: "zeros_", shape: [3, 3], ts: (t) => init.zeros_(t) },
  "ones_": { fn: "ones_", shape: [2, 3, 2], ts: (t) => init.ones_(t) },
  "truncNormal_ defaults (a = -2, b = 2)": { fn: "trunc_normal_", shape: [1000], ts: trunc },
  "truncNormal_ mean 1, std 2, a = -1, b = 4": { fn: "trunc_normal_", shape: [50, 20], kw: { mean: 1, std: 2, a: -1, b: 4 }, ts: trunc },
  "truncNormal_ narrow one-sided window [0.5, 1]": { fn: "trunc_normal_", shape: [200], kw: { a: 0.5, b: 1 }, ts: trunc },
  "truncNormal_ far tail window [3, 5]": { fn: "trunc_normal_", shape: [64], kw: { a: 3, b: 5 }, ts: trunc },
  "truncNormal_ on float64": { fn: "trunc_normal_", shape: [40], dtype: "float64", kw: { std: 0.02 }, ts: trunc },
};
const seedOf = (i: number) => 500 + i;

const NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
  "sigmoid", "tanh", "relu", "selu"] as const;
const GAINS: [string, number | null][] = [
  ...NONLINEARITIES.map((n) => [n, null] as [string, null]),
  ["leaky_relu", null], ["leaky_relu", 0.2], ["leaky_relu", 0], ["leaky_relu", 1], ["leaky_relu", Math.sqrt(5)], ["leaky_relu", -0.3],
];
const FAN_SHAPES = [[4, 3], [8, 4, 3, 3], [5, 2, 7], [0, 3], [6, 1, 1, 1, 2]];
const ZERO_SEED = 77;

interface Reference {
  cases: Record<string, Encoded>;
  gains: number[];
  fan_errors: Record<string, string>;
  zero_element: Record<string, string | null>;
  fans: [number, number][];
  zero_linear: { state: [string, Encoded][]; next_draw: Encoded };
}

let ref: Reference;
beforeAll(() => {
  const snake = (kw: Kw = {}) => Object.fromEntries(Object.entries(kw).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
  ref = runReference<Reference>("nn_init.py", {
    cases: Object.fromEntries(Object.entries(CASES).map(([name, c], i) =>
      [name, { fn: c.fn, shape: c.shape, dtype: c.dtype ?? "float32", seed: seedOf(i), kw: snake(c.kw) }])),
    gains: GAINS, fan_shapes: FAN_SHAPES, zero_seed: ZERO_SEED,
  });
});

describe("initialisers equal PyTorch's under the same seed", () => {
  Object.entries(CASES).forEach(([name, c], i) => {
    it(name, () => {
      const t = torch.empty(c.shape, { dtype: c.dtype ?? "float32" });
      torch.manualSeed(seedOf(i));
      expect(c.ts(t, c.kw ?? {})).toBe(t);
      expectExact(t, ref.cases[name]!, name);
    });
  });

  it("initialising a parameter records no autograd history", () => {
    const p = torch.empty([4, 4], { requiresGrad: true });
    init.kaimingUniform_(p);
    init.truncNormal_(p);
    expect(p.isLeaf).toBe(true);
    expect(p.requiresGrad).toBe(true);
    expect(p.grad).toBeNull();
  });
});

describe("kaimingNormal_ statistics", () => {
  it("fan_out + relu on a [512, 512, 3, 3] weight: std within 2% of sqrt(2 / fan_out), mean near 0", () => {
    torch.manualSeed(0);
    const w = init.kaimingNormal_(torch.empty(512, 512, 3, 3), { mode: "fan_out", nonlinearity: "relu" });
    const expected = Math.sqrt(2 / (512 * 3 * 3));
    const std = Number(w.std().item());
    expect(Math.abs(std - expected) / expected).toBeLessThan(0.02);
    expect(Math.abs(Number(w.mean().item()))).toBeLessThan(0.02 * expected);
  });
});

describe("calculateGain and fans", () => {
  GAINS.forEach(([name, param], i) => {
    it(`calculateGain("${name}"${param === null ? "" : `, ${param}`}) equals nn.init.calculate_gain`, () => {
      const gain = param === null ? init.calculateGain(name as Nonlinearity) : init.calculateGain(name as Nonlinearity, param);
      expect(gain).toBe(ref.gains[i]);
    });
  });

  it("an unknown nonlinearity is refused", () => {
    expect(() => init.calculateGain("gelu" as Nonlinearity)).toThrow(TypeError);
  });

  it("calculateFanInAndFanOut equals PyTorch's _calculate_fan_in_and_fan_out", () => {
    expect(FAN_SHAPES.map((s) => init.calculateFanInAndFanOut(torch.empty(s)))).toEqual(ref.fans);
  });

  it("fans of a tensor with fewer than 2 dimensions: the error PyTorch raises", () => {
    const oneD = torch.empty(5);
    const cases: [string, () => unknown][] = [
      ["calculate_fan_in_and_fan_out 1-D", () => init.calculateFanInAndFanOut(oneD)],
      ["calculate_fan_in_and_fan_out 0-D", () => init.calculateFanInAndFanOut(torch.tensor(1))],
      ["xavier_uniform_ 1-D", () => init.xavierUniform_(oneD)],
      ["xavier_normal_ 1-D", () => init.xavierNormal_(oneD)],
      ["kaiming_uniform_ 1-D", () => init.kaimingUniform_(oneD)],
      ["kaiming_normal_ 1-D", () => init.kaimingNormal_(oneD, { mode: "fan_out" })],
    ];
    for (const [name, fn] of cases) {
      expect(ref.fan_errors[name], `PyTorch raised for ${name}`).toMatch(/fewer than 2 dimensions/);
      expect(fn, name).toThrow(ref.fan_errors[name]);
    }
  });

  it("a bad fan mode is refused", () => {
    expect(() => init.kaimingUniform_(torch.empty(3, 3), { mode: "fan_avg" as FanMode })).toThrow(TypeError);
  });
});

describe("zero-element tensors", () => {
  for (const fn of ["kaiming_uniform_", "kaiming_normal_"] as const) {
    for (const shape of [[0, 3], [4, 0]]) {
      const key = `${fn} [${shape.join(", ")}]`;
      it(`${key} is a no-op, as in PyTorch`, () => {
        expect(ref.zero_element[key], "PyTorch raised").toBeNull();
        const t = torch.empty(shape);
        expect((fn === "kaiming_uniform_" ? init.kaimingUniform_ : init.kaimingNormal_)(t)).toBe(t);
        expect(t.shape).toEqual(shape);
      });
    }
  }

  it("nn.Linear(0, 4) builds as in PyTorch, drawing the same numbers", () => {
    torch.manualSeed(ZERO_SEED);
    const sd = new nn.Linear(0, 4).stateDict();
    expect([...sd.keys()]).toEqual(ref.zero_linear.state.map(([k]) => k));
    for (const [k, e] of ref.zero_linear.state) expectExact(sd.get(k), e, k);
    expectExact(torch.rand(5), ref.zero_linear.next_draw, "the next draw");
    expect(valuesOf(sd.get("bias")!)).toEqual([0, 0, 0, 0]);
  });
});
