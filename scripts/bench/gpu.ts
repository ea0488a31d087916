// ResNet-50 on the GPU, torch-ts beside PyTorch eager (scripts/bench/gpu.py) in the same run on
// the same GPU: training images/s at batch 128 and 256 in float32 and in bfloat16 autocast +
// channels_last, and batch-1 eval latency. Same work both sides: torchvision's ResNet-50 (1000
// classes), Adam, cross-entropy, a fixed random batch on the device, cudnn.benchmark on (fixed
// shapes), TF32 left at the defaults (cuDNN convs on, matmul off). CUDA is synchronized before
// and after every timed step; figures are medians. Training (GPU-bound, and too big for two
// processes' caches side by side) runs Python first, then torch-ts. Batch-1 eval is bound by the
// host's op dispatch, which swung 4.1 -> 7.5 ms between two Python runs on one machine: the two
// sides take turns round by round (scripts/bench/peer.ts) and the row gives the median of the
// per-round ratios, their range and the ratio of the best samples.
//   npx tsx scripts/bench/gpu.ts [--device cuda|cpu] [--quick]
//   BENCH_JSON=path writes the figures as JSON; TORCH_TS_PYTHON picks the Python (default
//   /usr/bin/python3). --device cpu --quick runs tiny sizes so the code paths run anywhere.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../lib/index.js";
import { parseCommandLine, parseFlags, UsageError } from "../../lib/train/cli.js";
import { paired, PythonPeer, type Paired } from "./peer.js";

const HELP = `usage: npx tsx scripts/bench/gpu.ts [--device cuda|cpu] [--quick]
  --device cuda|cpu   where both sides run (default cuda)
  --quick             fewer repeats
  --help
environment: TORCH_TS_PYTHON (default /usr/bin/python3), BENCH_JSON=FILE writes the results as JSON`;

const { device, quick } = parseCommandLine("bench/gpu", HELP, () => {
  const { values } = parseFlags(process.argv.slice(2), { device: { type: "string" }, quick: { type: "boolean" } });
  if (values.help === true) return { help: true as const };
  const device = (values.device as string | undefined) ?? "cuda";
  if (device !== "cuda" && device !== "cpu") throw new UsageError(`--device must be one of cuda, cpu, got ${JSON.stringify(device)}`);
  return { device: device as "cuda" | "cpu", quick: values.quick === true };
});
const cuda = device === "cuda";
if (cuda && !torch.cuda.isAvailable()) {
  console.error(`gpu bench: CUDA is not available (torch.config(): ${JSON.stringify(torch.config())}); use --device cpu`);
  process.exit(1);
}
const threads = torch.getNumThreads();

interface Case { name: string; kind: "train" | "eval"; batch: number; size: number; amp: boolean; channels_last: boolean; warmup: number; repeats: number }
const train = (batch: number, amp: boolean): Case => ({
  name: `train b${batch} ${amp ? "bf16 autocast + channels_last" : "fp32"}`, kind: "train", batch, size: quick ? 32 : 224,
  amp, channels_last: amp, warmup: quick ? 1 : 5, repeats: quick ? 2 : 15,
});
const evalCase = (amp: boolean): Case => ({
  name: `eval b1 ${amp ? "bf16 autocast + channels_last" : "fp32"}`, kind: "eval", batch: 1, size: quick ? 32 : 224,
  amp, channels_last: amp, warmup: quick ? 2 : 20, repeats: quick ? 3 : 100,
});
// --quick: batches 2 and 4 stand in for 128 and 256 (same code paths, tiny work).
const [b1, b2] = quick ? [2, 4] : [128, 256];
const cases: Case[] = [train(b1, false), train(b2, false), train(b1, true), train(b2, true), evalCase(false), evalCase(true)];
const trainCases = cases.filter((c) => c.kind === "train");
const rounds = quick ? 2 : 15;
const perRound = quick ? 2 : 10;

function medianMs(fn: () => void, repeats: number, warmup: number): number {
  const sync = () => cuda && torch.cuda.synchronize();
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    sync();
    const t0 = performance.now();
    fn();
    sync();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

// Python first: it exits and frees its GPU memory before torch-ts allocates (batch 256 in
// float32 needs a good part of the card; two processes' caches side by side could not fit).
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "gpu.py");
const python = process.env.TORCH_TS_PYTHON || "/usr/bin/python3";
const py = spawnSync(python, [script], {
  input: JSON.stringify({ device, threads, cudnn_benchmark: true, cases: trainCases }), encoding: "utf8", maxBuffer: 16 * 1024 * 1024,
});
if (py.status !== 0) {
  console.error(`gpu bench: Python PyTorch reference failed (${python}):\n${py.error?.message ?? ""}${py.stderr}`);
  process.exit(1);
}
const theirs = JSON.parse(py.stdout) as { version: string; device_name: string; results: Record<string, number> } & Record<string, unknown>;

if (cuda) torch.backends.cudnn.benchmark = true;
const ours: Record<string, number> = {};
const pairs: Record<string, Paired> = {};
const peer = await PythonPeer.start(script, process.env, ["--peer"]);
torch.manualSeed(0);
for (const c of cases) {
  const memoryFormat = c.channels_last ? "channelsLast" : "contiguousFormat";
  const model = torch.vision.resnet50().to({ device, memoryFormat });
  const x = torch.randn([c.batch, 3, c.size, c.size], { device }).contiguous({ memoryFormat });
  const ampOptions = { dtype: "bfloat16" as const, enabled: c.amp };
  let run: () => void;
  let opt: torch.optim.Adam | null = null;
  let y: torch.Tensor | null = null;
  if (c.kind === "train") {
    y = torch.randint(1000, [c.batch], { device });
    opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
    const lossFn = new torch.nn.CrossEntropyLoss();
    run = () => {
      opt!.zeroGrad();
      torch.tidy(() => torch.autocast(device, () => lossFn.call(model.call(x), y!), ampOptions).backward());
      opt!.step();
    };
  } else {
    model.eval();
    run = () => torch.noGrad(() => torch.tidy(() => torch.autocast(device, () => model.call(x), ampOptions)));
  }
  if (c.kind === "train") {
    ours[c.name] = medianMs(run, c.repeats, c.warmup);
  } else {
    await peer.setup({ ...c, device, threads });
    const timed = () => {
      run();
      if (cuda) torch.cuda.synchronize(); // the step before ended synchronized too
    };
    for (let i = 0; i < c.warmup; i++) timed(); // cudnn.benchmark's search happens here
    await peer.run(c.warmup);
    const p = await paired(timed, peer, rounds, perRound);
    pairs[c.name] = p;
    ours[c.name] = p.ours;
  }
  torch.dispose(x, y, opt ? [...opt.state.values()] : [], [...model.parameters(), ...model.buffers()]);
  if (cuda) torch.cuda.emptyCache();
}

peer.close();
const cfg = torch.config();
const imagesPerS = (c: Case, ms: number) => (c.batch * 1000) / ms;
const rows = cases.map((c) => {
  if (c.kind === "train") {
    const [a, b] = [ours[c.name]!, theirs.results[c.name]!];
    return { name: c.name, unit: "images/s", torchTs: imagesPerS(c, a), pytorch: imagesPerS(c, b), ratio: a / b, torchTsMs: a, pytorchMs: b };
  }
  const p = pairs[c.name]!;
  return {
    name: c.name, unit: "ms", torchTs: p.ours, pytorch: p.theirs, ratio: p.ratio, torchTsMs: p.ours, pytorchMs: p.theirs,
    rounds, perRound, ratioLow: p.low, ratioHigh: p.high, bestRatio: p.oursBest / p.theirsBest, torchTsBestMs: p.oursBest, pytorchBestMs: p.theirsBest,
  };
});
console.log(`ResNet-50 ${cuda ? "GPU" : "CPU"} benchmark${quick ? " (--quick: tiny sizes, not a measurement)" : ""} — ${theirs.device_name}; ` +
  `torch-ts on libtorch ${cfg.libtorchVersion} vs PyTorch ${theirs.version} eager; ${cuda ? "cudnn.benchmark on; " : ""}medians; ` +
  "ratio = torch-ts time / PyTorch time (below 1: torch-ts faster)");
for (const r of rows) {
  const fmt = (v: number) => (r.unit === "ms" ? v.toFixed(2) : v.toFixed(1)).padStart(9);
  const spread = "ratioLow" in r ? ` (${r.ratioLow!.toFixed(2)}-${r.ratioHigh!.toFixed(2)} over ${r.rounds} rounds; best ${r.bestRatio!.toFixed(2)}x)` : "";
  console.log(`${r.name.padEnd(40)} torch-ts ${fmt(r.torchTs)}   PyTorch ${fmt(r.pytorch)} ${r.unit.padEnd(8)}  ratio ${r.ratio.toFixed(2)}x${spread}`);
}
if (process.env.BENCH_JSON) {
  const { results: _unused, ...pythonInfo } = theirs;
  fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify({
    device, quick, threads, cudnnBenchmark: cuda, libtorchVersion: cfg.libtorchVersion, cudaBuild: cfg.cudaBuild,
    python: pythonInfo, cases: rows,
  }, null, 1));
}
