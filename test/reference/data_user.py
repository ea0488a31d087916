# Reference for test/data_user.test.ts: torch.utils.data's samplers, random_split, DataLoader
# orders over user datasets, default_collate and the global generator's state after them.
# stdin: {"cmd": "run", "cases": [...]} JSON lines; stdout: one result per case.
import json
import sys

import numpy as np
import torch
from torch.utils import data as D
from torch.utils.data._utils.collate import default_collate

from opinfo import serve

torch.set_num_threads(1)

NP = {"float32": np.float32, "float64": np.float64, "int32": np.int32, "int64": np.int64, "uint8": np.uint8}


def enc(v):
    """Batches as JSON: tensors as {T: dtype, shape, values}, containers kept."""
    if isinstance(v, torch.Tensor):
        return {"T": str(v.dtype).replace("torch.", ""), "shape": list(v.shape), "values": v.reshape(-1).tolist()}
    if isinstance(v, (list, tuple)):
        return [enc(x) for x in v]
    if isinstance(v, dict):
        return {k: enc(x) for k, x in v.items()}
    return v


def dec(v):
    """A sample from the test's encoding (JSON cannot tell 1 from 1.0)."""
    (kind, x), = v.items()
    if kind == "i":
        return int(x)
    if kind == "f":
        return float(x)
    if kind in ("b", "s"):
        return x
    if kind == "l":
        return [dec(e) for e in x]
    if kind == "d":
        return {k: dec(e) for k, e in x.items()}
    if kind == "a":
        return np.array(x["values"], dtype=NP[x["dtype"]])
    if kind == "t":
        return torch.tensor(x["values"], dtype=getattr(torch, x["dtype"])).reshape(x["shape"])
    raise ValueError(kind)


def gen(case):
    return None if case.get("gen") is None else torch.Generator().manual_seed(case["gen"])


class Squares(D.Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": torch.tensor([float(i), i / 4]), "y": i * i, "name": f"s{i}"}


class Index(D.Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i


class Count(D.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter([(i, torch.full((2,), float(i))) for i in range(self.n)])


def dataset(case):
    kind = case["dataset"]
    if kind in ("squares", "async_squares"):
        return Squares(case["n"])
    if kind == "tensor":
        n = case["n"]
        return D.TensorDataset(torch.arange(n * 3, dtype=torch.float32).reshape(n, 3), torch.arange(n) % 3)
    if kind == "count":
        return Count(case["n"])
    if kind == "subset_squares":
        return D.Subset(Squares(case["n"] + 3), list(range(3, case["n"] + 3)))
    if kind == "chain":
        return D.ChainDataset([Count(2), Count(case["n"])])
    if kind == "index":
        return Index(case["n"])
    raise ValueError(kind)


def sampler(case, g):
    kind = case["sampler"]
    if kind == "random":
        return D.RandomSampler(range(case["n"]), replacement=case.get("replacement", False), num_samples=case.get("numSamples"), generator=g)
    if kind == "subset":
        return D.SubsetRandomSampler(case["indices"], generator=g)
    if kind == "weighted":
        return D.WeightedRandomSampler(case["weights"], case["numSamples"], replacement=case.get("replacement", True), generator=g)
    if kind == "sequential":
        return D.SequentialSampler(range(case["n"]))
    raise ValueError(kind)


def run_case(case):
    torch.manual_seed(case.get("seed", 0))
    g = gen(case)
    kind = case["kind"]
    out = {}
    if kind == "sampler":
        s = sampler(case, g)
        if "batchSize" in case:
            s = D.BatchSampler(s, case["batchSize"], case["dropLast"])
        out["epochs"] = [list(s) for _ in range(case.get("epochs", 2))]
        out["len"] = len(s)
    elif kind == "split":
        ds = range(case["n"])
        parts = D.random_split(ds, case["lengths"], generator=g) if g is not None else D.random_split(ds, case["lengths"])
        out["parts"] = [list(p.indices) for p in parts]
    elif kind == "loader":
        kw = {k: case[k] for k in ("batch_size", "shuffle", "drop_last") if k in case}
        if g is not None:
            kw["generator"] = g
        if case.get("collate") == "len":
            kw["collate_fn"] = lambda b: len(b)
        if "sampler" in case:
            kw["sampler"] = sampler(case["sampler"], None if case["sampler"].get("gen") is None else torch.Generator().manual_seed(case["sampler"]["gen"]))
        if "batch_sampler" in case:
            kw["batch_sampler"] = D.BatchSampler(D.SequentialSampler(range(case["n"])), *case["batch_sampler"])
        loader = D.DataLoader(dataset(case), **kw)
        out["epochs"] = [[enc(b) for b in loader] for _ in range(case.get("epochs", 1))]
        try:
            out["len"] = len(loader)
        except TypeError:
            out["len"] = None
    elif kind == "collate":
        out["batch"] = enc(default_collate([dec(s) for s in case["samples"]]))
    elif kind == "state":
        g = torch.Generator().manual_seed(case["gen"])
        torch.randperm(case["n"], generator=g)
        out["state"] = g.get_state().tolist()
        out["initial"] = str(g.initial_seed())
    else:
        raise ValueError(kind)
    # The global generator after the case: what the next torch.rand draws.
    out["after"] = torch.rand(3).tolist()
    return out


def run(req):
    return [run_case(c) for c in req["cases"]]


if __name__ == "__main__":
    serve({"run": run})
