// torch.vision.ImageFolder / FashionMNIST against torchvision's datasets on the same files, and
// torch.data.DataLoader: batching, shuffling, determinism regardless of worker threads, early
// exit and shutdown. Debian's python3 (test/reference/datasets.py) is the oracle.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { ReferenceSession } from "./reference/session.js";

const { transforms: T, ImageFolder, FashionMNIST } = torch.vision;
const { DataLoader, Subset } = torch.data;
type Image = torch.vision.Image;
type Chw = torch.vision.Chw;
type Dataset = torch.data.Dataset;

interface Encoded { kind: "image" | "tensor"; shape: number[]; data: string }
interface FolderRef {
  error_type?: string;
  error?: string;
  classes: string[];
  class_to_idx: Record<string, number>;
  samples: [string, number][];
  targets: number[];
  items: ({ image: Encoded; target: number } | { error_type: string; error: string })[];
}

const b64 = (s: string) => Buffer.from(s, "base64");
const floats = (b: Buffer) => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
function expectImage(ours: Image | Chw, ref: Encoded): void {
  expect(ref.kind).toBe("image");
  const img = ours as Image;
  expect([img.height, img.width, img.channels]).toEqual(ref.shape);
  expect(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length).equals(b64(ref.data))).toBe(true);
}
function expectTensor(ours: Image | Chw, ref: Encoded): void {
  expect(ref.kind).toBe("tensor");
  const t = ours as Chw;
  expect(t.shape).toEqual(ref.shape);
  expect(Array.from(t.data)).toEqual(Array.from(floats(b64(ref.data))));
}

// ---- generated image trees ----
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 16) & 255;
  };
}
const rnd = lcg(2024);
function rgb(width: number, height: number, smooth: boolean): ReturnType<typeof sharp> {
  const b = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) b[(y * width + x) * 3 + c] = smooth ? (128 + 100 * Math.sin((x * (c + 1)) / 7 + y / 5) + (rnd() % 16)) & 255 : rnd();
    }
  }
  return sharp(b, { raw: { width, height, channels: 3 } });
}
async function write(file: string, kind: "png" | "jpeg" | "webp" | "tiff" | "gif" | "gray" | "garbage", w = 24, h = 20): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (kind === "garbage") return fs.writeFileSync(file, "this is not an image\n");
  if (kind === "gray") return void (await rgb(w, h, true).toColourspace("b-w").png().toFile(file));
  const img = rgb(w, h, kind === "jpeg");
  await (kind === "png" ? img.png() : kind === "jpeg" ? img.jpeg({ quality: 80 }) : kind === "webp" ? img.webp({ lossless: true }) : kind === "tiff" ? img.tiff() : img.gif()).toFile(file);
}

let tmp = "";
let tree = ""; // the main tree: nested folders, cases, a corrupt file
let clean = ""; // a tree of valid images of varied sizes, for the loaders
let py: ReferenceSession;

async function makeTree(root: string): Promise<void> {
  const f = (p: string) => path.join(root, p);
  await write(f("cat/a.png"), "png", 24, 20);
  await write(f("cat/b.jpg"), "jpeg", 40, 30);
  await write(f("cat/C.PNG"), "png", 17, 23);
  await write(f("cat/d.JPEG"), "jpeg", 33, 18);
  await write(f("cat/.hidden.png"), "png", 8, 8);
  fs.writeFileSync(f("cat/notes.txt"), "not an image\n");
  await write(f("cat/broken.png"), "garbage");
  await write(f("cat/sub/e.png"), "png", 12, 30);
  await write(f("cat/sub-x/f.jpg"), "jpeg", 31, 29);
  await write(f("cat/sub/deeper/g.png"), "png", 9, 5);
  await write(f("cat/sub/anim.gif"), "gif"); // gif is not in IMG_EXTENSIONS
  await write(f("Dog/h.jpg"), "jpeg", 26, 26);
  await write(f("Dog/i.Jpg"), "jpeg", 20, 25);
  await write(f("Dog/gray.png"), "gray", 19, 21);
  fs.symlinkSync("../cat/a.png", f("Dog/link.png"));
  await write(f("bird_2/j.webp"), "webp", 22, 16);
  await write(f("bird_2/k.tif"), "tiff", 15, 15);
  await write(f("bird_2/Z.tiff"), "tiff", 10, 14);
  await write(f("zebra/deep/deeper/deepest/m.png"), "png", 30, 10);
  await write(f(".cache/n.png"), "png", 6, 7); // a hidden folder is a class too
  fs.writeFileSync(f("readme.txt"), "files beside the class folders are ignored\n");
  await write(f("stray.png"), "png");
}

async function makeClean(root: string): Promise<void> {
  const classes = ["alpha", "beta", "gamma"];
  for (let i = 0; i < 44; i++) {
    const cls = classes[i % 3]!;
    await write(path.join(root, cls, i % 4 === 0 ? "nested" : "", `img${String(i).padStart(2, "0")}.${i % 2 ? "png" : "jpg"}`), i % 2 ? "png" : "jpeg", 28 + ((i * 7) % 30), 24 + ((i * 11) % 26));
  }
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "torch-ts-datasets-"));
  tree = path.join(tmp, "tree");
  clean = path.join(tmp, "clean");
  await makeTree(tree);
  await makeClean(clean);
  py = new ReferenceSession("datasets.py");
});

afterAll(() => {
  py?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("ImageFolder equals torchvision.datasets.ImageFolder on the same tree", () => {
  let ref: FolderRef;
  let ds: InstanceType<typeof ImageFolder>;
  beforeAll(async () => {
    ref = (await py.request<{ result: FolderRef }>({ cmd: "imagefolder", root: tree })).result;
    ds = new ImageFolder(tree);
  });

  it("classes and classToIdx", () => {
    expect(ref.error).toBeUndefined();
    expect(ds.classes).toEqual(ref.classes);
    expect(Object.fromEntries(ds.classToIdx)).toEqual(ref.class_to_idx);
  });

  it("samples: the same files in the same order with the same targets", () => {
    expect(ds.samples.map(([p, y]) => [path.relative(tree, p), y])).toEqual(ref.samples);
    expect(ds.targets).toEqual(ref.targets);
    expect(ds.length).toBe(ref.samples.length);
  });

  it("the tree exercises nesting, case, symlinks, hidden entries and non-images", () => {
    const rel = ref.samples.map(([p]) => p);
    for (const p of ["cat/C.PNG", "cat/d.JPEG", "Dog/i.Jpg", "Dog/link.png", "cat/.hidden.png", "zebra/deep/deeper/deepest/m.png", "cat/broken.png"]) expect(rel).toContain(p);
    for (const p of ["cat/notes.txt", "cat/sub/anim.gif", "stray.png"]) expect(rel).not.toContain(p);
    // "sub" < "sub-x" < "sub/deeper": folders are ordered by their whole path string.
    expect(rel.indexOf("cat/sub/e.png")).toBeLessThan(rel.indexOf("cat/sub-x/f.jpg"));
    expect(rel.indexOf("cat/sub-x/f.jpg")).toBeLessThan(rel.indexOf("cat/sub/deeper/g.png"));
  });

  it("every readable sample decodes to torchvision's pixels with its target", async () => {
    const rng = T.mulberry32(0);
    let compared = 0;
    for (let i = 0; i < ds.length; i++) {
      const want = ref.items[i]!;
      if ("error" in want) continue;
      const item = await ds.getItem(i, rng);
      expect(item).not.toBeNull();
      expectImage(item![0], want.image);
      expect(item![1]).toBe(want.target);
      compared++;
    }
    expect(compared).toBe(ds.length - 1);
  });

  it("a corrupt image throws an error naming the file (torchvision fails on it too)", async () => {
    const i = ref.samples.findIndex(([p]) => p === "cat/broken.png");
    expect(ref.items[i]).toMatchObject({ error_type: "UnidentifiedImageError" });
    await expect(ds.getItem(i, T.mulberry32(0))).rejects.toThrow(`ImageFolder: cannot decode ${path.join(tree, "cat", "broken.png")}`);
  });

  it("a transform is applied to the decoded image", async () => {
    const ds2 = new ImageFolder(tree, { transform: new T.Compose([new T.Resize([8, 6]), new T.ToTensor()]) });
    const item = await ds2.getItem(0, T.mulberry32(0));
    expect((item![0] as Chw).shape).toEqual([3, 8, 6]);
    expect(item![1]).toBe(ref.targets[0]);
  });
});

describe("ImageFolder edge trees fail or succeed as torchvision's", () => {
  it("a class folder without any image is an error naming the class", async () => {
    const root = path.join(tmp, "empty_class");
    await write(path.join(root, "a/x.png"), "png");
    fs.mkdirSync(path.join(root, "b"));
    fs.writeFileSync(path.join(root, "b/notes.txt"), "no images here\n");
    const ref = (await py.request<{ result: FolderRef }>({ cmd: "imagefolder", root })).result;
    expect(ref.error_type).toBe("FileNotFoundError");
    expect(ref.error).toMatch(/Found no valid file for the classes b\b/);
    expect(() => new ImageFolder(root)).toThrow(/ImageFolder: found no valid file for the classes b in .*empty_class \(supported extensions: \.jpg, \.jpeg, \.png/);
  });

  it("a root without class folders is an error", async () => {
    const root = path.join(tmp, "no_class");
    await write(path.join(root, "x.png"), "png");
    const ref = (await py.request<{ result: FolderRef }>({ cmd: "imagefolder", root })).result;
    expect(ref.error_type).toBe("FileNotFoundError");
    expect(() => new ImageFolder(root)).toThrow(/ImageFolder: couldn't find any class folder in .*no_class/);
    expect(() => new ImageFolder(path.join(tmp, "does-not-exist"))).toThrow(/ImageFolder: ".*does-not-exist" is not a directory/);
  });

  it("symlinked class folders are followed; a dangling symlink is listed and fails to load, naming the file", async () => {
    const root = path.join(tmp, "links");
    await write(path.join(root, "a/x.png"), "png");
    fs.symlinkSync(path.join(root, "a", "missing.png"), path.join(root, "a", "dangling.png"));
    await write(path.join(tmp, "elsewhere/y.jpg"), "jpeg");
    fs.symlinkSync(path.join(tmp, "elsewhere"), path.join(root, "linked"));
    const ref = (await py.request<{ result: FolderRef }>({ cmd: "imagefolder", root })).result;
    expect(ref.error).toBeUndefined();
    const ds = new ImageFolder(root);
    expect(ds.classes).toEqual(ref.classes);
    expect(ds.samples.map(([p, y]) => [path.relative(root, p), y])).toEqual(ref.samples);
    const i = ref.samples.findIndex(([p]) => p === "a/dangling.png");
    expect(i).toBeGreaterThanOrEqual(0);
    expect(ref.items[i]).toMatchObject({ error_type: "FileNotFoundError" });
    await expect(ds.getItem(i, T.mulberry32(0))).rejects.toThrow(`ImageFolder: cannot decode ${path.join(root, "a", "dangling.png")}`);
    const j = ref.samples.findIndex(([p]) => p === "linked/y.jpg");
    expectImage((await ds.getItem(j, T.mulberry32(0)))![0], (ref.items[j] as { image: Encoded }).image);
  });
});

describe("ImageFolder with a DataLoader: bad images", () => {
  const pipeline = () => new T.Compose([new T.RandomResizedCrop(16), new T.RandomHorizontalFlip(), new T.ToTensor()]);
  let ref: FolderRef;
  beforeAll(async () => {
    ref = (await py.request<{ result: FolderRef }>({ cmd: "imagefolder", root: tree })).result;
  });

  it("without skipBadImages the loader fails naming the file (main thread and workers)", async () => {
    for (const numWorkers of [0, 2]) {
      const loader = new DataLoader(new ImageFolder(tree, { transform: pipeline() }), { batchSize: 4, numWorkers });
      const before = torch.liveTensors();
      await expect(async () => {
        for await (const [x, y] of loader) {
          x.dispose();
          y.dispose();
        }
      }).rejects.toThrow(/ImageFolder: cannot decode .*cat\/broken\.png/);
      expect(torch.liveTensors()).toBe(before);
      await loader.close();
    }
  });

  it("with skipBadImages the loader skips it with one warning, and keeps every other sample", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    try {
      const good = ref.targets.filter((_, i) => ref.samples[i]![0] !== "cat/broken.png");
      for (const numWorkers of [0, 2]) {
        const loader = new DataLoader(new ImageFolder(tree, { transform: pipeline(), skipBadImages: true }), { batchSize: 4, numWorkers });
        for (let epoch = 0; epoch < 2; epoch++) {
          const labels: number[] = [];
          for await (const [x, y] of loader) {
            expect(x.shape.slice(1)).toEqual([3, 16, 16]);
            expect(x.shape[0]).toBe(y.shape[0]);
            labels.push(...Array.from(y.toTypedArray() as BigInt64Array, Number));
            x.dispose();
            y.dispose();
          }
          expect(labels).toEqual(good);
        }
        await loader.close();
      }
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      // Once per dataset for the main-thread loader (workers warn on their own stderr).
      expect(warnings.filter((m) => m.includes("broken.png"))).toHaveLength(1);
      expect(warnings[0]).toMatch(/ImageFolder: cannot decode .*cat\/broken\.png.*\(skipped\)/);
    } finally {
      process.off("warning", onWarning);
    }
  });
});

// ---- FashionMNIST ----
interface FashionSplit { length: number; classes: string[]; targets: string; images: Encoded[]; labels: number[]; mode: string; transformed: Encoded[] }
const NORMALIZE: [number[], number[]] = [[0.286], [0.353]];
const INDICES = { train: [0, 1, 2, 3, 4, 12345, 59999], test: [0, 1, 2, 9998, 9999] };

describe("FashionMNIST equals torchvision.datasets.FashionMNIST on the same raw files", () => {
  let ref: { train: FashionSplit; test: FashionSplit };
  const sets: Record<"train" | "test", InstanceType<typeof FashionMNIST>> = {} as never;
  beforeAll(async () => {
    ref = (await py.request<{ result: typeof ref }>({ cmd: "fashion", src: torch.vision.datasets.FASHION_MNIST_ROOT, tmp: path.join(tmp, "fashion"), indices: INDICES, normalize: NORMALIZE })).result;
    sets.train = new FashionMNIST();
    sets.test = new FashionMNIST(undefined, { train: false });
  });

  it.each(["train", "test"] as const)("%s: length, classes and every label", (split) => {
    const r = ref[split];
    expect(sets[split].length).toBe(r.length);
    expect(r.length).toBe(split === "train" ? 60000 : 10000);
    expect([...sets[split].classes]).toEqual(r.classes);
    expect(Buffer.from(sets[split].targets).equals(b64(r.targets))).toBe(true);
  });

  it.each(["train", "test"] as const)("%s: images (mode L) and labels of the first, a middle and the last samples", (split) => {
    const r = ref[split];
    expect(r.mode).toBe("L");
    INDICES[split].forEach((idx, k) => {
      const [img, label] = sets[split].getItem(idx, T.mulberry32(0));
      expectImage(img, r.images[k]!);
      expect(label).toBe(r.labels[k]);
    });
  });

  it.each(["train", "test"] as const)("%s: ToTensor + Normalize samples equal torchvision's", (split) => {
    const ds = new FashionMNIST(undefined, { train: split === "train", transform: new T.Compose([new T.ToTensor(), new T.Normalize(...NORMALIZE)]) });
    INDICES[split].forEach((idx, k) => expectTensor(ds.getItem(idx, T.mulberry32(0))[0], ref[split].transformed[k]!));
  });

  it("a missing root gives an error naming the Debian package", () => {
    const empty = fs.mkdtempSync(path.join(tmp, "nofashion-"));
    expect(() => new FashionMNIST(empty)).toThrow(/FashionMNIST: no train-images-idx3-ubyte\[\.gz\].*dataset-fashion-mnist/);
    expect(() => new FashionMNIST(path.join(tmp, "missing"), { train: false })).toThrow(/t10k-images-idx3-ubyte.*dataset-fashion-mnist/);
  });

  it("out-of-range indices throw", () => {
    expect(() => sets.test.getItem(10000, T.mulberry32(0))).toThrow(/FashionMNIST: index 10000 out of range \[0, 10000\)/);
    expect(() => sets.test.getItem(-1, T.mulberry32(0))).toThrow(RangeError);
  });
});

// ---- DataLoader ----
interface Batch { shape: number[]; x: Buffer; y: number[] }
async function collect(loader: InstanceType<typeof DataLoader>, options?: { epoch?: number; skip?: number }): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const [x, y] of loader.iterate(options)) {
    const xs = x.toTypedArray() as Float32Array;
    out.push({ shape: x.shape, x: Buffer.from(Buffer.from(xs.buffer, xs.byteOffset, xs.byteLength)), y: Array.from(y.toTypedArray() as BigInt64Array, Number) });
    x.dispose();
    y.dispose();
  }
  return out;
}
const threads = () => Number(/Threads:\s+(\d+)/.exec(fs.readFileSync("/proc/self/status", "utf8"))![1]);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("DataLoader", () => {
  let testSet: InstanceType<typeof FashionMNIST>;
  let lengths: { length: number; first: number; last: number; batches: number }[];
  const lengthCases: [number, boolean][] = [[64, false], [64, true], [10000, false], [10000, true], [3, true], [20000, false], [20000, true]];
  beforeAll(async () => {
    testSet = new FashionMNIST(undefined, { train: false, transform: new T.ToTensor() });
    lengths = (await py.request<{ result: typeof lengths }>({ cmd: "loader_lengths", n: 10000, cases: lengthCases })).result;
  });

  it("batches: shapes, dtypes, values and labels in dataset order", async () => {
    const loader = new DataLoader(testSet, { batchSize: 64 });
    let n = 0;
    let batches = 0;
    for await (const [x, y] of loader) {
      expect(x.dtype).toBe("float32");
      expect(y.dtype).toBe("int64");
      const b = x.shape[0]!;
      expect(x.shape).toEqual([b, 1, 28, 28]);
      expect(y.shape).toEqual([b]);
      if (batches === 0 || b < 64) {
        // rows are the samples, in order
        const xs = x.toTypedArray() as Float32Array;
        for (let k = 0; k < b; k += 7) {
          const [s, label] = testSet.getItem(n + k, T.mulberry32(0));
          expect(Array.from(xs.subarray(k * 784, (k + 1) * 784))).toEqual(Array.from((s as Chw).data));
          expect(Number((y.toTypedArray() as BigInt64Array)[k])).toBe(label);
        }
      }
      expect(Array.from(y.toTypedArray() as BigInt64Array, Number)).toEqual(Array.from(testSet.targets.subarray(n, n + b)));
      n += b;
      batches++;
      x.dispose();
      y.dispose();
    }
    expect(n).toBe(10000);
    expect(batches).toBe(loader.length);
  });

  it("length and batch sizes with and without dropLast equal torch's DataLoader", async () => {
    const tiny: Dataset = { length: 10000, getItem: (i) => [{ data: Float32Array.of(i), shape: [1, 1, 1] }, i % 10] };
    for (const [k, [batchSize, dropLast]] of lengthCases.entries()) {
      const loader = new DataLoader(tiny, { batchSize, dropLast });
      expect(loader.length).toBe(lengths[k]!.length);
      const sizes = (await collect(loader)).map((b) => b.shape[0]!);
      expect(sizes.length).toBe(lengths[k]!.batches);
      if (sizes.length > 0) expect([sizes[0], sizes.at(-1)]).toEqual([lengths[k]!.first, lengths[k]!.last]);
      // every sample once, in order
      expect(loader.batches(0).flat()).toEqual(range(dropLast ? sizes.length * batchSize : 10000));
    }
  });

  it("shuffle: each epoch is a permutation; the same seed gives the same order, another epoch or seed another", () => {
    const make = (seed: number) => new DataLoader(testSet, { batchSize: 100, shuffle: true, seed });
    const a = make(7);
    const e0 = a.batches(0).flat();
    expect([...e0].sort((p, q) => p - q)).toEqual(range(10000));
    expect(e0).not.toEqual(range(10000));
    expect(make(7).batches(0)).toEqual(a.batches(0));
    const e1 = a.batches(1).flat();
    expect([...e1].sort((p, q) => p - q)).toEqual(range(10000));
    expect(e1).not.toEqual(e0);
    expect(make(8).batches(0).flat()).not.toEqual(e0);
    // dropLast on a shuffled order drops the tail of the permutation
    const d = new DataLoader(testSet, { batchSize: 300, shuffle: true, seed: 7, dropLast: true });
    expect(d.batches(0).flat()).toEqual(make(7).batches(0).flat().slice(0, 33 * 300));
  });

  it("shuffled batches hold the planned samples; a full pass advances the epoch", async () => {
    const sub = new Subset(testSet, range(500).map((i) => i * 20));
    const loader = new DataLoader(sub, { batchSize: 64, shuffle: true, seed: 3 });
    const plan = loader.batches(0);
    const got = await collect(loader);
    expect(loader.epoch).toBe(1);
    expect(got.map((b) => b.y)).toEqual(plan.map((idx) => idx.map((i) => testSet.targets[i * 20]!)));
    const [s] = sub.getItem(plan[2]![5]!, T.mulberry32(0)) as [Chw, number];
    expect(Array.from(floats(got[2]!.x).subarray(5 * 784, 6 * 784))).toEqual(Array.from((s as Chw).data));
    const next = await collect(loader);
    expect(loader.epoch).toBe(2);
    expect(next.map((b) => b.y)).not.toEqual(got.map((b) => b.y));
  });

  describe("augmentation is deterministic by (seed, epoch, index), whatever the number of workers", () => {
    const augment = () => new T.Compose([new T.RandomResizedCrop(24, { scale: [0.3, 1] }), new T.RandomHorizontalFlip(), new T.ToTensor(), new T.Normalize([0.5, 0.4, 0.3], [0.2, 0.25, 0.3])]);

    it("ImageFolder: numWorkers 0, 1 and 2 give the same batches, epoch after epoch", async () => {
      const runs: Batch[][][] = [];
      for (const numWorkers of [0, 1, 2]) {
        const loader = new DataLoader(new ImageFolder(clean, { transform: augment() }), { batchSize: 8, shuffle: true, seed: 11, numWorkers });
        runs.push([await collect(loader), await collect(loader)]);
        await loader.close();
      }
      const [w0, w1, w2] = runs as [Batch[][], Batch[][], Batch[][]];
      expect(w0[0]!.map((b) => b.shape)).toEqual([...Array(5).fill([8, 3, 24, 24]), [4, 3, 24, 24]]);
      for (const other of [w1, w2]) {
        for (const epoch of [0, 1]) {
          expect(other[epoch]!.map((b) => b.y)).toEqual(w0[epoch]!.map((b) => b.y));
          other[epoch]!.forEach((b, k) => expect(b.x.equals(w0[epoch]![k]!.x)).toBe(true));
        }
      }
      // a new epoch: another order and other augmentations of the same images
      expect(w0[1]!.map((b) => b.y)).not.toEqual(w0[0]!.map((b) => b.y));
    });

    it("FashionMNIST with RandomCrop padding + flip: numWorkers 0 and 2 agree; an unshuffled loader sees the same sample per index", async () => {
      const ds = () => new Subset(new FashionMNIST(undefined, { train: false, transform: new T.Compose([new T.RandomCrop(28, { padding: 4 }), new T.RandomHorizontalFlip(), new T.ToTensor()]) }), range(300));
      const shuffled = new DataLoader(ds(), { batchSize: 32, shuffle: true, seed: 5, numWorkers: 2, prefetchFactor: 3 });
      const a = await collect(shuffled, { epoch: 4 });
      await shuffled.close();
      const b = await collect(new DataLoader(ds(), { batchSize: 32, shuffle: true, seed: 5 }), { epoch: 4 });
      expect(a.map((x) => x.y)).toEqual(b.map((x) => x.y));
      a.forEach((x, k) => expect(x.x.equals(b[k]!.x)).toBe(true));
      // one batch of all 300 samples in index order, same seed and epoch: row i is sample i
      const [all] = await collect(new DataLoader(ds(), { batchSize: 300, seed: 5 }), { epoch: 4 });
      const plan = new DataLoader(ds(), { batchSize: 32, shuffle: true, seed: 5 }).batches(4);
      const rows = floats(all!.x);
      plan.forEach((idx, k) => {
        const got = floats(a[k]!.x);
        idx.forEach((i, r) => expect(Buffer.from(got.buffer, r * 784 * 4, 784 * 4).equals(Buffer.from(rows.buffer, i * 784 * 4, 784 * 4))).toBe(true));
      });
      // and the augmentation did something: not all samples equal the plain image
      const plain = new FashionMNIST(undefined, { train: false, transform: new T.ToTensor() });
      const changed = range(20).filter((i) => !Array.from(rows.subarray(i * 784, (i + 1) * 784)).every((v, j) => v === (plain.getItem(i, T.mulberry32(0))[0] as Chw).data[j]));
      expect(changed.length).toBeGreaterThan(10);
    });

    it("resuming with skip sees exactly the remaining batches", async () => {
      const loader = new DataLoader(new ImageFolder(clean, { transform: augment() }), { batchSize: 8, shuffle: true, seed: 2 });
      const full = await collect(loader, { epoch: 3 });
      const rest = await collect(loader, { epoch: 3, skip: 2 });
      expect(rest.map((b) => b.y)).toEqual(full.slice(2).map((b) => b.y));
      rest.forEach((b, k) => expect(b.x.equals(full[k + 2]!.x)).toBe(true));
    });
  });

  describe("early exit and shutdown", () => {
    it("breaking out mid-epoch waits for the batch in flight and leaks no tensor (main thread)", async () => {
      let started = 0;
      let finished = 0;
      const slow: Dataset = {
        length: 64,
        getItem: async (i, rng) => {
          started++;
          await new Promise((r) => setTimeout(r, 2));
          finished++;
          return [{ data: Float32Array.of(i, rng()), shape: [2, 1, 1] }, i % 5];
        },
      };
      const loader = new DataLoader(slow, { batchSize: 4 });
      const before = torch.liveTensors();
      let seen = 0;
      for await (const [x, y] of loader) {
        x.dispose();
        y.dispose();
        if (++seen === 3) break;
      }
      expect(started).toBeGreaterThan(3 * 4); // the next batch had started loading
      expect(finished).toBe(started); // and was awaited, not left running
      expect(started).toBeLessThan(64);
      expect(torch.liveTensors()).toBe(before);
      expect(loader.epoch).toBe(0); // an unfinished pass does not advance the epoch
      const again = await collect(loader);
      expect(again.map((b) => b.y).flat()).toEqual(range(64).map((i) => i % 5));
    });

    it("breaking out with workers leaves no pending work: the next pass is complete and correct", async () => {
      const ds = () => new Subset(new FashionMNIST(undefined, { train: false, transform: new T.Compose([new T.RandomCrop(28, { padding: 2 }), new T.ToTensor()]) }), range(640));
      const loader = new DataLoader(ds(), { batchSize: 32, shuffle: true, seed: 9, numWorkers: 2, prefetchFactor: 4 });
      const reference = await collect(new DataLoader(ds(), { batchSize: 32, shuffle: true, seed: 9 }));
      const before = torch.liveTensors();
      for (let round = 0; round < 3; round++) {
        let seen = 0;
        for await (const [x, y] of loader) {
          expect(Array.from(y.toTypedArray() as BigInt64Array, Number)).toEqual(reference[seen]!.y);
          x.dispose();
          y.dispose();
          if (++seen === 1 + round) break;
        }
        expect(torch.liveTensors()).toBe(before);
      }
      const full = await collect(loader);
      expect(full.map((b) => b.y)).toEqual(reference.map((b) => b.y));
      full.forEach((b, k) => expect(b.x.equals(reference[k]!.x)).toBe(true));
      expect(torch.liveTensors()).toBe(before);
      await loader.close();
    });

    it("close() terminates the worker threads; the next pass starts new ones", async () => {
      const base = threads();
      const loader = new DataLoader(new Subset(testSet, range(256)), { batchSize: 64, numWorkers: 2 });
      const first = await collect(loader);
      const running = threads();
      expect(running).toBeGreaterThanOrEqual(base + 2);
      await loader.close();
      expect(threads()).toBeLessThanOrEqual(running - 2);
      expect(threads()).toBe(base);
      const second = await collect(loader);
      expect(second.map((b) => b.y)).toEqual(first.map((b) => b.y));
      expect(threads()).toBeGreaterThanOrEqual(base + 2);
      await loader.close();
      expect(threads()).toBe(base);
      await loader.close(); // idempotent
    });
  });

  it("argument validation", async () => {
    const fn = (o: object) => () => new DataLoader(testSet, o);
    expect(fn({ batchSize: 0 })).toThrow(/DataLoader: expected batchSize to be a positive integer, but received 0/);
    expect(fn({ batchSize: 2.5 })).toThrow(/DataLoader: expected batchSize to be a non-negative integer/);
    expect(fn({ shuffle: "yes" })).toThrow(/DataLoader: expected shuffle to be a boolean, but received "yes"/);
    expect(fn({ numWorkers: -1 })).toThrow(/DataLoader: expected numWorkers to be a non-negative integer/);
    expect(fn({ seed: -3 })).toThrow(/DataLoader: expected seed to be a non-negative integer/);
    expect(() => new DataLoader({} as Dataset)).toThrow(/DataLoader: expected dataset to be a dataset with length and getItem\(\)/);
    const custom: Dataset = { length: 2, getItem: (i) => [{ data: Float32Array.of(i), shape: [1, 1, 1] }, 0] };
    expect(() => new DataLoader(custom, { numWorkers: 2 })).toThrow(/DataLoader: numWorkers > 0 needs a dataset workers can rebuild/);
    await expect(new DataLoader(testSet).iterate({ skip: -1 }).next()).rejects.toThrow(/DataLoader\.iterate: expected skip/);
  });

  it("samples that are not tensors cannot be batched", async () => {
    const loader = new DataLoader(new ImageFolder(clean), { batchSize: 2 });
    await expect(collect(loader)).rejects.toThrow(/DataLoader: samples must be tensors to be batched; end the transform with transforms\.ToTensor\(\)/);
    const mixed = new DataLoader(new ImageFolder(clean, { transform: new T.ToTensor() }), { batchSize: 4 });
    await expect(collect(mixed)).rejects.toThrow(/DataLoader: cannot batch samples of shapes \[3, \d+, \d+\] and \[3, \d+, \d+\]/);
  });
});
