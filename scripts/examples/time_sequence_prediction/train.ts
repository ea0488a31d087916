// pytorch/examples time_sequence_prediction/train.py in torch-ts: two stacked LSTMCells and a
// Linear learn sine waves in float64, trained by LBFGS(lr=0.8) on the whole set, then predict
// `future` steps past each test wave.
//   npx tsx scripts/examples/time_sequence_prediction/train.ts [--steps 15] [--data traindata.pt] [--future 1000]
// (--data and --future are additions; the original's matplotlib PDFs are not drawn: the
// predictions are written to predict<i>.json instead.)
import { writeFileSync } from "node:fs";
import * as torch from "../../../lib/index.js";
import { isMain, parseFlags, UsageError } from "../common/cli.js";

const { nn, optim } = torch;
type Tensor = torch.Tensor;

export class Sequence extends nn.Module {
  readonly lstm1 = this.registerModule("lstm1", new nn.LSTMCell(1, 51));
  readonly lstm2 = this.registerModule("lstm2", new nn.LSTMCell(51, 51));
  readonly linear = this.registerModule("linear", new nn.Linear(51, 1));

  forward(input: Tensor, future = 0): Tensor {
    const outputs: Tensor[] = [];
    let hT = torch.zeros(input.size(0), 51, { dtype: "float64" });
    let cT = torch.zeros(input.size(0), 51, { dtype: "float64" });
    let hT2 = torch.zeros(input.size(0), 51, { dtype: "float64" });
    let cT2 = torch.zeros(input.size(0), 51, { dtype: "float64" });
    let output: Tensor | undefined;
    for (const inputT of input.split(1, { dim: 1 })) {
      [hT, cT] = this.lstm1.call(inputT, [hT, cT]);
      [hT2, cT2] = this.lstm2.call(hT, [hT2, cT2]);
      output = this.linear.call(hT2);
      outputs.push(output);
    }
    for (let i = 0; i < future; i++) { // if we should predict the future
      [hT, cT] = this.lstm1.call(output!, [hT, cT]);
      [hT2, cT2] = this.lstm2.call(hT, [hT2, cT2]);
      output = this.linear.call(hT2);
      outputs.push(output);
    }
    return torch.cat(outputs, { dim: 1 });
  }
}

export const DEFAULTS = { steps: 15, data: "traindata.pt", future: 1000, noPlot: false };
export type TimeSequenceArgs = typeof DEFAULTS;

export interface TimeSequenceLog { closureLosses: number[][]; testLosses: number[] }

export function main(options: Partial<TimeSequenceArgs> & { dataTensor?: Tensor } = {}, print: (...v: unknown[]) => void = console.log): TimeSequenceLog {
  const opt = { ...DEFAULTS, ...options };
  // set random seed to 0 (the original also seeds NumPy, which draws nothing after this point)
  torch.manualSeed(0);
  // load data and make training set
  const data = options.dataTensor ?? (torch.load(opt.data) as Tensor);
  const [input, target, testInput, testTarget] = torch.tidy(() => {
    const [n, l] = data.shape as [number, number];
    return [data.slice(0, 3, n).slice(1, 0, l - 1), data.slice(0, 3, n).slice(1, 1, l), data.slice(0, 0, 3).slice(1, 0, l - 1), data.slice(0, 0, 3).slice(1, 1, l)];
  });
  // build the model
  const seq = new Sequence();
  seq.double();
  const criterion = new nn.MSELoss();
  // use LBFGS as optimizer since we can load the whole data to train
  const optimizer = new optim.LBFGS(seq.parameters(), { lr: 0.8 });
  const log: TimeSequenceLog = { closureLosses: [], testLosses: [] };
  // begin to train
  for (let i = 0; i < opt.steps; i++) {
    print("STEP: ", i);
    const losses: number[] = [];
    optimizer.step(() => torch.tidy(() => {
      optimizer.zeroGrad();
      const out = seq.call(input!);
      const loss = criterion.call(out, target!);
      print("loss:", loss.item());
      losses.push(loss.item());
      loss.backward();
      return loss.item();
    }));
    log.closureLosses.push(losses);
    // begin to predict, no need to track gradient here
    torch.noGrad(() => torch.tidy(() => {
      const future = opt.future;
      const pred = seq.call(testInput!, future);
      const loss = criterion.call(pred.slice(1, 0, pred.size(1) - future), testTarget!);
      print("test loss:", loss.item());
      log.testLosses.push(loss.item());
      if (!opt.noPlot) writeFileSync(`predict${i}.json`, JSON.stringify(pred.tolist()));
    }));
  }
  for (const t of [input!, target!, testInput!, testTarget!]) t.dispose();
  if (options.dataTensor === undefined) data.dispose();
  return log;
}

if (isMain(import.meta.url)) {
  try {
    main(parseFlags(process.argv.slice(2), DEFAULTS, { "--steps": "steps", "--data": "data", "--future": "future", "--no-plot": "noPlot" }));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`usage: train.ts [--steps 15] [--data traindata.pt] [--future 1000] [--no-plot]\nerror: ${err.message}`);
    process.exitCode = 2;
  }
}
