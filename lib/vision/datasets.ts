// torchvision.datasets: FashionMNIST / MNIST from IDX .gz files and ImageFolder decoded with
// sharp. Datasets are described by a `spec` so DataLoader workers can rebuild them.
import { existsSync, readdirSync, readFileSync, statSync, type Dirent } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { native } from "../binding.js";
import { buildFromSpec, registerDatasetKind, type DatasetSpec, type PipelineDataset } from "../data/pipeline.js";
import type { Rng } from "../data/rng.js";
import { argError, checkBool, checkOptions } from "../validate.js";
import type { Image } from "./image.js";
import { fromSpec, type Sample, type Transform, type TransformSpec } from "./transforms.js";

/**
 * A map-style dataset of the image pipeline whose items may need async decoding (the protocol
 * lives in lib/data; this name stays for existing imports).
 */
export type Dataset<T = Sample> = PipelineDataset<T>;
export type { DatasetSpec };

export const FASHION_MNIST_ROOT = "/usr/share/datasets/fashion-mnist";

function readIdx(file: string, expectedMagic: number): { dims: number[]; data: Uint8Array } {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  const buf = file.endsWith(".gz") ? gunzipSync(raw) : raw;
  const magic = buf.readUInt32BE(0);
  if (magic !== expectedMagic) throw new Error(`${file}: not an IDX file of the expected type (magic 0x${magic.toString(16)})`);
  const ndim = magic & 0xff;
  const dims = Array.from({ length: ndim }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  const offset = 4 + 4 * ndim;
  const count = dims.reduce((a, b) => a * b, 1);
  if (buf.length - offset !== count) throw new Error(`${file}: header declares ${count} bytes of data but the file holds ${buf.length - offset}`);
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + offset, count) };
}

/** A transform option: a transforms.* object (with apply), or null/undefined for none. */
function transformOption(fn: string, value: unknown): Transform | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "object" || typeof (value as Transform).apply !== "function") {
    throw argError(fn, "transform", "a transform (transforms.Compose, transforms.ToTensor, …) or null", value);
  }
  return value as Transform;
}

export interface MnistOptions {
  train?: boolean;
  transform?: Transform | null;
}

/** Python: `torchvision.datasets.MNIST(root, train=True, transform=None)` on local IDX files (never downloads). */
export class MNIST implements Dataset {
  static readonly classes: readonly string[] = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"];
  static readonly defaultRoot: string = "/usr/share/datasets/mnist";
  readonly root: string;
  readonly train: boolean;
  readonly transform: Transform | null;
  readonly images: Uint8Array;
  readonly targets: Uint8Array;
  readonly height: number;
  readonly width: number;
  readonly spec: DatasetSpec;

  constructor(root?: string, options?: MnistOptions) {
    const o = checkOptions(new.target.name, options, ["train", "transform"]);
    const ctor = new.target as unknown as typeof MNIST;
    if (root !== undefined && typeof root !== "string") throw argError(new.target.name, "root", "a directory path", root);
    this.root = root ?? ctor.defaultRoot;
    this.train = o.train === undefined ? true : checkBool(new.target.name, "train", o.train);
    this.transform = transformOption(new.target.name, o.transform);
    const prefix = this.train ? "train" : "t10k";
    const find = (name: string) => [name, `${name}.gz`].map((f) => path.join(this.root, f)).find((f) => existsSync(f));
    const imagesFile = find(`${prefix}-images-idx3-ubyte`);
    const labelsFile = find(`${prefix}-labels-idx1-ubyte`);
    if (imagesFile === undefined || labelsFile === undefined) {
      const hint = ctor === FashionMNIST ? " (on Debian: apt-get install dataset-fashion-mnist, or run scripts/setup.sh)" : "";
      throw new Error(`${new.target.name}: no ${prefix}-images-idx3-ubyte[.gz] / ${prefix}-labels-idx1-ubyte[.gz] in ${this.root}${hint}`);
    }
    const images = readIdx(imagesFile, 0x803);
    const labels = readIdx(labelsFile, 0x801);
    if (images.dims[0] !== labels.dims[0]) throw new Error(`${new.target.name}: ${images.dims[0]} images but ${labels.dims[0]} labels in ${this.root}`);
    [, this.height, this.width] = images.dims as [number, number, number];
    this.images = images.data;
    this.targets = labels.data;
    this.spec = { kind: new.target.name, args: [this.root, { train: this.train, transform: this.transform?.spec ?? null }] };
  }

  get classes(): readonly string[] {
    return (this.constructor as typeof MNIST).classes;
  }

  get length(): number {
    return this.targets.length;
  }

  /** The raw 28x28 grayscale image (what PIL gives torchvision) and its label. */
  image(index: number): Image {
    const n = this.height * this.width;
    return { data: this.images.subarray(index * n, (index + 1) * n), width: this.width, height: this.height, channels: 1 };
  }

  getItem(index: number, rng: Rng): [Sample, number] {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.length) throw new RangeError(`${this.constructor.name}: index ${index} out of range [0, ${this.length})`);
    const img = this.image(index);
    return [this.transform ? this.transform.apply(img, rng) : img, this.targets[index]!];
  }
}

/** Python: `torchvision.datasets.FashionMNIST` (default root: Debian's dataset-fashion-mnist). */
export class FashionMNIST extends MNIST {
  static override readonly classes: readonly string[] = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
  static override readonly defaultRoot: string = FASHION_MNIST_ROOT;
}

/** torchvision's IMG_EXTENSIONS, less the formats sharp cannot decode here. */
export const IMG_EXTENSIONS = [".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"];

export interface ImageFolderOptions {
  transform?: Transform | null;
  extensions?: string[];
  /** Skip (with a warning) images that fail to decode instead of throwing. */
  skipBadImages?: boolean;
}

type Sharp = (typeof import("sharp"))["default"];
let sharpModule: Sharp | undefined;
/** sharp is loaded on first use: only image files need it. */
async function loadSharp(): Promise<Sharp> {
  sharpModule ??= (await import("sharp")).default;
  return sharpModule;
}

/** Decodes an image file to RGB pixels, as PIL's Image.open(path).convert("RGB"). */
export async function decodeImage(file: string): Promise<Image> {
  // Read synchronously: a thread-pool round trip costs more than reading a small image, and
  // decoding runs in DataLoader workers, off the main thread.
  const bytes = readFileSync(file);
  // JPEG (by content): libjpeg-turbo through the addon, PIL's own decoder and settings, at a
  // fraction of sharp's per-image cost; sharp for the rest and for JPEGs the addon declines.
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    const decoded = native.decodeJpeg(bytes);
    if (decoded !== null) return { ...decoded, channels: 3 };
  }
  const sharp = await loadSharp();
  const { data, info } = await sharp(bytes, { failOn: "error" }).removeAlpha().toColourspace("srgb").raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
}

/**
 * Python: `torchvision.datasets.ImageFolder(root, transform=None)`: classes are the sorted
 * subfolder names, samples every file with an image extension below them (sorted walk).
 */
export class ImageFolder implements Dataset {
  readonly root: string;
  readonly classes: string[];
  readonly classToIdx: Map<string, number>;
  readonly samples: [file: string, label: number][];
  readonly transform: Transform | null;
  readonly skipBadImages: boolean;
  readonly spec: DatasetSpec;
  readonly #warned = new Set<string>();

  constructor(root: string, options?: ImageFolderOptions) {
    const o = checkOptions("ImageFolder", options, ["transform", "extensions", "skipBadImages"]);
    if (typeof root !== "string" || !existsSync(root) || !statSync(root).isDirectory()) {
      throw new Error(`ImageFolder: ${JSON.stringify(root)} is not a directory`);
    }
    this.root = root;
    this.transform = transformOption("ImageFolder", o.transform);
    this.skipBadImages = o.skipBadImages === undefined ? false : checkBool("ImageFolder", "skipBadImages", o.skipBadImages);
    if (o.extensions !== undefined && !(Array.isArray(o.extensions) && o.extensions.every((e) => typeof e === "string"))) {
      throw argError("ImageFolder", "extensions", "an array of file extensions", o.extensions);
    }
    const extensions = ((o.extensions as string[] | undefined) ?? IMG_EXTENSIONS).map((e) => e.toLowerCase());
    this.classes = readdirSync(root, { withFileTypes: true }).filter((d) => isDir(root, d)).map((d) => d.name).sort(byCodePoint);
    if (this.classes.length === 0) throw new Error(`ImageFolder: couldn't find any class folder in ${root}`);
    this.classToIdx = new Map(this.classes.map((c, i) => [c, i]));
    this.samples = [];
    for (const c of this.classes) {
      for (const file of walk(path.join(root, c))) {
        if (extensions.some((e) => file.toLowerCase().endsWith(e))) this.samples.push([file, this.classToIdx.get(c)!]);
      }
    }
    // As torchvision's make_dataset: every class needs at least one image.
    const found = new Set(this.samples.map(([, y]) => y));
    const empty = this.classes.filter((_, k) => !found.has(k));
    if (empty.length > 0) throw new Error(`ImageFolder: found no valid file for the classes ${empty.join(", ")} in ${root} (supported extensions: ${extensions.join(", ")})`);
    this.spec = { kind: "ImageFolder", args: [root, { transform: this.transform?.spec ?? null, extensions, skipBadImages: this.skipBadImages }] };
  }

  get length(): number {
    return this.samples.length;
  }

  /** Python: `dataset.targets`. */
  get targets(): number[] {
    return this.samples.map(([, y]) => y);
  }

  async getItem(index: number, rng: Rng): Promise<[Sample, number] | null> {
    const entry = this.samples[index];
    if (entry === undefined) throw new RangeError(`ImageFolder: index ${index} out of range [0, ${this.length})`);
    const [file, label] = entry;
    let img: Image;
    try {
      img = await decodeImage(file);
    } catch (err) {
      const msg = `ImageFolder: cannot decode ${file}: ${(err as Error).message.split("\n")[0]}`;
      if (!this.skipBadImages) throw new Error(msg);
      if (!this.#warned.has(file)) {
        this.#warned.add(file);
        process.emitWarning(`${msg} (skipped)`);
      }
      return null;
    }
    return [this.transform ? this.transform.apply(img, rng) : img, label];
  }
}

/** Python's sorted() on str: by code point (not locale). */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Python's DirEntry.is_dir(): follows a symbolic link; false for a dangling one. */
function isDir(parent: string, e: Dirent): boolean {
  if (e.isDirectory()) return true;
  if (!e.isSymbolicLink()) return false;
  try {
    return statSync(path.join(parent, e.name)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * `sorted(os.walk(top, followlinks=True))` as torchvision's make_dataset walks it: every
 * folder ordered by its full path string, each folder's files sorted by name.
 */
function walk(top: string): string[] {
  const folders: [string, string[]][] = [];
  const seen = new Set<string>();
  const visit = (d: string) => {
    const real = statSync(d).ino + ":" + statSync(d).dev;
    if (seen.has(real)) return; // a symlink cycle
    seen.add(real);
    const entries = readdirSync(d, { withFileTypes: true });
    // os.walk: what is not a directory (after following links) is a file, a dangling link included.
    folders.push([d, entries.filter((e) => !isDir(d, e)).map((e) => e.name).sort(byCodePoint)]);
    for (const e of entries) if (isDir(d, e)) visit(path.join(d, e.name));
  };
  visit(top);
  folders.sort(([a], [b]) => byCodePoint(a, b));
  return folders.flatMap(([d, files]) => files.map((f) => path.join(d, f)));
}

/** Rebuilds a dataset from its spec (in a DataLoader worker). */
export function datasetFromSpec(spec: DatasetSpec): Dataset {
  return buildFromSpec(spec) as Dataset;
}

function transformArg(opts: Record<string, unknown>): Transform | null {
  return opts.transform ? fromSpec(opts.transform as TransformSpec) : null;
}

// DataLoader workers import this module (by its URL) and rebuild these kinds.
registerDatasetKind("MNIST", import.meta.url, ([root, opts]) => new MNIST(root as string, { ...(opts as object), transform: transformArg(opts as Record<string, unknown>) }));
registerDatasetKind("FashionMNIST", import.meta.url, ([root, opts]) => new FashionMNIST(root as string, { ...(opts as object), transform: transformArg(opts as Record<string, unknown>) }));
registerDatasetKind("ImageFolder", import.meta.url, ([root, opts]) => new ImageFolder(root as string, { ...(opts as object), transform: transformArg(opts as Record<string, unknown>) } as ImageFolderOptions));
