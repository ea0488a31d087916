# Python side of scripts/bench/gpu.ts: the same ResNet-50 work in PyTorch eager, timed the same
# way (CUDA synchronized before and after every timed step, medians).
#   gpu.py          training cases, one after the other; stdin:
#                   {device, threads, cudnn_benchmark, cases: [{name, kind, batch, size, amp, channels_last, warmup, repeats}]}
#   gpu.py --peer   eval cases served round by round (scripts/bench/peer.py): batch-1 latency is
#                   host-bound, so the two sides take turns on the same machine state.
import json
import platform
import sys
import time

import torch
import torchvision


def build(case, device):
    cl = torch.channels_last if case["channels_last"] else torch.contiguous_format
    model = torchvision.models.resnet50().to(device, memory_format=cl)
    x = torch.randn(case["batch"], 3, case["size"], case["size"], device=device).contiguous(memory_format=cl)
    autocast = torch.autocast("cuda" if device.startswith("cuda") else "cpu", dtype=torch.bfloat16, enabled=case["amp"])
    return model, x, autocast


if len(sys.argv) > 1 and sys.argv[1] == "--peer":
    from peer import serve

    def setup(case):
        device = case["device"]
        torch.set_num_threads(case["threads"])
        if device == "cuda":
            torch.backends.cudnn.benchmark = True
        torch.manual_seed(0)
        model, x, autocast = build(case, device)
        model.eval()

        def run():
            with torch.no_grad(), autocast:
                model(x)
            if device == "cuda":
                torch.cuda.synchronize()
        return run

    serve(setup)
    sys.exit(0)

cfg = json.loads(sys.stdin.read())
device = cfg["device"]
cuda = device.startswith("cuda")
torch.set_num_threads(cfg["threads"])
if cuda:
    torch.backends.cudnn.benchmark = cfg["cudnn_benchmark"]
torch.manual_seed(0)


def sync():
    if cuda:
        torch.cuda.synchronize()


def median_ms(fn, repeats, warmup):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        sync()
        t = time.perf_counter()
        fn()
        sync()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return samples[len(samples) // 2]


out = {"version": torch.__version__, "results": {}}
if cuda:
    out.update(device_name=torch.cuda.get_device_name(), cuda=torch.version.cuda, cudnn=torch.backends.cudnn.version(),
               cudnn_allow_tf32=torch.backends.cudnn.allow_tf32, matmul_allow_tf32=torch.backends.cuda.matmul.allow_tf32)
else:
    out.update(device_name=platform.processor() or platform.machine())
print(f"PyTorch {torch.__version__} on {out['device_name']}", file=sys.stderr)

for case in cfg["cases"]:
    model, x, autocast = build(case, device)
    if case["kind"] == "train":
        y = torch.randint(1000, (case["batch"],), device=device)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss()

        def run():
            opt.zero_grad(set_to_none=True)
            with autocast:
                loss = loss_fn(model(x), y)
            loss.backward()  # outside autocast, as PyTorch recommends
            opt.step()
    else:
        model.eval()

        def run():
            with torch.no_grad(), autocast:
                model(x)
    out["results"][case["name"]] = median_ms(run, case["repeats"], case["warmup"])
    del model, x, run
    if case["kind"] == "train":
        del opt, y
    if cuda:
        torch.cuda.empty_cache()  # the next case (and torch-ts after us) starts from a clean pool
print(json.dumps(out))
