# Reference for test/datasets.test.ts: torchvision's ImageFolder and FashionMNIST on the same
# files, and torch's DataLoader arithmetic. One long-lived process answering JSON-line
# requests (test/reference/session.ts):
#   {"cmd": "imagefolder", "root": R}  -> classes, class_to_idx, samples (paths relative to R),
#                                         each sample's pixels (PIL convert("RGB")) or its error
#   {"cmd": "fashion", "src": S, "tmp": D, ...} -> lengths, targets, some images and transformed
#                                         samples of datasets.FashionMNIST(D, download=False),
#                                         with D/FashionMNIST/raw/*-ubyte gunzipped from S
#   {"cmd": "loader_lengths", "n": N, "cases": [[batch, drop_last]]} -> len(DataLoader) and last batch size
import base64
import gzip
import json
import os
import shutil
import sys
import traceback

import numpy as np
import torch
from PIL import Image
from torchvision import datasets
from torchvision import transforms as T

torch.set_num_threads(1)


def b64(a):
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()


def encode(v):
    if isinstance(v, Image.Image):
        a = np.asarray(v)
        if a.ndim == 2:
            a = a[:, :, None]
        return {"kind": "image", "shape": list(a.shape), "data": b64(a.astype(np.uint8))}
    t = v.detach().contiguous()
    return {"kind": "tensor", "shape": list(t.shape), "data": b64(t.numpy().astype("<f4"))}


def imagefolder(req):
    root = req["root"]
    try:
        ds = datasets.ImageFolder(root)
    except Exception as e:  # the test compares failures too
        return {"error_type": type(e).__name__, "error": str(e)}
    items = []
    for i in range(len(ds)):
        try:
            img, target = ds[i]
            items.append({"image": encode(img), "target": target})
        except Exception as e:
            items.append({"error_type": type(e).__name__, "error": str(e)})
    return {
        "classes": ds.classes,
        "class_to_idx": ds.class_to_idx,
        "samples": [[os.path.relpath(p, root), t] for p, t in ds.samples],
        "targets": ds.targets,
        "items": items,
    }


def fashion(req):
    raw = os.path.join(req["tmp"], "FashionMNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    for name in os.listdir(req["src"]):
        if name.endswith(".gz"):
            with gzip.open(os.path.join(req["src"], name), "rb") as fin, open(os.path.join(raw, name[:-3]), "wb") as fout:
                shutil.copyfileobj(fin, fout)
    out = {}
    mean, std = req["normalize"]
    for split, train in (("train", True), ("test", False)):
        ds = datasets.FashionMNIST(req["tmp"], train=train, download=False)
        tds = datasets.FashionMNIST(req["tmp"], train=train, download=False, transform=T.Compose([T.ToTensor(), T.Normalize(mean, std)]))
        idx = req["indices"][split]
        out[split] = {
            "length": len(ds),
            "classes": ds.classes,
            "targets": b64(ds.targets.numpy().astype(np.uint8)),
            "images": [encode(ds[i][0]) for i in idx],
            "labels": [ds[i][1] for i in idx],
            "mode": ds[0][0].mode,
            "transformed": [encode(tds[i][0]) for i in idx],
        }
    shutil.rmtree(os.path.join(req["tmp"], "FashionMNIST"))
    return out


def loader_lengths(req):
    ds = torch.utils.data.TensorDataset(torch.arange(req["n"]))
    out = []
    for batch, drop_last in req["cases"]:
        loader = torch.utils.data.DataLoader(ds, batch_size=batch, drop_last=drop_last)
        sizes = [len(b[0]) for b in loader]
        out.append({"length": len(loader), "first": sizes[0] if sizes else 0, "last": sizes[-1] if sizes else 0, "batches": len(sizes)})
    return out


HANDLERS = {"imagefolder": imagefolder, "fashion": fashion, "loader_lengths": loader_lengths}

for line in sys.stdin:
    try:
        req = json.loads(line)
        reply = {"result": HANDLERS[req["cmd"]](req)}
    except Exception:
        reply = {"error": traceback.format_exc()}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
