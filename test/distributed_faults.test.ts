// scripts/train.ts across processes when things go wrong: a rank killed with kill -9 mid-run
// makes the other end well within its timeout with a message naming the lost rank (the
// launcher says which rank died and how), and the last checkpoint stays whole; a wrong world
// size, a port in use and a rendezvous nobody answers end with messages saying what to check.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { freePort } from "../lib/train/distributed.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const script = path.join(root, "scripts", "train.ts");
const tmp = mkdtempSync(path.join(os.tmpdir(), "torch-ts-dist-faults-"));
type Run = { status: number | null; stdout: string; stderr: string; seconds: number };

/** One rank of train.ts with torchrun's environment contract (RANK, WORLD_SIZE, MASTER_*). */
function rank(env: Record<string, string>, ...args: string[]): Promise<Run> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", script, "--limit", "32", "--out", path.join(tmp, "unused"), ...args], {
      cwd: root, encoding: "utf8", timeout: 120_000, env: { ...process.env, OMP_NUM_THREADS: "1", CI: "1", MASTER_ADDR: "127.0.0.1", ...env },
    }, (err, stdout, stderr) => resolve({ status: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr, seconds: (performance.now() - t0) / 1000 }));
  });
}

/**
 * `--nproc 2` with a long collective timeout (60 s): once rank 0 has saved an epoch, and the
 * ranks are into the next one, rank `victim` is killed with SIGKILL.
 */
async function killDuringTraining(victim: 0 | 1, out: string): Promise<Run & { killedAt: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", script, "--nproc", "2", "--limit", "64", "--batch-size", "16", "--epochs", "4",
    "--dist-timeout", "60", "--out", out], { cwd: root, env: { ...process.env, OMP_NUM_THREADS: "1", CI: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const deadline = Date.now() + 120_000;
  let killedAt = 0;
  while (Date.now() < deadline) {
    const pids = /pids (\d+), (\d+)/.exec(stderr);
    if (pids && existsSync(path.join(out, "last.pth")) && /epoch 2\/4 train 1\/2/.test(stdout)) {
      process.kill(Number(pids[1 + victim]), "SIGKILL");
      killedAt = performance.now();
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const status = await exited;
  return { status, stdout, stderr, seconds: (performance.now() - killedAt) / 1000, killedAt };
}

/** The checkpoint is whole: it loads, has every key --resume needs, and a full ResNet-18 state dict. */
function expectIntact(file: string): void {
  const ckpt = torch.load(file) as Map<string, unknown>;
  expect([...ckpt.keys()]).toEqual(expect.arrayContaining(["epoch", "model", "optimizer", "best_acc", "history", "world_size"]));
  expect(Number(ckpt.get("epoch"))).toBeGreaterThanOrEqual(1);
  const model = torch.vision.resnet18({ numClasses: 10, inChannels: 1 });
  model.loadStateDict(ckpt.get("model") as Map<string, torch.Tensor>);
  torch.dispose(ckpt);
}

describe("a rank killed mid-run (kill -9)", () => {
  it("rank 1 killed: rank 0 ends within seconds naming rank 1; the launcher reports it; last.pth stays whole", async () => {
    const out = path.join(tmp, "kill1");
    const r = await killDuringTraining(1, out);
    expect(r.killedAt, r.stderr).toBeGreaterThan(0);
    // 128 + SIGKILL: the launcher passes on the first failure.
    expect(r.status, r.stderr).toBe(137);
    expect(r.seconds).toBeLessThan(30); // the collective timeout is 60 s: the lost peer was noticed, not waited out
    expect(r.stderr).toMatch(/train: rank 1 \(pid \d+\) was killed by SIGKILL/);
    expect(r.stderr).toMatch(/train: rank 0: torch\.distributed: rank 1 is gone or not answering; rank 0 cannot finish the collective/);
    expect(r.stdout).not.toMatch(/^done in /m);
    expectIntact(path.join(out, "last.pth"));
  }, 180_000);

  it("rank 0 (the store's host) killed: rank 1 ends within seconds naming rank 0", async () => {
    const r = await killDuringTraining(0, path.join(tmp, "kill0"));
    expect(r.killedAt, r.stderr).toBeGreaterThan(0);
    expect(r.status, r.stderr).toBe(137);
    expect(r.seconds).toBeLessThan(30);
    expect(r.stderr).toMatch(/train: rank 0 \(pid \d+\) was killed by SIGKILL/);
    expect(r.stderr).toMatch(/train: rank 1: torch\.distributed: rank 0 \(which holds the store\) is gone or not answering/);
  }, 180_000);
});

describe("rendezvous errors", () => {
  it("a wrong world size, a port in use, a rank that is not in the world, a store nobody hosts: clear messages, no hang", async () => {
    const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
    // A port in use: something listens on it already.
    const squatter = net.createServer().listen(p2);
    await new Promise((r) => squatter.once("listening", r));
    const timeout = ["--dist-timeout", "5"];
    const [w0, w1, busy, outside, alone] = await Promise.all([
      rank({ RANK: "0", WORLD_SIZE: "3", MASTER_PORT: String(p1) }, ...timeout), // only 2 of 3 ranks start
      rank({ RANK: "1", WORLD_SIZE: "3", MASTER_PORT: String(p1) }, ...timeout),
      rank({ RANK: "0", WORLD_SIZE: "1", MASTER_PORT: String(p2) }, ...timeout),
      rank({ RANK: "2", WORLD_SIZE: "2", MASTER_PORT: String(p3) }, ...timeout),
      rank({ RANK: "1", WORLD_SIZE: "2", MASTER_PORT: String(p3) }, ...timeout), // rank 0 never comes
    ]);
    squatter.close();
    for (const r of [w0, w1, busy, outside, alone]) {
      expect(r.status).toBe(1);
      expect(r.seconds).toBeLessThan(60);
      expect(r.stderr).not.toMatch(/^\s+at /m); // a message, not a stack trace
    }
    for (const [r, n] of [[w0, 0], [w1, 1]] as const) {
      expect(r.stderr).toMatch(new RegExp(`train: rank ${n}: torch\\.distributed\\.initProcessGroup: rank ${n} of 3 could not form the group`));
      expect(r.stderr).toMatch(/[12] of 3 ranks reached the store within 5000 ms .*is WORLD_SIZE \(3\) right, and did every rank start\?/);
    }
    expect(busy.stderr).toMatch(new RegExp(`rank 0 cannot host the store on 127\\.0\\.0\\.1:${p2}: the port is in use .*pick another MASTER_PORT`));
    expect(outside.stderr).toMatch(/train: rank 2: torch\.distributed\.initProcessGroup: rank 2 is outside \[0, 1\] for worldSize 2 \(is WORLD_SIZE right\?\)/);
    expect(alone.stderr).toMatch(new RegExp(`the rendezvous at 127\\.0\\.0\\.1:${p3} did not complete within 5000 ms \\(rank 1 of 2\\): no store answered — is rank 0 running, and MASTER_ADDR/MASTER_PORT right\\?`));
  }, 120_000);
});
