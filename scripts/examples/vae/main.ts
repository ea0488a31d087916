// pytorch/examples vae/main.py in torch-ts: a variational autoencoder on MNIST-format images,
// Adam(lr=1e-3), loss = BCE (sum) + KL divergence. Runs like the original:
//   npx tsx scripts/examples/vae/main.ts [--batch-size 128] [--epochs 10] [--seed 1] [--log-interval 10]
// Additions (there is no download here): --data DIR (MNIST-format IDX files; default Debian's
// Fashion-MNIST), --limit N / --test-limit N (first N samples). The PNG grids of the original's
// save_image are not written; their random draws are still made, so the RNG stream stays Python's.
import * as torch from "../../../lib/index.js";
import { isMain, parseFlags, UsageError } from "../common/cli.js";
import { DEFAULT_ROOT, loadMnist } from "../common/mnist.js";
import { TensorLoader } from "../common/python_loader.js";

const { nn } = torch;
const F = torch.nn.functional;
type Tensor = torch.Tensor;

export class VAE extends nn.Module {
  readonly fc1 = this.registerModule("fc1", new nn.Linear(784, 400));
  readonly fc21 = this.registerModule("fc21", new nn.Linear(400, 20));
  readonly fc22 = this.registerModule("fc22", new nn.Linear(400, 20));
  readonly fc3 = this.registerModule("fc3", new nn.Linear(20, 400));
  readonly fc4 = this.registerModule("fc4", new nn.Linear(400, 784));

  encode(x: Tensor): [Tensor, Tensor] {
    const h1 = F.relu(this.fc1.call(x));
    return [this.fc21.call(h1), this.fc22.call(h1)];
  }

  reparameterize(mu: Tensor, logvar: Tensor): Tensor {
    const std = torch.exp(logvar.mul(0.5));
    const eps = torch.randnLike(std);
    return mu.add(eps.mul(std));
  }

  decode(z: Tensor): Tensor {
    const h3 = F.relu(this.fc3.call(z));
    return torch.sigmoid(this.fc4.call(h3));
  }

  forward(x: Tensor): [Tensor, Tensor, Tensor] {
    const [mu, logvar] = this.encode(x.view(-1, 784));
    const z = this.reparameterize(mu, logvar);
    return [this.decode(z), mu, logvar];
  }
}

/** Reconstruction + KL divergence losses summed over all elements and batch. */
export function lossFunction(reconX: Tensor, x: Tensor, mu: Tensor, logvar: Tensor): Tensor {
  const bce = F.binaryCrossEntropy(reconX, x.view(-1, 784), { reduction: "sum" });
  // Appendix B of Kingma and Welling, Auto-Encoding Variational Bayes (ICLR 2014):
  // 0.5 * sum(1 + log(sigma^2) - mu^2 - sigma^2)
  const kld = torch.sum(logvar.add(1).sub(mu.pow(2)).sub(logvar.exp())).mul(-0.5);
  return bce.add(kld);
}

export const DEFAULTS = { batchSize: 128, epochs: 10, noAccel: false, seed: 1, logInterval: 10, data: DEFAULT_ROOT, limit: null as number | null, testLimit: null as number | null };
export type VaeArgs = typeof DEFAULTS;
const FLAGS = { "--batch-size": "batchSize", "--epochs": "epochs", "--no-accel": "noAccel", "--seed": "seed", "--log-interval": "logInterval", "--data": "data", "--limit": "limit", "--test-limit": "testLimit" } as const;

/** What a run logged: every training step's loss.item() (the original prints every log-interval'th, per sample). */
export interface VaeLog { stepLosses: number[]; epochLosses: number[]; testLosses: number[] }

export function main(options: Partial<VaeArgs> = {}, print: (line: string) => void = console.log): VaeLog {
  const args = { ...DEFAULTS, ...options };
  // CPU only: torch-ts's accelerator is CUDA, and the comparison with Python is made on the CPU.
  torch.manualSeed(args.seed);
  print("Using device: cpu");
  const train = loadMnist(args.data, true, args.limit);
  const test = loadMnist(args.data, false, args.testLimit);
  const trainLoader = new TensorLoader([train.images], args.batchSize, true);
  const testLoader = new TensorLoader([test.images], args.batchSize, false);

  const model = new VAE();
  const optimizer = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
  const log: VaeLog = { stepLosses: [], epochLosses: [], testLosses: [] };

  const trainEpoch = (epoch: number) => {
    model.train();
    let trainLoss = 0;
    let batchIdx = 0;
    for (const [data] of trainLoader) {
      optimizer.zeroGrad();
      const loss = torch.tidy(() => {
        const [recon, mu, logvar] = model.call(data!);
        const l = lossFunction(recon, data!, mu, logvar);
        l.backward();
        return l.item();
      });
      trainLoss += loss;
      optimizer.step();
      log.stepLosses.push(loss);
      const n = data!.shape[0]!;
      if (batchIdx % args.logInterval === 0) {
        print(`Train Epoch: ${epoch} [${batchIdx * n}/${trainLoader.datasetLength} (${((100 * batchIdx) / trainLoader.length).toFixed(0)}%)]\tLoss: ${(loss / n).toFixed(6)}`);
      }
      data!.dispose();
      batchIdx++;
    }
    log.epochLosses.push(trainLoss / trainLoader.datasetLength);
    print(`====> Epoch: ${epoch} Average loss: ${(trainLoss / trainLoader.datasetLength).toFixed(4)}`);
  };

  const testEpoch = () => {
    model.eval();
    let testLoss = 0;
    torch.noGrad(() => {
      for (const [data] of testLoader) {
        testLoss += torch.tidy(() => {
          const [recon, mu, logvar] = model.call(data!);
          return lossFunction(recon, data!, mu, logvar).item();
        });
        data!.dispose();
      }
    });
    testLoss /= testLoader.datasetLength;
    log.testLosses.push(testLoss);
    print(`====> Test set loss: ${testLoss.toFixed(4)}`);
  };

  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    trainEpoch(epoch);
    testEpoch();
    torch.noGrad(() => torch.tidy(() => model.decode(torch.randn(64, 20))));
  }
  for (const t of [train.images, train.targets, test.images, test.targets]) t.dispose();
  return log;
}

if (isMain(import.meta.url)) {
  try {
    main(parseFlags(process.argv.slice(2), DEFAULTS, FLAGS));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`usage: vae/main.ts [${Object.keys(FLAGS).join("] [")}]\nerror: ${err.message}`);
    process.exitCode = 2;
  }
}
