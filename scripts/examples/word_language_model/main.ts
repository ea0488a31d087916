// pytorch/examples word_language_model/main.py in torch-ts (the RNN models): trains RNNModel on
// a word corpus with truncated backpropagation through time, clip_grad_norm_ and a hand-written
// SGD step (or AdamW with --use-optimizer); the learning rate is divided by 4 whenever the
// validation loss stops improving; the best model is reloaded for the test set. Same flags:
//   npx tsx scripts/examples/word_language_model/main.ts --data DIR [--model LSTM] [--emsize 200]
//     [--nhid 200] [--nlayers 2] [--lr 20] [--clip 0.25] [--epochs 40] [--batch_size 20] [--bptt 35]
//     [--dropout 0.2] [--tied] [--seed 1111] [--log-interval 200] [--save model.pt] [--dry-run] [--use-optimizer]
// Not ported: --onnx-export. --save writes a state dict (Python pickles the
// whole module), reloaded into the same model.
import * as torch from "../../../lib/index.js";
import { isMain, parseFlags, UsageError } from "../common/cli.js";
import { Corpus } from "./data.js";
import { RNNModel, type Hidden } from "./model.js";
import { TransformerModel } from "./model_transformer.js";

type Tensor = torch.Tensor;

export const DEFAULTS = {
  data: "./data/wikitext-2", model: "LSTM", emsize: 200, nhid: 200, nlayers: 2, lr: 20, clip: 0.25, epochs: 40, batchSize: 20, bptt: 35,
  dropout: 0.2, tied: false, seed: 1111, logInterval: 200, save: "model.pt", onnxExport: "", nhead: 2, dryRun: false, accel: false, useOptimizer: false,
};
export type WordLanguageModelArgs = typeof DEFAULTS;
const FLAGS = {
  "--data": "data", "--model": "model", "--emsize": "emsize", "--nhid": "nhid", "--nlayers": "nlayers", "--lr": "lr", "--clip": "clip",
  "--epochs": "epochs", "--batch_size": "batchSize", "--bptt": "bptt", "--dropout": "dropout", "--tied": "tied", "--seed": "seed",
  "--log-interval": "logInterval", "--save": "save", "--onnx-export": "onnxExport", "--nhead": "nhead", "--dry-run": "dryRun", "--accel": "accel",
  "--use-optimizer": "useOptimizer",
} as const;

/** Arranges the dataset into bsz columns (trimming what does not fit), shape [n / bsz, bsz]. */
export function batchify(data: Tensor, bsz: number): Tensor {
  const nbatch = Math.floor(data.size(0) / bsz);
  return torch.tidy(() => data.narrow(0, 0, nbatch * bsz).view(bsz, -1).t().contiguous());
}

/** Wraps hidden states in new Tensors, to detach them from their history. */
function repackageHidden(h: Hidden): Hidden {
  return Array.isArray(h) ? [h[0].detach(), h[1].detach()] : h.detach();
}

const disposeHidden = (h: Hidden | null) => (h === null ? [] : Array.isArray(h) ? h : [h]).forEach((t) => t.dispose());

export interface WordLanguageModelLog { stepLosses: number[]; valLosses: number[]; lrs: number[]; testLoss: number; stateDictKeys: string[]; repr: string }

export function main(options: Partial<WordLanguageModelArgs> = {}, print: (line: string) => void = console.log): WordLanguageModelLog {
  const args = { ...DEFAULTS, ...options };
  if (args.onnxExport !== "") throw new UsageError("--onnx-export is not ported");
  // Set the random seed manually for reproducibility.
  torch.manualSeed(args.seed);
  print("Using device: cpu");

  const corpus = new Corpus(args.data);
  const evalBatchSize = 10;
  const trainData = batchify(corpus.train, args.batchSize);
  const valData = batchify(corpus.valid, evalBatchSize);
  const testData = batchify(corpus.test, evalBatchSize);

  const ntokens = corpus.dictionary.length;
  const model = args.model === "Transformer"
    ? new TransformerModel(ntokens, args.emsize, args.nhead, args.nhid, args.nlayers, args.dropout)
    : new RNNModel(args.model, ntokens, args.emsize, args.nhid, args.nlayers, args.dropout, args.tied);
  // One forward for both kinds: the Transformer carries no hidden state between chunks.
  const forward = (data: Tensor, hidden: Hidden | null): [Tensor, Hidden | null] => model instanceof TransformerModel
    ? [model.call(data).view(-1, ntokens), null]
    : model.call(data, hidden!);
  const criterion = new torch.nn.NLLLoss();
  const optimizer = args.useOptimizer ? new torch.optim.AdamW(model.parameters(), { lr: args.lr }) : null;
  const log: WordLanguageModelLog = { stepLosses: [], valLosses: [], lrs: [], testLoss: NaN, stateDictKeys: torch.tidy(() => [...model.stateDict().keys()]), repr: String(model) };

  // Chunks of length bptt along the sequence dimension; the target is the next word.
  const getBatch = (source: Tensor, i: number): [Tensor, Tensor] => {
    const seqLen = Math.min(args.bptt, source.size(0) - 1 - i);
    return [source.slice(0, i, i + seqLen), source.slice(0, i + 1, i + 1 + seqLen).view(-1)];
  };

  const evaluate = (dataSource: Tensor): number => {
    // Turn on evaluation mode which disables dropout.
    model.eval();
    let totalLoss = 0;
    let hidden = model instanceof RNNModel ? model.initHidden(evalBatchSize) : null;
    torch.noGrad(() => {
      for (let i = 0; i < dataSource.size(0) - 1; i += args.bptt) {
        const [next, loss] = torch.tidy(() => {
          const [data, targets] = getBatch(dataSource, i);
          const [output, h] = forward(data, hidden);
          return [h && repackageHidden(h), data.size(0) * criterion.call(output, targets).item()] as const;
        });
        disposeHidden(hidden);
        hidden = next;
        totalLoss += loss;
      }
    });
    disposeHidden(hidden);
    return totalLoss / (dataSource.size(0) - 1);
  };

  let lr = args.lr;
  const train = (epoch: number) => {
    // Turn on training mode which enables dropout.
    model.train();
    let totalLoss = 0;
    let startTime = Date.now();
    let hidden = model instanceof RNNModel ? model.initHidden(args.batchSize) : null;
    for (let batch = 0, i = 0; i < trainData.size(0) - 1; batch++, i += args.bptt) {
      if (optimizer) optimizer.zeroGrad();
      else model.zeroGrad();
      const [next, loss] = torch.tidy(() => {
        const [data, targets] = getBatch(trainData, i);
        // Starting each batch, detach the hidden state from how it was previously produced,
        // or backpropagation would run all the way to the start of the dataset.
        const [output, h] = forward(data, hidden && repackageHidden(hidden));
        const l = criterion.call(output, targets);
        l.backward();
        return [h && repackageHidden(h), l.item()] as const;
      });
      disposeHidden(hidden);
      hidden = next;
      // clip_grad_norm_ helps prevent the exploding gradient problem in RNNs / LSTMs.
      // (tidy frees the total norm it returns, and each p.grad handle the update reads.)
      torch.tidy(() => {
        torch.nn.utils.clipGradNorm_([...model.parameters()], args.clip);
      });
      if (optimizer) optimizer.step();
      else torch.tidy(() => torch.noGrad(() => { for (const p of model.parameters()) p.add_(p.grad!, { alpha: -lr }); }));
      totalLoss += loss;
      log.stepLosses.push(loss);
      if (batch % args.logInterval === 0 && batch > 0) {
        const curLoss = totalLoss / args.logInterval;
        const elapsed = Date.now() - startTime;
        print(`| epoch ${String(epoch).padStart(3)} | ${String(batch).padStart(5)}/${String(Math.floor(trainData.size(0) / args.bptt)).padStart(5)} batches | lr ${lr.toFixed(2)} | ms/batch ${(elapsed / args.logInterval).toFixed(2).padStart(5)} | loss ${curLoss.toFixed(2).padStart(5)} | ppl ${Math.exp(curLoss).toFixed(2).padStart(8)}`);
        totalLoss = 0;
        startTime = Date.now();
      }
      if (args.dryRun) break;
    }
    disposeHidden(hidden);
  };

  let bestValLoss: number | null = null;
  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    const epochStart = Date.now();
    log.lrs.push(lr);
    train(epoch);
    const valLoss = evaluate(valData);
    log.valLosses.push(valLoss);
    print("-".repeat(89));
    print(`| end of epoch ${String(epoch).padStart(3)} | time: ${((Date.now() - epochStart) / 1000).toFixed(2).padStart(5)}s | valid loss ${valLoss.toFixed(2).padStart(5)} | valid ppl ${Math.exp(valLoss).toFixed(2).padStart(8)}`);
    print("-".repeat(89));
    // Save the model if the validation loss is the best we've seen so far.
    if (!bestValLoss || valLoss < bestValLoss) {
      torch.save(model.stateDict(), args.save);
      bestValLoss = valLoss;
    } else {
      // Anneal the learning rate if no improvement has been seen in the validation dataset.
      lr /= 4.0;
    }
  }

  // Load the best saved model.
  const best = torch.load(args.save) as torch.nn.StateDict;
  model.loadStateDict(best);
  for (const t of best instanceof Map ? best.values() : Object.values(best)) t.dispose();
  // Run on test data.
  const testLoss = evaluate(testData);
  log.testLoss = testLoss;
  print("=".repeat(89));
  print(`| End of training | test loss ${testLoss.toFixed(2).padStart(5)} | test ppl ${Math.exp(testLoss).toFixed(2).padStart(8)}`);
  print("=".repeat(89));
  for (const t of [trainData, valData, testData]) t.dispose();
  corpus.dispose();
  return log;
}

if (isMain(import.meta.url)) {
  try {
    main(parseFlags(process.argv.slice(2), DEFAULTS, FLAGS));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`usage: word_language_model/main.ts [${Object.keys(FLAGS).join("] [")}]\nerror: ${err.message}`);
    process.exitCode = 2;
  }
}
