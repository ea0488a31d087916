// Module.forwardAsync: the forward on a libuv worker thread. It must give what call() gives
// (the synchronous forward, itself checked against PyTorch in resnet.test.ts), see parameter
// updates, honour grad and train modes, own a copy of its input, fail cleanly, leak nothing,
// and leave the event loop free while it runs.
import { describe, expect, it } from "vitest";
import * as torch from "torch-ts";

const { nn, vision } = torch;

function maxDiff(a: torch.Tensor, b: torch.Tensor): number {
  return torch.tidy(() => a.sub(b).abs().max().item() as number);
}

function twin(model: torch.nn.Module, make: () => torch.nn.Module): torch.nn.Module {
  const copy = make();
  copy.loadStateDict(model.stateDict());
  return copy;
}

describe("forwardAsync", () => {
  it("eval: equals call() on every run, and retraces for a new batch size", async () => {
    torch.manualSeed(1);
    const model = vision.resnet18({ numClasses: 10 }).eval();
    for (const batch of [2, 3, 2]) {
      const x = torch.randn([batch, 3, 40, 40]);
      const expected = torch.noGrad(() => model.call(x));
      for (let run = 0; run < 3; run++) {
        const y = await torch.noGrad(() => model.forwardAsync(x));
        expect(y.shape).toEqual([batch, 10]);
        expect(y.requiresGrad).toBe(false);
        expect(maxDiff(y, expected)).toBeLessThan(1e-6);
        y.dispose();
      }
      torch.dispose(x, expected);
    }
  });

  it("parameters are graph inputs, not constants: an optimizer step is seen by the next run", async () => {
    torch.manualSeed(2);
    const model = new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.Linear(16, 4)).eval();
    const x = torch.randn([5, 8]);
    (await torch.noGrad(() => model.forwardAsync(x))).dispose();
    const graph = torch.noGrad(() => torch.nn.tracedGraph(model, x))!;
    expect(graph).toContain("aten::linear");
    expect(graph).not.toMatch(/prim::Constant\[value=<Tensor>\]/);

    const opt = new torch.optim.Adam(model.parameters(), { lr: 0.1 });
    torch.tidy(() => model.call(x).pow(2).sum().backward());
    opt.step();
    const expected = torch.noGrad(() => model.call(x));
    const y = await torch.noGrad(() => model.forwardAsync(x));
    expect(maxDiff(y, expected)).toBeLessThan(1e-6);
    torch.dispose(x, expected, y);
  });

  it("train mode with grad: same loss, gradients and BatchNorm running stats as call()", async () => {
    torch.manualSeed(3);
    const make = () => vision.resnet18({ numClasses: 5 });
    const a = make();
    const b = twin(a, make);
    const x = torch.randn([4, 3, 32, 32]);
    // Two forwards each: the first records the graph, the second runs it on the worker.
    let lossA = 0;
    let lossB = 0;
    for (let step = 0; step < 2; step++) {
      a.zeroGrad();
      b.zeroGrad();
      lossA = torch.tidy(() => {
        const l = a.call(x).pow(2).mean();
        l.backward();
        return l.item() as number;
      });
      const yb = await b.forwardAsync(x);
      expect(yb.requiresGrad).toBe(true);
      lossB = torch.tidy(() => {
        const l = yb.pow(2).mean();
        l.backward();
        return l.item() as number;
      });
      yb.dispose();
    }
    expect(Math.abs(lossA - lossB)).toBeLessThanOrEqual(1e-6 * Math.abs(lossA));
    const pa = [...a.namedParameters()];
    const pb = new Map(b.namedParameters());
    for (const [name, p] of pa) {
      const q = pb.get(name)!;
      const scale = torch.tidy(() => p.grad!.abs().max().item() as number) || 1;
      expect(maxDiff(p.grad!, q.grad!) / scale, name).toBeLessThan(1e-4);
    }
    const bb = new Map(b.namedBuffers());
    for (const [name, buf] of a.namedBuffers()) expect(maxDiff(buf, bb.get(name)!), name).toBeLessThan(1e-6);
    x.dispose();
  });

  it("owns a copy of its input: disposing or overwriting x right after the call changes nothing", async () => {
    torch.manualSeed(4);
    const model = vision.resnet18({ numClasses: 3 }).eval();
    const x = torch.randn([2, 3, 32, 32]);
    const expected = torch.noGrad(() => model.call(x));
    (await torch.noGrad(() => model.forwardAsync(x))).dispose(); // record
    const x2 = x.clone();
    const pending = torch.noGrad(() => model.forwardAsync(x2));
    x2.fill_(0);
    x2.dispose();
    const y = await pending;
    expect(maxDiff(y, expected)).toBeLessThan(1e-6);
    torch.dispose(x, expected, y);
  });

  it("errors: a non-tensor input, a forward that throws or returns no tensor; nothing leaks", async () => {
    const model = new nn.Linear(3, 2);
    const before = torch.liveTensors();
    await expect(model.forwardAsync([1, 2, 3] as unknown as torch.Tensor)).rejects.toThrow(
      /Module\.forwardAsync.*x.*Tensor/,
    );
    class Throws extends nn.Module {
      forward(x: torch.Tensor): torch.Tensor {
        x.relu();
        throw new Error("boom in forward");
      }
    }
    class NotATensor extends nn.Module {
      forward(x: torch.Tensor): unknown {
        return x.shape;
      }
    }
    const x = torch.randn([2, 3]);
    await expect(new Throws().forwardAsync(x)).rejects.toThrow("boom in forward");
    await expect(new NotATensor().forwardAsync(x)).rejects.toThrow(/forward\(\) must return one Tensor/);
    // A shape the graph's ops refuse: libtorch's message, as a TorchError, from the first call.
    const wide = torch.randn([2, 4]);
    await expect(model.forwardAsync(wide)).rejects.toThrow(torch.TorchError);
    wide.dispose();
    // The tracer was abandoned: ordinary work goes on untraced.
    const y = await torch.noGrad(() => model.forwardAsync(x));
    const z = await torch.noGrad(() => model.forwardAsync(x));
    expect(maxDiff(y, z)).toBe(0);
    torch.dispose(x, y, z);
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    expect(torch.liveTensors()).toBe(before);
  });

  it("many runs leave the live tensor count where it was", async () => {
    const model = new nn.Sequential(new nn.Conv2d(3, 8, 3), new nn.BatchNorm2d(8), new nn.ReLU()).eval();
    const x = torch.randn([1, 3, 16, 16]);
    (await torch.noGrad(() => model.forwardAsync(x))).dispose();
    const before = torch.liveTensors();
    for (let i = 0; i < 200; i++) (await torch.noGrad(() => model.forwardAsync(x))).dispose();
    expect(torch.liveTensors()).toBe(before);
    x.dispose();
  });

  it("the event loop keeps answering during a long forward (the synchronous call blocks it)", async () => {
    torch.manualSeed(5);
    const model = vision.resnet18({ numClasses: 10 }).eval();
    const x = torch.randn([8, 3, 192, 192]);
    (await torch.noGrad(() => model.forwardAsync(x))).dispose(); // record, and warm up
    (await torch.noGrad(() => model.forwardAsync(x))).dispose();

    // Lag = how late a 2 ms timer fires. During the synchronous call no timer can fire at all.
    const measure = async (work: () => Promise<unknown>) => {
      const lags: number[] = [];
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        lags.push(now - last - 2);
        last = now;
      }, 2);
      const started = performance.now();
      await work();
      const elapsed = performance.now() - started;
      clearInterval(timer);
      lags.push(performance.now() - last - 2); // the wait still open when the work ended
      return { elapsed, max: Math.max(...lags), ticks: lags.length - 1 };
    };
    const sync = await measure(async () => torch.noGrad(() => model.call(x)).dispose());
    const async_ = await measure(async () => (await torch.noGrad(() => model.forwardAsync(x))).dispose());
    console.log(
      `forward ${sync.elapsed.toFixed(0)} ms sync (max lag ${sync.max.toFixed(0)} ms, ${sync.ticks} timer ticks) vs ` +
        `${async_.elapsed.toFixed(0)} ms async (max lag ${async_.max.toFixed(1)} ms, ${async_.ticks} ticks)`,
    );
    expect(sync.ticks).toBe(0);
    expect(sync.max).toBeGreaterThan(0.8 * sync.elapsed);
    expect(async_.ticks).toBeGreaterThan(5);
    expect(async_.max).toBeLessThan(20);
    x.dispose();
  });
});

describe("forwardAsync: what a recording freezes", () => {
  // A branch on tensor data is taken once while recording and baked into the graph, as in
  // Python's torch.jit.trace, which warns (TracerWarning); torch-ts warns the same way.
  class Branchy extends nn.Module {
    lin = this.registerModule("lin", new nn.Linear(4, 4));
    forward(x: torch.Tensor): torch.Tensor {
      const y = this.lin.call(x);
      return (y.sum().item() as number) > 0 ? y.relu() : y.neg();
    }
  }

  it("reading tensor data (item, tolist, toTypedArray) while recording emits one TracerWarning per kind; replays do not", async () => {
    const warnings: Error[] = [];
    const listen = (w: Error) => { if (w.name === "TracerWarning") warnings.push(w); };
    process.on("warning", listen);
    try {
      torch.manualSeed(3);
      const m = new Branchy();
      const x = torch.randn(2, 4);
      const first = await torch.noGrad(() => m.forwardAsync(x));
      const second = await torch.noGrad(() => m.forwardAsync(x));
      // Synchronous forwards read data freely: nothing is recorded there.
      torch.tidy(() => torch.noGrad(() => m.call(x)));
      await new Promise((r) => setImmediate(r)); // process warnings are delivered on a later tick
      expect(warnings.map((w) => w.message.split(" while")[0])).toEqual(["Tensor.item()"]);
      expect(warnings[0]!.message).toMatch(/recorded as a constant/);
      expect(maxDiff(first, second)).toBe(0);
      torch.dispose(x, first, second);
      for (const p of m.parameters()) p.dispose();
    } finally {
      process.off("warning", listen);
    }
  });
});
