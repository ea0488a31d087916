// DataLoader throughput: images/s through decode + RandomResizedCrop(224) + RandomHorizontalFlip
// + ToTensor + Normalize, batch 32, 2 workers, on a generated ImageFolder of JPEGs, beside
// torchvision's DataLoader (num_workers=2) on the same files in the same run; medians of epochs.
// Run: npx tsx scripts/bench/dataloader.ts
//   BENCH_IMAGES (400), BENCH_EPOCHS (5), BENCH_WORKERS (2), BENCH_BATCH (32) change the setup.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import * as torch from "../../lib/index.js";
import { parseCommandLine, parseFlags } from "../../lib/train/cli.js";

// Takes no flags (only --help): the setup is in the environment, so a flag is refused, not ignored.
parseCommandLine("bench/dataloader", `usage: npx tsx scripts/bench/dataloader.ts
  DataLoader images/s beside torchvision's DataLoader; takes no flags.
  --help
environment: BENCH_IMAGES (400), BENCH_EPOCHS (5), BENCH_WORKERS (2), BENCH_BATCH (32)`, () => (parseFlags(process.argv.slice(2), {}).values.help === true ? { help: true as const } : {}));

const images = Number(process.env.BENCH_IMAGES ?? 400);
const epochs = Number(process.env.BENCH_EPOCHS ?? 5);
const workers = Number(process.env.BENCH_WORKERS ?? 2);
const batchSize = Number(process.env.BENCH_BATCH ?? 32);
const [width, height] = [320, 240];
const classes = ["a", "b", "c", "d"];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "torch-ts-bench-loader-"));

/** Photo-like JPEGs: smooth colour fields plus noise, quality 90. */
async function makeImages(): Promise<number> {
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 16) & 31;
  let bytes = 0;
  for (let i = 0; i < images; i++) {
    const px = Buffer.alloc(width * height * 3);
    const [fx, fy] = [3 + (i % 7), 2 + (i % 5)];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < 3; c++) px[(y * width + x) * 3 + c] = 110 + 90 * Math.sin((x * fx * (c + 1)) / 400 + (y * fy) / 300 + i) + rnd() - 16;
      }
    }
    const file = path.join(dir, classes[i % classes.length]!, `img${String(i).padStart(4, "0")}.jpg`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    bytes += (await sharp(px, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toFile(file)).size;
  }
  return bytes;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function ours(): Promise<{ rates: number[]; firstEpoch: number }> {
  const T = torch.vision.transforms;
  const transform = new T.Compose([new T.RandomResizedCrop(224), new T.RandomHorizontalFlip(), new T.ToTensor(), new T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])]);
  const loader = new torch.data.DataLoader(new torch.vision.ImageFolder(dir, { transform }), { batchSize, shuffle: true, numWorkers: workers, seed: 0 });
  const epoch = async () => {
    const t0 = process.hrtime.bigint();
    let n = 0;
    for await (const [x, y] of loader) {
      n += x.shape[0]!;
      x.dispose();
      y.dispose();
    }
    if (n !== images) throw new Error(`loaded ${n} of ${images} images`);
    return n / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  const firstEpoch = await epoch(); // includes starting the worker threads
  const rates: number[] = [];
  for (let e = 0; e < epochs; e++) rates.push(await epoch());
  await loader.close();
  return { rates, firstEpoch };
}

try {
  const bytes = await makeImages();
  const mine = await ours();
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "dataloader.py");
  const py = spawnSync("/usr/bin/python3", [script], {
    input: JSON.stringify({ dir, epochs, workers, batch_size: batchSize, images }),
    encoding: "utf8",
    env: { ...process.env, OMP_NUM_THREADS: "1" },
  });
  if (py.status !== 0) {
    console.error(`bench: torchvision reference failed:\n${py.stderr}`);
    process.exit(1);
  }
  const theirs = JSON.parse(py.stdout) as { torch: string; torchvision: string; pillow: string; persistent: { rates: number[]; first_epoch: number }; respawn: { rates: number[] } };
  const cfg = torch.config();
  console.log(`DataLoader benchmark — ${images} JPEGs ${width}x${height} (${(bytes / 2 ** 20).toFixed(1)} MiB) in ${classes.length} classes, RandomResizedCrop(224) + RandomHorizontalFlip + ToTensor + Normalize, batch ${batchSize}, ${workers} workers, shuffle; ${os.cpus().length} CPUs`);
  console.log(`torch-ts on libtorch ${cfg.libtorchVersion} (sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}) vs torch ${theirs.torch}, torchvision ${theirs.torchvision}, Pillow ${theirs.pillow}; median of ${epochs} epochs after a warm-up epoch`);
  const row = (name: string, rates: number[]) => console.log(`${name.padEnd(52)} ${median(rates).toFixed(0).padStart(6)} images/s   (epochs: ${rates.map((r) => r.toFixed(0)).join(", ")})`);
  row("torch-ts DataLoader (worker threads)", mine.rates);
  row("torchvision DataLoader, persistent_workers=True", theirs.persistent.rates);
  row("torchvision DataLoader, default (workers per epoch)", theirs.respawn.rates);
  console.log(`first epoch (starting workers): torch-ts ${mine.firstEpoch.toFixed(0)} images/s, torchvision persistent ${theirs.persistent.first_epoch.toFixed(0)} images/s`);
  console.log(`ratio torch-ts / torchvision: ${(median(mine.rates) / median(theirs.persistent.rates)).toFixed(2)}x (persistent workers), ${(median(mine.rates) / median(theirs.respawn.rates)).toFixed(2)}x (default)`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
