// Decoded images as plain pixels (HWC uint8) and the pixel operations transforms need,
// implemented as PIL implements them (torchvision's transforms run on PIL images), so
// results match torchvision's to within rounding. Runs in worker threads (the addon loads
// in each; resampling is native).
import { native } from "../binding.js";

/** A decoded image: `height * width * channels` bytes, row-major, channels interleaved. */
export interface Image {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
}

/** A float image after ToTensor: CHW float32, as torch.Tensor's layout. */
export interface Chw {
  readonly data: Float32Array;
  readonly shape: [channels: number, height: number, width: number];
}

/** Crops [top, top+h) x [left, left+w); areas outside the image are zero (as torchvision's F.crop pads). */
export function crop(img: Image, top: number, left: number, h: number, w: number): Image {
  const { width, height, channels: c } = img;
  const out = new Uint8Array(h * w * c);
  for (let y = 0; y < h; y++) {
    const sy = top + y;
    if (sy < 0 || sy >= height) continue;
    const x0 = Math.max(0, -left);
    const x1 = Math.min(w, width - left);
    if (x1 <= x0) continue;
    out.set(img.data.subarray((sy * width + left + x0) * c, (sy * width + left + x1) * c), (y * w + x0) * c);
  }
  return { data: out, width: w, height: h, channels: c };
}

/** Mirrors left-right. */
export function hflip(img: Image): Image {
  const { width, height, channels: c } = img;
  const out = new Uint8Array(img.data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * c;
      const d = (y * width + (width - 1 - x)) * c;
      for (let k = 0; k < c; k++) out[d + k] = img.data[s + k]!;
    }
  }
  return { data: out, width, height, channels: c };
}

/** Pads every side with a constant (RandomCrop's padding). */
export function pad(img: Image, left: number, top: number, right: number, bottom: number, fill = 0): Image {
  const w = img.width + left + right;
  const h = img.height + top + bottom;
  const c = img.channels;
  const out = new Uint8Array(w * h * c).fill(fill);
  for (let y = 0; y < img.height; y++) {
    out.set(img.data.subarray(y * img.width * c, (y + 1) * img.width * c), ((y + top) * w + left) * c);
  }
  return { data: out, width: w, height: h, channels: c };
}

/** RGB to luminance as PIL's convert("L"): ITU-R 601-2 weights in 16-bit fixed point. */
export function toGray(img: Image): Image {
  if (img.channels === 1) return img;
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++) out[i] = (d[3 * i]! * 19595 + d[3 * i + 1]! * 38470 + d[3 * i + 2]! * 7471 + 0x8000) >>> 16;
  return { data: out, width: img.width, height: img.height, channels: 1 };
}

/** Gray to RGB by repeating the channel (PIL's convert("RGB") of an "L" image). */
export function toRgb(img: Image): Image {
  if (img.channels === 3) return img;
  const n = img.width * img.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = img.data[i]!;
  return { data: out, width: img.width, height: img.height, channels: 3 };
}

// ---- resampling: PIL's ImagingResample with the bilinear filter, in native/image.cc ----

/**
 * The box [top, top+h) x [left, left+w) of `img` (inside the image), resized to outH x outW
 * as PIL resizes: what torchvision's resized_crop does, without copying the crop first.
 */
export function resizedCrop(img: Image, top: number, left: number, h: number, w: number, outH: number, outW: number): Image {
  if (top === 0 && left === 0 && h === img.height && w === img.width && outH === h && outW === w) return img;
  const data = native.resizedCrop(img.data, img.height, img.width, img.channels, top, left, h, w, outH, outW);
  return { data, width: outW, height: outH, channels: img.channels };
}

/** Bilinear resize with PIL's antialiasing and rounding (horizontal pass, then vertical). */
export function resize(img: Image, outH: number, outW: number): Image {
  return resizedCrop(img, 0, 0, img.height, img.width, outH, outW);
}

/** ToTensor: HWC uint8 → CHW float32 in [0, 1]. */
export function toChw(img: Image): Chw {
  return toChwMapped(img, () => TO_UNIT);
}

/**
 * ToTensor then Normalize in one pass, bit-identical to the two steps: a uint8 pixel has only
 * 256 values, so each channel's float32 ((v / 255) - mean) / std is a 256-entry table.
 */
export function toChwNormalized(img: Image, mean: number[], std: number[]): Chw {
  const tables = Array.from({ length: img.channels }, (_, k) => {
    const m = Math.fround(mean[mean.length === 1 ? 0 : k]!);
    const s = Math.fround(std[std.length === 1 ? 0 : k]!);
    return Float32Array.from(TO_UNIT, (x) => Math.fround(x - m) / s);
  });
  return toChwMapped(img, (k) => tables[k]!);
}

// v / 255 in float32, as torch's img.float().div(255).
const TO_UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

function toChwMapped(img: Image, table: (channel: number) => Float32Array): Chw {
  const { width, height, channels: c, data } = img;
  const plane = width * height;
  const out = new Float32Array(plane * c);
  for (let k = 0; k < c; k++) {
    const lut = table(k);
    for (let i = 0, j = k, o = k * plane; i < plane; i++, j += c, o++) out[o] = lut[data[j]!]!;
  }
  return { data: out, shape: [c, height, width] };
}
