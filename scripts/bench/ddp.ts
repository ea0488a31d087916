// DistributedDataParallel training throughput: ResNet-18 with a 1-channel stem on
// Fashion-MNIST-shaped inputs (1x28x28, 10 classes), SGD with momentum, one thread per rank,
// Gloo on loopback, at 1 and 2 ranks: torch-ts beside Python's DDP (Debian's torch, the same
// model and steps, scripts/bench/ddp.py) in the same run. Each round runs the four cases one
// after the other (alternating which side goes first), and the table shows each case's median
// over the rounds: images/s summed over the ranks, torch-ts / Python, and the scaling
// efficiency (2-rank images/s over twice the 1-rank images/s).
//   npx tsx scripts/bench/ddp.ts     (BENCH_ROUNDS=2 BENCH_STEPS=8 BENCH_BATCH=32)
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../lib/index.js";
import { parseCommandLine, parseFlags } from "../../lib/train/cli.js";
import { freePort } from "../../lib/train/distributed.js";
import { median } from "./peer.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const envInt = (name: string, fallback: number) => {
  const v = process.env[name] === undefined ? fallback : Number(process.env[name]);
  if (!Number.isInteger(v) || v < 1) {
    console.error(`bench/ddp: ${name} must be a positive integer, got ${process.env[name]}`);
    process.exit(2);
  }
  return v;
};

// ---- a rank (started by the driver below with BENCH_DDP_RANK set) ----
async function rankMain(): Promise<void> {
  const { nn, distributed: dist } = torch;
  torch.setNumThreads(1);
  dist.initProcessGroup({ initMethod: "env://" });
  const rank = dist.getRank();
  const world = dist.getWorldSize();
  const [batch, warmup, steps] = ["BENCH_BATCH", "BENCH_WARMUP", "BENCH_STEPS"].map((k) => Number(process.env[k]));
  torch.manualSeed(0);
  const model = torch.vision.resnet18({ numClasses: 10, inChannels: 1 });
  const ddp = new nn.parallel.DistributedDataParallel(model);
  const opt = new torch.optim.SGD(ddp.parameters(), { lr: 0.01, momentum: 0.9 });
  const lossFn = new nn.CrossEntropyLoss();
  torch.manualSeed(1 + rank);
  const x = torch.randn([batch!, 1, 28, 28]);
  const y = torch.randint(0, 10, [batch!]);
  const step = () => torch.tidy(() => {
    opt.zeroGrad();
    const loss = lossFn.call(ddp.call(x) as torch.Tensor, y) as torch.Tensor;
    loss.backward();
    opt.step();
    return Number(loss.item());
  });
  for (let i = 0; i < warmup!; i++) step();
  dist.barrier();
  const t0 = performance.now();
  let loss = 0;
  for (let i = 0; i < steps!; i++) loss = step();
  dist.barrier();
  const seconds = (performance.now() - t0) / 1000;
  if (rank === 0) console.log(JSON.stringify({ images_per_second: (world * batch! * steps!) / seconds, seconds, loss }));
  dist.destroyProcessGroup();
}

// ---- the driver ----
type Side = "torch-ts" | "python";

/** Starts `world` ranks of one side on a fresh port; resolves with rank 0's images/s. */
async function runCase(side: Side, world: number, settings: Record<string, string>): Promise<number> {
  const port = await freePort();
  const outputs = await Promise.all(Array.from({ length: world }, (_, rank) => new Promise<string>((resolve, reject) => {
    const env = { ...process.env, ...settings, OMP_NUM_THREADS: "1", RANK: String(rank), WORLD_SIZE: String(world), MASTER_ADDR: "127.0.0.1", MASTER_PORT: String(port), BENCH_DDP_RANK: String(rank) };
    const [cmd, args] = side === "python" ? [process.env.TORCH_TS_PYTHON || "/usr/bin/python3", [path.join(here, "ddp.py")]]
      : [process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)]];
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`bench/ddp: ${side} rank ${rank} of ${world} failed (exit ${code}):\n${err.slice(-2000)}`))));
  })));
  const line = outputs[0]!.trim().split("\n").pop()!;
  return (JSON.parse(line) as { images_per_second: number }).images_per_second;
}

async function driver(): Promise<void> {
  const rounds = envInt("BENCH_ROUNDS", 2);
  const settings = { BENCH_BATCH: String(envInt("BENCH_BATCH", 32)), BENCH_WARMUP: String(envInt("BENCH_WARMUP", 2)), BENCH_STEPS: String(envInt("BENCH_STEPS", 8)) };
  const results: Record<string, number[]> = {};
  const began = performance.now();
  for (let round = 0; round < rounds; round++) {
    for (const world of [1, 2]) {
      const sides: Side[] = round % 2 === 0 ? ["torch-ts", "python"] : ["python", "torch-ts"];
      for (const side of sides) (results[`${side} ${world}`] ??= []).push(await runCase(side, world, settings));
    }
  }
  const ips = (side: Side, world: number) => median(results[`${side} ${world}`]!);
  console.log(`bench/ddp: ResNet-18 (1x28x28, 10 classes) DDP training, Gloo on loopback, 1 thread per rank, batch ${settings.BENCH_BATCH} per rank, ` +
    `${settings.BENCH_STEPS} timed steps, median of ${rounds} round(s), ${torch.config().libtorchVersion}`);
  console.log("ranks   torch-ts img/s   Python img/s   torch-ts / Python");
  for (const world of [1, 2]) {
    console.log(`${String(world).padStart(5)}   ${ips("torch-ts", world).toFixed(1).padStart(14)}   ${ips("python", world).toFixed(1).padStart(12)}   ${(ips("torch-ts", world) / ips("python", world)).toFixed(2).padStart(16)}x`);
  }
  const eff = (side: Side) => ips(side, 2) / (2 * ips(side, 1));
  console.log(`scaling efficiency 1 -> 2 ranks: torch-ts ${(100 * eff("torch-ts")).toFixed(0)}%, Python ${(100 * eff("python")).toFixed(0)}%  (${((performance.now() - began) / 1000).toFixed(0)} s)`);
}

if (process.env.BENCH_DDP_RANK !== undefined) {
  await rankMain();
} else {
  parseCommandLine("bench/ddp", `usage: npx tsx scripts/bench/ddp.ts
  DDP training images/s (ResNet-18, 1x28x28) at 1 and 2 ranks, torch-ts beside Python DDP; takes no flags.
  --help
environment: BENCH_ROUNDS=2  BENCH_STEPS=8  BENCH_WARMUP=2  BENCH_BATCH=32`, () => (parseFlags(process.argv.slice(2), {}).values.help === true ? { help: true as const } : {}));
  await driver();
}
