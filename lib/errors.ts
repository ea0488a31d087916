/**
 * The error libtorch raised, with PyTorch's own message (no C++ backtrace).
 * Python equivalent: the `RuntimeError` that torch raises.
 */
export class TorchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TorchError";
  }
}
