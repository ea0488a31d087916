// Compiles under strict (tsconfig.check.json) with no casts: every optimizer built by the
// calling rule (positionally and with options) and every lr_scheduler over every optimizer.
// Nothing here runs; `npx tsc -p tsconfig.check.json` is the test.
import * as torch from "torch-ts";

const { optim } = torch;
const L = optim.lr_scheduler;
const model = new torch.nn.Linear(4, 2);
const params = () => model.parameters();

export const optimizers = [
  new optim.SGD(params(), 0.1, 0.9), new optim.SGD(params(), { lr: 0.1, nesterov: true, momentum: 0.9 }),
  new optim.Adam(params()), new optim.Adam(params(), 1e-3, [0.9, 0.99]), new optim.Adam(params(), { amsgrad: true, foreach: null }),
  new optim.AdamW(params(), { weightDecay: 0.1 }), new optim.ASGD(params(), 0.01, { t0: 10 }), new optim.Adadelta(params(), 1.0, 0.9),
  new optim.Adagrad(params(), { lrDecay: 0.01, initialAccumulatorValue: 0.1 }), new optim.Adamax(params(), 2e-3),
  new optim.LBFGS(params(), 1, 20, null, { lineSearchFn: "strong_wolfe" }), new optim.NAdam(params(), { momentumDecay: 4e-3 }),
  new optim.RAdam(params()), new optim.RMSprop(params(), 0.01, { centered: true, momentum: 0.9 }),
  new optim.Rprop(params(), 0.01, [0.5, 1.2], [1e-6, 50]), new optim.SparseAdam(params(), { lr: 1e-3 }),
  new optim.SGD([{ params: params(), lr: 0.1 }], { lr: 0.01 }),
];

export function schedulersOver(opt: (typeof optimizers)[number]) {
  const s = [
    new L.LambdaLR(opt, (e) => 0.95 ** e), new L.MultiplicativeLR(opt, [(e: number) => (e < 3 ? 1 : 0.9)]),
    new L.StepLR(opt, 30), new L.StepLR(opt, { stepSize: 30, gamma: 0.5 }), new L.MultiStepLR(opt, [30, 80], 0.1),
    new L.ConstantLR(opt, { factor: 0.5, totalIters: 4 }), new L.LinearLR(opt, 0.5, 1.0, 4), new L.ExponentialLR(opt, 0.9),
    new L.PolynomialLR(opt, { totalIters: 4, power: 2 }), new L.CosineAnnealingLR(opt, { tMax: 10 }), new L.CosineAnnealingLR(opt, 10, 0.001),
    new L.CyclicLR(opt, 0.01, 0.1, { mode: "triangular2", cycleMomentum: false }), new L.OneCycleLR(opt, 0.1, { totalSteps: 100 }),
    new L.CosineAnnealingWarmRestarts(opt, 10, 2), new L.CosineAnnealingWarmRestarts(opt, { t0: 10, etaMin: 1e-4 }),
    new optim.swa_utils.SWALR(opt, 0.05, { annealStrategy: "linear" }),
  ];
  const seq = new L.SequentialLR(opt, [s[5]!, s[7]!], [4]);
  const chained = new L.ChainedScheduler([s[5]!, s[7]!]);
  const plateau = new L.ReduceLROnPlateau(opt, "min", { patience: 2, minLr: [0.001] });
  plateau.step(0.5);
  new L.CosineAnnealingWarmRestarts(opt, 3).step(1.5);
  seq.step();
  chained.step();
  const lrs: number[] = s[0]!.getLastLr();
  const sd: Map<string, unknown> = s[2]!.stateDict();
  s[2]!.loadStateDict(sd);
  // The top-level names (optim.StepLR) are the same classes.
  const direct: torch.optim.LRScheduler = new optim.StepLR(opt, { stepSize: 2 });
  return [lrs, direct, plateau.stateDict()];
}

for (const opt of optimizers) schedulersOver(opt);
const lbfgs = new optim.LBFGS(params());
lbfgs.step(() => 0);
export const averaged = new optim.swa_utils.AveragedModel(model, { copy: new torch.nn.Linear(4, 2), useBuffers: true });
averaged.updateParameters(model);
export const bn: void | Promise<void> = optim.swa_utils.updateBn([torch.zeros(3, 4)], averaged);
