// pytorch/examples siamese_network/main.py in torch-ts: a ResNet-18 feature extractor (conv1
// replaced for one channel, fc removed) shared by two images, a small MLP on the concatenated
// features and a sigmoid: "same class?" learned with BCELoss, Adadelta and StepLR. Same flags:
//   npx tsx scripts/examples/siamese_network/main.ts [--batch-size 64] [--test-batch-size 1000]
//     [--epochs 14] [--lr 1.0] [--gamma 0.7] [--dry-run] [--seed 1] [--log-interval 10] [--save-model]
// Additions: --data DIR (MNIST-format IDX files; default Debian's Fashion-MNIST), --limit N /
// --test-limit N (pairs per epoch). The pairs are drawn with Python's `random` algorithm
// (common/py_random.ts), which the original leaves unseeded; here it is seeded with --seed.
import * as torch from "../../../lib/index.js";
import { isMain, parseFlags, UsageError } from "../common/cli.js";
import { DEFAULT_ROOT } from "../common/mnist.js";
import { PyRandom } from "../common/py_random.js";
import { loaderBatches, loaderLength } from "../common/python_loader.js";

const { nn, optim } = torch;
type Tensor = torch.Tensor;

/**
 * Siamese network for image similarity estimation: two images through one ResNet-18, their
 * features concatenated into linear layers and a sigmoid (FaceNet, arXiv:1503.03832, is a
 * variant; BCELoss replaces its triplet loss, MNIST being simple).
 */
export class SiameseNetwork extends nn.Module {
  readonly resnet: torch.nn.Sequential;
  readonly fcInFeatures: number;
  readonly fc: torch.nn.Sequential;
  readonly sigmoid: torch.nn.Sigmoid;

  constructor() {
    super();
    // get resnet model; over-write the first conv layer to read one-channel MNIST images
    const resnet = torch.vision.resnet18();
    resnet.setSubmodule("conv1", new nn.Conv2d(1, 64, [7, 7], { stride: [2, 2], padding: [3, 3], bias: false }));
    this.fcInFeatures = resnet.fc.inFeatures;
    // remove the last layer of resnet18 (the linear layer after avgpool)
    this.resnet = this.registerModule("resnet", new nn.Sequential(...[...resnet.children()].slice(0, -1)));
    // add linear layers to compare between the features of the two images
    this.fc = this.registerModule("fc", new nn.Sequential(
      new nn.Linear(this.fcInFeatures * 2, 256),
      new nn.ReLU(true),
      new nn.Linear(256, 1),
    ));
    this.sigmoid = this.registerModule("sigmoid", new nn.Sigmoid());
    // initialize the weights
    this.resnet.apply((m) => this.initWeights(m));
    this.fc.apply((m) => this.initWeights(m));
  }

  initWeights(m: torch.nn.Module): void {
    if (m instanceof nn.Linear) {
      torch.nn.init.xavierUniform_(m.weight);
      torch.noGrad(() => m.bias!.fill_(0.01));
    }
  }

  forwardOnce(x: Tensor): Tensor {
    const output = this.resnet.call(x) as Tensor;
    return output.view(output.size(0), -1);
  }

  forward(input1: Tensor, input2: Tensor): Tensor {
    // get two images' features, concatenate them, through the linear layers and the sigmoid
    const output = torch.cat([this.forwardOnce(input1), this.forwardOnce(input2)], 1);
    return this.sigmoid.call(this.fc.call(output) as Tensor);
  }
}

/** The original's APP_MATCHER: pairs of MNIST images, same class for even indices, different for odd. */
export class AppMatcher {
  readonly dataset: torch.vision.datasets.MNIST;
  readonly groupedExamples: number[][];

  constructor(root: string, train: boolean, readonly random: PyRandom, readonly limit: number | null = null) {
    this.dataset = new torch.vision.datasets.MNIST(root, { train });
    // group examples based on class
    this.groupedExamples = Array.from({ length: 10 }, () => []);
    this.dataset.targets.forEach((t, i) => this.groupedExamples[t]!.push(i));
  }

  get length(): number {
    return this.limit === null ? this.dataset.length : Math.min(this.limit, this.dataset.length);
  }

  /** Item `index`'s [image_1, image_2, target] draws, in the original's order. */
  pair(index: number): [number, number, number] {
    const r = this.random;
    // pick some random class and an image of it
    const selectedClass = r.randint(0, 9);
    const group = this.groupedExamples[selectedClass]!;
    const randomIndex1 = r.randint(0, group.length - 1);
    const index1 = group[randomIndex1]!;
    if (index % 2 === 0) {
      // same class, but not the same image
      let randomIndex2 = r.randint(0, group.length - 1);
      while (randomIndex2 === randomIndex1) randomIndex2 = r.randint(0, group.length - 1);
      return [index1, group[randomIndex2]!, 1];
    }
    // different class
    let otherSelectedClass = r.randint(0, 9);
    while (otherSelectedClass === selectedClass) otherSelectedClass = r.randint(0, 9);
    const other = this.groupedExamples[otherSelectedClass]!;
    return [index1, other[r.randint(0, other.length - 1)]!, 0];
  }

  /** A batch as default_collate stacks it: images [B, 1, 28, 28] float (raw 0..255), targets [B] float. */
  batch(indices: number[]): [Tensor, Tensor, Tensor] {
    const pairs = indices.map((i) => this.pair(i));
    const px = this.dataset.height * this.dataset.width;
    const images = (k: 0 | 1) => {
      const data = new Uint8Array(pairs.length * px);
      pairs.forEach((p, b) => data.set(this.dataset.images.subarray(p[k] * px, (p[k] + 1) * px), b * px));
      return torch.tidy(() => torch.tensor(data, { dtype: "uint8", shape: [pairs.length, 1, this.dataset.height, this.dataset.width] }).to("float32"));
    };
    return [images(0), images(1), torch.tensor(Float32Array.from(pairs, (p) => p[2]))];
  }

  *batches(batchSize: number): Generator<[Tensor, Tensor, Tensor]> {
    for (const idx of loaderBatches(this.length, batchSize, false)) yield this.batch(idx);
  }
}

export const DEFAULTS = {
  batchSize: 64, testBatchSize: 1000, epochs: 14, lr: 1.0, gamma: 0.7, noAccel: false, dryRun: false, seed: 1, logInterval: 10, saveModel: false,
  data: DEFAULT_ROOT, limit: null as number | null, testLimit: null as number | null,
};
export type SiameseArgs = typeof DEFAULTS;
const FLAGS = {
  "--batch-size": "batchSize", "--test-batch-size": "testBatchSize", "--epochs": "epochs", "--lr": "lr", "--gamma": "gamma", "--no-accel": "noAccel",
  "--dry-run": "dryRun", "--seed": "seed", "--log-interval": "logInterval", "--save-model": "saveModel", "--data": "data", "--limit": "limit", "--test-limit": "testLimit",
} as const;

export interface SiameseLog { stepLosses: number[]; testLosses: number[]; correct: number[] }

export function main(options: Partial<SiameseArgs> = {}, print: (line: string) => void = console.log): SiameseLog {
  const args = { ...DEFAULTS, ...options };
  torch.manualSeed(args.seed);
  const random = new PyRandom(args.seed);
  print("Using device: cpu");
  const trainDataset = new AppMatcher(args.data, true, random, args.limit);
  const testDataset = new AppMatcher(args.data, false, random, args.testLimit);
  const model = new SiameseNetwork();
  const optimizer = new optim.Adadelta(model.parameters(), { lr: args.lr });
  const scheduler = new optim.StepLR(optimizer, 1, { gamma: args.gamma });
  const criterion = new nn.BCELoss();
  const log: SiameseLog = { stepLosses: [], testLosses: [], correct: [] };

  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    model.train();
    let batchIdx = 0;
    const nBatches = loaderLength(trainDataset.length, args.batchSize);
    for (const [images1, images2, targets] of trainDataset.batches(args.batchSize)) {
      optimizer.zeroGrad();
      const loss = torch.tidy(() => {
        const outputs = model.call(images1, images2).squeeze();
        const l = criterion.call(outputs, targets);
        l.backward();
        return l.item();
      });
      optimizer.step();
      log.stepLosses.push(loss);
      const n = images1.shape[0]!;
      for (const t of [images1, images2, targets]) t.dispose();
      if (batchIdx % args.logInterval === 0) {
        print(`Train Epoch: ${epoch} [${batchIdx * n}/${trainDataset.length} (${((100 * batchIdx) / nBatches).toFixed(0)}%)]\tLoss: ${loss.toFixed(6)}`);
        if (args.dryRun) break;
      }
      batchIdx++;
    }

    model.eval();
    let testLoss = 0;
    let correct = 0;
    torch.noGrad(() => {
      for (const [images1, images2, targets] of testDataset.batches(args.testBatchSize)) {
        torch.tidy(() => {
          const outputs = model.call(images1, images2).squeeze();
          testLoss += criterion.call(outputs, targets).sum().item(); // sum up batch loss
          const pred = torch.where(outputs.gt(0.5), 1, 0);
          correct += pred.eq(targets.viewAs(pred)).sum().item();
        });
        for (const t of [images1, images2, targets]) t.dispose();
      }
    });
    testLoss /= testDataset.length;
    log.testLosses.push(testLoss);
    log.correct.push(correct);
    print(`\nTest set: Average loss: ${testLoss.toFixed(4)}, Accuracy: ${correct}/${testDataset.length} (${((100 * correct) / testDataset.length).toFixed(0)}%)\n`);
    scheduler.step();
  }
  if (args.saveModel) torch.save(model.stateDict(), "siamese_network.pt");
  return log;
}

if (isMain(import.meta.url)) {
  try {
    main(parseFlags(process.argv.slice(2), DEFAULTS, FLAGS));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`usage: siamese_network/main.ts [${Object.keys(FLAGS).join("] [")}]\nerror: ${err.message}`);
    process.exitCode = 2;
  }
}
