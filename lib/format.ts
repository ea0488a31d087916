// Renders a tensor the way Python's repr(tensor) does, e.g.
// tensor([[ 1.5000, -2.0000]], dtype=torch.float64, requires_grad=True)
import type { Tensor } from "./tensor.js";

const MAX_ELEMENTS = 1000; // PyTorch's print threshold; larger tensors are summarised
const EDGE = 3;

export function format(t: Tensor): string {
  const shape = t.shape;
  const dtype = t.dtype;
  const suffix: string[] = [];
  if (t.device !== "cpu") suffix.push(`device='${t.device === "cuda" ? "cuda:0" : t.device}'`);
  if (dtype !== "float32" && dtype !== "int64" && dtype !== "bool") suffix.push(`dtype=torch.${dtype}`);
  if (t.requiresGrad) suffix.push("requires_grad=True");
  const numel = shape.reduce((a, b) => a * b, 1);
  let body: string;
  if (numel === 0) body = "[]";
  else {
    const detached = t.detach();
    const host = detached.cpu();
    const values = host.tolist();
    host.dispose();
    detached.dispose();
    const isFloat = dtype.startsWith("float") || dtype === "bfloat16";
    const flat = ([] as unknown[]).concat(values).flat(Infinity) as (number | boolean)[];
    const text = (v: number | boolean): string => {
      if (typeof v === "boolean") return v ? "True" : "False";
      if (!isFloat) return String(v);
      if (Number.isNaN(v)) return "nan";
      if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
      return integral ? `${v}.` : v.toFixed(4);
    };
    // PyTorch prints integral floats as "1." and others with 4 decimals.
    const integral = isFloat && flat.every((v) => typeof v !== "number" || !Number.isFinite(v) || Number.isInteger(v));
    const width = Math.max(...flat.map((v) => text(v).length));
    const render = (v: unknown, depth: number): string => {
      if (!Array.isArray(v)) return text(v as number | boolean).padStart(width);
      const parts = v.length > 2 * EDGE && numel > MAX_ELEMENTS
        ? [...v.slice(0, EDGE).map((x) => render(x, depth + 1)), "...", ...v.slice(-EDGE).map((x) => render(x, depth + 1))]
        : v.map((x) => render(x, depth + 1));
      const sep = depth === shape.length - 1 ? ", " : ",\n" + " ".repeat(8 + depth);
      return `[${parts.join(sep)}]`;
    };
    body = render(values, 0);
  }
  return `tensor(${[body, ...suffix].join(", ")})`;
}
