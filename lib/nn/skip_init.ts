// Building a layer whose parameters are about to be overwritten (conv-BN fusion) without
// running its random init. Python deep-copies the layer instead; either way no random numbers
// are drawn, so fusing a model leaves the generator where it was.
let skipping = false;

/** Whether a layer constructor should run its resetParameters(). */
export function initEnabled(): boolean {
  return !skipping;
}

/** Runs `make` with layer init skipped: the new layer's parameters hold uninitialized memory. */
export function withoutInit<T>(make: () => T): T {
  skipping = true;
  try {
    return make();
  } finally {
    skipping = false;
  }
}
