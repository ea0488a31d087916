# Reference for test/examples.test.ts: pytorch/examples' training scripts run by Debian's torch
# (the oracle) with the smallest changes that let them run here (CPU, no download, small slices,
# argparse replaced by the request's fields); each examples_<name>.py says what it changed. Every
# handler returns what the script logs, per step, as Python floats (loss.item() etc.).
# One long-lived process (test/reference/session.ts): a JSON request per stdin line,
#   {"cmd": "sampler" | "py_random" | <example name>, ...args} (examples_<name>.py's run)
# answered by one JSON line; {"error": traceback} is a failed request.
import importlib
import json
import random
import sys
import traceback

import torch

torch.set_num_threads(1)


def sampler(req):
    """RandomSampler orders and DataLoader batches after manual_seed, and a draw after them
    (shows the global generator is left where the TS emulation leaves it)."""
    out = []
    for case in req["cases"]:
        torch.manual_seed(case["seed"])
        loader = torch.utils.data.DataLoader(range(case["n"]), batch_size=case["batchSize"], shuffle=case["shuffle"], drop_last=case["dropLast"])
        epochs = [[b.tolist() for b in loader] for _ in range(case["epochs"])]
        out.append({"epochs": epochs, "after": torch.rand(3).tolist()})
    return out


def py_random(req):
    """random.randint draws after random.seed, for scripts/examples/common/py_random.ts."""
    out = []
    for c in req["cases"]:
        r = random.Random(c["seed"])
        out.append([r.randint(c["a"], c["b"]) for _ in range(c["n"])])
    return out


def handler(cmd):
    if cmd in ("sampler", "py_random"):
        return {"sampler": sampler, "py_random": py_random}[cmd]
    return importlib.import_module("examples_" + cmd).run


def serve():
    reply_to = sys.stdout
    sys.stdout = sys.stderr  # the examples' prints must not corrupt the JSON lines
    for line in sys.stdin:
        try:
            req = json.loads(line)
            res = handler(req["cmd"])(req)
        except Exception:  # noqa: BLE001
            res = {"error": traceback.format_exc()}
        reply_to.write(json.dumps(res, allow_nan=False) + "\n")
        reply_to.flush()


if __name__ == "__main__":
    serve()
