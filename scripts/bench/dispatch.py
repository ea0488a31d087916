# Python side of scripts/bench/dispatch.ts: the same loops, timed the same way.
import json, sys, time
import torch

cfg = json.loads(sys.stdin.read())
torch.set_num_threads(cfg["threads"])

def median_ns_per_op(fn, n, repeats):
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        fn(n)
        samples.append((time.perf_counter_ns() - t0) / n)
    samples.sort()
    return samples[len(samples) // 2]

a = torch.rand(1); b = torch.rand(1)
m1 = torch.rand(64, 64); m2 = torch.rand(64, 64)

def tiny(n):
    for _ in range(n):
        a.add(b)

def mm(n):
    for _ in range(n):
        m1.matmul(m2)

tiny(cfg["warmup"]); mm(cfg["warmup"] // 10)
out = {
    "add_1elem_ns": median_ns_per_op(tiny, cfg["n"], cfg["repeats"]),
    "matmul_64_ns": median_ns_per_op(mm, cfg["n"] // 10, cfg["repeats"]),
    "version": torch.__version__,
}
print(json.dumps(out))
