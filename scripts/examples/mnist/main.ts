// pytorch/examples mnist/main.py in torch-ts: a two-convolution CNN with dropout, trained by
// Adadelta with StepLR(step_size=1, gamma) decay, evaluated each epoch. Same flags:
//   npx tsx scripts/examples/mnist/main.ts [--batch-size 64] [--test-batch-size 1000] [--epochs 14]
//     [--lr 1.0] [--gamma 0.7] [--dry-run] [--seed 1] [--log-interval 10] [--save-model]
// Additions (no download here): --data DIR (MNIST-format IDX files; default Debian's
// Fashion-MNIST), --limit N / --test-limit N (the first N samples).
import * as torch from "../../../lib/index.js";
import { isMain, parseFlags, UsageError } from "../common/cli.js";
import { DEFAULT_ROOT, loadMnist } from "../common/mnist.js";
import { TensorLoader } from "../common/python_loader.js";

const { nn, optim } = torch;
const F = torch.nn.functional;
type Tensor = torch.Tensor;

export class Net extends nn.Module {
  readonly conv1 = this.registerModule("conv1", new nn.Conv2d(1, 32, 3, 1));
  readonly conv2 = this.registerModule("conv2", new nn.Conv2d(32, 64, 3, 1));
  readonly dropout1 = this.registerModule("dropout1", new nn.Dropout(0.25));
  readonly dropout2 = this.registerModule("dropout2", new nn.Dropout(0.5));
  readonly fc1 = this.registerModule("fc1", new nn.Linear(9216, 128));
  readonly fc2 = this.registerModule("fc2", new nn.Linear(128, 10));

  forward(x: Tensor): Tensor {
    x = this.conv1.call(x);
    x = F.relu(x);
    x = this.conv2.call(x);
    x = F.relu(x);
    x = F.maxPool2d(x, 2);
    x = this.dropout1.call(x);
    x = torch.flatten(x, 1);
    x = this.fc1.call(x);
    x = F.relu(x);
    x = this.dropout2.call(x);
    x = this.fc2.call(x);
    return F.logSoftmax(x, { dim: 1 });
  }
}

export const DEFAULTS = {
  batchSize: 64, testBatchSize: 1000, epochs: 14, lr: 1.0, gamma: 0.7, noAccel: false, dryRun: false, seed: 1, logInterval: 10, saveModel: false,
  data: DEFAULT_ROOT, limit: null as number | null, testLimit: null as number | null,
};
export type MnistArgs = typeof DEFAULTS;
const FLAGS = {
  "--batch-size": "batchSize", "--test-batch-size": "testBatchSize", "--epochs": "epochs", "--lr": "lr", "--gamma": "gamma", "--no-accel": "noAccel",
  "--dry-run": "dryRun", "--seed": "seed", "--log-interval": "logInterval", "--save-model": "saveModel", "--data": "data", "--limit": "limit", "--test-limit": "testLimit",
} as const;

/** Every step's loss.item() (the original prints every log-interval'th), and each test pass. */
export interface MnistLog { stepLosses: number[]; testLosses: number[]; correct: number[]; lrs: number[] }

function train(args: MnistArgs, model: Net, trainLoader: TensorLoader, optimizer: torch.optim.Adadelta, epoch: number, log: MnistLog, print: (l: string) => void): void {
  model.train();
  let batchIdx = 0;
  for (const [data, target] of trainLoader) {
    optimizer.zeroGrad();
    const loss = torch.tidy(() => {
      const output = model.call(data!);
      const l = F.nllLoss(output, target!);
      l.backward();
      return l.item();
    });
    optimizer.step();
    log.stepLosses.push(loss);
    const n = data!.shape[0]!;
    data!.dispose();
    target!.dispose();
    if (batchIdx % args.logInterval === 0) {
      print(`Train Epoch: ${epoch} [${batchIdx * n}/${trainLoader.datasetLength} (${((100 * batchIdx) / trainLoader.length).toFixed(0)}%)]\tLoss: ${loss.toFixed(6)}`);
      if (args.dryRun) break;
    }
    batchIdx++;
  }
}

function test(model: Net, testLoader: TensorLoader, log: MnistLog, print: (l: string) => void): void {
  model.eval();
  let testLoss = 0;
  let correct = 0;
  torch.noGrad(() => {
    for (const [data, target] of testLoader) {
      torch.tidy(() => {
        const output = model.call(data!);
        testLoss += F.nllLoss(output, target!, { reduction: "sum" }).item(); // sum up batch loss
        // Python: output.argmax(dim=1, keepdim=True); torch-ts takes only this spelling today (see the report).
        const pred = output.argmax(1, { keepdim: true }); // get the index of the max log-probability
        correct += pred.eq(target!.viewAs(pred)).sum().item();
      });
      data!.dispose();
      target!.dispose();
    }
  });
  testLoss /= testLoader.datasetLength;
  log.testLosses.push(testLoss);
  log.correct.push(correct);
  print(`\nTest set: Average loss: ${testLoss.toFixed(4)}, Accuracy: ${correct}/${testLoader.datasetLength} (${((100 * correct) / testLoader.datasetLength).toFixed(0)}%)\n`);
}

export function main(options: Partial<MnistArgs> = {}, print: (line: string) => void = console.log): MnistLog {
  const args = { ...DEFAULTS, ...options };
  torch.manualSeed(args.seed);
  // CPU: the comparison with Python runs there; torch-ts's accelerator would be CUDA.
  const normalize = { mean: 0.1307, std: 0.3081 };
  const dataset1 = loadMnist(args.data, true, args.limit, normalize);
  const dataset2 = loadMnist(args.data, false, args.testLimit, normalize);
  // As in the original off an accelerator: the training loader does not shuffle.
  const trainLoader = new TensorLoader([dataset1.images, dataset1.targets], args.batchSize, false);
  const testLoader = new TensorLoader([dataset2.images, dataset2.targets], args.testBatchSize, false);

  const model = new Net();
  const optimizer = new optim.Adadelta(model.parameters(), { lr: args.lr });
  const scheduler = new optim.StepLR(optimizer, 1, { gamma: args.gamma });
  const log: MnistLog = { stepLosses: [], testLosses: [], correct: [], lrs: [] };
  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    log.lrs.push(optimizer.paramGroups[0]!.lr as number);
    train(args, model, trainLoader, optimizer, epoch, log, print);
    test(model, testLoader, log, print);
    scheduler.step();
  }
  if (args.saveModel) torch.save(model.stateDict(), "mnist_cnn.pt");
  for (const t of [dataset1.images, dataset1.targets, dataset2.images, dataset2.targets]) t.dispose();
  return log;
}

if (isMain(import.meta.url)) {
  try {
    main(parseFlags(process.argv.slice(2), DEFAULTS, FLAGS));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`usage: mnist/main.ts [${Object.keys(FLAGS).join("] [")}]\nerror: ${err.message}`);
    process.exitCode = 2;
  }
}
