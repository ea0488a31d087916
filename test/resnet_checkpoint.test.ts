// #5's round trip the other way: a ResNet initialised by torch-ts (kaiming init, BatchNorm
// statistics after a few training-mode forwards) and saved with torch.save loads strictly into
// torchvision's model with torch.load(weights_only=True) and gives the same eval logits
// (test/reference/resnet_checkpoint.py).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { runReference } from "./reference/python.js";

const CASES = [
  { name: "resnet50, 7 classes", arch: "resnet50", numClasses: 7 },
  { name: "resnext50_32x4d, 5 classes", arch: "resnext50_32x4d", numClasses: 5 },
] as const;

const dir = mkdtempSync(path.join(tmpdir(), "torch-ts-resnet-ckpt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a torch-ts-initialised ResNet in torchvision", () => {
  it("loads strictly with weights_only=True and gives torch-ts's eval logits", () => {
    torch.manualSeed(11);
    const ours = new Map<string, number[]>();
    const cases = CASES.map((c) => {
      const model = torch.vision.architectures[c.arch]({ numClasses: c.numClasses });
      const x = torch.randn(2, 3, 64, 64);
      // Training-mode forwards move the running statistics away from their 0/1 start, so the
      // file holds BatchNorm buffers that matter in eval.
      torch.tidy(() => torch.noGrad(() => { for (let i = 0; i < 3; i++) model.call(torch.randn(4, 3, 64, 64)); }));
      model.eval();
      const logits = torch.noGrad(() => model.call(x));
      ours.set(c.name, Array.from(logits.toTypedArray() as Float32Array));
      const weights = path.join(dir, `${c.arch}.pth`);
      const input = path.join(dir, `${c.arch}-x.pth`);
      torch.tidy(() => torch.save(model.stateDict(), weights));
      torch.save(x, input);
      torch.dispose(x, logits, [...model.parameters()], [...model.buffers()]);
      return { ...c, weights, input };
    });
    const ref = runReference<Record<string, { missing: string[]; unexpected: string[]; shape: number[]; logits: number[] }>>("resnet_checkpoint.py", { cases });
    for (const c of CASES) {
      const r = ref[c.name]!;
      expect(r.missing, c.name).toEqual([]);
      expect(r.unexpected, c.name).toEqual([]);
      expect(r.shape, c.name).toEqual([2, c.numClasses]);
      const mine = ours.get(c.name)!;
      const worst = Math.max(...mine.map((v, i) => Math.abs(v - r.logits[i]!)));
      expect(worst, c.name).toBeLessThan(1e-4);
    }
  });
});
