// The Python-signature ports of torch.nn.functional (lib/nn/functional_python.ts and the files it
// re-exports): the calling rule (positional or one options object), a few values PyTorch's docs
// state, and errors that name nn.functional.<name>. Full numerics: test/opinfo_replay.test.ts.
import { expect, it } from "vitest";
import * as torch from "torch-ts";

const F = torch.nn.functional;
const vals = (t: torch.Tensor): number[] => (t.flatten().tolist() as number[]).map((v) => Math.round(v * 1e4) / 1e4);

it("takes Python's arguments positionally or in one options object", () => {
  torch.tidy(() => {
    const x = torch.tensor([[3, 4], [6, 8]], { dtype: "float32" });
    expect(vals(F.normalize(x, 2, 1))).toEqual([0.6, 0.8, 0.6, 0.8]);
    expect(vals(F.normalize(x, { p: 2, dim: 1 }))).toEqual([0.6, 0.8, 0.6, 0.8]);
    expect(vals(F.normalize(x, 1, { dim: 0 }))).toEqual(vals(x.div(torch.tensor([9, 12], { dtype: "float32" }))));
    const img = torch.arange(4, { dtype: "float32" }).reshape([1, 1, 2, 2]);
    const up = F.interpolate(img, { scaleFactor: 2, mode: "nearest" });
    expect(up.shape).toEqual([1, 1, 4, 4]);
    expect(F.interpolate(img, [3, 3], null, "bilinear", true).shape).toEqual([1, 1, 3, 3]);
    expect(vals(F.interpolate(img, { size: 1, mode: "area" }))).toEqual([1.5]);
    const seq = torch.tensor([1, 5, 2, 0], { dtype: "float32" }).reshape([1, 1, 4]);
    const [out, idx] = F.maxPool1d(seq, 2, { returnIndices: true });
    expect(vals(out)).toEqual([5, 2]);
    expect(vals(F.maxPool1d(seq, 2, 1))).toEqual([5, 5, 2]);
    expect(vals(F.maxUnpool1d(out, idx, 2))).toEqual([0, 5, 2, 0]);
  });
});

it("computes the Python-code functions as PyTorch defines them", () => {
  torch.tidy(() => {
    const x = torch.tensor([-2, 0, 1], { dtype: "float32" });
    expect(vals(F.softsign(x))).toEqual([-0.6667, 0, 0.5]);
    expect(vals(F.tanhshrink(x))).toEqual(vals(x.sub(x.tanh())));
    expect(vals(F.threshold(x, 0.5, 9))).toEqual([9, 9, 1]);
    expect(vals(F.hardtanh(x, { minVal: -1, maxVal: 0.5 }))).toEqual([-1, 0, 0.5]);
    expect(vals(F.softmin(x, 0))).toEqual(vals(F.softmax(x.neg(), 0)));
    const y = x.clone();
    expect(F.relu6(y, { inplace: true })).toBe(y);
    expect(vals(F.l1Loss(x, torch.zerosLike(x), { reduction: "sum" }))).toEqual([3]);
    expect(vals(F.l1Loss(x, torch.zerosLike(x), null, false))).toEqual([2, 0, 1]); // legacy reduce=False
    expect(vals(F.klDiv(torch.zeros([2, 2]), torch.ones([2, 2]), { reduction: "batchmean" }))).toEqual([0]);
    expect(vals(F.pad(torch.ones([1, 2]), [1, 1], "constant", 0))).toEqual([0, 1, 1, 0]);
  });
});

it("names nn.functional.<name>, the argument, what was expected and what came", () => {
  torch.tidy(() => {
    const x = torch.ones([1, 1, 2, 2]);
    expect(() => F.interpolate(x, { scaleFactor: 2, mode: "cubic" as never })).toThrow(/nn\.functional\.interpolate: expected mode to be .*"bicubic".*but received "cubic"/);
    expect(() => F.normalize(x, { dims: 1 } as never)).toThrow(/nn\.functional\.normalize: unknown option "dims" \(did you mean "dim"\?\)/);
    expect(() => F.layerNorm("x" as never, [2])).toThrow(/nn\.functional\.layerNorm: expected input to be a Tensor, but received "x"/);
    expect(() => F.l1Loss(x, x, { reduction: "avg" as never })).toThrow(/reduction to be "none", "mean" or "sum", but received "avg"/);
    expect(() => F.interpolate(x, { size: 3, mode: "nearest", alignCorners: true })).toThrow(/align_corners option can only be set/);
  });
});
