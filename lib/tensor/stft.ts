// torch.stft, Python code over ATen in PyTorch 1.13 (torch/functional.py): with center=True
// (the default) Python pads the signal by n_fft // 2 on both sides with pad_mode before ATen's
// stft, so frame t is centred at t * hop_length; ATen's own stft does not pad. Tensor.stft
// (torch/_tensor.py) calls this.
import { defineMethods } from "./define_methods.js";
import { tidy } from "../memory.js";
import { pad } from "../nn/functional.generated.js";
import type { Tensor } from "./tensor.js";
import { argError, checkInt } from "../validate.js";
import { fn } from "./ops.js";
import { bindArgs, boolParam, optIntParam, tensorParam, type PyArgs } from "./python_args.js";

const stftAten = fn<(x: Tensor, nFft: number, hop: number | null, win: number | null, window: Tensor | null, normalized: boolean, onesided: boolean | null, returnComplex: boolean | null) => Tensor>(
  "torch.stft", "stft", ["stft(Tensor self, int n_fft, int? hop_length=None, int? win_length=None, Tensor? window=None, bool normalized=False, bool? onesided=None, bool? return_complex=None) -> Tensor"]);

const PAD_MODES = ["reflect", "constant", "replicate", "circular"];
type PadMode = "reflect" | "constant" | "replicate" | "circular";

type StftP = [hopLength: number | null, winLength: number | null, window: Tensor | null, center: boolean, padMode: PadMode, normalized: boolean, onesided: boolean | null, returnComplex: boolean | null];
type StftO = { nFft: number; hopLength: number | null; winLength: number | null; window: Tensor | null; center: boolean; padMode: PadMode; normalized: boolean; onesided: boolean | null; returnComplex: boolean | null };
const NAMES = ["nFft", "hopLength", "winLength", "window", "center", "padMode", "normalized", "onesided", "returnComplex"];

const optBool = (name: string, arg: string, v: unknown): boolean | null => (v === undefined || v === null ? null : boolParam(name, arg, v, false));

function stftImpl(name: string, input: unknown, a: Record<string, unknown>): Tensor {
  const x = tensorParam(name, "input", input);
  const nFft = checkInt(name, "nFft", a.nFft);
  const hop = optIntParam(name, "hopLength", a.hopLength);
  const win = optIntParam(name, "winLength", a.winLength);
  const window = a.window === undefined || a.window === null ? null : tensorParam(name, "window", a.window);
  const center = boolParam(name, "center", a.center, true);
  const padMode = a.padMode === undefined ? "reflect" : a.padMode;
  if (typeof padMode !== "string" || !PAD_MODES.includes(padMode)) throw argError(name, "padMode", PAD_MODES.map((m) => JSON.stringify(m)).join(", "), padMode);
  const normalized = boolParam(name, "normalized", a.normalized, false);
  const onesided = optBool(name, "onesided", a.onesided);
  const returnComplex = optBool(name, "returnComplex", a.returnComplex);
  if (!center) return stftAten(x, nFft, hop, win, window, normalized, onesided, returnComplex);
  return tidy(() => {
    // Python pads a 3-D view ([1, 1, L] or [1, B, L]): ATen's reflection pad wants a batch.
    const signalDim = x.ndim;
    const half = Math.floor(nFft / 2);
    const padded = pad(x.view([...Array(Math.max(0, 3 - signalDim)).fill(1), ...x.shape]), [half, half], padMode);
    return stftAten(padded.view(padded.shape.slice(padded.ndim - signalDim)), nFft, hop, win, window, normalized, onesided, returnComplex);
  });
}

/**
 * Python: `torch.stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
 * pad_mode="reflect", normalized=False, onesided=None, return_complex=None)`: the short-time
 * Fourier transform of a 1-D signal or a 2-D batch of them.
 */
export function stft(input: Tensor, ...args: [nFft: number, ...rest: PyArgs<StftP, StftO>] | [options: Partial<StftO> & { nFft: number }]): Tensor {
  return stftImpl("torch.stft", input, bindArgs("torch.stft", NAMES, args, 1));
}

declare module "./tensor.js" {
  interface Tensor {
    /** Python: `x.stft(n_fft, hop_length=None, win_length=None, window=None, center=True, pad_mode="reflect", normalized=False, onesided=None, return_complex=None)` (torch.stft). */
    stft(...args: [nFft: number, ...rest: PyArgs<StftP, StftO>] | [options: Partial<StftO> & { nFft: number }]): Tensor;
  }
}

defineMethods({
  stft(this: Tensor, ...args: unknown[]) { return stftImpl("Tensor.stft", this, bindArgs("Tensor.stft", NAMES, args, 1, ["self"])); },
});
