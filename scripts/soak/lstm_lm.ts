// LSTM language-model soak: pytorch/examples word_language_model's RNNModel (Embedding →
// Dropout → 2-layer LSTM → Dropout → Linear) trained step after step as its main.py does —
// hidden state detached between steps, clip_grad_norm_(0.25), a manual SGD update — on a seeded
// synthetic token stream, checking what #17 promises: the live native tensor count is the same
// after every step, and RSS after warm-up stays within ±50 MB.
// Run: npx tsx scripts/soak/lstm_lm.ts [--steps 2000] [--json]   (`npm run soak` runs it)
import * as torch from "../../lib/index.js";

const { nn } = torch;
const F = nn.functional;

const stepsFlag = process.argv.indexOf("--steps");
const steps = stepsFlag >= 0 ? Number(process.argv[stepsFlag + 1]) : 2000;
if (!Number.isSafeInteger(steps) || steps < 20) {
  console.error(`soak/lstm_lm: --steps must be an integer >= 20, got ${process.argv[stepsFlag + 1]}`);
  process.exit(2);
}
const json = process.argv.includes("--json");

const VOCAB = 1000, EMSIZE = 64, NHID = 64, NLAYERS = 2, BPTT = 35, BATCH = 20, LR = 20, CLIP = 0.25;

class RNNModel extends nn.Module {
  drop = new nn.Dropout(0.2);
  encoder = new nn.Embedding(VOCAB, EMSIZE);
  rnn = new nn.LSTM(EMSIZE, NHID, NLAYERS, { dropout: 0.2 });
  decoder = new nn.Linear(NHID, VOCAB);

  forward(input: torch.Tensor, hidden: [torch.Tensor, torch.Tensor]): [torch.Tensor, [torch.Tensor, torch.Tensor]] {
    const emb = this.drop.call(this.encoder.call(input));
    const [output, next] = this.rnn.call(emb, hidden) as [torch.Tensor, [torch.Tensor, torch.Tensor]];
    const decoded = this.decoder.call(this.drop.call(output)).view(-1, VOCAB);
    return [F.logSoftmax(decoded, 1), next];
  }
}

torch.manualSeed(1111);
const model = new RNNModel();
model.train();
const data = torch.randint(0, VOCAB, [BPTT * 50 + 1, BATCH]);
let hidden: [torch.Tensor, torch.Tensor] = [torch.zeros(NLAYERS, BATCH, NHID), torch.zeros(NLAYERS, BATCH, NHID)];
const params = [...model.parameters()];

const rssMb = () => process.memoryUsage().rss / 2 ** 20;
const live: number[] = [];
const rss: number[] = [];
let lastLoss = NaN;
const start = Date.now();
for (let step = 0; step < steps; step++) {
  const i = (step % 50) * BPTT;
  const next = torch.tidy(() => {
    const input = data.slice(0, i, i + BPTT);
    const target = data.slice(0, i + 1, i + 1 + BPTT).reshape(-1);
    // Python: hidden = repackage_hidden(hidden): the graph of earlier steps is cut.
    const h = hidden.map((t) => t.detach()) as [torch.Tensor, torch.Tensor];
    model.zeroGrad();
    const [output, state] = model.call(input, h);
    const loss = F.nllLoss(output, target);
    loss.backward();
    nn.utils.clipGradNorm_(params, CLIP);
    torch.noGrad(() => {
      for (const p of params) p.add_(p.grad!, { alpha: -LR });
    });
    lastLoss = loss.item() as number;
    return state;
  });
  torch.dispose(hidden);
  hidden = next;
  live.push(torch.liveTensors());
  rss.push(rssMb());
}
const seconds = (Date.now() - start) / 1000;
const warm = Math.min(100, Math.floor(steps / 5));
const liveAfterWarm = live.slice(warm);
const rssAfterWarm = rss.slice(warm);
const result = {
  steps, seconds, lastLoss,
  liveTensors: { first: live[warm], last: live[live.length - 1], min: Math.min(...liveAfterWarm), max: Math.max(...liveAfterWarm) },
  rssMb: { atWarm: rssAfterWarm[0], last: rssAfterWarm[rssAfterWarm.length - 1], min: Math.min(...rssAfterWarm), max: Math.max(...rssAfterWarm) },
};
const liveFlat = result.liveTensors.min === result.liveTensors.max;
const rssFlat = result.rssMb.max - result.rssMb.atWarm! <= 50 && result.rssMb.atWarm! - result.rssMb.min <= 50;
if (json) console.log(JSON.stringify({ ...result, liveFlat, rssFlat }));
else {
  console.log(`LSTM LM soak: ${steps} steps in ${seconds.toFixed(1)} s, last loss ${lastLoss.toFixed(3)}`);
  console.log(`  live tensors after step ${warm}: ${result.liveTensors.min}..${result.liveTensors.max} (${liveFlat ? "constant" : "NOT constant"})`);
  console.log(`  RSS after warm-up: ${result.rssMb.atWarm!.toFixed(0)} MB, range ${result.rssMb.min.toFixed(0)}..${result.rssMb.max.toFixed(0)} MB (${rssFlat ? "within ±50 MB" : "NOT flat"})`);
}
if (!liveFlat || !rssFlat) process.exit(1);
