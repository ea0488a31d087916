// Bad arguments to torch.nn (tensor ops are in errors.test.ts; optim, data, vision and train.ts
// flags in bad_args_training.test.ts): every layer constructor, forwards with the wrong rank,
// channels or dtype, losses with mismatched targets, CUDA asked for on a CPU-only machine.
// Each must throw (never crash the process, never succeed silently) an error whose message
// names the function, the argument and the value received. TypeError: refused by our checks;
// TorchError: refused by libtorch, with PyTorch's message. NaN/Inf *inputs* are not errors in
// PyTorch's layers (they propagate), and the last table pins that down.
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { expectError, type Case } from "./expect_error.js";

const { nn, TorchError } = torch;
const F = nn.functional;
const noCuda = !torch.cuda.isAvailable();

let liveAtStart = 0;
beforeAll(() => {
  liveAtStart = torch.liveTensors();
});

const f32 = (...shape: number[]) => torch.zeros(shape);
const i64 = (...values: number[]) => torch.tensor(values.map(BigInt));

// ---- constructors: sizes, types, option names ----
const constructors: Case[] = [
  ["Conv2d negative inChannels", () => new nn.Conv2d(-1, 2, 3), TypeError,
    /^nn\.Conv2d: expected inChannels to be a non-negative integer, but received -1$/],
  ["Conv2d negative outChannels", () => new nn.Conv2d(1, -2, 3), TypeError, /^nn\.Conv2d: expected outChannels to be a non-negative integer, but received -2$/],
  ["Conv2d fractional outChannels", () => new nn.Conv2d(1, 2.5, 3), TypeError, /^nn\.Conv2d: expected outChannels .*received 2\.5$/],
  ["Conv2d string inChannels", () => new nn.Conv2d("3" as never, 2, 3), TypeError, /^nn\.Conv2d: expected inChannels .*received "3"$/],
  ["Conv2d kernelSize 0", () => new nn.Conv2d(1, 2, 0), TypeError,
    /^nn\.Conv2d: expected kernelSize to be an integer >= 1 or a pair of them, but received 0$/],
  ["Conv2d kernelSize missing", () => new nn.Conv2d(1, 2, undefined as never), TypeError,
    /^nn\.Conv2d: expected kernelSize .*received undefined$/],
  ["Conv2d kernelSize of three", () => new nn.Conv2d(1, 2, [3, 3, 3] as never), TypeError, /^nn\.Conv2d: expected kernelSize .*received \[3, 3, 3\]$/],
  ["Conv2d stride 0", () => new nn.Conv2d(1, 2, 3, { stride: 0 }), TypeError, /^nn\.Conv2d: expected stride to be an integer >= 1 .*received 0$/],
  ["Conv2d negative padding", () => new nn.Conv2d(1, 2, 3, { padding: -1 }), TypeError,
    /^nn\.Conv2d: expected padding to be an integer >= 0 or a pair of them, but received -1$/],
  ["Conv2d dilation [1, 0]", () => new nn.Conv2d(1, 2, 3, { dilation: [1, 0] }), TypeError, /^nn\.Conv2d: expected dilation .*received \[1, 0\]$/],
  ["Conv2d groups 0", () => new nn.Conv2d(4, 4, 3, { groups: 0 }), TypeError, /^nn\.Conv2d: expected groups to be a positive integer, but received 0$/],
  ["Conv2d groups not dividing inChannels", () => new nn.Conv2d(4, 6, 3, { groups: 3 }), TypeError,
    /^nn\.Conv2d: expected groups to be a positive divisor of inChannels \(4\), but received 3$/],
  ['Conv2d bias "yes"', () => new nn.Conv2d(1, 2, 3, { bias: "yes" as never }), TypeError, /^nn\.Conv2d: expected bias to be a boolean, but received "yes"$/],
  ["Conv2d misspelt option {strid}", () => new nn.Conv2d(1, 2, 3, { strid: 2 } as never), TypeError,
    /^nn\.Conv2d: unknown option "strid" \(did you mean "stride"\?\); expected one of stride, padding, dilation, groups, bias, paddingMode, device, dtype$/],
  ["Conv2d Python's padding_mode", () => new nn.Conv2d(1, 2, 3, { padding_mode: "zeros" } as never), TypeError,
    /^nn\.Conv2d: unknown option "padding_mode" \(did you mean "paddingMode"\?\); expected one of stride, /],
  ['Conv2d device "gpu"', () => new nn.Conv2d(1, 2, 3, { device: "gpu" as never }), TypeError,
    /^nn\.Conv2d: expected device to be a device: "cpu", "cuda", "cuda:N" or "auto", but received "gpu"$/],
  ["Conv2d integer dtype", () => new nn.Conv2d(1, 2, 3, { dtype: "int64" }), TypeError,
    /^nn\.Conv2d: expected dtype to be a floating point dtype, but received "int64"$/],
  ["Conv2d with a stride that is a string (positional, by the calling rule)", () => new nn.Conv2d(1, 2, 3, "1" as never), TypeError, /^nn\.Conv2d: expected stride .*received "1"$/],
  ["BatchNorm2d negative numFeatures", () => new nn.BatchNorm2d(-3), TypeError,
    /^nn\.BatchNorm2d: expected numFeatures to be a non-negative integer, but received -3$/],
  ["BatchNorm1d fractional numFeatures", () => new nn.BatchNorm1d(1.5), TypeError, /^nn\.BatchNorm1d: expected numFeatures .*received 1\.5$/],
  ["BatchNorm2d negative eps", () => new nn.BatchNorm2d(3, { eps: -1 }), TypeError, /^nn\.BatchNorm2d: expected eps to be a finite number >= 0, but received -1$/],
  ["BatchNorm2d NaN eps", () => new nn.BatchNorm2d(3, { eps: NaN }), TypeError, /^nn\.BatchNorm2d: expected eps .*received NaN$/],
  ["BatchNorm2d momentum 2", () => new nn.BatchNorm2d(3, { momentum: 2 }), TypeError,
    /^nn\.BatchNorm2d: expected momentum to be a number between 0 and 1 or null, but received 2$/],
  ['BatchNorm2d affine "no"', () => new nn.BatchNorm2d(3, { affine: "no" as never }), TypeError, /^nn\.BatchNorm2d: expected affine to be a boolean, but received "no"$/],
  ["BatchNorm2d Python's track_running_stats", () => new nn.BatchNorm2d(3, { track_running_stats: false } as never), TypeError,
    /^nn\.BatchNorm2d: unknown option "track_running_stats" \(did you mean "trackRunningStats"\?\)/],
  ["MaxPool2d kernelSize 0", () => new nn.MaxPool2d(0), TypeError, /^nn\.MaxPool2d: expected kernelSize to be an integer >= 1 .*received 0$/],
  ["MaxPool2d fractional kernelSize", () => new nn.MaxPool2d(2.5), TypeError, /^nn\.MaxPool2d: expected kernelSize .*received 2\.5$/],
  ["MaxPool2d stride 0", () => new nn.MaxPool2d(2, { stride: 0 }), TypeError, /^nn\.MaxPool2d: expected stride to be an integer >= 1 .*received 0$/],
  ["MaxPool2d negative padding", () => new nn.MaxPool2d(2, { padding: -1 }), TypeError, /^nn\.MaxPool2d: expected padding .*received -1$/],
  ["MaxPool2d Python's ceil_mode", () => new nn.MaxPool2d(2, { ceil_mode: true } as never), TypeError,
    /^nn\.MaxPool2d: unknown option "ceil_mode" \(did you mean "ceilMode"\?\); expected one of stride, padding, dilation, returnIndices, ceilMode$/],
  ["AvgPool2d divisorOverride 0", () => new nn.AvgPool2d(2, { divisorOverride: 0 }), TypeError,
    /^nn\.AvgPool2d: expected divisorOverride to be a positive integer, but received 0$/],
  ['AvgPool2d countIncludePad "no"', () => new nn.AvgPool2d(2, { countIncludePad: "no" as never }), TypeError,
    /^nn\.AvgPool2d: expected countIncludePad to be a boolean, but received "no"$/],
  ["AvgPool2d stride [2]", () => new nn.AvgPool2d(2, { stride: [2] as never }), TypeError, /^nn\.AvgPool2d: expected stride .*received \[2\]$/],
  ["AdaptiveAvgPool2d outputSize 0", () => new nn.AdaptiveAvgPool2d(0), TypeError,
    /^nn\.AdaptiveAvgPool2d: expected outputSize to be an integer >= 1 or a pair of them, but received 0$/],
  ["AdaptiveAvgPool2d outputSize [-1, 1]", () => new nn.AdaptiveAvgPool2d([-1, 1]), TypeError, /^nn\.AdaptiveAvgPool2d: expected outputSize .*received \[-1, 1\]$/],
  ["Linear negative inFeatures", () => new nn.Linear(-1, 2), TypeError, /^nn\.Linear: expected inFeatures to be a non-negative integer, but received -1$/],
  ["Linear fractional outFeatures", () => new nn.Linear(2, 1.5), TypeError, /^nn\.Linear: expected outFeatures .*received 1\.5$/],
  ["Linear NaN inFeatures", () => new nn.Linear(NaN, 2), TypeError, /^nn\.Linear: expected inFeatures .*received NaN$/],
  ["Linear misspelt {bais}", () => new nn.Linear(2, 3, { bais: false } as never), TypeError,
    /^nn\.Linear: unknown option "bais" \(did you mean "bias"\?\); expected one of bias, device, dtype$/],
  ["Linear float16 is fine but bool is not", () => new nn.Linear(2, 3, { dtype: "bool" }), TypeError,
    /^nn\.Linear: expected dtype to be a floating point dtype, but received "bool"$/],
  ["Dropout p 1.5", () => new nn.Dropout(1.5), TypeError, /^nn\.Dropout: expected p to be a probability between 0 and 1, but received 1\.5$/],
  ["Dropout p NaN", () => new nn.Dropout(NaN), TypeError, /^nn\.Dropout: expected p .*received NaN$/],
  ['Dropout p "0.5"', () => new nn.Dropout("0.5" as never), TypeError, /^nn\.Dropout: expected p to be a number, but received "0\.5"$/],
  ['ReLU("true") (Python\'s positional inplace must be a boolean)', () => new nn.ReLU("true" as never), TypeError, /^nn\.ReLU: expected inplace to be a boolean, but received "true"$/],
  ["ReLU misspelt {inPlace}", () => new nn.ReLU({ inPlace: true } as never), TypeError,
    /^nn\.ReLU: unknown option "inPlace" \(did you mean "inplace"\?\); expected one of inplace$/],
  ["Flatten fractional startDim", () => new nn.Flatten(1.5), TypeError, /^nn\.Flatten: expected startDim to be an integer, but received 1\.5$/],
  ["Sequential of a number", () => new nn.Sequential(new nn.ReLU(), 5 as never), TypeError,
    /^Sequential\.append: expected module to be a Module, but received 5$/],
  ["Sequential of an array (Python's list)", () => new nn.Sequential([new nn.ReLU()] as never), TypeError,
    /^Sequential\.append: expected module to be a Module, but received \[a ReLU\]$/],
  ["ModuleList of a number", () => new nn.ModuleList(5 as never), TypeError, /^nn\.ModuleList: expected modules to be an iterable of Modules, but received 5$/],
  ["ModuleDict of a string", () => new nn.ModuleDict("relu" as never), TypeError, /^nn\.ModuleDict: expected modules to be a Map, an object .*received "relu"$/],
  ["ModuleDict entry that is not a pair", () => new nn.ModuleDict([new nn.ReLU()] as never), TypeError,
    /^nn\.ModuleDict: expected modules to be \[name, Module\] pairs, but received a ReLU$/],
  ["ModuleDict value that is not a Module", () => new nn.ModuleDict({ a: 1 } as never), TypeError, /^ModuleDict\.set: expected module to be a Module, but received 1$/],
  ["Sequential.get out of range", () => new nn.Sequential(new nn.ReLU()).get(3), RangeError, /^Sequential\.get: index 3 is out of range for 1 module\(s\)$/],
  ["CrossEntropyLoss reduction \"avg\"", () => new nn.CrossEntropyLoss({ reduction: "avg" as never }), TypeError,
    /^nn\.CrossEntropyLoss: expected reduction to be "none", "mean" or "sum", but received "avg"$/],
  ["CrossEntropyLoss labelSmoothing 2", () => new nn.CrossEntropyLoss({ labelSmoothing: 2 }), TypeError,
    /^nn\.CrossEntropyLoss: expected labelSmoothing to be a number between 0 and 1, but received 2$/],
  ["CrossEntropyLoss fractional ignoreIndex", () => new nn.CrossEntropyLoss({ ignoreIndex: 0.5 }), TypeError,
    /^nn\.CrossEntropyLoss: expected ignoreIndex to be an integer, but received 0\.5$/],
  ["CrossEntropyLoss weight as an array", () => new nn.CrossEntropyLoss({ weight: [1, 2] as never }), TypeError,
    /^nn\.CrossEntropyLoss: expected weight to be a Tensor of class weights or null, but received \[1, 2\]$/],
  ["CrossEntropyLoss Python's ignore_index", () => new nn.CrossEntropyLoss({ ignore_index: 0 } as never), TypeError,
    /^nn\.CrossEntropyLoss: unknown option "ignore_index" \(did you mean "ignoreIndex"\?\)/],
  ['MSELoss reduction "toString"', () => new nn.MSELoss({ reduction: "toString" as never }), TypeError, /^nn\.MSELoss: expected reduction .*received "toString"$/],
  ["init.kaimingNormal_ misspelt {nonLinearity}", () => nn.init.kaimingNormal_(f32(2, 2), { nonLinearity: "relu" } as never), TypeError,
    /^nn\.init\.kaimingNormal_: unknown option "nonLinearity" \(did you mean "nonlinearity"\?\)/],
  ["Module.to({devcie})", () => new nn.Linear(2, 2).to({ devcie: "cpu" } as never), TypeError, /^Module\.to: unknown option "devcie" \(did you mean "device"\?\)/],
  ['Module.to({dtype: "floaty"})', () => new nn.Linear(2, 2).to({ dtype: "floaty" as never }), TypeError, /^Module\.to: expected dtype to be one of .*received "floaty"$/],
  ["Module.to(int64)", () => new nn.Linear(2, 2).to("int64"), TypeError, /^Module\.to: nn\.Module\.to only accepts floating point or complex dtypes, but got int64$/],
  ["Module.stateDict misspelt {keep_vars}", () => new nn.Linear(2, 2).stateDict({ keep_vars: true } as never), TypeError,
    /^Module\.stateDict: unknown option "keep_vars" \(did you mean "keepVars"\?\)/],
  ["Module.loadStateDict of a number", () => new nn.Linear(2, 2).loadStateDict(5 as never), TypeError,
    /^Module\.loadStateDict: expected stateDict to be a Map or an object of tensors, but received 5$/],
  ["Tensor.sum misspelt {keepDim}", () => f32(2, 2).sum(0, { keepDim: true } as never), TypeError,
    /^Tensor\.sum: unknown option "keepDim" \(did you mean "keepdim"\?\); expected one of keepdim, dtype$/],
  ["torch.zeros misspelt {requires_grad}", () => torch.zeros([2], { requires_grad: true } as never), TypeError,
    /^torch\.zeros: unknown option "requires_grad" \(did you mean "requiresGrad"\?\); expected one of dtype, device, requiresGrad$/],
  ["torch.tensor unknown {names}", () => torch.tensor([1], { names: ["x"] } as never), TypeError,
    /^torch\.tensor: unknown option "names"; expected one of dtype, device, requiresGrad, shape$/],
];

// ---- forwards: wrong rank, channels, dtype or type of input ----
const forwards: Case[] = [
  ["Conv2d on a 2-D input", () => new nn.Conv2d(3, 4, 3).forward(f32(8, 8)), TypeError,
    /^F\.conv2d: expected input to be a 3-D \(C, H, W\) or 4-D \(N, C, H, W\) tensor, but received a float32 tensor of shape \[8, 8\]$/],
  ["Conv2d on 2 channels instead of 3", () => new nn.Conv2d(3, 4, 3).forward(f32(1, 2, 8, 8)), TorchError,
    /^Given groups=1, weight of size \[4, 3, 3, 3\], expected input\[1, 2, 8, 8\] to have 3 channels, but got 2 channels instead$/],
  ["Conv2d on float64", () => new nn.Conv2d(3, 4, 3).forward(torch.zeros([1, 3, 8, 8], { dtype: "float64" })), TorchError,
    /^Input type \(double\) and bias type \(float\) should be the same$/],
  ["Conv2d on an image smaller than the kernel", () => new nn.Conv2d(3, 4, 3).forward(f32(1, 3, 2, 2)), TorchError,
    /Kernel size can't be greater than actual input size/],
  ["Conv2d on an array", () => new nn.Conv2d(3, 4, 3).forward([[1]] as never), TypeError, /^F\.conv2d: expected input to be a Tensor, but received \[\[1\]\]$/],
  ["Linear on the wrong feature count", () => new nn.Linear(3, 4).forward(f32(2, 5)), TorchError,
    /^mat1 and mat2 shapes cannot be multiplied \(2x5 and 3x4\)$/],
  ["Linear on float64", () => new nn.Linear(3, 4).forward(torch.zeros([2, 3], { dtype: "float64" })), TorchError, /^mat1 and mat2 must have the same dtype$/],
  ["Linear on a number", () => new nn.Linear(3, 4).forward(3 as never), TypeError, /^F\.linear: expected input to be a Tensor, but received 3$/],
  ["BatchNorm2d on a 2-D input", () => new nn.BatchNorm2d(3).forward(f32(2, 3)), TorchError, /^nn\.BatchNorm2d: expected 4D input \(got 2D input\)$/],
  ["BatchNorm1d on a 4-D input", () => new nn.BatchNorm1d(3).forward(f32(2, 3, 1, 1)), TorchError, /^nn\.BatchNorm1d: expected 2D or 3D input \(got 4D input\)$/],
  ["BatchNorm2d on 4 channels instead of 3", () => new nn.BatchNorm2d(3).forward(f32(2, 4, 2, 2)), TorchError,
    /^running_mean should contain 4 elements not 3$/],
  ["BatchNorm2d training on one value per channel", () => new nn.BatchNorm2d(3).forward(f32(1, 3, 1, 1)), TorchError,
    /^Expected more than 1 value per channel when training, got input size torch\.Size\(\[1, 3, 1, 1\]\)$/],
  ["BatchNorm2d on a string", () => new nn.BatchNorm2d(3).forward("x" as never), TypeError, /^nn\.BatchNorm2d: expected input to be a Tensor, but received "x"$/],
  ["MaxPool2d on a 1-D input", () => new nn.MaxPool2d(2).forward(f32(4)), TorchError, /^non-empty 3D or 4D \(batch mode\) tensor expected for input$/],
  ["MaxPool2d padding over half the kernel", () => new nn.MaxPool2d(2, { padding: 2 }).forward(f32(1, 1, 4, 4)), TorchError,
    /^pad should be at most half of kernel size, but got pad=2 and kernel_size=2$/],
  ["AvgPool2d padding over half the kernel", () => new nn.AvgPool2d(2, { padding: 2 }).forward(f32(1, 1, 4, 4)), TorchError,
    /pad should be at most half of kernel size/],
  ["Flatten past the last dim", () => new nn.Flatten(3).forward(f32(2, 3)), TorchError, /^Dimension out of range \(expected to be in range of \[-2, 1\], but got 3\)$/],
  ["ReLU of a bool tensor", () => new nn.ReLU().forward(torch.tensor([true])), TorchError, /Boolean inputs not supported for relu/],
  ["Sequential with a layer of the wrong size", () => new nn.Sequential(new nn.Linear(4, 3), new nn.Linear(4, 2)).forward(f32(1, 4)), TorchError,
    /^mat1 and mat2 shapes cannot be multiplied \(1x3 and 4x2\)$/],
];

// ---- losses: targets of the wrong dtype, shape or range ----
const losses: Case[] = [
  ["CrossEntropyLoss class index out of range", () => new nn.CrossEntropyLoss().forward(f32(2, 3), i64(0, 5)), TorchError, /Target 5 is out of bounds/],
  ["CrossEntropyLoss negative class index", () => new nn.CrossEntropyLoss().forward(f32(2, 3), i64(0, -1)), TorchError, /Target -1 is out of bounds/],
  ["CrossEntropyLoss int32 target", () => new nn.CrossEntropyLoss().forward(f32(2, 3), torch.tensor([0, 1], { dtype: "int32" })), TypeError,
    /^F\.crossEntropy: expected target to be an int64 tensor of class indices or a float tensor of probabilities, but received tensor\(\[0, 1\], dtype=torch\.int32\)$/],
  ["CrossEntropyLoss batch size mismatch", () => new nn.CrossEntropyLoss().forward(f32(2, 3), i64(0, 1, 1)), TorchError,
    /^Expected input batch_size \(2\) to match target batch_size \(3\)\.$/],
  ["CrossEntropyLoss 2-D class-index target", () => new nn.CrossEntropyLoss().forward(f32(2, 3), torch.zeros([2, 1], { dtype: "int64" })), TypeError,
    /^F\.crossEntropy: target of class indices must have 1 dimension\(s\) for input of shape \[2, 3\], but has shape \[2, 1\]$/],
  ["CrossEntropyLoss probabilities of the wrong shape", () => new nn.CrossEntropyLoss().forward(f32(2, 3), f32(2, 4)), TorchError,
    /^0D or 1D target tensor expected, multi-target not supported$/],
  ["CrossEntropyLoss class weights of the wrong length", () => new nn.CrossEntropyLoss({ weight: torch.ones(4) }).forward(f32(2, 3), i64(0, 1)), TorchError,
    /weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: \[4\]/],
  ["CrossEntropyLoss target as an array", () => new nn.CrossEntropyLoss().forward(f32(2, 3), [0, 1] as never), TypeError,
    /^F\.crossEntropy: expected target to be a Tensor, but received \[0, 1\]$/],
  ["MSELoss shapes that cannot broadcast", () => new nn.MSELoss().forward(f32(2, 3), f32(3, 2)), TorchError,
    /^The size of tensor a \(3\) must match the size of tensor b \(2\) at non-singleton dimension 1$/],
  ["F.crossEntropy misspelt {label_smoothing}", () => F.crossEntropy(f32(2, 3), i64(0, 1), { label_smoothing: 0.1 } as never), TypeError,
    /^F\.crossEntropy: unknown option "label_smoothing" \(did you mean "labelSmoothing"\?\)/],
  ["F.dropout p -0.1", () => F.dropout(f32(2), { p: -0.1 }), TypeError, /^F\.dropout: expected p to be a probability between 0 and 1, but received -0\.1$/],
  ["F.conv2d groups 0", () => F.conv2d(f32(1, 1, 3, 3), f32(1, 1, 1, 1), null, { groups: 0 }), TypeError,
    /^F\.conv2d: expected groups to be a positive integer, but received 0$/],
];

// ---- CUDA asked for on a machine without it: the error names the device requested ----
const cudaMissing: Case[] = [
  ['Conv2d {device: "cuda"}', () => new nn.Conv2d(1, 2, 3, { device: "cuda" }), TorchError,
    /^nn\.Conv2d: CUDA is not available \(device "cuda" requested, but .*\); use device "cpu"/],
  ['Linear {device: "cuda:1"}', () => new nn.Linear(2, 3, { device: "cuda:1" }), TorchError, /^nn\.Linear: CUDA is not available \(device "cuda:1" requested/],
  ['BatchNorm2d {device: "cuda"}', () => new nn.BatchNorm2d(3, { device: "cuda" }), TorchError, /^nn\.BatchNorm2d: CUDA is not available \(device "cuda" requested/],
  ['model.to("cuda")', () => new nn.Linear(2, 2).to("cuda"), TorchError, /^Module\.to: CUDA is not available \(device "cuda" requested/],
  ["model.cuda(1)", () => new nn.Linear(2, 2).cuda(1), TorchError, /^Module\.to: CUDA is not available \(device "cuda:1" requested/],
  ["model.cuda(-1)", () => new nn.Linear(2, 2).cuda(-1), TypeError, /^Module\.cuda: expected index to be a non-negative integer, but received -1$/],
  ['tensor.to({device: "cuda:0"})', () => f32(2).to({ device: "cuda:0" }), TorchError, /^Tensor\.to: CUDA is not available \(device "cuda:0" requested/],
  ['torch.device("cuda")', () => torch.device("cuda"), TorchError, /^torch\.device: CUDA is not available \(device "cuda" requested/],
];

// ---- with CUDA: tensors on different devices in one op (libtorch's message) ----
const deviceMix: Case[] = [
  ["cuda + cpu", () => f32(2, 2).cuda().add(f32(2, 2)), TorchError, /Expected all tensors to be on the same device/],
  ["cuda Conv2d on a cpu input", () => new nn.Conv2d(1, 2, 3).cuda().forward(f32(1, 1, 5, 5)), TorchError, /same|device|type/i],
  ["cross-entropy of cuda logits and cpu targets", () => F.crossEntropy(f32(2, 3).cuda(), i64(0, 1)), TorchError, /device/],
];

describe("nn constructors", () => {
  it.each(constructors)("%s", (_name, call, errorClass, message) => expectError(call, errorClass, message));
});

describe("nn forwards", () => {
  it.each(forwards)("%s", (_name, call, errorClass, message) => expectError(call, errorClass, message));
});

describe("losses and functional", () => {
  it.each(losses)("%s", (_name, call, errorClass, message) => expectError(call, errorClass, message));
});

describe.skipIf(!noCuda)("CUDA requested on a CPU-only machine", () => {
  it.each(cudaMissing)("%s", (_name, call, errorClass, message) => expectError(call, errorClass, message));
});

describe.skipIf(noCuda)("tensors on different devices", () => {
  it.each(deviceMix)("%s", (_name, call, errorClass, message) => expectError(call, errorClass, message));
});

// Zero sizes PyTorch accepts (zero-element weights, a warning there) are accepted here too:
// refusing them would break ports; negative ones are refused above.
const zeroSizes: [name: string, call: () => torch.nn.Module][] = [
  ["Linear(0, 4)", () => new nn.Linear(0, 4)],
  ["Conv2d(0, 2, 3)", () => new nn.Conv2d(0, 2, 3)],
  ["BatchNorm2d(0)", () => new nn.BatchNorm2d(0)],
];

describe("zero sizes build as in PyTorch", () => {
  it.each(zeroSizes)("%s", (_name, make) => {
    torch.tidy(() => {
      expect(make().numParameters()).toBeGreaterThanOrEqual(0);
    });
  });
});

// NaN and Inf inputs are data, not argument errors: PyTorch's layers pass them through (a NaN
// loss is caught by the training loop, see train_nan.test.ts). Each returns non-finite output.
const nonFinite: [name: string, call: () => torch.Tensor][] = [
  ["Conv2d of a NaN pixel", () => new nn.Conv2d(1, 1, 3).forward(torch.full([1, 1, 3, 3], NaN))],
  ["Linear of Infinity", () => new nn.Linear(2, 1).forward(torch.tensor([[Infinity, 0]]))],
  ["ReLU of NaN", () => new nn.ReLU().forward(torch.tensor([NaN]))],
  ["MaxPool2d over a NaN", () => new nn.MaxPool2d(2).forward(torch.tensor([[[[NaN, 1], [2, 3]]]]))],
  ["BatchNorm2d of a batch holding NaN", () => new nn.BatchNorm2d(1).forward(torch.tensor([[[[NaN]]], [[[1]]]]))],
  ["CrossEntropyLoss of infinite logits", () => new nn.CrossEntropyLoss().forward(torch.tensor([[Infinity, 0]]), i64(0))],
  ["MSELoss of NaN", () => new nn.MSELoss().forward(torch.tensor([NaN]), torch.tensor([0]))],
];

describe("NaN and Inf inputs propagate as in PyTorch", () => {
  it.each(nonFinite)("%s", (_name, call) => {
    const values = torch.tidy(() => Array.from(call().detach().flatten().toTypedArray() as Float32Array));
    expect(values.some((v) => !Number.isFinite(v)), `got ${values}`).toBe(true);
  });
});

it("leaks no tensor and leaves the library usable", () => {
  expect(torch.liveTensors()).toBe(liveAtStart);
  const y = torch.tidy(() => new nn.Linear(2, 1).forward(torch.ones(1, 2)).detach());
  expect(y.shape).toEqual([1, 1]);
  y.dispose();
});
