// The per-sample generator of the image pipeline: transforms draw their randomness from it, so a
// sample's augmentation depends on (seed, epoch, index) only. lib/vision uses this one.

/** A seedable uniform [0, 1) generator. */
export type Rng = () => number;

/** mulberry32: a small, fast 32-bit generator (the pipeline's, not PyTorch's). */
export function mulberry32(seed: number): Rng {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
