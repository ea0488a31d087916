// Grad modes around async code: `await torch.noGrad(async () => …)` holds across awaits for
// that task alone (libtorch's flag is per thread; every task shares the thread), nested and
// interleaved scopes each keep theirs, setGradEnabled inside a scope changes only that scope,
// and a plain function returning a Promise is refused (nothing could follow its work).
import { describe, expect, it } from "vitest";
import * as torch from "torch-ts";

const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));

/** Records whether a fresh op result would be recorded for autograd, at each step. */
async function probe(steps: number, w: torch.Tensor): Promise<boolean[]> {
  const seen: boolean[] = [];
  for (let i = 0; i < steps; i++) {
    await tick(i % 2);
    await null;
    const y = w.mul(2);
    seen.push(y.requiresGrad);
    y.dispose();
  }
  return seen;
}

describe("grad modes across awaits", () => {
  const w = torch.ones([3], { requiresGrad: true });

  it("two interleaved tasks, one under noGrad, each see their own mode at every step", async () => {
    const off = torch.noGrad(async () => probe(6, w));
    const on = probe(6, w);
    expect(await off).toEqual(Array(6).fill(false));
    expect(await on).toEqual(Array(6).fill(true));
    expect(torch.isGradEnabled()).toBe(true);
  });

  it("for await over an async source inside noGrad: no graph recorded for any batch", async () => {
    async function* batches() {
      for (let i = 0; i < 4; i++) {
        await tick();
        yield torch.full([2], i);
      }
    }
    const flags = await torch.noGrad(async () => {
      const out: boolean[] = [];
      for await (const b of batches()) out.push(b.mul(w.slice(0, 0, 2)).requiresGrad);
      return out;
    });
    expect(flags).toEqual([false, false, false, false]);
  });

  it("enableGrad nested in an async noGrad, and inferenceMode, hold across awaits", async () => {
    const result = await torch.noGrad(async () => {
      await tick();
      const inner = await torch.enableGrad(async () => {
        await tick();
        return w.mul(2).requiresGrad;
      });
      await tick();
      return [inner, w.mul(2).requiresGrad];
    });
    expect(result).toEqual([true, false]);
    expect(await torch.inferenceMode(async () => probe(3, w))).toEqual([false, false, false]);
  });

  it("setGradEnabled inside an async scope changes that scope only", async () => {
    const a = torch.noGrad(async () => {
      await tick();
      torch.setGradEnabled(true);
      await tick(2);
      return w.mul(2).requiresGrad;
    });
    const b = torch.noGrad(async () => {
      await tick(2);
      return w.mul(2).requiresGrad;
    });
    expect(await Promise.all([a, b])).toEqual([true, false]);
    expect(torch.isGradEnabled()).toBe(true);
  });

  it("a rejected async scope restores nothing wrongly and reports its error", async () => {
    await expect(torch.noGrad(async () => {
      await tick();
      throw new Error("boom");
    })).rejects.toThrow("boom");
    expect(await probe(2, w)).toEqual([true, true]);
  });

  it("a plain function that returns a Promise is refused by name", () => {
    expect(() => torch.noGrad(() => Promise.resolve(1))).toThrow(/^torch\.noGrad: fn returned a Promise but is not an async function/);
  });
});
