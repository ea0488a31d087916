// Python's float math (math.pow, x ** y, math.cos, math.log) as the C library computes it.
// V8's Math.pow/Math.cos/Math.log are fdlibm ports that differ from glibc in the last bit
// (measured: 0.999 ** k differs for ~8% of k, Math.cos for ~3% of arguments), which would
// make bias corrections and schedules drift from PyTorch's. ATen ops whose CPU kernels call
// the scalar libm function on a one-element tensor are Python's bit for bit: pow(Tensor,
// Tensor), cos of a complex128 (std::cos of a complex; the real kernels use SLEEF and differ),
// xlogy(1, x) (std::log). Checked against Python's math on thousands of arguments.
import { tidy } from "../memory.js";
import { tensor } from "../tensor/creation.js";

const cache = new Map<string, number>();
const CACHE_MAX = 512;

function remember(key: string, compute: () => number): number {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const v = compute();
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, v);
  return v;
}

const f64 = (x: number) => tensor([x], { dtype: "float64" });

/** Python: `base ** exp` for floats (libm pow). */
export function pow(base: number, exp: number): number {
  if (exp === 0) return 1;
  if (exp === 1) return base;
  return remember(`p${base},${exp}`, () => tidy(() => f64(base).pow(f64(exp)).item()));
}

/** Python: `math.cos(x)`. */
export function cos(x: number): number {
  return remember(`c${x}`, () => tidy(() => f64(x).to({ dtype: "complex128" }).cos().real.item()));
}

/** Python: `math.log(x)` (natural log; math.log(x, b) is log(x) / log(b)). */
export function log(x: number): number {
  return remember(`l${x}`, () => tidy(() => f64(1).xlogy(f64(x)).item()));
}
