// GPU memory: the caching allocator's counters move exactly with what torch-ts allocates and
// disposes, and 500 training steps of a ResNet-18 leave memoryAllocated within 1 % of where it
// was (and the live tensor count where it was): a user's loop does not grow GPU memory.
import { afterAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { HAS_CUDA, note, title, writeReport } from "./common.js";

const MiB = 1024 * 1024;

describe.skipIf(!HAS_CUDA)(title("CUDA memory", true), () => {
  afterAll(() => writeReport("memory"));

  it("memoryAllocated rises by a 256 MiB tensor's size and falls back when it is disposed; peak, reserved and emptyCache follow", () => {
    torch.cuda.synchronize();
    const before = torch.cuda.memoryAllocated();
    torch.cuda.resetPeakMemoryStats();
    const t = torch.empty([64 * MiB], { device: "cuda" }); // float32: 256 MiB
    expect(torch.cuda.memoryAllocated() - before).toBe(256 * MiB);
    expect(torch.cuda.maxMemoryAllocated()).toBeGreaterThanOrEqual(before + 256 * MiB);
    expect(torch.cuda.memoryReserved()).toBeGreaterThanOrEqual(torch.cuda.memoryAllocated());
    t.dispose();
    expect(torch.cuda.memoryAllocated()).toBe(before);
    const cached = torch.cuda.memoryReserved();
    torch.cuda.emptyCache();
    expect(torch.cuda.memoryReserved()).toBeLessThanOrEqual(cached - 256 * MiB);
    expect(torch.cuda.memoryAllocated()).toBe(before);
    // Device index forms answer the same as the default device.
    expect(torch.cuda.memoryAllocated(0)).toBe(before);
  });

  it("500 training steps of a ResNet-18 (batch 32, 28×28, Adam): memoryAllocated within 1 %, live tensors unchanged", () => {
    torch.manualSeed(0);
    const model = torch.vision.resnet18({ numClasses: 10, inChannels: 1 }).to("cuda");
    const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
    const lossFn = new torch.nn.CrossEntropyLoss();
    let lastLoss = 0;
    const step = () => {
      opt.zeroGrad();
      lastLoss = torch.tidy(() => {
        // A fresh batch each step, made on the device, as a DataLoader's pinned copy would arrive.
        const x = torch.randn([32, 1, 28, 28], { device: "cuda" });
        const y = torch.randint(10, [32], { device: "cuda" });
        const loss = lossFn.call(model.call(x), y);
        loss.backward();
        return loss.item() as number;
      });
      opt.step();
    };
    // The optimizer's state and cuDNN's workspaces exist after the first steps: measure from there.
    for (let i = 0; i < 5; i++) step();
    torch.cuda.synchronize();
    const before = torch.cuda.memoryAllocated();
    const liveBefore = torch.liveTensors();
    torch.cuda.resetPeakMemoryStats();
    const t0 = performance.now();
    for (let i = 0; i < 500; i++) step();
    torch.cuda.synchronize();
    const after = torch.cuda.memoryAllocated();
    note("500 ResNet-18 steps", {
      allocatedBefore: before, allocatedAfter: after, peak: torch.cuda.maxMemoryAllocated(), reserved: torch.cuda.memoryReserved(),
      liveBefore, liveAfter: torch.liveTensors(), ms: Math.round(performance.now() - t0), lastLoss,
    });
    expect(Number.isFinite(lastLoss)).toBe(true);
    expect(Math.abs(after - before) / before).toBeLessThanOrEqual(0.01);
    expect(torch.liveTensors()).toBe(liveBefore);
    torch.dispose([...opt.state.values()], [...model.parameters(), ...model.buffers()]);
  });
});
