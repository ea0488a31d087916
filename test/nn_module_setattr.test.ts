// Modules as Python writes them, against Debian's torch (test/reference/nn_module_setattr.py):
// children, nn.Parameters and buffers assigned as fields (class fields too) register in
// assignment order; reassigning keeps the place, deleting unregisters, null keeps the name;
// wrong kinds are refused; forward pre/post hooks and global hooks; half/double/bfloat16/float.
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { floatSpec, prng, valuesOf } from "./reference/nn_common.js";
import { runReference } from "./reference/python.js";

const { nn } = torch;

class Net extends nn.Module {
  // A class field with an initializer: defined first, as Python's first assignment.
  conv = new nn.Conv2d(1, 3, 3);
  scale: torch.Tensor;
  head: torch.nn.Linear;
  drop: torch.nn.Dropout;
  extra?: torch.nn.Linear;
  extra2?: torch.nn.Sequential;
  // A plain tensor field is an attribute, not state (Python: self.plain = torch.ones(2)).
  readonly plain = torch.ones([2]);

  constructor() {
    super();
    this.scale = nn.Parameter(torch.ones([3]));
    this.registerBuffer("count", torch.zeros([], { dtype: "int64" }));
    this.registerBuffer("tmp", torch.zeros([2]), { persistent: false });
    this.head = new nn.Linear(3, 4);
    this.drop = new nn.Dropout(0.5);
    this.extra = new nn.Linear(2, 2);
  }

  forward(x: torch.Tensor): torch.Tensor {
    const h = this.conv.call(x).mean([2, 3]).mul(this.scale);
    return this.drop.call(this.head.call(h));
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Reference = Record<string, any>;
const X = floatSpec(prng(3), [1, 1, 5, 5]).data;
let ref: Reference;
let net: Net;
let keysConstructed: string[];
beforeAll(() => {
  ref = runReference<Reference>("nn_module_setattr.py", { x: X });
  torch.manualSeed(7);
  net = new Net();
  keysConstructed = [...net.stateDict().keys()];
  net.head = new nn.Linear(3, 5);
  delete net.extra;
  net.extra2 = new nn.Sequential(new nn.Linear(2, 2));
  (net.conv as unknown as { bias: torch.Tensor | null }).bias = null;
  (net as unknown as { count: torch.Tensor }).count = torch.ones([], { dtype: "int64" });
});

const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    return (err as Error).constructor.name;
  }
  return null;
};

describe("fields register as Python's __setattr__ does", () => {
  it("state-dict keys in assignment order, as constructed and after reassign/delete/add/null", () => {
    expect(keysConstructed).toEqual(ref.keys_constructed);
    expect([...net.stateDict().keys()]).toEqual(ref.keys);
  });

  it("namedModules, namedParameters, namedBuffers (non-persistent included) and the buffer's new value", () => {
    expect([...net.namedModules()].map(([k]) => k)).toEqual(ref.modules);
    expect([...net.namedParameters()].map(([k]) => k)).toEqual(ref.parameters);
    expect([...net.namedBuffers()].map(([k]) => k)).toEqual(ref.buffers);
    expect(Number(net.getAttr("count") instanceof torch.Tensor ? (net.getAttr("count") as torch.Tensor).item() : NaN)).toBe(ref.count);
  });

  it("print(model) equals Python's repr", () => {
    expect(String(net)).toBe(ref.repr);
  });

  it("a Tensor for a parameter, a number for a child, a string for a buffer: refused as in Python", () => {
    const n = net as unknown as Record<string, unknown>;
    expect(refusal(() => (n.scale = torch.zeros([3])))).toBe(ref.refuse_tensor_as_parameter);
    expect(refusal(() => (n.head = 3))).toBe(ref.refuse_number_as_module);
    expect(refusal(() => (n.count = "x"))).toBe(ref.refuse_string_as_buffer);
    expect(() => (n.scale = torch.zeros([3]))).toThrow(/cannot assign a Tensor \(float32\) that is not an nn.Parameter as parameter "scale"/);
    // A refused assignment changes nothing.
    expect([...net.stateDict().keys()]).toEqual(ref.keys);
  });

  it("eval() reaches children assigned as fields (the Dropout of a hand-written Net is off in testing)", () => {
    net.eval();
    expect([...net.modules()].map((m) => m.training)).toEqual(ref.training);
    expect(net.drop.training).toBe(false);
  });
});

describe("forward hooks as Module._call_impl runs them", () => {
  it("a pre-hook replaces the input, a hook replaces the output, a child's hook sees its input; global hooks see every module; remove() undoes", () => {
    const x = torch.tensor(Float32Array.from(X), { shape: [1, 1, 5, 5] });
    const calls: string[] = [];
    const seen: number[][] = [];
    const h1 = net.registerForwardPreHook((_m, args) => [(args[0] as torch.Tensor).mul(2)]);
    const h2 = net.registerForwardHook((_m, _args, y) => (y as torch.Tensor).add(1));
    const h3 = net.head.registerForwardHook((_m, args) => void seen.push((args[0] as torch.Tensor).shape));
    const g = nn.registerModuleForwardHook((m) => void calls.push(m.constructor.name));
    torch.noGrad(() => {
      const hooked = net.call(x);
      expect(valuesOf(hooked)).toEqual(ref.hooked.map(Math.fround));
      expect(calls).toEqual(ref.global_calls);
      expect(seen).toEqual(ref.head_input_shapes);
      for (const h of [h1, h2, h3, g]) h.remove();
      const plain = net.call(x);
      expect(valuesOf(plain)).toEqual(ref.unhooked.map(Math.fround));
    });
    expect(calls.length).toBe(ref.global_calls_after_remove);
  });
});

describe("half / double / bfloat16 / float", () => {
  it("cast floating-point parameters and buffers only, as Python", () => {
    for (const cast of ["half", "double", "bfloat16", "float"] as const) {
      net[cast]();
      const dtypes = Object.fromEntries([...net.stateDict()].map(([k, v]) => [k, v.dtype]));
      expect(dtypes).toEqual(ref.dtypes[cast]);
    }
  });
});
