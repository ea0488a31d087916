// The op surface generated from PyTorch's schemas (scripts/gen-ops.ts, lib/tensor/op_call.ts):
// the calling rule's forms give Python's values (PyTorch computes them at test time), returns
// carry their schema names, in-place methods return their tensor, autograd flows through the
// dispatcher, bad arguments are TypeErrors naming the op and the argument, libtorch's refusals
// are TorchErrors, an operator the linked libtorch lacks is named with the libtorch version,
// and the generated tables match the schemas the linked libtorch registers. The breadth check
// is the OpInfo replay (opinfo_replay.test.ts).
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { native } from "../lib/binding.js";
import * as generatedNn from "../lib/nn/functional.generated.js";
import { OpEntry, parseOverload } from "../lib/tensor/op_call.js";
import * as generatedOps from "../lib/tensor/ops.generated.js";
import { PYTHON } from "./reference/python.js";

let live = 0;
beforeAll(() => {
  live = torch.liveTensors();
});
afterAll(() => {
  expect(torch.liveTensors()).toBe(live);
});

/** Python's value of each expression (x = [[3., 1., 4.], [1., 5., 9.]]) as nested lists. */
function python(exprs: string[]): unknown[] {
  const code = `import json, sys, torch
x = torch.tensor([[3., 1., 4.], [1., 5., 9.]])
def out(v):
    if isinstance(v, torch.Tensor): return v.tolist()
    if isinstance(v, (tuple, list)): return [out(e) for e in v]
    return v
print(json.dumps([out(eval(e)) for e in json.load(sys.stdin)]))`;
  const r = spawnSync(PYTHON, ["-c", code], { input: JSON.stringify(exprs), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`python: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown[];
}
const plain = (v: unknown): unknown => (v instanceof torch.Tensor ? v.tolist() : Array.isArray(v) ? v.map(plain) : v);

describe("the calling rule, from the schema", () => {
  it("positional in schema order, defaulted and keyword-only arguments in one options object: Python's values", () => {
    const cases: [string, (x: torch.Tensor) => unknown][] = [
      ["x.topk(2)", (x) => x.topk(2)],
      ["x.topk(1, 0)", (x) => x.topk(1, 0)],
      ["torch.topk(x, 2, dim=0, largest=False)", (x) => torch.topk(x, 2, { dim: 0, largest: false })],
      ["x.topk(2, largest=False, sorted=True)", (x) => x.topk(2, { largest: false, sorted: true })],
      ["x.sort(1, True)", (x) => x.sort(1, true)],
      ["torch.sort(x, dim=0, descending=True)", (x) => torch.sort(x, { dim: 0, descending: true })],
      ["x.cumsum(1)", (x) => x.cumsum(1)],
      ["torch.cumsum(x, dim=0)", (x) => torch.cumsum(x, { dim: 0 })],
      ["x.roll(1, 1)", (x) => x.roll(1, 1)],
      ["torch.roll(x, shifts=(1, 2), dims=(0, 1))", (x) => torch.roll(x, { shifts: [1, 2], dims: [0, 1] })],
      ["x.repeat(2, 1)", (x) => x.repeat(2, 1)],
      ["x.repeat([1, 2])", (x) => x.repeat([1, 2])],
      ["torch.gather(x, 1, torch.tensor([[0], [2]]))", (x) => torch.gather(x, 1, torch.tensor([[0n], [2n]]))],
      ["x.masked_fill(x > 3, 0)", (x) => x.maskedFill(x.gt(3), 0)],
      ["torch.einsum('ij->ji', x)", (x) => torch.einsum("ij->ji", [x])],
      ["torch.logsumexp(x, (0, 1))", (x) => torch.logsumexp(x, [0, 1])],
      ["torch.meshgrid(x[0], x[1], indexing='xy')", (x) => torch.meshgrid(x.select(0, 0), x.select(0, 1), { indexing: "xy" })],
      ["torch.broadcast_tensors(x, x[0])", (x) => torch.broadcastTensors(x, x.select(0, 0))],
      ["torch.split(x, 2, dim=1)", (x) => torch.split(x, 2, { dim: 1 })],
      ["torch.unbind(x)", (x) => torch.unbind(x)],
      ["torch.linalg.solve(torch.tensor([[2., 0.], [0., 4.]]), torch.tensor([2., 4.]))", () => torch.linalg.solve(torch.tensor([[2, 0], [0, 4]]), torch.tensor([2, 4]))],
      ["torch.special.erfcx(x)", (x) => torch.special.erfcx(x)],
      ["torch.eye(3, dtype=torch.float64)", () => torch.eye(3, { dtype: "float64" })],
      ["torch.var(x, 1)", (x) => torch.var(x, 1)],
      ["torch.layer_norm(x, [3])", (x) => torch.layerNorm(x, [3])],
    ];
    const expected = python(cases.map(([e]) => e));
    cases.forEach(([expr, f], i) => {
      const got = torch.tidy(() => plain(torch.tidy(() => {
        const x = torch.tensor([[3, 1, 4], [1, 5, 9]]);
        return f(x) as torch.Tensor;
      })));
      const want = expected[i];
      const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [Number(v)]);
      expect(flat(got).length, expr).toBe(flat(want).length);
      flat(got).forEach((g, k) => expect(g, `${expr} [${k}]`).toBeCloseTo(flat(want)[k]!, 5));
    });
  });

  it("several returns are an array in schema order carrying the return names", () => {
    torch.tidy(() => {
      const x = torch.tensor([[3, 1, 4], [1, 5, 9]]);
      const r = x.topk(2);
      const [values, indices] = r;
      expect(r.values).toBe(values);
      expect(r.indices).toBe(indices);
      expect(indices.dtype).toBe("int64");
      expect(Object.keys(r)).toEqual(["0", "1"]); // the names are not enumerable: it spreads as a pair
    });
  });

  it("an in-place method returns the tensor it changed; a factory takes requiresGrad as Python's does", () => {
    torch.tidy(() => {
      const x = torch.zeros(2);
      expect(x.addcmul_(torch.ones(2), torch.ones(2), { value: 3 })).toBe(x);
      expect(x.tolist()).toEqual([3, 3]);
      const e = torch.eye(2, { requiresGrad: true });
      expect(e.requiresGrad).toBe(true);
    });
  });

  it("autograd flows through generated ops: gather and cumsum gradients equal PyTorch's", () => {
    const want = python(["(lambda w: (torch.gather(w, 1, torch.tensor([[0, 0], [2, 1]])).mul(torch.tensor([[1., 2.], [3., 4.]])).sum().backward(), w.grad)[1])(x.clone().requires_grad_())",
      "(lambda w: (w.cumsum(1).pow(2).sum().backward(), w.grad)[1])(x.clone().requires_grad_())"]);
    torch.tidy(() => {
      const w = torch.tensor([[3, 1, 4], [1, 5, 9]], { requiresGrad: true });
      torch.gather(w, 1, torch.tensor([[0n, 0n], [2n, 1n]])).mul(torch.tensor([[1, 2], [3, 4]])).sum().backward();
      expect(w.grad!.tolist()).toEqual(want[0]);
      const v = torch.tensor([[3, 1, 4], [1, 5, 9]], { requiresGrad: true });
      v.cumsum(1).pow(2).sum().backward();
      expect(v.grad!.tolist()).toEqual(want[1]);
    });
  });
});

describe("bad input", () => {
  it("a wrong argument is a TypeError naming the op, the argument, what was expected and what came", () => {
    torch.tidy(() => {
      const x = torch.ones(3);
      expect(() => x.topk("2" as never)).toThrow(new TypeError('Tensor.topk: expected k to be an integer, but received "2"'));
      expect(() => torch.topk(x, 1, { dims: 0 } as never)).toThrow(/^torch\.topk: unknown option "dims"; expected one of dim, largest, sorted$/);
      // @ts-expect-error dim is required: the call the types refuse is refused at run time too
      expect(() => torch.cumsum(x)).toThrow(/^torch\.cumsum: /);
      expect(() => torch.gather(x, 0, [0] as never)).toThrow(/^torch\.gather: expected index to be a Tensor, but received \[0\]$/);
      const d = torch.ones(2);
      d.dispose();
      expect(() => torch.cumsum(d, 0)).toThrow(/disposed/);
    });
  });

  it("libtorch's refusals are TorchErrors with PyTorch's message", () => {
    const r = spawnSync(PYTHON, ["-c", "import torch\ntry:\n    torch.ones(3).topk(5)\nexcept RuntimeError as e:\n    print(str(e).splitlines()[0])"], { encoding: "utf8" });
    const message = r.stdout.trim();
    expect(message.length).toBeGreaterThan(0);
    torch.tidy(() => {
      expect(() => torch.ones(3).topk(5)).toThrow(torch.TorchError);
      expect(() => torch.ones(3).topk(5)).toThrow(message);
    });
  });

  it("an operator the linked libtorch lacks is a TorchError naming it and the libtorch version", () => {
    const entry = new OpEntry("torch.frobnicate", "frobnicate", ["frobnicate(Tensor self) -> Tensor"]);
    torch.tidy(() => {
      expect(() => entry.call([torch.ones(1)])).toThrow(torch.TorchError);
      expect(() => entry.call([torch.ones(1)])).toThrow(`torch.frobnicate: the linked libtorch (${torch.config().libtorchVersion}) has no operator frobnicate`);
    });
  });
});

describe("the generated tables and the linked libtorch", () => {
  it("every generated overload torch-ts can call is registered in the linked libtorch with the same arguments", () => {
    const registered = new Map(native.opSchemas().map((s) => [s.slice("aten::".length, s.indexOf("(")), s.slice("aten::".length)]));
    const generated = new Set<string>();
    const collect = (o: Record<string, unknown>) => {
      for (const v of Object.values(o)) {
        const entry = (v as Record<symbol, unknown> | undefined)?.[Symbol.for("torch-ts.generated-op")];
        if (entry instanceof OpEntry) for (const ov of entry.overloads) generated.add(ov.schema);
      }
    };
    // The generated modules themselves (torch's namespaces also hold hand-written functions).
    collect(generatedOps as unknown as Record<string, unknown>);
    for (const ns of [generatedOps.linalg, generatedOps.fft, generatedOps.special, generatedNn]) collect(ns as unknown as Record<string, unknown>);
    expect(generated.size).toBeGreaterThan(1000);
    const missing: string[] = [];
    for (const schema of generated) {
      const name = schema.slice(0, schema.indexOf("("));
      const reg = registered.get(name);
      if (reg === undefined) missing.push(name);
      else expect(parseOverload(reg)?.params.map((p) => p.name), name).toEqual(parseOverload(schema)?.params.map((p) => p.name));
    }
    expect(missing).toEqual([]);
  });
});
