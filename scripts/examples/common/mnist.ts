// MNIST-format data as the examples' transforms leave it, stacked in memory: torchvision's
// datasets.MNIST + transforms.ToTensor() (+ Normalize). With no network, the default root is
// Debian's Fashion-MNIST, which is in MNIST's file format.
import * as torch from "../../../lib/index.js";

export const DEFAULT_ROOT = torch.vision.datasets.FASHION_MNIST_ROOT;

export interface MnistTensors { images: torch.Tensor; targets: torch.Tensor }

/**
 * The first `limit` samples (all when null) of `datasets.MNIST(root, train)` through ToTensor
 * (uint8 / 255 in float32, shape [N, 1, 28, 28]) and, if given, Normalize(mean, std).
 */
export function loadMnist(root: string, train: boolean, limit: number | null, normalize?: { mean: number; std: number }): MnistTensors {
  const ds = new torch.vision.datasets.MNIST(root, { train });
  const n = limit === null ? ds.length : Math.min(limit, ds.length);
  const px = ds.height * ds.width;
  return torch.tidy(() => {
    const raw = torch.tensor(ds.images.slice(0, n * px), { dtype: "uint8", shape: [n, 1, ds.height, ds.width] });
    let images = raw.to("float32").div(255);
    // Normalize subtracts and divides by [C, 1, 1] float32 tensors, as torchvision does.
    if (normalize) images = images.sub(torch.tensor([normalize.mean]).view(-1, 1, 1)).div(torch.tensor([normalize.std]).view(-1, 1, 1));
    const targets = torch.tensor(BigInt64Array.from(ds.targets.subarray(0, n), (v) => BigInt(v)));
    return { images, targets };
  });
}
