// What a recording of a forward (forwardAsync's trace, native/async.cc) cannot see: values read
// out of tensors into JS. A branch on `t.item()`, or a number computed from `t.tolist()`, is
// taken once while recording and baked into the graph as a constant, so later runs with other
// data follow the same path. Python's tracer warns when this happens (TracerWarning); so does
// this one, through process.emitWarning, once per kind of read in each recording.

let recording: Set<string> | null = null;

/** Runs `fn` as the recording of a forward: reads of tensor data inside it warn. */
export function whileRecording<T>(fn: () => T): T {
  const outer = recording;
  recording = new Set();
  try {
    return fn();
  } finally {
    recording = outer;
  }
}

/** Called by the Tensor methods that read data into JS (item, tolist, toTypedArray). */
export function readingData(method: string): void {
  if (recording === null || recording.has(method)) return;
  recording.add(method);
  process.emitWarning(
    `Tensor.${method}() while forwardAsync records the forward: the value is read once and recorded as a constant, ` +
      "so a branch or a number computed from it is frozen into the graph and later calls will not follow other data " +
      "(as Python's torch.jit.trace warns). Keep data-dependent control flow out of forward() or call it synchronously with model.call(x).",
    "TracerWarning",
  );
}
