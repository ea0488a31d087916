// The inputs of the collectives test (test/distributed_collectives.test.ts), one set per rank,
// deterministic from a seed, written to JSON for the Python and torch-ts rank programs.
//   node --import tsx test/reference/distributed_inputs.ts <world> <seed> > inputs.json
import { pathToFileURL } from "node:url";
import { rng } from "./distributed_run.js";

/** Per-rank inputs: float32-exact values (Math.fround), small ints, bit patterns, objects. */
export function makeInputs(world: number, seed: number) {
  const r = rng(seed);
  const f32 = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * r()));
  const int = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => lo + Math.floor((hi - lo + 1) * r()));
  const split = Array.from({ length: world }, (_, i) => Array.from({ length: world }, (_, j) => 1 + ((i + 2 * j) % 3)));
  const ranks = Array.from({ length: world }, (_, i) => ({
    f: f32(2 * world + 1, -4, 4),
    d: Array.from({ length: 5 }, () => -3 + 6 * r()),
    i: int(4, -50, 50),
    p: f32(4, 0.5, 1.5),
    bits: int(4, 0, 255),
    // Multiples of 1/8: sums are exact in any order, so reduce_scatter composed from one flat
    // all_reduce (torch-ts) and Python's per-chunk definition can agree bitwise at any world size
    // (gloo's ring sums a tensor in segments whose order depends on the tensor's length).
    chunks: Array.from({ length: world }, () => int(3, -16, 16).map((v) => v / 8)),
    a2a: f32(split[i]!.reduce((a, b) => a + b, 0), -1, 1),
    // Variable-size pickles per rank exercise the size exchange of all_gather_object.
    obj: { rank: i, name: `rank-${i}`, data: int(i * 3, 0, 9), half: i + 0.5, flag: i % 2 === 0, none: null },
  }));
  const objects = [{ a: 1, b: [1, 2, 3], c: "x" }, "hello", [4.25, -1, null], 12345678901, true, null];
  return { world, ranks, split, objects };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(JSON.stringify(makeInputs(Number(process.argv[2]), Number(process.argv[3]))));
}
