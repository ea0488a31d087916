# Python side of scripts/bench/checkpoint.ts: writes a torchvision ResNet-50 state dict into
# the given directory, then times torch.load and torch.save of it the same way the TS side does.
import json, os, sys, time
import torch
import torchvision

cfg = json.loads(sys.stdin.read())
torch.set_num_threads(cfg["threads"])
torch.manual_seed(0)
src = os.path.join(cfg["dir"], "resnet50.pth")
torch.save(torchvision.models.resnet50().state_dict(), src)


def median_ms(fn, repeats):
    fn()  # warm-up (page cache, allocator)
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return samples[len(samples) // 2]


t0 = time.perf_counter()
sd = torch.load(src)  # the first load of the process: fresh memory, as a real program loads once
first_load_ms = (time.perf_counter() - t0) * 1000
out = {
    "first_load_ms": first_load_ms,
    "version": torch.__version__,
    "file": src,
    "bytes": os.path.getsize(src),
    "load_ms": median_ms(lambda: torch.load(src), cfg["repeats"]),
    "load_weights_only_ms": median_ms(lambda: torch.load(src, weights_only=True), cfg["repeats"]),
    "save_ms": median_ms(lambda: torch.save(sd, os.path.join(cfg["dir"], "py_out.pth")), cfg["repeats"]),
}
print(json.dumps(out))
