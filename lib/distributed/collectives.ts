// Python's torch.distributed collectives, on the group's c10d ProcessGroupGloo. Tensors are
// written in place, as in Python. With `{ asyncOp: true }` each returns a Work (wait() does
// not block the event loop); otherwise it returns once the collective has ended. src/dst are
// global ranks, as in Python. Where Gloo lacks an operation Python's NCCL has — ReduceOp.AVG,
// reduce_scatter, all_to_all of lists — it is composed here from the ones Gloo has, with the
// same result.
import type { DistReduceOp, DistWork } from "../../binding.js";
import { native } from "../binding.js";
import { TorchError } from "../errors.js";
import { noGrad } from "../autograd.js";
import { cat } from "../tensor/functions.js";
import { handleOf, Tensor } from "../tensor/index.js";
import { checkOptions } from "../validate.js";
import { groupOf, type ProcessGroup } from "./process_group.js";
import { explainFailure } from "./faults.js";
import { Work } from "./work.js";

/** Python: `dist.ReduceOp`. AVG is SUM then a division by the group size (Gloo has no AVG). */
export const ReduceOp = { SUM: "SUM", AVG: "AVG", PRODUCT: "PRODUCT", MIN: "MIN", MAX: "MAX", BAND: "BAND", BOR: "BOR", BXOR: "BXOR" } as const;
export type ReduceOp = (typeof ReduceOp)[keyof typeof ReduceOp];

export interface CollectiveOptions {
  group?: ProcessGroup | null;
  asyncOp?: boolean;
}
export interface ReduceOptions extends CollectiveOptions {
  op?: ReduceOp;
}

function tensorArg(fn: string, name: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${fn}: ${name} must be a Tensor, got ${t === null ? "null" : typeof t}`);
  if (!t.isContiguous()) throw new TorchError(`${fn}: ${name} must be contiguous (call .contiguous() first), as c10d requires`);
  return t;
}

function tensorsArg(fn: string, name: string, list: unknown, length?: number): Tensor[] {
  if (!Array.isArray(list)) throw new TypeError(`${fn}: ${name} must be an array of Tensors`);
  if (length !== undefined && list.length !== length) throw new RangeError(`${fn}: ${name} must hold ${length} tensors (the group size), got ${list.length}`);
  return list.map((t, i) => tensorArg(fn, `${name}[${i}]`, t));
}

function opArg(fn: string, op: unknown): ReduceOp {
  const v = op ?? "SUM";
  if (typeof v !== "string" || !Object.hasOwn(ReduceOp, v)) throw new TypeError(`${fn}: op must be one of ${Object.keys(ReduceOp).join(", ")}, got ${String(v)}`);
  return v as ReduceOp;
}

/** Runs a native collective: waits now, or hands back a Work. `after` finishes the result. */
function launch(fn: string, asyncOp: boolean | undefined, start: () => DistWork, after: (() => void) | null = null): Work | undefined {
  let work: DistWork;
  try {
    work = start();
  } catch (err) {
    throw explainFailure(err);
  }
  const w = new Work(work, after);
  if (asyncOp === true) return w;
  w.waitSync();
  return undefined;
}

function avgDivide(fn: string, tensors: Tensor[], size: number): () => void {
  for (const t of tensors) {
    if (!t.isFloatingPoint() && !t.isComplex()) throw new TorchError(`${fn}: ReduceOp.AVG needs a floating-point tensor, got ${t.dtype}`);
  }
  return () => noGrad(() => tensors.forEach((t) => t.div_(size)));
}

/** The group and the options, or null when this process is not in the group (Python: a no-op). */
function start(fn: string, options: unknown, keys: string[]): { g: ProcessGroup; o: Record<string, unknown> } | null {
  const o = checkOptions(fn, options, ["group", "asyncOp", ...keys]);
  const g = groupOf(fn, o.group as ProcessGroup | undefined);
  return g.rank < 0 || g.native === null ? null : { g, o };
}

/** Python: `dist.all_reduce(tensor, op=SUM, group=None, async_op=False)`. */
export function allReduce(tensor: Tensor, options?: ReduceOptions): Work | undefined {
  const fn = "torch.distributed.allReduce";
  const t = tensorArg(fn, "tensor", tensor);
  const s = start(fn, options, ["op"]);
  if (s === null) return undefined;
  const op = opArg(fn, s.o.op);
  const after = op === "AVG" ? avgDivide(fn, [t], s.g.size) : null;
  return launch(fn, s.o.asyncOp as boolean, () => native.distCollective(s.g.native!, "allreduce", [handleOf(t)], (op === "AVG" ? "SUM" : op) as DistReduceOp), after);
}

/** Python: `dist.broadcast(tensor, src, group=None, async_op=False)`. */
export function broadcast(tensor: Tensor, src: number, options?: CollectiveOptions): Work | undefined {
  const fn = "torch.distributed.broadcast";
  const t = tensorArg(fn, "tensor", tensor);
  const s = start(fn, options, []);
  if (s === null) return undefined;
  const root = s.g.groupRank(src);
  return launch(fn, s.o.asyncOp as boolean, () => native.distCollective(s.g.native!, "broadcast", [handleOf(t)], root));
}

/** Python: `dist.reduce(tensor, dst, op=SUM, group=None, async_op=False)`. */
export function reduce(tensor: Tensor, dst: number, options?: ReduceOptions): Work | undefined {
  const fn = "torch.distributed.reduce";
  const t = tensorArg(fn, "tensor", tensor);
  const s = start(fn, options, ["op"]);
  if (s === null) return undefined;
  const op = opArg(fn, s.o.op);
  const root = s.g.groupRank(dst);
  const after = op === "AVG" && s.g.rank === root ? avgDivide(fn, [t], s.g.size) : null;
  return launch(fn, s.o.asyncOp as boolean, () => native.distCollective(s.g.native!, "reduce", [handleOf(t)], root, (op === "AVG" ? "SUM" : op) as DistReduceOp), after);
}

/** Python: `dist.all_gather(tensor_list, tensor, group=None, async_op=False)`. */
export function allGather(tensorList: Tensor[], tensor: Tensor, options?: CollectiveOptions): Work | undefined {
  const fn = "torch.distributed.allGather";
  const t = tensorArg(fn, "tensor", tensor);
  const s = start(fn, options, []);
  if (s === null) return undefined;
  const outs = tensorsArg(fn, "tensorList", tensorList, s.g.size);
  return launch(fn, s.o.asyncOp as boolean, () => native.distCollective(s.g.native!, "allgather", [outs.map(handleOf)], [handleOf(t)]));
}

/** Python: `dist.gather(tensor, gather_list=None, dst=0, group=None, async_op=False)`. */
export function gather(tensor: Tensor, gatherList: Tensor[] | null = null, dst = 0, options?: CollectiveOptions): Work | undefined {
  const fn = "torch.distributed.gather";
  const t = tensorArg(fn, "tensor", tensor);
  const s = start(fn, options, []);
  if (s === null) return undefined;
  const root = s.g.groupRank(dst);
  let outputs: Tensor[][] = [];
  if (s.g.rank === root) {
    if (gatherList === null) throw new TorchError(`${fn}: Argument \`gatherList\` must be specified on destination rank.`);
    outputs = [tensorsArg(fn, "gatherList", gatherList, s.g.size)];
  } else if (gatherList !== null && gatherList.length > 0) {
    throw new TorchError(`${fn}: Argument \`gatherList\` must NOT be specified on non-destination ranks.`);
  }
  return launch(fn, s.o.asyncOp as boolean, () => native.distCollective(s.g.native!, "gather", outputs.map((l) => l.map(handleOf)), [handleOf(t)], root));
}

/** Python: `dist.scatter(tensor, scatter_list=None, src=0, group=None, async_op=False)`. */
export function scatter(tensor: Tensor, scatterList: Tensor[] | null = null, src = 0, options?: CollectiveOptions): Work | undefined {
  const fn = "torch.distributed.scatter";
  const t = tensorArg(fn, "tensor", tensor);
  const s = start(fn, options, []);
  if (s === null) return undefined;
  const root = s.g.groupRank(src);
  let inputs: Tensor[][] = [];
  if (s.g.rank === root) {
    if (scatterList === null) throw new TorchError(`${fn}: Argument \`scatterList\` must be specified on source rank.`);
    inputs = [tensorsArg(fn, "scatterList", scatterList, s.g.size)];
  } else if (scatterList !== null && scatterList.length > 0) {
    throw new TorchError(`${fn}: Argument \`scatterList\` must NOT be specified on non-source ranks.`);
  }
  return launch(fn, s.o.asyncOp as boolean, () => native.distCollective(s.g.native!, "scatter", [handleOf(t)], inputs.map((l) => l.map(handleOf)), root));
}

/**
 * Python: `dist.reduce_scatter(output, input_list, op=SUM, group=None, async_op=False)`:
 * output = reduction over ranks of input_list[rank]. Gloo has no reduce_scatter: the inputs
 * are all-reduced as one flat tensor and this rank's part copied out.
 */
export function reduceScatter(output: Tensor, inputList: Tensor[], options?: ReduceOptions): Work | undefined {
  const fn = "torch.distributed.reduceScatter";
  const out = tensorArg(fn, "output", output);
  const s = start(fn, options, ["op"]);
  if (s === null) return undefined;
  const inputs = tensorsArg(fn, "inputList", inputList, s.g.size);
  const op = opArg(fn, s.o.op);
  const flat = noGrad(() => cat(inputs.map((t) => t.reshape([-1]))));
  const offsets = inputs.map((t) => t.numel());
  const after = () => {
    noGrad(() => {
      const start = offsets.slice(0, s.g.rank).reduce((a, b) => a + b, 0);
      const mine = flat.narrow(0, start, offsets[s.g.rank]!).view(out.shape);
      out.copy_(op === "AVG" ? mine.div(s.g.size) : mine);
    });
    flat.dispose();
  };
  if (op === "AVG") avgDivide(fn, [out], s.g.size);
  return launch(fn, s.o.asyncOp as boolean, () => native.distCollective(s.g.native!, "allreduce", [handleOf(flat)], (op === "AVG" ? "SUM" : op) as DistReduceOp), after);
}

/** Python: `dist.all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None, …)`. */
export function allToAllSingle(output: Tensor, input: Tensor, options?: CollectiveOptions & { outputSplitSizes?: number[]; inputSplitSizes?: number[] }): Work | undefined {
  const fn = "torch.distributed.allToAllSingle";
  const out = tensorArg(fn, "output", output);
  const inp = tensorArg(fn, "input", input);
  const s = start(fn, options, ["outputSplitSizes", "inputSplitSizes"]);
  if (s === null) return undefined;
  const os = (s.o.outputSplitSizes as number[] | undefined) ?? [];
  const is = (s.o.inputSplitSizes as number[] | undefined) ?? [];
  return launch(fn, s.o.asyncOp as boolean, () => native.distCollective(s.g.native!, "alltoall_base", handleOf(out), handleOf(inp), os, is));
}

/** Python: `dist.all_to_all(output_tensor_list, input_tensor_list, …)`, on Gloo's alltoall_base over the flattened lists. */
export function allToAll(outputList: Tensor[], inputList: Tensor[], options?: CollectiveOptions): Work | undefined {
  const fn = "torch.distributed.allToAll";
  const s = start(fn, options, []);
  if (s === null) return undefined;
  const outs = tensorsArg(fn, "outputList", outputList, s.g.size);
  const ins = tensorsArg(fn, "inputList", inputList, s.g.size);
  const dtype = ins[0]!.dtype;
  if ([...outs, ...ins].some((t) => t.dtype !== dtype)) throw new TorchError(`${fn}: every tensor must have one dtype (${dtype})`);
  const flatIn = noGrad(() => cat(ins.map((t) => t.reshape([-1]))));
  const flatOut = noGrad(() => cat(outs.map((t) => t.reshape([-1]))));
  const after = () => {
    noGrad(() => {
      let at = 0;
      for (const t of outs) {
        t.copy_(flatOut.narrow(0, at, t.numel()).view(t.shape));
        at += t.numel();
      }
    });
    flatIn.dispose();
    flatOut.dispose();
  };
  return launch(fn, s.o.asyncOp as boolean, () => native.distCollective(s.g.native!, "alltoall_base", handleOf(flatOut), handleOf(flatIn), outs.map((t) => t.numel()), ins.map((t) => t.numel())), after);
}

function p2p(fn: string, op: "send" | "recv", tensor: Tensor, peer: number, options: unknown, asyncOp: boolean): Work | undefined {
  const t = tensorArg(fn, "tensor", tensor);
  const o = checkOptions(fn, options, ["group", "tag"]);
  const g = groupOf(fn, o.group as ProcessGroup | undefined);
  if (g.rank < 0 || g.native === null) return undefined;
  const tag = (o.tag as number | undefined) ?? 0;
  const r = g.groupRank(peer);
  if (r === g.rank) throw new TorchError(`${fn}: Invalid ${op === "send" ? "destination" : "source"} rank: should not be the same as the rank of the current process.`);
  return launch(fn, asyncOp, () => native.distCollective(g.native!, op, [handleOf(t)], r, tag));
}

/** Python: `dist.send(tensor, dst, group=None, tag=0)`. */
export function send(tensor: Tensor, dst: number, options?: { group?: ProcessGroup | null; tag?: number }): void {
  p2p("torch.distributed.send", "send", tensor, dst, options, false);
}
/** Python: `dist.recv(tensor, src, group=None, tag=0)`: returns the sender's rank. */
export function recv(tensor: Tensor, src: number, options?: { group?: ProcessGroup | null; tag?: number }): number {
  p2p("torch.distributed.recv", "recv", tensor, src, options, false);
  return src;
}
/** Python: `dist.isend(tensor, dst, group=None, tag=0)`. */
export function isend(tensor: Tensor, dst: number, options?: { group?: ProcessGroup | null; tag?: number }): Work | undefined {
  return p2p("torch.distributed.isend", "send", tensor, dst, options, true);
}
/** Python: `dist.irecv(tensor, src, group=None, tag=0)`. */
export function irecv(tensor: Tensor, src: number, options?: { group?: ProcessGroup | null; tag?: number }): Work | undefined {
  return p2p("torch.distributed.irecv", "recv", tensor, src, options, true);
}

/** Python: `dist.barrier(group=None, async_op=False)`. */
export function barrier(options?: CollectiveOptions): Work | undefined {
  const fn = "torch.distributed.barrier";
  const s = start(fn, options, []);
  if (s === null) return undefined;
  return launch(fn, s.o.asyncOp as boolean, () => native.distCollective(s.g.native!, "barrier"));
}
