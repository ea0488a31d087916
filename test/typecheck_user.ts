// A user-style fragment: code as someone porting PyTorch scripts writes it against
// `import * as torch from "torch-ts"`, calling the generated op surface (and the Python-level
// torch.nn.functional entries) by the calling rule, with no casts. `npm run typecheck` compiles
// it under strict (tsconfig.check.json includes test/); test/typecheck.test.ts runs it, so it is
// not dead code. Each line is the Python it translates in its comment.
import * as torch from "torch-ts";

const F = torch.nn.functional;

/** The shapes (and a few values) the fragment produces, for the test to check. */
export interface UserRun {
  shapes: Record<string, number[]>;
  correct: number;
  allFinite: boolean;
  topIndex: number;
  solved: number[];
}

/** A tiny attention classifier, an image decoder and a few metrics, over seeded random data. */
export function userOps(): UserRun {
  torch.manualSeed(0);
  return torch.tidy(() => {
    const shapes: Record<string, number[]> = {};
    const batch = 4, seq = 6, dim = 8, vocab = 20, classes = 3;

    // ---- text: embedding, attention, layer norm ----
    const tokens = torch.randint(vocab, [batch, seq]);
    const table = torch.randn(vocab, dim);
    const emb = F.embedding(tokens, table); // F.embedding(tokens, table)
    const h = F.layerNorm(emb, [dim]); // F.layer_norm(emb, (dim,))
    const scores = torch.einsum("bsd,btd->bst", h, h).div(Math.sqrt(dim)); // torch.einsum("bsd,btd->bst", h, h)
    const causal = torch.ones(seq, seq).triu(1).gt(0); // torch.ones(seq, seq).triu(1) > 0
    const attn = scores.maskedFill(causal, -Infinity).softmax(-1); // scores.masked_fill(causal, -inf).softmax(-1)
    const ctx = attn.bmm(h); // attn.bmm(h)
    shapes.ctx = ctx.shape;
    const pooled = ctx.sum(1, { keepdim: true }).squeeze(1); // ctx.sum(1, keepdim=True).squeeze(1)
    const w = torch.randn(dim, classes);
    const logits = pooled.matmul(w);
    shapes.logits = logits.shape;

    // ---- metrics: topk with named returns, sort, gather, one_hot, scatter_add ----
    const labels = torch.tensor([0n, 2n, 1n, 2n]);
    const top = logits.topk(2); // logits.topk(2)
    const [topValues] = top;
    shapes.topValues = topValues.shape;
    const topIndex = top.indices.index(0, 0).item(); // top.indices[0, 0].item()
    const best = logits.topk(1, { dim: 1 }).indices.squeeze(1); // logits.topk(1, dim=1).indices.squeeze(1)
    let correct = 0;
    correct += best.eq(labels).sum().item(); // correct += (best == labels).sum().item()
    const { values: sorted, indices: order } = logits.sort(1, true); // logits.sort(1, True)
    shapes.sorted = sorted.shape;
    const picked = logits.gather(1, labels.unsqueeze(1)); // logits.gather(1, labels[:, None])
    shapes.picked = picked.shape;
    const onehot = F.oneHot(labels, classes); // F.one_hot(labels, classes)
    shapes.onehot = onehot.shape;
    const counts = torch.zeros([classes]).scatterAdd(0, labels, torch.ones(batch)); // torch.zeros(classes).scatter_add(0, labels, torch.ones(batch))
    shapes.counts = counts.shape;
    const ranks = order.argsort(1); // order.argsort(1)
    shapes.ranks = ranks.shape;
    const running = logits.cumsum(0); // logits.cumsum(0)
    const shifted = running.roll(1, 0); // running.roll(1, 0)
    const tiled = shifted.repeat(2, 1); // shifted.repeat(2, 1)
    shapes.tiled = tiled.shape;
    const lse = torch.logsumexp(logits, [1]); // torch.logsumexp(logits, (1,))
    const peak = logits.amax(1, { keepdim: true }); // logits.amax(1, keepdim=True)
    shapes.lse = lse.shape;
    shapes.peak = peak.shape;
    const allFinite = logits.isfinite().all().item(); // logits.isfinite().all().item()

    // ---- images: conv1d, conv_transpose2d, group_norm, pad, interpolate ----
    const signal = torch.randn(batch, 2, 16);
    const conv = F.conv1d(signal, torch.randn(5, 2, 3), { padding: 1 }); // F.conv1d(signal, w, padding=1)
    shapes.conv = conv.shape;
    const feat = torch.randn(batch, 4, 5, 5);
    const up = F.convTranspose2d(feat, torch.randn(4, 6, 2, 2), { stride: 2 }); // F.conv_transpose2d(feat, w, stride=2)
    shapes.up = up.shape;
    const normed = F.groupNorm(up, 2); // F.group_norm(up, 2)
    const padded = F.pad(normed, [1, 1, 2, 2]); // F.pad(normed, (1, 1, 2, 2))
    shapes.padded = padded.shape;
    const resized = F.interpolate(padded, { size: [7, 7], mode: "bilinear", alignCorners: false }); // F.interpolate(padded, size=(7, 7), mode="bilinear", align_corners=False)
    shapes.resized = resized.shape;
    const flipped = resized.flip(2, 3); // resized.flip(2, 3)
    const halves = flipped.chunk(2, { dim: 1 }); // flipped.chunk(2, dim=1)
    shapes.half = halves[0].shape;

    // ---- linalg, fft, special ----
    const a = torch.tensor([[3, 1], [1, 2]]);
    const b = torch.tensor([9, 8]);
    const solved = torch.linalg.solve(a, b); // torch.linalg.solve(a, b)
    const inv = torch.linalg.inv(a); // torch.linalg.inv(a)
    shapes.inv = inv.shape;
    const det = torch.linalg.det(a).item(); // torch.linalg.det(a).item()
    if (!(det > 0)) throw new Error(`det ${det}`);
    const spectrum = torch.fft.rfft(signal, { dim: -1 }).abs(); // torch.fft.rfft(signal, dim=-1).abs()
    shapes.spectrum = spectrum.shape;
    const gate = torch.special.expit(logits); // torch.special.expit(logits)
    const [gx, gy] = torch.meshgrid(torch.arange(3), torch.arange(2), { indexing: "ij" }); // torch.meshgrid(torch.arange(3), torch.arange(2), indexing="ij")
    shapes.grid = gx.shape;
    shapes.gridY = gy.shape;
    const outer = torch.arange(3).outer(torch.arange(2)); // torch.arange(3).outer(torch.arange(2))
    shapes.outer = outer.shape;
    const eye = torch.eye(3, { requiresGrad: true }); // torch.eye(3, requires_grad=True)
    eye.mul(2).diagonal().sum().backward(); // eye.mul(2).diagonal().sum().backward()
    shapes.eyeGrad = eye.grad!.shape;
    const d = gate.diff({ dim: 1 }); // gate.diff(dim=1)
    shapes.diff = d.shape;
    const clipped = gate.clampMin(0.25).tril(); // gate.clamp_min(0.25).tril()
    shapes.clipped = clipped.shape;
    return { shapes, correct, allFinite, topIndex, solved: [solved.index(0).item(), solved.index(1).item()] };
  });
}
