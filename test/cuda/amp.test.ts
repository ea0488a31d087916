// Mixed precision on the device: autocast (bfloat16) with channels_last training steps run, put
// conv/linear outputs in bfloat16 and the loss in float32, and the loss falls; GradScaler (float16)
// scales, unscales exactly, skips the optimizer step on an infinite gradient and
// backs off, grows after growthInterval good steps, and round-trips its state dict.
import { afterAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { DEV, diff, expectNear, HAS_CUDA, note, RUN, title, writeReport } from "./common.js";

const { nn } = torch;
const devType = DEV === "cuda" ? "cuda" : "cpu";

describe.skipIf(!RUN)(title("autocast bfloat16 with channels_last"), () => {
  afterAll(() => writeReport("amp"));

  it("isAutocastEnabled is true only inside the scope; conv and linear run in bfloat16, cross-entropy in float32", () => {
    expect(torch.isAutocastEnabled(devType)).toBe(false);
    torch.tidy(() => {
      const conv = new nn.Conv2d(3, 8, 3, { padding: 1 }).to(DEV);
      const fc = new nn.Linear(8, 4).to(DEV);
      const x = torch.randn([2, 3, 8, 8], { device: DEV });
      const [h, logits, loss] = torch.autocast(devType, () => {
        expect(torch.isAutocastEnabled(devType)).toBe(true);
        const h = conv.call(x);
        const logits = fc.call(h.mean([2, 3]));
        return [h, logits, nn.functional.crossEntropy(logits, torch.tensor([0n, 3n]).to(DEV))];
      }, { dtype: "bfloat16" });
      expect(torch.isAutocastEnabled(devType)).toBe(false);
      expect(h.dtype).toBe("bfloat16");
      expect(logits.dtype).toBe("bfloat16");
      expect(loss.dtype).toBe("float32");
      // enabled: false is a plain float32 scope.
      const plain = torch.autocast(devType, () => conv.call(x), { dtype: "bfloat16", enabled: false });
      expect(plain.dtype).toBe("float32");
      torch.dispose([...conv.parameters(), ...fc.parameters()]);
    });
  });

  it("channels_last: tensors and a model's 4-D weights convert, and ResNet-18 training steps under bf16 autocast lower the loss", () => {
    torch.manualSeed(0);
    const steps = HAS_CUDA ? 20 : 4; // bf16 is slow on CPUs without bf16 units: the dry run only proves the code path
    const model = torch.vision.resnet18({ numClasses: 10 }).to({ device: DEV, memoryFormat: "channelsLast" });
    const w = model.getAttr("conv1") as torch.nn.Conv2d;
    expect(w.weight.isContiguous({ memoryFormat: "channelsLast" })).toBe(true);
    const x = torch.randn([16, 3, 32, 32], { device: DEV }).contiguous({ memoryFormat: "channelsLast" });
    expect(x.isContiguous({ memoryFormat: "channelsLast" })).toBe(true);
    expect(x.isContiguous()).toBe(false);
    const y = torch.randint(10, [16]).to(DEV);
    const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
    const lossFn = new nn.CrossEntropyLoss();
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) {
      opt.zeroGrad();
      torch.tidy(() => {
        const loss = torch.autocast(devType, () => lossFn.call(model.call(x), y), { dtype: "bfloat16" });
        expect(loss.dtype).toBe("float32");
        loss.backward(); // outside autocast, as PyTorch recommends
        losses.push(loss.item() as number);
        for (const p of model.parameters()) expect(p.grad?.dtype).toBe("float32");
      });
      opt.step();
    }
    note("bf16 channels_last losses", losses);
    // Memorising one batch of 16: PyTorch on the CPU went 2.17 → 0.25 in one step and 0.013 in two.
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]!).toBeLessThan(0.5 * losses[0]!);
    torch.dispose(x, y, [...opt.state.values()], [...model.parameters(), ...model.buffers()]);
  });
});

// GradScaler's logic is device-agnostic in torch-ts: a dry run drives it with CPU autocast
// (bfloat16, the only CPU autocast dtype in libtorch 1.13) to prove these tests' code.
const scalerDtype = HAS_CUDA ? "float16" : "bfloat16";
describe.skipIf(!RUN)(title("GradScaler with float16 autocast"), () => {
  /** A small model and one batch on the device, the forward under autocast. */
  function setup() {
    torch.manualSeed(2);
    const model = new nn.Sequential(new nn.Conv2d(3, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU(),
      new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(8, 10)).to(DEV);
    const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-2 });
    const x = torch.randn([8, 3, 16, 16], { device: DEV });
    const y = torch.randint(10, [8], { device: DEV });
    const lossFn = new nn.CrossEntropyLoss();
    const forward = () => torch.autocast(devType, () => lossFn.call(model.call(x) as torch.Tensor, y), { dtype: scalerDtype });
    const snapshot = () => [...model.parameters()].map((p) => p.detach().clone());
    const done = () => torch.dispose(x, y, [...opt.state.values()], [...model.parameters(), ...model.buffers()]);
    return { model, opt, forward, snapshot, done };
  }

  it("scale multiplies by the scale, unscale_ divides the gradients back exactly, step and update keep a finite run going", () => {
    const { model, opt, forward, snapshot, done } = setup();
    const scaler = new torch.amp.GradScaler({ initScale: 2 ** 16 });
    torch.tidy(() => {
      opt.zeroGrad();
      const loss = forward();
      const scaled = scaler.scale(loss);
      expectNear(scaled, loss.mul(2 ** 16), 0, "scaled loss");
      scaled.backward();
      const scaledGrads = [...model.parameters()].map((p) => p.grad!.clone());
      scaler.unscale_(opt);
      [...model.parameters()].forEach((p, i) => expectNear(p.grad, scaledGrads[i]!.div(2 ** 16), 0, `unscaled grad ${i}`));
      const before = snapshot();
      scaler.step(opt); // already unscaled: must not divide again
      scaler.update();
      expect([...model.parameters()].some((p, i) => diff(p, before[i]!).maxAbs > 0)).toBe(true);
      expect(scaler.getScale()).toBe(2 ** 16); // growthInterval 2000 not reached
    });
    done();
  });

  it("an infinite gradient skips the optimizer step (parameters bit-identical) and halves the scale", () => {
    const { model, opt, forward, snapshot, done } = setup();
    const scaler = new torch.amp.GradScaler({ initScale: 2 ** 16 });
    torch.tidy(() => {
      opt.zeroGrad();
      scaler.scale(forward()).backward();
      const first = [...model.parameters()][0]!;
      first.grad!.fill_(Infinity); // the grad getter returns a new handle on the same gradient
      const before = snapshot();
      scaler.step(opt);
      scaler.update();
      [...model.parameters()].forEach((p, i) => expectNear(p, before[i], 0, `parameter ${i} after a skipped step`));
      expect(scaler.getScale()).toBe(2 ** 15);
      // The next finite step runs.
      opt.zeroGrad();
      scaler.scale(forward()).backward();
      scaler.step(opt);
      scaler.update();
      expect([...model.parameters()].some((p, i) => diff(p, before[i]!).maxAbs > 0)).toBe(true);
      note("scale after inf then finite", scaler.getScale());
    });
    done();
  });

  it("the scale grows by growthFactor after growthInterval finite steps; stateDict round-trips; enabled: false is a pass-through", () => {
    const { opt, forward, done } = setup();
    const scaler = new torch.amp.GradScaler({ initScale: 4, growthFactor: 2, backoffFactor: 0.5, growthInterval: 2 });
    for (let i = 0; i < 2; i++) {
      torch.tidy(() => {
        opt.zeroGrad();
        scaler.scale(forward()).backward();
        scaler.step(opt);
        scaler.update();
      });
    }
    expect(scaler.getScale()).toBe(8);
    const copy = new torch.amp.GradScaler();
    copy.loadStateDict(scaler.stateDict());
    expect(copy.getScale()).toBe(8);
    const off = new torch.amp.GradScaler({ enabled: false });
    torch.tidy(() => {
      const loss = forward();
      expectNear(off.scale(loss), loss, 0, "disabled scaler's scale");
    });
    done();
  });
});
