# Reference for test/data_distributed_sampler.test.ts: torch.utils.data.DistributedSampler's
# index orders (after set_epoch), its lengths, DataLoader batches with it, and its errors.
# stdin: {"cmd": ..., "cases": [...]} JSON lines; stdout: one JSON reply per line.
import json
import sys
import traceback

import torch
from torch.utils.data import DataLoader, DistributedSampler

torch.set_num_threads(1)


def seed_of(v):
    """Seeds past 2^53 come as decimal strings."""
    return int(v)


def make(c):
    kw = {k: c[k] for k in ("num_replicas", "rank", "shuffle", "drop_last") if k in c}
    if "seed" in c:
        kw["seed"] = seed_of(c["seed"])
    return DistributedSampler(range(c["n"]), **kw)


def orders(c):
    s = make(c)
    out = []
    for e in c["epochs"]:
        s.set_epoch(seed_of(e))
        out.append([list(s), list(s)])  # iterating twice within an epoch repeats the order
    return {"len": len(s), "num_samples": s.num_samples, "total_size": s.total_size, "orders": out}


def loader(c):
    s = make(c)
    dl = DataLoader(range(c["n"]), batch_size=c["batch_size"], sampler=s, drop_last=c["loader_drop_last"])
    epochs = []
    for e in c["epochs"]:
        s.set_epoch(e)
        epochs.append([{"dtype": str(b.dtype).replace("torch.", ""), "values": b.tolist()} for b in dl])
    return {"len": len(dl), "epochs": epochs}


def error(c):
    """Where (construct or iterate) Python raises, its type and message."""
    try:
        s = make(c)
    except Exception as e:  # noqa: BLE001
        return {"at": "construct", "type": type(e).__name__, "message": str(e)}
    try:
        if "epoch" in c:
            s.set_epoch(seed_of(c["epoch"]))
        list(s)
    except Exception as e:  # noqa: BLE001
        return {"at": "iterate", "type": type(e).__name__, "message": str(e)}
    return {"at": None}


HANDLERS = {"orders": orders, "loader": loader, "error": error}

if __name__ == "__main__":
    reply_to = sys.stdout
    sys.stdout = sys.stderr
    for line in sys.stdin:
        try:
            req = json.loads(line)
            res = [HANDLERS[req["cmd"]](c) for c in req["cases"]]
        except Exception:  # noqa: BLE001
            res = {"error": traceback.format_exc()}
        reply_to.write(json.dumps(res) + "\n")
        reply_to.flush()
