// torch.svd_lowrank and torch.pca_lowrank: Python code over ATen in PyTorch (torch/_lowrank.py),
// ported for strided tensors. Halko, Martinsson and Tropp's randomized range finder
// (arXiv:0909.4061, algorithms 4.4 and 5.1): the same calls in the same order as PyTorch's, so
// after the same torch.manualSeed the results are PyTorch's. Sparse inputs are not supported.
import { matmul } from "./functions.js";
import { tidy } from "../memory.js";
import { Tensor } from "./tensor.js";
import { bindArgs, bool, int, optTensor, tensor } from "../nn/functional_util.js";
import { linalg, randn } from "./ops.generated.js";

/** `_utils.get_floating_dtype`: the input's dtype when floating (or complex), else float32. */
const floating = (a: Tensor) => (a.isFloatingPoint() || a.isComplex() ? a.dtype : "float32");
/** `_utils.transjugate`: the conjugate transpose of the last two dimensions. */
const transjugate = (a: Tensor) => a.mH;
const conjugate = (a: Tensor) => (a.isComplex() ? a.conj() : a);

/** `get_approximate_basis`: q orthonormal columns Q with Q Q^H (A - M) ≈ A - M. */
function approximateBasis(A: Tensor, q: number, niter: number, M: Tensor | null): Tensor {
  const n = A.shape[A.ndim - 1]!;
  const R = randn([n, q], { dtype: floating(A), device: A.device });
  const AH = transjugate(A);
  const qr = (x: Tensor) => linalg.qr(x).Q;
  if (M === null) {
    let Q = qr(matmul(A, R));
    for (let i = 0; i < niter; i++) {
      Q = qr(matmul(AH, Q));
      Q = qr(matmul(A, Q));
    }
    return Q;
  }
  const MH = transjugate(M);
  let Q = qr(matmul(A, R).sub(matmul(M, R)));
  for (let i = 0; i < niter; i++) {
    Q = qr(matmul(AH, Q).sub(matmul(MH, Q)));
    Q = qr(matmul(A, Q).sub(matmul(M, Q)));
  }
  return Q;
}

function svdLowrankImpl(A: Tensor, q: number, niter: number, M: Tensor | null): [Tensor, Tensor, Tensor] {
  return tidy(() => {
    const [m, n] = A.shape.slice(-2) as [number, number];
    const Mt = M === null ? null : M.mT;
    const At = A.mT;
    let U: Tensor, S: Tensor, V: Tensor;
    if (m < n || n > q) {
      const Q = approximateBasis(At, q, niter, Mt);
      const Qc = conjugate(Q);
      const Bt = M === null ? matmul(A, Qc) : matmul(A, Qc).sub(matmul(M, Qc));
      const r = linalg.svd(Bt, { fullMatrices: false });
      U = r.U;
      S = r.S;
      V = matmul(Q, r.Vh.mH);
    } else {
      const Q = approximateBasis(A, q, niter, M);
      const Qc = conjugate(Q);
      const B = M === null || Mt === null ? matmul(At, Qc) : matmul(At, Qc).sub(matmul(Mt, Qc));
      const r = linalg.svd(B.mT, { fullMatrices: false });
      U = matmul(Q, r.U);
      S = r.S;
      V = r.Vh.mH;
    }
    return [U, S, V] as [Tensor, Tensor, Tensor];
  });
}

/**
 * Python: `torch.svd_lowrank(A, q=6, niter=2, M=None)`: `[U, S, V]` with A ≈ U diag(S) Vᴴ (of
 * A - M when M is given), for a low-rank A. Random: reset the seed for repeatable results.
 */
export function svdLowrank(A: Tensor, ...rest: [q?: number | null, niter?: number | null, M?: Tensor | null, options?: { q?: number | null; niter?: number | null; M?: Tensor | null }] | [options: { q?: number | null; niter?: number | null; M?: Tensor | null }]): [Tensor, Tensor, Tensor] {
  const fn = "torch.svdLowrank";
  const a = bindArgs(fn, ["q", "niter", "M"], rest);
  const input = tensor(fn, A, "A");
  const q = a.q === null || a.q === undefined ? 6 : int(fn, "q", a.q, 6);
  const niter = a.niter === null || a.niter === undefined ? 2 : int(fn, "niter", a.niter, 2);
  return svdLowrankImpl(input, q, niter, optTensor(fn, a.M, "M"));
}

/**
 * Python: `torch.pca_lowrank(A, q=None, center=True, niter=2)`: `[U, S, V]` of the (centered) A,
 * q defaulting to min(6, m, n). Random: reset the seed for repeatable results.
 */
export function pcaLowrank(A: Tensor, ...rest: [q?: number | null, center?: boolean, niter?: number, options?: { q?: number | null; center?: boolean; niter?: number }] | [options: { q?: number | null; center?: boolean; niter?: number }]): [Tensor, Tensor, Tensor] {
  const fn = "torch.pcaLowrank";
  const a = bindArgs(fn, ["q", "center", "niter"], rest);
  const input = tensor(fn, A, "A");
  if (input.ndim < 2) throw new TypeError(`${fn}: expected A to have at least 2 dimensions, but it has ${input.ndim}`);
  const [m, n] = input.shape.slice(-2) as [number, number];
  let q = Math.min(6, m, n);
  if (a.q !== undefined && a.q !== null) {
    q = int(fn, "q", a.q, q);
    if (!(q >= 0 && q <= Math.min(m, n))) throw new RangeError(`${fn}: q(=${q}) must be non-negative integer and not greater than min(m, n)=${Math.min(m, n)}`);
  }
  const niter = int(fn, "niter", a.niter, 2);
  if (!(niter >= 0)) throw new RangeError(`${fn}: niter(=${niter}) must be non-negative integer`);
  const center = bool(fn, "center", a.center, true);
  if (!center) return svdLowrankImpl(input, q, niter, null);
  return tidy(() => svdLowrankImpl(input.sub(input.mean([-2], { keepdim: true })), q, niter, null));
}
