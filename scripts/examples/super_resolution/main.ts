// pytorch/examples super_resolution/main.py in torch-ts: trains model.ts's sub-pixel CNN with
// MSELoss and Adam, reports PSNR on the test set, checkpoints each epoch. Same flags:
//   npx tsx scripts/examples/super_resolution/main.ts --upscale_factor 3 [--batchSize 64]
//     [--testBatchSize 10] [--nEpochs 2] [--lr 0.01] [--seed 123]
// The original downloads BSDS300 (no network here): this port trains on --synthetic N seeded
// images of --imageSize pixels (targets; inputs are their upscale_factor x average-pooled
// copies, standing in for PIL's Resize). Checkpoints are state dicts (model_epoch_N.pth;
// Python pickles the whole module, which a TS module cannot be), skipped with --no-checkpoint.
import * as torch from "../../../lib/index.js";
import { isMain, parseFlags, UsageError } from "../common/cli.js";
import { TensorLoader } from "../common/python_loader.js";
import { Net } from "./model.js";

const F = torch.nn.functional;

export const DEFAULTS = {
  upscaleFactor: 0, batchSize: 64, testBatchSize: 10, nEpochs: 2, lr: 0.01, accel: false, threads: 4, seed: 123,
  synthetic: 64, imageSize: 48, noCheckpoint: false,
};
export type SuperResolutionArgs = typeof DEFAULTS;
const FLAGS = {
  "--upscale_factor": "upscaleFactor", "--batchSize": "batchSize", "--testBatchSize": "testBatchSize", "--nEpochs": "nEpochs", "--lr": "lr",
  "--accel": "accel", "--threads": "threads", "--seed": "seed", "--synthetic": "synthetic", "--imageSize": "imageSize", "--no-checkpoint": "noCheckpoint",
} as const;

/** Seeded smooth grayscale images in [0, 1], shape [count, 1, size, size] (mulberry32, float32-exact). */
export function syntheticImages(count: number, size: number, seed: number): torch.Tensor {
  const rnd = torch.vision.transforms.mulberry32(seed);
  const data = new Float32Array(count * size * size);
  for (let k = 0; k < count; k++) {
    const [a, b, c, d] = [rnd(), rnd(), rnd(), rnd()];
    for (let i = 0; i < size * size; i++) {
      const y = Math.floor(i / size) / size;
      const x = (i % size) / size;
      data[k * size * size + i] = Math.fround(0.5 + 0.25 * Math.sin(6 * a * x + 3 * b) * Math.cos(6 * c * y + 3 * d) + 0.2 * (rnd() - 0.5));
    }
  }
  return torch.tensor(data, { shape: [count, 1, size, size] });
}

/** (input, target) of a set of target images: the inputs are their r x r average pools. */
export function pairsOf(targets: torch.Tensor, upscaleFactor: number): [torch.Tensor, torch.Tensor] {
  return [torch.tidy(() => F.avgPool2d(targets, upscaleFactor)), targets];
}

export interface SuperResolutionData { train: torch.Tensor; test: torch.Tensor }
export interface SuperResolutionLog { stepLosses: number[]; epochLosses: number[]; testMse: number[]; psnr: number[]; repr: string }

export function main(options: Partial<SuperResolutionArgs> & { data?: SuperResolutionData } = {}, print: (line: string) => void = console.log): SuperResolutionLog {
  const opt = { ...DEFAULTS, ...options };
  if (!Number.isInteger(opt.upscaleFactor) || opt.upscaleFactor < 1) throw new UsageError("--upscale_factor must be a positive integer");
  print(JSON.stringify(opt, (k, v) => (k === "data" ? undefined : v)));
  torch.manualSeed(opt.seed);
  // CPU: the comparison with Python runs there (--accel is accepted and, as there without an accelerator, ignored).
  print("===> Loading datasets");
  const data = options.data ?? {
    train: syntheticImages(opt.synthetic, opt.imageSize, opt.seed),
    test: syntheticImages(Math.max(1, Math.floor(opt.synthetic / 4)), opt.imageSize, opt.seed + 1),
  };
  const train = pairsOf(data.train, opt.upscaleFactor);
  const test = pairsOf(data.test, opt.upscaleFactor);
  const trainingDataLoader = new TensorLoader(train, opt.batchSize, true);
  const testingDataLoader = new TensorLoader(test, opt.testBatchSize, false);

  print("===> Building model");
  const model = new Net(opt.upscaleFactor);
  const criterion = new torch.nn.MSELoss();
  const optimizer = new torch.optim.Adam(model.parameters(), { lr: opt.lr });
  const log: SuperResolutionLog = { stepLosses: [], epochLosses: [], testMse: [], psnr: [], repr: String(model) };

  const trainEpoch = (epoch: number) => {
    let epochLoss = 0;
    let iteration = 1;
    for (const [input, target] of trainingDataLoader) {
      optimizer.zeroGrad();
      const loss = torch.tidy(() => {
        const l = criterion.call(model.call(input!), target!);
        const v = l.item();
        l.backward();
        return v;
      });
      epochLoss += loss;
      optimizer.step();
      log.stepLosses.push(loss);
      print(`===> Epoch[${epoch}](${iteration}/${trainingDataLoader.length}): Loss: ${loss.toFixed(4)}`);
      input!.dispose();
      target!.dispose();
      iteration++;
    }
    log.epochLosses.push(epochLoss / trainingDataLoader.length);
    print(`===> Epoch ${epoch} Complete: Avg. Loss: ${(epochLoss / trainingDataLoader.length).toFixed(4)}`);
  };

  const testEpoch = () => {
    let avgPsnr = 0;
    torch.noGrad(() => {
      for (const [input, target] of testingDataLoader) {
        const mse = torch.tidy(() => criterion.call(model.call(input!), target!).item());
        log.testMse.push(mse);
        avgPsnr += 10 * Math.log10(1 / mse);
        input!.dispose();
        target!.dispose();
      }
    });
    log.psnr.push(avgPsnr / testingDataLoader.length);
    print(`===> Avg. PSNR: ${(avgPsnr / testingDataLoader.length).toFixed(4)} dB`);
  };

  for (let epoch = 1; epoch <= opt.nEpochs; epoch++) {
    trainEpoch(epoch);
    testEpoch();
    if (!opt.noCheckpoint) {
      const modelOutPath = `model_epoch_${epoch}.pth`;
      torch.save(model.stateDict(), modelOutPath);
      print(`Checkpoint saved to ${modelOutPath}`);
    }
  }
  for (const t of [train[0], test[0]]) t.dispose();
  if (options.data === undefined) for (const t of [data.train, data.test]) t.dispose();
  return log;
}

if (isMain(import.meta.url)) {
  try {
    main(parseFlags(process.argv.slice(2), DEFAULTS, FLAGS, ["upscaleFactor"]));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`usage: super_resolution/main.ts --upscale_factor N [${Object.keys(FLAGS).filter((f) => f !== "--upscale_factor").join("] [")}]\nerror: ${err.message}`);
    process.exitCode = 2;
  }
}
