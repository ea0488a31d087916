// The defects the API fuzzer (scripts/soak/api_fuzz.ts) found in the generated op surface, each a
// call that crashed (SIGSEGV, SIGFPE) or hung the process and now refuses cleanly: the checks
// libtorch 1.13's kernels lack (native/op_checks.cc), run before the boxed call; the binder's
// (lib/tensor/op_call.ts) reading of list arguments and disposed tensors; and the methods whose
// schema puts self after another argument (lib/tensor/ops.ts); and one of the hand-written
// reductions (native/ops.cc). Valid calls of the same ops still work.
import { describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import * as F from "../lib/nn/functional.generated.js";
import * as generatedOps from "../lib/tensor/ops.generated.js";

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const T = torch as Any;
const G = F as Any;
const o = (...s: number[]) => torch.ones(s);
const i64 = (...v: bigint[]) => torch.tensor(v);
const withInf = () => torch.tensor([[1.75, 0.5, -0], [-1.5, 0, -2], [Infinity, -0.75, 2]], { dtype: "float64" });

describe("libtorch 1.13's missing checks are TorchErrors, not crashes", () => {
  const refused: [string, () => unknown, RegExp][] = [
    ["max_unpool2d output_size=[] (SIGSEGV)", () => G.maxUnpool2d(torch.tensor(-1.25), torch.tensor(0n), []), /exactly two elements .* output_size, but got 0/],
    ["max_unpool3d output_size=[] (SIGSEGV)", () => G.maxUnpool3d(o(1, 2, 2, 2), torch.zeros([1, 2, 2, 2], { dtype: "int64" }), [], [1, 1, 1], [0, 0, 0]), /exactly three elements/],
    ["to_sparse_bsr blocksize=[] (SIGSEGV)", () => (o(2, 2) as Any).toSparseBsr([]), /blocksize to have 2 elements, but got 0/],
    ["to_sparse_bsc blocksize=[] (SIGSEGV)", () => (o(2, 2) as Any).toSparseBsc([]), /blocksize to have 2 elements/],
    ["reflection_pad1d padding=[] (SIGSEGV)", () => G.reflectionPad1d(o(1, 2), []), /padding size is expected to be 2/],
    ["reflection_pad2d padding=[1] (SIGSEGV)", () => G.reflectionPad2d(o(1, 2, 2), [1]), /padding size is expected to be 4/],
    ["thnn_conv2d stride=[] (SIGSEGV)", () => G.thnnConv2d(o(1, 1, 2, 2), o(1, 1, 1, 1), [1, 1], null, [], [0, 0]), /stride to have 2 elements/],
    ["slow_conv3d padding=[] (SIGSEGV)", () => G.slowConv3d(o(1, 1, 2, 2, 2), o(1, 1, 1, 1, 1), [1, 1, 1], null, [1, 1, 1], []), /padding to have 3 elements/],
    ["slow_conv3d with a weight of 0 input channels (SIGFPE)", () => G.slowConv3d(o(1, 2, 2, 2, 2), torch.empty([1, 0, 1, 1, 1]), 1), /non-empty 2D or 5D weight tensor expected/],
    ["mkldnn_convolution padding=[0] on a 2-d conv (SIGFPE)", () => T.mkldnnConvolution(o(1, 1, 2, 2), o(1, 1, 1, 1), null, [0], [1], [1], 1), /padding to have 2 elements/],
    ["embedding_bag mode=9 (SIGSEGV)", () => T.embeddingBag(o(3, 2), i64(0n, 1n), i64(0n), false, 9), /mode to be 0 \(sum\), 1 \(mean\) or 2 \(max\)/],
    ["native_channel_shuffle batch 0 (SIGFPE)", () => T.nativeChannelShuffle(o(0, 2, 2), 1), /non-zero batch and channel sizes/],
    ["native_channel_shuffle 2 channels in 3 groups (SIGFPE)", () => T.nativeChannelShuffle(o(1, 2, 2), 3), /divisible by groups/],
    ["native_batch_norm with 0 channels (SIGFPE)", () => T.nativeBatchNorm(o(1, 0), null, null, null, null, true, 0.1, 1e-5), /at least one channel/],
    ["batch_norm_update_stats with 0 channels (SIGFPE)", () => T.batchNormUpdateStats(o(2, 0), null, null, 0.1), /at least one channel/],
    ["native_batch_norm in evaluation mode without running statistics (SIGSEGV)", () => T.nativeBatchNorm(o(2, 3, 1), null, null, null, null, false, 0.5, 0.1), /running_mean must be defined in evaluation mode/],
    ["native_batch_norm with 0-element running statistics (SIGSEGV)", () => T.nativeBatchNorm(o(2, 3, 1), null, null, torch.empty([0]), torch.empty([0]), true, 0.5, 0.1), /running_mean should contain 3 elements not 0/],
    ["native_batch_norm with a 1-element weight for 3 channels (reads past it)", () => T.nativeBatchNorm(o(2, 3, 1), torch.tensor(-2.75), null, o(3), o(3), false, 0.5, 0.1), /weight should contain 3 elements not 1/],
    ["batch_norm_update_stats with a 0-element running mean (SIGSEGV)", () => T.batchNormUpdateStats(o(2, 3, 1), torch.empty([0]), null, 1e-5), /running_mean should contain 3 elements not 0/],
    ["quantized_lstm_cell hx=[h] (SIGSEGV)", () => T.quantizedLstmCell(o(1, 3), [o(1, 2)], o(8, 3), o(8, 2), o(8), o(8), o(8, 3), o(8, 2), o(8), o(8), 1, 1, 0, 0), /hx to hold 2 tensors/],
    ["choose_qparams_optimized numel=0 of an empty input (SIGSEGV)", () => T.chooseQparamsOptimized(o(0), 0, 3, 0.75, 1), /out of the bound/],
    ["choose_qparams_optimized of an expanded input (reads past the storage)", () => T.chooseQparamsOptimized(o(1).expand(4), 4, 3, 0.75, 1), /contiguous/],
    ["choose_qparams_optimized n_bins=-1 (never returns)", () => T.chooseQparamsOptimized(torch.tensor([-3, 0.75]), 2, -1, 0.5, 8), /n_bins to be non-negative/],
    ["choose_qparams_optimized ratio=NaN (never returns)", () => T.chooseQparamsOptimized(torch.tensor([-3, 0.75]), 2, 3, NaN, 8), /ratio to be finite/],
    ["histogramdd bins=[] for 3-d samples (SIGSEGV)", () => torch.histogramdd(torch.randn([3, 3, 3]), { bins: [] }), /expected 3 bin counts for a 3-dimensional histogram but got 0/],
    ["lstm_cell with 2 gate rows (SIGSEGV)", () => T.lstmCell(o(2, 2), [o(2, 2), o(2, 2)], o(2, 2), o(2, 2)), /w_ih to have 4 x hidden_size rows/],
    ["gru_cell with 4 gate rows (SIGSEGV)", () => T.gruCell(o(2, 2), o(2, 2), o(4, 2), o(4, 2)), /w_ih to have 3 x hidden_size rows/],
    ["lstm with 5 gate rows (SIGSEGV)", () => T.lstm(o(2, 1, 2), [o(1, 1, 2), o(1, 1, 2)], [o(5, 2), o(5, 2)], false, 1, 0, false, false, false), /4 x hidden_size rows/],
    ["gru with 4 gate rows (SIGSEGV)", () => T.gru(o(2, 1, 2), o(1, 1, 2), [o(4, 2), o(4, 2)], false, 1, 0, false, false, false), /3 x hidden_size rows/],
    ["rrelu_with_noise, training, with a smaller noise (heap overrun, abort at exit)", () => G.rreluWithNoise(o(3, 2, 2), torch.tensor(-1), { training: true }), /noise tensor shape must match self tensor shape/],
    ["rrelu_with_noise, training, with an expanded noise (heap overrun)", () => G.rreluWithNoise(torch.tensor([2.25, -0.25]), { noise: torch.tensor([-1]).expand([2]), training: true }), /contiguous noise/],
    ["chunk of an empty tensor into 2^40 (std::bad_alloc, named)", () => (torch.tensor([]) as Any).chunk(2 ** 40, 0), /^aten::chunk: out of memory/],
    ["gradient with one spacing tensor for a 2-d input (SIGSEGV)", () => torch.gradient(o(2, 2), { spacing: [torch.tensor([1, 2])] }), /list of length equal to 'self.dim\(\) = 2'/],
    ["embedding_bag with 4-d weight and offsets (heap overrun, abort in free)", () => T.embeddingBag(torch.ones([1, 3, 1, 1]), i64(0n), torch.zeros([1, 3, 1, 1], { dtype: "int64" }), true), /weight to be a 2-D tensor/],
    ["binomial with a NaN count (never returns)", () => torch.binomial(torch.tensor([NaN]), torch.tensor([0.5])), /count to hold no NaN/],
    ["searchsorted with a sorter index out of range (SIGSEGV)", () => torch.searchsorted(torch.tensor([1, 2, 3]), torch.tensor([2, 3, 1.5, 0.5]), { sorter: torch.tensor([-(2n ** 40n), 0n, 1n]) }), /sorter index out of range/],
    ["linalg.svd of a matrix holding Infinity (hangs in LAPACK)", () => torch.linalg.svd(withInf()), /finite values/],
    ["linalg.pinv of a matrix holding Infinity (hangs)", () => torch.linalg.pinv(withInf()), /finite values/],
    ["linalg.lstsq driver gelsd on Infinity (hangs)", () => torch.linalg.lstsq(withInf(), o(3, 1).double(), { driver: "gelsd" }), /finite values/],
    ["linalg.eigvals of a matrix holding Infinity (hangs)", () => torch.linalg.eigvals(torch.tensor([[Infinity, 1], [1, 2]])), /finite values/],
  ];
  for (const [name, call, message] of refused) {
    it(name, () => {
      torch.tidy(() => {
        expect(call).toThrow(torch.TorchError);
        expect(call).toThrow(message);
      });
    });
  }

  it("valid calls of the checked ops still work", () => {
    torch.tidy(() => {
      expect(T.mkldnnConvolution(o(1, 1, 2, 2), o(1, 1, 1, 1), null, [0, 0], [1, 1], [1, 1], 1).shape).toEqual([1, 1, 2, 2]);
      expect(T.embeddingBag(o(3, 2), i64(0n, 1n), i64(0n), false, 1)[0].shape).toEqual([1, 2]);
      expect(T.nativeChannelShuffle(o(1, 4, 2), 2).shape).toEqual([1, 4, 2]);
      expect(T.nativeBatchNorm(o(2, 3), null, null, null, null, true, 0.1, 1e-5)[0].shape).toEqual([2, 3]);
      expect(torch.linalg.svd(o(2, 2))[1].shape).toEqual([2]);
      expect(torch.searchsorted(torch.tensor([3, 1, 2]), torch.tensor([2.5]), { sorter: torch.tensor([1n, 2n, 0n]) }).tolist()).toEqual([2]);
      expect(torch.binomial(torch.tensor([4]), torch.tensor([0.5])).shape).toEqual([1]);
      expect(torch.histogramdd(torch.randn([4, 2]), { bins: [2, 3] })[0].shape).toEqual([2, 3]);
      expect(T.chooseQparamsOptimized(torch.tensor([-3, 0.75]), 2, 0, 0.5, 8).length).toBe(2);
      // The default driver (gelsy) does not iterate: Infinity is its to turn into NaN, as in PyTorch.
      expect(torch.linalg.lstsq(withInf(), o(3, 1).double())[0].shape).toEqual([3, 1]);
      expect(T.lstm(o(2, 1, 2), [o(1, 1, 2), o(1, 1, 2)], [o(8, 2), o(8, 2)], false, 1, 0, false, false, false)[0].shape).toEqual([2, 1, 2]);
      expect(G.rreluWithNoise(o(3), torch.tensor(-1)).shape).toEqual([3]); // not training: noise is not written
      expect(G.maxUnpool2d(o(1, 2, 2), torch.zeros([1, 2, 2], { dtype: "int64" }), [2, 2]).shape).toEqual([1, 2, 2]);
    });
  });
});

describe("the binder reads list arguments once and names disposed tensors", () => {
  it("a list with a hole is a TypeError naming the op and argument (it reached native as 'A number was expected')", () => {
    torch.tidy(() => {
      // eslint-disable-next-line no-sparse-arrays
      expect(() => T.asStrided(o(2, 2), [2], [, 3, 4])).toThrow(new TypeError("torch.asStrided: expected stride to be an array of integers, but received [<empty>, 3, 4]"));
    });
  });

  it("a list whose elements change when read again reaches native as first read", () => {
    torch.tidy(() => {
      let reads = 0;
      const shifty = new Proxy([2, 2], { get: (t, k) => (k === "0" && reads++ > 0 ? "two" : Reflect.get(t, k)) });
      expect(T.tile(o(1), shifty).shape).toEqual([2, 2]);
    });
  });

  it("a method whose schema puts self later binds the receiver there, as Python does", () => {
    torch.tidy(() => {
      const x = torch.tensor([1, 2]) as Any;
      const mask = torch.tensor([true, false]);
      // where.self(Tensor condition, Tensor self, Tensor other): x.where(mask, y) was where(x, mask, y).
      expect(x.where(mask, torch.tensor([5, 6])).tolist()).toEqual([1, 6]);
      expect(x.where({ condition: mask, other: torch.tensor([5, 6]) }).tolist()).toEqual([1, 6]);
      // polygamma(int n, Tensor self): x.polygamma(1) was refused ("expected n to be an integer, but received tensor").
      expect(x.polygamma(1).tolist()).toEqual(torch.polygamma(1, x).tolist());
    });
  });

  it("a factory's requiresGrad on an integer result is PyTorch's refusal and frees the result", () => {
    const x = torch.tensor([false, true]);
    const before = torch.liveTensors();
    // The generated entry (torch.onesLike itself is hand-written): its result leaked as requiresGrad_ threw.
    expect(() => (generatedOps as Any).onesLike(x, { requiresGrad: true })).toThrow(/Only Tensors of floating point and complex dtype can require gradients/);
    expect(torch.liveTensors()).toBe(before);
    x.dispose();
  });

  it("a disposed tensor is a TorchError naming the op and the argument (it named neither)", () => {
    const d = torch.ones(2);
    d.dispose();
    torch.tidy(() => {
      const refusal = (f: () => unknown) => { try { f(); } catch (err) { return err as Error; } throw new Error("no refusal"); };
      for (const [f, message] of [
        [() => T.cumsum(d, 0), "torch.cumsum: self was disposed and cannot be used any more"],
        [() => (d as Any).cumsum(0), "Tensor.cumsum: self was disposed and cannot be used any more"],
        [() => T.broadcastTensors(o(1), d), "torch.broadcastTensors: tensors holds a Tensor that was disposed and cannot be used any more"],
      ] as [() => unknown, string][]) {
        const err = refusal(f);
        expect(err).toBeInstanceOf(torch.TorchError); // as every use of a disposed tensor (test/errors.test.ts)
        expect(err.message).toBe(message);
      }
    });
  });
});

describe("the hand-written surface's defects the fuzzer found", () => {
  it("a reduction with dim null and keepdim keeps every dim, as PyTorch's x.sum(None, keepdim=True)", () => {
    torch.tidy(() => {
      const x = torch.ones([3, 1]);
      // sum, mean, std and var returned a 0-d tensor, as if keepdim were false.
      for (const r of ["sum", "mean", "std", "var", "argmax"] as const) expect((x as Any)[r](null, { keepdim: true }).shape, r).toEqual([1, 1]);
      expect(x.sum(null, { keepdim: false }).shape).toEqual([]);
    });
  });
});
