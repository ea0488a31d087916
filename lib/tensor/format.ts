// Renders a tensor the way Python's repr(tensor) does (torch/_tensor_str.py, PyTorch 1.13), e.g.
// tensor([[ 1.5000, -2.0000]], dtype=torch.float64, requires_grad=True)
// Above `threshold` elements only the `edgeitems` first and last entries of each dimension are
// ever copied out of the tensor (narrow + cat in native code, as get_summarized_data does), so
// printing a 1000x1000 tensor reads 36 values, and the widths come from those values only.
// Python: torch.set_printoptions / torch._tensor_str.
import type { Handle } from "../../binding.js";
import { native } from "../binding.js";
import { COMPLEX_PART, isComplexDType } from "./complex.js";
import { DTYPES, dtypeFromCode, type DType } from "../dtype.js";
import { handleOf, type Tensor } from "./tensor.js";
import { argError, checkOptions } from "../validate.js";

/** Python's torch.set_printoptions arguments (camelCase). */
export interface PrintOptions {
  /** Digits after the decimal point (default 4). */
  precision?: number;
  /** Above this many elements the tensor is summarized with "..." (default 1000; Infinity: never). */
  threshold?: number;
  /** Entries kept at each end of a summarized dimension (default 3). */
  edgeitems?: number;
  /** Characters per line before a 1-D row wraps (default 80). */
  linewidth?: number;
  /** "default" (4, 1000, 3, 80), "short" (2, 1000, 2, 80) or "full" (4, Infinity, 3, 80); the other options override it. */
  profile?: "default" | "short" | "full";
  /** Scientific notation on (true), off (false), or chosen per tensor (null, the default). */
  sciMode?: boolean | null;
}

const PRINT_OPTS = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null as boolean | null };
const PROFILES = {
  default: { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 },
  short: { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 },
  full: { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 },
} as const;
const PRINT_OPTION_NAMES = ["precision", "threshold", "edgeitems", "linewidth", "profile", "sciMode"] as const;

/**
 * Python: `torch.set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
 * profile=None, sci_mode=None)`. As in Python, `sciMode` is reset to automatic (null) unless
 * given, and options not given keep their values (a profile sets its four first). Every value
 * is checked before any is applied.
 */
export function setPrintoptions(options: PrintOptions = {}): void {
  const fn = "torch.setPrintoptions";
  const o = checkOptions(fn, options, PRINT_OPTION_NAMES);
  const next = { ...PRINT_OPTS };
  if (o.profile !== undefined) {
    if (typeof o.profile !== "string" || !Object.prototype.hasOwnProperty.call(PROFILES, o.profile)) {
      throw argError(fn, "profile", `one of ${Object.keys(PROFILES).join(", ")}`, o.profile);
    }
    Object.assign(next, PROFILES[o.profile as keyof typeof PROFILES]);
  }
  const int = (name: "precision" | "edgeitems" | "linewidth", min: number, max: number): void => {
    const v = o[name];
    if (v === undefined) return;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max) {
      throw argError(fn, name, `an integer between ${min} and ${max}`, v);
    }
    next[name] = v;
  };
  int("precision", 0, 100); // JS's toFixed/toExponential stop at 100 digits
  int("edgeitems", 1, 1_000_000);
  int("linewidth", 1, 1_000_000);
  if (o.threshold !== undefined) {
    if (typeof o.threshold !== "number" || !(o.threshold >= 0)) throw argError(fn, "threshold", "a number >= 0 (Infinity: never summarize)", o.threshold);
    next.threshold = o.threshold;
  }
  if (o.sciMode !== undefined && o.sciMode !== null && typeof o.sciMode !== "boolean") throw argError(fn, "sciMode", "a boolean or null", o.sciMode);
  next.sciMode = (o.sciMode as boolean | null | undefined) ?? null;
  Object.assign(PRINT_OPTS, next);
}

/** The print options in effect (Python: `torch._tensor_str.PRINT_OPTS`). */
export function getPrintoptions(): Required<Omit<PrintOptions, "profile">> {
  return { ...PRINT_OPTS };
}

// ---- Python's float formatting ("{:.4f}", "{:.4e}") in JS ----

/**
 * Python rounds the exact binary value half to even; JS's toFixed/toExponential round an exact
 * tie away from zero (0.03125 to 4 places: Python 0.0312, JS 0.0313). `rounded` is JS's result,
 * `fine` the same conversion at 30 more digits (exact for any tie); on a tie whose JS result
 * ends in an odd digit, the truncation is the even neighbour.
 */
function halfEven(rounded: string, fine: string, keep: number): string {
  const tail = fine.slice(keep);
  if (!/^50*$/.test(tail)) return rounded;
  const digitAt = /e/.test(rounded) ? rounded.indexOf("e") - 1 : rounded.length - 1;
  if ((rounded.charCodeAt(digitAt) - 48) % 2 === 0) return rounded;
  const truncated = fine.slice(0, keep).replace(/\.$/, "");
  return truncated + (/e/.test(rounded) ? rounded.slice(rounded.indexOf("e")) : "");
}

function nonFinite(v: number): string | undefined {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  return undefined;
}

/** Python's "{:.{p}f}".format(v). */
export function pyFixed(v: number, p: number): string {
  const special = nonFinite(v);
  if (special !== undefined) return special;
  const sign = v < 0 || Object.is(v, -0) ? "-" : "";
  const a = Math.abs(v);
  if (a >= 1e21) return sign + BigInt(a).toString() + (p > 0 ? "." + "0".repeat(p) : ""); // integral up there
  const rounded = a.toFixed(p);
  const fine = a.toFixed(Math.min(100, p + 30));
  return sign + halfEven(rounded, fine, fine.indexOf(".") + 1 + p);
}

/** Python's "{:.{p}e}".format(v): two exponent digits at least. */
export function pyExp(v: number, p: number): string {
  const special = nonFinite(v);
  if (special !== undefined) return special;
  const sign = v < 0 || Object.is(v, -0) ? "-" : "";
  const a = Math.abs(v);
  const rounded = a.toExponential(p);
  const fine = a.toExponential(Math.min(100, p + 30));
  // fine's mantissa is "d.ddd…": keep 1 + (p > 0 ? 1 + p : 0) characters.
  const s = halfEven(rounded, fine.slice(0, fine.indexOf("e")), p > 0 ? 2 + p : 1);
  const e = s.indexOf("e");
  const mantissa = e < 0 ? s : s.slice(0, e);
  const exp = e < 0 ? rounded.slice(rounded.indexOf("e") + 1) : s.slice(e + 1);
  const expSign = exp[0] === "-" ? "-" : "+";
  const digits = exp.replace(/^[+-]/, "");
  return `${sign}${mantissa}e${expSign}${digits.padStart(2, "0")}`;
}

/** torch._tensor_str._Formatter: one width and one notation for all printed values. */
class Formatter {
  readonly floating: boolean;
  intMode = true;
  sciMode = false;
  maxWidth = 1;

  constructor(values: ArrayLike<number | bigint>, dtype: DType, text: (v: number | bigint) => string) {
    this.floating = DTYPES[dtype].isFloatingPoint;
    const p = PRINT_OPTS.precision;
    if (!this.floating) {
      for (let i = 0; i < values.length; i++) this.maxWidth = Math.max(this.maxWidth, text(values[i]!).length);
    } else {
      const vals: number[] = [];
      for (let i = 0; i < values.length; i++) {
        const v = values[i] as number;
        if (Number.isFinite(v) && v !== 0) vals.push(v);
      }
      if (vals.length === 0) return; // as Python: no valid number, and sci_mode is not applied
      let min = Infinity;
      let max = 0;
      for (const v of vals) {
        const a = Math.abs(v);
        if (a < min) min = a;
        if (a > max) max = a;
      }
      this.intMode = vals.every((v) => Number.isInteger(v));
      const widest = (f: (v: number) => string, extra = 0) => {
        for (const v of vals) this.maxWidth = Math.max(this.maxWidth, f(v).length + extra);
      };
      if (this.intMode) {
        if (max / min > 1000 || max > 1e8) {
          this.sciMode = true;
          widest((v) => pyExp(v, p));
        } else widest((v) => pyFixed(v, 0), 1);
      } else if (max / min > 1000 || max > 1e8 || min < 1e-4) {
        this.sciMode = true;
        widest((v) => pyExp(v, p));
      } else widest((v) => pyFixed(v, p));
    }
    if (PRINT_OPTS.sciMode !== null) this.sciMode = PRINT_OPTS.sciMode;
  }

  format(v: number | bigint, text: (v: number | bigint) => string): string {
    let ret: string;
    if (this.floating) {
      const n = v as number;
      if (this.sciMode) ret = pyExp(n, PRINT_OPTS.precision);
      else if (this.intMode) ret = pyFixed(n, 0) + (Number.isFinite(n) ? "." : "");
      else ret = pyFixed(n, PRINT_OPTS.precision);
    } else ret = text(v);
    return ret.padStart(this.maxWidth);
  }
}

/** Python's str(tuple(shape)). */
const pyTuple = (shape: number[]): string => (shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`);

/** Copies out the elements that will be printed: all of them, or the summarized corners. */
function printedData(h: Handle, shape: number[], dtype: DType, cut: boolean[]): { values: ArrayLike<number | bigint>; shape: number[]; dtype: DType } {
  const owned: Handle[] = [];
  try {
    let cur = native.detach(h);
    owned.push(cur);
    const e = PRINT_OPTS.edgeitems;
    for (let d = 0; d < shape.length; d++) {
      if (!cut[d]) continue;
      const head = native.narrow(cur, d, 0, e);
      owned.push(head);
      const tail = native.narrow(cur, d, shape[d]! - e, e);
      owned.push(tail);
      cur = native.cat([head, tail], d);
      owned.push(cur);
    }
    // float16/bfloat16 print as float32, as Python's _tensor_str does (self.float()).
    const outDtype: DType = dtype === "float16" || dtype === "bfloat16" ? "float32" : dtype;
    if (outDtype !== dtype || native.device(cur) !== "cpu") {
      cur = native.to(cur, "cpu", DTYPES[outDtype].code, false, false);
      owned.push(cur);
    }
    const values = new DTYPES[outDtype].array(native.toData(cur)) as ArrayLike<number | bigint>; // conj views resolved
    return { values, shape: native.shape(cur), dtype: outDtype };
  } finally {
    for (const o of owned) native.dispose(o);
  }
}

/** _tensor_str: the bracketed body, `indent` being the length of "tensor(". */
function tensorStr(h: Handle, shape: number[], dtype: DType, numel: number, indent: number): string {
  const { threshold, edgeitems: e, linewidth } = PRINT_OPTS;
  const summarize = numel > threshold;
  const cut = shape.map((n) => summarize && n > 2 * e);
  const data = printedData(h, shape, dtype, cut);
  const text = data.dtype === "bool" ? (v: number | bigint) => (v ? "True" : "False") : (v: number | bigint) => String(v);
  let fmt: (i: number) => string;
  let elementLength: number;
  if (isComplexDType(data.dtype)) {
    // As _tensor_str: one formatter for the real parts and one for the imaginary parts; the
    // imaginary part loses its padding and gets a sign and a "j" (_vector_str's _val_formatter).
    const all = data.values as Float32Array | Float64Array;
    const re = all.filter((_, i) => i % 2 === 0);
    const im = all.filter((_, i) => i % 2 === 1);
    const part = COMPLEX_PART[data.dtype];
    const fr = new Formatter(re, part, text);
    const fi = new Formatter(im, part, text);
    fmt = (i) => {
      const imag = (fi.format(im[i]!, text) + "j").trimStart();
      return fr.format(re[i]!, text) + (imag[0] === "+" || imag[0] === "-" ? "" : "+") + imag;
    };
    elementLength = fr.maxWidth + 2 + fi.maxWidth + 1;
  } else {
    const formatter = new Formatter(data.values, data.dtype, text);
    fmt = (i) => formatter.format(data.values[i]!, text);
    elementLength = formatter.maxWidth + 2;
  }
  const small = data.shape;
  const strides: number[] = new Array(small.length);
  for (let d = small.length - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= small[d]!;
  }
  const rows = (d: number): number[] => Array.from({ length: small[d]! }, (_, i) => i);
  const render = (d: number, offset: number, ind: number): string => {
    const dim = small.length - d;
    if (dim === 0) return fmt(offset);
    const idx = rows(d);
    if (dim === 1) {
      const perLine = Math.max(1, Math.floor((linewidth - ind) / elementLength));
      const items = idx.map((i) => fmt(offset + i * strides[d]!));
      const shown = cut[d] ? [...items.slice(0, e), " ...", ...items.slice(e)] : items;
      const lines: string[] = [];
      for (let i = 0; i < shown.length; i += perLine) lines.push(shown.slice(i, i + perLine).join(", "));
      return "[" + lines.join(",\n" + " ".repeat(ind + 1)) + "]";
    }
    const slices = idx.map((i) => render(d + 1, offset + i * strides[d]!, ind + 1));
    const shown = cut[d] ? [...slices.slice(0, e), "...", ...slices.slice(e)] : slices;
    return "[" + shown.join("," + "\n".repeat(dim - 1) + " ".repeat(ind + 1)) + "]";
  };
  return render(0, 0, indent);
}

/** _add_suffixes: each suffix after ", ", or on a new line when the line would pass linewidth. */
function addSuffixes(body: string, suffixes: string[], indent: number): string {
  const out = [body];
  let lastLineLen = body.length - body.lastIndexOf("\n") + 1;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > PRINT_OPTS.linewidth) {
      out.push(",\n" + " ".repeat(indent) + suffix);
      lastLineLen = indent + suffix.length;
    } else {
      out.push(", " + suffix);
      lastLineLen += suffix.length + 2;
    }
  }
  out.push(")");
  return out.join("");
}

export function format(t: Tensor): string {
  const h = handleOf(t);
  const shape = native.shape(h);
  const dtype = dtypeFromCode(native.dtype(h));
  const device = native.device(h);
  const prefix = "tensor(";
  const indent = prefix.length;
  const suffixes: string[] = [];
  if (device !== "cpu") suffixes.push(`device='${device === "cuda" ? "cuda:0" : device}'`);
  const numel = shape.reduce((a, b) => a * b, 1);
  let body: string;
  if (numel === 0) {
    // As NumPy: the shape when it is not (0,), and the dtype whenever it is not the default.
    if (shape.length !== 1) suffixes.push(`size=${pyTuple(shape)}`);
    if (dtype !== "float32") suffixes.push(`dtype=torch.${dtype}`);
    body = "[]";
  } else {
    // The default dtypes (float32, its complex counterpart complex64, int64, bool) go unsaid.
    if (dtype !== "float32" && dtype !== "complex64" && dtype !== "int64" && dtype !== "bool") suffixes.push(`dtype=torch.${dtype}`);
    body = tensorStr(h, shape, dtype, numel, indent);
  }
  // Python prints grad_fn=<…Backward0> for a non-leaf; the addon does not name grad functions.
  if (native.requiresGrad(h)) suffixes.push("requires_grad=True");
  return addSuffixes(prefix + body, suffixes, indent);
}
