// nn.Module's API against PyTorch: traversal names and orders, apply(), train/eval, parameter
// counts, containers holding a module twice, and "." names, compared with Debian's torch on
// the same models (test/reference/nn_module_api.py; builders in reference/nn_models.*);
// then zeroGrad, requiresGrad_, in-place to("float64") and freedom from leaks in call().
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { floatSpec, fromSpec, prng, valuesOf } from "./reference/nn_common.js";
import { cnn, MODELS, shared, WithBuffers } from "./reference/nn_models.js";
import { runReference } from "./reference/python.js";

const { nn } = torch;

interface Reference {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  api: Record<string, any>;
  float64: Record<string, Record<string, string>>;
}

let ref: Reference;
beforeAll(() => {
  ref = runReference<Reference>("nn_module_api.py", {});
});

const X = floatSpec(prng(5), [4, 3, 12, 12]);
function thrown(fn: () => unknown): Error | undefined {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  return undefined;
}

describe("Module API: names and orders equal PyTorch's", () => {
  const shapes = (it: Iterable<[string, torch.Tensor]>) => [...it].map(([k, t]) => [k, t.shape]);

  it("namedModules / modules / namedChildren / children, shared modules deduplicated", () => {
    const m = shared();
    expect([...m.namedModules()].map(([k, x]) => [k, x.constructor.name])).toEqual(ref.api.named_modules);
    expect([...m.modules()].map((x) => x.constructor.name)).toEqual(ref.api.modules);
    expect([...m.namedChildren()].map(([k, x]) => [k, x.constructor.name])).toEqual(ref.api.named_children);
    expect([...m.children()].map((x) => x.constructor.name)).toEqual(ref.api.named_children.map(([, c]: [string, string]) => c));
    expect([...m.get(3).namedChildren()].map(([k]) => k)).toEqual(ref.api.module_list_children);
  });

  it("namedParameters / parameters / namedBuffers / buffers", () => {
    const m = shared();
    expect(shapes(m.namedParameters())).toEqual(ref.api.named_parameters);
    expect([...m.parameters()].map((p) => p.shape)).toEqual(ref.api.parameters);
    expect(shapes(m.namedBuffers())).toEqual(ref.api.named_buffers);
    expect([...m.buffers()].map((b) => b.shape)).toEqual(ref.api.buffers);
  });

  it("prefix and recurse options", () => {
    const m = shared();
    expect([...m.namedParameters({ prefix: "model" })].map(([k]) => k)).toEqual(ref.api.named_parameters_prefixed);
    expect([...m.namedParameters({ recurse: false })].map(([k]) => k)).toEqual(ref.api.named_parameters_no_recurse);
    expect([...m.get(2).namedParameters({ prefix: "lin", recurse: false })].map(([k]) => k)).toEqual(ref.api.linear_no_recurse);
    expect([...m.get(1).namedBuffers({ prefix: "bn", recurse: false })].map(([k]) => k)).toEqual(ref.api.bn_buffers_no_recurse);
  });

  it("numParameters equals sum(p.numel()) (shared parameters counted once)", () => {
    expect(shared().numParameters()).toBe(ref.api.num_parameters);
    expect(cnn().numParameters()).toBe(ref.api.cnn_num_parameters);
  });

  it("apply(fn) visits children depth-first, then the module (shared ones each time they appear)", () => {
    const m = shared();
    const nameOf = new Map([...m.namedModules()].map(([k, x]) => [x, k]));
    const applied: string[] = [];
    expect(m.apply((x) => applied.push(nameOf.get(x)!))).toBe(m);
    expect(applied).toEqual(ref.api.applied);
  });

  it("train() / eval() set the flag recursively", () => {
    const m = shared();
    expect(m.train()).toBe(m);
    m.get(3).eval();
    expect([...m.modules()].map((x) => x.training)).toEqual(ref.api.flags["train then [3].eval"]);
    expect(m.eval()).toBe(m);
    m.get(4).train();
    expect([...m.modules()].map((x) => x.training)).toEqual(ref.api.flags["eval then [4].train"]);
  });

  it('names containing "." are refused', () => {
    const dot = ref.api.dot_errors as Record<string, string>;
    const m = new WithBuffers();
    const cases: [string, () => unknown][] = [
      ["parameter", () => m.registerParameter("a.b", torch.ones(1))],
      ["buffer", () => m.registerBuffer("a.b", torch.ones(1))],
      ["module", () => m.registerModule("a.b", new nn.ReLU())],
    ];
    for (const [kind, fn] of cases) {
      const err = thrown(fn);
      expect(err, kind).toBeInstanceOf(TypeError);
      expect(err!.message, kind).toContain(dot[kind]!.split(", got")[0]);
    }
    expect(m.getAttr("a.b")).toBeUndefined();
  });
});

describe("containers holding the same module twice, as PyTorch's", () => {
  const build = () => {
    const lin = new nn.Linear(2, 2);
    return { lin, seq: new nn.Sequential(lin, new nn.ReLU(), lin), list: new nn.ModuleList([lin, lin, new nn.ReLU()]), dict: new nn.ModuleDict({ a: lin, b: lin }) };
  };
  const names = (it: Iterable<unknown>) => [...it].map((m) => (m as object).constructor.name);

  it("Sequential: length, indexing and iteration count every position", () => {
    const { lin, seq } = build();
    const r = ref.api.repeated;
    expect(seq.length).toBe(r.seq_len);
    expect(names(seq)).toEqual(r.seq_iter);
    expect(seq.get(-1) === lin).toBe(r.seq_last_is_lin);
    expect(seq.get(2)).toBe(lin);
    expect([...seq.namedChildren()].map(([k]) => k)).toEqual(r.seq_named_children);
    expect([...seq.stateDict().keys()]).toEqual(r.state_dict);
  });

  it("ModuleList: length, indexing and iteration count every position", () => {
    const { list } = build();
    const r = ref.api.repeated;
    expect(list.length).toBe(r.list_len);
    expect(names(list)).toEqual(r.list_iter);
    expect(list.get(2) instanceof nn.ReLU).toBe(r.list_2_is_relu);
    expect(() => list.get(3)).toThrow(RangeError);
  });

  it("ModuleDict: keys() lists every key", () => {
    const { dict, lin } = build();
    const r = ref.api.repeated;
    expect(dict.keys()).toEqual(r.dict_keys);
    expect(dict.entries().map(([k]) => k)).toEqual(r.dict_keys);
    expect(dict.get("b")).toBe(lin);
    expect([...dict.namedChildren()].map(([k]) => k)).toEqual(r.dict_named_children);
  });
});

describe("Module API: state changes", () => {
  const x = () => fromSpec(X);

  it("zeroGrad: setToNone false zeroes the grads in place, true clears them", () => {
    const m = cnn();
    (m.call(x()) as torch.Tensor).square().sum().backward();
    const params = [...m.parameters()];
    const first = params[0]!.grad!;
    expect(valuesOf(first).some((v) => v !== 0)).toBe(true);
    m.zeroGrad({ setToNone: false });
    for (const p of params) expect(valuesOf(p.grad!).every((v) => v === 0)).toBe(true);
    expect(valuesOf(first).every((v) => v === 0), "zeroed in place").toBe(true);
    m.zeroGrad({ setToNone: true });
    for (const p of params) expect(p.grad).toBeNull();
  });

  it("requiresGrad_(false) freezes every parameter; requiresGrad_() unfreezes", () => {
    const m = cnn();
    expect(m.requiresGrad_(false)).toBe(m);
    expect([...m.parameters()].every((p) => !p.requiresGrad)).toBe(true);
    expect((m.call(x()) as torch.Tensor).requiresGrad).toBe(false);
    expect(m.numParameters({ onlyTrainable: true })).toBe(0);
    m.requiresGrad_();
    expect([...m.parameters()].every((p) => p.requiresGrad)).toBe(true);
    expect((m.call(x()) as torch.Tensor).requiresGrad).toBe(true);
  });

  for (const [name, build] of Object.entries(MODELS)) {
    it(`to("float64") on ${name}: state dict dtypes equal PyTorch's`, () => {
      const sd = build().to("float64").stateDict();
      expect(Object.fromEntries([...sd].map(([k, t]) => [k, t.dtype]))).toEqual(ref.float64[name]);
    });
  }

  it('to("float64") converts in place: the same Tensor objects (and grads), values kept, num_batches_tracked int64', () => {
    const m = cnn();
    (m.call(x()) as torch.Tensor).sum().backward();
    const before = [...m.namedParameters(), ...m.namedBuffers()].map(([k, t]) => [k, t, valuesOf(t), t.grad && valuesOf(t.grad)] as const);
    expect(m.to("float64")).toBe(m);
    const after = new Map([...m.namedParameters(), ...m.namedBuffers()]);
    for (const [k, t, values, grad] of before) {
      expect(after.get(k), k).toBe(t);
      expect(t.dtype, k).toBe(k.endsWith("num_batches_tracked") ? "int64" : "float64");
      expect(valuesOf(t), k).toEqual(values);
      if (grad !== null) {
        expect(t.grad!.dtype, `${k}.grad`).toBe("float64");
        expect(valuesOf(t.grad!), `${k}.grad`).toEqual(grad);
      }
    }
    expect((m.call(x().double()) as torch.Tensor).dtype).toBe("float64");
  });
});

describe("memory", () => {
  it("module call() does not leak: liveTensors returns to baseline over 300 forward+backward steps", () => {
    const m = new nn.Sequential(
      new nn.Conv2d(3, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.AdaptiveAvgPool2d(2), new nn.Flatten(), new nn.Dropout(0.1), new nn.Linear(16, 5));
    const lossFn = new nn.CrossEntropyLoss();
    const input = torch.randn(2, 3, 8, 8);
    const target = torch.tensor([1n, 3n]);
    const step = () => {
      const out = m.call(input) as torch.Tensor;
      const loss = lossFn.call(out, target);
      loss.backward();
      torch.dispose(out, loss);
      m.zeroGrad();
    };
    step();
    const baseline = torch.liveTensors();
    for (let i = 0; i < 300; i++) step();
    expect(torch.liveTensors()).toBe(baseline);
  });
});
