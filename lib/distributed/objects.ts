// Python's broadcast_object_list and all_gather_object: objects travel as pickles in uint8
// tensors, sizes first, with Python's exact steps (distributed_c10d.py), so a Python rank in
// the same group receives what a torch-ts rank sends and the other way round. The values are
// what torch.save can write without tensors (numbers, strings, arrays, Maps, plain objects,
// tuples, null); what arrives is decoded by the weights-only unpickler, so a peer's pickle
// cannot run code here.
import { TorchError } from "../errors.js";
import { tidy } from "../memory.js";
import { checkpointHooks } from "../serialization/globals.js";
import { Pickler, PicklingError } from "../serialization/pickler.js";
import { unpickle } from "../serialization/unpickler.js";
import { empty, tensor as makeTensor, zeros } from "../tensor/creation.js";
import { cat } from "../tensor/functions.js";
import { Tensor } from "../tensor/index.js";
import { allGather, broadcast } from "./collectives.js";
import { getRank, getWorldSize, type ProcessGroup } from "./process_group.js";

function toBytes(fn: string, value: unknown): Buffer {
  const pickler = new Pickler(() => {
    throw new PicklingError(`${fn}: objects holding tensors cannot be sent this way; send tensors with broadcast/allGather`);
  });
  return pickler.dump(value);
}

function fromBytes(bytes: Uint8Array): unknown {
  return unpickle(bytes, checkpointHooks()).value;
}

function bytesOf(t: Tensor, n: number): Uint8Array {
  return Uint8Array.from((t.narrow(0, 0, n).tolist() as number[]));
}

/** Python: `dist.broadcast_object_list(object_list, src=0, group=None)`: fills `objectList` in place on every rank but src. */
export function broadcastObjectList(objectList: unknown[], src = 0, options?: { group?: ProcessGroup | null }): void {
  const fn = "torch.distributed.broadcastObjectList";
  if (!Array.isArray(objectList)) throw new TypeError(`${fn}: objectList must be an array`);
  const me = getRank(options?.group);
  if (me < 0) return;
  const group = options?.group ?? null;
  const isSrc = (group === null ? me : group.ranks[me]) === src;
  tidy(() => {
    const pickles = isSrc ? objectList.map((o) => toBytes(fn, o)) : [];
    const sizes = isSrc ? makeTensor(pickles.map((p) => p.length), { dtype: "int64" }) : empty([objectList.length], { dtype: "int64" });
    broadcast(sizes, src, { group });
    const lengths = sizes.tolist() as number[];
    const total = lengths.reduce((a, b) => a + b, 0);
    const data = isSrc ? (total === 0 ? empty([0], { dtype: "uint8" }) : cat(pickles.map((p) => makeTensor(Uint8Array.from(p), { dtype: "uint8" })))) : empty([total], { dtype: "uint8" });
    broadcast(data, src, { group });
    if (isSrc) return;
    const all = Uint8Array.from(data.tolist() as number[]);
    let at = 0;
    for (let i = 0; i < lengths.length; i++) {
      objectList[i] = fromBytes(all.subarray(at, at + lengths[i]!));
      at += lengths[i]!;
    }
  });
}

/** Python: `dist.all_gather_object(object_list, obj, group=None)`: objectList[i] = rank i's obj. */
export function allGatherObject(objectList: unknown[], obj: unknown, options?: { group?: ProcessGroup | null }): void {
  const fn = "torch.distributed.allGatherObject";
  if (!Array.isArray(objectList)) throw new TypeError(`${fn}: objectList must be an array`);
  const size = getWorldSize(options?.group);
  if (size < 0) return;
  if (objectList.length !== size) throw new TorchError(`${fn}: objectList must hold ${size} entries (the group size), got ${objectList.length}`);
  const group = options?.group ?? null;
  tidy(() => {
    const mine = toBytes(fn, obj);
    const sizes = zeros([size], { dtype: "int64" });
    const sizeViews = Array.from({ length: size }, (_, i) => sizes.narrow(0, i, 1));
    allGather(sizeViews, makeTensor([mine.length], { dtype: "int64" }), { group });
    const lengths = sizes.tolist() as number[];
    const max = Math.max(...lengths);
    const input = zeros([max], { dtype: "uint8" });
    if (mine.length > 0) input.narrow(0, 0, mine.length).copy_(makeTensor(Uint8Array.from(mine), { dtype: "uint8" }));
    const out = empty([max * size], { dtype: "uint8" });
    const views = Array.from({ length: size }, (_, i) => out.narrow(0, i * max, max));
    allGather(views, input, { group });
    views.forEach((v, i) => (objectList[i] = fromBytes(bytesOf(v, lengths[i]!))));
  });
}
