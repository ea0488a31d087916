"""Checkpoints that hold Python objects besides tensors, for serialization_safe_globals.test.ts.

train_ckpt.pth is what torchvision's references/classification/train.py saves after an epoch
(model, optimizer, lr_scheduler, epoch, args as an argparse.Namespace), made the same way:
its argument parser's options, SGD with momentum over set_weight_decay's param groups,
StepLR, one training step so the optimizer has momentum buffers. The hostile files would run
code (touch a marker) under plain pickle.load.
"""
import argparse
import collections
import json
import os
import pathlib
import subprocess
import sys
import types

import torch
import torchvision


def get_args_parser():
    # The options of torchvision's references/classification/train.py (get_args_parser), with its defaults.
    p = argparse.ArgumentParser(description="PyTorch Classification Training", add_help=True)
    p.add_argument("--data-path", default="/datasets01/imagenet_full_size/061417/", type=str)
    p.add_argument("--model", default="resnet18", type=str)
    p.add_argument("--device", default="cuda", type=str)
    p.add_argument("-b", "--batch-size", default=32, type=int)
    p.add_argument("--epochs", default=90, type=int, metavar="N")
    p.add_argument("-j", "--workers", default=16, type=int, metavar="N")
    p.add_argument("--opt", default="sgd", type=str)
    p.add_argument("--lr", default=0.1, type=float)
    p.add_argument("--momentum", default=0.9, type=float, metavar="M")
    p.add_argument("--wd", "--weight-decay", default=1e-4, type=float, metavar="W", dest="weight_decay")
    p.add_argument("--norm-weight-decay", default=None, type=float)
    p.add_argument("--bias-weight-decay", default=None, type=float)
    p.add_argument("--transformer-embedding-decay", default=None, type=float)
    p.add_argument("--label-smoothing", default=0.0, type=float, dest="label_smoothing")
    p.add_argument("--mixup-alpha", default=0.0, type=float)
    p.add_argument("--cutmix-alpha", default=0.0, type=float)
    p.add_argument("--lr-scheduler", default="steplr", type=str)
    p.add_argument("--lr-warmup-epochs", default=0, type=int)
    p.add_argument("--lr-warmup-method", default="constant", type=str)
    p.add_argument("--lr-warmup-decay", default=0.01, type=float)
    p.add_argument("--lr-step-size", default=30, type=int)
    p.add_argument("--lr-gamma", default=0.1, type=float)
    p.add_argument("--lr-min", default=0.0, type=float)
    p.add_argument("--print-freq", default=10, type=int)
    p.add_argument("--output-dir", default=".", type=str)
    p.add_argument("--resume", default="", type=str)
    p.add_argument("--start-epoch", default=0, type=int, metavar="N")
    p.add_argument("--cache-dataset", dest="cache_dataset", action="store_true")
    p.add_argument("--sync-bn", dest="sync_bn", action="store_true")
    p.add_argument("--test-only", dest="test_only", action="store_true")
    p.add_argument("--auto-augment", default=None, type=str)
    p.add_argument("--ra-magnitude", default=9, type=int)
    p.add_argument("--augmix-severity", default=3, type=int)
    p.add_argument("--random-erase", default=0.0, type=float)
    p.add_argument("--amp", action="store_true")
    p.add_argument("--world-size", default=1, type=int)
    p.add_argument("--dist-url", default="env://", type=str)
    p.add_argument("--model-ema", action="store_true")
    p.add_argument("--model-ema-steps", type=int, default=32)
    p.add_argument("--model-ema-decay", type=float, default=0.99998)
    p.add_argument("--use-deterministic-algorithms", action="store_true")
    p.add_argument("--interpolation", default="bilinear", type=str)
    p.add_argument("--val-resize-size", default=256, type=int)
    p.add_argument("--val-crop-size", default=224, type=int)
    p.add_argument("--train-crop-size", default=224, type=int)
    p.add_argument("--clip-grad-norm", default=None, type=float)
    p.add_argument("--ra-sampler", action="store_true")
    p.add_argument("--ra-reps", default=3, type=int)
    p.add_argument("--weights", default=None, type=str)
    return p


def set_weight_decay(model, weight_decay, norm_weight_decay=None):
    # train.py's utils.set_weight_decay: norm layers' parameters in their own group.
    norm_classes = (torch.nn.modules.batchnorm._BatchNorm, torch.nn.LayerNorm, torch.nn.GroupNorm)
    params = {"other": [], "norm": []}
    for module in model.modules():
        for p in module.parameters(recurse=False):
            params["norm" if isinstance(module, norm_classes) else "other"].append(p)
    wd = {"other": weight_decay, "norm": norm_weight_decay if norm_weight_decay is not None else weight_decay}
    return [{"params": params[k], "weight_decay": wd[k]} for k in params if len(params[k]) > 0]


class RunsCode:
    """What a malicious checkpoint pickles: a callable global and its arguments."""

    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


class Config:
    """A user class with attributes, one of them a tensor (NEWOBJ + BUILD)."""

    def __init__(self):
        self.name = "cfg"
        self.scale = torch.arange(6, dtype=torch.float32).reshape(2, 3)
        self.layers = [1, 2]


class Tags(list):
    """A list subclass: its items come through APPENDS."""


def plain(t):
    return {"shape": list(t.shape), "values": t.flatten().tolist()}


def train_checkpoint(d):
    torch.manual_seed(0)
    args = get_args_parser().parse_args(["--data-path", "/data/imagenet", "--device", "cpu", "--epochs", "3", "--output-dir", d])
    args.distributed = False  # what utils.init_distributed_mode sets outside a distributed run
    model = torchvision.models.resnet18()
    parameters = set_weight_decay(model, args.weight_decay, norm_weight_decay=args.norm_weight_decay)
    optimizer = torch.optim.SGD(parameters, lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay, nesterov=False)
    lr_scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=args.lr_step_size, gamma=args.lr_gamma)
    model.train()
    x = torch.randn(4, 3, 64, 64)
    loss = torch.nn.functional.cross_entropy(model(x), torch.tensor([1, 7, 3, 0]), label_smoothing=args.label_smoothing)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    lr_scheduler.step()
    epoch = 0
    checkpoint = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "lr_scheduler": lr_scheduler.state_dict(),
        "epoch": epoch,
        "args": args,
    }
    path = os.path.join(d, f"model_{epoch}.pth")
    torch.save(checkpoint, path)  # utils.save_on_master on the main process
    legacy = os.path.join(d, "model_legacy.pth")
    torch.save(checkpoint, legacy, _use_new_zipfile_serialization=False)
    model.eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        y = model(x)
    io = os.path.join(d, "io.pth")
    torch.save({"x": x, "y": y}, io)
    opt = optimizer.state_dict()
    return {
        "file": path,
        "legacy": legacy,
        "io": io,
        "args": vars(args),
        "keys": list(checkpoint.keys()),
        "momentumSums": {str(k): float(v["momentum_buffer"].double().sum()) for k, v in opt["state"].items()},
        "paramGroups": [{k: v for k, v in g.items()} for g in opt["param_groups"]],
        "scheduler": {k: v for k, v in lr_scheduler.state_dict().items()},
    }


def objects(d):
    cfg = Config()
    ns = types.SimpleNamespace(a=1, b="two")
    counts = collections.Counter("abracadabra")
    dd = collections.defaultdict(list, {"x": [1], "y": [2, 3]})
    tags = Tags(["p", "q"])
    obj = {"cfg": cfg, "ns": ns, "path": pathlib.PosixPath("/tmp/run") / "ckpt", "counts": counts, "dd": dd, "tags": tags}
    path = os.path.join(d, "objects.pth")
    torch.save(obj, path)
    legacy = os.path.join(d, "objects_legacy.pth")
    torch.save(obj, legacy, _use_new_zipfile_serialization=False)
    return {
        "file": path,
        "legacy": legacy,
        "cfg": {"name": cfg.name, "scale": plain(cfg.scale), "layers": cfg.layers},
        "path": str(obj["path"]),
        "counts": dict(counts),
        "dd": dict(dd),
    }


def hostile(d):
    marker = os.path.join(d, "pwned")
    files = {}
    cases = [
        ("system", os.system, (f"touch {marker}",)),
        ("eval", eval, (f"open({marker!r}, 'w')",)),
        ("popen", subprocess.Popen, (["touch", marker],)),
    ]
    for name, fn, args in cases:
        path = os.path.join(d, f"evil_{name}.pth")
        torch.save({"model": torch.nn.Linear(2, 2).state_dict(), "payload": RunsCode(fn, args)}, path)
        files[name] = path
    return {"files": files, "marker": marker}


def main():
    d = json.load(sys.stdin)["dir"]
    out = {"train": train_checkpoint(d), "objects": objects(d), "hostile": hostile(d)}
    json.dump(out, sys.stdout, allow_nan=False)


if __name__ == "__main__":
    main()
