// Training soak: ResNet-18 on 28×28 Fashion-MNIST through the real DataLoader, for hours' worth
// of steps compressed into one run, checking the two memory promises of torch-ts:
//   trainer  the library's trainEpoch: the live native tensor count is the same after every
//            step, and RSS after warm-up grows < 50 MB;
//   naive    user code that never disposes and never uses tidy (model.forward, not call): it
//            must stay bounded through GC pressure accounting alone.
// Run: npx tsx scripts/soak/train.ts [--steps 2000] [--mode trainer|naive|both] [--json]
// (`npm run soak` runs it with the defaults, then the checkpoint fuzzer.)
import * as torch from "../../lib/index.js";
import { parseCommandLine, parseFlags, UsageError } from "../../lib/train/cli.js";
import { trainEpoch } from "../../lib/train/loop.js";

const HELP = `usage: npx tsx scripts/soak/train.ts [options]
  --steps N                   training steps per mode, an integer >= 20 (default 2000)
  --mode trainer|naive|both   default both
  --workers N                 DataLoader worker threads (default 1)
  --json                      print the results as JSON
  --help`;

const MODES = ["trainer", "naive", "both"] as const;
const args = parseCommandLine("soak/train", HELP, () => {
  const { values } = parseFlags(process.argv.slice(2), {
    steps: { type: "string" }, mode: { type: "string" }, workers: { type: "string" }, json: { type: "boolean" },
  });
  if (values.help === true) return { help: true as const };
  const int = (flag: string, text: string, min: number) => {
    const n = /^\+?\d+$/.test(text.trim()) ? Number(text) : NaN;
    if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${flag} must be an integer >= ${min}, got ${JSON.stringify(text)}`);
    return n;
  };
  const mode = (values.mode as string | undefined) ?? "both";
  if (!MODES.includes(mode as never)) throw new UsageError(`--mode must be one of ${MODES.join(", ")}, got ${JSON.stringify(mode)}`);
  return {
    steps: int("steps", (values.steps as string | undefined) ?? "2000", 20), mode: mode as (typeof MODES)[number],
    workers: int("workers", (values.workers as string | undefined) ?? "1", 0), json: values.json === true,
  };
});
const { steps, workers } = args;
// The trainer's promise is < 50 MB. Naive code holds each step's garbage until the GC runs, so
// its RSS swings by a few steps' activations; what must hold is that it does not trend upward.
const RSS_LIMIT_MB = { trainer: 50, naive: 100 } as const;
// Warm-up: allocator pools, the DataLoader's worker, V8's heap and Adam's state settle first.
const warmup = Math.max(10, Math.floor(steps / 10));

const { nn, optim, vision, data } = torch;
const T = vision.transforms;

interface SoakResult {
  mode: "trainer" | "naive";
  steps: number;
  rssLimitMB: number;
  seconds: number;
  rssAfterWarmupMB: number;
  rssPeakMB: number;
  rssGrowthMB: number;
  liveAfterStep: { min: number; max: number };
  firstLoss: number;
  lastLoss: number;
  ok: boolean;
  problems: string[];
}

const mb = (bytes: number) => bytes / 2 ** 20;

function setup() {
  torch.manualSeed(0);
  const dataset = new vision.FashionMNIST(undefined, {
    train: true,
    transform: new T.Compose([new T.ToTensor(), new T.Normalize([0.286], [0.353])]),
  });
  const loader = new data.DataLoader(dataset, { batchSize: 32, shuffle: true, seed: 0, numWorkers: workers });
  const model = vision.resnet18({ numClasses: 10, inChannels: 1 });
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  return { loader, model, optimizer, lossFn: new nn.CrossEntropyLoss() };
}

/** Samples RSS and the live count after each step; judges the run at the end. */
class Meter {
  step = 0;
  rssAtWarmup = 0;
  rssPeak = 0;
  live: number[] = [];
  losses: number[] = [];
  readonly started = performance.now();
  constructor(readonly mode: "trainer" | "naive") {}
  afterStep(loss: number): void {
    this.step++;
    this.losses.push(loss);
    this.live.push(torch.liveTensors());
    const rss = process.memoryUsage.rss();
    if (this.step === warmup) this.rssAtWarmup = rss;
    if (this.step >= warmup) this.rssPeak = Math.max(this.rssPeak, rss);
  }
  result(): SoakResult {
    const checkLive = this.mode === "trainer";
    const problems: string[] = [];
    const settled = this.live.slice(1); // after step 1 Adam's state exists
    const liveMin = Math.min(...settled);
    const liveMax = Math.max(...settled);
    if (checkLive && liveMin !== liveMax) problems.push(`live tensors after a step varied: ${liveMin}..${liveMax}`);
    // Naive code: forgotten tensors wait for the GC, but a few steps' worth at most, not all.
    if (!checkLive && liveMax - liveMin > 20 * 100) problems.push(`live tensors grew to ${liveMax} (from ${liveMin}): the GC is not keeping up`);
    const growth = mb(this.rssPeak - this.rssAtWarmup);
    const limit = RSS_LIMIT_MB[this.mode];
    if (growth >= limit) problems.push(`RSS grew ${growth.toFixed(1)} MB after warm-up (limit ${limit})`);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const firstLoss = mean(this.losses.slice(0, 10));
    const lastLoss = mean(this.losses.slice(-10));
    if (!(lastLoss < firstLoss)) problems.push(`loss did not fall: ${firstLoss.toFixed(3)} -> ${lastLoss.toFixed(3)}`);
    return {
      mode: this.mode, steps: this.step, rssLimitMB: limit, seconds: (performance.now() - this.started) / 1000,
      rssAfterWarmupMB: mb(this.rssAtWarmup), rssPeakMB: mb(this.rssPeak), rssGrowthMB: growth,
      liveAfterStep: { min: liveMin, max: liveMax }, firstLoss, lastLoss, ok: problems.length === 0, problems,
    };
  }
}

/** The library's trainer: trainEpoch over as many epochs as the step count needs. */
async function soakTrainer(): Promise<SoakResult> {
  const { loader, model, optimizer, lossFn } = setup();
  const meter = new Meter("trainer");
  for (let epoch = 0; meter.step < steps; epoch++) {
    await trainEpoch(model, loader, lossFn, optimizer, {
      epoch, device: "cpu",
      // After each step; its loss is the epoch's running mean, good enough to see it fall.
      onBatch: (p) => meter.afterStep(p.loss),
      shouldStop: () => meter.step >= steps,
    });
  }
  await loader.close();
  return meter.result();
}

/** A loop written the naive way: model.forward (no tidy), nothing disposed, ever. */
async function soakNaive(): Promise<SoakResult> {
  const { loader, model, optimizer, lossFn } = setup();
  model.train();
  const meter = new Meter("naive");
  for (let epoch = 0; meter.step < steps; epoch++) {
    for await (const [x, y] of loader.iterate({ epoch })) {
      optimizer.zeroGrad();
      const out = model.forward(x) as torch.Tensor;
      const loss = lossFn.forward(out, y);
      loss.backward();
      optimizer.step();
      meter.afterStep(loss.item() as number);
      if (meter.step >= steps) break;
    }
  }
  await loader.close();
  return meter.result();
}

const results: SoakResult[] = [];
if (args.mode !== "naive") results.push(await soakTrainer());
if (args.mode !== "trainer") results.push(await soakNaive());
if (args.json) {
  console.log(JSON.stringify(results));
} else {
  for (const r of results) {
    console.log(
      `${r.mode}: ${r.steps} steps in ${r.seconds.toFixed(0)} s; RSS ${r.rssAfterWarmupMB.toFixed(0)} MB after ${warmup} ` +
        `warm-up steps, peak ${r.rssPeakMB.toFixed(0)} MB (growth ${r.rssGrowthMB.toFixed(1)} MB, limit ${r.rssLimitMB}); ` +
        `live tensors after each step ${r.liveAfterStep.min}..${r.liveAfterStep.max}; loss ${r.firstLoss.toFixed(3)} -> ` +
        `${r.lastLoss.toFixed(3)}${r.ok ? "" : `\n  FAILED: ${r.problems.join("; ")}`}`,
    );
  }
}
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
