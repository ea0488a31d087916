// torchvision.transforms with torchvision's algorithms and defaults. Each transform is plain
// data (a `spec`) plus a pure function, so DataLoader workers can rebuild the pipeline, and
// draws its randomness from the per-sample generator it is handed (deterministic by seed).
import { argError, checkBool, checkNonNegInt, checkNumber, checkOptions, describe } from "../validate.js";
import { crop, hflip, pad, resize, resizedCrop, toChw, toChwNormalized, toGray, toRgb, type Chw, type Image } from "./image.js";

// The per-sample generator lives in lib/data (the pipeline's); vision re-exports it.
import { mulberry32, type Rng } from "../data/rng.js";
export { mulberry32, type Rng };

/** What flows through a pipeline: an image before ToTensor, a CHW float array after. */
export type Sample = Image | Chw;

export interface TransformSpec {
  readonly name: string;
  readonly args: unknown[];
}

/** A transform: `apply(sample, rng)`; `spec` rebuilds it in a worker thread. */
export interface Transform {
  readonly spec: TransformSpec;
  apply(sample: Sample, rng: Rng): Sample;
}

function isImage(s: Sample): s is Image {
  return (s as Image).width !== undefined;
}
function needImage(name: string, s: Sample): Image {
  if (!isImage(s)) throw new TypeError(`transforms.${name}: expected an image (put it before ToTensor), but received a tensor`);
  return s;
}
function needChw(name: string, s: Sample): Chw {
  if (isImage(s)) throw new TypeError(`transforms.${name}: expected a tensor (put it after ToTensor), but received an image`);
  return s;
}
type Size = number | [number, number];
function size2(name: string, size: unknown): [number, number] {
  const v = typeof size === "number" ? [size, size] : size;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => Number.isSafeInteger(x) && x > 0)) {
    throw argError(`transforms.${name}`, "size", "a positive integer or [height, width]", size);
  }
  return v as [number, number];
}
function positivePair(name: string, arg: string, v: unknown): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === "number" && Number.isFinite(x) && x > 0)) {
    throw argError(`transforms.${name}`, arg, "a pair of positive numbers [min, max]", v);
  }
  // torchvision only warns ("should be of kind (min, max)") and then samples a reversed range.
  if (v[0] > v[1]) throw argError(`transforms.${name}`, arg, "a pair [min, max] with min <= max", v);
  return [v[0], v[1]];
}
/** uniform(a, b) and randint(lo, hi) (inclusive lo, exclusive hi) from the sample's generator. */
const uniform = (rng: Rng, a: number, b: number) => a + (b - a) * rng();
const randint = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo));

/** Python: `transforms.Compose(transforms)`. */
export class Compose implements Transform {
  readonly spec: TransformSpec;
  constructor(readonly transforms: Transform[]) {
    if (!Array.isArray(transforms) || !transforms.every((t) => t && typeof t.apply === "function")) {
      throw argError("transforms.Compose", "transforms", "an array of transforms", transforms);
    }
    this.spec = { name: "Compose", args: [transforms.map((t) => t.spec)] };
  }
  apply(sample: Sample, rng: Rng): Sample {
    let s = sample;
    const ts = this.transforms;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      const next = ts[i + 1];
      // ToTensor followed by Normalize (the usual tail) runs as one table-driven pass.
      if (t instanceof ToTensor && next instanceof Normalize && !isChwSample(s)) {
        s = next.fromImage(needImage("ToTensor", s));
        i++;
      } else {
        s = t.apply(s, rng);
      }
    }
    return s;
  }
}

function isChwSample(s: Sample): s is Chw {
  return (s as Chw).shape !== undefined;
}

/** Python: `transforms.ToTensor()`: HWC uint8 → CHW float in [0, 1]. */
export class ToTensor implements Transform {
  readonly spec: TransformSpec = { name: "ToTensor", args: [] };
  apply(sample: Sample): Sample {
    return toChw(needImage("ToTensor", sample));
  }
}

/** Python: `transforms.Normalize(mean, std)`: (x - mean) / std per channel. */
export class Normalize implements Transform {
  readonly spec: TransformSpec;
  constructor(readonly mean: number[], readonly std: number[]) {
    const fn = "transforms.Normalize";
    if (!Array.isArray(mean) || !Array.isArray(std)) {
      throw new TypeError(`${fn}: mean and std must be arrays of numbers (one per channel), but received mean ${describe(mean)} and std ${describe(std)}`);
    }
    const finite = (v: unknown[]) => v.length > 0 && v.every((x) => typeof x === "number" && Number.isFinite(x));
    if (!finite(mean)) throw argError(fn, "mean", "a non-empty array of finite numbers", mean);
    if (!finite(std)) throw argError(fn, "std", "a non-empty array of finite numbers", std);
    if (mean.length !== std.length) {
      throw new TypeError(`${fn}: mean and std must have the same length, but received mean ${describe(mean)} and std ${describe(std)}`);
    }
    // A zero std divides by zero: every pixel of that channel would become Infinity or NaN.
    if (std.some((x) => x === 0)) throw new TypeError(`${fn}: expected std nonzero, but received ${describe(std)}`);
    this.spec = { name: "Normalize", args: [mean, std] };
  }
  /** ToTensor then this Normalize, in one pass (same float32 results). */
  fromImage(img: Image): Chw {
    this.#checkChannels(img.channels);
    return toChwNormalized(img, this.mean, this.std);
  }
  #checkChannels(c: number): void {
    if (this.mean.length !== c && this.mean.length !== 1) {
      throw new TypeError(`transforms.Normalize: ${this.mean.length} means for a ${c}-channel tensor`);
    }
  }
  apply(sample: Sample): Sample {
    const t = needChw("Normalize", sample);
    const [c, h, w] = t.shape;
    this.#checkChannels(c);
    const out = new Float32Array(t.data.length);
    const plane = h * w;
    for (let k = 0; k < c; k++) {
      // Float32 arithmetic like torch: (x - mean) / std with mean and std as float32.
      const m = Math.fround(this.mean[this.mean.length === 1 ? 0 : k]!);
      const s = Math.fround(this.std[this.std.length === 1 ? 0 : k]!);
      for (let i = k * plane; i < (k + 1) * plane; i++) out[i] = Math.fround(t.data[i]! - m) / s;
    }
    return { data: out, shape: t.shape };
  }
}

/** Python: `transforms.Resize(size)`: an int resizes the shorter side (aspect kept), a pair is exact. Bilinear. */
export class Resize implements Transform {
  readonly spec: TransformSpec;
  constructor(readonly size: Size) {
    if (typeof size !== "number") size2("Resize", size);
    else if (!(Number.isSafeInteger(size) && size > 0)) throw argError("transforms.Resize", "size", "a positive integer or [height, width]", size);
    this.spec = { name: "Resize", args: [size] };
  }
  apply(sample: Sample): Sample {
    const img = needImage("Resize", sample);
    if (Array.isArray(this.size)) return resize(img, this.size[0], this.size[1]);
    const { width: w, height: h } = img;
    const [short, long] = w <= h ? [w, h] : [h, w];
    if (short === this.size) return img;
    const newShort = this.size;
    const newLong = Math.trunc((this.size * long) / short);
    return w <= h ? resize(img, newLong, newShort) : resize(img, newShort, newLong);
  }
}

/** Python: `transforms.CenterCrop(size)` (pads with zeros when the image is smaller). */
export class CenterCrop implements Transform {
  readonly spec: TransformSpec;
  readonly #size: [number, number];
  constructor(size: Size) {
    this.#size = size2("CenterCrop", size);
    this.spec = { name: "CenterCrop", args: [size] };
  }
  apply(sample: Sample): Sample {
    const img = needImage("CenterCrop", sample);
    const [h, w] = this.#size;
    // torchvision: int(round((H - h) / 2.0)) with Python's round-half-even; a side smaller
    // than the crop is first padded by (h - H) // 2 before and the rest after.
    const top = img.height < h ? -Math.floor((h - img.height) / 2) : roundHalfEven((img.height - h) / 2);
    const left = img.width < w ? -Math.floor((w - img.width) / 2) : roundHalfEven((img.width - w) / 2);
    return crop(img, top, left, h, w);
  }
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Python: `transforms.RandomResizedCrop(size, scale=(0.08, 1.0), ratio=(3/4, 4/3))`, bilinear. */
export class RandomResizedCrop implements Transform {
  readonly spec: TransformSpec;
  readonly #size: [number, number];
  readonly #scale: [number, number];
  readonly #ratio: [number, number];
  constructor(size: Size, options?: { scale?: [number, number]; ratio?: [number, number] }) {
    const o = checkOptions("transforms.RandomResizedCrop", options, ["scale", "ratio"]);
    this.#size = size2("RandomResizedCrop", size);
    this.#scale = o.scale === undefined ? [0.08, 1] : positivePair("RandomResizedCrop", "scale", o.scale);
    this.#ratio = o.ratio === undefined ? [3 / 4, 4 / 3] : positivePair("RandomResizedCrop", "ratio", o.ratio);
    this.spec = { name: "RandomResizedCrop", args: [size, { scale: this.#scale, ratio: this.#ratio }] };
  }
  /** torchvision's get_params: 10 tries at a random area and aspect ratio, then a center crop. */
  params(height: number, width: number, rng: Rng): [top: number, left: number, h: number, w: number] {
    const area = height * width;
    const [r0, r1] = [Math.log(this.#ratio[0]), Math.log(this.#ratio[1])];
    for (let attempt = 0; attempt < 10; attempt++) {
      const target = area * uniform(rng, this.#scale[0], this.#scale[1]);
      const aspect = Math.exp(uniform(rng, r0, r1));
      const w = roundHalfEven(Math.sqrt(target * aspect));
      const h = roundHalfEven(Math.sqrt(target / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        return [randint(rng, 0, height - h + 1), randint(rng, 0, width - w + 1), h, w];
      }
    }
    const inRatio = width / height;
    let w = width;
    let h = height;
    if (inRatio < Math.min(...this.#ratio)) h = roundHalfEven(w / Math.min(...this.#ratio));
    else if (inRatio > Math.max(...this.#ratio)) w = roundHalfEven(h * Math.max(...this.#ratio));
    return [Math.trunc((height - h) / 2), Math.trunc((width - w) / 2), h, w];
  }
  apply(sample: Sample, rng: Rng): Sample {
    const img = needImage("RandomResizedCrop", sample);
    const [top, left, h, w] = this.params(img.height, img.width, rng);
    return resizedCrop(img, top, left, h, w, this.#size[0], this.#size[1]);
  }
}

/** Python: `transforms.RandomHorizontalFlip(p=0.5)`. */
export class RandomHorizontalFlip implements Transform {
  readonly spec: TransformSpec;
  constructor(readonly p = 0.5) {
    checkNumber("transforms.RandomHorizontalFlip", "p", p);
    if (!(p >= 0 && p <= 1)) throw argError("transforms.RandomHorizontalFlip", "p", "a probability between 0 and 1", p);
    this.spec = { name: "RandomHorizontalFlip", args: [p] };
  }
  apply(sample: Sample, rng: Rng): Sample {
    const img = needImage("RandomHorizontalFlip", sample);
    return rng() < this.p ? hflip(img) : img;
  }
}

/** Python: `transforms.RandomCrop(size, padding=None, pad_if_needed=False, fill=0)`. */
export class RandomCrop implements Transform {
  readonly spec: TransformSpec;
  readonly #size: [number, number];
  readonly #padding: number;
  readonly #padIfNeeded: boolean;
  constructor(size: Size, options?: { padding?: number; padIfNeeded?: boolean }) {
    const o = checkOptions("transforms.RandomCrop", options, ["padding", "padIfNeeded"]);
    this.#size = size2("RandomCrop", size);
    this.#padding = o.padding === undefined ? 0 : checkNonNegInt("transforms.RandomCrop", "padding", o.padding);
    this.#padIfNeeded = o.padIfNeeded === undefined ? false : checkBool("transforms.RandomCrop", "padIfNeeded", o.padIfNeeded);
    this.spec = { name: "RandomCrop", args: [size, { padding: this.#padding, padIfNeeded: this.#padIfNeeded }] };
  }
  apply(sample: Sample, rng: Rng): Sample {
    let img = needImage("RandomCrop", sample);
    const p = this.#padding;
    if (p > 0) img = pad(img, p, p, p, p);
    const [h, w] = this.#size;
    if (this.#padIfNeeded && img.width < w) img = pad(img, w - img.width, 0, w - img.width, 0);
    if (this.#padIfNeeded && img.height < h) img = pad(img, 0, h - img.height, 0, h - img.height);
    if (img.height < h || img.width < w) {
      throw new TypeError(`transforms.RandomCrop: required crop size [${h}, ${w}] is larger than input image size [${img.height}, ${img.width}]`);
    }
    return crop(img, randint(rng, 0, img.height - h + 1), randint(rng, 0, img.width - w + 1), h, w);
  }
}

/** Python: `transforms.Grayscale(num_output_channels=1)`. */
export class Grayscale implements Transform {
  readonly spec: TransformSpec;
  constructor(readonly numOutputChannels: 1 | 3 = 1) {
    if (numOutputChannels !== 1 && numOutputChannels !== 3) throw argError("transforms.Grayscale", "numOutputChannels", "1 or 3", numOutputChannels);
    this.spec = { name: "Grayscale", args: [numOutputChannels] };
  }
  apply(sample: Sample): Sample {
    const gray = toGray(needImage("Grayscale", sample));
    return this.numOutputChannels === 3 ? toRgb(gray) : gray;
  }
}

const REGISTRY: Record<string, new (...args: never[]) => Transform> = {
  ToTensor, Normalize, Resize, CenterCrop, RandomResizedCrop, RandomHorizontalFlip, RandomCrop, Grayscale,
};

/** Rebuilds a transform from its spec (what a DataLoader worker does). */
export function fromSpec(spec: TransformSpec): Transform {
  if (spec.name === "Compose") return new Compose((spec.args[0] as TransformSpec[]).map(fromSpec));
  const Ctor = REGISTRY[spec.name];
  if (Ctor === undefined) throw new TypeError(`transforms: "${spec.name}" cannot be rebuilt in a worker thread; use numWorkers: 0 for custom transforms`);
  return new (Ctor as unknown as new (...args: unknown[]) => Transform)(...spec.args);
}
