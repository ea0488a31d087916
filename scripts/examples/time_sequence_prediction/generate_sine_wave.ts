// pytorch/examples time_sequence_prediction/generate_sine_wave.py in torch-ts: N sine waves of
// length L, each shifted by a random integer in [-4T, 4T), saved to traindata.pt (a float64
// tensor; the original saves a NumPy array, which torch-ts's allowlisted loader does not read).
// The shifts come from mulberry32(seed), not NumPy's generator, so the waves differ from the
// original's (test/examples.test.ts feeds Python's own data to the port instead).
//   npx tsx scripts/examples/time_sequence_prediction/generate_sine_wave.ts [--N 100] [--L 1000] [--T 20] [--seed 2] [--out traindata.pt]
import * as torch from "../../../lib/index.js";
import { isMain, parseFlags, UsageError } from "../common/cli.js";

export function sineWaves(n: number, l: number, t: number, seed: number): torch.Tensor {
  const rnd = torch.vision.transforms.mulberry32(seed);
  const data = new Float64Array(n * l);
  for (let i = 0; i < n; i++) {
    const shift = -4 * t + Math.floor(8 * t * rnd());
    for (let j = 0; j < l; j++) data[i * l + j] = Math.sin((j + shift) / 1.0 / t);
  }
  return torch.tensor(data, { shape: [n, l] });
}

const DEFAULTS = { N: 100, L: 1000, T: 20, seed: 2, out: "traindata.pt" };
if (isMain(import.meta.url)) {
  try {
    const o = parseFlags(process.argv.slice(2), DEFAULTS, { "--N": "N", "--L": "L", "--T": "T", "--seed": "seed", "--out": "out" });
    torch.save(sineWaves(o.N, o.L, o.T, o.seed), o.out);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`usage: generate_sine_wave.ts [--N 100] [--L 1000] [--T 20] [--seed 2] [--out traindata.pt]\nerror: ${err.message}`);
    process.exitCode = 2;
  }
}
