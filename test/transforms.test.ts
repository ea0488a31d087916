// torch.vision.transforms and decodeImage against torchvision 0.14 / PIL on the same files:
// the test writes PNG and JPEG images with sharp into a temp dir, Debian's python3 runs
// torchvision's transforms on them (test/reference/transforms.py), and pixels must agree.
// Random transforms are checked at given crop boxes (pixels) and by their distributions
// (seeded draws of ours against torchvision's own get_params, two-sample tests).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { ReferenceSession } from "./reference/session.js";

const { transforms } = torch.vision;
type Image = torch.vision.Image;
type Chw = torch.vision.Chw;
type Sample = Image | Chw;
type Transform = InstanceType<typeof transforms.Compose>["transforms"][number];

interface Encoded { kind: "image" | "tensor"; shape: number[]; mode?: string; data: string }
interface Reply<T> { versions: { torch: string; torchvision: string }; result: T }

// ---- test images ----
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 16) & 255;
  };
}
function pixels(width: number, height: number, channels: number, f: (x: number, y: number, c: number) => number): Buffer {
  const b = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) b[(y * width + x) * channels + c] = Math.max(0, Math.min(255, Math.round(f(x, y, c))));
  return b;
}
const rnd = lcg(12345);
const NOISE = { w: 37, h: 53, data: pixels(37, 53, 3, () => rnd()) };
const GRAD = { w: 64, h: 48, data: pixels(64, 48, 3, (x, y, c) => [x * 4, y * 5.3, 128 + 100 * Math.sin((x + y) / 9)][c]!) };
const GRAY = { w: 45, h: 30, data: pixels(45, 30, 1, (x, y) => 120 + 90 * Math.sin(x / 5) * Math.cos(y / 4) + (rnd() % 17)) };
const RGBA = { w: 20, h: 17, data: pixels(20, 17, 4, () => rnd()) };
const PHOTO = { w: 96, h: 72, data: pixels(96, 72, 3, (x, y, c) => 128 + 80 * Math.sin((x * (c + 1)) / 11 + y / 7) + (rnd() % 24) - 12) };

let dir = "";
const files: Record<string, string> = {};
const decoded: Record<string, Image> = {};
let py: ReferenceSession;

async function writeImages(): Promise<void> {
  const raw = (img: { w: number; h: number; data: Buffer }, channels: 1 | 2 | 3 | 4) => sharp(img.data, { raw: { width: img.w, height: img.h, channels } });
  const out = (name: string) => (files[name] = path.join(dir, name));
  await raw(NOISE, 3).png().toFile(out("noise.png"));
  await raw(GRAD, 3).png().toFile(out("gradient.png"));
  await raw(GRAY, 1).toColourspace("b-w").png().toFile(out("gray.png"));
  await raw(RGBA, 4).png().toFile(out("rgba.png"));
  await raw(NOISE, 3).png({ palette: true, colours: 64 }).toFile(out("palette.png"));
  await raw(PHOTO, 3).jpeg({ quality: 85 }).toFile(out("photo.jpg"));
  await raw(PHOTO, 3).jpeg({ quality: 60, progressive: true, chromaSubsampling: "4:4:4" }).toFile(out("photo_progressive.jpg"));
  await raw(GRAY, 1).toColourspace("b-w").jpeg({ quality: 90 }).toFile(out("gray.jpg"));
}

const b64bytes = (s: string) => new Uint8Array(Buffer.from(s, "base64"));
const b64floats = (s: string) => {
  const b = Buffer.from(s, "base64");
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
};

/** Max |ours - torchvision| in units of the output (pixels: 0..255; tensors: floats). Shapes must match. */
function compare(ours: Sample, ref: Encoded): number {
  if (ref.kind === "image") {
    expect("width" in ours, "ours is an image").toBe(true);
    const img = ours as Image;
    expect([img.height, img.width, img.channels]).toEqual(ref.shape);
    const want = b64bytes(ref.data);
    let max = 0;
    for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(img.data[i]! - want[i]!));
    return max;
  }
  expect("shape" in ours, "ours is a tensor").toBe(true);
  const t = ours as Chw;
  expect(t.shape).toEqual(ref.shape);
  const want = b64floats(ref.data);
  expect(t.data.length).toBe(want.length);
  let max = 0;
  for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(t.data[i]! - want[i]!));
  return max;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "torch-ts-transforms-"));
  await writeImages();
  for (const [name, file] of Object.entries(files)) decoded[name] = await torch.vision.decodeImage(file);
  py = new ReferenceSession("transforms.py");
});

afterAll(() => {
  py?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("decodeImage equals PIL's Image.open(p).convert(\"RGB\")", () => {
  let ref: Record<string, Encoded>;
  beforeAll(async () => {
    ref = (await py.request<Reply<Record<string, Encoded>>>({ cmd: "decode", files })).result;
  });
  it.each(["noise.png", "gradient.png", "gray.png", "rgba.png", "palette.png", "photo.jpg", "photo_progressive.jpg", "gray.jpg"])("%s exactly", (name) => {
    const img = decoded[name]!;
    expect(img.channels).toBe(3);
    expect(ref[name]!.mode).toBe("RGB");
    expect(compare(img, ref[name]!)).toBe(0);
  });
  it("the source modes are what the file names say (the test covers L, RGBA, P and JPEG)", async () => {
    expect((await sharp(files["gray.png"]!).metadata()).channels).toBe(1);
    expect((await sharp(files["rgba.png"]!).metadata()).channels).toBe(4);
    expect((await sharp(files["palette.png"]!).metadata()).isPalette).toBe(true);
    expect((await sharp(files["photo_progressive.jpg"]!).metadata()).isProgressive).toBe(true);
  });
});

// ---- deterministic transforms: our pipeline vs torchvision.transforms.Compose ----
const T = transforms;
const IMAGENET = [[0.485, 0.456, 0.406], [0.229, 0.224, 0.225]] as const;
interface PipeCase { name: string; file: string; ops: () => Transform[] }
const pipeCases: PipeCase[] = [
  { name: "ToTensor", file: "noise.png", ops: () => [new T.ToTensor()] },
  { name: "ToTensor, gray source", file: "gray.png", ops: () => [new T.ToTensor()] },
  { name: "ToTensor + Normalize(ImageNet)", file: "photo.jpg", ops: () => [new T.ToTensor(), new T.Normalize([...IMAGENET[0]], [...IMAGENET[1]])] },
  { name: "ToTensor + Normalize(one mean/std for 3 channels)", file: "noise.png", ops: () => [new T.ToTensor(), new T.Normalize([0.3], [0.7])] },
  { name: "Resize(24) downscale shorter side (portrait)", file: "noise.png", ops: () => [new T.Resize(24)] },
  { name: "Resize(100) upscale shorter side (portrait)", file: "noise.png", ops: () => [new T.Resize(100)] },
  { name: "Resize(31) odd downscale (landscape)", file: "gradient.png", ops: () => [new T.Resize(31)] },
  { name: "Resize(48) equal shorter side: unchanged", file: "gradient.png", ops: () => [new T.Resize(48)] },
  { name: "Resize(77) odd upscale (landscape)", file: "photo.jpg", ops: () => [new T.Resize(77)] },
  { name: "Resize([30, 50]) height down, width up", file: "noise.png", ops: () => [new T.Resize([30, 50])] },
  { name: "Resize([53, 19]) width only", file: "noise.png", ops: () => [new T.Resize([53, 19])] },
  { name: "Resize([17, 37]) height only", file: "noise.png", ops: () => [new T.Resize([17, 37])] },
  { name: "Resize([106, 74]) exactly 2x up", file: "noise.png", ops: () => [new T.Resize([106, 74])] },
  { name: "Resize([7, 5]) heavy down", file: "noise.png", ops: () => [new T.Resize([7, 5])] },
  { name: "Resize([1, 1])", file: "gradient.png", ops: () => [new T.Resize([1, 1])] },
  { name: "Resize([13, 29]) factor 3.7 / 2.2 down", file: "gradient.png", ops: () => [new T.Resize([13, 29])] },
  { name: "Resize([211, 97]) odd factors up", file: "photo.jpg", ops: () => [new T.Resize([211, 97])] },
  { name: "Resize on a palette image", file: "palette.png", ops: () => [new T.Resize(40)] },
  { name: "Resize(256) + CenterCrop(224) + ToTensor + Normalize (ImageNet eval)", file: "photo.jpg", ops: () => [new T.Resize(256), new T.CenterCrop(224), new T.ToTensor(), new T.Normalize([...IMAGENET[0]], [...IMAGENET[1]])] },
  { name: "CenterCrop(20) (half-pixel offsets round to even)", file: "noise.png", ops: () => [new T.CenterCrop(20)] },
  { name: "CenterCrop([24, 36])", file: "noise.png", ops: () => [new T.CenterCrop([24, 36])] },
  { name: "CenterCrop([31, 17])", file: "gradient.png", ops: () => [new T.CenterCrop([31, 17])] },
  { name: "CenterCrop([60, 41]) larger than the image (odd padding)", file: "noise.png", ops: () => [new T.CenterCrop([60, 41])] },
  { name: "CenterCrop([60, 30]) taller than the image only", file: "noise.png", ops: () => [new T.CenterCrop([60, 30])] },
  { name: "CenterCrop([10, 46]) wider than the image only", file: "noise.png", ops: () => [new T.CenterCrop([10, 46])] },
  { name: "CenterCrop(64) square from landscape (even padding)", file: "gradient.png", ops: () => [new T.CenterCrop(64)] },
  { name: "CenterCrop(101) larger on both sides", file: "gradient.png", ops: () => [new T.CenterCrop(101)] },
  { name: "Grayscale(1)", file: "noise.png", ops: () => [new T.Grayscale(1)] },
  { name: "Grayscale(3)", file: "gradient.png", ops: () => [new T.Grayscale(3)] },
  { name: "Grayscale(1) of a gray source", file: "gray.png", ops: () => [new T.Grayscale(1)] },
  { name: "Grayscale(1) + Resize(20) + ToTensor + Normalize (one channel)", file: "photo.jpg", ops: () => [new T.Grayscale(1), new T.Resize(20), new T.ToTensor(), new T.Normalize([0.5], [0.25])] },
  { name: "Grayscale(3) + ToTensor", file: "rgba.png", ops: () => [new T.Grayscale(3), new T.ToTensor()] },
];

describe("deterministic transforms equal torchvision's", () => {
  let ref: Encoded[];
  beforeAll(async () => {
    const cases = pipeCases.map((c) => ({ file: files[c.file], ops: c.ops().map((t) => t.spec) }));
    ref = (await py.request<Reply<Encoded[]>>({ cmd: "pipelines", cases })).result;
  });
  it.each(pipeCases.map((c, i) => [c.name, c.file, i] as const))("%s (%s)", (_name, file, i) => {
    const out = new T.Compose(pipeCases[i]!.ops()).apply(decoded[file]!, transforms.mulberry32(0));
    // Pixels: PIL's fixed-point arithmetic reproduced exactly; floats: torch's float32 ops.
    expect(compare(out, ref[i]!)).toBe(0);
  });
  it("the cases cover Resize both ways on each axis", () => {
    // Guard against a case list that silently stops exercising up- and downscaling.
    const shapes = pipeCases.filter((c) => c.name.startsWith("Resize")).map((c) => {
      const img = decoded[c.file]!;
      const out = new T.Compose(c.ops()).apply(img, transforms.mulberry32(0)) as Image;
      return [Math.sign(out.height - img.height), Math.sign(out.width - img.width)];
    });
    for (const axis of [0, 1]) for (const dir of [-1, 0, 1]) expect(shapes.some((s) => s[axis] === dir)).toBe(true);
  });
});

// ---- random transforms at given boxes: the pixels of one draw ----
function coordImage(width: number, height: number): Image {
  // R = x + 1, G = y + 1: any cropped pixel tells where it came from; 0 is padding.
  return { width, height, channels: 3, data: pixels(width, height, 3, (x, y, c) => [x + 1, y + 1, 0][c]!) };
}
/** The (top, left) of a crop of the padded image, read from a cropped coordinate image. */
function offsetOf(out: Image, padTop: number, padLeft: number): [number, number] {
  for (let oy = 0; oy < out.height; oy++) {
    for (let ox = 0; ox < out.width; ox++) {
      const i = (oy * out.width + ox) * 3;
      if (out.data[i] !== 0) return [out.data[i + 1]! - 1 + padTop - oy, out.data[i]! - 1 + padLeft - ox];
    }
  }
  throw new Error("crop holds only padding");
}

interface RrcCase { file: string; size: [number, number]; seed: number; options?: { scale?: [number, number]; ratio?: [number, number] } }
const rrcCases: RrcCase[] = [
  ...[1, 2, 3, 4].map((seed) => ({ file: "photo.jpg", size: [24, 24] as [number, number], seed })),
  ...[5, 6].map((seed) => ({ file: "noise.png", size: [30, 20] as [number, number], seed })),
  ...[7, 8].map((seed) => ({ file: "gradient.png", size: [224, 224] as [number, number], seed, options: { scale: [0.5, 1] as [number, number] } })),
  { file: "noise.png", size: [16, 16], seed: 9, options: { scale: [2, 3] } }, // every try fails: center-crop fallback
];
interface PadCropCase { file: string; size: [number, number]; padding: number; padIfNeeded: boolean; seed: number }
const padCropCases: PadCropCase[] = [
  ...[1, 2, 3].map((seed) => ({ file: "noise.png", size: [32, 24] as [number, number], padding: 3, padIfNeeded: false, seed })),
  ...[4, 5].map((seed) => ({ file: "noise.png", size: [60, 40] as [number, number], padding: 0, padIfNeeded: true, seed })),
  ...[6, 7].map((seed) => ({ file: "noise.png", size: [64, 45] as [number, number], padding: 2, padIfNeeded: true, seed })),
];

describe("random transforms at their drawn boxes equal torchvision's functional ops", () => {
  let ref: { noise: { resized_crop: Encoded[]; pad_crop: Encoded[]; hflip: Encoded }; photo: { resized_crop: Encoded[] }; gradient: { resized_crop: Encoded[] } };
  const rrcBoxes: [number, number, number, number][] = [];
  const offsets: [number, number][] = [];
  beforeAll(async () => {
    for (const c of rrcCases) {
      const img = decoded[c.file]!;
      rrcBoxes.push(new T.RandomResizedCrop(c.size, c.options).params(img.height, img.width, transforms.mulberry32(c.seed)));
    }
    for (const c of padCropCases) {
      const img = decoded[c.file]!;
      const out = new T.RandomCrop(c.size, { padding: c.padding, padIfNeeded: c.padIfNeeded }).apply(coordImage(img.width, img.height), transforms.mulberry32(c.seed)) as Image;
      const padTop = c.padding + (c.padIfNeeded ? Math.max(0, c.size[0] - img.height - 2 * c.padding) : 0);
      const padLeft = c.padding + (c.padIfNeeded ? Math.max(0, c.size[1] - img.width - 2 * c.padding) : 0);
      offsets.push(offsetOf(out, padTop, padLeft));
    }
    const req = (file: string) => ({
      cmd: "boxes", file: files[file],
      resized_crop: rrcCases.flatMap((c, i) => (c.file === file ? [{ box: rrcBoxes[i], size: c.size }] : [])),
      pad_crop: padCropCases.flatMap((c, i) => (c.file === file ? [{ offset: offsets[i], size: c.size, padding: c.padding, pad_if_needed: c.padIfNeeded }] : [])),
    });
    ref = {
      noise: (await py.request<Reply<typeof ref.noise>>(req("noise.png"))).result,
      photo: (await py.request<Reply<typeof ref.photo>>(req("photo.jpg"))).result,
      gradient: (await py.request<Reply<typeof ref.gradient>>(req("gradient.png"))).result,
    };
  });

  it.each(rrcCases.map((c, i) => [c.file, c.size.join("x"), c.seed, i] as const))("RandomResizedCrop on %s to %s, seed %i", (file, _s, _seed, i) => {
    const c = rrcCases[i]!;
    const k = rrcCases.filter((d, j) => d.file === file && j < i).length;
    const want = ref[file.split(".")[0] as "noise"].resized_crop[k]!;
    const out = new T.RandomResizedCrop(c.size, c.options).apply(decoded[file]!, transforms.mulberry32(c.seed));
    expect(compare(out, want)).toBe(0);
  });

  it.each(padCropCases.map((c, i) => [c.size.join("x"), c.padding, c.padIfNeeded, c.seed, i] as const))("RandomCrop %s padding %i padIfNeeded %s, seed %i", (_s, _p, _n, _seed, i) => {
    const c = padCropCases[i]!;
    const k = padCropCases.filter((d, j) => d.file === c.file && j < i).length;
    const out = new T.RandomCrop(c.size, { padding: c.padding, padIfNeeded: c.padIfNeeded }).apply(decoded[c.file]!, transforms.mulberry32(c.seed));
    expect(compare(out, ref.noise.pad_crop[k]!)).toBe(0);
  });

  it("RandomHorizontalFlip(1) is F.hflip; RandomHorizontalFlip(0) is the identity", () => {
    expect(compare(new T.RandomHorizontalFlip(1).apply(decoded["noise.png"]!, transforms.mulberry32(0)), ref.noise.hflip)).toBe(0);
    expect(new T.RandomHorizontalFlip(0).apply(decoded["noise.png"]!, transforms.mulberry32(0))).toBe(decoded["noise.png"]);
  });
});

// ---- random transforms by their distributions ----
/** Two-sample Kolmogorov-Smirnov statistic and its critical value at significance alpha. */
function ks(a: number[], b: number[], alpha = 1e-3): { d: number; crit: number } {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i]! <= v) i++;
    while (j < y.length && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  const n = x.length;
  const m = y.length;
  return { d, crit: Math.sqrt(-0.5 * Math.log(alpha / 2)) * Math.sqrt((n + m) / (n * m)) };
}
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const variance = (a: number[]) => {
  const m = mean(a);
  return a.reduce((s, v) => s + (v - m) ** 2, 0) / (a.length - 1);
};
const quantile = (a: number[], q: number) => [...a].sort((p, r) => p - r)[Math.min(a.length - 1, Math.floor(q * a.length))]!;
/** The two samples' means agree within 4 standard errors of their difference. */
function expectSameMean(a: number[], b: number[], what: string): void {
  const se = Math.sqrt(variance(a) / a.length + variance(b) / b.length);
  expect(Math.abs(mean(a) - mean(b)), `${what}: mean ${mean(a)} vs torchvision ${mean(b)} (se ${se})`).toBeLessThanOrEqual(4 * se + 1e-12);
}
function expectSameDistribution(a: number[], b: number[], what: string): void {
  const { d, crit } = ks(a, b);
  expect(d, `${what}: KS distance ${d} (critical ${crit}); quartiles ours ${[0.25, 0.5, 0.75].map((q) => quantile(a, q))} torchvision ${[0.25, 0.5, 0.75].map((q) => quantile(b, q))}`).toBeLessThanOrEqual(crit);
}

interface RrcStat { height: number; width: number; n: number; scale: [number, number]; ratio: [number, number] }
const rrcStats: RrcStat[] = [
  { height: 240, width: 320, n: 2000, scale: [0.08, 1], ratio: [3 / 4, 4 / 3] },
  { height: 53, width: 37, n: 2000, scale: [0.5, 1], ratio: [0.5, 2] },
  { height: 20, width: 300, n: 2000, scale: [0.08, 1], ratio: [3 / 4, 4 / 3] }, // many fall back
  { height: 53, width: 37, n: 20, scale: [2, 3], ratio: [3 / 4, 4 / 3] }, // all fall back
  { height: 20, width: 300, n: 20, scale: [2, 3], ratio: [3 / 4, 4 / 3] },
];
const cropStats = [
  { height: 28, width: 28, size: [20, 20] as [number, number], n: 2700 }, // RandomCrop(20, padding=4) on 20x20
  { height: 53, width: 37, size: [32, 24] as [number, number], n: 2700 },
];

describe("random transforms: seeded statistics against torchvision's sampled parameters", () => {
  let ref: { rrc: number[][][]; random_crop: number[][][] };
  beforeAll(async () => {
    ref = (await py.request<Reply<typeof ref>>({ cmd: "sample", seed: 0, rrc: rrcStats, random_crop: cropStats.map(({ height, width, size, n }) => ({ height, width, size, n })) })).result;
  });

  it.each(rrcStats.slice(0, 3).map((s, i) => [s.height, s.width, s.scale.join(", "), s.ratio.map((r) => r.toFixed(3)).join(", "), i] as const))(
    "RandomResizedCrop on %ix%i, scale (%s), ratio (%s): area fraction, aspect ratio and position distributions",
    (H, W, _s, _r, i) => {
      const s = rrcStats[i]!;
      const rrc = new T.RandomResizedCrop(224, { scale: s.scale, ratio: s.ratio });
      const rng = transforms.mulberry32(1234 + i);
      const ours = Array.from({ length: s.n }, () => rrc.params(H, W, rng));
      const theirs = ref.rrc[i]!;
      expect(theirs.length).toBe(s.n);
      const area = (b: number[]) => (b[2]! * b[3]!) / (H * W);
      const logRatio = (b: number[]) => Math.log(b[3]! / b[2]!);
      // position of the box among its possible positions, in (0, 1)
      const top = (b: number[]) => (b[0]! + 0.5) / (H - b[2]! + 1);
      const left = (b: number[]) => (b[1]! + 0.5) / (W - b[3]! + 1);
      for (const [what, f] of [["area fraction", area], ["log aspect ratio", logRatio], ["relative top", top], ["relative left", left]] as const) {
        expectSameMean(ours.map(f), theirs.map(f), what);
        expectSameDistribution(ours.map(f), theirs.map(f), what);
      }
      // Every box fits in the image and respects the ratio bounds unless it is the fallback.
      for (const [t, l, h, w] of ours) {
        expect(t >= 0 && l >= 0 && t + h <= H && l + w <= W && h > 0 && w > 0).toBe(true);
      }
      // Fallbacks (the full-height or full-width centered box) happen as often as in torchvision.
      const fallback = (b: number[]) => (b[2] === H || b[3] === W ? 1 : 0);
      expectSameMean(ours.map(fallback), theirs.map(fallback), "full-height or full-width boxes");
    },
  );

  it("RandomResizedCrop's fallback box equals torchvision's when no try fits", () => {
    for (const i of [3, 4]) {
      const s = rrcStats[i]!;
      const rrc = new T.RandomResizedCrop(16, { scale: s.scale, ratio: s.ratio });
      const rng = transforms.mulberry32(i);
      const ours = Array.from({ length: s.n }, () => rrc.params(s.height, s.width, rng));
      expect(ours).toEqual(ref.rrc[i]);
    }
  });

  it("RandomCrop offsets are uniform over every position, as torchvision's", () => {
    cropStats.forEach((s, i) => {
      const [th, tw] = s.size;
      // Our RandomCrop on a coordinate image already padded to (height, width): offsets read back.
      const rc = new T.RandomCrop(s.size);
      const rng = transforms.mulberry32(99 + i);
      const img = coordImage(s.width, s.height);
      const ours = Array.from({ length: s.n }, () => offsetOf(rc.apply(img, rng) as Image, 0, 0));
      const theirs = ref.random_crop[i]!.map((b) => [b[0]!, b[1]!]);
      expect(ref.random_crop[i]!.every((b) => b[2] === th && b[3] === tw)).toBe(true);
      for (const axis of [0, 1]) {
        const positions = (axis === 0 ? s.height - th : s.width - tw) + 1;
        const counts = new Array<number>(positions).fill(0);
        for (const o of ours) counts[o[axis]!]!++;
        const theirCounts = new Array<number>(positions).fill(0);
        for (const o of theirs) theirCounts[o[axis]!]!++;
        // Same support as torchvision (every position reachable, nothing outside).
        expect(counts.map((c) => c > 0)).toEqual(theirCounts.map((c) => c > 0));
        expect(counts.reduce((a, b) => a + b, 0)).toBe(s.n);
        // Each position's count within 5 binomial standard deviations of uniform.
        const p = 1 / positions;
        const sd = Math.sqrt(s.n * p * (1 - p));
        for (const c of counts) expect(Math.abs(c - s.n * p)).toBeLessThanOrEqual(5 * sd);
        expectSameDistribution(ours.map((o) => o[axis]!), theirs.map((o) => o[axis]!), `RandomCrop offset axis ${axis}`);
      }
    });
  });

  it("RandomCrop with padding 4 reaches the padded corners uniformly", () => {
    const rc = new T.RandomCrop(20, { padding: 4 });
    const rng = transforms.mulberry32(5);
    const n = 2700;
    const counts = new Map<string, number>();
    for (let k = 0; k < n; k++) {
      const o = offsetOf(rc.apply(coordImage(20, 20), rng) as Image, 4, 4);
      counts.set(o.join(","), (counts.get(o.join(",")) ?? 0) + 1);
    }
    // 9 x 9 positions (0..8 on each axis), each equally likely.
    expect(counts.size).toBe(81);
    const p = 1 / 81;
    for (const c of counts.values()) expect(Math.abs(c - n * p)).toBeLessThanOrEqual(5 * Math.sqrt(n * p * (1 - p)));
  });

  it.each([0.5, 0.2, 0.9, 0, 1])("RandomHorizontalFlip(%s) flips at rate p", (p) => {
    const flip = new T.RandomHorizontalFlip(p);
    const img: Image = { width: 2, height: 1, channels: 1 as unknown as 3, data: new Uint8Array([1, 2]) };
    const rng = transforms.mulberry32(77);
    const n = 4000;
    let flips = 0;
    for (let k = 0; k < n; k++) flips += (flip.apply(img, rng) as Image).data[0] === 2 ? 1 : 0;
    expect(Math.abs(flips / n - p)).toBeLessThanOrEqual(4 * Math.sqrt((p * (1 - p)) / n));
  });
});

describe("determinism", () => {
  const augment = () => new T.Compose([new T.RandomResizedCrop(32), new T.RandomHorizontalFlip(), new T.ToTensor(), new T.Normalize([...IMAGENET[0]], [...IMAGENET[1]])]);
  it("the same seed gives the same augmented sample, a different seed another", () => {
    const img = decoded["photo.jpg"]!;
    const a = augment().apply(img, transforms.mulberry32(42)) as Chw;
    const b = augment().apply(img, transforms.mulberry32(42)) as Chw;
    expect(b.shape).toEqual(a.shape);
    expect(Buffer.from(b.data.buffer).equals(Buffer.from(a.data.buffer))).toBe(true);
    const others = [43, 44, 45].map((s) => augment().apply(img, transforms.mulberry32(s)) as Chw);
    for (const o of others) expect(Buffer.from(o.data.buffer).equals(Buffer.from(a.data.buffer))).toBe(false);
  });
  it("a pipeline rebuilt from its spec (what a worker does) augments identically", () => {
    const img = decoded["noise.png"]!;
    const t = new T.Compose([new T.RandomCrop(24, { padding: 2 }), new T.RandomHorizontalFlip(0.5), new T.Grayscale(3), new T.RandomResizedCrop([20, 16], { scale: [0.3, 0.9] }), new T.ToTensor()]);
    const rebuilt = transforms.fromSpec(JSON.parse(JSON.stringify(t.spec)));
    for (const seed of [1, 2, 3]) {
      const a = t.apply(img, transforms.mulberry32(seed)) as Chw;
      const b = rebuilt.apply(img, transforms.mulberry32(seed)) as Chw;
      expect(Array.from(b.data)).toEqual(Array.from(a.data));
    }
  });
  it("transforms do not modify their input", () => {
    const img = decoded["noise.png"]!;
    const before = Buffer.from(img.data);
    augment().apply(img, transforms.mulberry32(1));
    new T.Compose([new T.RandomCrop([53, 37], { padding: 4 }), new T.RandomHorizontalFlip(1), new T.CenterCrop(60), new T.Resize(10)]).apply(img, transforms.mulberry32(2));
    expect(Buffer.from(img.data).equals(before)).toBe(true);
  });
});

describe("argument validation", () => {
  const img = () => decoded["noise.png"]!;
  const tensor = () => new T.ToTensor().apply(img());
  const bad: [string, () => unknown, RegExp][] = [
    ["Resize(0)", () => new T.Resize(0), /transforms\.Resize: expected size to be a positive integer or \[height, width\], but received 0/],
    ["Resize(-3)", () => new T.Resize(-3), /transforms\.Resize.*received -3/],
    ["Resize(2.5)", () => new T.Resize(2.5), /transforms\.Resize.*received 2\.5/],
    ["Resize([3])", () => new T.Resize([3] as unknown as number), /transforms\.Resize.*received \[3\]/],
    ["Resize([3, 0])", () => new T.Resize([3, 0]), /transforms\.Resize.*received \[3, 0\]/],
    ["Resize(\"8\")", () => new T.Resize("8" as unknown as number), /transforms\.Resize.*received "8"/],
    ["CenterCrop([2, 3, 4])", () => new T.CenterCrop([2, 3, 4] as unknown as number), /transforms\.CenterCrop: expected size/],
    ["CenterCrop(null)", () => new T.CenterCrop(null as unknown as number), /transforms\.CenterCrop: expected size.*null/],
    ["RandomResizedCrop(0)", () => new T.RandomResizedCrop(0), /transforms\.RandomResizedCrop: expected size/],
    ["RandomResizedCrop scale of one number", () => new T.RandomResizedCrop(8, { scale: [0.5] as unknown as [number, number] }), /transforms\.RandomResizedCrop: expected scale to be a pair of positive numbers/],
    ["RandomResizedCrop scale as a string", () => new T.RandomResizedCrop(8, { scale: "0.5" as unknown as [number, number] }), /transforms\.RandomResizedCrop: expected scale to be a pair of positive numbers/],
    ["RandomResizedCrop negative ratio", () => new T.RandomResizedCrop(8, { ratio: [-1, 2] }), /transforms\.RandomResizedCrop: expected ratio to be a pair of positive numbers/],
    ["RandomCrop([0, 4])", () => new T.RandomCrop([0, 4]), /transforms\.RandomCrop: expected size/],
    ["RandomCrop padding -1", () => new T.RandomCrop(4, { padding: -1 }), /transforms\.RandomCrop: expected padding to be a non-negative integer/],
    ["RandomCrop padding 1.5", () => new T.RandomCrop(4, { padding: 1.5 }), /transforms\.RandomCrop: expected padding to be a non-negative integer/],
    ["RandomHorizontalFlip(\"0.5\")", () => new T.RandomHorizontalFlip("0.5" as unknown as number), /transforms\.RandomHorizontalFlip: expected p to be a number/],
    ["Grayscale(2)", () => new T.Grayscale(2 as 1), /transforms\.Grayscale: expected numOutputChannels to be 1 or 3, but received 2/],
    ["Normalize lengths differ", () => new T.Normalize([0.5, 0.5], [0.5]), /transforms\.Normalize: mean and std/],
    ["Normalize std 0", () => new T.Normalize([0.5], [0]), /transforms\.Normalize: .*std nonzero/],
    ["Normalize not arrays", () => new T.Normalize(0.5 as unknown as number[], 0.5 as unknown as number[]), /transforms\.Normalize: mean and std must be arrays/],
    ["Compose of a non-transform", () => new T.Compose([new T.ToTensor(), {} as Transform]), /transforms\.Compose: expected transforms to be an array of transforms/],
    ["Compose of a non-array", () => new T.Compose(new T.ToTensor() as unknown as Transform[]), /transforms\.Compose: expected transforms/],
    ["ToTensor twice", () => new T.Compose([new T.ToTensor(), new T.ToTensor()]).apply(img(), transforms.mulberry32(0)), /transforms\.ToTensor: expected an image \(put it before ToTensor\)/],
    ["Resize after ToTensor", () => new T.Resize(4).apply(tensor()), /transforms\.Resize: expected an image/],
    ["Normalize before ToTensor", () => new T.Normalize([0.5], [0.5]).apply(img()), /transforms\.Normalize: expected a tensor \(put it after ToTensor\)/],
    ["Normalize with 2 means on 3 channels", () => new T.Normalize([0.5, 0.5], [1, 1]).apply(tensor()), /transforms\.Normalize: 2 means for a 3-channel tensor/],
    ["RandomCrop larger than the image", () => new T.RandomCrop([54, 10]).apply(img(), transforms.mulberry32(0)), /transforms\.RandomCrop: required crop size \[54, 10\] is larger than input image size \[53, 37\]/],
    ["fromSpec of an unknown transform", () => transforms.fromSpec({ name: "ColorJitter", args: [] }), /transforms: "ColorJitter" cannot be rebuilt in a worker thread/],
  ];
  it.each(bad.map(([name], i) => [name, i] as const))("%s throws", (_name, i) => {
    const [, fn, re] = bad[i]!;
    expect(fn).toThrow(re);
  });
});
