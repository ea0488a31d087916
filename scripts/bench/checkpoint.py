# Python side of scripts/bench/checkpoint.ts, served round by round (scripts/bench/peer.py):
# writes a torchvision ResNet-50 state dict into the given directory on the first setup (and
# times that process's first torch.load of it), then times torch.load and torch.save (plain, and
# made durable the way torch-ts's save is).
import os
import subprocess
import sys
import time

import torch

from peer import serve

state = {}
WRITE = "import sys, torch, torchvision; torch.manual_seed(0); torch.save(torchvision.models.resnet50().state_dict(), sys.argv[1])"


def setup(case):
    torch.set_num_threads(case["threads"])
    src = os.path.join(case["dir"], "resnet50.pth")
    info = {}
    if "sd" not in state:
        # Written by a child process, so that this process's first torch.load, like torch-ts's,
        # gets fresh memory rather than what building and saving the model just freed.
        subprocess.run([sys.executable, "-c", WRITE, src], check=True)
        t0 = time.perf_counter()
        state["sd"] = torch.load(src)  # the first load of the process: fresh memory, as a real program loads once
        info = {"file": src, "bytes": os.path.getsize(src), "first_load_ms": (time.perf_counter() - t0) * 1000}
    kind = case["kind"]
    if kind == "load":
        return (lambda: torch.load(src)), info
    if kind == "load_weights_only":
        return (lambda: torch.load(src, weights_only=True)), info
    out = os.path.join(case["dir"], "py_out.pth")
    if kind == "save_durable":
        return (lambda: save_durable(state["sd"], out)), info
    return (lambda: torch.save(state["sd"], out)), info


def save_durable(obj, path):
    """torch.save made as durable as torch-ts's: temp file, fsync, rename, fsync of the directory."""
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        torch.save(obj, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fd = os.open(os.path.dirname(path), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


serve(setup)
