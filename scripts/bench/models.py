# Python side of scripts/bench/models.ts: the same ResNet and Adam work, timed the same way.
import json, sys, time
import torch, torchvision

cfg = json.loads(sys.stdin.read())
torch.set_num_threads(cfg["threads"])
torch.manual_seed(0)

def median_ms(fn, repeats, warmup=1):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return samples[len(samples) // 2]

out = {"version": torch.__version__}
for case in cfg["cases"]:
    kind, arch, batch, size, channels = case["kind"], case["arch"], case["batch"], case["size"], case["channels"]
    model = torchvision.models.__dict__[arch](num_classes=case["classes"])
    if channels != 3:
        model.conv1 = torch.nn.Conv2d(channels, 64, 7, 2, 3, bias=False)
    x = torch.randn(batch, channels, size, size)
    if kind == "eval":
        model.eval()
        def run():
            with torch.no_grad():
                model(x)
    elif kind == "train":
        y = torch.randint(case["classes"], (batch,))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss()
        def run():
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x), y).backward()
            opt.step()
    else:  # adam: the optimizer step alone, gradients in place
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        for p in model.parameters():
            p.grad = torch.randn_like(p)
        def run():
            opt.step()
    out[case["name"]] = median_ms(run, case["repeats"])
print(json.dumps(out))
