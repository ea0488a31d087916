# Reference for test/resnet_checkpoint.test.ts: a ResNet that torch-ts initialised and saved,
# loaded the way a PyTorch user would (torchvision model, weights_only=True, strict), and its
# eval logits on the input torch-ts saved beside it.
import json
import sys

import torch
import torchvision.models as tvm

req = json.loads(sys.stdin.read())
torch.set_num_threads(1)
out = {}
for case in req["cases"]:
    model = tvm.__dict__[case["arch"]](num_classes=case["numClasses"])
    result = model.load_state_dict(torch.load(case["weights"], weights_only=True), strict=True)
    x = torch.load(case["input"], weights_only=True)
    model.eval()
    with torch.no_grad():
        logits = model(x)
    out[case["name"]] = {"missing": result.missing_keys, "unexpected": result.unexpected_keys,
                         "shape": list(logits.shape), "logits": logits.reshape(-1).tolist()}
print(json.dumps(out))
