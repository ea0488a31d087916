// The typed surface of the raw addon (native/*.cc), nothing more. Users never see it:
// lib/ wraps every handle in a Tensor and validates arguments before calling here.

/**
 * A native tensor handle: a number naming a slot in the addon's per-environment tensor
 * table (index and generation), so stale handles are refused rather than dereferenced.
 * Negative for tensors of 1 MiB or more (lib/ registers those with the GC at once).
 */
export type Handle = number & { readonly __torchTsHandle: unique symbol };
/** A graph recorded by traceForward (a native External; freed by the GC). */
export type TracedForward = object & { readonly __torchTsTraced: unique symbol };

/** A TorchScript module (native/jit.cc: an External holding a torch::jit::Module). */
export type JitRef = object & { readonly __torchTsJit: unique symbol };
/**
 * An IValue crossing to or from native/jit_ivalue.cc: null, booleans, numbers and strings as
 * themselves; tensors, lists, tuples, dicts, devices, modules and other objects tagged.
 */
export type JitValue =
  | null | boolean | number | string
  | { k: "t"; h: Handle } | { k: "l" | "u"; v: JitValue[] } | { k: "d"; v: [JitValue, JitValue][] }
  | { k: "dev"; v: string } | { k: "m"; ref: JitRef } | { k: "o"; type: string };
export interface JitMethodInfo {
  name: string;
  /** The schema as TorchScript prints it. */
  text: string;
  args: { name: string; type: string; hasDefault: boolean; kwargOnly: boolean }[];
}
export interface JitModuleInfo {
  type: string;
  /** False for a frozen module (fixed in eval mode). */
  hasTraining: boolean;
  training: boolean;
  parameters: [string, Handle | null][];
  buffers: [string, Handle | null][];
  children: [string, JitRef][];
  attributes: [string, JitValue][];
  methods: JitMethodInfo[];
}
/** A torch-ts module tree as jitTrace mirrors it. */
export interface JitModuleDesc {
  cls: string;
  training: boolean;
  parameters: [string, Handle | null][];
  buffers: [string, Handle | null][];
  children: [string, JitModuleDesc | null][];
}

/** c10d objects (native/distributed.cc Externals): a store, a process group, a work, a reducer. */
export type DistStore = object & { readonly __torchTsStore: unique symbol };
export type DistGroup = object & { readonly __torchTsGroup: unique symbol };
export type DistWork = object & { readonly __torchTsWork: unique symbol };
export type DistReducer = object & { readonly __torchTsReducer: unique symbol };
export type DistReduceOp = "SUM" | "PRODUCT" | "MIN" | "MAX" | "BAND" | "BOR" | "BXOR";

/** at::ScalarType codes (stable across libtorch 1.13 and 2.x). */
export type DtypeCode = number;
/** A Python-like scalar: an integral number acts like a Python int. */
export type Scalar = number | bigint | boolean;
/** A complex scalar, as item() returns it and full() takes it (lib/complex.ts). */
export type ComplexScalar = { re: number; im: number };
/** An operator found by opFind (an External). */
export type OpRef = { readonly __op: unique symbol };
type Opt<T> = T | null;

export interface NativeConfig {
  libtorchVersion: string;
  builtFrom: string;
  cudaBuild: boolean;
  cudaAvailable: boolean;
  cudaDeviceCount: number;
  cudnnAvailable: boolean;
  numThreads: number;
  /** The torch.distributed backends this build has ("gloo" when c10d's Gloo was found). */
  distributedBackends: string[];
  numInteropThreads: number;
  openmp: boolean;
  mkldnn: boolean;
  lapack: boolean;
  parallelInfo: string;
  /** Whether the addon raised glibc's mmap/trim thresholds (TORCH_TS_MALLOC_TUNING=0 turns it off). */
  mallocTuned: boolean;
  /** Whether CPU buffers of 2 MiB and more ask for transparent huge pages (TORCH_TS_HUGEPAGES=0 turns it off). */
  hugePages: boolean;
}

export interface Binding {
  // runtime (addon.cc)
  setErrorClass(ctor: new (message: string) => Error): void;
  liveTensors(): number;
  /** Live tensors in every environment of the process (main thread and worker_threads). */
  processLiveTensors(): number;
  /** Bytes of CPU tensor memory held by the process, as malloc sizes them (torch-ts's CPU allocator counts them). */
  cpuMemoryAllocated(): number;
  config(): NativeConfig;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  manualSeed(seed: number | bigint): void;
  cudaDeviceCount(): number;
  cudaSynchronize(index: Opt<number>): void;
  /** Benchmark floor: mean ns of `iterations` calls of at::add / at::matmul made from C++. */
  benchNativeLoop(op: "add" | "matmul", a: Handle, b: Handle, iterations: number): number;

  // any ATen operator by its schema (dispatch.cc)
  /**
   * aten::name.overload with its argument conversion codes, or null when the linked libtorch lacks it.
   * `returns` says what opCall gives back: 0 the values (default), 1 nothing (an in-place op
   * returning its self), 2 undefined with the handles of its tensor returns in opScratch() (NaN: undefined tensor).
   */
  opFind(name: string, overload: string, codes: Int32Array, returns?: 0 | 1 | 2): OpRef | null;
  /** Calls an op found by opFind: one argument per schema argument, undefined for the schema's default. */
  opCall(op: OpRef, ...args: unknown[]): unknown;
  /** The environment's scratch buffer (256 doubles, the same buffer each call), shared by opCall and indexing. */
  opScratch(): ArrayBuffer;
  /** Every registered aten:: schema, as text. */
  opSchemas(): string[];

  // Python's x[...] and x[...] = v (indexing.cc): kinds 0 None, 1 Ellipsis, 2 int, 3 bool, 4 slice [start, stop, step], 5 tensor
  indexGet(h: Handle, kinds: Int32Array, values: unknown[]): Handle;
  indexPut(h: Handle, kinds: Int32Array, values: unknown[], value: Handle | Scalar, valueIsTensor: boolean): void;
  /** indexGet/indexPut with `count` elements in opScratch(), four doubles each: [kind, a, b, c] (kinds 0-4; NaN: an omitted slice bound). */
  indexGetScratch(h: Handle, count: number): Handle;
  indexPutScratch(h: Handle, count: number, value: Handle | Scalar, valueIsTensor: boolean): void;

  // creation (tensor.cc)
  empty(shape: number[], dtype: DtypeCode, device: Opt<string>, requiresGrad: boolean): Handle;
  zeros(shape: number[], dtype: DtypeCode, device: Opt<string>, requiresGrad: boolean): Handle;
  ones(shape: number[], dtype: DtypeCode, device: Opt<string>, requiresGrad: boolean): Handle;
  full(shape: number[], value: Scalar | ComplexScalar, dtype: DtypeCode, device: Opt<string>, requiresGrad: boolean): Handle;
  arange(start: number, end: number, step: number, dtype: DtypeCode, device: Opt<string>, requiresGrad: boolean): Handle;
  linspace(start: number, end: number, steps: number, dtype: DtypeCode, device: Opt<string>, requiresGrad: boolean): Handle;
  rand(shape: number[], dtype: DtypeCode, device: Opt<string>, requiresGrad: boolean): Handle;
  randn(shape: number[], dtype: DtypeCode, device: Opt<string>, requiresGrad: boolean): Handle;
  randint(low: number, high: number, shape: number[], dtype: DtypeCode, device: Opt<string>): Handle;
  fromData(data: ArrayBufferView | ArrayBuffer, shape: number[], dtype: DtypeCode, device: Opt<string>, requiresGrad: boolean): Handle;

  // data and properties (tensor.cc)
  toData(h: Handle): ArrayBuffer;
  item(h: Handle): number | boolean | ComplexScalar;
  /** Frees the tensor; false when h was already released (the GC safety net calls it too). */
  dispose(h: Handle): boolean;
  /** Reports h's CPU bytes to V8 as external memory (once): done for tensors the GC may have to free. */
  trackMemory(h: Handle): void;
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
  erfinv_(h: Handle): void;
  add(h: Handle, other: Handle, alpha?: Scalar): Handle;
  addScalar(h: Handle, other: Scalar, alpha?: Scalar): Handle;
  sub(h: Handle, other: Handle, alpha?: Scalar): Handle;
  subScalar(h: Handle, other: Scalar, alpha?: Scalar): Handle;
  mul(h: Handle, other: Handle): Handle;
  mulScalar(h: Handle, other: Scalar): Handle;
  div(h: Handle, other: Handle): Handle;
  divScalar(h: Handle, other: Scalar): Handle;
  pow(h: Handle, other: Handle): Handle;
  powScalar(h: Handle, other: Scalar): Handle;
  remainder(h: Handle, other: Handle): Handle;
  remainderScalar(h: Handle, other: Scalar): Handle;
  eq(h: Handle, other: Handle): Handle;
  eqScalar(h: Handle, other: Scalar): Handle;
  ne(h: Handle, other: Handle): Handle;
  neScalar(h: Handle, other: Scalar): Handle;
  lt(h: Handle, other: Handle): Handle;
  ltScalar(h: Handle, other: Scalar): Handle;
  le(h: Handle, other: Handle): Handle;
  leScalar(h: Handle, other: Scalar): Handle;
  gt(h: Handle, other: Handle): Handle;
  gtScalar(h: Handle, other: Scalar): Handle;
  ge(h: Handle, other: Handle): Handle;
  geScalar(h: Handle, other: Scalar): Handle;
  add_(h: Handle, other: Handle, alpha?: Scalar): void;
  addScalar_(h: Handle, other: Scalar, alpha?: Scalar): void;
  sub_(h: Handle, other: Handle, alpha?: Scalar): void;
  subScalar_(h: Handle, other: Scalar, alpha?: Scalar): void;
  mul_(h: Handle, other: Handle): void;
  mulScalar_(h: Handle, other: Scalar): void;
  div_(h: Handle, other: Handle): void;
  divScalar_(h: Handle, other: Scalar): void;
  pow_(h: Handle, other: Handle): void;
  powScalar_(h: Handle, other: Scalar): void;
  fill_(h: Handle, value: Scalar): void;
  maximum(a: Handle, b: Handle): Handle;
  minimum(a: Handle, b: Handle): Handle;
  matmul(a: Handle, b: Handle): Handle;
  where(cond: Handle, a: Handle, b: Handle): Handle;
  clamp(h: Handle, min: Opt<Scalar>, max: Opt<Scalar>): Handle;
  clamp_(h: Handle, min: Opt<Scalar>, max: Opt<Scalar>): void;
  addcmul_(h: Handle, t1: Handle, t2: Handle, value: Scalar): void;
  addcdiv_(h: Handle, t1: Handle, t2: Handle, value: Scalar): void;
  copy_(h: Handle, src: Handle, nonBlocking: boolean): void;
  lerp_(h: Handle, end: Handle, weight: Handle): void;
  lerpScalar_(h: Handle, end: Handle, weight: Scalar): void;

  // reductions (ops.cc); dims null = all
  /** dims: null (all), one dimension, or several. */
  sum(h: Handle, dims: Opt<number | number[]>, keepdim: boolean, dtype: Opt<DtypeCode>): Handle;
  mean(h: Handle, dims: Opt<number | number[]>, keepdim: boolean, dtype: Opt<DtypeCode>): Handle;
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

  // nn (nn.cc); reduction codes: 0 none, 1 mean, 2 sum
  conv2d(input: Handle, weight: Handle, bias: Handle | null, stride: number[], padding: number[], dilation: number[], groups: number): Handle;
  batchNorm(input: Handle, weight: Handle | null, bias: Handle | null, runningMean: Handle | null, runningVar: Handle | null,
    training: boolean, momentum: number, eps: number): Handle;
  maxPool2d(input: Handle, kernel: number[], stride: number[], padding: number[], dilation: number[], ceilMode: boolean): Handle;
  avgPool2d(input: Handle, kernel: number[], stride: number[], padding: number[], ceilMode: boolean, countIncludePad: boolean,
    divisorOverride: number | null): Handle;
  adaptiveAvgPool2d(input: Handle, outputSize: number[]): Handle;
  linear(input: Handle, weight: Handle, bias: Handle | null): Handle;
  dropout(input: Handle, p: number, training: boolean): Handle;
  softmax(input: Handle, dim: number, dtype: Opt<DtypeCode>): Handle;
  logSoftmax(input: Handle, dim: number, dtype: Opt<DtypeCode>): Handle;
  nllLoss(input: Handle, target: Handle, weight: Handle | null, reduction: number, ignoreIndex: number): Handle;
  crossEntropy(input: Handle, target: Handle, weight: Handle | null, reduction: number, ignoreIndex: number, labelSmoothing: number): Handle;
  mseLoss(input: Handle, target: Handle, reduction: number): Handle;
  normal_(h: Handle, mean: number, std: number): void;
  uniform_(h: Handle, from: number, to: number): void;
  /** Python `param.data = src`: same handle, new storage/dtype/device. */
  setData(h: Handle, src: Handle): void;

  // storage access for checkpoints (nn.cc)
  /** [storage key (device + data pointer), storage bytes, storage offset in elements] */
  storageInfo(h: Handle): [key: string, nbytes: number, offset: number];
  /** Every byte of h's storage, copied to the CPU. */
  storageData(h: Handle): ArrayBuffer;
  /** A new (non-view) tensor over h's storage, as Python's _rebuild_tensor: empty().set_(storage, offset, size, stride). */
  rebuildTensor(h: Handle, size: number[], stride: number[], offset: number): Handle;
  // checkpoint storage I/O (storage_io.cc)
  /** The byte ranges of fd (offsets, lengths) read one after another into one Buffer: many small reads in one call. */
  readRanges(fd: number, offsets: Float64Array, lengths: Uint32Array): Buffer;
  /**
   * Fills each handle's whole CPU storage (exactly nbytes[i]) from source (a file descriptor or
   * bytes in memory) at offsets[i], on up to 4 threads; swaps[i] > 1 byte-swaps each element
   * afterwards. Returns each range's CRC-32 (zeros unless crc).
   */
  fillStorages(source: number | Uint8Array, handles: Handle[], offsets: Float64Array, nbytes: Float64Array, swaps: Int32Array, crc: boolean): Float64Array;
  /** h's CPU storage bytes themselves (no copy; keeps the storage alive); throws for other devices. */
  storageView(h: Handle): ArrayBuffer;
  /** zlib's CRC-32 of each chunk, as the checkpoint reader computes it; big ones in pieces on up to 4 threads. */
  crc32s(chunks: Uint8Array[]): Float64Array;
  /** Starts writing a range of fd to disk without waiting (sync_file_range); advice only. */
  startWriteback(fd: number, offset: number, nbytes: number): void;
  // optimizers (optim.cc)
  /**
   * One Adam/AdamW step of a parameter group: PyTorch's single-tensor op sequence, or with
   * foreach its _multi_tensor_adam sequence per (device, dtype); maxExpAvgSqs only with amsgrad.
   */
  adamStep(
    params: Handle[], grads: Handle[], expAvgs: Handle[], expAvgSqs: Handle[], maxExpAvgSqs: Handle[] | null, steps: Handle[],
    hyper: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; amsgrad: boolean; maximize: boolean; decoupled: boolean; foreach: boolean },
  ): void;
  // non-blocking forward (async.cc)
  /** Records fn(x) with libtorch's tracer; inputs = [x, ...parameters and buffers]. */
  traceForward(fn: (x: Handle) => Handle, inputs: Handle[]): TracedForward;
  /** The recorded graph as torch.jit prints it. */
  tracedGraph(traced: TracedForward): string;
  /** Runs the graph on a libuv worker thread (inputs[0] is copied first) in the caller's grad mode. */
  runTracedAsync(traced: TracedForward, inputs: Handle[]): Promise<Handle>;
  // TorchScript (jit.cc)
  jitLoad(source: string | Uint8Array, device: string | null): JitRef;
  jitInfo(ref: JitRef): JitModuleInfo;
  jitRun(ref: JitRef, method: string, args: JitValue[], kwargs: Record<string, JitValue> | null): JitValue;
  jitRunAsync(ref: JitRef, method: string, args: JitValue[], kwargs: Record<string, JitValue> | null): Promise<JitValue>;
  /** Module::train: this module and every submodule. */
  jitTrain(ref: JitRef, mode: boolean): void;
  jitSave(ref: JitRef, path: string): undefined;
  jitSave(ref: JitRef, path: null): Buffer;
  jitFreeze(ref: JitRef, preservedAttrs: string[] | null, optimizeNumerics: boolean): JitRef;
  jitOptimizeForInference(ref: JitRef, otherMethods: string[]): JitRef;
  jitTrace(desc: JitModuleDesc, fn: (...inputs: Handle[]) => JitValue, inputs: Handle[], strict: boolean): JitRef;
  jitGraph(ref: JitRef, method: string): string;
  jitSetAttr(ref: JitRef, name: string, value: JitValue): void;
  jitGetAttr(ref: JitRef, name: string): JitValue;
  // torch.distributed on c10d (distributed.cc; absent when the build has no Gloo)
  distTcpStore(host: string, port: number, worldSize: number, isServer: boolean, timeoutMs: number, waitWorkers: boolean): DistStore;
  distFileStore(path: string, worldSize: number): DistStore;
  distPrefixStore(prefix: string, store: DistStore): DistStore;
  distStoreSetTimeout(store: DistStore, timeoutMs: number): void;
  distStoreAdd(store: DistStore, key: string, n: number): number;
  distStoreSet(store: DistStore, key: string, value: Uint8Array): void;
  distStoreGet(store: DistStore, key: string): Buffer;
  distGloo(store: DistStore, rank: number, size: number, timeoutMs: number): DistGroup;
  distSetSequenceNumber(group: DistGroup): void;
  distCollective(group: DistGroup, op: "allreduce", tensors: Handle[], reduceOp: DistReduceOp): DistWork;
  distCollective(group: DistGroup, op: "broadcast", tensors: Handle[], root: number): DistWork;
  distCollective(group: DistGroup, op: "reduce", tensors: Handle[], root: number, reduceOp: DistReduceOp): DistWork;
  distCollective(group: DistGroup, op: "allgather", outputs: Handle[][], inputs: Handle[]): DistWork;
  distCollective(group: DistGroup, op: "gather", outputs: Handle[][], inputs: Handle[], root: number): DistWork;
  distCollective(group: DistGroup, op: "scatter", outputs: Handle[], inputs: Handle[][], root: number): DistWork;
  distCollective(group: DistGroup, op: "alltoall_base", output: Handle, input: Handle, outputSplits: number[], inputSplits: number[]): DistWork;
  distCollective(group: DistGroup, op: "send" | "recv", tensors: Handle[], peer: number, tag: number): DistWork;
  distCollective(group: DistGroup, op: "barrier"): DistWork;
  distWait(work: DistWork, timeoutMs: number | null): void;
  distIsCompleted(work: DistWork): boolean;
  distWaitAsync(work: DistWork): Promise<void>;
  distBroadcastCoalesced(group: DistGroup, tensors: Handle[], bufferBytes: number, src: number): void;
  distVerifyParams(group: DistGroup, params: Handle[]): void;
  distComputeBuckets(params: Handle[], sizeLimits: number[], expectSparse: boolean[]): [number[][], number[]];
  distReducer(group: DistGroup, params: Handle[], bucketIndices: number[][], perBucketLimits: number[], expectSparse: boolean[],
    bucketBytesCap: number, findUnused: boolean, gradientAsBucketView: boolean, paramNames: string[], firstBucketBytesCap: number): DistReducer;
  distReducerCall(reducer: DistReducer, what: "prepareForForward" | "setStaticGraph"): undefined;
  distReducerCall(reducer: DistReducer, what: "rebuildBuckets"): boolean;
  distReducerCall(reducer: DistReducer, what: "prepareForBackward", outputs: Handle[]): undefined;
  distSink(reducer: DistReducer, delayAllReduce: boolean, outputs: Handle[]): Handle[];
  // accelerator runtime (device.cc)
  /** Enters an autocast scope; returns the previous [enabled, dtype code] for autocastExit. */
  autocastEnter(device: "cpu" | "cuda", enabled: boolean, dtype: DtypeCode): [boolean, DtypeCode];
  autocastExit(device: "cpu" | "cuda", enabled: boolean, dtype: DtypeCode): void;
  isAutocastEnabled(device: "cpu" | "cuda"): boolean;
  cudnnBenchmark(): boolean;
  setCudnnBenchmark(enabled: boolean): void;
  /** Caching-allocator statistics (bytes), or resetPeak/emptyCache; throws where libtorch lacks them. */
  cudaMemory(op: "allocated" | "maxAllocated" | "reserved" | "maxReserved" | "resetPeak" | "emptyCache", device: number): number | undefined;
  pinMemory(h: Handle): Handle;
  isPinned(h: Handle): boolean;
  contiguousAs(h: Handle, format: "contiguousFormat" | "channelsLast" | "channelsLast3d" | "preserveFormat"): Handle;
  isContiguousAs(h: Handle, format: "contiguousFormat" | "channelsLast" | "channelsLast3d" | "preserveFormat"): boolean;
  // image pipeline (image.cc)
  /** JPEG → HWC RGB with the system libjpeg-turbo, PIL's settings; null when not handled here. */
  decodeJpeg(bytes: Uint8Array): { data: Uint8Array; width: number; height: number } | null;
  /** The crop box of an HWC uint8 image resized as PIL's bilinear resample. */
  resizedCrop(data: Uint8Array, height: number, width: number, channels: number, top: number, left: number,
    cropH: number, cropW: number, outH: number, outW: number): Uint8Array;
}
