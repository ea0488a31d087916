// Python: torch.distributed's Work, what a collective called with `{ asyncOp: true }` returns.
// wait() resolves once the collective has ended, waiting on a libuv thread (native
// distWaitAsync) so the event loop runs meanwhile; waitSync() blocks, as Python's wait() does.
import type { DistWork } from "../../binding.js";
import { native } from "../binding.js";
import { explainFailure } from "./faults.js";

export class Work {
  readonly #work: DistWork;
  readonly #after: (() => void) | null;
  #done = false;

  /** Internal: made by the collectives. `after` finishes the result (an AVG's division) once. */
  constructor(work: DistWork, after: (() => void) | null = null) {
    this.#work = work;
    this.#after = after;
  }

  /** Python: `work.is_completed()`. */
  isCompleted(): boolean {
    return native.distIsCompleted(this.#work);
  }

  /** Python: `work.wait()`, without blocking the event loop. Resolves to true, as Python's returns True. */
  async wait(): Promise<true> {
    try {
      await native.distWaitAsync(this.#work);
    } catch (err) {
      throw explainFailure(err);
    }
    this.#finish();
    return true;
  }

  /** Python: `work.wait(timeout)`, blocking this thread until the collective ends. */
  waitSync(options?: { timeout?: number }): true {
    try {
      native.distWait(this.#work, options?.timeout ?? null);
    } catch (err) {
      throw explainFailure(err);
    }
    this.#finish();
    return true;
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#after?.();
  }
}
