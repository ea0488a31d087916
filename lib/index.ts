// `import * as torch from "torch-ts"`: the public surface, named as in PyTorch.
export { Tensor, type TensorOrScalar, type Reduced, type MemoryFormat, type BoolTensor, type ComplexTensor } from "./tensor/index.js";
// Every other public ATen op, generated from its schema (after the hand-written methods above,
// which keep their fast paths): torch.x, t.x(), torch.linalg, torch.fft, torch.special.
export * from "./tensor/ops.generated.js";
export { TorchError } from "./errors.js";
export type { DType, TypedArray } from "./dtype.js";
export type { Complex } from "./tensor/complex.js";
export { device, type Device, type DeviceLike } from "./device.js";
export {
  tensor, frombuffer, empty, zeros, ones, full, arange, linspace, rand, randn, randint,
  zerosLike, onesLike, emptyLike, fullLike, randLike, randnLike,
  type TensorOptions, type TensorData, type NestedArray,
} from "./tensor/creation.js";
export { cat, stack, where, matmul, maximum, minimum } from "./tensor/functions.js";
// torch.* functions that are Python code in PyTorch, with Python's signatures (their Tensor
// methods come with them), over the generated entries of the same names.
export { unique, uniqueConsecutive } from "./tensor/unique.js";
export { norm, tensordot, cdist, lu, type NormOrd, type CdistComputeMode } from "./tensor/linalg_python.js";
export { broadcastShapes, nonzero } from "./tensor/shape_python.js";
export { stft } from "./tensor/stft.js";
export { svdLowrank, pcaLowrank } from "./tensor/lowrank.js";
export { setPrintoptions, getPrintoptions, type PrintOptions } from "./tensor/format.js";
export { noGrad, enableGrad, inferenceMode, isGradEnabled, setGradEnabled } from "./autograd.js";
export { tidy, keep, dispose, liveTensors, cpuMemoryAllocated } from "./memory.js";
export { config, setNumThreads, getNumThreads, manualSeed, cuda, backends } from "./runtime.js";
export { autocast, isAutocastEnabled } from "./amp.js";
export * as amp from "./amp.js";
export * as memory from "./memory.js";

/** dtype names as constants, so `torch.float32` reads as in Python. */
export const float32 = "float32";
export const float64 = "float64";
export const float16 = "float16";
export const bfloat16 = "bfloat16";
export const int64 = "int64";
export const int32 = "int32";
export const int16 = "int16";
export const int8 = "int8";
export const uint8 = "uint8";
export const bool = "bool";
export const complex64 = "complex64";
export const complex128 = "complex128";
export const cfloat = "complex64";
export const cdouble = "complex128";
export const float = "float32";
export const double = "float64";
export const half = "float16";
export const long = "int64";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as vision from "./vision/index.js";
export * as data from "./data/index.js";
export * as masked from "./masked/index.js";
export * as jit from "./jit/index.js";
export * as distributed from "./distributed/index.js";
export { load, loadAsync, save, saveAsync, loadStateDict, serialization, type LoadOptions, type LoadStateDictOptions, type MapLocation, type SaveOptions } from "./serialization/index.js";
export { Generator } from "./generator.js";
