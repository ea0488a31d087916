// Bad arguments to what a training script touches besides nn (bad_args.test.ts has nn):
// optimizers, lr schedulers, transforms, the DataLoader, the ResNet factories, torch.save/load
// and train.ts's flags. Optimizer values PyTorch refuses (lr NaN: "Invalid learning rate") are
// refused here too, and so are the ones it lets through only to produce NaN weights later.
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { parseTrainArgs, UsageError } from "../lib/train/args.js";
import { expectError, expectRejection, type Case } from "./expect_error.js";

const { optim, vision, data, TorchError } = torch;
const T = vision.transforms;
const noCuda = !torch.cuda.isAvailable();

let liveAtStart = 0;
let params: torch.Tensor[];
beforeAll(() => {
  liveAtStart = torch.liveTensors();
  params = [torch.zeros([2], { requiresGrad: true })];
});
const adam = () => new optim.Adam(params);
const sgd = () => new optim.SGD(params, { lr: 0.1, momentum: 0.9 });
type Sched = torch.optim.Optimizer<Record<string, torch.optim.Hyper>>;
const sched = (o: unknown) => o as Sched;

const optimizers: Case[] = [
  ["Adam lr -1", () => new optim.Adam(params, { lr: -1 }), TypeError, /^optim\.Adam: expected lr to be a finite learning rate >= 0, but received -1$/],
  ["Adam lr NaN (PyTorch: Invalid learning rate: nan)", () => new optim.Adam(params, { lr: NaN }), TypeError, /^optim\.Adam: expected lr .*received NaN$/],
  ["Adam lr Infinity", () => new optim.Adam(params, { lr: Infinity }), TypeError, /^optim\.Adam: expected lr .*received Infinity$/],
  ['Adam lr "1e-3"', () => new optim.Adam(params, { lr: "1e-3" as never }), TypeError, /^optim\.Adam: expected lr .*received "1e-3"$/],
  ['Adam foreach "yes"', () => new optim.Adam(params, { foreach: "yes" as never }), TypeError, /^optim\.Adam: expected foreach .*received "yes"$/],
  ["Adam betas [1, 0.999]", () => new optim.Adam(params, { betas: [1, 0.999] }), TypeError,
    /^optim\.Adam: expected betas to be a pair of numbers in \[0, 1\), but received \[1, 0\.999\]$/],
  ["Adam betas [0.9, -0.1]", () => new optim.Adam(params, { betas: [0.9, -0.1] }), TypeError, /^optim\.Adam: expected betas .*received \[0\.9, -0\.1\]$/],
  ["Adam betas [NaN, 0.9]", () => new optim.Adam(params, { betas: [NaN, 0.9] }), TypeError, /^optim\.Adam: expected betas .*received \[NaN, 0\.9\]$/],
  ["Adam betas of one", () => new optim.Adam(params, { betas: [0.9] as never }), TypeError, /^optim\.Adam: expected betas .*received \[0\.9\]$/],
  ["Adam eps -1", () => new optim.Adam(params, { eps: -1 }), TypeError, /^optim\.Adam: expected eps to be a finite number >= 0, but received -1$/],
  ["Adam eps NaN", () => new optim.Adam(params, { eps: NaN }), TypeError, /^optim\.Adam: expected eps .*received NaN$/],
  ["Adam weightDecay -0.1", () => new optim.Adam(params, { weightDecay: -0.1 }), TypeError,
    /^optim\.Adam: expected weightDecay to be a finite number >= 0, but received -0\.1$/],
  ["AdamW weightDecay NaN", () => new optim.AdamW(params, { weightDecay: NaN }), TypeError, /^optim\.AdamW: expected weightDecay .*received NaN$/],
  ['Adam amsgrad "yes"', () => new optim.Adam(params, { amsgrad: "yes" as never }), TypeError, /^optim\.Adam: expected amsgrad to be a boolean, but received "yes"$/],
  ["Adam Python's weight_decay", () => new optim.Adam(params, { weight_decay: 0.1 } as never), TypeError,
    /^optim\.Adam: unknown option "weight_decay" \(did you mean "weightDecay"\?\); expected one of lr, betas, eps, weightDecay, amsgrad, maximize, foreach$/],
  ["Adam misspelt {lrr}", () => new optim.Adam(params, { lrr: 1 } as never), TypeError, /^optim\.Adam: unknown option "lrr" \(did you mean "lr"\?\)/],
  ["Adam of an empty list", () => new optim.Adam([]), TypeError, /^optim\.Adam: optimizer got an empty parameter list$/],
  ["Adam of a lone Tensor", () => new optim.Adam(params[0] as never), TypeError,
    /^optim\.Adam: params argument given to the optimizer should be an iterable of Tensors or dicts, but got tensor\(\[0\., 0\.\], requires_grad=True\)$/],
  ["Adam of a number", () => new optim.Adam(3 as never), TypeError, /^optim\.Adam: params argument .*but got 3$/],
  ["Adam of numbers", () => new optim.Adam([1, 2] as never), TypeError, /^optim\.Adam: optimizer can only optimize Tensors, but one of the params is 1$/],
  ["Adam of a tensor and a number", () => new optim.Adam([params[0]!, 2] as never), TypeError,
    /^optim\.Adam: optimizer can only optimize Tensors, but one of the params is 2$/],
  ["Adam of a non-leaf tensor", () => new optim.Adam([params[0]!.mul(2)]), TorchError, /^can't optimize a non-leaf Tensor$/],
  ["Adam group without params", () => new optim.Adam([{ lr: 0.1 }] as never), TypeError,
    /^Adam\.addParamGroup: expected params to be a Tensor or an iterable of Tensors, but received undefined$/],
  ["Adam group with lr -1", () => new optim.Adam([{ params, lr: -1 }]), TypeError, /^Adam\.addParamGroup: expected lr to be a finite learning rate >= 0, but received -1$/],
  ['Adam group with betas "x"', () => new optim.Adam([{ params, betas: "x" as never }]), TypeError, /^Adam\.addParamGroup: expected betas .*received "x"$/],
  ["Adam group with Python's weight_decay", () => new optim.Adam([{ params, weight_decay: 0.1 } as never]), TypeError,
    /^Adam\.addParamGroup: unknown hyper-parameter "weight_decay" \(did you mean "weightDecay"\?\)$/],
  ["Adam with a parameter in two groups", () => new optim.Adam([{ params }, { params }]), TorchError, /^some parameters appear in more than one parameter group$/],
  ["Adam.addParamGroup of a number", () => adam().addParamGroup(5 as never), TypeError, /^Adam\.addParamGroup: expected group to be an object with params, but received 5$/],
  ["Adam.step with a non-function closure", () => adam().step(1 as never), TypeError, /^Adam\.step: expected closure to be a function, but received 1$/],
  ["Adam.zeroGrad Python's set_to_none", () => adam().zeroGrad({ set_to_none: false } as never), TypeError,
    /^Adam\.zeroGrad: unknown option "set_to_none" \(did you mean "setToNone"\?\)/],
  ["Adam.loadStateDict of a number", () => adam().loadStateDict(5 as never), TypeError, /^optimizer state dict: expected a Map or an object, but received number$/],
  ["SGD without lr", () => new optim.SGD(params, {} as never), TypeError, /^optim\.SGD: expected lr to be a finite learning rate >= 0 \(SGD has no default lr\), but received undefined$/],
  ["SGD without options", () => new optim.SGD(params, undefined as never), TypeError, /^optim\.SGD: expected lr .*received undefined$/],
  ["SGD lr NaN", () => new optim.SGD(params, { lr: NaN }), TypeError, /^optim\.SGD: expected lr .*received NaN$/],
  ["SGD momentum -1", () => new optim.SGD(params, { lr: 0.1, momentum: -1 }), TypeError, /^optim\.SGD: expected momentum to be a finite number >= 0, but received -1$/],
  ["SGD momentum NaN", () => new optim.SGD(params, { lr: 0.1, momentum: NaN }), TypeError, /^optim\.SGD: expected momentum .*received NaN$/],
  ["SGD weightDecay -1", () => new optim.SGD(params, { lr: 0.1, weightDecay: -1 }), TypeError, /^optim\.SGD: expected weightDecay .*received -1$/],
  ["SGD dampening NaN", () => new optim.SGD(params, { lr: 0.1, dampening: NaN }), TypeError, /^optim\.SGD: expected dampening to be a finite number, but received NaN$/],
  ["SGD Nesterov without momentum", () => new optim.SGD(params, { lr: 0.1, nesterov: true }), TypeError,
    /^optim\.SGD: Nesterov momentum requires a momentum and zero dampening$/],
  ["SGD group with momentum NaN", () => new optim.SGD([{ params, momentum: NaN }], { lr: 0.1 }), TypeError, /^SGD\.addParamGroup: expected momentum .*received NaN$/],
];

const schedulers: Case[] = [
  ["StepLR stepSize 0", () => new optim.StepLR(sched(sgd()), { stepSize: 0 }), TypeError, /^StepLR: expected stepSize to be a positive integer, but received 0$/],
  ["StepLR without stepSize", () => new optim.StepLR(sched(sgd()), {} as never), TypeError, /^StepLR: expected stepSize .*received undefined$/],
  ["StepLR gamma NaN", () => new optim.StepLR(sched(sgd()), { stepSize: 1, gamma: NaN }), TypeError, /^StepLR: expected gamma to be a finite number >= 0, but received NaN$/],
  ["StepLR Python's step_size", () => new optim.StepLR(sched(sgd()), { step_size: 2 } as never), TypeError,
    /^StepLR: unknown option "step_size" \(did you mean "stepSize"\?\); expected one of stepSize, gamma, lastEpoch$/],
  ["StepLR lastEpoch -2", () => new optim.StepLR(sched(sgd()), { stepSize: 1, lastEpoch: -2 }), TypeError, /^StepLR: expected lastEpoch to be an integer >= -1, but received -2$/],
  ["StepLR of a non-optimizer", () => new optim.StepLR({} as never, { stepSize: 1 }), TypeError, /^StepLR: expected optimizer to be an Optimizer, but received an object$/],
  ['MultiStepLR milestones "3"', () => new optim.MultiStepLR(sched(sgd()), { milestones: "3" as never }), TypeError,
    /^MultiStepLR: expected milestones to be an array of integers, but received "3"$/],
  ["CosineAnnealingLR tMax 0 (every lr would be NaN)", () => new optim.CosineAnnealingLR(sched(sgd()), { tMax: 0 }), TypeError,
    /^CosineAnnealingLR: expected tMax to be a positive integer, but received 0$/],
  ["CosineAnnealingLR etaMin -1", () => new optim.CosineAnnealingLR(sched(sgd()), { tMax: 5, etaMin: -1 }), TypeError,
    /^CosineAnnealingLR: expected etaMin to be a finite number >= 0, but received -1$/],
  ["OneCycleLR without a length", () => new optim.OneCycleLR(sched(sgd()), { maxLr: 1 }), TypeError,
    /^OneCycleLR: you must define either totalSteps OR \(epochs AND stepsPerEpoch\)$/],
  ["OneCycleLR totalSteps 0", () => new optim.OneCycleLR(sched(sgd()), { maxLr: 1, totalSteps: 0 }), TypeError, /^OneCycleLR: expected totalSteps to be a positive integer, but received 0$/],
  ["OneCycleLR epochs -1", () => new optim.OneCycleLR(sched(sgd()), { maxLr: 1, epochs: -1, stepsPerEpoch: 10 }), TypeError,
    /^OneCycleLR: expected epochs to be a positive integer, but received -1$/],
  ["OneCycleLR maxLr NaN", () => new optim.OneCycleLR(sched(sgd()), { maxLr: NaN, totalSteps: 10 }), TypeError, /^OneCycleLR: expected maxLr to be a finite number > 0, but received NaN$/],
  ["OneCycleLR pctStart 1.5", () => new optim.OneCycleLR(sched(sgd()), { maxLr: 1, totalSteps: 10, pctStart: 1.5 }), TypeError,
    /^OneCycleLR: expected pctStart to be a number between 0 and 1, but received 1\.5$/],
  ['OneCycleLR annealStrategy "cosine"', () => new optim.OneCycleLR(sched(sgd()), { maxLr: 1, totalSteps: 10, annealStrategy: "cosine" as never }), TypeError,
    /^OneCycleLR: expected annealStrategy to be "cos" or "linear", but received "cosine"$/],
  ["OneCycleLR divFactor 0", () => new optim.OneCycleLR(sched(sgd()), { maxLr: 1, totalSteps: 10, divFactor: 0 }), TypeError, /^OneCycleLR: expected divFactor .*received 0$/],
  ["OneCycleLR Python's max_lr", () => new optim.OneCycleLR(sched(sgd()), { max_lr: 1, totalSteps: 10 } as never), TypeError,
    /^OneCycleLR: unknown option "max_lr" \(did you mean "maxLr"\?\)/],
  ["scheduler loadStateDict of a number", () => new optim.StepLR(sched(sgd()), { stepSize: 1 }).loadStateDict(5 as never), TypeError,
    /^StepLR\.loadStateDict: expected stateDict to be a Map or an object, but received 5$/],
];

const image = () => ({ data: new Uint8Array(4 * 4), width: 4, height: 4, channels: 1 }) as torch.vision.Image;
const transforms: Case[] = [
  ["Resize(0)", () => new T.Resize(0), TypeError, /^transforms\.Resize: expected size to be a positive integer or \[height, width\], but received 0$/],
  ["Resize(-8)", () => new T.Resize(-8), TypeError, /^transforms\.Resize: expected size .*received -8$/],
  ["CenterCrop([0, 4])", () => new T.CenterCrop([0, 4]), TypeError, /^transforms\.CenterCrop: expected size .*received \[0, 4\]$/],
  ["RandomResizedCrop scale [0.9, 0.1] (min > max)", () => new T.RandomResizedCrop(8, { scale: [0.9, 0.1] }), TypeError,
    /^transforms\.RandomResizedCrop: expected scale to be a pair \[min, max\] with min <= max, but received \[0\.9, 0\.1\]$/],
  ["RandomResizedCrop ratio [0, 1]", () => new T.RandomResizedCrop(8, { ratio: [0, 1] }), TypeError,
    /^transforms\.RandomResizedCrop: expected ratio to be a pair of positive numbers \[min, max\], but received \[0, 1\]$/],
  ["RandomResizedCrop NaN scale", () => new T.RandomResizedCrop(8, { scale: [NaN, 1] }), TypeError, /^transforms\.RandomResizedCrop: expected scale .*received \[NaN, 1\]$/],
  ["RandomResizedCrop misspelt {scales}", () => new T.RandomResizedCrop(8, { scales: [0.5, 1] } as never), TypeError,
    /^transforms\.RandomResizedCrop: unknown option "scales" \(did you mean "scale"\?\); expected one of scale, ratio$/],
  ["RandomHorizontalFlip(1.5)", () => new T.RandomHorizontalFlip(1.5), TypeError,
    /^transforms\.RandomHorizontalFlip: expected p to be a probability between 0 and 1, but received 1\.5$/],
  ["RandomHorizontalFlip(NaN)", () => new T.RandomHorizontalFlip(NaN), TypeError, /^transforms\.RandomHorizontalFlip: expected p .*received NaN$/],
  ['RandomCrop padIfNeeded "yes"', () => new T.RandomCrop(4, { padIfNeeded: "yes" as never }), TypeError,
    /^transforms\.RandomCrop: expected padIfNeeded to be a boolean, but received "yes"$/],
  ["RandomCrop Python's pad_if_needed", () => new T.RandomCrop(4, { pad_if_needed: true } as never), TypeError,
    /^transforms\.RandomCrop: unknown option "pad_if_needed" \(did you mean "padIfNeeded"\?\)/],
  ["Normalize with 3 means and 1 std", () => new T.Normalize([0.5, 0.5, 0.5], [0.5]), TypeError,
    /^transforms\.Normalize: mean and std must have the same length, but received mean \[0\.5, 0\.5, 0\.5\] and std \[0\.5\]$/],
  ["Normalize with a zero std", () => new T.Normalize([0.5, 0.5], [0.5, 0]), TypeError, /^transforms\.Normalize: expected std nonzero, but received \[0\.5, 0\]$/],
  ["Normalize with a NaN mean", () => new T.Normalize([NaN], [1]), TypeError,
    /^transforms\.Normalize: expected mean to be a non-empty array of finite numbers, but received \[NaN\]$/],
  ["Normalize with empty arrays", () => new T.Normalize([], []), TypeError, /^transforms\.Normalize: expected mean to be a non-empty array .*received \[\]$/],
  ["Normalize of numbers", () => new T.Normalize(0.5 as never, 0.5 as never), TypeError,
    /^transforms\.Normalize: mean and std must be arrays of numbers \(one per channel\), but received mean 0\.5 and std 0\.5$/],
  ["Normalize applied to an image (before ToTensor)", () => new T.Normalize([0.5], [0.5]).apply(image()), TypeError,
    /^transforms\.Normalize: expected a tensor \(put it after ToTensor\), but received an image$/],
  ["Grayscale(2)", () => new T.Grayscale(2 as never), TypeError, /^transforms\.Grayscale: expected numOutputChannels to be 1 or 3, but received 2$/],
];

const sample = { data: new Float32Array(4), shape: [1, 2, 2] } as torch.vision.Chw;
const tiny = { length: 4, getItem: (i: number) => [sample, i % 2] } as unknown as torch.data.Dataset;
const loaders: Case[] = [
  ["batchSize 0", () => new data.DataLoader(tiny, { batchSize: 0 }), TypeError, /^DataLoader: expected batchSize to be a positive integer, but received 0$/],
  ["batchSize -1", () => new data.DataLoader(tiny, { batchSize: -1 }), TypeError, /^DataLoader: expected batchSize .*received -1$/],
  ["batchSize 2.5", () => new data.DataLoader(tiny, { batchSize: 2.5 }), TypeError, /^DataLoader: expected batchSize .*received 2\.5$/],
  ["numWorkers -1", () => new data.DataLoader(tiny, { numWorkers: -1 }), TypeError, /^DataLoader: expected numWorkers to be a non-negative integer, but received -1$/],
  ["Python's batch_size", () => new data.DataLoader(tiny, { batch_size: 32 } as never), TypeError,
    /^DataLoader: unknown option "batch_size" \(did you mean "batchSize"\?\); expected one of batchSize, shuffle, sampler, batchSampler, numWorkers, collateFn, pinMemory, dropLast, timeout, workerInitFn, multiprocessingContext, generator, prefetchFactor, persistentWorkers, seed$/],
  ["a dataset without length", () => new data.DataLoader({ getItem: () => null } as never), TypeError,
    /^DataLoader: expected dataset to be a dataset with length and getItem\(\), but received an object$/],
  ["a dataset without getItem", () => new data.DataLoader({ length: 3 } as never), TypeError, /^DataLoader: expected dataset to be a dataset with length and getItem\(\)/],
  ["an array as the dataset", () => new data.DataLoader([sample] as never), TypeError, /^DataLoader: expected dataset .*received \[an object\]$/],
  ["Subset index out of range", () => new data.Subset(tiny, [0, 4]), RangeError, /^Subset: index 4 out of range \[0, 4\)$/],
  ["Subset of a non-dataset", () => new data.Subset(null as never, [0]), TypeError, /^Subset: expected dataset to be a dataset with length and getItem\(\), but received null$/],
  ['FashionMNIST train "yes"', () => new vision.FashionMNIST(undefined, { train: "yes" as never }), TypeError, /^FashionMNIST: expected train to be a boolean, but received "yes"$/],
  ["FashionMNIST transform that is a function", () => new vision.FashionMNIST(undefined, { transform: ((x: unknown) => x) as never }), TypeError,
    /^FashionMNIST: expected transform to be a transform \(transforms\.Compose, transforms\.ToTensor, …\) or null, but received function/],
  ["ImageFolder Python's is_valid_file", () => new vision.ImageFolder("/tmp", { is_valid_file: null } as never), TypeError,
    /^ImageFolder: unknown option "is_valid_file"; expected one of transform, extensions, skipBadImages$/],
];

const models: Case[] = [
  ["resnet18 numClasses 0", () => vision.resnet18({ numClasses: 0 }), TypeError, /^ResNet: expected numClasses to be a positive integer, but received 0$/],
  ["resnet18 numClasses -1", () => vision.resnet18({ numClasses: -1 }), TypeError, /^ResNet: expected numClasses .*received -1$/],
  ["resnet18 numClasses 2.5", () => vision.resnet18({ numClasses: 2.5 }), TypeError, /^ResNet: expected numClasses .*received 2\.5$/],
  ["resnet18 inChannels 0", () => vision.resnet18({ inChannels: 0 }), TypeError, /^ResNet: expected inChannels to be a positive integer, but received 0$/],
  ["resnet50 groups 0", () => vision.resnet50({ groups: 0 }), TypeError, /^ResNet: expected groups to be a positive integer, but received 0$/],
  ["resnet50 widthPerGroup -64", () => vision.resnet50({ widthPerGroup: -64 }), TypeError, /^ResNet: expected widthPerGroup .*received -64$/],
  ["resnet18 Python's num_classes", () => vision.resnet18({ num_classes: 10 } as never), TypeError,
    /^vision\.resnet18: unknown option "num_classes" \(did you mean "numClasses"\?\)/],
  ["resnext50_32x4d groups 8 (fixed at 32)", () => vision.resnext50_32x4d({ groups: 8 }), TypeError,
    /^vision\.resnext50_32x4d: expected groups to be 32 \(fixed by resnext50_32x4d\), but received 8$/],
  ["wide_resnet50_2 widthPerGroup 64 (fixed at 128)", () => vision.wide_resnet50_2({ widthPerGroup: 64 }), TypeError,
    /^vision\.wide_resnet50_2: expected widthPerGroup to be 128 .*received 64$/],
  ["ResNet with three stages", () => new vision.ResNet(vision.BasicBlock, [2, 2, 2] as never), TypeError,
    /^ResNet: expected layers to be four positive integers \(blocks per stage\), but received \[2, 2, 2\]$/],
  ["ResNet with a zero stage", () => new vision.ResNet(vision.BasicBlock, [2, 0, 2, 2]), TypeError, /^ResNet: expected layers .*received \[2, 0, 2, 2\]$/],
  ["ResNet of a non-block", () => new vision.ResNet({} as never, [2, 2, 2, 2]), TypeError, /^ResNet: expected block to be a block class \(BasicBlock or Bottleneck\), but received an object$/],
  ['replaceStrideWithDilation ["yes", …]', () => vision.resnet50({ replaceStrideWithDilation: ["yes", false, false] as never }), TypeError,
    /^ResNet: expected replaceStrideWithDilation to be null or a 3-element array of booleans, but received \["yes", false, false\]$/],
  ["normLayer that is not a function", () => vision.resnet18({ normLayer: "bn" as never }), TypeError, /^ResNet: expected normLayer to be a function, but received "bn"$/],
  ['zeroInitResidual "yes"', () => vision.resnet18({ zeroInitResidual: "yes" as never }), TypeError, /^ResNet: expected zeroInitResidual to be a boolean, but received "yes"$/],
  ["BasicBlock planes 0", () => new vision.BasicBlock(64, 0), TypeError, /^BasicBlock: expected planes to be a positive integer, but received 0$/],
  ["BasicBlock groups 2", () => new vision.BasicBlock(64, 64, { groups: 2 }), TypeError, /^BasicBlock only supports groups=1 and baseWidth=64$/],
  ["Bottleneck stride 0", () => new vision.Bottleneck(64, 64, { stride: 0 }), TypeError, /^Bottleneck: expected stride to be a positive integer, but received 0$/],
  ['fromPretrained arch "resnet19"', () => vision.fromPretrained("/nonexistent.pth", "resnet19" as never), TypeError,
    /^vision\.fromPretrained: expected arch to be one of resnet18, .*but received "resnet19"$/],
];

const checkpoints: Case[] = [
  ["torch.save to a number", () => torch.save(new Map(), 5 as never), TypeError,
    /^torch\.save: expected f to be a file path or a writable stream, but received number$/],
  ["torch.save without a path", () => (torch.save as (obj: unknown) => void)(new Map()), TypeError, /^torch\.save: expected f .*received undefined$/],
  ["torch.save of a function", () => torch.save(() => 1, "/tmp/torch-ts-bad-args.pth"), Error, /^torch\.save: cannot save a function at obj$/],
  // (lib/serialization is turning Node's bare EISDIR into a torch.save TorchError.)
  ["torch.save over a directory", () => torch.save(new Map(), "/tmp"), Error, /EISDIR|is a directory/],
  ["torch.load of a number", () => torch.load(5 as never), TypeError,
    /^torch\.load: expected a file path, a Buffer\/Uint8Array or an ArrayBuffer, but received number$/],
  ["torch.load of a missing file", () => torch.load("/nonexistent/model.pth"), TorchError,
    /^torch\.load: cannot open \/nonexistent\/model\.pth: no such file \(ENOENT\)$/],
  ["torch.load of a directory", () => torch.load("/tmp"), TorchError, /^torch\.load: cannot open \/tmp: it is a directory \(EISDIR\)$/],
  ["torch.load with options 5", () => torch.load(Buffer.alloc(0), 5 as never), TypeError, /^torch\.load: expected options to be an object/],
  ["torch.load with Python's map_location", () => torch.load(Buffer.alloc(0), { map_location: "cpu" } as never), TypeError,
    /torch\.load: unknown option "map_location".*mapLocation/],
  ["torch.load with a numeric mapLocation", () => torch.load(Buffer.alloc(0), { mapLocation: 5 as never }), TypeError,
    /^torch\.load: expected mapLocation to be a device string, a \{from: to\} record or a function, but received 5$/],
  ["torch.load of bytes that are no checkpoint", () => torch.load(Buffer.from("not a checkpoint at all")), TorchError,
    /^torch\.load: not a PyTorch checkpoint/],
];

// CUDA requested where there is none: the error names the device (see bad_args.test.ts for nn).
const cudaMissing: Case[] = [
  ['torch.load mapLocation "cuda"', () => {
    torch.save(new Map([["w", torch.ones(2)]]), "/tmp/torch-ts-bad-args.pth");
    return torch.load("/tmp/torch-ts-bad-args.pth", { mapLocation: "cuda" });
  }, TorchError, /^torch\.load: CUDA is not available \(mapLocation "cuda" requested/],
];

describe("optimizers", () => {
  it.each(optimizers)("%s", (_name, call, errorClass, message) => expectError(call, errorClass, message));
});
describe("lr schedulers", () => {
  it.each(schedulers)("%s", (_name, call, errorClass, message) => expectError(call, errorClass, message));
});
describe("transforms", () => {
  it.each(transforms)("%s", (_name, call, errorClass, message) => expectError(call, errorClass, message));
});
describe("DataLoader and datasets", () => {
  it.each(loaders)("%s", (_name, call, errorClass, message) => expectError(call, errorClass, message));
  it("iterate() with a negative epoch rejects", async () => {
    await expectRejection(() => new data.DataLoader(tiny).iterate({ epoch: -1 }).next(), TypeError,
      /^DataLoader\.iterate: expected epoch to be a non-negative integer, but received -1$/);
  });
});
describe("ResNet factories and blocks", () => {
  it.each(models)("%s", (_name, call, errorClass, message) => expectError(call, errorClass, message));
});
describe("torch.save and torch.load", () => {
  it.each(checkpoints)("%s", (_name, call, errorClass, message) => expectError(call, errorClass, message));
});
describe.skipIf(!noCuda)("CUDA requested on a CPU-only machine", () => {
  it.each(cudaMissing)("%s", (_name, call, errorClass, message) => expectError(call, errorClass, message));
});

// ---- scripts/train.ts flags (the parser is lib/train/args.ts): each names the flag ----
const flags: [argv: string[], message: RegExp][] = [
  [["--epochs", "-1"], /^--epochs must be an integer >= 1, got "-1"$/],
  [["--epochs=0"], /^--epochs must be an integer >= 1, got "0"$/],
  [["--epochs", "2.5"], /^--epochs must be an integer >= 1, got "2\.5"$/],
  [["--batch-size", "0"], /^--batch-size must be an integer >= 1, got "0"$/],
  [["--batch-size", "1e3"], /^--batch-size must be an integer >= 1, got "1e3"$/],
  [["--lr", "abc"], /^--lr must be a positive finite number, got "abc"$/],
  [["--lr", "-0.1"], /^--lr must be a positive finite number, got "-0\.1"$/],
  [["--lr", "Infinity"], /^--lr must be a positive finite number, got "Infinity"$/],
  [["--lr", ""], /^--lr must be a positive finite number, got ""$/],
  [["--device", "cuda:x"], /^--device: expected device to be a device: "cpu", "cuda", "cuda:N" or "auto", but received "cuda:x"$/],
  [["--device", "gpu"], /^--device: expected device .*received "gpu"$/],
  [["--arch", "nope"], /^--arch must be one of resnet18, resnet34, .*, got "nope"$/],
  [["--arch", "toString"], /^--arch must be one of .*got "toString"$/],
  [["--optimizer", "foo"], /^--optimizer must be one of adam, adamw, sgd, got "foo"$/],
  [["--scheduler", "linear"], /^--scheduler must be one of none, step, cosine, onecycle, got "linear"$/],
  [["--workers", "-2"], /^--workers must be an integer >= 0, got "-2"$/],
  [["--seed", ""], /^--seed must be an integer >= 0, got ""$/],
  [["--limit", "0"], /^--limit must be an integer >= 1, got "0"$/],
  [["--image-size", "4"], /^--image-size must be an integer >= 8, got "4"$/],
  [["--num-classes", "0"], /^--num-classes must be an integer >= 1, got "0"$/],
  [["--dataset", "cifar10"], /^unknown --dataset "cifar10" \(only fashion-mnist is built in/],
  [["--data", "x", "--dataset", "fashion-mnist"], /^give either --data DIR or --dataset, not both$/],
  [["--out", ""], /^--out must name a directory, got ""$/],
  [["--epoch", "3"], /^Unknown option '--epoch' \(did you mean --epochs\?\)$/],
  [["--learning-rate", "0.1"], /^Unknown option '--learning-rate'$/],
  [["--batch_size", "8"], /^Unknown option '--batch_size' \(did you mean --batch-size\?\)$/],
  [["--lr"], /^Option '--lr <value>' argument missing$/],
  [["extra"], /^Unexpected argument 'extra'/],
];
if (noCuda) flags.push([["--device", "cuda"], /^--device: CUDA is not available \(device "cuda" requested/]);

describe("train.ts flags", () => {
  it.each(flags)("%j", (argv, message) => expectError(() => parseTrainArgs(argv), UsageError, message));

  it("accepts the defaults and what the README shows", () => {
    expect(parseTrainArgs([])).toMatchObject({ help: false, arch: "resnet18", epochs: 3, batchSize: 32, lr: 1e-3, optimizer: "adam", scheduler: "cosine" });
    expect(parseTrainArgs(["--data", "d", "--arch", "resnet50"])).toMatchObject({ data: "d", arch: "resnet50", epochs: 20, scheduler: "none", imageSize: 224 });
    expect(parseTrainArgs(["--help", "--lr", "nonsense"])).toEqual({ help: true });
  });
});

it("leaks no tensor", () => {
  torch.dispose(params);
  expect(torch.liveTensors()).toBe(liveAtStart);
});
