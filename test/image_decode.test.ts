// JPEG decoding for the data pipeline (native/image.cc: the system libjpeg-turbo, PIL's own
// decoder and settings): pixels equal PIL's exactly; a truncated file is an error as in PIL;
// colour spaces PIL converts its own way (CMYK) go to sharp; damaged and oversized files are
// refused with an error, never a crash.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp, { type Sharp } from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { native } from "../lib/binding.js";
import { decodeImage } from "../lib/vision/datasets.js";
import { runReference } from "./reference/python.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "torch-ts-jpeg-"));
const file = (name: string) => path.join(dir, name);
interface Ref { width?: number; height?: number; mode?: string; pixels?: number[]; error?: string }
let ref: Record<string, Ref>;

function pattern(w: number, h: number, c: number): Buffer {
  const b = Buffer.alloc(w * h * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) b[(y * w + x) * c + k] = (x * 7 + y * 13 + k * 61 + ((x * y) % 17) * 5) & 255;
  return b;
}

const KINDS = {
  "baseline420.jpg": (s: Sharp) => s.jpeg({ quality: 75 }),
  "baseline444.jpg": (s: Sharp) => s.jpeg({ quality: 92, chromaSubsampling: "4:4:4" }),
  "progressive.jpg": (s: Sharp) => s.jpeg({ quality: 60, progressive: true }),
  "restart.jpg": (s: Sharp) => s.jpeg({ quality: 50, optimiseCoding: false }),
};

beforeAll(async () => {
  for (const [name, make] of Object.entries(KINDS)) await make(sharp(pattern(67, 45, 3), { raw: { width: 67, height: 45, channels: 3 } })).toFile(file(name));
  await sharp(pattern(40, 30, 1), { raw: { width: 40, height: 30, channels: 1 } }).toColourspace("b-w").jpeg({ quality: 90 }).toFile(file("gray.jpg"));
  await sharp(pattern(20, 16, 3), { raw: { width: 20, height: 16, channels: 3 } }).toColourspace("cmyk").jpeg().toFile(file("cmyk.jpg"));
  const whole = readFileSync(file("baseline420.jpg"));
  writeFileSync(file("truncated.jpg"), whole.subarray(0, Math.floor(whole.length * 0.6)));
  ref = runReference<Record<string, Ref>>("image_decode.py", { files: [...Object.keys(KINDS), "gray.jpg", "cmyk.jpg", "truncated.jpg"].map(file) });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("JPEG decoding", () => {
  it.each([...Object.keys(KINDS), "gray.jpg"])("%s: the addon decodes it, pixel for pixel as PIL", async (name) => {
    const want = ref[file(name)]!;
    expect(want.error).toBeUndefined();
    const direct = native.decodeJpeg(readFileSync(file(name)));
    expect(direct).not.toBeNull();
    const img = await decodeImage(file(name));
    expect([img.width, img.height, img.channels]).toEqual([want.width, want.height, 3]);
    let maxDiff = 0;
    img.data.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - want.pixels![i]!))));
    expect(maxDiff).toBe(0);
  });

  it("a truncated file is an error, as in PIL", async () => {
    expect(ref[file("truncated.jpg")]!.error).toMatch(/truncated/);
    await expect(decodeImage(file("truncated.jpg"))).rejects.toThrow(/truncated/);
  });

  it("CMYK is left to sharp (PIL converts CMYK its own way)", async () => {
    expect(ref[file("cmyk.jpg")]!.mode).toBe("CMYK");
    expect(native.decodeJpeg(readFileSync(file("cmyk.jpg")))).toBeNull();
    const img = await decodeImage(file("cmyk.jpg"));
    expect([img.width, img.height, img.channels]).toEqual([20, 16, 3]);
  });

  it("an oversized declared image is refused before any allocation", () => {
    const bytes = Buffer.from(readFileSync(file("baseline444.jpg")));
    // SOF0 (FF C0): length(2) precision(1) height(2) width(2).
    const sof = bytes.indexOf(Buffer.from([0xff, 0xc0]));
    bytes.writeUInt16BE(65000, sof + 5);
    bytes.writeUInt16BE(65000, sof + 7);
    expect(() => native.decodeJpeg(bytes)).toThrow(/over the limit/);
  });

  it("seeded damage: 1 500 mutated files decode or throw a TorchError; the decoder stays usable", () => {
    const sources = Object.keys(KINDS).map((n) => readFileSync(file(n)));
    const rand = torch.vision.transforms.mulberry32(0x1ee7);
    const int = (n: number) => Math.floor(rand() * n);
    let decoded = 0;
    let refused = 0;
    for (let i = 0; i < 1500; i++) {
      const b = Buffer.from(sources[int(sources.length)]!);
      for (let k = 1 + int(4); k > 0; k--) {
        const at = 2 + int(b.length - 2); // keep the FF D8 signature: the addon is what is tested
        if (int(3) === 0) b[at] = 0xff;
        else b[at] = int(256);
      }
      try {
        native.decodeJpeg(i % 7 === 0 ? b.subarray(0, int(b.length)) : b);
        decoded++;
      } catch (err) {
        expect(err).toBeInstanceOf(torch.TorchError);
        expect((err as Error).message).toMatch(/^JPEG decode failed: /);
        refused++;
      }
    }
    console.log(`mutated JPEGs: ${decoded} decoded, ${refused} refused`);
    expect(refused).toBeGreaterThan(0);
    expect(native.decodeJpeg(sources[0]!)).not.toBeNull();
  });
});
