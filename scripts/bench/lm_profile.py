# Python half of scripts/bench/lm_profile.ts: each {"setup": {...config, "steps": n}} runs n more
# training steps of that model (built at its first request) and replies with each phase's times.
import time

import torch

from lm_models import build_lm_train_step
from peer import serve

built = {}
rec = {"times": None, "last": 0.0}  # times is None between requests: the build's own step is not timed


def mark(phase):
    now = time.perf_counter()
    if rec["times"] is not None:
        rec["times"].setdefault(phase, []).append((now - rec["last"]) * 1000)
    rec["last"] = now


def setup(case):
    torch.set_num_threads(case["threads"])
    if case["model"] not in built:
        built[case["model"]] = build_lm_train_step(case, mark)[0]
    rec["times"] = {}
    for _ in range(case["steps"]):
        rec["last"] = time.perf_counter()
        built[case["model"]]()
    times, rec["times"] = rec["times"], None
    return (lambda: None), {"phases": times}


serve(setup)
