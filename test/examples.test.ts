// pytorch/examples ported to torch-ts (scripts/examples/<name>/) against the original scripts
// run by Debian's PyTorch (test/reference/examples*.py, one process): same seed, same data,
// same default initialisation, and every logged loss compared step for step.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { parseFlags, UsageError } from "../scripts/examples/common/cli.js";
import { PyRandom } from "../scripts/examples/common/py_random.js";
import { loaderBatches } from "../scripts/examples/common/python_loader.js";
import { main as dcgan } from "../scripts/examples/dcgan/main.js";
import { syntheticRgb, train as fastNeuralStyle } from "../scripts/examples/fast_neural_style/neural_style.js";
import { main as mnist } from "../scripts/examples/mnist/main.js";
import { main as siamese } from "../scripts/examples/siamese_network/main.js";
import { main as superResolution, syntheticImages } from "../scripts/examples/super_resolution/main.js";
import { main as timeSequence } from "../scripts/examples/time_sequence_prediction/train.js";
import { main as wordLanguageModel } from "../scripts/examples/word_language_model/main.js";
import { main as vae } from "../scripts/examples/vae/main.js";
import { valuesOf } from "./reference/nn_common.js";
import { ReferenceSession } from "./reference/session.js";

const py = new ReferenceSession("examples.py");
const quiet = () => {};
afterAll(() => py.close());
beforeAll(() => torch.setNumThreads(1)); // as the reference (one intra-op thread): same reduction order

/** Every value of `got` bit-equal to Python's, with the first difference named. */
function expectSame(got: number[], want: number[], what: string): void {
  expect(got.length, `${what}: count`).toBe(want.length);
  const k = got.findIndex((g, i) => !Object.is(g, want[i]));
  if (k >= 0) expect.fail(`${what}: step ${k} of ${got.length}: ${got[k]} vs PyTorch ${want[k]} (first difference)`);
}

describe("the ports' argparse-like flags (scripts/examples/common/cli.ts)", () => {
  const defaults = { batchSize: 64, lr: 1.0, dryRun: false, data: "x", limit: null as number | null };
  const flags = { "--batch-size": "batchSize", "--lr": "lr", "--dry-run": "dryRun", "--data": "data", "--limit": "limit" } as const;
  it("reads values, --flag=value, booleans and nullable numbers", () => {
    expect(parseFlags(["--batch-size", "8", "--lr=0.5", "--dry-run", "--data", "/d", "--limit", "3"], defaults, flags)).toEqual({ batchSize: 8, lr: 0.5, dryRun: true, data: "/d", limit: 3 });
    expect(parseFlags([], defaults, flags)).toEqual(defaults);
  });
  it("refuses what argparse refuses, with a UsageError naming the flag", () => {
    const bad: [string[], RegExp][] = [
      [["--bogus"], /unrecognized argument: --bogus/],
      [["--batch-size"], /--batch-size expects a value/],
      [["--lr", "fast"], /--lr: invalid number "fast"/],
      [["--lr", ""], /--lr: invalid number ""/],
      [["--dry-run=1"], /--dry-run takes no value/],
    ];
    for (const [argv, message] of bad) expect(() => parseFlags(argv, defaults, flags), argv.join(" ")).toThrow(message);
    expect(() => parseFlags([], defaults, flags, ["data"])).toThrow(UsageError);
    expect(() => parseFlags([], defaults, flags, ["data"])).toThrow(/required: --data/);
  });
});

describe("DataLoader(shuffle=True) emulation (scripts/examples/common/python_loader.ts)", () => {
  it("gives Python's batches over epochs and leaves the global generator where Python does", async () => {
    const cases = [
      { seed: 1, n: 256, batchSize: 32, shuffle: true, dropLast: false, epochs: 2 },
      { seed: 123, n: 10, batchSize: 4, shuffle: true, dropLast: false, epochs: 3 },
      { seed: 7, n: 1000, batchSize: 64, shuffle: true, dropLast: true, epochs: 1 },
      { seed: 5, n: 9, batchSize: 4, shuffle: false, dropLast: false, epochs: 2 },
    ];
    const want = await py.request<{ epochs: number[][][]; after: number[] }[]>({ cmd: "sampler", cases });
    cases.forEach((c, i) => {
      torch.manualSeed(c.seed);
      const epochs = Array.from({ length: c.epochs }, () => [...loaderBatches(c.n, c.batchSize, c.shuffle, c.dropLast)]);
      expect(epochs, `case ${i}`).toEqual(want[i]!.epochs);
      expectSame(torch.tidy(() => torch.rand(3).tolist() as number[]), want[i]!.after, `case ${i}: torch.rand(3) after the loader`);
    });
  });
});

describe("Python's random module (scripts/examples/common/py_random.ts)", () => {
  it("draws Python's random.randint sequence after random.seed", async () => {
    const cases = [{ seed: 1, a: 0, b: 9, n: 50 }, { seed: 12345, a: 0, b: 5999, n: 50 }, { seed: 2 ** 40 + 7, a: -3, b: 1000, n: 20 }, { seed: 0, a: 0, b: 2 ** 31, n: 10 }];
    const want = await py.request<number[][]>({ cmd: "py_random", cases });
    cases.forEach((c, i) => {
      const r = new PyRandom(c.seed);
      expect(Array.from({ length: c.n }, () => r.randint(c.a, c.b)), `seed ${c.seed}`).toEqual(want[i]);
    });
  });
});

describe("vae/main.py", () => {
  it("logs Python's losses bit for bit (Linear, relu, sigmoid, binary_cross_entropy sum, KL term, Adam)", async () => {
    const args = { batchSize: 32, epochs: 2, seed: 1, limit: 256, testLimit: 128 };
    const want = await py.request<{ stepLosses: number[]; epochLosses: number[]; testLosses: number[] }>({ cmd: "vae", ...args });
    const got = vae(args, quiet);
    expectSame(got.stepLosses, want.stepLosses, "train loss per step");
    expectSame(got.epochLosses, want.epochLosses, "average train loss per epoch");
    expectSame(got.testLosses, want.testLosses, "test loss per epoch");
  });
});

describe("super_resolution/main.py + model.py", () => {
  it("logs Python's losses and test MSE bit for bit (Conv2d, PixelShuffle, orthogonal_ init, MSELoss, Adam)", async () => {
    const args = { upscaleFactor: 3, batchSize: 4, testBatchSize: 3, nEpochs: 2, lr: 0.01, seed: 123 };
    const train = syntheticImages(12, 24, 5);
    const test = syntheticImages(5, 24, 6);
    const spec = (t: torch.Tensor) => ({ shape: t.shape, data: valuesOf(t) });
    const want = await py.request<{ stepLosses: number[]; epochLosses: number[]; testMse: number[]; psnr: number[]; repr: string }>({
      cmd: "super_resolution", ...args, train: spec(train), test: spec(test),
    });
    const got = superResolution({ ...args, noCheckpoint: true, data: { train, test } }, quiet);
    expectSame(got.stepLosses, want.stepLosses, "train loss per step");
    expectSame(got.epochLosses, want.epochLosses, "average train loss per epoch");
    expectSame(got.testMse, want.testMse, "test MSE per batch");
    expect(got.repr, "print(model)").toBe(want.repr);
    expect(got.psnr.length, "PSNR per epoch").toBe(want.psnr.length);
    // 10 * log10(1 / mse): JS's Math.log10 and C's log10 may differ in the last bit.
    got.psnr.forEach((p, i) => expect(Math.abs(p - want.psnr[i]!), `PSNR epoch ${i + 1}`).toBeLessThanOrEqual(1e-12 * Math.abs(p)));
    train.dispose();
    test.dispose();
  });

  it("frees every step's tensors: 3 epochs leave no more live tensors than 1", () => {
    const args = { upscaleFactor: 2, batchSize: 2, testBatchSize: 2, lr: 0.01, seed: 1, noCheckpoint: true };
    const data = { train: syntheticImages(6, 8, 1), test: syntheticImages(2, 8, 2) };
    const left = (nEpochs: number) => {
      const before = torch.liveTensors();
      superResolution({ ...args, nEpochs, data }, quiet);
      return torch.liveTensors() - before;
    };
    const one = left(1);
    const three = left(3);
    expect(three, `live tensors after 3 epochs (${three}) vs after 1 (${one}): the model and Adam's state only`).toBeLessThanOrEqual(one);
    expect(one, "the model's parameters and Adam's state").toBeLessThan(40);
    data.train.dispose();
    data.test.dispose();
  });
});

describe("dcgan/main.py", () => {
  it("logs Python's Loss_D, Loss_G, D(x), D(G(z)) bit for bit (ConvTranspose2d, BatchNorm2d, LeakyReLU, BCELoss, Adam betas, weights_init via apply)", async () => {
    const args = { manualSeed: 999, batchSize: 8, nz: 16, ngf: 8, ndf: 8, niter: 4, lr: 0.0002, beta1: 0.5, ngpu: 1 };
    const rnd = torch.vision.transforms.mulberry32(3);
    // 8-bit levels in [0, 1], as ToTensor gives; float32-exact, so both sides hold the same bits.
    const images = torch.tensor(Float32Array.from({ length: 20 * 3 * 64 * 64 }, () => Math.round(255 * rnd()) / 255), { shape: [20, 3, 64, 64] });
    const want = await py.request<{ log: Record<string, number[]>; reprs: { netG: string; netD: string }; stateDictKeys: string[] }>({
      cmd: "dcgan", ...args, images: { shape: images.shape, data: valuesOf(images) },
    });
    const lines: string[] = [];
    const got = dcgan({ ...args, dataset: "fake", noCheckpoint: true, outf: os.tmpdir(), images }, (l) => lines.push(l));
    for (const key of ["errD", "errG", "dX", "dGz1", "dGz2"] as const) expectSame(got[key], want.log[key]!, key);
    expect(got.errD.length, "steps").toBe(12);
    expect(got.stateDictKeys, "state_dict keys of netG then netD").toEqual(want.stateDictKeys);
    expect(lines, "print(netG) and print(netD)").toEqual(expect.arrayContaining([want.reprs.netG, want.reprs.netD]));
    images.dispose();
  });
});

describe("mnist/main.py", () => {
  it("logs Python's losses bit for bit (Conv2d, Dropout, max_pool2d, log_softmax, nll_loss, Adadelta, StepLR)", async () => {
    const args = { batchSize: 64, testBatchSize: 100, epochs: 2, lr: 1.0, gamma: 0.7, seed: 1, logInterval: 10, dryRun: false, limit: 320, testLimit: 200 };
    const want = await py.request<{ stepLosses: number[]; testLosses: number[]; correct: number[]; lrs: number[] }>({ cmd: "mnist", ...args });
    const got = mnist(args, quiet);
    expect(got.stepLosses.length, "steps").toBe(10);
    expectSame(got.stepLosses, want.stepLosses, "train loss per step");
    expectSame(got.testLosses, want.testLosses, "test loss per epoch");
    expect(got.correct, "test accuracy per epoch").toEqual(want.correct);
    expectSame(got.lrs, want.lrs, "learning rate per epoch (StepLR)");
  });
});

describe("time_sequence_prediction/train.py", () => {
  it("logs Python's closure and test losses (LSTMCell and Linear in float64, LBFGS)", async () => {
    const args = { steps: 2, future: 20 };
    const want = await py.request<{ data: number[]; shape: number[]; closureLosses: number[][]; testLosses: number[] }>({
      cmd: "time_sequence_prediction", ...args, N: 13, L: 40,
    });
    const dataTensor = torch.tensor(Float64Array.from(want.data), { shape: want.shape });
    const got = timeSequence({ ...args, noPlot: true, dataTensor }, quiet);
    expect(got.closureLosses.map((l) => l.length), "closure evaluations per LBFGS step").toEqual(want.closureLosses.map((l) => l.length));
    expectSame(got.closureLosses.flat(), want.closureLosses.flat(), "closure loss per evaluation");
    expectSame(got.testLosses, want.testLosses, "test loss per step");
    dataTensor.dispose();
  });
});

describe("fast_neural_style/neural_style.py train (transformer_net.py, vgg.py, utils.py)", () => {
  it("logs Python's content and style losses (ReflectionPad2d, InstanceNorm2d, interpolate nearest, VGG-16 features, Gram matrices, Adam)", async () => {
    const args = { epochs: 2, batchSize: 2, seed: 42, contentWeight: 1e5, styleWeight: 1e10, lr: 1e-3 };
    const images = syntheticRgb(6, 32, 8);
    const style = syntheticRgb(1, 32, 9);
    const spec = (t: torch.Tensor) => ({ shape: t.shape, data: valuesOf(t) });
    const want = await py.request<{ contentLosses: number[]; styleLosses: number[]; stateDictKeys: string[]; repr: string }>({
      cmd: "fast_neural_style", ...args, images: spec(images), style: spec(style),
    });
    const got = fastNeuralStyle({ ...args, logInterval: 1000, images, style }, quiet);
    expect(got.stateDictKeys, "TransformerNet state_dict keys").toEqual(want.stateDictKeys);
    expect(got.repr, "print(TransformerNet())").toBe(want.repr);
    expect(got.contentLosses.length, "steps").toBe(6);
    expectSame(got.contentLosses, want.contentLosses, "content loss per step");
    expectSame(got.styleLosses, want.styleLosses, "style loss per step");
    images.dispose();
    style.dispose();
  });
});

describe("word_language_model/main.py (data.py, model.py)", () => {
  // A seeded word corpus in wikitext's layout (leading/trailing spaces, one sentence a line).
  const dir = mkdtempSync(path.join(os.tmpdir(), "examples-wlm-"));
  const rnd = torch.vision.transforms.mulberry32(17);
  const pick = (n: number) => Math.floor(rnd() * n);
  for (const [name, lines] of [["train.txt", 160], ["valid.txt", 40], ["test.txt", 40]] as const) {
    const text = Array.from({ length: lines }, () => ` ${Array.from({ length: 3 + pick(10) }, () => `w${pick(20 + pick(40))}`).join(" ")} \n`).join("");
    writeFileSync(path.join(dir, name), text);
  }
  const base = { data: dir, emsize: 32, nhid: 32, nlayers: 2, lr: 20, clip: 0.25, batchSize: 10, bptt: 15, dropout: 0.2, seed: 1111, logInterval: 5, useOptimizer: false };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cases = [
    { name: "LSTM, SGD by hand with clip_grad_norm_, lr annealing and the best model reloaded", args: { ...base, model: "LSTM", tied: false, epochs: 4, lr: 40 } },
    { name: "GRU with tied weights", args: { ...base, model: "GRU", tied: true, epochs: 2 } },
    { name: "Transformer (nn.Transformer's encoder, causal mask, PositionalEncoding)", args: { ...base, model: "Transformer", tied: false, epochs: 2, nhead: 2, nhid: 64, lr: 5 } },
  ];
  for (const c of cases) {
    it(`logs Python's losses bit for bit: ${c.name}`, async () => {
      const want = await py.request<{ stepLosses: number[]; valLosses: number[]; lrs: number[]; testLoss: number; stateDictKeys: string[]; repr: string }>({ cmd: "word_language_model", ...c.args });
      const got = wordLanguageModel({ ...c.args, save: path.join(dir, `${c.args.model}.pt`) }, quiet);
      expect(got.stateDictKeys, "state_dict keys").toEqual(want.stateDictKeys);
      expect(got.repr, "print(model)").toBe(want.repr);
      expectSame(got.stepLosses, want.stepLosses, "train loss per step");
      expectSame(got.valLosses, want.valLosses, "validation loss per epoch");
      expectSame(got.lrs, want.lrs, "learning rate per epoch");
      if (c.args.model === "LSTM") expect(Math.min(...want.lrs), "the run reaches an lr annealing").toBeLessThan(c.args.lr);
      expectSame([got.testLoss], [want.testLoss], "test loss of the best model");
    });
  }
});

describe("siamese_network/main.py", () => {
  it("logs Python's losses bit for bit (torchvision resnet18 with conv1 replaced, children()[:-1], xavier_uniform_, BCELoss, Adadelta, Python-random pairs)", async () => {
    const args = { batchSize: 8, testBatchSize: 16, epochs: 2, lr: 1.0, gamma: 0.7, seed: 1, logInterval: 10, limit: 40, testLimit: 16 };
    const want = await py.request<{ stepLosses: number[]; testLosses: number[]; correct: number[] }>({ cmd: "siamese_network", ...args });
    const got = siamese(args, quiet);
    expect(got.stepLosses.length, "steps").toBe(10);
    expectSame(got.stepLosses, want.stepLosses, "train loss per step");
    expectSame(got.testLosses, want.testLosses, "test loss per epoch");
    expect(got.correct, "test accuracy per epoch").toEqual(want.correct);
  });
});
