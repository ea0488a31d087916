# Reference for test/transforms.test.ts: torchvision's transforms on the PNG/JPEG files the
# test wrote. One long-lived process answering JSON-line requests (test/reference/session.ts):
#   {"cmd": "decode", "files": {name: path}}       -> PIL Image.open(p).convert("RGB") pixels
#   {"cmd": "pipelines", "cases": [...]}            -> each case's Compose output (image or tensor)
#   {"cmd": "boxes", ...}                           -> F.resized_crop / F.pad+F.crop / F.hflip at given boxes
#   {"cmd": "sample", ...}                          -> get_params of RandomResizedCrop / RandomCrop drawn n times
# Pixels travel as base64: uint8 HWC for images, little-endian float32 CHW for tensors.
import base64
import json
import sys
import traceback

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms as T
from torchvision.transforms import functional as F

torch.set_num_threads(1)


def load(path):
    with open(path, "rb") as f:
        return Image.open(f).convert("RGB")


def encode(v):
    if isinstance(v, Image.Image):
        a = np.asarray(v)
        if a.ndim == 2:
            a = a[:, :, None]
        return {"kind": "image", "shape": list(a.shape), "mode": v.mode, "data": base64.b64encode(np.ascontiguousarray(a, dtype=np.uint8).tobytes()).decode()}
    t = v.detach().contiguous()
    return {"kind": "tensor", "shape": list(t.shape), "dtype": str(t.dtype), "data": base64.b64encode(t.numpy().astype("<f4").tobytes()).decode()}


def build(op):
    """One of our transform specs ({name, args}) as the torchvision transform."""
    name, args = op["name"], op["args"]
    if name == "ToTensor":
        return T.ToTensor()
    if name == "Normalize":
        return T.Normalize(args[0], args[1])
    if name == "Resize":
        size = args[0]
        return T.Resize(size if isinstance(size, int) else tuple(size), interpolation=T.InterpolationMode.BILINEAR)
    if name == "CenterCrop":
        size = args[0]
        return T.CenterCrop(size if isinstance(size, int) else tuple(size))
    if name == "Grayscale":
        return T.Grayscale(num_output_channels=args[0])
    raise ValueError(f"no deterministic torchvision transform for {name}")


def pipelines(req):
    out = []
    for case in req["cases"]:
        pipe = T.Compose([build(op) for op in case["ops"]])
        out.append(encode(pipe(load(case["file"]))))
    return out


def boxes(req):
    img = load(req["file"])
    out = {"resized_crop": [], "pad_crop": [], "hflip": encode(F.hflip(img))}
    for b in req["resized_crop"]:
        top, left, h, w = b["box"]
        out["resized_crop"].append(encode(F.resized_crop(img, top, left, h, w, b["size"], T.InterpolationMode.BILINEAR)))
    for b in req["pad_crop"]:
        # RandomCrop.forward: pad by `padding`, then pad_if_needed as [dw, dh] on both sides, then crop.
        p = img
        if b["padding"] > 0:
            p = F.pad(p, b["padding"], fill=0)
        th, tw = b["size"]
        if b["pad_if_needed"] and p.size[0] < tw:
            p = F.pad(p, [tw - p.size[0], 0], fill=0)
        if b["pad_if_needed"] and p.size[1] < th:
            p = F.pad(p, [0, th - p.size[1]], fill=0)
        top, left = b["offset"]
        out["pad_crop"].append(encode(F.crop(p, top, left, th, tw)))
    return out


def sample(req):
    torch.manual_seed(req["seed"])
    out = {"rrc": [], "random_crop": []}
    for c in req["rrc"]:
        img = torch.empty(3, c["height"], c["width"])
        scale, ratio = tuple(c["scale"]), tuple(c["ratio"])
        out["rrc"].append([list(T.RandomResizedCrop.get_params(img, scale, ratio)) for _ in range(c["n"])])
    for c in req["random_crop"]:
        img = torch.empty(3, c["height"], c["width"])
        out["random_crop"].append([list(T.RandomCrop.get_params(img, tuple(c["size"]))) for _ in range(c["n"])])
    return out


def decode(req):
    return {name: encode(load(p)) for name, p in req["files"].items()}


HANDLERS = {"decode": decode, "pipelines": pipelines, "boxes": boxes, "sample": sample}

for line in sys.stdin:
    try:
        req = json.loads(line)
        reply = HANDLERS[req["cmd"]](req)
        reply = {"versions": {"torch": torch.__version__, "torchvision": torchvision.__version__}, "result": reply}
    except Exception:
        reply = {"error": traceback.format_exc()}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
