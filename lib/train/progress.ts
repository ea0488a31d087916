// Progress for a training run: a live bar on a terminal, periodic plain lines otherwise
// (CI logs, pipes), so both stay readable.
import type { Progress } from "./loop.js";

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}` : `${m}:${String(s % 60).padStart(2, "0")}`;
}

export class ProgressReporter {
  readonly #out: NodeJS.WriteStream;
  readonly #tty: boolean;
  #lastDraw = 0;
  #lastDecile = -1;

  constructor(out: NodeJS.WriteStream = process.stdout) {
    this.#out = out;
    this.#tty = out.isTTY === true && process.env.CI === undefined;
  }

  /** Called per batch; redraws at most ~10 times a second, or logs every 10 % when not a TTY. */
  update(label: string, p: Progress): void {
    // Seconds left at the current pace: batches left times seconds per batch so far.
    const perBatch = p.imagesPerSecond > 0 && p.batch > 0 ? this.#elapsed(p) / p.batch : Infinity;
    const remaining = (p.batches - p.batch) * perBatch;
    const stats = `loss ${p.loss.toFixed(4)}  acc ${(100 * p.acc).toFixed(2)}%  ${p.imagesPerSecond.toFixed(0)} img/s`;
    if (this.#tty) {
      const now = performance.now();
      if (now - this.#lastDraw < 100 && p.batch < p.batches) return;
      this.#lastDraw = now;
      const width = 28;
      const filled = Math.round((p.batch / p.batches) * width);
      const bar = "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "") + " ".repeat(width - filled);
      this.#out.write(`\r${label} [${bar}] ${p.batch}/${p.batches}  ${stats}  ETA ${clock(remaining)}\x1b[K`);
      return;
    }
    const decile = Math.floor((10 * p.batch) / p.batches);
    if (decile !== this.#lastDecile && (decile > this.#lastDecile || p.batch === p.batches)) {
      this.#lastDecile = decile;
      this.#out.write(`${label} ${p.batch}/${p.batches}  ${stats}  ETA ${clock(remaining)}\n`);
    }
  }

  #start = 0;
  #elapsed(p: Progress): number {
    if (p.batch <= 1 || this.#start === 0) this.#start = performance.now();
    return (performance.now() - this.#start) / 1000;
  }

  /** Ends the current bar with a summary line. */
  done(line: string): void {
    if (this.#tty) this.#out.write(`\r${line}\x1b[K\n`);
    else this.#out.write(`${line}\n`);
    this.#lastDecile = -1;
    this.#lastDraw = 0;
    this.#start = 0;
  }
}
