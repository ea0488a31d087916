// Where a word_language_model training step (lm_models.ts) spends its time, torch-ts beside
// Python PyTorch: the median ms of each phase (zero_grad, forward, loss, backward, clip, update),
// rounds alternating between the two as the paired benchmarks do.
//   npx tsx scripts/bench/lm_profile.ts   (BENCH_THREADS=n, LM_STEPS=n per round, LM_ROUNDS=n, BENCH_ONLY=LSTM|Transformer)
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../lib/index.js";
import { buildLMTrainStep, type LMConfig, type Phase, PHASES } from "./lm_models.js";
import { mallocMatchedEnv, median, PythonPeer } from "./peer.js";

const threads = Number(process.env.BENCH_THREADS ?? torch.getNumThreads());
const steps = Number(process.env.LM_STEPS ?? 3);
const rounds = Number(process.env.LM_ROUNDS ?? 3);
const only = process.env.BENCH_ONLY === undefined ? null : new RegExp(process.env.BENCH_ONLY);
torch.setNumThreads(threads);
const lm = { ntokens: 10000, emsize: 200, nhid: 200, nlayers: 2, nhead: 2, dropout: 0.2, bptt: 35, batch: 20, lr: 20, clip: 0.25 };
const peer = await PythonPeer.start(path.join(path.dirname(fileURLToPath(import.meta.url)), "lm_profile.py"), mallocMatchedEnv(torch.config().mallocTuned));
console.log(`LM train step by phase — torch-ts vs PyTorch ${peer.version}, ${threads} thread(s), ${rounds} rounds of ${steps} steps, median ms`);
for (const model of ["LSTM", "Transformer"] as const) {
  if (only !== null && !only.test(model)) continue;
  const c: LMConfig = { model, ...lm };
  const ours = new Map<Phase, number[]>(PHASES.map((p) => [p, []]));
  const theirs = new Map<Phase, number[]>(PHASES.map((p) => [p, []]));
  let recording = false;
  let last = 0;
  const built = buildLMTrainStep(c, (phase) => {
    const now = performance.now();
    if (recording) ours.get(phase)!.push(now - last);
    last = now;
  });
  built.run(); // warm-up, as the bench's
  await peer.setup({ ...c, threads, steps: 1 });
  for (let r = 0; r < rounds; r++) {
    recording = true;
    for (let i = 0; i < steps; i++) {
      last = performance.now();
      built.run();
    }
    recording = false;
    const info = await peer.setup({ ...c, threads, steps });
    const phases = info.phases as Record<Phase, number[]>;
    for (const p of PHASES) theirs.get(p)!.push(...phases[p]);
  }
  built.dispose();
  let sumOurs = 0;
  let sumTheirs = 0;
  for (const p of PHASES) {
    const a = median(ours.get(p)!);
    const b = median(theirs.get(p)!);
    sumOurs += a;
    sumTheirs += b;
    console.log(`${model.padEnd(12)} ${p.padEnd(10)} torch-ts ${a.toFixed(1).padStart(8)}   PyTorch ${b.toFixed(1).padStart(8)}   ${(a / b).toFixed(2)}x`);
  }
  console.log(`${model.padEnd(12)} ${"sum".padEnd(10)} torch-ts ${sumOurs.toFixed(1).padStart(8)}   PyTorch ${sumTheirs.toFixed(1).padStart(8)}   ${(sumOurs / sumTheirs).toFixed(2)}x`);
}
peer.close();
