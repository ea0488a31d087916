// Python's indexing, x[...] and x[...] = v, as Tensor.index(...) and Tensor.indexPut_([...], v):
// a seeded corpus of index expressions (integers, slices with negative bounds and steps, None,
// Ellipsis, booleans, integer and bool arrays and tensors, basic and advanced mixed), each read,
// differentiated and written in torch-ts and in PyTorch (Debian's /usr/bin/python3, at test
// time); values, shapes, gradients, the view-or-copy outcome and refusals must agree.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import type { IndexElement } from "../lib/tensor/indexing.js";
import { PYTHON } from "./reference/python.js";

type El =
  | { t: "int"; v: number } | { t: "slice"; v: [number | null, number | null, number | null] } | { t: "none" }
  | { t: "ellipsis" } | { t: "bool"; v: boolean } | { t: "ints"; v: number[] } | { t: "mask"; v: boolean[] } | { t: "tensor"; v: number[] };

const SHAPE = [4, 5, 6];


/** A random index expression over SHAPE: mostly valid, sometimes out of range (both must refuse). */
function corpus(n: number, seed: number): El[][] {
  const r = torch.vision.transforms.mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const out: El[][] = [];
  for (let k = 0; k < n; k++) {
    const els: El[] = [];
    let dim = 0;
    let ellipsis = false;
    const count = int(1, 4);
    for (let j = 0; j < count; j++) {
      const size = SHAPE[Math.min(dim, SHAPE.length - 1)]!;
      const pick = r();
      if (pick < 0.22) { els.push({ t: "int", v: int(-size, size - (r() < 0.05 ? 0 : 1)) }); dim++; }
      else if (pick < 0.5) {
        const b = () => (r() < 0.3 ? null : int(-size - 1, size + 1));
        els.push({ t: "slice", v: [b(), b(), r() < 0.5 ? null : int(1, 3)] });
        dim++;
      } else if (pick < 0.58) els.push({ t: "none" });
      else if (pick < 0.64 && !ellipsis) { els.push({ t: "ellipsis" }); ellipsis = true; dim = SHAPE.length - (count - j - 1); }
      else if (pick < 0.68) els.push({ t: "bool", v: r() < 0.5 });
      else if (pick < 0.82) { els.push({ t: "ints", v: Array.from({ length: int(1, 3) }, () => int(-size, size - 1)) }); dim++; }
      else if (pick < 0.9) { els.push({ t: "mask", v: Array.from({ length: size }, () => r() < 0.5) }); dim++; }
      else { els.push({ t: "tensor", v: Array.from({ length: int(1, 3) }, () => int(0, size - 1)) }); dim++; }
      if (dim > SHAPE.length) break;
    }
    out.push(els);
  }
  return out;
}

function toTs(els: El[]): IndexElement[] {
  return els.map((e) => {
    switch (e.t) {
      case "int": return e.v;
      case "slice": return e.v.map((x) => (x === null ? "" : String(x))).join(":").replace(/:$/, e.v[2] === null ? "" : ":");
      case "none": return null;
      case "ellipsis": return "...";
      case "bool": return e.v;
      case "ints": return e.v;
      case "mask": return e.v;
      case "tensor": return torch.tensor(e.v.map(BigInt));
    }
  });
}

const PY = `import json, sys, torch
shape = json.loads(sys.argv[1])
def el(e):
    t = e["t"]
    if t == "int": return e["v"]
    if t == "slice": return slice(*e["v"])
    if t == "none": return None
    if t == "ellipsis": return Ellipsis
    if t == "bool": return e["v"]
    if t == "ints": return e["v"]
    if t == "mask": return torch.tensor(e["v"])
    if t == "tensor": return torch.tensor(e["v"])
out = []
for els in json.load(sys.stdin):
    idx = tuple(el(e) for e in els)
    x = torch.arange(float(torch.Size(shape).numel()), dtype=torch.float64).reshape(shape).requires_grad_()
    try:
        y = x[idx]
    except Exception as err:
        out.append({"error": type(err).__name__ + ": " + str(err).splitlines()[0]})
        continue
    cot = torch.arange(float(y.numel()), dtype=torch.float64).reshape(y.shape) + 1
    (y * cot).sum().backward()
    view = y._base is x or (y._base is not None and y._base is x._base)
    w = x.detach().clone()
    w[idx] = 7.5
    v = x.detach().clone()
    v[idx] = -cot
    out.append({"shape": list(y.shape), "y": y.detach().flatten().tolist(), "grad": x.grad.flatten().tolist(),
                "view": bool(view), "scalarPut": w.flatten().tolist(), "tensorPut": v.flatten().tolist()})
print(json.dumps(out))`;

interface PyResult { error?: string; shape?: number[]; y?: number[]; grad?: number[]; view?: boolean; scalarPut?: number[]; tensorPut?: number[] }

describe("Tensor.index / indexPut_ as Python's x[...] and x[...] = v", () => {
  it("a corpus of 600 index expressions reads, differentiates and writes as in PyTorch", () => {
    const live = torch.liveTensors();
    const exprs = corpus(600, 20261203);
    const r = spawnSync(PYTHON, ["-c", PY, JSON.stringify(SHAPE)], { input: JSON.stringify(exprs), encoding: "utf8", maxBuffer: 1 << 28 });
    expect(r.status, r.stderr).toBe(0);
    const want = JSON.parse(r.stdout) as PyResult[];
    let refusedBoth = 0;
    let views = 0;
    exprs.forEach((els, k) => {
      const label = `#${k} x[${JSON.stringify(els)}]`;
      torch.tidy(() => {
        const idx = toTs(els);
        const x = torch.arange(0, SHAPE.reduce((a, b) => a * b), 1, { dtype: "float64" }).reshape(SHAPE).requiresGrad_();
        let y: torch.Tensor;
        try {
          y = x.index(...idx);
        } catch (err) {
          expect(want[k]!.error, `${label}: torch-ts refused (${(err as Error).message}) where PyTorch did not`).toBeDefined();
          expect(err, label).toBeInstanceOf(Error);
          refusedBoth++;
          return;
        }
        const w = want[k]!;
        expect(w.error, `${label}: PyTorch refused: ${w.error}`).toBeUndefined();
        expect(y.shape, label).toEqual(w.shape);
        expect(Array.from(y.detach().flatten().toTypedArray() as Float64Array), label).toEqual(w.y);
        const cot = torch.arange(0, y.numel(), 1, { dtype: "float64" }).reshape(y.shape).add(1);
        y.mul(cot).sum().backward();
        expect(Array.from(x.grad!.flatten().toTypedArray() as Float64Array), `${label} gradient`).toEqual(w.grad);
        // A view shares x's storage: writing through it changes x, as Python's basic indexing does.
        const isView = y.numel() > 0 && torch.noGrad(() => {
          const base = x.detach();
          const v = base.index(...toTs(els));
          v.fill_(-1);
          return base.eq(-1).any().item() === true;
        });
        if (y.numel() > 0) expect(isView, `${label} view`).toBe(w.view!);
        if (isView) views++;
        const s = x.detach().clone().indexPut_(idx, 7.5);
        expect(Array.from(s.flatten().toTypedArray() as Float64Array), `${label} = 7.5`).toEqual(w.scalarPut);
        const t = x.detach().clone().indexPut_(idx, cot.neg());
        expect(Array.from(t.flatten().toTypedArray() as Float64Array), `${label} = -cot`).toEqual(w.tensorPut);
      });
    });
    console.log(`index corpus: ${exprs.length} expressions, ${exprs.length - refusedBoth} read/written as PyTorch (${views} views), ${refusedBoth} refused by both`);
    expect(exprs.length - refusedBoth).toBeGreaterThan(400);
    expect(torch.liveTensors()).toBe(live);
  });

  it("bad index elements are TypeErrors naming the element", () => {
    torch.tidy(() => {
      const x = torch.zeros(3, 4);
      expect(() => x.index(1.5)).toThrow(/^Tensor\.index: expected index element 0 to be an integer/);
      expect(() => x.index("1-2")).toThrow(/^Tensor\.index: expected index element 0 to be a slice written as Python writes it/);
      expect(() => x.index(":", {} as never)).toThrow(/^Tensor\.index: expected index element 1 to be /);
      expect(() => x.index([0.5])).toThrow(/^Tensor\.index: expected index element 0 to be an array of integers or of booleans/);
      expect(() => x.indexPut_(0 as never, 1)).toThrow(/^Tensor\.indexPut_: expected elements to be an array/);
      expect(() => x.indexPut_([0], "1" as never)).toThrow(/^Tensor\.indexPut_: expected value to be a Tensor or a number/);
      expect(() => x.index(9)).toThrow(torch.TorchError);
    });
  });
});
