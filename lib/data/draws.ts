// The random draws of torch.utils.data, from an explicit torch.Generator (emulated in TypeScript,
// lib/generator.ts) or, when none is given, from the global generator through libtorch's own
// kernels, so the global state after a draw is Python's.
import { multinomialWith, randintWith, randomInt64With, randpermWith, type Generator } from "../generator.js";
import { tidy } from "../memory.js";
import { tensor } from "../tensor/creation.js";
import { empty } from "../tensor/ops.generated.js";
import { multinomial, randint, randperm } from "../tensor/ops.generated.js";
import type { Tensor } from "../tensor/index.js";

const asNumbers = (t: Tensor): number[] => Array.from(t.toTypedArray() as BigInt64Array, Number);

/** Python: `torch.randperm(n, generator=g).tolist()`. */
export function drawRandperm(n: number, g?: Generator): number[] {
  if (g !== undefined) return randpermWith(n, g);
  return tidy(() => asNumbers(randperm(n) as Tensor));
}

/** Python: `torch.randint(high=high, size=(count,), dtype=torch.int64, generator=g).tolist()`. */
export function drawRandint(high: number, count: number, g?: Generator): number[] {
  if (g !== undefined) return randintWith(0, high, count, g);
  return tidy(() => asNumbers(randint(high, [count], { dtype: "int64" }) as Tensor));
}

/** Python: `torch.empty((), dtype=torch.int64).random_(generator=g).item()`. */
export function drawInt64(g?: Generator): bigint {
  if (g !== undefined) return randomInt64With(g);
  return tidy(() => ((empty([], { dtype: "int64" }) as Tensor).random_() as Tensor).toTypedArray() as BigInt64Array)[0]!;
}

/** Python: `torch.multinomial(weights, n, replacement, generator=g).tolist()` (float64 weights). */
export function drawMultinomial(weights: Float64Array, n: number, replacement: boolean, g?: Generator): number[] {
  if (g !== undefined) return multinomialWith(weights, n, replacement, g);
  return tidy(() => asNumbers(multinomial(tensor(weights), n, replacement) as Tensor));
}
