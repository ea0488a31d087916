// Mixed precision and memory formats on CPU, against Debian's torch (test/reference/amp.py):
// torch.autocast("cpu") casts the ops PyTorch's CPU autocast lists to bfloat16 and nothing
// else; channelsLast strides of tensors, conv outputs and Module.to(). GradScaler's
// algorithm (torch/cuda/amp/grad_scaler.py) is checked on its documented behaviour here —
// PyTorch 1.13 runs it only on CUDA (test/cuda/ compares it with PyTorch there).
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { expectClose, floatSpec, fromSpec, prng, type Encoded } from "./reference/nn_common.js";
import { runReference } from "./reference/python.js";

const rnd = prng(21);
const specs = {
  x: floatSpec(rnd, [2, 3, 6, 6]), w: floatSpec(rnd, [4, 3, 3, 3]), b: floatSpec(rnd, [4]),
  lw: floatSpec(rnd, [5, 4]), lb: floatSpec(rnd, [5]),
};
interface Reference {
  autocast: Record<"conv" | "relu" | "lin" | "mm" | "added" | "ce" | "nested_off", Encoded>;
  channels_last: {
    x_strides: number[]; x_is_cl: boolean; x_is_contig: boolean; conv_strides: number[]; conv: Encoded;
    module_weight_strides: number[]; module_bias_strides: number[]; linear_weight_strides: number[];
  };
}
let ref: Reference;
beforeAll(() => {
  ref = runReference<Reference>("amp.py", specs);
});

describe("torch.autocast (CPU, bfloat16)", () => {
  it("casts what PyTorch casts, with PyTorch's values; nested enabled:false and exit restore float32", () => {
    torch.tidy(() => {
      const t = Object.fromEntries(Object.entries(specs).map(([k, v]) => [k, fromSpec(v)])) as Record<keyof typeof specs, torch.Tensor>;
      const F = torch.nn.functional;
      const got = torch.autocast("cpu", () => {
        expect(torch.isAutocastEnabled("cpu")).toBe(true);
        const conv = F.conv2d(t.x, t.w, t.b, { padding: 1 });
        const relu = F.relu(conv);
        const lin = F.linear(F.adaptiveAvgPool2d(relu, 1).flatten(1), t.lw, t.lb);
        const mm = t.x.flatten(1).matmul(t.x.flatten(1).t());
        const added = t.x.add(1);
        const ce = F.crossEntropy(lin, torch.tensor([0n, 1n]));
        const nestedOff = torch.autocast("cpu", () => F.conv2d(t.x, t.w, t.b, { padding: 1 }), { enabled: false });
        return { conv, relu, lin, mm, added, ce, nested_off: nestedOff };
      });
      expect(torch.isAutocastEnabled("cpu")).toBe(false);
      for (const [name, tensor] of Object.entries(got)) {
        const want = ref.autocast[name as keyof Reference["autocast"]];
        expect(tensor.dtype, name).toBe(want.dtype);
        // Same bf16 kernels on the same libtorch: equal up to float32 accumulation order.
        expectClose(tensor.float(), { ...want, dtype: "float32" }, name, want.dtype === "bfloat16" ? 1e-2 : 1e-5);
      }
      expect(F.conv2d(t.x, t.w, t.b).dtype).toBe("float32");
    });
  });

  it("state is restored when fn throws; async fns, bad devices, dtypes and options are refused", () => {
    expect(() => torch.autocast("cpu", () => { throw new Error("inside"); })).toThrow("inside");
    expect(torch.isAutocastEnabled("cpu")).toBe(false);
    expect(() => torch.autocast("cpu", async () => 1)).toThrow(/synchronous/);
    expect(torch.isAutocastEnabled("cpu")).toBe(false);
    expect(() => torch.autocast("tpu" as "cpu", () => 1)).toThrow(/deviceType/);
    expect(() => torch.autocast("cpu", () => 1, { dtype: "float64" as "float16" })).toThrow(/dtype/);
    expect(() => torch.autocast("cpu", () => 1, { dtpye: "float16" } as never)).toThrow(/dtpye/);
    if (!torch.cuda.isAvailable()) expect(() => torch.autocast("cuda", () => 1)).toThrow(/CUDA is not available/);
  });
});

describe("channelsLast", () => {
  it("tensor strides, conv output layout and values, Module.to({memoryFormat}) as PyTorch", () => {
    torch.tidy(() => {
      const cl = fromSpec(specs.x).contiguous({ memoryFormat: "channelsLast" });
      expect(cl.stride()).toEqual(ref.channels_last.x_strides);
      expect(cl.isContiguous({ memoryFormat: "channelsLast" })).toBe(ref.channels_last.x_is_cl);
      expect(cl.isContiguous()).toBe(ref.channels_last.x_is_contig);
      const conv = torch.nn.functional.conv2d(cl, fromSpec(specs.w), fromSpec(specs.b), { padding: 1 });
      expect(conv.stride()).toEqual(ref.channels_last.conv_strides);
      expectClose(conv, ref.channels_last.conv, "conv", 1e-5);
      const m = new torch.nn.Conv2d(3, 4, 3, { padding: 1 }).to({ memoryFormat: "channelsLast" });
      expect(m.weight.stride()).toEqual(ref.channels_last.module_weight_strides);
      expect(m.bias!.stride()).toEqual(ref.channels_last.module_bias_strides);
      const lin = new torch.nn.Linear(4, 3).to({ memoryFormat: "channelsLast" });
      expect(lin.weight.stride()).toEqual(ref.channels_last.linear_weight_strides);
    });
    expect(() => torch.zeros(2).contiguous({ memoryFormat: "nhwc" as "channelsLast" })).toThrow(/memoryFormat/);
  });
});

describe("amp.GradScaler", () => {
  function setup() {
    const lin = new torch.nn.Linear(3, 1);
    const opt = new torch.optim.SGD(lin.parameters(), { lr: 0.1 });
    return { lin, opt };
  }

  it("scales the loss, unscales the grads, skips the step on inf, backs off and grows the scale", () => {
    const { lin, opt } = setup();
    const scaler = new torch.amp.GradScaler({ initScale: 1024, growthInterval: 2 });
    const x = torch.randn(4, 3);
    const scales: number[] = [];
    for (let i = 0; i < 5; i++) {
      opt.zeroGrad();
      torch.tidy(() => {
        const loss = lin.call(x).sum();
        const scaled = scaler.scale(loss);
        expect(scaled.item()).toBeCloseTo((loss.item() as number) * scaler.getScale(), 1);
        scaled.backward();
      });
      const before = torch.tidy(() => lin.weight.clone());
      if (i === 2) lin.weight.grad!.fill_(Number.NaN);
      const expectedGrad = torch.tidy(() => lin.weight.grad!.div(scaler.getScale()));
      scaler.step(opt);
      if (i === 2) {
        expect(torch.tidy(() => lin.weight.sub(before).abs().max().item())).toBe(0); // skipped
      } else {
        expect(torch.tidy(() => lin.weight.grad!.sub(expectedGrad).abs().max().item() as number)).toBeLessThan(1e-6);
        expect(torch.tidy(() => lin.weight.sub(before.sub(expectedGrad.mul(0.1))).abs().max().item() as number)).toBeLessThan(1e-6);
      }
      scaler.update();
      scales.push(scaler.getScale());
      torch.dispose(before, expectedGrad);
    }
    // 1024 → clean, clean (grow ×2) → NaN (back off ×0.5, tracker reset) → clean → clean (grow).
    expect(scales).toEqual([1024, 2048, 1024, 1024, 2048]);
    expect(Object.fromEntries(scaler.stateDict())).toEqual({ scale: 2048, growth_factor: 2, backoff_factor: 0.5, growth_interval: 2, _growth_tracker: 0 });
    x.dispose();
  });

  it("PyTorch's misuse errors, state dict round trip, disabled scaler is a pass-through", () => {
    const { lin, opt } = setup();
    const scaler = new torch.amp.GradScaler();
    expect(() => scaler.update()).toThrow("No inf checks were recorded prior to update.");
    torch.tidy(() => scaler.scale(lin.call(torch.ones(1, 3)).sum()).backward());
    scaler.unscale_(opt);
    expect(() => scaler.unscale_(opt)).toThrow("unscale_() has already been called on this optimizer since the last update().");
    scaler.step(opt);
    expect(() => scaler.step(opt)).toThrow("step() has already been called since the last update().");
    scaler.update();
    const copy = new torch.amp.GradScaler();
    copy.loadStateDict(scaler.stateDict());
    expect(copy.getScale()).toBe(scaler.getScale());
    expect(() => new torch.amp.GradScaler({ growthFactor: 1 })).toThrow("The growth factor must be > 1.0.");
    expect(() => new torch.amp.GradScaler({ backoffFactor: 1 })).toThrow("The backoff factor must be < 1.0.");
    const off = new torch.amp.GradScaler({ enabled: false });
    const loss = torch.ones(1);
    expect(off.scale(loss)).toBe(loss);
    expect(off.getScale()).toBe(1);
    loss.dispose();
  });
});
