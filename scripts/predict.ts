// Classifies images (or saved input tensors) with a checkpoint, printing the top-k classes.
//   npm run predict -- --checkpoint save_model/resnet-best-model.pth [--arch resnet18]
//                      [--classes save_model/classes.json] [--top 3] [--image-size N] [--json] INPUT...
// INPUT: an image file (PNG/JPEG/WebP…), preprocessed as train.ts's test set is, or a .pth
// holding a tensor [C, H, W] or [N, C, H, W] that is already preprocessed.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import * as torch from "../lib/index.js";
import { parseCommandLine, parseFlags, UsageError } from "../lib/train/cli.js";

const { vision } = torch;
const T = vision.transforms;

const HELP = `usage: npm run predict -- --checkpoint FILE [options] INPUT...
  INPUT                 an image file (PNG/JPEG/WebP…) or a .pth holding a [C, H, W] or [N, C, H, W] tensor
  --checkpoint FILE     the model's weights (e.g. save_model/resnet-best-model.pth); required
  --arch NAME           ${Object.keys(vision.architectures).join(", ")} (default resnet18)
  --classes FILE        class names, a JSON array (default: classes.json beside the checkpoint)
  --top K               classes shown per input (default 3)
  --image-size N        resize inputs to N x N (default 28 for 1-channel models, 224 otherwise)
  --device auto|cpu|cuda|cuda:N   default auto
  --json                print the results as JSON
  --help`;

/** A failure after the command line was accepted (an unreadable checkpoint or input): exit 1. */
function fail(message: string): never {
  console.error(`predict: ${message}`);
  process.exit(1);
}

const parsed = parseCommandLine("predict", HELP, () => {
  const { values, positionals } = parseFlags(process.argv.slice(2), {
    checkpoint: { type: "string" }, arch: { type: "string" }, classes: { type: "string" }, top: { type: "string" },
    "image-size": { type: "string" }, json: { type: "boolean" }, device: { type: "string" },
  }, { positionals: true });
  if (values.help === true) return { help: true as const };
  const str = (k: string) => values[k] as string | undefined;
  const checkpoint = str("checkpoint");
  if (checkpoint === undefined || checkpoint === "") throw new UsageError("--checkpoint FILE is required");
  if (positionals.length === 0) throw new UsageError("give at least one input image or .pth tensor");
  const arch = str("arch") ?? "resnet18";
  if (!Object.hasOwn(vision.architectures, arch)) throw new UsageError(`--arch must be one of ${Object.keys(vision.architectures).join(", ")}, got ${JSON.stringify(arch)}`);
  const int = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const n = /^\+?\d+$/.test(text.trim()) ? Number(text) : NaN;
    if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive integer, got ${JSON.stringify(text)}`);
    return n;
  };
  return {
    checkpoint, arch, inputs: positionals, classes: str("classes"), top: int("top", str("top") ?? "3")!,
    imageSize: int("image-size", str("image-size")), json: values.json === true, device: str("device") ?? "auto",
  };
});
const args = parsed;
const inputs = args.inputs;
const top = args.top;
const classesFile = args.classes ?? path.join(path.dirname(args.checkpoint), "classes.json");
const classes: string[] | null = existsSync(classesFile) ? JSON.parse(readFileSync(classesFile, "utf8")) : null;

let device: torch.Device;
let model: torch.vision.ResNet;
try {
  device = torch.device(args.device as torch.DeviceLike);
  model = vision.fromPretrained(args.checkpoint, args.arch as torch.vision.Architecture).to(device).eval();
} catch (err) {
  fail((err as Error).message);
}
const gray = model.conv1.inChannels === 1;
const size = args.imageSize ?? (gray ? 28 : 224);
// The test-time preprocessing of scripts/train.ts for this kind of model.
const transform = new T.Compose(gray
  ? [new T.Grayscale(1), new T.Resize([size, size]), new T.ToTensor(), new T.Normalize([0.286], [0.353])]
  : [new T.Resize([size, size]), new T.ToTensor(), new T.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])]);

async function batchFor(input: string): Promise<torch.Tensor> {
  if (input.endsWith(".pth") || input.endsWith(".pt")) {
    const loaded = torch.load(input);
    if (!(loaded instanceof torch.Tensor)) throw new Error(`${input} does not hold a tensor`);
    if (loaded.ndim === 3) {
      const b = loaded.unsqueeze(0);
      loaded.dispose();
      return b;
    }
    if (loaded.ndim !== 4) throw new Error(`${input}: expected a [C, H, W] or [N, C, H, W] tensor, got shape [${loaded.shape.join(", ")}]`);
    return loaded;
  }
  const chw = transform.apply(await vision.decodeImage(input), Math.random) as torch.vision.Chw;
  return torch.tensor(chw.data, { shape: [1, ...chw.shape] });
}

const results: { input: string; index: number; top: { class: number; name: string | null; probability: number }[] }[] = [];
for (const input of inputs) {
  let x: torch.Tensor;
  try {
    x = await batchFor(input);
  } catch (err) {
    fail(`${input}: ${(err as Error).message}`);
  }
  const probs = torch.tidy(() => torch.noGrad(() => torch.nn.functional.softmax(model.call(x.to(device)), 1).cpu()));
  x.dispose();
  const rows = probs.tolist() as number[][];
  probs.dispose();
  rows.forEach((p, index) => {
    const order = p.map((v, k) => [v, k] as const).sort((a, b) => b[0] - a[0]).slice(0, top);
    results.push({ input, index, top: order.map(([v, k]) => ({ class: k, name: classes?.[k] ?? null, probability: v })) });
  });
}

if (args.json) console.log(JSON.stringify(results, null, 2));
else {
  for (const r of results) {
    const label = r.index > 0 || results.filter((x) => x.input === r.input).length > 1 ? `${r.input}[${r.index}]` : r.input;
    console.log(`${label}: ${r.top.map((t) => `${(100 * t.probability).toFixed(1)}% ${t.name ?? `class ${t.class}`}`).join(", ")}`);
  }
}
