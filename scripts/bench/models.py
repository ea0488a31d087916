# Python side of scripts/bench/models.ts: the same ResNet, Adam and word-language-model work
# (lm_models.py), served round by round (scripts/bench/peer.py).
import torch
import torchvision
from torch.fx.experimental.optimization import fuse

from lm_models import build_lm_train_step
from peer import serve


def setup(case):
    torch.set_num_threads(case["threads"])
    if case["kind"] == "lm":
        return build_lm_train_step(case)
    torch.manual_seed(0)
    kind, arch, batch, size, channels = case["kind"], case["arch"], case["batch"], case["size"], case["channels"]
    if arch == "mlp":  # as models.ts's: Linear(784, 256), ReLU, Linear(256, classes)
        model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, case["classes"]))
        x = torch.randn(batch, 784)
    else:
        model = torchvision.models.__dict__[arch](num_classes=case["classes"])
        if channels != 3:
            model.conv1 = torch.nn.Conv2d(channels, 64, 7, 2, 3, bias=False)
        x = torch.randn(batch, channels, size, size)
    if kind == "eval":
        model.eval()
        if case.get("optimize") == "both":  # conv+BN folded, channels-last: the same work as torch-ts's fuseModel()
            model = fuse(model).to(memory_format=torch.channels_last)
            x = x.contiguous(memory_format=torch.channels_last)

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
    return run


serve(setup)
