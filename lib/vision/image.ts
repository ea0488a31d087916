// Decoded images as plain pixels (HWC uint8) and the pixel operations transforms need,
// implemented as PIL implements them (torchvision's transforms run on PIL images), so
// results match torchvision's to within rounding. Pure JS: runs in worker threads.

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

// ---- resampling, as PIL's ImagingResample with the bilinear (triangle) filter ----
const PRECISION_BITS = 32 - 8 - 2;

/**
 * Per output pixel: the first input index, the count, and fixed-point weights. Downscaling
 * widens the filter by the scale factor (antialiasing), as PIL does.
 */
function coefficients(inSize: number, outSize: number): { bounds: Int32Array; weights: Int32Array; ksize: number } {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale; // bilinear support is 1
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let x = 0; x < outSize; x++) {
    const center = (x + 0.5) * scale;
    const ss = 1 / filterScale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let total = 0;
    for (let j = 0; j < xmax; j++) {
      const t = Math.abs((j + xmin - center + 0.5) * ss);
      const w = t < 1 ? 1 - t : 0;
      k[j] = w;
      total += w;
    }
    for (let j = 0; j < xmax; j++) {
      const w = total !== 0 ? k[j]! / total : 0;
      // PIL rounds half away from zero into fixed point.
      weights[x * ksize + j] = Math.trunc(w < 0 ? w * (1 << PRECISION_BITS) - 0.5 : w * (1 << PRECISION_BITS) + 0.5);
    }
    bounds[2 * x] = xmin;
    bounds[2 * x + 1] = xmax;
  }
  return { bounds, weights, ksize };
}

function clip8(v: number): number {
  const r = v >> PRECISION_BITS;
  return r < 0 ? 0 : r > 255 ? 255 : r;
}

/** Bilinear resize with PIL's antialiasing and rounding (horizontal pass, then vertical). */
export function resize(img: Image, outH: number, outW: number): Image {
  const { width: inW, height: inH, channels: c } = img;
  if (inW === outW && inH === outH) return img;
  const half = 1 << (PRECISION_BITS - 1);
  let src = img.data;
  let w = inW;
  if (outW !== inW) {
    const { bounds, weights, ksize } = coefficients(inW, outW);
    const out = new Uint8Array(outW * inH * c);
    for (let y = 0; y < inH; y++) {
      for (let x = 0; x < outW; x++) {
        const xmin = bounds[2 * x]!;
        const n = bounds[2 * x + 1]!;
        for (let ch = 0; ch < c; ch++) {
          let ss = half;
          for (let j = 0; j < n; j++) ss += src[(y * inW + xmin + j) * c + ch]! * weights[x * ksize + j]!;
          out[(y * outW + x) * c + ch] = clip8(ss);
        }
      }
    }
    src = out;
    w = outW;
  }
  if (outH !== inH) {
    const { bounds, weights, ksize } = coefficients(inH, outH);
    const out = new Uint8Array(outW * outH * c);
    for (let y = 0; y < outH; y++) {
      const ymin = bounds[2 * y]!;
      const n = bounds[2 * y + 1]!;
      for (let x = 0; x < w; x++) {
        for (let ch = 0; ch < c; ch++) {
          let ss = half;
          for (let j = 0; j < n; j++) ss += src[((ymin + j) * w + x) * c + ch]! * weights[y * ksize + j]!;
          out[(y * w + x) * c + ch] = clip8(ss);
        }
      }
    }
    src = out;
  }
  return { data: src, width: outW, height: outH, channels: c };
}

/** ToTensor: HWC uint8 → CHW float32 in [0, 1]. */
export function toChw(img: Image): Chw {
  const { width, height, channels: c } = img;
  const plane = width * height;
  const out = new Float32Array(plane * c);
  for (let i = 0; i < plane; i++) for (let k = 0; k < c; k++) out[k * plane + i] = img.data[i * c + k]! / 255;
  return { data: out, shape: [c, height, width] };
}
