// Generates the op surface from PyTorch's own schemas: lib/tensor/ops.generated.ts (torch.x,
// Tensor methods, torch.linalg, torch.fft, torch.special) and lib/nn/functional.generated.ts
// (the ATen ops of torch._C._nn) from native_functions.yaml, the file PyTorch's Python
// bindings are generated from. Public operators only: no leading underscore, no *_backward.
// The calling rule and overload choice live in lib/tensor/op_call.ts; this writes the tables
// and their types. Names the package already has by hand keep their hand-written version.
//
//   npx tsx scripts/gen-ops.ts [--yaml PATH]   default: the torchgen of PYTHON (/usr/bin/python3)
//
// Rerun against another libtorch by pointing --yaml at its torchgen's native_functions.yaml.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ARG_RE, camel, parseOverload, splitArgs } from "../lib/tensor/op_call.js";
import { parseCommandLine, parseFlags } from "../lib/train/cli.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PYTHON = process.env.PYTHON ?? "/usr/bin/python3";

const args = parseCommandLine("gen-ops", `usage: npx tsx scripts/gen-ops.ts [--yaml PATH]
  Regenerates lib/tensor/ops.generated.ts and lib/nn/functional.generated.ts from native_functions.yaml.
  --yaml PATH   native_functions.yaml to read (default: the torchgen of ${PYTHON})`,
() => parseFlags(process.argv.slice(2), { yaml: { type: "string" }, help: { type: "boolean" } }).values as { yaml?: string; help?: boolean });


interface Entry { func: string; variants: string; module: string }

const dump = execFileSync(PYTHON, ["-c", `
import json, os, sys, yaml, torch, torchgen
path = sys.argv[1] or os.path.join(os.path.dirname(torchgen.__file__), "packaged/ATen/native/native_functions.yaml")
entries = yaml.load(open(path), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
print(json.dumps({"path": path, "version": torch.__version__, "entries": [
  {"func": e["func"], "variants": e.get("variants", "function"), "module": e.get("python_module", "")} for e in entries]}))
`, args.yaml ?? ""], { encoding: "utf8", maxBuffer: 1 << 28 });
const { path: yamlPath, version, entries } = JSON.parse(dump) as { path: string; version: string; entries: Entry[] };

const baseName = (func: string): string => func.slice(0, func.indexOf("(")).split(".")[0]!;

/** An out= overload (a written-into argument other than self): the functional overload serves it. */
const writesOut = (func: string): boolean => /\([a-z]!\)(\[\])?\?? (?!self\b)/.test(func.slice(0, func.lastIndexOf(") -> ")));
const NAMESPACES: Record<string, string> = { "": "torch", nn: "nn", linalg: "linalg", fft: "fft", special: "special" };

const groups: Record<string, Map<string, string[]>> = { torch: new Map(), nn: new Map(), linalg: new Map(), fft: new Map(), special: new Map(), method: new Map() };
let kept = 0;
for (const e of entries) {
  const name = baseName(e.func);
  if (name.startsWith("_") || name.endsWith("_backward") || writesOut(e.func)) continue;
  const ns = NAMESPACES[e.module];
  if (ns === undefined) continue; // sparse, nested: no torch-ts counterpart yet
  kept++;
  const add = (group: string, js: string) => {
    const list = groups[group]!.get(js) ?? [];
    list.push(e.func);
    groups[group]!.set(js, list);
  };
  const variants = e.variants.split(",").map((v) => v.trim());
  if (variants.includes("function")) {
    const stripped = ns === "torch" || ns === "nn" ? name : name.replace(new RegExp(`^${ns}_`), "");
    add(ns, camel(stripped));
  }
  if (variants.includes("method")) add("method", camel(name));
}

// ---- types, from each schema ----
const reserved = new Set(["delete", "new", "default", "import", "export", "function", "class", "var", "let", "const", "in", "instanceof", "typeof", "void", "with", "yield", "return", "enum", "switch", "case", "this", "super"]);
const TS: Record<string, string> = {
  Tensor: "Tensor", int: "number | bigint", SymInt: "number | bigint", float: "number", bool: "boolean", Scalar: "Scalar", str: "string",
  ScalarType: "DType", Device: "Device", MemoryFormat: "MemoryFormat", Layout: '"strided"', Generator: "null",
};
function tsType(type: string): string | null {
  type = type.replace(/\([^)]*\)/, "");
  const optional = type.endsWith("?");
  if (optional) type = type.slice(0, -1);
  const list = /^(.*)\[(\d*)\]$/.exec(type);
  let t: string | null;
  if (list !== null) {
    const inner = list[1] === "Tensor?" ? "Tensor | null" : TS[list[1]!] ?? null;
    t = inner === null ? null : list[2] !== "" && (list[1] === "int" || list[1] === "SymInt") ? `number | (number | bigint)[]` : `(${inner})[]`;
  } else t = TS[type] ?? null;
  return t === null ? null : optional ? `${t} | null` : t;
}
const RET: Record<string, string> = { Tensor: "Tensor", "Tensor[]": "Tensor[]", int: "number", float: "number", bool: "boolean", Scalar: "number | boolean", SymInt: "number", ScalarType: "number", str: "string" };
/**
 * Ops whose Tensor result is always bool, which a schema does not say: typed BoolTensor, so that
 * its item() is a boolean (lib/tensor/tensor.ts). any/all of a uint8 tensor give uint8, as in PyTorch.
 */
const BOOL_RESULT = new Set(["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
  "isnan", "isinf", "isfinite", "isposinf", "isneginf", "isreal", "signbit", "isclose", "isin",
  "logical_and", "logical_or", "logical_xor", "logical_not", "any", "all"]);
/** Ops whose Tensor results are always complex: typed ComplexTensor (item() is a `{ re, im }`). */
const COMPLEX_RESULT = new Set(["fft_fft", "fft_ifft", "fft_fft2", "fft_ifft2", "fft_fftn", "fft_ifftn", "fft_rfft", "fft_rfft2", "fft_rfftn",
  "fft_ihfft", "fft_ihfft2", "fft_ihfftn", "complex", "polar", "view_as_complex", "linalg_eig", "linalg_eigvals"]);
/**
 * Python's factories (a schema with pin_memory) also take requires_grad (op_call.ts applies it
 * to the result): the same test as OpEntry.call's, over the overloads torch-ts can call.
 */
const isFactory = (schemas: readonly string[]): boolean => schemas.some((s) => parseOverload(s)?.params.some((p) => p.name === "pinMemory") === true);
/**
 * The TypeScript signatures of one schema (several: each split between positional and options), or [] when not callable.
 * They follow op_call.ts's bind(): a prefix of the arguments before `*` positionally, the rest in one
 * options object (required keys for arguments without a default, Python's keyword form:
 * `torch.cumsum(x, { dim: 0 })`, `x.cumsum({ dim: 0 })`), and a last positional int[] or Tensor[]
 * also as separate arguments (Python's `*size`, `*tensors`: `x.repeat(2, 1)`, `torch.meshgrid(a, b)`).
 */
function signatures(func: string, dropSelf: boolean, factory = false): string[] {
  const arrow = func.lastIndexOf(") -> ");
  const params: { name: string; type: string; omittable: boolean; kwOnly: boolean; list?: string }[] = [];
  let kwOnly = false;
  for (const a of splitArgs(func.slice(func.indexOf("(") + 1, arrow))) {
    if (a === "*") { kwOnly = true; continue; }
    const m = ARG_RE.exec(a);
    if (m === null) return [];
    const t = tsType(m[1]!);
    if (t === null) return [];
    // The element type of a list op_call.ts spreads (its kinds intList and TensorList).
    const bare = m[1]!.replace(/\([^)]*\)/, "").replace(/\?$/, "");
    const list = /^(int|SymInt)\[\d*\]$/.test(bare) ? "number | bigint" : /^Tensor\[\]$/.test(bare) ? "Tensor" : undefined;
    params.push({ name: camel(m[2]!), type: t, omittable: m[3] !== undefined || m[1]!.endsWith("?"), kwOnly, list });
  }
  if (dropSelf) {
    if (params[0]?.name !== "self") return [];
    params.shift();
  }
  const base = baseName(func);
  const retText = func.slice(arrow + 5).trim();
  const rets = (retText.startsWith("(") ? splitArgs(retText.slice(1, -1)) : retText === "" ? [] : [retText]).map((r) => {
    const [type, name] = r.split(" ");
    const t = RET[type!.replace(/\([^)]*\)/, "")] ?? "unknown";
    const typed = t !== "Tensor" ? t : BOOL_RESULT.has(base) ? "BoolTensor" : COMPLEX_RESULT.has(base) ? "ComplexTensor" : t;
    return { type: typed, name: name === undefined ? undefined : camel(name) };
  });
  const ret = rets.length === 0 ? "void" : rets.length === 1 ? rets[0]!.type
    : rets.every((r) => r.name) ? `NamedReturns<[${rets.map((r) => r.type).join(", ")}], [${rets.map((r) => JSON.stringify(r.name)).join(", ")}]>`
    : `[${rets.map((r) => r.type).join(", ")}]`;
  const positional = params.filter((p) => !p.kwOnly);
  const firstOmittable = positional.findIndex((p) => p.omittable);
  const required = firstOmittable < 0 ? positional : positional.slice(0, firstOmittable);
  const rest = firstOmittable < 0 ? [] : positional.slice(firstOmittable);
  const kw = params.filter((p) => p.kwOnly);
  if (factory && !params.some((p) => p.name === "requiresGrad")) kw.push({ name: "requiresGrad", type: "boolean", omittable: true, kwOnly: true });
  const id = (n: string) => (reserved.has(n) ? `${n}_` : n); // a parameter's name is only documentation
  const arg = (p: { name: string; type: string }) => `${id(p.name)}: ${p.type}`;
  /** The options object: `needed` as required keys, `opts` as optional ones; null when it would be empty. */
  const options = (needed: typeof params, opts: typeof params): string | null => {
    const keys = [...needed.map((p) => `${p.name}: ${p.type}`), ...opts.map((p) => `${p.name}?: ${p.type}`)];
    return keys.length === 0 ? null : `options${needed.length > 0 ? "" : "?"}: { ${keys.join("; ")} }`;
  };
  // A keyword-only argument without a default (`*, ScalarType dtype`) is a required key.
  const kwNeeded = kw.filter((p) => !p.omittable);
  const kwOptional = kw.filter((p) => p.omittable);
  const out: string[] = [];
  for (let j = 0; j <= rest.length; j++) {
    // Before a required options object a parameter cannot be optional: then each is given (null or a value).
    const pos = [...required.map(arg), ...rest.slice(0, j).map((p) => (kwNeeded.length > 0 ? arg(p) : `${id(p.name)}?: ${p.type}`))];
    const o = options(kwNeeded, [...rest.slice(j), ...kwOptional]);
    if (o !== null) pos.push(o);
    out.push(`(${pos.join(", ")}): ${ret}`);
  }
  // Python's keyword form of the arguments without a default; a function's first stays positional.
  for (let k = dropSelf ? 0 : 1; k < required.length; k++) {
    out.push(`(${[...required.slice(0, k).map(arg), options([...required.slice(k), ...kwNeeded], [...rest, ...kwOptional])!].join(", ")}): ${ret}`);
  }
  const last = positional[positional.length - 1];
  if (last?.list !== undefined) {
    const before = positional.slice(0, -1).map(arg);
    const elem = last.list;
    if (kwNeeded.length === 0) out.push(`(${[...before, `...${id(last.name)}: [${elem}, ...(${elem})[]]`].join(", ")}): ${ret}`);
    const o = options(kwNeeded, kwOptional);
    if (o !== null) {
      out.push(`(...args: [${[...before, `${id(last.name)}: ${elem}`, `...more: (${elem})[]`, o.replace("options?:", "options:")].join(", ")}]): ${ret}`);
    }
  }
  return out;
}

// Every function is generated, hand-written ones too: a module's explicit export wins over
// `export *` (lib/index.ts, lib/nn/functional.ts), so the hand-written version is what users
// get, and it may build on the generated entry of its name. Methods are different: a method
// written by hand on Tensor.prototype is skipped (attachMethods also leaves it in place), so
// the generated declarations never contradict it.
const outputs = ["lib/tensor/ops.generated.ts", "lib/nn/functional.generated.ts"].map((f) => path.join(root, f));
const torch = (await import("../lib/index.js")) as unknown as Record<string, unknown>;
const { GENERATED } = await import("../lib/tensor/ops.js");
const { FAST_FORM } = await import("../lib/tensor/define_methods.js");
const proto = (torch.Tensor as { prototype: Record<string, unknown> }).prototype;

const header = (what: string) => `// Generated by scripts/gen-ops.ts from native_functions.yaml of PyTorch ${version}
// (${yamlPath}); do not edit: rerun the generator. ${what}
`;
function functionLines(group: Map<string, string[]>, prefix: string): { lines: string[]; count: number } {
  const lines: string[] = [];
  let count = 0;
  for (const [name, schemas] of [...group].sort(([a], [b]) => a.localeCompare(b))) {
    const factory = isFactory(schemas);
    const sigs = [...new Set(schemas.flatMap((s) => signatures(s, false, factory)))];
    if (sigs.length === 0) continue;
    count++;
    // A reserved word (torch.var) cannot be a const's name, but can be an export's.
    const local = reserved.has(name) ? `${name}_` : name;
    lines.push(`${local === name ? "export " : ""}const ${local}: {\n${sigs.map((s) => `  ${s};`).join("\n")}\n} = fn("${prefix}${name}", "${baseName(schemas[0]!)}", ${JSON.stringify(schemas)});`);
    if (local !== name) lines.push(`export { ${local} as ${name} };`);
  }
  return { lines, count };
}
/** torch.linalg / torch.fft / torch.special: an object of generated functions. */
function namespaceObject(ns: string, group: Map<string, string[]>): { text: string; count: number } {
  const members = [...group].sort(([a], [b]) => a.localeCompare(b))
    .map(([n, s]) => [n, s, [...new Set(s.flatMap((x) => signatures(x, false, isFactory(s))))]] as const)
    .filter(([, , sigs]) => sigs.length > 0);
  const body = members.map(([n, s, sigs]) => `  ${n}: fn<{\n${sigs.map((x) => `    ${x};`).join("\n")}\n  }>("torch.${ns}.${n}", "${baseName(s[0]!)}", ${JSON.stringify(s)}),`);
  return { text: `/** Python: \`torch.${ns}\`. */\nexport const ${ns} = {\n${body.join("\n")}\n};`, count: members.length };
}

const top = functionLines(groups.torch!, "torch.");
/** A hand-written member of Tensor.prototype (read through its descriptor: getters need an instance). */
const handWrittenMethod = (n: string): boolean => {
  for (let o: object | null = proto; o !== null; o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, n);
    // A fast path for some forms only (FAST_FORM) gets the generated method behind it: not excluded.
    if (d !== undefined) return d.get !== undefined ? !(GENERATED in d.get) : !(typeof d.value === "function" && (GENERATED in d.value || FAST_FORM in d.value));
  }
  return false;
};
// Python's Tensor has these as properties, not methods (torch/csrc/autograd/python_variable.cpp):
// x.T is aten::numpy_T, x.H aten::matrix_H, x.mT aten::mT, x.mH aten::mH, x.real aten::real,
// x.imag aten::imag (the last two are function variants only in the schemas).
const PROPERTIES: Record<string, string> = { T: "numpy_T", H: "matrix_H", mT: "mT", mH: "mH", real: "real", imag: "imag" };
const propertyEntries = Object.entries(PROPERTIES).filter(([p, op]) => !handWrittenMethod(p) && (groups.method!.has(op) || groups.torch!.has(op)))
  .map(([p, op]) => [p, (groups.method!.get(op) ?? groups.torch!.get(op))!] as const);
const methodEntries = [...groups.method!].sort(([a], [b]) => a.localeCompare(b))
  .filter(([n]) => !handWrittenMethod(n) && !(n in PROPERTIES));
const methodDecls = methodEntries.map(([n, s]) => [...new Set(s.flatMap((x) => signatures(x, true, isFactory(s))))].map((sig) => `    ${n}${sig};`).join("\n")).filter((x) => x !== "")
  .concat(propertyEntries.map(([p, [schema]]) => `    /** Python: \`x.${p}\` (aten::${schema!.slice(0, schema!.indexOf("("))}). */\n    readonly ${p}: Tensor;`));
const spaces = ["linalg", "fft", "special"].map((ns) => namespaceObject(ns, groups[ns]!));
const opsFile = `${header("torch.x, Tensor methods, torch.linalg, torch.fft and torch.special.")}import type { Scalar } from "../../binding.js";
import type { Device } from "../device.js";
import type { DType } from "../dtype.js";
import type { BoolTensor, ComplexTensor, MemoryFormat, Tensor } from "./tensor.js";
import { attachMethods, attachProperties, fn, type NamedReturns } from "./ops.js";

${top.lines.join("\n")}

${spaces.map((s) => s.text).join("\n\n")}

declare module "./tensor.js" {
  interface Tensor {
${methodDecls.join("\n")}
  }
}

attachMethods(${JSON.stringify(Object.fromEntries(methodEntries))});
attachProperties(${JSON.stringify(Object.fromEntries(propertyEntries.map(([p, s]) => [p, s[0]])))});
`;
const nn = functionLines(groups.nn!, "nn.functional.");
/** The type imports a generated body uses (an unused import fails strict type-checking). */
function typeImports(body: string, up: string): string {
  const uses = (name: string) => new RegExp(`\\b${name}\\b`).test(body);
  const from: [string, string[]][] = [[`${up}../binding.js`, ["Scalar"]], [`${up}device.js`, ["Device"]], [`${up}dtype.js`, ["DType"]], [`${up}tensor/tensor.js`, ["BoolTensor", "ComplexTensor", "MemoryFormat", "Tensor"]]];
  return from.map(([file, names]) => [file, names.filter(uses)] as const).filter(([, n]) => n.length > 0)
    .map(([file, names]) => `import type { ${names.join(", ")} } from "${file}";\n`).join("");
}
const nnBody = nn.lines.join("\n");
const nnFile = `${header("torch.nn.functional's ATen ops (torch._C._nn), with ATen's schemas.")}${typeImports(nnBody, "../")}import { fn${/\bNamedReturns\b/.test(nnBody) ? ", type NamedReturns" : ""} } from "../tensor/ops.js";

${nnBody}
`;
fs.writeFileSync(outputs[0]!, opsFile);
fs.writeFileSync(outputs[1]!, nnFile);
console.log(`gen-ops: ${kept} public schemas of PyTorch ${version}: ${top.count} torch functions, ${methodEntries.length} Tensor methods, ` +
  `${spaces.map((s, i) => `${["linalg", "fft", "special"][i]} ${s.count}`).join(", ")}, nn.functional ${nn.count} (hand-written versions of the same names win)`);
