// nn.MultiheadAttention, F.multiHeadAttentionForward and the Transformer family against
// PyTorch 1.13 (test/reference/nn_transformer.py, one process): each case builds the same
// module after the same manualSeed in both (default init compared bit for bit), runs the same
// inputs (made by Python), and compares outputs, attention weights, input and parameter
// gradients, state-dict keys and print(module). Dropout in training draws the same masks after
// the same seed. Then Python's own error messages, bad arguments, and a leak check.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { decodeValue, type Encoded } from "./reference/opinfo.js";
import { BAD, CASES, E, type Case } from "./reference/nn_transformer_cases.js";
import { ReferenceSession } from "./reference/session.js";

const { nn } = torch;
const F = nn.functional;
type Tensor = torch.Tensor;

// ---- building and calling the same thing in torch-ts ----
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
function activation(v: unknown): unknown {
  if (v === "tanh_fn") return (t: Tensor) => t.tanh();
  if (v === "gelu_module") return new nn.GELU();
  if (v === "relu_module") return new nn.ReLU();
  return v;
}
const options = (kw: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  ({ ...Object.fromEntries(Object.entries(kw).map(([k, v]) => [camel(k), activation(v)])), ...extra });

function build(c: Case): torch.nn.Module {
  const dtype = c.dtype ?? "float32";
  const { embed_dim, num_heads, d_model, nhead, ...rest } = c.init ?? {};
  switch (c.kind) {
    case "mha": return new nn.MultiheadAttention(embed_dim as number, num_heads as number, options(rest, { dtype }));
    case "encoder_layer": return new nn.TransformerEncoderLayer(d_model as number, nhead as number, options(rest, { dtype }));
    case "decoder_layer": return new nn.TransformerDecoderLayer(d_model as number, nhead as number, options(rest, { dtype }));
    case "encoder":
    case "decoder": {
      const { d_model: dm, nhead: nh, ...lrest } = c.layer!;
      const Layer = c.kind === "encoder" ? nn.TransformerEncoderLayer : nn.TransformerDecoderLayer;
      const template = new Layer(dm as number, nh as number, options(lrest, { dtype }));
      const norm = c.norm ? new nn.LayerNorm(dm as number, { dtype }) : null;
      return c.kind === "encoder" ? new nn.TransformerEncoder(template, c.num_layers!, { norm, ...options(c.init) }) : new nn.TransformerDecoder(template, c.num_layers!, norm);
    }
    case "transformer": return new nn.Transformer(options(c.init, { dtype }));
  }
}

function run(c: Case, m: torch.nn.Module, inputs: Record<string, Tensor>): (Tensor | null)[] {
  const resolve = (v: unknown) => (typeof v === "string" && v in inputs ? inputs[v] : v);
  const args = c.args.map(resolve);
  const kw = Object.fromEntries(Object.entries(c.kwargs ?? {}).map(([k, v]) => [camel(k), resolve(v)]));
  const call = (): unknown => {
    if (!c.functional) return (m.call as (...a: unknown[]) => unknown)(...args, kw);
    const a = m as torch.nn.MultiheadAttention;
    const separate = a.qkvSameEmbedDim ? {} : { useSeparateProjWeight: true, qProjWeight: a.qProjWeight, kProjWeight: a.kProjWeight, vProjWeight: a.vProjWeight };
    const [q, k, v] = args as [Tensor, Tensor, Tensor];
    return torch.tidy(() => F.multiHeadAttentionForward(q, k, v, a.embedDim, a.numHeads, a.inProjWeight, a.inProjBias, a.biasK, a.biasV,
      a.addZeroAttn, a.dropout, a.outProj.weight, a.outProj.bias, { training: a.training, ...separate, ...kw }));
  };
  const out = c.no_grad ? torch.noGrad(call) : call();
  return Array.isArray(out) ? (out as (Tensor | null)[]) : [out as Tensor];
}

interface Reply {
  inputs: Record<string, Encoded>;
  state: [string, Encoded][];
  outputs: (Encoded | null)[];
  repr: string;
  cot?: (Encoded | null)[];
  grads?: { inputs: Record<string, Encoded>; params: [string, Encoded | null][] };
}

const py = new ReferenceSession("nn_transformer.py");
afterAll(() => py.close());
const decode = (e: Encoded) => decodeValue(e, torch) as Tensor;
let ref: Record<string, Reply>;
let refErrors: Record<string, string | null>;
let refMasks: Encoded[];
const MASK_SIZES = [0, 1, 4, 7];
beforeAll(async () => {
  [ref, refErrors, refMasks] = await Promise.all([
    py.request<Record<string, Reply>>({ cmd: "cases", cases: CASES }),
    py.request<Record<string, string | null>>({ cmd: "errors", cases: BAD }),
    py.request<Encoded[]>({ cmd: "masks", sizes: MASK_SIZES }),
  ]);
});

/** Shape and dtype exact; |a - e| <= tol (1 + |e|) elementwise, NaN where PyTorch has NaN. */
function expectClose(actual: Tensor | null | undefined, want: Encoded | null, what: string, tol: number): void {
  if (want === null) {
    expect(actual ?? null, what).toBeNull();
    return;
  }
  torch.tidy(() => {
    const e = decode(want);
    expect(actual, what).toBeInstanceOf(torch.Tensor);
    expect(actual!.shape, `${what}: shape`).toEqual(e.shape);
    expect(actual!.dtype, `${what}: dtype`).toBe(e.dtype);
    if (e.numel() === 0) return;
    const [a, b] = [actual!.detach().to("float64"), e.to("float64")];
    expect(a.isnan().eq(b.isnan()).all().item(), `${what}: NaN positions`).toBe(true);
    const diff = a.sub(b).abs().nanToNum(0).sub(b.abs().nanToNum(0).mul(tol)).max().item();
    expect(diff, `${what}: largest difference beyond ${tol} (1 + |PyTorch's|)`).toBeLessThanOrEqual(tol);
  });
}

const bitwise = (actual: Tensor | undefined, want: Encoded, what: string) => expectClose(actual, want, what, 0);

describe("modules and F.multiHeadAttentionForward against PyTorch", () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(name, () => {
      const want = ref[name]!;
      const tol = c.dtype === "float64" ? 1e-10 : 1e-5;
      torch.manualSeed(c.seed);
      const m = build(c);
      torch.tidy(() => {
        const sd = m.stateDict();
        expect([...sd.keys()], "state-dict keys").toEqual(want.state.map(([k]) => k));
        for (const [k, e] of want.state) bitwise(sd.get(k), e, `default init of ${k}`);
      });
      expect(String(m), "print(module)").toBe(want.repr);
      m.train(c.train ?? false);
      torch.tidy(() => {
        const inputs = Object.fromEntries(Object.entries(want.inputs).map(([k, e]) => [k, decode(e)]));
        torch.manualSeed(c.seed + 1);
        const outs = run(c, m, inputs);
        expect(outs.length, "number of outputs").toBe(want.outputs.length);
        want.outputs.forEach((e, i) => expectClose(outs[i], e, `output ${i}`, tol));
        if (want.grads === undefined) return;
        const loss = outs.reduce<Tensor | null>((acc, o, i) => {
          if (o === null) return acc;
          const term = o.mul(decode(want.cot![i]!)).sum();
          return acc === null ? term : acc.add(term);
        }, null)!;
        loss.backward();
        for (const [k, e] of Object.entries(want.grads.inputs)) expectClose(inputs[k]!.grad, e, `gradient of input ${k}`, tol * 10);
        const params = new Map<string, Tensor>(m.namedParameters());
        expect([...params.keys()], "parameter names").toEqual(want.grads.params.map(([k]) => k));
        for (const [k, e] of want.grads.params) expectClose(params.get(k)!.grad, e, `gradient of ${k}`, tol * 10);
      });
      m.zeroGrad();
    });
  }
});

describe("PyTorch's refusals, refused alike with PyTorch's message", () => {
  for (const [name, c] of Object.entries(BAD)) {
    it(name, () => {
      const message = refErrors[name];
      expect(message, "PyTorch raises").toEqual(expect.any(String));
      const inputs = torch.tidy(() => Object.fromEntries(Object.entries(c.inputs).map(([k, spec]) => {
        // The inputs are only shapes and dtypes here: zeros of each are enough to be refused.
        const dtype = spec.kind === "bool" ? "bool" : spec.kind === "int" ? "int64" : "float32";
        return [k, torch.zeros(spec.shape ?? [], { dtype })];
      })));
      let err: unknown;
      try {
        torch.tidy(() => run(c, build(c), inputs));
      } catch (e) {
        err = e;
      }
      torch.dispose(inputs);
      expect(err, "torch-ts throws").toBeInstanceOf(c.error === "TypeError" ? TypeError : torch.TorchError);
      const text = (err as Error).message;
      expect(text).toMatch(/^nn\.(MultiheadAttention|TransformerEncoderLayer|Transformer|functional\.multiHeadAttentionForward)[.: ]/);
      expect(text).toContain(message!);
    });
  }
});

describe("Transformer.generateSquareSubsequentMask", () => {
  it("equals PyTorch's (-inf above the diagonal, 0 elsewhere, float32)", () => {
    MASK_SIZES.forEach((n, i) => torch.tidy(() => {
      expectClose(nn.Transformer.generateSquareSubsequentMask(n), refMasks[i]!, `size ${n}`, 0);
    }));
  });
  it("takes a device and refuses a negative size", () => {
    torch.tidy(() => {
      expect(nn.Transformer.generateSquareSubsequentMask(2, "cpu").device).toBe("cpu");
    });
    expect(() => nn.Transformer.generateSquareSubsequentMask(-1)).toThrow(/generateSquareSubsequentMask.*sz/);
  });
});

describe("stacks are deep copies of the template (Python's _get_clones)", () => {
  it("each layer equals the template, owns its storage, and building them draws no random numbers", () => {
    torch.manualSeed(5);
    const template = new nn.TransformerEncoderLayer(E, 2, 16, 0.1);
    const after = torch.tidy(() => torch.rand(4).tolist());
    torch.manualSeed(5);
    const again = new nn.TransformerEncoderLayer(E, 2, 16, 0.1);
    template.eval();
    const encoder = new nn.TransformerEncoder(again.eval(), 3);
    expect(torch.tidy(() => torch.rand(4).tolist()), "the generator after cloning").toEqual(after);
    expect(encoder.layers.length).toBe(3);
    torch.tidy(() => {
      const want = template.stateDict();
      for (const [i, l] of [...encoder.layers].entries()) {
        expect(l).not.toBe(again);
        expect(l.training, `layers.${i} keeps eval mode`).toBe(false);
        const sd = l.stateDict();
        expect([...sd.keys()]).toEqual([...want.keys()]);
        for (const [k, t] of want) expect(sd.get(k)!.equal(t), `layers.${i}.${k}`).toBe(true);
      }
      const [a, b] = [encoder.layers.get<torch.nn.TransformerEncoderLayer>(0), encoder.layers.get<torch.nn.TransformerEncoderLayer>(1)];
      torch.noGrad(() => a.linear1.weight.add_(1));
      expect(a.linear1.weight.equal(b.linear1.weight), "a change to one copy leaves the others").toBe(false);
      expect(b.linear1.weight.equal(again.linear1.weight)).toBe(true);
      expect(a.selfAttn.inProjWeight!.requiresGrad).toBe(true);
    });
  });

  it("copies a Module activation (Python deep-copies it) and keeps a function one", () => {
    const gelu = new nn.GELU();
    const layer = new nn.TransformerEncoderLayer(E, 2, { dimFeedforward: 8, activation: gelu });
    const enc = new nn.TransformerEncoder(layer, 2);
    const first = enc.layers.get<torch.nn.TransformerEncoderLayer>(0);
    expect(first.activation).toBeInstanceOf(nn.GELU);
    expect(first.activationReluOrGelu).toBe(2);
    const fn = (t: Tensor) => t.tanh();
    const enc2 = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(E, 2, { dimFeedforward: 8, activation: fn }), 1);
    expect(enc2.layers.get<torch.nn.TransformerEncoderLayer>(0).activation).toBe(fn);
  });
});

describe("the calling rule", () => {
  it("constructors take Python's parameters positionally or in one options object", () => {
    torch.manualSeed(3);
    const a = new nn.MultiheadAttention(E, 2, 0.0, true, true, false, null, null, true);
    torch.manualSeed(3);
    const b = new nn.MultiheadAttention(E, 2, { addBiasKv: true, batchFirst: true });
    torch.tidy(() => {
      const [sa, sb] = [a.stateDict(), b.stateDict()];
      expect([...sa.keys()]).toEqual([...sb.keys()]);
      for (const [k, t] of sa) expect(t.equal(sb.get(k)!), k).toBe(true);
    });
    expect(b.batchFirst && b.biasK !== null).toBe(true);
    const t = new nn.Transformer(E, 2, 1, 1, 16, { batchFirst: true });
    expect([t.dModel, t.nhead, t.batchFirst]).toEqual([E, 2, true]);
    // A custom encoder is registered as "encoder" and re-initialised by Transformer's _reset_parameters too.
    const custom = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(E, 2, 16), 1);
    const before = torch.tidy(() => custom.layers.get<torch.nn.TransformerEncoderLayer>(0).linear1.weight.clone());
    const withCustom = new nn.Transformer({ dModel: E, nhead: 2, numDecoderLayers: 1, dimFeedforward: 16, customEncoder: custom });
    expect(withCustom.encoder).toBe(custom);
    expect(torch.tidy(() => [...withCustom.stateDict().keys()]).filter((k) => k.startsWith("encoder.")).length).toBe(12);
    expect(torch.tidy(() => custom.layers.get<torch.nn.TransformerEncoderLayer>(0).linear1.weight.equal(before))).toBe(false);
    before.dispose();
  });

  it("forwards take their masks positionally or by name, and F.multiHeadAttentionForward its keywords", () => {
    torch.manualSeed(4);
    const layer = new nn.TransformerEncoderLayer(E, 2, 16, 0.0).eval();
    const enc = new nn.TransformerEncoder(layer, 1);
    torch.tidy(() => {
      const src = torch.randn(4, 2, E);
      const mask = nn.Transformer.generateSquareSubsequentMask(4);
      const kpm = torch.tensor([[false, false, true, false], [false, false, false, true]]);
      const y1 = layer.call(src, mask, kpm);
      const y2 = layer.call(src, { srcMask: mask, srcKeyPaddingMask: kpm });
      const y3 = enc.call(src, { mask, srcKeyPaddingMask: kpm });
      const y4 = enc.call(src, mask, kpm);
      expect(y1.equal(y2) && y1.equal(y3) && y1.equal(y4)).toBe(true);
      const m = layer.selfAttn;
      const [o1, w1] = F.multiHeadAttentionForward(src, src, src, E, 2, m.inProjWeight, m.inProjBias, null, null, false, 0, m.outProj.weight, m.outProj.bias, false, kpm, true, mask);
      const [o2, w2] = m.call(src, src, src, { keyPaddingMask: kpm, attnMask: mask });
      const [o3, w3] = m.call(src, src, src, kpm, true, mask);
      expect(o1.equal(o2) && o1.equal(o3) && w1!.equal(w2!) && w1!.equal(w3!)).toBe(true);
      const [, none] = m.call(src, src, src, { needWeights: false });
      expect(none).toBeNull();
    });
  });
});

describe("bad arguments: a TypeError naming the function and the argument", () => {
  const x3 = () => torch.zeros(3, 2, E);
  // Templates made once, before the leak count of each case.
  const encoderLayer = new nn.TransformerEncoderLayer(E, 2, 8);
  const decoderLayer = new nn.TransformerDecoderLayer(E, 2, 8);
  const linear = new nn.Linear(2, 2);
  const cases: [string, () => unknown, RegExp][] = [
    ["embedDim not an integer", () => new nn.MultiheadAttention("8" as unknown as number, 2), /nn\.MultiheadAttention: expected embedDim/],
    ["numHeads 0", () => new nn.MultiheadAttention(E, 0), /nn\.MultiheadAttention: expected numHeads/],
    ["dropout above 1", () => new nn.MultiheadAttention(E, 2, { dropout: 1.5 }), /nn\.MultiheadAttention: expected dropout/],
    ["batchFirst not a boolean", () => new nn.MultiheadAttention(E, 2, { batchFirst: "yes" as unknown as boolean }), /nn\.MultiheadAttention: expected batchFirst/],
    ["an unknown option", () => new nn.MultiheadAttention(E, 2, { batch_first: true } as never), /nn\.MultiheadAttention: unknown option "batch_first" \(did you mean "batchFirst"\?\)/],
    ["an integer dtype", () => new nn.MultiheadAttention(E, 2, { dtype: "int64" }), /nn\.MultiheadAttention: expected dtype/],
    ["value missing", () => torch.tidy(() => new nn.MultiheadAttention(E, 2).call(x3(), x3(), undefined as unknown as Tensor)), /MultiheadAttention\.forward: expected value to be a Tensor/],
    ["needWeights not a boolean", () => torch.tidy(() => { const t = x3(); return new nn.MultiheadAttention(E, 2).call(t, t, t, { needWeights: 1 as unknown as boolean }); }), /multiHeadAttentionForward: expected needWeights/],
    ["attnMask not a tensor", () => torch.tidy(() => { const t = x3(); return new nn.MultiheadAttention(E, 2).call(t, t, t, { attnMask: [[0]] as unknown as Tensor }); }), /MultiheadAttention\.forward: expected attnMask to be a Tensor/],
    ["F.multiHeadAttentionForward: outProjWeight missing", () => torch.tidy(() => { const t = x3(); return F.multiHeadAttentionForward(t, t, t, E, 2, null, null, null, null, false, 0, undefined as unknown as Tensor, null); }), /multiHeadAttentionForward: expected outProjWeight to be a Tensor/],
    ["F.multiHeadAttentionForward: dropoutP negative", () => torch.tidy(() => { const t = x3(); return F.multiHeadAttentionForward(t, t, t, E, 2, null, null, null, null, false, -1, t, null); }), /multiHeadAttentionForward: expected dropoutP/],
    ["F.multiHeadAttentionForward: packed weights missing", () => torch.tidy(() => { const t = x3(); return F.multiHeadAttentionForward(t, t, t, E, 2, null, null, null, null, false, 0, torch.zeros(E, E), null); }), /in_proj_weight is None/],
    ["F.multiHeadAttentionForward: too many positional arguments", () => torch.tidy(() => { const t = x3(); return (F.multiHeadAttentionForward as (...a: unknown[]) => unknown)(t, t, t, E, 2, null, null, null, null, false, 0, t, null, true, null, true, null, false, null, null, null, null, null, true, 1); }), /multiHeadAttentionForward: expected at most 24 positional arguments/],
    ["a layer without its required nhead", () => new (nn.TransformerEncoderLayer as unknown as new (d: number) => unknown)(E), /nn\.TransformerEncoderLayer: expected nhead/],
    ["an encoder of something that is not a Module", () => new nn.TransformerEncoder({} as torch.nn.Module, 2), /nn\.TransformerEncoder: expected encoderLayer to be a Module/],
    ["a negative numLayers", () => new nn.TransformerEncoder(encoderLayer, -1), /nn\.TransformerEncoder: expected numLayers/],
    ["a norm that is not a Module", () => new nn.TransformerDecoder(decoderLayer, 1, { norm: 3 as unknown as torch.nn.Module }), /nn\.TransformerDecoder: expected norm/],
    ["a template torch-ts cannot deep-copy", () => new nn.TransformerEncoder(linear, 2), /nn\.TransformerEncoder: cannot deep-copy Linear/],
    ["a customEncoder that is not a Module", () => new nn.Transformer({ dModel: E, nhead: 2, customEncoder: 1 as unknown as torch.nn.Module }), /nn\.Transformer: expected customEncoder/],
    ["decoder memory missing", () => torch.tidy(() => new nn.TransformerDecoderLayer(E, 2, 8).call(x3(), undefined as unknown as Tensor)), /TransformerDecoderLayer\.forward: expected memory to be a Tensor/],
  ];
  for (const [name, f, re] of cases) {
    it(name, () => {
      const before = torch.liveTensors();
      expect(f).toThrow(re);
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(/in_proj_weight is None/.test(re.source) ? torch.TorchError : TypeError);
      expect(torch.liveTensors(), "nothing leaks on the error path").toBe(before);
    });
  }
});

describe("memory", () => {
  it("100 TransformerEncoder training steps keep the live tensor count constant", () => {
    torch.manualSeed(9);
    const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(E, 2, 16, 0.1, { batchFirst: true }), 2, new nn.LayerNorm(E));
    const opt = new torch.optim.Adam(enc.parameters(), { lr: 1e-3 });
    const src = torch.randn(4, 6, E);
    const kpm = torch.tensor([[false, false, false, false, true, true], [false, false, false, false, false, false], [false, true, false, false, false, false], [false, false, false, false, false, true]]);
    const mask = nn.Transformer.generateSquareSubsequentMask(6);
    const step = () => {
      opt.zeroGrad();
      torch.tidy(() => enc.call(src, { mask, srcKeyPaddingMask: kpm }).pow(2).mean().backward());
      opt.step();
    };
    for (let i = 0; i < 5; i++) step(); // optimizer state and grads exist from here on
    const live = torch.liveTensors();
    for (let i = 0; i < 100; i++) step();
    expect(torch.liveTensors()).toBe(live);
    enc.eval();
    torch.noGrad(() => torch.tidy(() => void enc.call(src, { srcKeyPaddingMask: kpm })));
    expect(torch.liveTensors(), "the eval (nested-tensor) path too").toBe(live);
    torch.dispose([src, kpm, mask]);
  });

  it("F.multiHeadAttentionForward called outside tidy() leaves only its two results", () => {
    const m = new nn.MultiheadAttention(E, 2, { addBiasKv: true, addZeroAttn: true });
    const t = torch.randn(3, 2, E);
    const before = torch.liveTensors();
    const [o, w] = F.multiHeadAttentionForward(t, t, t, E, 2, m.inProjWeight, m.inProjBias, m.biasK, m.biasV, true, 0.1, m.outProj.weight, m.outProj.bias);
    expect(torch.liveTensors()).toBe(before + 2);
    torch.dispose([o, w!, t]);
  });
});
