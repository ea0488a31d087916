# Python side of scripts/bench/checkpoint.ts, served round by round (scripts/bench/peer.py):
# writes a torchvision ResNet-50 state dict into the given directory on the first setup (and
# times that process's first torch.load of it), then times torch.load and torch.save.
import os
import time

import torch
import torchvision

from peer import serve

state = {}


def setup(case):
    torch.set_num_threads(case["threads"])
    src = os.path.join(case["dir"], "resnet50.pth")
    info = {}
    if "sd" not in state:
        torch.manual_seed(0)
        torch.save(torchvision.models.resnet50().state_dict(), src)
        t0 = time.perf_counter()
        state["sd"] = torch.load(src)  # the first load of the process: fresh memory, as a real program loads once
        info = {"file": src, "bytes": os.path.getsize(src), "first_load_ms": (time.perf_counter() - t0) * 1000}
    kind = case["kind"]
    if kind == "load":
        return (lambda: torch.load(src)), info
    if kind == "load_weights_only":
        return (lambda: torch.load(src, weights_only=True)), info
    out = os.path.join(case["dir"], "py_out.pth")
    return (lambda: torch.save(state["sd"], out)), info


serve(setup)
