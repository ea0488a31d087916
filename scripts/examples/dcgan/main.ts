// pytorch/examples dcgan/main.py in torch-ts: a deep convolutional GAN (Radford et al., 2015),
// its weights_init applied through Module.apply(), BCELoss, Adam with betas (beta1, 0.999).
//   npx tsx scripts/examples/dcgan/main.ts --dataset fake [--batchSize 64] [--nz 100] [--ngf 64]
//     [--ndf 64] [--niter 25] [--lr 0.0002] [--beta1 0.5] [--dry-run] [--outf .] [--manualSeed S]
//     [--netG FILE] [--netD FILE]
// Datasets: only "fake" (--fakeSize seeded images in [0, 1], 3 x imageSize x imageSize, as
// torchvision's FakeData is); the download-or-folder datasets of the original are not ported.
// vutils.save_image grids are not written (netG(fixed_noise) still runs, as its BatchNorm
// running statistics move); checkpoints are state dicts, as in the original.
import path from "node:path";
import { mkdirSync } from "node:fs";
import * as torch from "../../../lib/index.js";
import { isMain, parseFlags, UsageError } from "../common/cli.js";
import { TensorLoader } from "../common/python_loader.js";

const { nn } = torch;
type Tensor = torch.Tensor;

/** Custom weights initialization called on netG and netD. */
export function weightsInit(m: torch.nn.Module): void {
  const classname = m.constructor.name;
  if (classname.includes("Conv")) {
    torch.nn.init.normal_(m.getAttr("weight") as Tensor, 0.0, 0.02);
  } else if (classname.includes("BatchNorm")) {
    torch.nn.init.normal_(m.getAttr("weight") as Tensor, 1.0, 0.02);
    torch.nn.init.zeros_(m.getAttr("bias") as Tensor);
  }
}

export interface Sizes { nz: number; ngf: number; ndf: number; nc: number }

export class Generator extends nn.Module {
  readonly main: torch.nn.Sequential;
  constructor(readonly ngpu: number, { nz, ngf, nc }: Sizes) {
    super();
    this.main = this.registerModule("main", new nn.Sequential(
      // input is Z, going into a convolution
      new nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, { bias: false }),
      new nn.BatchNorm2d(ngf * 8),
      new nn.ReLU(true),
      // state size. (ngf*8) x 4 x 4
      new nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, { bias: false }),
      new nn.BatchNorm2d(ngf * 4),
      new nn.ReLU(true),
      // state size. (ngf*4) x 8 x 8
      new nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, { bias: false }),
      new nn.BatchNorm2d(ngf * 2),
      new nn.ReLU(true),
      // state size. (ngf*2) x 16 x 16
      new nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, { bias: false }),
      new nn.BatchNorm2d(ngf),
      new nn.ReLU(true),
      // state size. (ngf) x 32 x 32
      new nn.ConvTranspose2d(ngf, nc, 4, 2, 1, { bias: false }),
      new nn.Tanh(),
      // state size. (nc) x 64 x 64
    ));
  }

  forward(input: Tensor): Tensor {
    return this.main.call(input) as Tensor;
  }
}

export class Discriminator extends nn.Module {
  readonly main: torch.nn.Sequential;
  constructor(readonly ngpu: number, { ndf, nc }: Sizes) {
    super();
    this.main = this.registerModule("main", new nn.Sequential(
      // input is (nc) x 64 x 64
      new nn.Conv2d(nc, ndf, 4, 2, 1, { bias: false }),
      new nn.LeakyReLU(0.2, { inplace: true }),
      // state size. (ndf) x 32 x 32
      new nn.Conv2d(ndf, ndf * 2, 4, 2, 1, { bias: false }),
      new nn.BatchNorm2d(ndf * 2),
      new nn.LeakyReLU(0.2, { inplace: true }),
      // state size. (ndf*2) x 16 x 16
      new nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, { bias: false }),
      new nn.BatchNorm2d(ndf * 4),
      new nn.LeakyReLU(0.2, { inplace: true }),
      // state size. (ndf*4) x 8 x 8
      new nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, { bias: false }),
      new nn.BatchNorm2d(ndf * 8),
      new nn.LeakyReLU(0.2, { inplace: true }),
      // state size. (ndf*8) x 4 x 4
      new nn.Conv2d(ndf * 8, 1, 4, 1, 0, { bias: false }),
      new nn.Sigmoid(),
    ));
  }

  forward(input: Tensor): Tensor {
    const output = this.main.call(input) as Tensor;
    return output.view(-1, 1).squeeze(1);
  }
}

export const DEFAULTS = {
  dataset: "", dataroot: "", workers: 2, batchSize: 64, imageSize: 64, nz: 100, ngf: 64, ndf: 64, niter: 25, lr: 0.0002, beta1: 0.5,
  dryRun: false, ngpu: 1, netG: "", netD: "", outf: ".", manualSeed: null as number | null, classes: "bedroom", accel: false, fakeSize: 1000,
  noCheckpoint: false,
};
export type DcganArgs = typeof DEFAULTS;
const FLAGS = {
  "--dataset": "dataset", "--dataroot": "dataroot", "--workers": "workers", "--batchSize": "batchSize", "--imageSize": "imageSize", "--nz": "nz",
  "--ngf": "ngf", "--ndf": "ndf", "--niter": "niter", "--lr": "lr", "--beta1": "beta1", "--dry-run": "dryRun", "--ngpu": "ngpu", "--netG": "netG",
  "--netD": "netD", "--outf": "outf", "--manualSeed": "manualSeed", "--classes": "classes", "--accel": "accel", "--fakeSize": "fakeSize",
  "--no-checkpoint": "noCheckpoint",
} as const;

/** What each step prints: Loss_D, Loss_G, D(x), D(G(z)) before and after D's step. */
export interface DcganLog { errD: number[]; errG: number[]; dX: number[]; dGz1: number[]; dGz2: number[]; stateDictKeys: string[] }

export function main(options: Partial<DcganArgs> & { images?: Tensor } = {}, print: (line: string) => void = console.log): DcganLog {
  const opt = { ...DEFAULTS, ...options };
  print(JSON.stringify(opt, (k, v) => (k === "images" ? undefined : v)));
  mkdirSync(opt.outf, { recursive: true });
  // Python draws a seed from its `random` module; any seed in the same range does here.
  const manualSeed = opt.manualSeed ?? 1 + Math.floor(Math.random() * 10000);
  print(`Random Seed:  ${manualSeed}`);
  torch.manualSeed(manualSeed);
  print("Using device: cpu");
  if (options.images === undefined && opt.dataset.toLowerCase() !== "fake") {
    throw new UsageError(`--dataset ${JSON.stringify(opt.dataset)}: only "fake" is ported (the others download or need PIL's Resize)`);
  }
  const rnd = torch.vision.transforms.mulberry32(manualSeed);
  const images = options.images ?? torch.tensor(Float32Array.from({ length: opt.fakeSize * 3 * opt.imageSize ** 2 }, () => Math.round(255 * rnd()) / 255), {
    shape: [opt.fakeSize, 3, opt.imageSize, opt.imageSize],
  });
  const nc = images.shape[1]!;
  const dataloader = new TensorLoader([images], opt.batchSize, true);
  const sizes = { nz: opt.nz, ngf: opt.ngf, ndf: opt.ndf, nc };

  const netG = new Generator(opt.ngpu, sizes);
  netG.apply(weightsInit);
  if (opt.netG !== "") netG.loadStateDict(torch.load(opt.netG) as torch.nn.StateDict);
  print(String(netG));
  const netD = new Discriminator(opt.ngpu, sizes);
  netD.apply(weightsInit);
  if (opt.netD !== "") netD.loadStateDict(torch.load(opt.netD) as torch.nn.StateDict);
  print(String(netD));

  const criterion = new nn.BCELoss();
  const fixedNoise = torch.randn(opt.batchSize, opt.nz, 1, 1);
  const realLabel = 1;
  const fakeLabel = 0;
  const optimizerD = new torch.optim.Adam(netD.parameters(), { lr: opt.lr, betas: [opt.beta1, 0.999] });
  const optimizerG = new torch.optim.Adam(netG.parameters(), { lr: opt.lr, betas: [opt.beta1, 0.999] });
  const niter = opt.dryRun ? 1 : opt.niter;
  const log: DcganLog = { errD: [], errG: [], dX: [], dGz1: [], dGz2: [], stateDictKeys: [] };

  for (let epoch = 0; epoch < niter; epoch++) {
    let i = 0;
    for (const [realCpu] of dataloader) {
      torch.tidy(() => {
        // (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
        // train with real
        netD.zeroGrad();
        const batchSize = realCpu!.shape[0]!;
        const label = torch.full([batchSize], realLabel, { dtype: realCpu!.dtype });
        let output = netD.call(realCpu!);
        const errDReal = criterion.call(output, label);
        errDReal.backward();
        const dX = output.mean().item();

        // train with fake
        const noise = torch.randn(batchSize, opt.nz, 1, 1);
        const fake = netG.call(noise);
        label.fill_(fakeLabel);
        output = netD.call(fake.detach());
        const errDFake = criterion.call(output, label);
        errDFake.backward();
        const dGz1 = output.mean().item();
        const errD = errDReal.add(errDFake);
        optimizerD.step();

        // (2) Update G network: maximize log(D(G(z)))
        netG.zeroGrad();
        label.fill_(realLabel); // fake labels are real for generator cost
        output = netD.call(fake);
        const errG = criterion.call(output, label);
        errG.backward();
        const dGz2 = output.mean().item();
        optimizerG.step();

        log.errD.push(errD.item());
        log.errG.push(errG.item());
        log.dX.push(dX);
        log.dGz1.push(dGz1);
        log.dGz2.push(dGz2);
        print(`[${epoch}/${niter}][${i}/${dataloader.length}] Loss_D: ${errD.item().toFixed(4)} Loss_G: ${errG.item().toFixed(4)} D(x): ${dX.toFixed(4)} D(G(z)): ${dGz1.toFixed(4)} / ${dGz2.toFixed(4)}`);
        if (i % 100 === 0) netG.call(fixedNoise);
      });
      realCpu!.dispose();
      i++;
      if (opt.dryRun) break;
    }
    // do checkpointing
    if (!opt.noCheckpoint) {
      torch.save(netG.stateDict(), path.join(opt.outf, `netG_epoch_${epoch}.pth`));
      torch.save(netD.stateDict(), path.join(opt.outf, `netD_epoch_${epoch}.pth`));
    }
  }
  log.stateDictKeys = torch.tidy(() => [...netG.stateDict().keys(), ...netD.stateDict().keys()]);
  fixedNoise.dispose();
  if (options.images === undefined) images.dispose();
  return log;
}

if (isMain(import.meta.url)) {
  try {
    main(parseFlags(process.argv.slice(2), DEFAULTS, FLAGS, ["dataset"]));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`usage: dcgan/main.ts --dataset fake [${Object.keys(FLAGS).filter((f) => f !== "--dataset").join("] [")}]\nerror: ${err.message}`);
    process.exitCode = 2;
  }
}
