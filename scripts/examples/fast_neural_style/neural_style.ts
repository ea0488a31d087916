// pytorch/examples fast_neural_style/neural_style/neural_style.py's `train` in torch-ts:
// TransformerNet learns to restyle images, its loss VGG-16 features' content (relu2_2) MSE plus
// the Gram matrices' style MSE, with Adam. Same flags as the original's train subcommand:
//   npx tsx scripts/examples/fast_neural_style/neural_style.ts train [--epochs 2] [--batch-size 4]
//     [--image-size 256] [--style-size N] [--seed 42] [--content-weight 1e5] [--style-weight 1e10]
//     [--lr 1e-3] [--log-interval 500] [--save-model-dir DIR] [--checkpoint-model-dir DIR] [--checkpoint-interval 2000]
// No image folder or style image is read (and no ImageNet VGG downloaded, see vgg.ts): --dataset
// is replaced by --synthetic N seeded images and the style image by one more; eval is not ported.
import path from "node:path";
import * as torch from "../../../lib/index.js";
import { isMain, parseFlags, UsageError } from "../common/cli.js";
import { TensorLoader } from "../common/python_loader.js";
import { TransformerNet } from "./transformer_net.js";
import { gramMatrix, normalizeBatch } from "./utils.js";
import { Vgg16 } from "./vgg.js";

type Tensor = torch.Tensor;

export const DEFAULTS = {
  epochs: 2, batchSize: 4, imageSize: 256, styleSize: null as number | null, seed: 42, contentWeight: 1e5, styleWeight: 1e10, lr: 1e-3,
  logInterval: 500, saveModelDir: "", checkpointModelDir: "", checkpointInterval: 2000, accel: false, synthetic: 8,
};
export type NeuralStyleArgs = typeof DEFAULTS;
const FLAGS = {
  "--epochs": "epochs", "--batch-size": "batchSize", "--image-size": "imageSize", "--style-size": "styleSize", "--seed": "seed",
  "--content-weight": "contentWeight", "--style-weight": "styleWeight", "--lr": "lr", "--log-interval": "logInterval",
  "--save-model-dir": "saveModelDir", "--checkpoint-model-dir": "checkpointModelDir", "--checkpoint-interval": "checkpointInterval",
  "--accel": "accel", "--synthetic": "synthetic",
} as const;

/** Seeded 8-bit RGB images as ToTensor leaves them (levels / 255), shape [n, 3, size, size]. */
export function syntheticRgb(n: number, size: number, seed: number): Tensor {
  const rnd = torch.vision.transforms.mulberry32(seed);
  return torch.tensor(Float32Array.from({ length: n * 3 * size * size }, () => Math.round(255 * rnd()) / 255), { shape: [n, 3, size, size] });
}

export interface NeuralStyleLog { contentLosses: number[]; styleLosses: number[]; stateDictKeys: string[]; repr: string }

export function train(options: Partial<NeuralStyleArgs> & { images?: Tensor; style?: Tensor } = {}, print: (line: string) => void = console.log): NeuralStyleLog {
  const args = { ...DEFAULTS, ...options };
  print("Using device: cpu");
  torch.manualSeed(args.seed); // (the original seeds NumPy too; nothing draws from it)
  // transforms.Lambda(lambda x: x.mul(255)) after ToTensor
  const images = torch.tidy(() => (options.images ?? syntheticRgb(args.synthetic, args.imageSize, args.seed)).mul(255));
  const trainLoader = new TensorLoader([images], args.batchSize, false);

  const transformer = new TransformerNet();
  const optimizer = new torch.optim.Adam(transformer.parameters(), args.lr);
  const mseLoss = new torch.nn.MSELoss();
  const vgg = new Vgg16(false);
  const style = torch.tidy(() => (options.style ?? syntheticRgb(1, args.styleSize ?? args.imageSize, args.seed + 1)).mul(255).repeat(args.batchSize, 1, 1, 1));
  const gramStyle = torch.tidy(() => Object.values(vgg.call(normalizeBatch(style))).map((y) => gramMatrix(y)));
  const log: NeuralStyleLog = { contentLosses: [], styleLosses: [], stateDictKeys: torch.tidy(() => [...transformer.stateDict().keys()]), repr: String(transformer) };

  for (let e = 0; e < args.epochs; e++) {
    transformer.train();
    let aggContentLoss = 0;
    let aggStyleLoss = 0;
    let count = 0;
    let batchId = 0;
    for (const [batch] of trainLoader) {
      const nBatch = batch!.shape[0]!;
      count += nBatch;
      optimizer.zeroGrad();
      const [content, styleL] = torch.tidy(() => {
        let y = transformer.call(batch!);
        y = normalizeBatch(y);
        const x = normalizeBatch(batch!);
        const featuresY = vgg.call(y);
        const featuresX = vgg.call(x);
        const contentLoss = mseLoss.call(featuresY.relu2_2, featuresX.relu2_2).mul(args.contentWeight);
        let styleLoss: Tensor | null = null;
        Object.values(featuresY).forEach((ftY, k) => {
          const gmY = gramMatrix(ftY);
          const term = mseLoss.call(gmY, gramStyle[k]!.slice(0, 0, nBatch));
          styleLoss = styleLoss === null ? term : styleLoss.add(term);
        });
        const weighted = styleLoss!.mul(args.styleWeight);
        contentLoss.add(weighted).backward();
        return [contentLoss.item(), weighted.item()];
      });
      optimizer.step();
      aggContentLoss += content;
      aggStyleLoss += styleL;
      log.contentLosses.push(content);
      log.styleLosses.push(styleL);
      batch!.dispose();
      if ((batchId + 1) % args.logInterval === 0) {
        print(`${new Date().toString()}\tEpoch ${e + 1}:\t[${count}/${trainLoader.datasetLength}]\tcontent: ${(aggContentLoss / (batchId + 1)).toFixed(6)}\tstyle: ${(aggStyleLoss / (batchId + 1)).toFixed(6)}\ttotal: ${((aggContentLoss + aggStyleLoss) / (batchId + 1)).toFixed(6)}`);
      }
      if (args.checkpointModelDir !== "" && (batchId + 1) % args.checkpointInterval === 0) {
        transformer.eval();
        torch.save(transformer.stateDict(), path.join(args.checkpointModelDir, `ckpt_epoch_${e}_batch_id_${batchId + 1}.pth`));
        transformer.train();
      }
      batchId++;
    }
  }
  if (args.saveModelDir !== "") {
    transformer.eval();
    const stamp = new Date().toISOString().replace(/[:T]/g, "-").slice(0, 19);
    const file = path.join(args.saveModelDir, `epoch_${args.epochs}_${stamp}_${args.contentWeight}_${args.styleWeight}.model`);
    torch.save(transformer.stateDict(), file);
    print(`\nDone, trained model saved at ${file}`);
  }
  for (const t of [images, style, ...gramStyle]) t.dispose();
  return log;
}

if (isMain(import.meta.url)) {
  try {
    const [sub, ...rest] = process.argv.slice(2);
    if (sub !== "train") throw new UsageError(`expected the subcommand "train" (eval is not ported), got ${JSON.stringify(sub ?? "")}`);
    train(parseFlags(rest, DEFAULTS, FLAGS));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`usage: neural_style.ts train [${Object.keys(FLAGS).join("] [")}]\nerror: ${err.message}`);
    process.exitCode = 2;
  }
}
