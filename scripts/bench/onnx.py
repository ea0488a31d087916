# Python side of scripts/bench/onnx.ts: a seeded torchvision ResNet-50, saved as a state dict
# and exported with torch.onnx.export (the same weights), and its eager batch-1 eval time.
import json, sys, time
import torch, torchvision

cfg = json.loads(sys.stdin.read())
torch.set_num_threads(cfg["threads"])
torch.manual_seed(0)
model = torchvision.models.resnet50().eval()
torch.save(model.state_dict(), cfg["pth"])
x = torch.randn(1, 3, 224, 224)
torch.save(x, cfg["input"])
with torch.no_grad():
    torch.onnx.export(model, x, cfg["onnx"], opset_version=13, input_names=["x"], output_names=["logits"])
    for _ in range(2):
        model(x)
    samples = []
    for _ in range(cfg["repeats"]):
        t = time.perf_counter()
        model(x)
        samples.append((time.perf_counter() - t) * 1000)
samples.sort()
json.dump({"version": torch.__version__, "eager_ms": samples[len(samples) // 2]}, sys.stdout)
