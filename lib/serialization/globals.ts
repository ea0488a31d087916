// The allowlist: the only Python globals a checkpoint may name, and what REDUCE / NEWOBJ /
// BUILD / persistent ids make of them. Like torch.load(weights_only=True) — a global outside
// this list is an UnpicklingError naming it, and no code from the file ever runs. Tensors come
// out as PendingTensor (shape, strides, offset into a StorageRef); materialize.ts turns them
// into Tensors once the storages' bytes can be read. PyTorch's reference:
// torch/_weights_only_unpickler.py, torch/_utils.py (_rebuild_*), torch/serialization.py.
import type { UnpicklerHooks } from "./unpickler.js";
import { BUILTIN_RECONSTRUCTIONS, currentDecodeOptions, isBlockedModule, type DecodeOptions } from "./safe_globals.js";
import { isMarkedOrderedDict, isTuple, markDict, markOrderedDict, markTuple, PythonGlobal, PythonObject, setMetadata, setObjectState, UnpicklingError } from "./values.js";

/** Python dtype of each legacy typed-storage class (torch/storage.py _dtype_to_storage_type_map). */
export const STORAGE_DTYPES: Readonly<Record<string, string>> = {
  DoubleStorage: "float64", FloatStorage: "float32", HalfStorage: "float16", BFloat16Storage: "bfloat16",
  LongStorage: "int64", IntStorage: "int32", ShortStorage: "int16", CharStorage: "int8", ByteStorage: "uint8",
  BoolStorage: "bool", ComplexDoubleStorage: "complex128", ComplexFloatStorage: "complex64",
  QInt8Storage: "qint8", QInt32Storage: "qint32", QUInt8Storage: "quint8", QUInt4x2Storage: "quint4x2", QUInt2x4Storage: "quint2x4",
};

/** `torch.<name>` dtype globals, by their canonical names (what `pickle` writes for a torch.dtype). */
const DTYPE_GLOBALS = new Set([
  "float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool",
  "complex32", "complex64", "complex128", "uint16", "uint32", "uint64", "float8_e4m3fn", "float8_e5m2",
  "qint8", "qint32", "quint8", "quint4x2", "quint2x4",
]);

const REBUILD_TENSOR = new Set(["torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3"]);
const REBUILD_PARAMETER = new Set(["torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state"]);
const ALLOWED = new Set([
  "collections.OrderedDict", "collections.Counter", "torch.Size", "torch.device", "torch.Tensor", "torch._tensor.Tensor", "torch.nn.parameter.Parameter",
  "torch._tensor._rebuild_from_type", "torch._tensor._rebuild_from_type_v2", "torch.serialization._get_layout",
  "_codecs.encode", "builtins.set", "builtins.frozenset", "builtins.bytearray",
  ...REBUILD_TENSOR, ...REBUILD_PARAMETER,
]);

/** Whether a checkpoint may name `module.name` (the weights-only allowlist). */
export function isAllowedGlobal(module: string, name: string): boolean {
  const full = `${module}.${name}`;
  if (ALLOWED.has(full) || full === "torch.storage.UntypedStorage") return true;
  if (module === "torch" && DTYPE_GLOBALS.has(name)) return true;
  return (module === "torch" || module === "torch.cuda") && (Object.hasOwn(STORAGE_DTYPES, name) || name === "UntypedStorage");
}

/** A storage named by a persistent id: `data/<key>` in a zip, or a storage record of a legacy file. */
export class StorageRef {
  /** For an UntypedStorage, the dtype of the first tensor that views it (fixed from then on). */
  viewDtype: string | undefined;
  constructor(
    readonly key: string,
    /** Python dtype name of the storage; "uint8" with `untyped` for an UntypedStorage. */
    readonly dtype: string,
    readonly untyped: boolean,
    readonly location: string,
    /** Elements of `dtype` (bytes for an UntypedStorage). */
    readonly numel: number,
    /** Legacy storage views: the storage they view and their offset into it, in elements. */
    readonly root: StorageRef | null = null,
    readonly rootOffset = 0,
  ) {}
}

/** A tensor described by the pickle, before its storage's bytes are read. */
export class PendingTensor {
  constructor(
    readonly storage: StorageRef,
    readonly dtype: string,
    readonly offset: number,
    readonly size: number[],
    readonly stride: number[],
    readonly requiresGrad: boolean,
  ) {}
  withRequiresGrad(requiresGrad: boolean): PendingTensor {
    return new PendingTensor(this.storage, this.dtype, this.offset, this.size, this.stride, requiresGrad);
  }
}

/** Bytes per element of Python dtype names (those torch-ts can hold, and the others for sizes). */
export const ELEMENT_SIZE: Readonly<Record<string, number>> = {
  float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
  complex32: 4, complex64: 8, complex128: 16, uint16: 2, uint32: 4, uint64: 8, float8_e4m3fn: 1, float8_e5m2: 1,
  qint8: 1, qint32: 4, quint8: 1, quint4x2: 1, quint2x4: 1,
};

const MAX_DIMS = 64;

function describe(v: unknown): string {
  if (v instanceof PythonGlobal) return v.fullName;
  if (v instanceof PythonObject) return `${v.__global__} object`;
  if (v === null) return "None";
  if (Array.isArray(v)) return isTuple(v) ? "tuple" : "list";
  if (v instanceof Map) return "dict";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

function fail(message: string): never {
  throw new UnpicklingError(message);
}

function int(value: unknown, what: string, min = 0): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) fail(`${what} must be an integer >= ${min}, got ${describe(value)} ${String(value).slice(0, 40)}`);
  return value;
}

function intList(value: unknown, what: string): number[] {
  if (!Array.isArray(value)) fail(`${what} must be a tuple of ints, got ${describe(value)}`);
  if (value.length > MAX_DIMS) fail(`${what} has ${value.length} dimensions; at most ${MAX_DIMS} are supported`);
  return value.map((v, i) => int(v, `${what}[${i}]`));
}

/** Checks that a strided view stays inside its storage (the check at::as_strided makes too). */
function checkView(storage: StorageRef, numel: number, offset: number, size: number[], stride: number[]): void {
  if (size.length !== stride.length) fail(`tensor size has ${size.length} dimensions but stride has ${stride.length}`);
  let elements = 1;
  let last = offset;
  for (let d = 0; d < size.length; d++) {
    elements *= size[d]!;
    last += (size[d]! - 1) * stride[d]!;
  }
  if (!Number.isSafeInteger(elements)) fail(`tensor size [${size.join(", ")}] is too large`);
  if (elements > 0 && (!Number.isSafeInteger(last) || last >= numel)) {
    fail(`tensor of size [${size.join(", ")}], stride [${stride.join(", ")}] and offset ${offset} reads outside its storage ${storage.key} of ${numel} elements`);
  }
  if (elements === 0 && offset > numel) fail(`tensor offset ${offset} lies outside its storage ${storage.key} of ${numel} elements`);
}

/** Python 2 module names that protocol-2 pickles use, and their Python 3 names (a subset of Lib/_compat_pickle.py IMPORT_MAPPING). */
const PY2_MODULES: Readonly<Record<string, string>> = {
  __builtin__: "builtins", exceptions: "builtins", copy_reg: "copyreg", commands: "subprocess", cPickle: "pickle",
  Queue: "queue", UserDict: "collections", UserList: "collections", UserString: "collections", StringIO: "io", cStringIO: "io",
  thread: "_thread", urlparse: "urllib.parse", httplib: "http.client", ConfigParser: "configparser", repr: "reprlib",
};

/** The error for a global the file names that this load may not rebuild: it says how to allow it. */
function refuseGlobal(fileModule: string, module: string, name: string): never {
  const full = `${module}.${name}`;
  const named = `${fileModule}.${name}`; // as the file spells it
  const inert = "torch.load(f, { inert: true }) to read it as plain data without running anything";
  if (isBlockedModule(module)) {
    fail(`Unsupported global: GLOBAL ${named} was not an allowed global, and its module ${module} is blocked: it cannot be allowlisted. Use ${inert}`);
  }
  const entry = BUILTIN_RECONSTRUCTIONS[full] !== undefined ? JSON.stringify(full) : `{ name: ${JSON.stringify(full)}, reconstruct: (obj) => … }`;
  fail(
    `Unsupported global: GLOBAL ${named} was not an allowed global by default. torch-ts loads weights only ` +
      "(tensors, storages, collections.OrderedDict, torch.Size, torch.device, dtypes and plain Python data) and never runs code from a file. " +
      `If you trust this class/function, allow it with torch.serialization.addSafeGlobals([${entry}]) or torch.serialization.safeGlobals([${entry}], fn); or use ${inert}`,
  );
}

/**
 * The unpickler hooks for one checkpoint. `storages` collects every storage the pickle
 * names (legacy files read their bytes after the pickle, so they need the list). `decode`
 * says which other globals it may name (safe globals, or any as inert data) and collects the
 * PythonObjects it makes; by default, those of the load in progress.
 */
export function checkpointHooks(decode: DecodeOptions = currentDecodeOptions()): UnpicklerHooks & { storages: Map<string, StorageRef> } {
  const globals = new Map<string, PythonGlobal>();
  const storages = new Map<string, StorageRef>();
  const views = new Map<string, StorageRef>();

  const findClass = (fileModule: string, name: string): unknown => {
    // Python 3 names: protocol 2 pickles write Python 2 module names (__builtin__.set).
    const module = PY2_MODULES[fileModule] ?? fileModule;
    const full = `${module}.${name}`;
    if (module === "torch" && DTYPE_GLOBALS.has(name)) return name; // torch.float16 -> "float16"
    if (!isAllowedGlobal(module, name)) {
      // A safe global, or (inert) any global, is kept as a name: calling it makes a PythonObject.
      const blocked = isBlockedModule(module);
      if (!decode.inert && (blocked || !decode.safe.has(full))) refuseGlobal(fileModule, module, name);
    }
    let g = globals.get(full);
    if (g === undefined) globals.set(full, (g = new PythonGlobal(module, name)));
    return g;
  };

  const persistentLoad = (pid: unknown): unknown => {
    if (!Array.isArray(pid) || pid.length === 0) fail(`persistent id must be a tuple, got ${describe(pid)}`);
    if (pid[0] !== "storage") fail(`Only persistent_load of storage is allowed, but got ${String(pid[0]).slice(0, 40)}`);
    if (pid.length !== 5 && pid.length !== 6) fail(`storage persistent id has ${pid.length} fields; expected 5 (zip) or 6 (legacy)`);
    const [, cls, rawKey, location, rawNumel, view] = pid;
    if (!(cls instanceof PythonGlobal) || !(Object.hasOwn(STORAGE_DTYPES, cls.name) || cls.name === "UntypedStorage")) {
      fail(`storage persistent id names ${describe(cls)}, not a storage class`);
    }
    if (typeof rawKey !== "string" && typeof rawKey !== "number") fail(`storage key must be a str, got ${describe(rawKey)}`);
    if (typeof location !== "string") fail(`storage location must be a str, got ${describe(location)}`);
    const key = String(rawKey);
    const untyped = cls.name === "UntypedStorage";
    const dtype = untyped ? "uint8" : STORAGE_DTYPES[cls.name]!;
    const numel = int(rawNumel, `size of storage ${key}`);
    let ref = storages.get(key);
    if (ref === undefined) {
      ref = new StorageRef(key, dtype, untyped, location, numel);
      storages.set(key, ref);
    } else if (ref.dtype !== dtype || ref.untyped !== untyped) {
      fail(`storage ${key} is named as both ${ref.untyped ? "UntypedStorage" : ref.dtype} and ${untyped ? "UntypedStorage" : dtype}`);
    }
    if (view === undefined || view === null) return ref;
    // Legacy storage view: (view_key, offset, size) into the root storage.
    if (!Array.isArray(view) || view.length !== 3) fail("legacy storage view metadata must be a 3-tuple");
    const viewKey = String(view[0]);
    const offset = int(view[1], "storage view offset");
    const size = int(view[2], "storage view size");
    if (offset + size > ref.numel) fail(`storage view ${viewKey} (offset ${offset}, size ${size}) lies outside storage ${key} of ${ref.numel} elements`);
    let v = views.get(viewKey);
    if (v === undefined) views.set(viewKey, (v = new StorageRef(viewKey, dtype, untyped, location, size, ref, offset)));
    return v;
  };

  const rebuildTensor = (fn: string, args: unknown[]): PendingTensor => {
    const minArgs = fn.endsWith("v3") ? 7 : fn.endsWith("v2") ? 6 : 4;
    if (args.length < minArgs) fail(`${fn} expects at least ${minArgs} arguments, got ${args.length}`);
    const storage = args[0];
    if (!(storage instanceof StorageRef)) fail(`${fn}: first argument must be a storage, got ${describe(storage)}`);
    const offset = int(args[1], `${fn} storage_offset`);
    const size = intList(args[2], `${fn} size`);
    const stride = intList(args[3], `${fn} stride`);
    const requiresGrad = minArgs > 4 ? args[4] : false;
    if (typeof requiresGrad !== "boolean") fail(`${fn}: requires_grad must be a bool, got ${describe(requiresGrad)}`);
    let dtype = storage.dtype;
    let numel = storage.numel;
    if (fn.endsWith("v3")) {
      // v3 (PyTorch 2.x, for dtypes without a typed storage class): bytes viewed as `dtype`.
      const d = args[6];
      if (typeof d !== "string" || !Object.hasOwn(ELEMENT_SIZE, d)) fail(`${fn}: dtype must be a torch dtype, got ${describe(d)}`);
      if (storage.untyped) {
        const root = storage.root ?? storage;
        if (root.viewDtype !== undefined && root.viewDtype !== d) fail(`UntypedStorage ${root.key} is viewed as both ${root.viewDtype} and ${d}; not supported`);
        root.viewDtype = d;
        if (storage.numel % ELEMENT_SIZE[d]! !== 0) fail(`UntypedStorage ${storage.key} of ${storage.numel} bytes does not hold whole ${d} elements`);
        numel = storage.numel / ELEMENT_SIZE[d]!;
      } else if (d !== storage.dtype) {
        fail(`${fn}: dtype ${d} does not match storage dtype ${storage.dtype}`);
      }
      dtype = d;
    } else if (storage.untyped) {
      const root = storage.root ?? storage;
      if (root.viewDtype !== undefined && root.viewDtype !== "uint8") fail(`UntypedStorage ${root.key} is viewed as both ${root.viewDtype} and uint8; not supported`);
      root.viewDtype = "uint8";
    }
    checkView(storage, numel, offset, size, stride);
    return new PendingTensor(storage, dtype, offset, size, stride, requiresGrad);
  };

  /** A call the allowlist does not rebuild: a PythonObject, rebuilt after loading (a safe global) or kept inert. */
  const object = (func: PythonGlobal | PythonObject, args: unknown[], how: "REDUCE" | "NEWOBJ", kwargs: Map<unknown, unknown> | null): PythonObject => {
    const obj = new PythonObject(func, how, args, kwargs);
    decode.objects.push(obj);
    return obj;
  };

  const call = (func: unknown, args: unknown[], how: "REDUCE" | "NEWOBJ", kwargs: Map<unknown, unknown> | null = null): unknown => {
    if (func instanceof PythonObject && decode.inert) return object(func, args, how, kwargs);
    if (!(func instanceof PythonGlobal)) fail(`${how}: cannot call a ${describe(func)}`);
    const fn = func.fullName;
    if (!isAllowedGlobal(func.module, func.name)) {
      // findClass let it through: a safe global of this load, or any global when inert.
      return object(func, args, how, kwargs);
    }
    if (kwargs !== null && kwargs.size > 0) fail(`${how}: ${fn} does not take keyword arguments`);
    if (REBUILD_TENSOR.has(fn)) return rebuildTensor(fn, args);
    if (REBUILD_PARAMETER.has(fn) || fn === "torch.nn.parameter.Parameter") {
      // Parameter(data, requires_grad=True) / _rebuild_parameter(data, requires_grad, hooks[, state]).
      const data = args[0];
      if (!(data instanceof PendingTensor)) fail(`${fn}: data must be a tensor, got ${describe(data)}`);
      const requiresGrad = args.length > 1 ? args[1] : true;
      if (typeof requiresGrad !== "boolean") fail(`${fn}: requires_grad must be a bool`);
      return data.withRequiresGrad(requiresGrad);
    }
    switch (fn) {
      case "collections.OrderedDict": {
        const map = markOrderedDict(new Map<unknown, unknown>());
        if (args.length > 0 && args[0] !== null) {
          const items = args[0];
          if (!Array.isArray(items)) fail("OrderedDict(items): items must be a list of pairs");
          for (const pair of items) {
            if (!Array.isArray(pair) || pair.length !== 2) fail("OrderedDict(items): each item must be a (key, value) pair");
            map.set(pair[0], pair[1]);
          }
        }
        return map;
      }
      case "torch.Size": {
        const dims = args.length === 0 ? [] : args[0];
        return markTuple(intList(dims, "torch.Size"));
      }
      case "torch.device": {
        const [type, index] = args;
        if (typeof type !== "string") fail("torch.device: type must be a str");
        if (index === undefined || index === null) return type;
        return `${type}:${int(index, "torch.device index")}`;
      }
      case "torch._tensor._rebuild_from_type":
      case "torch._tensor._rebuild_from_type_v2": {
        const [inner, type, innerArgs] = args;
        if (!(type instanceof PythonGlobal) || !["torch.Tensor", "torch._tensor.Tensor", "torch.nn.parameter.Parameter"].includes(type.fullName)) {
          fail(`${fn}: tensor subclass ${describe(type)} is not an allowed global`);
        }
        if (!Array.isArray(innerArgs)) fail(`${fn}: args must be a tuple`);
        return call(inner, innerArgs, how);
      }
      case "torch.serialization._get_layout": return String(args[0]);
      case "collections.Counter": {
        // Counter(dict) -> a dict of counts (Python allows it by default).
        const [counts] = args;
        if (counts === undefined || counts === null) return markDict(new Map());
        if (!(counts instanceof Map)) fail("collections.Counter: expected a dict of counts");
        return markDict(new Map(counts));
      }
      case "_codecs.encode": {
        // How protocol-2 pickles carry bytes: _codecs.encode(text, "latin1").
        const [text, encoding] = args;
        if (typeof text !== "string") fail("_codecs.encode: expected a str");
        const enc = encoding === undefined ? "utf-8" : String(encoding).toLowerCase();
        if (enc === "latin1" || enc === "latin-1" || enc === "iso-8859-1") return Buffer.from(text, "latin1");
        if (enc === "utf-8" || enc === "utf8") return Buffer.from(text, "utf8");
        fail(`_codecs.encode: encoding ${enc} is not supported`);
      }
      case "builtins.set":
      case "builtins.frozenset": {
        const items = args.length === 0 ? [] : args[0];
        if (!Array.isArray(items)) fail(`${fn}: expected a list`);
        return new Set(items);
      }
      case "builtins.bytearray": {
        const [source] = args;
        if (source === undefined) return Buffer.alloc(0);
        if (Buffer.isBuffer(source)) return Buffer.from(source);
        if (typeof source === "string") return Buffer.from(source, "latin1");
        fail("bytearray: expected bytes or str");
      }
      default:
        fail(`${how}: calling ${fn} is not supported`);
    }
  };

  const build = (inst: unknown, state: unknown): void => {
    if (inst instanceof PythonObject) return setObjectState(inst, state);
    if (inst instanceof PendingTensor) return; // Parameter/Tensor attribute state: nothing a weights-only load keeps
    if (inst instanceof Map && isMarkedOrderedDict(inst)) {
      // OrderedDict.__reduce__ gives vars(self) (or a (dict, slots) pair): keep `_metadata`.
      const parts = Array.isArray(state) ? state : [state];
      for (const part of parts) {
        if (part === null) continue;
        if (!(part instanceof Map)) fail(`BUILD state for an OrderedDict must be a dict, got ${describe(part)}`);
        const metadata = part.get("_metadata");
        if (metadata instanceof Map) setMetadata(inst, metadata);
      }
      return;
    }
    fail(`Can only build Tensor, Parameter or OrderedDict objects, but got ${describe(inst)}`);
  };

  return {
    storages,
    findClass,
    persistentLoad,
    reduce: (func, args) => call(func, args, "REDUCE"),
    newObj: (cls, args, kwargs) => call(cls, args, "NEWOBJ", kwargs),
    build,
  };
}
