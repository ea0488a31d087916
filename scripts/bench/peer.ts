// Paired benchmarks: torch-ts and a long-lived Python PyTorch process (scripts/bench/peer.py)
// take turns, round by round, on the same case. Each round gives one ratio (our median over
// theirs); the bench reports the median ratio and its range. Timing whole runs one after the
// other let a busy or drifting machine swing a ratio from 0.64x to 1.50x between two runs.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import fs from "node:fs";
import { createInterface, type Interface } from "node:readline";

/**
 * The environment for the Python side with the glibc malloc thresholds torch-ts sets in its own
 * process at load (config().mallocTuned: mmap 32 MiB, trim 256 MiB), so both allocate alike.
 * Without them glibc's dynamic thresholds hand a freed 98 MiB checkpoint back to the kernel,
 * and Python's next torch.load page-faults all of it again (~250 ms instead of ~18 ms here).
 */
export function mallocMatchedEnv(mallocTuned: boolean, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return mallocTuned ? { ...env, GLIBC_TUNABLES: "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456" } : env;
}

export class PythonPeer {
  private readonly lines: AsyncIterator<string>;
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly rl: Interface,
    private readonly stderr: string[],
    readonly version: string,
  ) {
    this.lines = rl[Symbol.asyncIterator]();
  }

  /**
   * Starts `python3 script ...args` (a peer.py server) and waits for its greeting. The Python is
   * $TORCH_TS_PYTHON, else /usr/bin/python3 (the GPU machine has only its own python3).
   */
  static async start(script: string, env: NodeJS.ProcessEnv = process.env, args: string[] = []): Promise<PythonPeer> {
    const python = env.TORCH_TS_PYTHON || "/usr/bin/python3";
    const child = spawn(python, [script, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    const stderr: string[] = [];
    child.stderr.on("data", (d: Buffer) => stderr.push(d.toString()));
    const rl = createInterface({ input: child.stdout });
    const first = await rl[Symbol.asyncIterator]().next();
    if (first.done) throw new Error(`bench: Python PyTorch reference failed to start:\n${stderr.join("")}`);
    return new PythonPeer(child, rl, stderr, (JSON.parse(first.value) as { version: string }).version);
  }

  private async ask(msg: object): Promise<Record<string, unknown>> {
    this.child.stdin.write(`${JSON.stringify(msg)}\n`);
    const reply = await this.lines.next();
    if (reply.done) throw new Error(`bench: Python PyTorch reference died:\n${this.stderr.join("")}`);
    return JSON.parse(reply.value) as Record<string, unknown>;
  }

  /** Builds the case on the Python side; resolves with whatever its setup reported. */
  setup(testCase: object): Promise<Record<string, unknown>> {
    return this.ask({ setup: testCase });
  }

  async run(n: number): Promise<number[]> {
    return (await this.ask({ run: n })).samples as number[];
  }

  /** CPU time the Python process has used, ms (10 ms ticks), or null where /proc is missing. */
  cpuMs(): number | null {
    try {
      // Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
      const stat = fs.readFileSync(`/proc/${this.child.pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(f[11]) + Number(f[12])) * 10;
    } catch {
      return null;
    }
  }

  close(): void {
    this.rl.close();
    this.child.stdin.end();
  }
}

export function median(samples: readonly number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export interface Paired {
  /** Medians over every sample, ms. */
  ours: number;
  theirs: number;
  /** Fastest samples, ms: on a noisy machine the least disturbed figure of each side. */
  oursBest: number;
  theirsBest: number;
  /** Median of the per-round ratios, and their range. */
  ratio: number;
  low: number;
  high: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until neither process burns CPU. After a parallel region libtorch's OpenMP workers spin
 * before they sleep: here ~130 ms of CPU after a ResNet-50 forward. A side that started while
 * the other's workers still spun lost a core to them, which swung single rounds from 0.45x to
 * 3x. Waits 50 ms windows until both used under 10 ms of CPU in one, at most 2 s.
 */
async function settle(peer: PythonPeer): Promise<void> {
  for (let waited = 0; waited < 2000; waited += 50) {
    const ours = process.cpuUsage();
    const theirs = peer.cpuMs();
    await sleep(50);
    const used = process.cpuUsage(ours);
    const oursMs = (used.user + used.system) / 1000;
    const theirsMs = theirs === null ? 0 : peer.cpuMs()! - theirs;
    if (oursMs < 10 && theirsMs < 10) return;
  }
}

/**
 * One warm-up call each, then `rounds` rounds of `perRound` calls: ours, then Python's.
 * `ours` may be async (a forwardAsync case); the peer must already be set up for the case.
 * `settle`: before each turn, wait until neither process burns CPU (benches of multi-threaded
 * kernels). Off for the others: on this VM, memory left idle longer is paged out (DAMON), so
 * the wait would add page faults that the work itself does not cause.
 */
export async function paired(ours: () => unknown, peer: PythonPeer, rounds: number, perRound: number,
  options: { settle?: boolean; warmup?: number } = {}): Promise<Paired> {
  // Untimed calls first: V8 optimizes a function only after it has run a few times.
  const warmup = options.warmup ?? 1;
  for (let i = 0; i < warmup; i++) await ours();
  await peer.run(warmup);
  const all = { ours: [] as number[], theirs: [] as number[] };
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const mine: number[] = [];
    if (options.settle) await settle(peer);
    for (let i = 0; i < perRound; i++) {
      const t0 = performance.now();
      await ours();
      mine.push(performance.now() - t0);
    }
    if (options.settle) await settle(peer);
    const theirs = await peer.run(perRound);
    all.ours.push(...mine);
    all.theirs.push(...theirs);
    ratios.push(median(mine) / median(theirs));
  }
  return {
    ours: median(all.ours), theirs: median(all.theirs), oursBest: Math.min(...all.ours), theirsBest: Math.min(...all.theirs), ratio: median(ratios), low: Math.min(...ratios), high: Math.max(...ratios),
  };
}

/** `ratio 0.93x (0.88-1.02 over 5 rounds; best 0.95x)`. */
export function formatRatio(p: Paired, rounds: number): string {
  const best = p.oursBest / p.theirsBest;
  return `ratio ${p.ratio.toFixed(2)}x (${p.low.toFixed(2)}-${p.high.toFixed(2)} over ${rounds} rounds; best ${best.toFixed(2)}x)`;
}
