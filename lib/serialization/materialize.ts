// Turns the unpickled object tree into the user's values: every PendingTensor becomes a
// Tensor viewing its storage, shared storages stay shared. Each storage is read once, straight
// into a new 1-D tensor's own bytes, moved where mapLocation says, and each tensor is set_ to
// that storage with its size, stride and offset, as Python's _rebuild_tensor makes it (a plain
// tensor, not a view). Storages that stay on the CPU are all read at the end in one batch
// (the reader spreads it over threads; the tensors already point at them); storages bound
// elsewhere are read and moved one at a time, so host memory holds one of them at a time, as
// in Python. The 1-D storage tensors are disposed at the end: the tensors keep the storage alive.
import { native } from "../binding.js";
import { empty } from "../tensor/creation.js";
import { DTYPES, isDType } from "../dtype.js";
import { parseDevice } from "../device.js";
import { TorchError } from "../errors.js";
import { handleOf, Tensor, wrap } from "../tensor/index.js";
import { ELEMENT_SIZE, PendingTensor, StorageRef } from "./globals.js";
import { metadataOf } from "./values.js";

/**
 * Where loaded storages go, as `torch.load(map_location=…)`: a device for all of them, a
 * record remapping saved locations (`{"cuda:1": "cuda:0"}`), or a function called with each
 * storage (a 1-D CPU tensor) and its saved location that returns the storage to use
 * (or null/undefined for the default: the saved location).
 */
export type MapLocation =
  | string
  | Readonly<Record<string, string>>
  | ((storage: Tensor, location: string) => Tensor | null | undefined);

/** A storage to fill: where the reader's `locate` found it, and the new CPU tensor it goes to. */
export interface StorageJob<Where> {
  where: Where;
  target: Tensor;
  /** Bytes per element to swap (> 1 for a big-endian file), 0 for none. */
  swapSize: number;
}

export interface MaterializeOptions<Where> {
  mapLocation?: MapLocation;
  /** The file's storages are big-endian (a `byteorder` record of "big"). */
  bigEndian?: boolean;
  /** Checks that the file holds a root storage of exactly `nbytes` (throwing before anything is allocated) and says where. */
  locate(ref: StorageRef, nbytes: number): Where;
  /** Fills each job's target (a new CPU tensor of exactly its storage's bytes); may do so in parallel. */
  fill(jobs: readonly StorageJob<Where>[]): void;
}

function isContainer(v: unknown): v is unknown[] | Map<unknown, unknown> | Set<unknown> {
  return Array.isArray(v) || v instanceof Map || v instanceof Set;
}

/** Replaces PendingTensor / StorageRef leaves of `root` (in place) by Tensors; returns the new root. */
export function materialize<Where>(root: unknown, options: MaterializeOptions<Where>): unknown {
  const bases = new Map<StorageRef, Tensor>();
  const made = new Map<PendingTensor | StorageRef, Tensor>();
  const created: Tensor[] = [];
  const deferred: StorageJob<Where>[] = []; // CPU storages, filled together at the end
  let ok = false;

  /** Where mapLocation sends a storage saved at `location`, when that does not depend on its bytes. */
  const fixedTarget = (location: string): string | undefined => {
    const ml = options.mapLocation;
    if (typeof ml === "function") return undefined;
    if (typeof ml === "string") return ml;
    if (ml !== undefined && ml !== null && Object.prototype.hasOwnProperty.call(ml, location)) return ml[location];
    return location;
  };

  const restore = (storage: Tensor, ref: StorageRef): Tensor => {
    const ml = options.mapLocation;
    let target = fixedTarget(ref.location) ?? ref.location;
    if (typeof ml === "function") {
      const r = ml(storage, ref.location);
      if (r instanceof Tensor) {
        if (r !== storage) {
          if (r.dtype !== storage.dtype || r.numel() !== storage.numel() || r.ndim !== 1) {
            throw new TorchError(`torch.load: mapLocation returned a ${r.dtype} tensor of shape [${r.shape.join(", ")}] for storage ${ref.key}; expected 1-D ${storage.dtype} of ${storage.numel()} elements`);
          }
          storage.dispose();
        }
        return r;
      }
      if (r !== null && r !== undefined) throw new TypeError(`torch.load: mapLocation must return a Tensor, null or undefined, but returned ${typeof r}`);
    }
    if (target === "cpu") return storage;
    if (!/^cuda(:\d+)?$/.test(target)) {
      throw new TorchError(`torch.load: don't know how to restore storage ${ref.key} to location '${target}'; pass mapLocation (e.g. "cpu")`);
    }
    if (ml === undefined && native.cudaDeviceCount() === 0) {
      throw new TorchError(`torch.load: storage ${ref.key} was saved on ${ref.location}, but CUDA is not available; pass { mapLocation: "cpu" } to load it on the CPU`);
    }
    const moved = storage.to(parseDevice("torch.load", "mapLocation", target));
    if (moved !== storage) storage.dispose();
    return moved;
  };

  const baseFor = (ref: StorageRef, dtype: string): Tensor => {
    const root = ref.root ?? ref;
    const existing = bases.get(root);
    if (existing !== undefined) return existing;
    if (!isDType(dtype)) throw new TorchError(`torch.load: tensors of dtype ${dtype} are not supported by torch-ts (storage ${root.key})`);
    const nbytes = root.numel * (root.untyped ? 1 : ELEMENT_SIZE[root.dtype]!);
    if (!Number.isSafeInteger(nbytes)) throw new TorchError(`torch.load: storage ${root.key} is too large`);
    const size = DTYPES[dtype].bytes;
    if (nbytes % size !== 0) throw new TorchError(`torch.load: storage ${root.key} of ${nbytes} bytes does not hold whole ${dtype} elements`);
    const where = options.locate(root, nbytes);
    // A complex element is two floats, each swapped on its own (Python's storage byteswap).
    const swapSize = options.bigEndian ? (DTYPES[dtype].isComplex ? size / 2 : size) : 0;
    const cpu = empty([nbytes / size], { dtype }); // filled below, or with the others at the end
    if (fixedTarget(root.location) === "cpu") {
      bases.set(root, cpu);
      deferred.push({ where, target: cpu, swapSize });
      return cpu;
    }
    let base: Tensor;
    try {
      options.fill([{ where, target: cpu, swapSize }]);
      base = restore(cpu, root);
    } catch (err) {
      if (!cpu.isDisposed) cpu.dispose();
      throw err;
    }
    bases.set(root, base);
    return base;
  };

  const tensorFor = (p: PendingTensor): Tensor => {
    const base = baseFor(p.storage, p.dtype);
    const t = wrap(native.rebuildTensor(handleOf(base), p.size, p.stride, p.offset + p.storage.rootOffset));
    created.push(t);
    if (p.requiresGrad) t.requiresGrad_(true);
    return t;
  };

  const convert = (v: PendingTensor | StorageRef): Tensor => {
    let t = made.get(v);
    if (t === undefined) {
      // A storage kept as a value (torch.save(t.storage())) comes back as a 1-D tensor.
      const p = v instanceof PendingTensor ? v : new PendingTensor(v, v.viewDtype ?? v.dtype, 0, [v.numel], [1], false);
      t = tensorFor(p);
      made.set(v, t);
    }
    return t;
  };

  const seen = new Set<object>();
  const todo: (unknown[] | Map<unknown, unknown> | Set<unknown>)[] = [];
  const conv = (v: unknown): unknown => {
    if (v instanceof PendingTensor || v instanceof StorageRef) return convert(v);
    if (isContainer(v) && !seen.has(v)) {
      seen.add(v);
      todo.push(v);
    }
    return v;
  };
  const needsConv = (v: unknown): boolean => v instanceof PendingTensor || v instanceof StorageRef;

  try {
    const result = conv(root);
    while (todo.length > 0) {
      const c = todo.pop()!;
      if (Array.isArray(c)) {
        for (let i = 0; i < c.length; i++) c[i] = conv(c[i]);
      } else if (c instanceof Map) {
        const meta = metadataOf(c);
        if (meta !== undefined) conv(meta);
        if ([...c.keys()].some(needsConv)) {
          // Tensors as keys: re-insert every entry so the order is kept.
          const entries = [...c];
          c.clear();
          for (const [k, v] of entries) c.set(conv(k), conv(v));
        } else {
          for (const [k, v] of c) {
            const nv = conv(v);
            if (nv !== v) c.set(k, nv);
          }
        }
      } else {
        const items = [...c];
        if (items.some(needsConv)) {
          c.clear();
          for (const item of items) c.add(conv(item));
        } else {
          for (const item of items) conv(item);
        }
      }
    }
    if (deferred.length > 0) options.fill(deferred);
    ok = true;
    return result;
  } finally {
    for (const base of bases.values()) base.dispose();
    if (!ok) for (const t of created) t.dispose();
  }
}
