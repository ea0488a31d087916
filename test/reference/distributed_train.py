# Reference for test/distributed_train.test.ts: the test loss and accuracy that a run of
# scripts/train.ts across processes reported, recomputed by one PyTorch process from the
# checkpoint it wrote (torchvision's ResNet with a 1-channel stem, as train.ts builds it) on
# the same first n Fashion-MNIST test images, normalized as train.ts does.
import gzip, json, sys
import numpy as np
import torch, torchvision

req = json.loads(sys.stdin.read())
root = "/usr/share/datasets/fashion-mnist"
with gzip.open(f"{root}/t10k-images-idx3-ubyte.gz") as f:
    images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
with gzip.open(f"{root}/t10k-labels-idx1-ubyte.gz") as f:
    labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
n = req["n"]
x = torch.from_numpy(images[:n].copy()).float().div(255)
x = (x - torch.tensor(0.286)) / torch.tensor(0.353)
y = torch.from_numpy(labels[:n].astype(np.int64))

torch.set_num_threads(1)
out = {}
for run in req["runs"]:
    m = torchvision.models.__dict__[run["arch"]](num_classes=10)
    m.conv1 = torch.nn.Conv2d(1, 64, 7, 2, 3, bias=False)
    last = torch.load(run["last"], map_location="cpu")
    result = m.load_state_dict(last["model"], strict=True)
    m.eval()
    with torch.no_grad():
        logits = m(x)
        loss = torch.nn.functional.cross_entropy(logits, y).item()
    out[run["name"]] = {
        "missing": list(result.missing_keys), "unexpected": list(result.unexpected_keys),
        "epoch": last["epoch"], "world_size": last.get("world_size"),
        "test_loss": loss, "test_acc": (logits.argmax(1) == y).sum().item() / n,
    }
print(json.dumps(out))
