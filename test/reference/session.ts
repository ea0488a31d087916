// A long-lived reference process: one Debian python3 per test file, asked several
// questions over JSON lines (generate files, then read what TS wrote). A missing python3
// or torch fails the test that needs it; nothing is skipped.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { PYTHON } from "./python.js";

const here = path.dirname(fileURLToPath(import.meta.url));

export class ReferenceSession {
  readonly #proc: ChildProcessWithoutNullStreams;
  readonly #waiting: { resolve: (line: string) => void; reject: (err: Error) => void }[] = [];
  #stderr = "";
  #failure: Error | null = null;

  constructor(script: string) {
    this.#proc = spawn(PYTHON, [path.join(here, script)], { env: { ...process.env, OMP_NUM_THREADS: "1" } });
    this.#proc.stderr.on("data", (d: Buffer) => (this.#stderr = (this.#stderr + d.toString()).slice(-20000)));
    const fail = (err: Error) => {
      this.#failure ??= err;
      for (const w of this.#waiting.splice(0)) w.reject(this.#failure);
    };
    this.#proc.on("error", (err) => fail(new Error(`reference ${script}: cannot run ${PYTHON} (${err.message}); run scripts/setup.sh`)));
    this.#proc.on("exit", (code) => fail(new Error(`reference ${script} exited (${code}):\n${this.#stderr}`)));
    createInterface({ input: this.#proc.stdout }).on("line", (line) => this.#waiting.shift()?.resolve(line));
  }

  /** Sends one request; resolves with the parsed reply, rejects on a Python error. */
  request<T>(message: unknown): Promise<T> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({
        resolve: (line) => {
          const reply = JSON.parse(line) as { error?: string };
          if (reply !== null && typeof reply === "object" && typeof reply.error === "string") reject(new Error(`reference error:\n${reply.error}`));
          else resolve(reply as T);
        },
        reject,
      });
      this.#proc.stdin.write(`${JSON.stringify(message)}\n`);
    });
  }

  close(): void {
    this.#proc.stdin.end();
  }
}
