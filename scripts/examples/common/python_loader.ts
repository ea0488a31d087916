// What `torch.utils.data.DataLoader(dataset, batch_size, shuffle)` (num_workers=0) does with the
// global RNG in PyTorch 1.13, so a port sees the same batches in the same order AND leaves the
// global generator where Python leaves it (dropout masks and randn draws after it then match):
//   iter(loader)   draws `torch.empty((), dtype=int64).random_()` (the workers' base seed, even
//                  with no workers);
//   RandomSampler  draws one more such value on its first next() and seeds a private
//                  torch.Generator with it, then takes torch.randperm(n, generator=g).
// The private generator is torch.Generator, with randperm_cpu's swap loop (lib/generator.ts).
import * as torch from "../../../lib/index.js";
import { randpermWith } from "../../../lib/generator.js";

/** Python: `torch.empty((), dtype=torch.int64).random_().item()` from the global generator. */
export function drawSeed(): bigint {
  return torch.tidy(() => (torch.empty([], { dtype: "int64" }).random_().toTypedArray() as BigInt64Array)[0]!);
}

/** Python: `list(RandomSampler(range(n)))` (draws its seed from the global generator). */
export function randomSamplerOrder(n: number): number[] {
  return randpermWith(n, new torch.Generator().manualSeed(drawSeed()));
}

/**
 * The index batches of one `for batch in DataLoader(range(n), batch_size, shuffle, drop_last)`
 * pass, with both of Python's global-RNG draws made before the first batch.
 */
export function* loaderBatches(n: number, batchSize: number, shuffle: boolean, dropLast = false): Generator<number[]> {
  drawSeed(); // _BaseDataLoaderIter's _base_seed
  const order = shuffle ? randomSamplerOrder(n) : Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i += batchSize) {
    if (dropLast && i + batchSize > n) break;
    yield order.slice(i, i + batchSize);
  }
}

/** How many batches `len(loader)` reports. */
export function loaderLength(n: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

/** A DataLoader over tensors already in memory (the dataset's items stacked along dim 0). */
export class TensorLoader {
  readonly length: number;
  constructor(readonly tensors: readonly torch.Tensor[], readonly batchSize: number, readonly shuffle = false, readonly dropLast = false) {
    this.length = loaderLength(tensors[0]!.shape[0]!, batchSize, dropLast);
  }

  get datasetLength(): number {
    return this.tensors[0]!.shape[0]!;
  }

  /** Each batch's tensors; the caller disposes them (or runs the step in tidy). */
  *[Symbol.iterator](): Generator<torch.Tensor[]> {
    for (const idx of loaderBatches(this.datasetLength, this.batchSize, this.shuffle, this.dropLast)) {
      const index = torch.tensor(BigInt64Array.from(idx, (i) => BigInt(i)));
      yield this.tensors.map((t) => t.indexSelect(0, index));
      index.dispose();
    }
  }
}
