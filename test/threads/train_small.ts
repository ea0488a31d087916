// A small, fully deterministic training run used by test/threads.test.ts on the main thread and
// in worker threads. Weights and data come from a seeded JS generator, not torch.manualSeed:
// libtorch's default generator is process-wide (as in Python, where threads share it), so
// threads drawing from it at once would interleave their draws.
import * as torch from "../../lib/index.js";


export interface SmallRun {
  losses: number[];
  params: number[];
}

export function trainSmall(seed: number, steps: number): SmallRun {
  const uniform = torch.vision.transforms.mulberry32(seed);
  const rand = () => uniform() - 0.5;
  const { nn } = torch;
  const model = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }),
    new nn.BatchNorm2d(4),
    new nn.ReLU(),
    new nn.AdaptiveAvgPool2d(2),
    new nn.Flatten(),
    new nn.Linear(16, 3),
  );
  torch.tidy(() =>
    torch.noGrad(() => {
      for (const p of model.parameters()) p.copy_(torch.tensor(Array.from({ length: p.numel() }, rand)).reshape(p.shape));
    }),
  );
  const x = torch.tensor(Float32Array.from({ length: 8 * 12 * 12 }, rand), { shape: [8, 1, 12, 12] });
  const y = torch.tensor(Array.from({ length: 8 }, (_, i) => BigInt((i * 7 + seed) % 3)));
  const opt = new torch.optim.Adam(model.parameters(), { lr: 0.01 });
  const lossFn = new nn.CrossEntropyLoss();
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    opt.zeroGrad();
    losses.push(
      torch.tidy(() => {
        const loss = lossFn.call(model.call(x), y);
        loss.backward();
        return loss.item() as number;
      }),
    );
    opt.step();
  }
  const params = torch.tidy(() => [...model.parameters()].flatMap((p) => p.flatten().tolist() as number[]));
  opt.zeroGrad(); // set to None: frees the gradients
  torch.dispose(x, y, [...model.parameters()], [...model.buffers()], opt.stateDict());
  return { losses, params };
}
