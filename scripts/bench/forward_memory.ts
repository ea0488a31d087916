// Peak memory of a user-written forward: pytorch/examples mnist's Net at batch 1000, one eval
// forward (no grad) and one training step, each in a fresh process, torch-ts beside PyTorch
// (scripts/bench/forward_memory.py). `call()` frees a forward's intermediates when it returns,
// where Python frees each as soon as its last reference goes; the "in-place ReLU" variant is the
// idiom that closes the gap (the same values, as torchvision's nn.ReLU(inplace=True) layers).
// Usage: npx tsx scripts/bench/forward_memory.ts   (Linux: reads VmHWM after clear_refs)
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as torch from "../../lib/index.js";

const { nn } = torch;
const F = nn.functional;
type Variant = "plain" | "inplace";

class Net extends nn.Module {
  conv1 = new nn.Conv2d(1, 32, 3, 1);
  conv2 = new nn.Conv2d(32, 64, 3, 1);
  dropout1 = new nn.Dropout(0.25);
  dropout2 = new nn.Dropout(0.5);
  fc1 = new nn.Linear(9216, 128);
  fc2 = new nn.Linear(128, 10);

  constructor(readonly inplace: boolean) {
    super();
  }

  forward(input: torch.Tensor): torch.Tensor {
    let x = this.conv1.call(input);
    x = F.relu(x, this.inplace);
    x = this.conv2.call(x);
    x = F.relu(x, this.inplace);
    x = F.maxPool2d(x, 2);
    x = this.dropout1.call(x);
    x = torch.flatten(x, 1);
    x = this.fc1.call(x);
    x = F.relu(x, this.inplace);
    x = this.dropout2.call(x);
    x = this.fc2.call(x);
    return F.logSoftmax(x, 1);
  }
}

const kib = (key: string) => Number(readFileSync("/proc/self/status", "utf8").split("\n").find((l) => l.startsWith(key))!.split(/\s+/)[1]);

function child(mode: "eval" | "train", variant: Variant): number {
  torch.setNumThreads(2);
  const model = new Net(variant === "inplace").train(mode === "train");
  const x = torch.randn(1000, 1, 28, 28);
  const target = torch.randint(0, 10, [1000]);
  const step = () => (mode === "eval"
    ? torch.noGrad(() => model.call(x).dispose())
    : torch.tidy(() => F.nllLoss(model.call(x), target).backward()));
  step();
  const base = kib("VmRSS");
  writeFileSync("/proc/self/clear_refs", "5");
  step();
  return (kib("VmHWM") - base) / 1024;
}

const self = fileURLToPath(import.meta.url);
if (process.argv[2] === "--child") {
  console.log(child(process.argv[3] as "eval" | "train", process.argv[4] as Variant));
} else {
  const python = process.env.TORCH_TS_PYTHON || "/usr/bin/python3";
  const run = (cmd: string, args: string[]) => Number(execFileSync(cmd, args, { encoding: "utf8" }).trim());
  console.log("peak RSS above the step's start, MiB — mnist Net, batch 1000, 2 threads, fresh process per figure");
  for (const mode of ["eval", "train"] as const) {
    const py = run(python, [self.replace(/\.ts$/, ".py"), mode]);
    for (const variant of ["plain", "inplace"] as const) {
      const ts = run(process.execPath, ["--import", "tsx", self, "--child", mode, variant]);
      console.log(`${mode.padEnd(5)} ${variant === "plain" ? "as Python writes it" : "in-place ReLU     "}  torch-ts ${ts.toFixed(0).padStart(4)}  PyTorch ${py.toFixed(0).padStart(4)}  ratio ${(ts / py).toFixed(2)}x`);
    }
  }
}
