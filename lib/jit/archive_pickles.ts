// The pickles of a TorchScript archive, checked before libtorch's unpickler runs them.
// libtorch 1.13's Unpickler (torch/csrc/jit/serialization/unpickler.cpp) pops its stack
// without checking it is non-empty, allocates whatever a string length says, makes each
// storage numel × itemsize bytes over the record's data whatever the record's size (an empty
// record is a null pointer), and sets a tensor's sizes, strides and offset over its storage
// unchecked. Found by scripts/soak/jit_fuzz.ts: each was a SIGSEGV, a heap corruption or
// gigabytes allocated. So data.pkl and constants.pkl are run here first by the project's
// unpickler (serialization/unpickler.ts, which never runs code: every length checked
// against the bytes left, stack underflow refused, nesting and sizes bounded), with hooks
// that only describe what they see: each persistent id must be a well-formed storage
// reference whose record exists and holds its bytes, and each tensor rebuilt must lie inside
// its storage. The debug pickles (code/**.debug_pkl, read when libtorch prints a traceback)
// must parse too, and their string-table indices and source ranges lie inside them
// (checkSourceRanges).
import { TorchError } from "../errors.js";
import { isTuple, markDict, UnpicklingError } from "../serialization/values.js";
import { unpickle, type UnpicklerHooks } from "../serialization/unpickler.js";

/** Bytes per element of each storage class libtorch 1.13 maps to a dtype (unpickler.cpp). */
const ITEM_SIZE: Record<string, number> = {
  DoubleStorage: 8, FloatStorage: 4, HalfStorage: 2, BFloat16Storage: 2, LongStorage: 8, IntStorage: 4,
  ShortStorage: 2, CharStorage: 1, ByteStorage: 1, BoolStorage: 1, ComplexFloatStorage: 8, ComplexDoubleStorage: 16,
  ComplexHalfStorage: 4, QInt8Storage: 1, QUInt8Storage: 1, QInt32Storage: 4, QUInt4x2Storage: 1, QUInt2x4Storage: 1,
};

/** The functions whose arguments are (storage, offset, size, stride, …): a tensor over a storage. */
const REBUILD_TENSOR = new Set(["torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_qtensor"]);

/** The jit pickler's typed-list constructors (torch/jit/_pickle.py): each returns its list. */
const TYPED_LISTS = new Set(["build_intlist", "build_tensorlist", "build_doublelist", "build_boollist"].map((f) => `torch.jit._pickle.${f}`));

/** A GLOBAL the pickle names, kept as its name (nothing is imported or called). */
class Global {
  constructor(readonly name: string) {}
}

/** A storage reference checked against its record. */
class StorageRef {
  constructor(readonly key: string, readonly numel: number, readonly itemSize: number) {}
}

/** What a REDUCE or NEWOBJ of any other global makes: opaque, holding nothing to check. */
class Opaque {}

export interface PickleCheckContext {
  /** The pickle's record ("data.pkl") and where its storages live ("data/"; null: it may have none). */
  record: string;
  storageDir: string | null;
  /** The byte size of a record of the archive directory, or undefined when it has none. */
  recordSize(name: string): number | undefined;
  what: string;
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);
/** A value for an error message: numbers and bigints as digits, strings quoted, tuples as [a,b]. */
const show = (v: unknown, depth = 0): string => {
  let text: string;
  if (typeof v === "bigint" || typeof v === "number" || typeof v === "boolean") text = String(v);
  else if (typeof v === "string") text = JSON.stringify(v);
  else if (v === null || v === undefined) text = String(v);
  else if (Array.isArray(v)) text = depth > 2 ? "[…]" : `[${v.slice(0, 8).map((x) => show(x, depth + 1)).join(",")}${v.length > 8 ? ",…" : ""}]`;
  else text = v instanceof Global ? v.name : (v as object).constructor?.name ?? typeof v;
  return text.slice(0, 80);
};

/**
 * Runs the pickle `bytes` (the archive's `ctx.record`) with inert hooks and checks every
 * storage reference and tensor in it; a TorchError names the first problem.
 */
export function checkArchivePickle(bytes: Uint8Array, ctx: PickleCheckContext): void {
  const fail = (msg: string): never => {
    throw new TorchError(`torch.jit.load: ${ctx.what}: ${ctx.record}: ${msg}`);
  };
  const storageOf = (pid: unknown): StorageRef => {
    // ('storage', torch.<Type>Storage, key, location, numel), as torch.jit.save writes it.
    if (!isTuple(pid) || pid.length !== 5) return fail(`a persistent id is ${isTuple(pid) ? `a ${pid.length}-tuple` : "not a tuple"}, not a storage reference ('storage', type, key, location, numel)`);
    const [tag, type, key, location, numel] = pid as unknown[];
    if (tag !== "storage") return fail(`a persistent id is tagged ${show(tag)}, not "storage"`);
    const storageName = type instanceof Global && type.name.startsWith("torch.") ? type.name.slice(6) : undefined;
    const itemSize = storageName === undefined ? undefined : ITEM_SIZE[storageName];
    if (itemSize === undefined) return fail(`storage ${show(key)} has type ${type instanceof Global ? type.name : show(type)}, not a torch storage type`);
    if (typeof key !== "string" || !/^[A-Za-z0-9_]{1,64}$/.test(key)) return fail(`a storage key is ${show(key)}, not a record name`);
    if (typeof location !== "string") return fail(`storage ${key} has location ${show(location)}, not a device string`);
    if (!isInt(numel) || numel < 0) return fail(`storage ${key} has ${show(numel)} elements, not a count from 0 to 2^53`);
    if (ctx.storageDir === null) return fail(`storage ${key} is referenced from a pickle that holds no tensors`);
    if (numel > 0) {
      const name = ctx.storageDir + key;
      const size = ctx.recordSize(name);
      if (size === undefined) return fail(`storage ${key} has no record ${name}`);
      // libtorch makes the storage numel × itemsize bytes over the record, whatever its size.
      if (size < numel * itemSize) return fail(`storage ${key} holds ${numel} elements of ${itemSize} bytes but its record ${name} has only ${size} bytes`);
    }
    return new StorageRef(key, numel, itemSize);
  };
  const tensorOf = (fn: string, args: unknown[]): Opaque => {
    const [storage, offset, size, stride] = args;
    if (!(storage instanceof StorageRef)) return fail(`${fn} is given ${storage instanceof Global ? storage.name : typeof storage} where a storage belongs`);
    const ints = (v: unknown, what: string): number[] => {
      if (!isTuple(v) || !v.every((x) => isInt(x) && x >= 0)) return fail(`a tensor of storage ${storage.key} has ${what} ${show(v)}, not a tuple of integers from 0 to 2^53`);
      return v as number[];
    };
    if (!isInt(offset) || offset < 0) return fail(`a tensor of storage ${storage.key} has offset ${show(offset)}, not an integer from 0 to 2^53`);
    const sizes = ints(size, "size");
    const strides = ints(stride, "stride");
    if (sizes.length !== strides.length) return fail(`a tensor of storage ${storage.key} has ${sizes.length} sizes but ${strides.length} strides`);
    if (sizes.length > 64) return fail(`a tensor of storage ${storage.key} has ${sizes.length} dimensions (at most 64)`);
    let numel = 1;
    let last = offset; // the last element's index, when there is one
    for (let d = 0; d < sizes.length; d++) {
      numel *= sizes[d]!;
      if (sizes[d]! > 0) last += (sizes[d]! - 1) * strides[d]!;
    }
    if (!Number.isSafeInteger(numel)) return fail(`a tensor of storage ${storage.key} has size ${show(size)}: too many elements`);
    if (numel > 0 && !(Number.isSafeInteger(last) && last < storage.numel)) {
      return fail(`a tensor of size ${show(size)}, stride ${show(stride)} and offset ${offset} reaches element ${last} of storage ${storage.key}, which has ${storage.numel}`);
    }
    return new Opaque();
  };
  const hooks: UnpicklerHooks = {
    findClass: (module, name) => new Global(`${module}.${name}`),
    persistentLoad: storageOf,
    reduce: (func, args) => {
      if (!(func instanceof Global)) return fail(`REDUCE calls ${typeof func === "object" && func !== null ? "an object" : show(func)}, not a global`);
      if (!isTuple(args)) return fail(`the arguments of ${func.name} are not a tuple`);
      if (REBUILD_TENSOR.has(func.name)) return tensorOf(func.name, args);
      // The jit pickler writes typed lists as build_intlist([...]) etc.: the list itself.
      if (TYPED_LISTS.has(func.name) && args.length === 1 && Array.isArray(args[0]) && !isTuple(args[0])) return [...args[0]];
      return func.name === "collections.OrderedDict" ? markDict(new Map()) : new Opaque();
    },
    newObj: () => new Opaque(),
    build: () => {},
  };
  let value: unknown;
  try {
    value = unpickle(bytes, hooks).value;
  } catch (err) {
    if (err instanceof TorchError) throw err;
    if (err instanceof UnpicklingError || err instanceof TypeError || err instanceof RangeError) {
      fail(`the pickle is malformed: ${err.message}`);
    }
    throw err;
  }
  if (ctx.storageDir === null) checkSourceRanges(value, fail);
}

const isNat = (v: unknown): v is number => isInt(v) && v >= 0;

/**
 * A code/*.debug_pkl: where each piece of the code came from, read when libtorch prints a
 * traceback (a compile error, an error in forward). libtorch 1.13's SourceRangeDeserializer
 * indexes its string table and slices the source text with the pickled numbers unchecked:
 * a mutated index or range was a SIGSEGV while reporting an error. Checked here: the
 * string-table format (what 1.13 writes) ("FORMAT_WITH_STRING_TABLE", (strings…),
 * ((offset, ((text indices, filename index, line), start, end), handle)…)) with every index
 * inside the table and every range inside its text (libtorch's highlighting scans the text
 * from the range's start); the older format's ranges inside theirs.
 */
function checkSourceRanges(value: unknown, fail: (msg: string) => never): void {
  const bad = (what: string): never => fail(`source range ${what}`);
  let table: string[] | null = null;
  let ranges: unknown = value;
  if (isTuple(value) && value[0] === "FORMAT_WITH_STRING_TABLE") {
    const [, strings, entries] = value;
    if (!isTuple(strings) || !strings.every((x) => typeof x === "string")) return bad(`table is ${show(strings)}, not a tuple of strings`);
    table = strings as string[];
    ranges = entries;
  }
  if (!isTuple(ranges) && !Array.isArray(ranges)) return bad(`list is ${show(ranges)}, not a tuple`);
  const textBytes = new Map<string, number>();
  const bytesOf = (t: string) => {
    let n = textBytes.get(t);
    if (n === undefined) textBytes.set(t, (n = Buffer.byteLength(t, "utf8")));
    return n;
  };
  for (const entry of ranges) {
    if (!Array.isArray(entry) || entry.length < 2 || !isNat(entry[0])) return bad(`entry ${show(entry)} is not (offset, range, …)`);
    const range = entry[1];
    if (!Array.isArray(range) || range.length !== 3) return bad(`${show(range)} is not (source, start, end)`);
    const [source, start, end] = range as unknown[];
    if (!Array.isArray(source) || source.length !== 3) return bad(`source ${show(source)} is not (text, filename, line)`);
    const [text, filename, line] = source as unknown[];
    let length: number;
    if (table !== null) {
      const t = table;
      if (!Array.isArray(text) || !text.every((k) => isNat(k) && k < t.length)) return bad(`text ${show(text)} indexes past the ${t.length}-string table`);
      if (!isNat(filename) || filename >= t.length) return bad(`filename index ${show(filename)} is past the ${t.length}-string table`);
      length = (text as number[]).reduce((n, k) => n + bytesOf(t[k]!), 0);
    } else {
      if (typeof text !== "string") return bad(`text is ${show(text)}, not a string`);
      if (filename !== null && typeof filename !== "string") return bad(`filename is ${show(filename)}, not a string`);
      length = bytesOf(text);
    }
    if (!isNat(line)) return bad(`line ${show(line)} is not an integer >= 0`);
    // PyTorch itself writes 0..1 over an empty source (quantized modules): an end one past the text is accepted.
    if (!isNat(start) || !isNat(end) || start > end || start > length || end > length + 1) return bad(`${show(start)}..${show(end)} is not inside its ${length}-byte source`);
  }
}
