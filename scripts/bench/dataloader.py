# The torchvision side of scripts/bench/dataloader.ts: ImageFolder + DataLoader(num_workers=N)
# with the same transform on the same files; images/s per epoch after a warm-up epoch, with
# persistent workers (as torch-ts keeps its worker threads) and with the default (workers
# started each epoch). Reads {"dir", "epochs", "workers", "batch_size", "images"} on stdin.
import json
import sys
import time

import PIL
import torch
import torchvision
from torchvision import datasets, transforms as T

torch.set_num_threads(1)


def run(cfg, persistent):
    transform = T.Compose([T.RandomResizedCrop(224), T.RandomHorizontalFlip(), T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    ds = datasets.ImageFolder(cfg["dir"], transform=transform)
    loader = torch.utils.data.DataLoader(ds, batch_size=cfg["batch_size"], shuffle=True, num_workers=cfg["workers"], persistent_workers=persistent and cfg["workers"] > 0)

    def epoch():
        t0 = time.perf_counter()
        n = 0
        for x, y in loader:
            n += x.shape[0]
        assert n == cfg["images"], n
        return n / (time.perf_counter() - t0)

    first = epoch()
    return {"first_epoch": first, "rates": [epoch() for _ in range(cfg["epochs"])]}


cfg = json.loads(sys.stdin.read())
torch.manual_seed(0)
out = {"torch": torch.__version__, "torchvision": torchvision.__version__, "pillow": PIL.__version__}
out["persistent"] = run(cfg, True)
out["respawn"] = run(cfg, False)
print(json.dumps(out))
