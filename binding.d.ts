// The typed surface of the raw addon (native/*.cc), nothing more. Users never see it:
// lib/ wraps every handle in a Tensor and validates arguments before calling here.

/** An opaque, type-tagged native reference to one at::Tensor. */
export interface Handle {
  readonly __torchTsHandle: unique symbol;
}

/** at::ScalarType codes (stable across libtorch 1.13 and 2.x). */
export type DtypeCode = number;
/** A tensor handle or a Python-like scalar (an integral number acts like a Python int). */
export type Operand = Handle | number | bigint | boolean;
type Scalar = number | bigint | boolean;
type Opt<T> = T | null;

export interface NativeConfig {
  libtorchVersion: string;
  builtFrom: string;
  cudaBuild: boolean;
  cudaAvailable: boolean;
  cudaDeviceCount: number;
  cudnnAvailable: boolean;
  numThreads: number;
  numInteropThreads: number;
  openmp: boolean;
  mkldnn: boolean;
  lapack: boolean;
  parallelInfo: string;
}

export interface Binding {
  // runtime (addon.cc)
  setErrorClass(ctor: new (message: string) => Error): void;
  liveTensors(): number;
  config(): NativeConfig;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  manualSeed(seed: number | bigint): void;
  cudaDeviceCount(): number;
  cudaSynchronize(index: Opt<number>): void;

  // creation (tensor.cc)
  empty(shape: number[], dtype: DtypeCode, device: Opt<string>, requiresGrad: boolean): Handle;
  zeros(shape: number[], dtype: DtypeCode, device: Opt<string>, requiresGrad: boolean): Handle;
  ones(shape: number[], dtype: DtypeCode, device: Opt<string>, requiresGrad: boolean): Handle;
  full(shape: number[], value: Scalar, dtype: DtypeCode, device: Opt<string>, requiresGrad: boolean): Handle;
  arange(start: number, end: number, step: number, dtype: DtypeCode, device: Opt<string>, requiresGrad: boolean): Handle;
  linspace(start: number, end: number, steps: number, dtype: DtypeCode, device: Opt<string>, requiresGrad: boolean): Handle;
  rand(shape: number[], dtype: DtypeCode, device: Opt<string>, requiresGrad: boolean): Handle;
  randn(shape: number[], dtype: DtypeCode, device: Opt<string>, requiresGrad: boolean): Handle;
  randint(low: number, high: number, shape: number[], dtype: DtypeCode, device: Opt<string>): Handle;
  fromData(data: ArrayBufferView | ArrayBuffer, shape: number[], dtype: DtypeCode, device: Opt<string>, requiresGrad: boolean): Handle;

  // data and properties (tensor.cc)
  toData(h: Handle): ArrayBuffer;
  item(h: Handle): number | boolean;
  dispose(h: Handle): void;
  shape(h: Handle): number[];
  strides(h: Handle): number[];
  dtype(h: Handle): DtypeCode;
  device(h: Handle): string;
  numel(h: Handle): number;
  isContiguous(h: Handle): boolean;
  to(h: Handle, device: Opt<string>, dtype: Opt<DtypeCode>, nonBlocking: boolean, copy: boolean): Handle;
  clone(h: Handle): Handle;
  detach(h: Handle): Handle;
  contiguous(h: Handle): Handle;

  // autograd (tensor.cc)
  requiresGrad(h: Handle): boolean;
  setRequiresGrad(h: Handle, value: boolean): void;
  isLeaf(h: Handle): boolean;
  grad(h: Handle): Handle | null;
  setGrad(h: Handle, grad: Handle | null): void;
  retainGrad(h: Handle): void;
  backward(h: Handle, gradient: Handle | null, retainGraph: boolean | null, createGraph: boolean): void;
  isGradEnabled(): boolean;
  setGradEnabled(enabled: boolean): void;

  // elementwise (ops.cc)
  neg(h: Handle): Handle;
  sqrt(h: Handle): Handle;
  rsqrt(h: Handle): Handle;
  exp(h: Handle): Handle;
  log(h: Handle): Handle;
  log1p(h: Handle): Handle;
  abs(h: Handle): Handle;
  relu(h: Handle): Handle;
  sigmoid(h: Handle): Handle;
  tanh(h: Handle): Handle;
  sin(h: Handle): Handle;
  cos(h: Handle): Handle;
  floor(h: Handle): Handle;
  ceil(h: Handle): Handle;
  round(h: Handle): Handle;
  sign(h: Handle): Handle;
  reciprocal(h: Handle): Handle;
  logicalNot(h: Handle): Handle;
  neg_(h: Handle): void;
  sqrt_(h: Handle): void;
  exp_(h: Handle): void;
  abs_(h: Handle): void;
  relu_(h: Handle): void;
  sigmoid_(h: Handle): void;
  tanh_(h: Handle): void;
  zero_(h: Handle): void;
  add(h: Handle, other: Operand, alpha: Scalar): Handle;
  sub(h: Handle, other: Operand, alpha: Scalar): Handle;
  mul(h: Handle, other: Operand): Handle;
  div(h: Handle, other: Operand): Handle;
  pow(h: Handle, other: Operand): Handle;
  remainder(h: Handle, other: Operand): Handle;
  eq(h: Handle, other: Operand): Handle;
  ne(h: Handle, other: Operand): Handle;
  lt(h: Handle, other: Operand): Handle;
  le(h: Handle, other: Operand): Handle;
  gt(h: Handle, other: Operand): Handle;
  ge(h: Handle, other: Operand): Handle;
  add_(h: Handle, other: Operand, alpha: Scalar): void;
  sub_(h: Handle, other: Operand, alpha: Scalar): void;
  mul_(h: Handle, other: Operand): void;
  div_(h: Handle, other: Operand): void;
  pow_(h: Handle, other: Operand): void;
  fill_(h: Handle, value: Operand): void;
  maximum(a: Handle, b: Handle): Handle;
  minimum(a: Handle, b: Handle): Handle;
  matmul(a: Handle, b: Handle): Handle;
  where(cond: Handle, a: Operand, b: Operand): Handle;
  clamp(h: Handle, min: Opt<Scalar>, max: Opt<Scalar>): Handle;
  clamp_(h: Handle, min: Opt<Scalar>, max: Opt<Scalar>): void;
  addcmul_(h: Handle, t1: Handle, t2: Handle, value: Scalar): void;
  addcdiv_(h: Handle, t1: Handle, t2: Handle, value: Scalar): void;
  copy_(h: Handle, src: Handle, nonBlocking: boolean): void;
  lerp_(h: Handle, end: Handle, weight: Operand): void;

  // reductions (ops.cc); dims null = all
  sum(h: Handle, dims: Opt<number[]>, keepdim: boolean, dtype: Opt<DtypeCode>): Handle;
  mean(h: Handle, dims: Opt<number[]>, keepdim: boolean, dtype: Opt<DtypeCode>): Handle;
  std(h: Handle, dims: Opt<number[]>, unbiased: boolean, keepdim: boolean): Handle;
  var(h: Handle, dims: Opt<number[]>, unbiased: boolean, keepdim: boolean): Handle;
  max(h: Handle, dim: null, keepdim: boolean): Handle;
  max(h: Handle, dim: number, keepdim: boolean): [Handle, Handle];
  min(h: Handle, dim: null, keepdim: boolean): Handle;
  min(h: Handle, dim: number, keepdim: boolean): [Handle, Handle];
  argmax(h: Handle, dim: Opt<number>, keepdim: boolean): Handle;
  argmin(h: Handle, dim: Opt<number>, keepdim: boolean): Handle;

  // shape (ops.cc)
  reshape(h: Handle, shape: number[]): Handle;
  view(h: Handle, shape: number[]): Handle;
  flatten(h: Handle, startDim: number, endDim: number): Handle;
  permute(h: Handle, dims: number[]): Handle;
  transpose(h: Handle, dim0: number, dim1: number): Handle;
  squeeze(h: Handle, dim: Opt<number>): Handle;
  unsqueeze(h: Handle, dim: number): Handle;
  expand(h: Handle, shape: number[]): Handle;
  narrow(h: Handle, dim: number, start: number, length: number): Handle;
  select(h: Handle, dim: number, index: number): Handle;
  indexSelect(h: Handle, dim: number, index: Handle): Handle;
  cat(tensors: Handle[], dim: number): Handle;
  stack(tensors: Handle[], dim: number): Handle;
}
