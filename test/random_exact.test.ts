// Random ops give PyTorch's exact values after the same manualSeed: the same libtorch CPU
// generator (mt19937 / Philox on CUDA) drawn by the same kernels in the same order. Each case
// is one call written twice, as Python (run by test/reference/random_exact.py under
// torch.manual_seed(seed)) and as torch-ts by the calling rule (run after torch.manualSeed(seed));
// the results must be bitwise equal. OpInfo's own random entries (wrapper_set_seed) are
// replayed the same way in test/opinfo_replay.test.ts.
import { afterAll, expect, it } from "vitest";
import * as torch from "torch-ts";
import { decodeValue, type Encoded } from "./reference/opinfo.js";
import { ReferenceSession } from "./reference/session.js";

const py = new ReferenceSession("random_exact.py");
afterAll(() => py.close());
const F = torch.nn.functional;
const t = (shape: number[]) => torch.rand(shape); // an input drawn inside the case, under its seed

/** [Python expression, the torch-ts call]. */
const CASES: [string, () => unknown][] = [
  ["torch.rand(3, 5)", () => torch.rand(3, 5)],
  ["torch.rand(40, dtype=torch.float64)", () => torch.rand(40, { dtype: "float64" })],
  ["torch.randn(4, 7)", () => torch.randn(4, 7)],
  ["torch.randn(33)", () => torch.randn(33)], // >= 16: the vectorised normal path
  ["torch.randn(5, dtype=torch.float64)", () => torch.randn(5, { dtype: "float64" })],
  ["torch.randint(10, (6,))", () => torch.randint(10, [6])],
  ["torch.randint(-5, 5, (3, 3))", () => torch.randint(-5, 5, [3, 3])],
  ["torch.randperm(12)", () => torch.randperm(12)],
  ["torch.randperm(3000)", () => torch.randperm(3000)],
  ["torch.bernoulli(torch.rand(4, 4))", () => torch.bernoulli(t([4, 4]))],
  ["torch.bernoulli(torch.rand(5), 0.3)", () => torch.bernoulli(t([5]), 0.3)],
  ["torch.rand(6).bernoulli_(0.5)", () => t([6]).bernoulli_(0.5)],
  ["torch.multinomial(torch.rand(3, 6), 4)", () => torch.multinomial(t([3, 6]), 4)],
  ["torch.multinomial(torch.rand(8), 20, replacement=True)", () => torch.multinomial(t([8]), 20, { replacement: true })],
  ["torch.normal(torch.rand(5), torch.rand(5))", () => torch.normal(t([5]), t([5]))],
  ["torch.normal(2.0, 3.0, size=(4,))", () => torch.normal(2.0, 3.0, [4])],
  ["torch.normal(torch.rand(3), 0.5)", () => torch.normal(t([3]), 0.5)],
  ["torch.empty(20).normal_()", () => torch.empty(20).normal_()],
  ["torch.empty(7).normal_(1.0, 0.1)", () => torch.empty(7).normal_(1.0, 0.1)],
  ["torch.empty(9).uniform_(-2, 3)", () => torch.empty(9).uniform_(-2, 3)],
  ["torch.empty(6).exponential_()", () => torch.empty(6).exponential_()],
  ["torch.empty(6).cauchy_()", () => torch.empty(6).cauchy_()],
  ["torch.empty(6).log_normal_()", () => torch.empty(6).logNormal_()],
  ["torch.empty(6).geometric_(0.3)", () => torch.empty(6).geometric_(0.3)],
  ["torch.empty(6, dtype=torch.int64).random_(0, 100)", () => torch.empty(6, { dtype: "int64" }).random_(0, 100)],
  ["torch.poisson(torch.rand(5) * 4)", () => torch.poisson(t([5]).mul(4))],
  ["torch.rand_like(torch.zeros(2, 3))", () => torch.randLike(torch.zeros(2, 3))],
  ["torch.randn_like(torch.zeros(2, 3, dtype=torch.float64))", () => torch.randnLike(torch.zeros(2, 3, { dtype: "float64" }))],
  ["torch.randint_like(torch.zeros(4), 3, 9)", () => torch.randintLike(torch.zeros(4), 3, 9)],
  ["F.dropout(torch.ones(4, 5), 0.5)", () => F.dropout(torch.ones(4, 5), 0.5)],
  ["F.dropout(torch.ones(40), 0.2, training=True)", () => F.dropout(torch.ones(40), 0.2, { training: true })],
  ["F.dropout2d(torch.ones(2, 3, 2, 2), 0.5)", () => F.dropout2d(torch.ones(2, 3, 2, 2), 0.5)],
  ["F.alpha_dropout(torch.rand(6), 0.5, training=True)", () => F.alphaDropout(t([6]), 0.5, { training: true })],
  ["F.rrelu(torch.randn(8), training=True)", () => F.rrelu(torch.randn(8), { training: true })],
  ["nn.Dropout(0.3)(torch.ones(10))", () => new torch.nn.Dropout(0.3).call(torch.ones(10))],
  ["torch.svd_lowrank(torch.rand(6, 5), q=3)", () => torch.svdLowrank(t([6, 5]), 3)],
];

it("random ops draw PyTorch's exact values after the same manualSeed", async () => {
  const live = torch.liveTensors();
  const cases = CASES.map(([code], i) => ({ seed: 1000 + i, code }));
  const { results } = await py.request<{ results: ({ value: Encoded } | { error: string })[] }>({ cases });
  const mismatches: string[] = [];
  CASES.forEach(([code, call], i) => {
    const r = results[i]!;
    if ("error" in r) throw new Error(`PyTorch refused ${code}: ${r.error}`);
    torch.tidy(() => {
      torch.manualSeed(1000 + i);
      const got = call();
      const want = decodeValue(r.value, torch);
      const pairs: [unknown, unknown][] = Array.isArray(want) ? want.map((w, k) => [(got as unknown[])[k], w]) : [[got, want]];
      for (const [g, w] of pairs) {
        const a = g as torch.Tensor;
        const b = w as torch.Tensor;
        const same = a.dtype === b.dtype && JSON.stringify(a.shape) === JSON.stringify(b.shape) && torch.equal(a, b);
        if (!same) mismatches.push(`${code}: torch-ts ${a.dtype} [${a.shape}] ${String(a).slice(0, 120)} vs PyTorch ${b.dtype} [${b.shape}] ${String(b).slice(0, 120)}`);
      }
    });
  });
  expect(mismatches).toEqual([]);
  expect(torch.liveTensors()).toBe(live);
}, 120_000);
