// Python arithmetic on "a float or a 0-dim tensor", for LBFGS: PyTorch's LBFGS mixes both
// (ys = y.dot(s) is a tensor, t = min(1., 1. / g.abs().sum()) * lr may be either), and which
// one a value is decides whether its arithmetic is float64 or float32. Each helper does what
// Python's operator does: a tensor on either side makes it the tensor op (reflected for a
// float on the left: rsub, reciprocal() * x), else float math.
import { Tensor } from "../tensor/index.js";

export type Num = number | Tensor;

export const isT = (x: Num): x is Tensor => x instanceof Tensor;
export const add = (a: Num, b: Num): Num => (isT(a) ? a.add(b) : isT(b) ? b.__radd__(a) : a + b);
export const sub = (a: Num, b: Num): Num => (isT(a) ? a.sub(b) : isT(b) ? b.__rsub__(a) : a - b);
export const mul = (a: Num, b: Num): Num => (isT(a) ? a.mul(b) : isT(b) ? b.__rmul__(a) : a * b);
export const div = (a: Num, b: Num): Num => (isT(a) ? a.div(b) : isT(b) ? b.__rtruediv__(a) : a / b);
export const neg = (a: Num): Num => (isT(a) ? a.neg() : -a);
export const abs = (a: Num): Num => (isT(a) ? a.abs() : Math.abs(a));
export const pow2 = (a: Num): Num => (isT(a) ? a.pow(2) : a ** 2);

const cmp = (a: Num, b: Num, op: "lt" | "le" | "gt" | "ge"): boolean => {
  const flip = { lt: "gt", le: "ge", gt: "lt", ge: "le" } as const;
  if (isT(a)) return Boolean(a[op](b).item());
  if (isT(b)) return Boolean(b[flip[op]](a).item());
  return op === "lt" ? a < b : op === "le" ? a <= b : op === "gt" ? a > b : a >= b;
};
export const lt = (a: Num, b: Num) => cmp(a, b, "lt");
export const le = (a: Num, b: Num) => cmp(a, b, "le");
export const gt = (a: Num, b: Num) => cmp(a, b, "gt");
export const ge = (a: Num, b: Num) => cmp(a, b, "ge");
/** Python's min(a, b): b if b < a, else a (the object itself, float or tensor). */
export const min = (a: Num, b: Num): Num => (lt(b, a) ? b : a);
/** Python's max(a, b): b if b > a, else a. */
export const max = (a: Num, b: Num): Num => (gt(b, a) ? b : a);
export const minOf = (xs: Num[]): Num => xs.reduce((m, x) => min(m, x));
export const maxOf = (xs: Num[]): Num => xs.reduce((m, x) => max(m, x));
/** A Python scalar as an ATen Scalar argument (alpha=tensor reads its value). */
export const scalar = (a: Num): number => (isT(a) ? a.item() : a);
