# Helpers the examples_<name>.py scripts share (the data they read instead of downloading).
import gzip
import os
import shutil
import tempfile

import torch

FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
_mnist_root = None


def mnist_root():
    """A root that torchvision.datasets.MNIST(root, download=False) reads: <root>/MNIST/raw/
    holding Debian's Fashion-MNIST (MNIST's file format) decompressed under MNIST's names."""
    global _mnist_root
    if _mnist_root is None:
        root = tempfile.mkdtemp(prefix="examples-mnist-")
        raw = os.path.join(root, "MNIST", "raw")
        os.makedirs(raw)
        for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]:
            with gzip.open(os.path.join(FASHION_MNIST, name + ".gz"), "rb") as src, open(os.path.join(raw, name), "wb") as dst:
                shutil.copyfileobj(src, dst)
        _mnist_root = root
    return _mnist_root


def first(dataset, limit):
    """The first `limit` samples (all when None): how the TS ports' --limit slices."""
    return dataset if limit is None else torch.utils.data.Subset(dataset, range(min(limit, len(dataset))))


def tensor_of(spec):
    return torch.tensor(spec["data"], dtype=torch.float32).reshape(spec["shape"])
