// The hand-written fast paths (reductions, shape methods, clamp, comparisons …) take every form
// of the calling rule: their common forms run the fast path, the others the generated method
// of the same schema behind it. Each form must give what its canonical form gives.
import { describe, expect, it } from "vitest";
import * as torch from "torch-ts";

torch.manualSeed(0);
const x = torch.randn(3, 4);
const y = torch.randn(3, 4);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const X = x as any;
const values = (r: unknown): unknown => (r instanceof torch.Tensor ? [r.dtype, r.shape, r.tolist()] : Array.isArray(r) ? r.map(values) : r);

const FORMS: [string, () => unknown, () => unknown][] = [
  ["sum(1, true)", () => X.sum(1, true), () => x.sum(1, { keepdim: true })],
  ["sum({ dim: 1, keepdim: true })", () => X.sum({ dim: 1, keepdim: true }), () => x.sum(1, { keepdim: true })],
  ["mean(1, true)", () => X.mean(1, true), () => x.mean(1, { keepdim: true })],
  ["std(1, true, true): Python's std(dim, unbiased, keepdim)", () => X.std(1, true, true), () => x.std(1, { unbiased: true, keepdim: true })],
  ["var(1, false)", () => X.var(1, false), () => x.var(1, { unbiased: false })],
  ["max(1, true)", () => X.max(1, true), () => x.max(1, { keepdim: true })],
  ["max({ dim: 1 })", () => X.max({ dim: 1 }), () => x.max(1)],
  ["min(0, true)", () => X.min(0, true), () => x.min(0, { keepdim: true })],
  ["argmax(1, true)", () => X.argmax(1, true), () => x.argmax(1, { keepdim: true })],
  ["argmax({ dim: 1, keepdim: true })", () => X.argmax({ dim: 1, keepdim: true }), () => x.argmax(1, { keepdim: true })],
  ["argmin({ dim: 0 })", () => X.argmin({ dim: 0 }), () => x.argmin(0)],
  ["squeeze({ dim: 0 })", () => X.unsqueeze(0).squeeze({ dim: 0 }), () => x.unsqueeze(0).squeeze(0)],
  ["flatten({ startDim: 0 })", () => X.flatten({ startDim: 0 }), () => x.flatten(0)],
  ["transpose({ dim0: 0, dim1: 1 })", () => X.transpose({ dim0: 0, dim1: 1 }), () => x.transpose(0, 1)],
  ["narrow({ dim: 1, start: 1, length: 2 })", () => X.narrow({ dim: 1, start: 1, length: 2 }), () => x.narrow(1, 1, 2)],
  ["reshape({ shape: [12] })", () => X.reshape({ shape: [12] }), () => x.reshape(12)],
  ["permute({ dims: [1, 0] })", () => X.permute({ dims: [1, 0] }), () => x.permute(1, 0)],
  ["clamp({ min: 0 })", () => X.clamp({ min: 0 }), () => x.clamp(0)],
  ["clamp({ max: 0.5 })", () => X.clamp({ max: 0.5 }), () => x.clamp(null, 0.5)],
  ["round({ decimals: 1 })", () => X.round({ decimals: 1 }), () => x.mul(10).round().div(10)],
  ["matmul({ other })", () => X.matmul({ other: y.t() }), () => x.matmul(y.t())],
  ["gt({ other: 0 })", () => X.gt({ other: 0 }), () => x.gt(0)],
];

describe("hand-written methods take the whole calling rule", () => {
  it.each(FORMS)("%s", (_name, form, canonical) => {
    expect(values(form())).toEqual(values(canonical()));
  });

  it("their fast forms still refuse what the schema refuses, by name", () => {
    expect(() => X.sum(1, "yes")).toThrow(/Tensor\.sum/);
    expect(() => X.argmax({ dimm: 1 })).toThrow(/Tensor\.argmax.*dimm/);
    expect(() => X.std(1, true, true, true)).toThrow(/Tensor\.std/);
  });
});
