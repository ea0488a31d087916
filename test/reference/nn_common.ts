// Helpers shared by the nn test suites: seeded float32-exact inputs sent to the PyTorch
// reference scripts, and comparisons against the tensors those scripts send back.
import { expect } from "vitest";
import * as torch from "torch-ts";

/** A tensor as the tests send it to Python: flat values (float32-exact or integers) and a shape. */
export interface Spec { shape: number[]; data: number[]; dtype: "float32" | "int64" }
/** A tensor as test/reference/nn_common.py's enc() returns it. */
export interface Encoded { shape: number[]; dtype: string; values: number[] }

/** A small seeded PRNG (the library's mulberry32), so inputs are reproducible. */
export const prng = torch.vision.transforms.mulberry32;

const numel = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

/** Float32-exact uniform values in [lo, hi). */
export function floatSpec(rnd: () => number, shape: number[], lo = -1, hi = 1): Spec {
  return { shape, dtype: "float32", data: Array.from({ length: numel(shape) }, () => Math.fround(lo + (hi - lo) * rnd())) };
}

/** int64 class indices in [0, high). */
export function intSpec(rnd: () => number, shape: number[], high: number): Spec {
  return { shape, dtype: "int64", data: Array.from({ length: numel(shape) }, () => Math.floor(high * rnd())) };
}

/** The torch-ts tensor of a spec (a leaf; requiresGrad only for floats). */
export function fromSpec(spec: Spec, requiresGrad = false): torch.Tensor {
  if (spec.dtype === "int64") return torch.tensor(BigInt64Array.from(spec.data, (v) => BigInt(v)), { shape: spec.shape });
  return torch.tensor(Float32Array.from(spec.data), { shape: spec.shape, requiresGrad });
}

/** The torch-ts tensor of what Python sent. */
export function fromEncoded(e: Encoded): torch.Tensor {
  if (e.dtype === "int64") return torch.tensor(BigInt64Array.from(e.values, (v) => BigInt(v)), { shape: e.shape });
  if (e.dtype === "float64") return torch.tensor(Float64Array.from(e.values), { shape: e.shape });
  if (e.dtype === "float32") return torch.tensor(Float32Array.from(e.values), { shape: e.shape });
  throw new Error(`fromEncoded: unexpected dtype ${e.dtype}`);
}

/** The flat values of a tensor as JS numbers. */
export function valuesOf(t: torch.Tensor): number[] {
  return torch.tidy(() => Array.from(t.detach().toTypedArray() as ArrayLike<number | bigint>, Number));
}

/** Shape and dtype exact; every element within tol absolute + tol relative of PyTorch's. */
export function expectClose(t: torch.Tensor | null | undefined, ref: Encoded, what: string, tol = 1e-5): void {
  expect(t, `${what}: tensor`).toBeInstanceOf(torch.Tensor);
  expect(t!.shape, `${what}: shape`).toEqual(ref.shape);
  expect(t!.dtype, `${what}: dtype`).toBe(ref.dtype);
  const got = valuesOf(t!);
  const bad = ref.values.flatMap((want, k) => (Math.abs(got[k]! - want) <= tol + tol * Math.abs(want) ? [] : [k]));
  if (bad.length > 0) {
    const k = bad[0]!;
    expect.fail(`${what}: ${bad.length} of ${got.length} elements differ, first [${k}]: ${got[k]} vs PyTorch ${ref.values[k]} (beyond ${tol} abs + ${tol} rel)`);
  }
}

/** Shape, dtype and every value bit-equal to PyTorch's (e.g. draws from the same generator). */
export function expectExact(t: torch.Tensor | null | undefined, ref: Encoded, what: string): void {
  expect(t, `${what}: tensor`).toBeInstanceOf(torch.Tensor);
  expect(t!.shape, `${what}: shape`).toEqual(ref.shape);
  expect(t!.dtype, `${what}: dtype`).toBe(ref.dtype);
  expect(valuesOf(t!), `${what}: values`).toEqual(ref.values);
}
