// A pickle virtual machine for protocols 2-5 that never runs code: the opcodes that build
// plain data run here; GLOBAL, REDUCE, NEWOBJ, BUILD and persistent ids go to hooks, which
// allow only what a checkpoint needs (see globals.ts). Python's reference is
// Lib/pickle.py (_Unpickler) and Lib/pickletools.py (the opcode table).
//
// Resource bounds, so a hostile file fails with an error instead of exhausting memory or
// the JS stack: every length is checked against the bytes left before anything is read,
// container nesting and MARK nesting are bounded (maxDepth), and so are the memo and stack.
// A container is frozen once it sits inside another (only recursive structures modify one
// later, and they would send tree walkers such as dispose() round forever), so each
// container's size as a tree, its shared references followed, is known and bounded too
// (maxNodes): a small pickle cannot make a "billion laughs" structure out of memo references.
import { isTuple as isTupleLike, markDict, markTuple, objectParts, PythonObject, UnpicklingError } from "./values.js";

export interface UnpicklerHooks {
  /** GLOBAL / STACK_GLOBAL: the object for `module.name`, or throw if it is not allowed. */
  findClass(module: string, name: string): unknown;
  /** PERSID / BINPERSID. */
  persistentLoad(pid: unknown): unknown;
  /** REDUCE: `func(*args)`. */
  reduce(func: unknown, args: unknown[]): unknown;
  /** NEWOBJ / NEWOBJ_EX: `cls.__new__(cls, *args, **kwargs)`. */
  newObj(cls: unknown, args: unknown[], kwargs: Map<unknown, unknown> | null): unknown;
  /** BUILD: `inst.__setstate__(state)`. */
  build(inst: unknown, state: unknown): void;
}

export interface UnpicklerLimits {
  /** Deepest container nesting (and MARK nesting) accepted. */
  maxDepth?: number;
  maxMemo?: number;
  maxStack?: number;
  /**
   * Most values one container may hold when walked as a tree (shared references counted
   * each time they are reached). A pickle without shared containers never exceeds its own
   * length in bytes, so the bound applied is max(maxNodes, pickle length).
   */
  maxNodes?: number;
}

export const DEFAULT_LIMITS: Required<UnpicklerLimits> = { maxDepth: 1000, maxMemo: 1 << 22, maxStack: 1 << 24, maxNodes: 1 << 24 };

const MAX_PROTOCOL = 5;
const OPCODE_NAMES: Record<number, string> = {
  0x53: "STRING", 0x56: "UNICODE", 0x69: "INST", 0x6f: "OBJ", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4",
  0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
};

// A PythonObject (a call the hooks keep as data) counts as a container: its args, state and
// items are bounded and frozen like a list's.
function isContainer(v: unknown): v is unknown[] | Map<unknown, unknown> | Set<unknown> | PythonObject {
  return Array.isArray(v) || v instanceof Map || v instanceof Set || v instanceof PythonObject;
}

/** The values a container holds (a PythonObject: its args, kwargs and state). */
function contents(v: unknown[] | Map<unknown, unknown> | Set<unknown> | PythonObject): unknown[] {
  if (v instanceof Map) return [...v].flat();
  if (v instanceof PythonObject) return objectParts(v).filter((p) => p !== undefined && p !== null);
  return [...v];
}

function typeName(v: unknown): string {
  if (v === null) return "None";
  if (Array.isArray(v)) return "list or tuple";
  if (v instanceof Map) return "dict";
  if (v instanceof Set) return "set";
  if (v instanceof PythonObject) return `${v.__global__} object`;
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

/** Python's decode_long: little-endian two's complement; a number when it fits exactly. */
export function decodeLong(bytes: Uint8Array): number | bigint {
  const n = bytes.length;
  if (n === 0) return 0;
  if (n <= 6) {
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + bytes[i]!;
    return bytes[n - 1]! & 0x80 ? v - 2 ** (8 * n) : v;
  }
  let hex = "";
  for (let i = n - 1; i >= 0; i--) hex += bytes[i]!.toString(16).padStart(2, "0");
  let v = BigInt(`0x${hex}`);
  if (bytes[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function parseIntText(text: string): number | bigint {
  if (!/^[+-]?\d+$/.test(text)) throw new UnpicklingError(`invalid integer literal in pickle: ${JSON.stringify(text.slice(0, 40))}`);
  const v = BigInt(text);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

const utf8 = new TextDecoder("utf-8");

export interface UnpickleResult {
  value: unknown;
  /** Offset just past the STOP opcode (legacy files hold several pickles back to back). */
  end: number;
}

/** Runs the pickle in `data` from `start` to its STOP opcode. */
export function unpickle(data: Uint8Array, hooks: UnpicklerHooks, options: { start?: number; limits?: UnpicklerLimits } = {}): UnpickleResult {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const end = data.length;
  let pos = options.start ?? 0;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();
  // Nesting depth and tree size of each container, and which containers already sit inside
  // another: a nested container may not change (its parents' depths and sizes would be stale).
  // Plain Maps, not WeakMaps: they die with this call, and weak tables cost V8's GC extra
  // work for every entry (a ResNet-50 state dict makes a few thousand containers).
  const depths = new Map<object, number>();
  const sizes = new Map<object, number>();
  const nested = new Set<object>();
  const maxNodes = Math.max(limits.maxNodes, data.length);

  const need = (n: number): void => {
    if (!Number.isSafeInteger(n) || n < 0 || pos + n > end) throw new UnpicklingError("pickle data was truncated");
  };
  const bytes = (n: number): Uint8Array => {
    need(n);
    const out = data.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const u8 = (): number => { need(1); return data[pos++]!; };
  const u16 = (): number => { need(2); const v = view.getUint16(pos, true); pos += 2; return v; };
  const u32 = (): number => { need(4); const v = view.getUint32(pos, true); pos += 4; return v; };
  const i32 = (): number => { need(4); const v = view.getInt32(pos, true); pos += 4; return v; };
  const u64 = (): number => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(end)) throw new UnpicklingError("pickle data was truncated");
    return Number(v);
  };
  const line = (): string => {
    const nl = data.indexOf(0x0a, pos);
    if (nl < 0) throw new UnpicklingError("pickle data was truncated (no end of line)");
    const text = utf8.decode(data.subarray(pos, nl));
    pos = nl + 1;
    return text;
  };
  const str = (n: number): string => utf8.decode(bytes(n));
  const copyBytes = (n: number): Buffer => Buffer.from(bytes(n));

  const pop = (): unknown => {
    if (stack.length === 0) throw new UnpicklingError("unpickling stack underflow");
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) throw new UnpicklingError("unpickling stack underflow");
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const outer = metastack.pop();
    if (outer === undefined) throw new UnpicklingError("could not find MARK");
    stack = outer;
    return items;
  };
  const depthOf = (v: unknown): number => (isContainer(v) ? depths.get(v) ?? 1 : 0);
  const sizeOf = (v: unknown): number => (isContainer(v) ? sizes.get(v) ?? 1 : 1);
  const checkSize = (size: number): void => {
    if (size > maxNodes) {
      throw new UnpicklingError(`pickle builds a container of more than ${maxNodes} values when its shared references are followed (a memo reference bomb)`);
    }
  };
  /** Accounts for `child` being placed inside `parent`. */
  const place = (parent: object, child: unknown): void => {
    // With nested containers frozen, a container holding itself is the only cycle left to refuse.
    if (nested.has(parent) || child === parent) {
      throw new UnpicklingError("pickle modifies a container after placing it inside another (recursive structures are not supported)");
    }
    const d = depthOf(child) + 1;
    if (d > (depths.get(parent) ?? 1)) {
      if (d > limits.maxDepth) throw new UnpicklingError(`pickle nests containers deeper than ${limits.maxDepth} levels`);
      depths.set(parent, d);
    }
    const size = sizeOf(parent) + sizeOf(child);
    checkSize(size);
    sizes.set(parent, size);
    if (isContainer(child)) nested.add(child);
  };
  /** A container a hook built from its arguments (OrderedDict(items), set(items)): account for its contents. */
  const adopt = (v: unknown): unknown => {
    if (!isContainer(v) || depths.has(v) || sizes.has(v)) return v;
    const items = contents(v);
    let depth = 1;
    let size = 1;
    for (const item of items) {
      depth = Math.max(depth, depthOf(item) + 1);
      size += sizeOf(item);
      if (isContainer(item)) nested.add(item);
    }
    if (depth > limits.maxDepth) throw new UnpicklingError(`pickle nests containers deeper than ${limits.maxDepth} levels`);
    checkSize(size);
    depths.set(v, depth);
    sizes.set(v, size);
    return v;
  };
  const newTuple = (items: unknown[]): unknown[] => {
    for (const item of items) place(items, item);
    return markTuple(items);
  };
  const checkKey = (key: unknown): void => {
    if ((Array.isArray(key) && !isTupleLike(key)) || key instanceof Map || key instanceof Set) {
      throw new UnpicklingError(`unhashable type: '${typeName(key)}' used as a dict key`);
    }
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    // A dict subclass kept as a PythonObject gets its items in dictItems.
    const dict = target instanceof PythonObject ? target.dictItems : target;
    if (!(dict instanceof Map)) throw new UnpicklingError(`SETITEM(S) on a ${typeName(dict)}, not a dict`);
    if (items.length % 2 !== 0) throw new UnpicklingError("SETITEMS with an odd number of items");
    for (let i = 0; i < items.length; i += 2) {
      checkKey(items[i]);
      place(target as object, items[i]);
      place(target as object, items[i + 1]);
      dict.set(items[i], items[i + 1]);
    }
  };
  const appendItems = (target: unknown, items: unknown[]): void => {
    const list = target instanceof PythonObject ? target.listItems : target;
    if (!Array.isArray(list) || isTupleLike(list)) throw new UnpicklingError(`APPEND(S) on a ${typeName(list)}, not a list`);
    for (const item of items) {
      place(target as object, item);
      list.push(item);
    }
  };
  const memoPut = (index: number): void => {
    if (memo.size >= limits.maxMemo && !memo.has(index)) throw new UnpicklingError(`pickle memo exceeds ${limits.maxMemo} entries`);
    memo.set(index, top());
  };
  const memoGet = (index: number): void => {
    if (!memo.has(index)) throw new UnpicklingError(`Memo value not found at index ${index}`);
    stack.push(memo.get(index));
  };

  for (;;) {
    if (stack.length > limits.maxStack) throw new UnpicklingError(`pickle stack exceeds ${limits.maxStack} items`);
    const op = u8();
    switch (op) {
      case 0x80: { // PROTO
        const proto = u8();
        if (proto > MAX_PROTOCOL) throw new UnpicklingError(`unsupported pickle protocol: ${proto}`);
        break;
      }
      case 0x95: u64(); break; // FRAME: framing is transparent to a reader of the whole buffer
      case 0x2e: return { value: pop(), end: pos }; // STOP
      case 0x28: // MARK
        if (metastack.length >= limits.maxDepth) throw new UnpicklingError(`pickle nests MARKs deeper than ${limits.maxDepth} levels`);
        metastack.push(stack);
        stack = [];
        break;
      case 0x30: if (stack.length > 0) stack.pop(); else popMark(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      // ---- scalars ----
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: stack.push(decodeLong(bytes(u8()))); break; // LONG1
      case 0x8b: { // LONG4
        const n = i32();
        if (n < 0) throw new UnpicklingError("LONG pickle has negative byte count");
        stack.push(decodeLong(bytes(n)));
        break;
      }
      case 0x49: { // INT (protocol 0; "00"/"01" are False/True)
        const text = line();
        stack.push(text === "00" ? false : text === "01" ? true : parseIntText(text));
        break;
      }
      case 0x4c: stack.push(parseIntText(line().replace(/L$/, ""))); break; // LONG (protocol 0)
      case 0x46: { // FLOAT (protocol 0)
        const text = line().trim();
        const v = text === "inf" ? Infinity : text === "-inf" ? -Infinity : text === "nan" ? NaN : Number(text);
        if (Number.isNaN(v) && text !== "nan") throw new UnpicklingError(`invalid float literal in pickle: ${JSON.stringify(text.slice(0, 40))}`);
        stack.push(v);
        break;
      }
      case 0x47: { need(8); stack.push(view.getFloat64(pos, false)); pos += 8; break; } // BINFLOAT (big-endian)
      // ---- strings and bytes ----
      case 0x58: stack.push(str(u32())); break; // BINUNICODE
      case 0x8c: stack.push(str(u8())); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(str(u64())); break; // BINUNICODE8
      // Python 2 str: torch.load decodes them as UTF-8 (its default encoding argument).
      case 0x55: stack.push(str(u8())); break; // SHORT_BINSTRING
      case 0x54: { // BINSTRING
        const n = i32();
        if (n < 0) throw new UnpicklingError("BINSTRING pickle has negative byte count");
        stack.push(str(n));
        break;
      }
      case 0x43: stack.push(copyBytes(u8())); break; // SHORT_BINBYTES
      case 0x42: stack.push(copyBytes(u32())); break; // BINBYTES
      case 0x8e: stack.push(copyBytes(u64())); break; // BINBYTES8
      case 0x96: stack.push(copyBytes(u64())); break; // BYTEARRAY8
      // ---- containers ----
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x7d: stack.push(markDict(new Map())); break; // EMPTY_DICT
      case 0x29: stack.push(markTuple([])); break; // EMPTY_TUPLE
      case 0x8f: stack.push(new Set()); break; // EMPTY_SET
      case 0x6c: { const items = popMark(); const list: unknown[] = []; appendItems(list, items); stack.push(list); break; } // LIST
      case 0x74: { const items = popMark(); stack.push(newTuple(items)); break; } // TUPLE
      case 0x85: stack.push(newTuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push(newTuple([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(newTuple([a, b, c])); break; } // TUPLE3
      case 0x64: { const items = popMark(); const dict = markDict(new Map()); setItems(dict, items); stack.push(dict); break; } // DICT
      case 0x61: { const item = pop(); appendItems(top(), [item]); break; } // APPEND
      case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x90: { // ADDITEMS
        const items = popMark();
        const set = top();
        if (!(set instanceof Set)) throw new UnpicklingError(`ADDITEMS on a ${typeName(set)}, not a set`);
        for (const item of items) { checkKey(item); place(set, item); set.add(item); }
        break;
      }
      case 0x91: { // FROZENSET
        const items = popMark();
        const set = new Set<unknown>();
        for (const item of items) { checkKey(item); place(set, item); set.add(item); }
        stack.push(set);
        break;
      }
      // ---- memo ----
      case 0x70: { const i = parseIntText(line()); if (typeof i !== "number" || i < 0) throw new UnpicklingError("negative PUT argument"); memoPut(i); break; } // PUT
      case 0x71: memoPut(u8()); break; // BINPUT
      case 0x72: memoPut(u32()); break; // LONG_BINPUT
      case 0x94: memoPut(memo.size); break; // MEMOIZE
      case 0x67: { const i = parseIntText(line()); memoGet(typeof i === "number" ? i : -1); break; } // GET
      case 0x68: memoGet(u8()); break; // BINGET
      case 0x6a: memoGet(u32()); break; // LONG_BINGET
      // ---- the hooked opcodes: objects, calls, persistent ids ----
      case 0x63: { const module = line(); const name = line(); stack.push(hooks.findClass(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") throw new UnpicklingError("STACK_GLOBAL requires str module and name");
        stack.push(hooks.findClass(module, name));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        if (!Array.isArray(args)) throw new UnpicklingError(`REDUCE arguments must be a tuple, not a ${typeName(args)}`);
        const func = pop();
        stack.push(adopt(hooks.reduce(func, args)));
        break;
      }
      case 0x81: { // NEWOBJ
        const args = pop();
        const cls = pop();
        if (!Array.isArray(args)) throw new UnpicklingError(`NEWOBJ arguments must be a tuple, not a ${typeName(args)}`);
        stack.push(adopt(hooks.newObj(cls, args, null)));
        break;
      }
      case 0x92: { // NEWOBJ_EX
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        if (!Array.isArray(args) || !(kwargs instanceof Map)) throw new UnpicklingError("NEWOBJ_EX requires a tuple and a dict");
        stack.push(adopt(hooks.newObj(cls, args, kwargs)));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const inst = top();
        if (isContainer(inst)) place(inst, state);
        hooks.build(inst, state);
        break;
      }
      case 0x51: stack.push(hooks.persistentLoad(pop())); break; // BINPERSID
      case 0x50: stack.push(hooks.persistentLoad(line())); break; // PERSID
      default: {
        const name = OPCODE_NAMES[op];
        if (name !== undefined) throw new UnpicklingError(`pickle opcode ${name} is not supported (it is not used by torch.save, or it would run code)`);
        throw new UnpicklingError(`invalid load key, '\\x${op.toString(16).padStart(2, "0")}' at byte ${pos - 1}`);
      }
    }
  }
}
