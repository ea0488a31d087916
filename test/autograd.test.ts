// Autograd against PyTorch: values and gradients of the same graphs built in torch-ts and in
// Debian's torch (test/reference/autograd.py, one process), plus grad-mode semantics.
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { runReference } from "./reference/python.js";

interface Result { shape: number[]; dtype: string; values: number[] }
interface Reference {
  composite: { loss: Result; h_grad: Result; grads: Record<"x" | "w" | "b" | "s", Result> };
  explicit: { y: Result; x: Result; c: Result };
  accumulate: { once: Result; twice: Result };
  second_backward_error: string | null;
  int_requires_grad_error: string | null;
  flags: { no_grad: boolean; enable_in_no_grad: boolean; detach: boolean };
  detach: { grad: Result; after_mul_: Result };
}

// Seeded float32-exact inputs, so both sides start from identical bits.
const prng = torch.vision.transforms.mulberry32;
const rnd = prng(7);
const spec = (shape: number[], lo = -1, hi = 1) => ({
  shape, data: Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => Math.fround(lo + (hi - lo) * rnd())),
});
// b [5] and s [5] broadcast against the [4,5] activations; c [3] against x [4,3].
const INPUTS = { x: spec([4, 3]), w: spec([3, 5]), b: spec([5]), s: spec([5], -2, 2), c: spec([3]), g: spec([4, 3]) };
type Name = keyof typeof INPUTS;

/** A fresh float32 leaf that requires grad (built from a typed array: reshape would make a non-leaf). */
const leaf = (n: Name) => torch.tensor(Float32Array.from(INPUTS[n].data), { shape: INPUTS[n].shape, requiresGrad: true });

/** |a - b| <= 1e-6 elementwise, with shape and dtype exact. */
function expectClose(t: torch.Tensor | null, ref: Result, what: string): void {
  expect(t, `${what}: tensor`).not.toBeNull();
  expect(t!.shape, `${what}: shape`).toEqual(ref.shape);
  expect(t!.dtype, `${what}: dtype`).toBe(ref.dtype);
  const got = Array.from(t!.detach().toTypedArray() as Float32Array);
  ref.values.forEach((want, k) => {
    expect(Math.abs(got[k]! - want), `${what}[${k}]: ${got[k]} vs PyTorch ${want}`).toBeLessThanOrEqual(1e-6);
  });
}

let ref: Reference;
beforeAll(() => {
  ref = runReference<Reference>("autograd.py", INPUTS);
});

describe("gradients match PyTorch", () => {
  it("composite expression: value and the gradient of every input", () => {
    const [x, w, b, s] = [leaf("x"), leaf("w"), leaf("b"), leaf("s")];
    const h = x.matmul(w).add(b).tanh().retainGrad();
    const loss = h.mul(s).sigmoid().pow(2).mean().add(x.exp().sum().mul(0.01));
    expect(loss.shape).toEqual([]);
    expect(loss.requiresGrad).toBe(true);
    expect(loss.isLeaf).toBe(false);
    loss.backward();
    expectClose(loss, ref.composite.loss, "loss");
    expectClose(h.grad, ref.composite.h_grad, "h.grad (retainGrad)");
    expectClose(x.grad, ref.composite.grads.x, "x.grad");
    expectClose(w.grad, ref.composite.grads.w, "w.grad");
    expectClose(b.grad, ref.composite.grads.b, "b.grad (broadcast bias)");
    expectClose(s.grad, ref.composite.grads.s, "s.grad (broadcast scale)");
  });

  it("backward with an explicit gradient on a non-scalar output", () => {
    const [x, c] = [leaf("x"), leaf("c")];
    const g = leaf("g").detach();
    const y = x.pow(3).mul(c);
    expect(y.shape).toEqual([4, 3]);
    y.backward(g);
    expectClose(y, ref.explicit.y, "y");
    expectClose(x.grad, ref.explicit.x, "x.grad");
    expectClose(c.grad, ref.explicit.c, "c.grad");
  });

  it("grads accumulate over two backward calls with retainGraph", () => {
    const x = leaf("x");
    const loss = x.sin().mul(x).sum();
    loss.backward(null, { retainGraph: true });
    const once = x.grad!.clone();
    expectClose(once, ref.accumulate.once, "after one backward");
    loss.backward();
    expectClose(x.grad, ref.accumulate.twice, "after two backward");
    expectClose(x.grad, { ...ref.accumulate.once, values: ref.accumulate.once.values.map((v) => 2 * v) }, "twice the first");
  });

  it("a second backward without retainGraph throws a TorchError, as PyTorch raises", () => {
    expect(ref.second_backward_error, "PyTorch raised").toMatch(/backward through the graph a second time/);
    const x = leaf("x");
    const loss = x.exp().sum();
    loss.backward();
    expect(() => loss.backward()).toThrow(torch.TorchError);
    expect(() => loss.backward()).toThrow(/second time/);
  });

  it("setting grad to null clears it, and the next backward starts from zero", () => {
    const x = leaf("x");
    const loss = x.sin().mul(x).sum();
    loss.backward(null, { retainGraph: true });
    expect(x.grad).not.toBeNull();
    x.grad = null;
    expect(x.grad).toBeNull();
    loss.backward();
    expectClose(x.grad, ref.accumulate.once, "fresh grad, not accumulated");
  });
});

describe("grad mode and graph detachment", () => {
  it("noGrad: results do not require grad, and the mode is restored", () => {
    const x = leaf("x");
    expect(torch.isGradEnabled()).toBe(true);
    const [y, inside] = torch.noGrad(() => [x.mul(2), torch.isGradEnabled()] as const);
    expect(inside).toBe(false);
    expect(y.requiresGrad).toBe(ref.flags.no_grad);
    expect(y.requiresGrad).toBe(false);
    expect(torch.isGradEnabled()).toBe(true);
    expect(x.mul(2).requiresGrad).toBe(true);
  });

  it("noGrad restores the mode when fn throws", () => {
    const boom = new Error("boom");
    expect(() => torch.noGrad(() => { throw boom; })).toThrow(boom);
    expect(torch.isGradEnabled()).toBe(true);
    // A libtorch error inside noGrad too.
    expect(() => torch.noGrad(() => leaf("x").matmul(leaf("x")))).toThrow(torch.TorchError);
    expect(torch.isGradEnabled()).toBe(true);
  });

  it("enableGrad inside noGrad records again, and both modes unwind", () => {
    const x = leaf("x");
    const y = torch.noGrad(() => torch.enableGrad(() => {
      expect(torch.isGradEnabled()).toBe(true);
      return x.mul(2);
    }));
    expect(y.requiresGrad).toBe(ref.flags.enable_in_no_grad);
    expect(y.requiresGrad).toBe(true);
    expect(torch.noGrad(() => { torch.enableGrad(() => 0); return torch.isGradEnabled(); })).toBe(false);
    expect(torch.isGradEnabled()).toBe(true);
  });

  it("detach: no gradient flows through it, and it shares storage", () => {
    const x = leaf("x");
    const d = x.detach();
    expect(d.requiresGrad).toBe(ref.flags.detach);
    expect(d.isLeaf).toBe(true);
    x.mul(x.detach()).sum().backward();
    expectClose(x.grad, ref.detach.grad, "x.grad of x * x.detach()");
    d.mul_(2);
    expectClose(x, ref.detach.after_mul_, "x after detach().mul_(2)");
  });

  it("requiresGrad_ on an int tensor throws a TorchError, as PyTorch raises", () => {
    expect(ref.int_requires_grad_error, "PyTorch raised").toMatch(/floating point/);
    const t = torch.tensor([1n, 2n]);
    expect(() => t.requiresGrad_()).toThrow(torch.TorchError);
    expect(() => t.requiresGrad_()).toThrow(/floating point/);
    expect(t.requiresGrad).toBe(false);
    expect(() => torch.tensor([1, 2], { dtype: "int32", requiresGrad: true })).toThrow(torch.TorchError);
  });
});
