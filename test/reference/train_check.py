# Reference for test/train.test.ts: loads the outputs of a torch-ts training run with Python's
# torchvision and checks they are what a PyTorch user expects.
import json, sys
import torch, torchvision

req = json.loads(sys.stdin.read())
out = {}
for run in req["runs"]:
    m = torchvision.models.__dict__[run["arch"]](num_classes=run["num_classes"])
    if run["in_channels"] != 3:
        m.conv1 = torch.nn.Conv2d(run["in_channels"], 64, 7, 2, 3, bias=False)
    sd = torch.load(run["best"], map_location="cpu", weights_only=True)
    result = m.load_state_dict(sd, strict=True)
    m.eval()
    x = torch.tensor(run["input"]["data"], dtype=torch.float32).reshape(run["input"]["shape"])
    with torch.no_grad():
        logits = m(x)
    # torch 1.13's weights_only unpickler lacks BINFLOAT, which torch.save itself writes for
    # floats (best_acc): load the full checkpoint the ordinary way; the state dict above is
    # the weights_only check.
    last = torch.load(run["last"], map_location="cpu")
    out[run["name"]] = {
        "missing": list(result.missing_keys), "unexpected": list(result.unexpected_keys),
        "pred": logits.argmax(1).tolist(), "logits": logits.reshape(-1).tolist(),
        "last_keys": list(last.keys()), "last_epoch": last["epoch"],
        "optimizer_state_keys": sorted(last["optimizer"]["state"][0].keys()),
    }
print(json.dumps(out))
