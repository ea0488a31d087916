// Python: torch.nn.parallel.DistributedDataParallel, driving the same c10d::Reducer Python's
// DDP drives (native/distributed.cc): each parameter's gradient accumulator gets a hook, and
// a bucket of gradients is all-reduced (and averaged) as soon as its last gradient is ready,
// while backward is still computing the others. The steps and their order follow
// torch/nn/parallel/distributed.py (1.13): parameter shapes verified across ranks, rank 0's
// parameters and buffers broadcast when wrapped, one bucket for the first iteration and
// buckets rebuilt in gradient-ready order before the second, buffers broadcast before each
// forward. So the bucket assignment is the one a Python rank computes for the same model,
// and a torch-ts rank and a Python rank can train one model in one group.
import type { Handle } from "../../binding.js";
import { native } from "../binding.js";
import { isGradEnabled, noGrad } from "../autograd.js";
import { TorchError } from "../errors.js";
import { Module } from "../nn/module.js";
import { Embedding, EmbeddingBag } from "../nn/embedding.js";
import { handleOf, Tensor, wrap } from "../tensor/index.js";
import { checkOptions } from "../validate.js";
import { groupOf, type ProcessGroup } from "./process_group.js";
import { explainFailure } from "./faults.js";

/** Python: dist._DEFAULT_FIRST_BUCKET_BYTES (1 MiB). */
const FIRST_BUCKET_BYTES = 1024 * 1024;
/** Python's broadcast_bucket_size for parameter and buffer sync (250 MiB). */
const BROADCAST_BUCKET_BYTES = 250 * 1024 * 1024;
/** Stands for sys.maxsize: "one bucket for everything" (exact in a double, larger than any model). */
const UNLIMITED = 2 ** 53;

export interface DistributedDataParallelOptions {
  /** CPU modules take none (null); a CUDA module its one device. Accepted for Python's signature. */
  deviceIds?: (number | string)[] | null;
  outputDevice?: number | string | null;
  /** Broadcast rank 0's buffers (BatchNorm statistics) before each forward (default true). */
  broadcastBuffers?: boolean;
  processGroup?: ProcessGroup | null;
  /** Bucket size in MiB (default 25). */
  bucketCapMb?: number;
  /** Find parameters the forward did not use, so their gradients are not waited for (default false). */
  findUnusedParameters?: boolean;
  gradientAsBucketView?: boolean;
  /** The graph is the same each iteration: unused parameters are found once (default false). */
  staticGraph?: boolean;
}

function tensorsIn(value: unknown, out: Tensor[] = []): Tensor[] {
  if (value instanceof Tensor) out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => tensorsIn(v, out));
  else if (value instanceof Map) value.forEach((v) => tensorsIn(v, out));
  else if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) Object.values(value).forEach((v) => tensorsIn(v, out));
  return out;
}

/** The output with each tensor replaced by the next of `replacements` (same walk order as tensorsIn). */
function replaceTensors(value: unknown, next: () => Tensor): unknown {
  if (value instanceof Tensor) return next();
  if (Array.isArray(value)) return value.map((v) => replaceTensors(v, next));
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, replaceTensors(v, next)]));
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceTensors(v, next)]));
  }
  return value;
}

export class DistributedDataParallel<M extends Module = Module> extends Module {
  /** The wrapped module: its state dict keys get the "module." prefix, as in Python. */
  readonly module: M;
  readonly broadcastBuffers: boolean;
  readonly findUnusedParameters: boolean;
  readonly gradientAsBucketView: boolean;
  readonly bucketBytesCap: number;
  readonly processGroup: ProcessGroup;
  #staticGraph: boolean;
  #numIterations = 0;
  #requireBackwardGradSync = true;
  #requireForwardParamSync = true;
  readonly #reducer: ReturnType<typeof native.distReducer>;

  constructor(module: M, options?: DistributedDataParallelOptions) {
    super();
    const fn = "nn.parallel.DistributedDataParallel";
    if (!(module instanceof Module)) throw new TypeError(`${fn}: module must be an nn.Module`);
    const o = checkOptions(fn, options, ["deviceIds", "outputDevice", "broadcastBuffers", "processGroup", "bucketCapMb", "findUnusedParameters", "gradientAsBucketView", "staticGraph"]) as DistributedDataParallelOptions;
    this.module = module;
    this.processGroup = groupOf(fn, o.processGroup);
    if (this.processGroup.native === null) throw new TorchError(`${fn}: this process is not a member of the process group`);
    this.broadcastBuffers = o.broadcastBuffers ?? true;
    this.findUnusedParameters = o.findUnusedParameters ?? false;
    this.gradientAsBucketView = o.gradientAsBucketView ?? false;
    this.bucketBytesCap = Math.floor((o.bucketCapMb ?? 25) * 1024 * 1024);
    const pg = this.processGroup.native;

    // _build_params_for_reducer: each module's own parameters that require grad, deduplicated.
    const params: Tensor[] = [];
    const names: string[] = [];
    const sparse: boolean[] = [];
    const seen = new Set<Tensor>();
    for (const [prefix, m] of module.namedModules()) {
      for (const [name, p] of m.namedParameters({ recurse: false })) {
        if (!p.requiresGrad || seen.has(p)) continue;
        seen.add(p);
        params.push(p);
        names.push(prefix === "" ? name : `${prefix}.${name}`);
        sparse.push((m instanceof Embedding || m instanceof EmbeddingBag) && m.sparse);
      }
    }
    if (params.length === 0) throw new TorchError(`${fn}: DistributedDataParallel is not needed when a module doesn't have any parameter that requires a gradient.`);
    const handles = params.map(handleOf);
    try {
      native.distVerifyParams(pg, handles);
      // _sync_module_states: every parameter and buffer from rank 0.
      const states = [...module.parameters(), ...module.buffers()].map(handleOf);
      noGrad(() => native.distBroadcastCoalesced(pg, states, BROADCAST_BUCKET_BYTES, 0));
    } catch (err) {
      throw explainFailure(err);
    }
    // _ddp_init_helper: one bucket for the first iteration unless unused parameters are searched for.
    const limits = o.staticGraph === true || !this.findUnusedParameters ? [UNLIMITED] : [FIRST_BUCKET_BYTES, this.bucketBytesCap];
    const [indices, perBucket] = native.distComputeBuckets(handles, limits, sparse);
    this.#reducer = native.distReducer(pg, handles, indices.reverse(), perBucket.reverse(), sparse, this.bucketBytesCap,
      this.findUnusedParameters, this.gradientAsBucketView, names, FIRST_BUCKET_BYTES);
    this.#staticGraph = false;
    if (o.staticGraph === true) this.setStaticGraph();
  }

  /** Python: `ddp._set_static_graph()`. */
  setStaticGraph(): void {
    if (this.#staticGraph) return;
    this.#staticGraph = true;
    native.distReducerCall(this.#reducer, "setStaticGraph");
  }

  /** Python: `with ddp.no_sync():` — gradients accumulate locally inside fn (forward and backward), unreduced. */
  noSync<T>(fn: () => T): T {
    const old = this.#requireBackwardGradSync;
    this.#requireBackwardGradSync = false;
    let result: T;
    try {
      result = fn();
    } catch (err) {
      this.#requireBackwardGradSync = old;
      throw err;
    }
    if (result instanceof Promise) {
      return result.finally(() => (this.#requireBackwardGradSync = old)) as T;
    }
    this.#requireBackwardGradSync = old;
    return result;
  }

  forward(...inputs: Parameters<M["forward"]>): ReturnType<M["forward"]> {
    const grad = isGradEnabled();
    const sync = grad && this.#requireBackwardGradSync;
    try {
      if (sync) {
        this.#numIterations += 1;
        native.distReducerCall(this.#reducer, "prepareForForward");
      }
      if (grad) native.distReducerCall(this.#reducer, "rebuildBuckets");
      if (this.#requireForwardParamSync && this.broadcastBuffers) {
        const buffers = [...this.module.buffers()].map(handleOf);
        if (buffers.length > 0) noGrad(() => native.distBroadcastCoalesced(this.processGroup.native!, buffers, BROADCAST_BUCKET_BYTES, 0));
      }
    } catch (err) {
      throw explainFailure(err);
    }
    let output: unknown = this.module.forward(...inputs);
    if (sync) {
      this.#requireForwardParamSync = true;
      const outputs = this.findUnusedParameters && !this.#staticGraph ? tensorsIn(output).map(handleOf) : [];
      native.distReducerCall(this.#reducer, "prepareForBackward", outputs);
    } else {
      this.#requireForwardParamSync = false;
    }
    if ((this.findUnusedParameters && !this.#staticGraph) || (this.#staticGraph && this.#numIterations === 1)) {
      // _DDPSink: tensors with a graph pass through it; leaves and constants stay as they are.
      const all = tensorsIn(output);
      const through = all.filter((t) => !t.isLeaf);
      const sunk = native.distSink(this.#reducer, this.#staticGraph && this.#numIterations === 1, through.map(handleOf)).map((h: Handle) => wrap(h));
      let k = 0;
      let i = 0;
      output = replaceTensors(output, () => {
        const t = all[i++]!;
        return !t.isLeaf ? sunk[k++]! : t;
      });
    }
    return output as ReturnType<M["forward"]>;
  }
}
