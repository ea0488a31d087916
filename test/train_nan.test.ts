// A NaN or infinite loss (or weight) stops training with a message naming the epoch and the
// batch, and nothing is saved: last.pth and resnet-best-model.pth stay the last good ones.
// trainEpoch directly, on a tiny in-memory dataset; then scripts/train.ts end to end, where a
// learning rate of 1e30 (a real cause, no test hook) blows the weights up on the first step.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { firstNonFinite, NonFiniteError, trainEpoch } from "../lib/train/loop.js";

const { nn, optim, data } = torch;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(path.join(os.tmpdir(), "torch-ts-nan-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * 2x2 one-channel samples labelled 0, 1, 0, …: ±1 by label (learnable), or all `constant`
 * (a loss that cannot reach 0); `nanAt` puts a NaN pixel into that sample.
 */
function dataset(n: number, { nanAt = -1, constant = 0 } = {}): torch.data.Dataset {
  return {
    length: n,
    getItem: (i: number) => {
      const pixels = new Float32Array(4).fill(constant || (i % 2 ? 1 : -1));
      if (i === nanAt) pixels[0] = NaN;
      return [{ data: pixels, shape: [1, 2, 2] }, i % 2];
    },
  } as unknown as torch.data.Dataset;
}

const model = () => new nn.Sequential(new nn.Flatten(), new nn.Linear(4, 2));
const values = (t: torch.Tensor) => Array.from(t.detach().toTypedArray() as Float32Array);

describe("trainEpoch", () => {
  it("stops on a NaN loss naming the epoch and batch, and does not step on that batch", async () => {
    torch.manualSeed(0);
    const m = model();
    const opt = new optim.SGD(m.parameters(), { lr: 0.1 });
    const loader = new data.DataLoader(dataset(8, { nanAt: 5 }), { batchSize: 2 });
    const seen: number[][] = [];
    let error: unknown;
    try {
      // epoch 1 (0-based): the message counts from 1, as the progress bar does.
      await trainEpoch(m, loader, new nn.CrossEntropyLoss(), opt,
        { epoch: 1, device: "cpu", onBatch: () => seen.push(values(m.get<torch.nn.Linear>(1).weight)) });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(NonFiniteError);
    expect((error as Error).message).toBe("loss is NaN at epoch 2, batch 3: training stopped");
    expect(seen).toHaveLength(2);
    // The weights are those after batch 2: the NaN batch was neither stepped on nor counted.
    expect(values(m.get<torch.nn.Linear>(1).weight)).toEqual(seen[1]);
    expect(firstNonFinite(m)).toBeNull();
    await loader.close();
  });

  it("stops when a step overflows the weights although every loss was finite", async () => {
    torch.manualSeed(0);
    const m = model();
    // lr 3e38 is a float32, but lr times a gradient of ~100 is not: the step overflows.
    const opt = new optim.SGD(m.parameters(), { lr: 3e38 });
    const loader = new data.DataLoader(dataset(4, { constant: 100 }), { batchSize: 4 });
    await expect(trainEpoch(m, loader, new nn.CrossEntropyLoss(), opt, { epoch: 0, device: "cpu" }))
      .rejects.toThrow(/^parameter 1\.weight holds NaN or Inf at epoch 1, batch 1: training stopped$/);
  });

  it("firstNonFinite names the parameter or buffer that went bad", () => {
    const m = new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2));
    expect(firstNonFinite(m)).toBeNull();
    torch.noGrad(() => m.get<torch.nn.BatchNorm1d>(1).runningVar!.fill_(Infinity));
    expect(firstNonFinite(m)).toBe("buffer 1.running_var");
    torch.noGrad(() => m.get<torch.nn.Linear>(0).bias!.fill_(NaN));
    expect(firstNonFinite(m)).toBe("parameter 0.bias");
  });
});

type Run = { status: number | null; stdout: string; stderr: string };
function train(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", path.join(root, "scripts", "train.ts"), ...args], {
      cwd: root, encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: "1", CI: "1" }, timeout: 300_000,
    }, (err, stdout, stderr) => resolve({ status: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }));
  });
}
const digest = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** The checkpoint loads, and every floating-point tensor of its model is finite. */
function expectFiniteCheckpoint(file: string): void {
  const ckpt = torch.load(file) as Map<string, unknown>;
  const m = torch.vision.resnet18({ numClasses: 10, inChannels: 1 });
  m.loadStateDict(ckpt.get("model") as Map<string, torch.Tensor>);
  torch.dispose(ckpt);
  expect(firstNonFinite(m)).toBeNull();
}

describe("scripts/train.ts on a NaN loss", () => {
  // 64 images in batches of 32: two training batches an epoch.
  const common = ["--limit", "64", "--batch-size", "32", "--scheduler", "none", "--seed", "1"];

  it("exits 1 naming the epoch and batch, and leaves the checkpoints already in --out untouched", async () => {
    const out = path.join(tmp, "fresh");
    const good = await train(...common, "--epochs", "1", "--out", out);
    expect(good.status, good.stderr).toBe(0);
    const files = ["last.pth", "resnet-best-model.pth", "metrics.csv"].map((f) => path.join(out, f));
    const before = files.map(digest);

    const bad = await train(...common, "--epochs", "1", "--lr", "1e30", "--out", out);
    expect(bad.status).toBe(1);
    // The first step (lr 1e30) overflows the weights: the second batch's loss is not finite.
    expect(bad.stderr).toMatch(new RegExp(`^train: (loss is (NaN|-?Infinity)|parameter \\S+ holds NaN or Inf) at epoch 1, batch 2: training stopped; ` +
      `no checkpoint was written by this run \\(any in ${out.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}/ are untouched\\)\\.`, "m"));
    expect(files.map(digest)).toEqual(before);
    expectFiniteCheckpoint(files[0]!);
  }, 300_000);

  it("resumed from a checkpoint whose saved lr diverges: stops in epoch 2 and keeps that last.pth", async () => {
    const out = path.join(tmp, "resume");
    expect((await train(...common, "--epochs", "1", "--out", out)).status).toBe(0);
    // --resume restores the optimizer's lr from the file (as PyTorch's load_state_dict does):
    // a checkpoint saved with an lr of 1e30 continues with it.
    const last = path.join(out, "last.pth");
    const ckpt = torch.load(last) as Map<string, unknown>;
    const groups = (ckpt.get("optimizer") as Map<string, unknown>).get("param_groups") as Map<string, unknown>[];
    for (const g of groups) g.set("lr", 1e30);
    torch.save(ckpt, last);
    torch.dispose(ckpt);
    const before = digest(last);

    const bad = await train(...common, "--epochs", "3", "--out", out, "--resume", last);
    expect(bad.stdout).toMatch(/resumed from .*: epoch 2/);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^train: (loss is (NaN|-?Infinity)|parameter \S+ holds NaN or Inf) at epoch 2, batch 2: training stopped; last good checkpoint kept: .*last\.pth \(resumed from\)\./m);
    expect(digest(last)).toBe(before);
    expectFiniteCheckpoint(last);
  }, 300_000);
});
