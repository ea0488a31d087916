// Small helpers over tensors that Module, the containers and the optimizers share.
import { Tensor } from "../tensor/index.js";

/** zero_grad for one parameter, as Optimizer.zero_grad and Module.zero_grad do it. */
export function zeroGradOf(p: Tensor, setToNone: boolean): void {
  const g = p.grad;
  if (g === null) return;
  if (setToNone) p.grad = null;
  else g.detach().zero_().dispose();
  g.dispose();
}

/**
 * Internal: runs `steps` one after another on `input`, disposing each intermediate result as
 * soon as the next step has consumed it (never `input` itself, nor a step's result that is its
 * own input, e.g. an in-place ReLU). Python frees an intermediate when its last reference goes;
 * without this a forward would hold every activation until its tidy() ends, raising peak
 * memory (and page faults) by the whole network's activations. Autograd keeps what backward
 * needs natively, so this is safe in training too.
 */
export function chainForward(input: unknown, steps: Iterable<(x: unknown) => unknown>): unknown {
  let x = input;
  for (const step of steps) {
    const y = step(x);
    if (y !== x && x !== input && x instanceof Tensor && !x.isDisposed) x.dispose();
    x = y;
  }
  return x;
}
