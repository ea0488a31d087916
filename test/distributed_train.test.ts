// scripts/train.ts across processes: `--nproc 2` (ranks started by the script, torchrun's
// environment contract) and Debian's torchrun starting the same command with --no_python.
// Tiny runs (64 images, batch 8: four DDP steps per rank per epoch, one thread per rank).
// The reported test accuracy and loss are the two ranks' sums; one PyTorch process
// recomputes them from the checkpoint rank 0 wrote. A run stopped by Ctrl-C mid-epoch and
// resumed ends where an uninterrupted run ends, bit for bit (two ranks sum gradients in one
// order only).
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { parseTrainArgs } from "../lib/train/args.js";
import { freePort, shardIndices } from "../lib/train/distributed.js";
import { runReference } from "./reference/python.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(path.join(os.tmpdir(), "torch-ts-dist-train-"));
type Run = { status: number | null; stdout: string; stderr: string };

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: root, encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: "1", CI: "1", ...env }, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ status: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }));
  });
}
const train = (...args: string[]) => run(process.execPath, ["--import", "tsx", path.join(root, "scripts", "train.ts"), ...args]);

const common = ["--limit", "64", "--batch-size", "8", "--scheduler", "none", "--seed", "1"];
const full = path.join(tmp, "full");
const viaTorchrun = path.join(tmp, "torchrun");
const split = path.join(tmp, "split");
let nproc: Run;
let torchrun: Run;
let interrupted: Run;
let resumed: Run;
/** The interrupted run's last.pth, before the resumed run replaces it. */
let saved: { worldSize: unknown; batches: number | undefined };

/** `--nproc 2`, and a SIGINT to the launcher (as Ctrl-C) once rank 0 shows the first batch. */
function trainInterrupted(...args: string[]): Promise<Run> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", "train.ts"), "--nproc", "2", ...args], {
    cwd: root, env: { ...process.env, OMP_NUM_THREADS: "1", CI: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
    if (/epoch 1\/2 train 1\/4/.test(stdout) && !child.killed) child.kill("SIGINT");
  });
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ status: code, stdout, stderr })));
}

type Row = Record<string, number>;
const rows = (dir: string): Row[] => readFileSync(path.join(dir, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Row);
const withoutTime = ({ seconds: _, ...r }: Row) => r;

beforeAll(async () => {
  nproc = await train("--nproc", "2", ...common, "--epochs", "2", "--out", full);
  // Debian's torchrun 1.13 on Python 3.11 needs -r/-t set (its defaults crash); --log_dir keeps the logs out of /tmp's defaults.
  const port = await freePort();
  torchrun = await run("/usr/bin/torchrun", ["-r", "2", "-t", "1", "--log_dir", path.join(tmp, "logs"), "--nproc_per_node", "2", "--master_port", String(port),
    "--no_python", "npx", "tsx", path.join(root, "scripts", "train.ts"), ...common, "--epochs", "1", "--out", viaTorchrun]);
  interrupted = await trainInterrupted(...common, "--epochs", "2", "--out", split);
  const ckpt = torch.load(path.join(split, "last.pth")) as Map<string, unknown>;
  saved = { worldSize: ckpt.get("world_size"), batches: (ckpt.get("partial") as Map<string, number> | null)?.get("batches") };
  torch.dispose(ckpt);
  resumed = await train("--nproc", "2", ...common, "--epochs", "2", "--out", split, "--resume", path.join(split, "last.pth"));
}, 600_000);

describe("scripts/train.ts across processes", () => {
  it("--nproc 2: rank 0 alone prints and writes every output; the checkpoint is one process's (no module. prefix)", () => {
    expect(nproc.status, nproc.stderr).toBe(0);
    expect(nproc.stderr).toMatch(/train: started 2 ranks on 127\.0\.0\.1:\d+, 1 thread\(s\) each/);
    // One header, one summary: rank 1 printed nothing.
    expect(nproc.stdout.match(/^torch-ts resnet18 on Fashion-MNIST/gm)).toHaveLength(1);
    expect(nproc.stdout.match(/^done in /gm)).toHaveLength(1);
    for (const f of ["resnet-best-model.pth", "last.pth", "metrics.csv", "metrics.jsonl", "loss.png", "acc.png", "classes.json"]) {
      expect(existsSync(path.join(full, f)), f).toBe(true);
    }
    expect(rows(full)).toHaveLength(2);
    const last = torch.load(path.join(full, "last.pth")) as Map<string, unknown>;
    expect(last.get("world_size")).toBe(2);
    const keys = [...(last.get("model") as Map<string, torch.Tensor>).keys()];
    expect(keys).toEqual([...torch.vision.resnet18({ numClasses: 10, inChannels: 1 }).stateDict().keys()]);
    torch.dispose(last);
  });

  it("reports the whole test set's accuracy and loss (summed over ranks), as one PyTorch process computes them", () => {
    const ref = runReference<Record<string, { missing: string[]; unexpected: string[]; epoch: number; test_loss: number; test_acc: number }>>(
      "distributed_train.py", { n: 64, runs: [{ name: "full", arch: "resnet18", last: path.join(full, "last.pth") }] });
    const r = ref.full!;
    expect(r.missing).toEqual([]);
    expect(r.unexpected).toEqual([]);
    expect(r.epoch).toBe(2);
    const row = rows(full)[1]!;
    // Counts are exact; the loss is a sum of each rank's float32 batch means, so within 1e-5 relative.
    expect(row.test_acc).toBe(r.test_acc);
    expect(Math.abs(row.test_loss - r.test_loss)).toBeLessThan(1e-5 * Math.max(1, Math.abs(r.test_loss)));
  });

  it("torchrun --no_python npx tsx scripts/train.ts (env://, torchrun's agent store) trains as --nproc does", () => {
    expect(torchrun.status, torchrun.stderr).toBe(0);
    expect(torchrun.stdout).toMatch(/\[default0\]:done in /);
    expect(torchrun.stdout).not.toMatch(/\[default1\]:torch-ts/);
    // Same seed, same world size: epoch 1 is the same under either launcher.
    expect(rows(viaTorchrun).map(withoutTime)).toEqual([withoutTime(rows(full)[0]!)]);
  });

  it("Ctrl-C stops every rank at the same batch; --resume continues to the parameters an uninterrupted run ends with, bit for bit", () => {
    expect(interrupted.status, interrupted.stderr).toBe(130);
    const stopped = /stopped in epoch 1 at batch (\d)/.exec(interrupted.stdout);
    expect(stopped, interrupted.stdout).not.toBeNull();
    expect(Number(stopped![1])).toBeLessThan(4); // mid-epoch: the resume skips batches
    expect(saved).toEqual({ worldSize: 2, batches: Number(stopped![1]) });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`resumed from .*epoch 1, batch ${Number(stopped![1]) + 1}`));
    expect(rows(split).map(withoutTime)).toEqual(rows(full).map(withoutTime));
    const a = torch.load(path.join(full, "last.pth")) as Map<string, unknown>;
    const b = torch.load(path.join(split, "last.pth")) as Map<string, unknown>;
    const ma = a.get("model") as Map<string, torch.Tensor>;
    const mb = b.get("model") as Map<string, torch.Tensor>;
    for (const [k, t] of ma) expect(torch.equal(t, mb.get(k)!), k).toBe(true);
    torch.dispose(a, b);
  });
});

describe("train.ts's distributed flags", () => {
  it("parses --nproc, --init-method and --dist-timeout, and refuses bad values naming the flag", () => {
    const a = parseTrainArgs(["--nproc", "2", "--init-method", "tcp://10.0.0.1:29500", "--dist-timeout", "60"]);
    expect(a).toMatchObject({ nproc: 2, initMethod: "tcp://10.0.0.1:29500", distTimeout: 60 });
    expect(parseTrainArgs([])).toMatchObject({ nproc: undefined, initMethod: "env://", distTimeout: 1800 });
    expect(() => parseTrainArgs(["--nproc", "0"])).toThrow('--nproc must be an integer >= 1, got "0"');
    expect(() => parseTrainArgs(["--init-method", "http://x"])).toThrow(/--init-method must be env:\/\/, tcp:\/\/HOST:PORT or file:\/\/\/PATH/);
    expect(() => parseTrainArgs(["--dist-timeout", "0"])).toThrow('--dist-timeout must be an integer >= 1, got "0"');
  });

  it("--nproc under torchrun (RANK set) is refused with a message", async () => {
    const r = await run(process.execPath, ["--import", "tsx", path.join(root, "scripts", "train.ts"), "--nproc", "2"], { RANK: "0", WORLD_SIZE: "2" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/train: --nproc starts the ranks itself: leave it out under torchrun/);
  });

  it("each rank tests a disjoint share; together every test image once", () => {
    for (const [n, w] of [[64, 2], [7, 3], [2, 4]] as const) {
      const all = Array.from({ length: w }, (_, r) => shardIndices(n, r, w)).flat().sort((x, y) => x - y);
      expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
    }
  });
});
