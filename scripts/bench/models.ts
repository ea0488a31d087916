// ResNet eval and train steps and the Adam step, torch-ts beside Python PyTorch on the same
// libtorch and thread count, in the same run: medians in ms and the ratio (ours / theirs).
//   npx tsx scripts/bench/models.ts            (BENCH_THREADS=n, BENCH_QUICK=1 for fewer repeats)
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../lib/index.js";

const threads = Number(process.env.BENCH_THREADS ?? torch.getNumThreads());
const quick = process.env.BENCH_QUICK === "1";
torch.setNumThreads(threads);

interface Case { name: string; kind: "eval" | "train" | "adam"; arch: torch.vision.Architecture; batch: number; size: number; channels: number; classes: number; repeats: number }
const r = (n: number) => (quick ? Math.max(1, Math.ceil(n / 3)) : n);
const cases: Case[] = [
  { name: "resnet18 eval b1 224", kind: "eval", arch: "resnet18", batch: 1, size: 224, channels: 3, classes: 1000, repeats: r(15) },
  { name: "resnet18 eval b32 224", kind: "eval", arch: "resnet18", batch: 32, size: 224, channels: 3, classes: 1000, repeats: r(3) },
  { name: "resnet50 eval b1 224", kind: "eval", arch: "resnet50", batch: 1, size: 224, channels: 3, classes: 1000, repeats: r(9) },
  { name: "resnet50 eval b32 224", kind: "eval", arch: "resnet50", batch: 32, size: 224, channels: 3, classes: 1000, repeats: r(3) },
  { name: "resnet18 train b64 28x28 (Fashion-MNIST)", kind: "train", arch: "resnet18", batch: 64, size: 28, channels: 1, classes: 10, repeats: r(9) },
  { name: "resnet18 train b16 224", kind: "train", arch: "resnet18", batch: 16, size: 224, channels: 3, classes: 1000, repeats: r(3) },
  { name: "Adam step, resnet18 params", kind: "adam", arch: "resnet18", batch: 0, size: 0, channels: 3, classes: 1000, repeats: r(15) },
];

function medianMs(fn: () => void, repeats: number, warmup = 1): number {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const ours: Record<string, number> = {};
torch.manualSeed(0);
for (const c of cases) {
  const model = torch.vision.architectures[c.arch]({ numClasses: c.classes, inChannels: c.channels });
  let run: () => void;
  if (c.kind === "adam") {
    const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
    for (const p of model.parameters()) p.grad = torch.randnLike(p);
    run = () => opt.step();
  } else {
    const x = torch.randn(c.batch, c.channels, c.size, c.size);
    if (c.kind === "eval") {
      model.eval();
      run = () => torch.noGrad(() => model.call(x).dispose());
    } else {
      const y = torch.randint(c.classes, [c.batch]);
      const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
      const lossFn = new torch.nn.CrossEntropyLoss();
      run = () => {
        opt.zeroGrad();
        torch.tidy(() => lossFn.call(model.call(x), y).backward());
        opt.step();
      };
    }
  }
  ours[c.name] = medianMs(run, c.repeats);
}

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "models.py");
// Same allocator settings on both sides: torch-ts raises glibc's mmap/trim thresholds at load
// (config().mallocTuned), so Python gets the same thresholds through GLIBC_TUNABLES.
const tunables = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456";
const pyEnv = torch.config().mallocTuned ? { ...process.env, GLIBC_TUNABLES: tunables } : process.env;
const py = spawnSync("/usr/bin/python3", [script], { input: JSON.stringify({ threads, cases }), encoding: "utf8", env: pyEnv });
if (py.status !== 0) {
  console.error(`bench: Python PyTorch reference failed:\n${py.stderr}`);
  process.exit(1);
}
const theirs = JSON.parse(py.stdout) as Record<string, number> & { version: string };
const cfg = torch.config();
console.log(`model benchmark — torch-ts on libtorch ${cfg.libtorchVersion} vs PyTorch ${theirs.version}, ${threads} thread(s), CPU, median ms` +
  (cfg.mallocTuned ? "; both with raised glibc mmap/trim thresholds" : ""));
for (const c of cases) {
  const a = ours[c.name]!;
  const b = theirs[c.name]!;
  console.log(`${c.name.padEnd(42)} torch-ts ${a.toFixed(1).padStart(9)}   PyTorch ${b.toFixed(1).padStart(9)}   ratio ${(a / b).toFixed(2)}x`);
}
