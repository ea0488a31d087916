// The cases of test/nn_transformer.test.ts, sent as they are to test/reference/nn_transformer.py:
// Python's keyword arguments (snake_case; the test turns them into torch-ts options), the inputs
// by spec (Python makes them from a seeded generator and sends them back), and the call by input
// names, so self-attention passes one tensor three times on both sides.
export type InputSpec = { kind?: "randn" | "bool" | "lengths" | "float" | "float_inf" | "uint8" | "int" | "causal"; shape?: number[]; grad?: boolean; p?: number; size?: number; lengths?: number[]; float?: boolean };
export interface Case {
  kind: "mha" | "encoder_layer" | "decoder_layer" | "encoder" | "decoder" | "transformer";
  init?: Record<string, unknown>;
  layer?: Record<string, unknown>;
  num_layers?: number;
  norm?: boolean;
  seed: number;
  dtype?: "float32" | "float64";
  train?: boolean;
  no_grad?: boolean;
  grad?: boolean;
  functional?: boolean;
  inputs: Record<string, InputSpec>;
  args: unknown[];
  kwargs?: Record<string, unknown>;
}

export const E = 8;
const x = (...shape: number[]): InputSpec => ({ shape });
const mha = (init: Record<string, unknown>) => ({ embed_dim: E, num_heads: 2, ...init });
const layer = (init: Record<string, unknown> = {}) => ({ d_model: E, nhead: 2, dim_feedforward: 16, ...init });

export const CASES: Record<string, Case> = {
  "MHA self-attention (L, N, E), averaged weights": { kind: "mha", init: mha({}), seed: 1, inputs: { x: x(4, 3, E) }, args: ["x", "x", "x"] },
  "MHA batch_first, bool key_padding_mask, float 2-D attn_mask": {
    kind: "mha", init: mha({ batch_first: true }), seed: 2,
    inputs: { x: x(3, 5, E), kpm: { kind: "bool", shape: [3, 5] }, am: { kind: "float", shape: [5, 5] } },
    args: ["x", "x", "x"], kwargs: { key_padding_mask: "kpm", attn_mask: "am" },
  },
  "MHA cross-attention with kdim/vdim (separate projections), no bias, per-head weights": {
    kind: "mha", init: mha({ kdim: 6, vdim: 5, bias: false }), seed: 3,
    inputs: { q: x(4, 2, E), k: x(6, 2, 6), v: x(6, 2, 5), am: { kind: "bool", shape: [4, 6] } },
    args: ["q", "k", "v"], kwargs: { attn_mask: "am", average_attn_weights: false },
  },
  "MHA add_bias_kv + add_zero_attn, bool 3-D attn_mask and bool key_padding_mask": {
    kind: "mha", init: mha({ add_bias_kv: true, add_zero_attn: true }), seed: 4,
    inputs: { q: x(4, 2, E), kv: x(5, 2, E), am: { kind: "bool", shape: [4, 4, 5] }, kpm: { kind: "bool", shape: [2, 5] } },
    args: ["q", "kv", "kv"], kwargs: { attn_mask: "am", key_padding_mask: "kpm" },
  },
  "MHA add_bias_kv, float attn_mask with -inf entries, bool key_padding_mask": {
    kind: "mha", init: mha({ add_bias_kv: true, num_heads: 4 }), seed: 5,
    inputs: { x: x(5, 2, E), am: { kind: "float_inf", shape: [5, 5] }, kpm: { kind: "bool", shape: [2, 5] } },
    args: ["x", "x", "x"], kwargs: { attn_mask: "am", key_padding_mask: "kpm" },
  },
  "MHA float key_padding_mask alone (added to the scores), batch_first": {
    kind: "mha", init: mha({ batch_first: true }), seed: 14,
    inputs: { x: x(2, 5, E), kpm: { kind: "float_inf", shape: [2, 5] } }, args: ["x", "x", "x"], kwargs: { key_padding_mask: "kpm" },
  },
  "MHA unbatched (L, E), bool 3-D attn_mask per head, 1-D float key_padding_mask": {
    kind: "mha", init: mha({}), seed: 6,
    inputs: { q: x(3, E), k: x(4, E), v: x(4, E), am: { kind: "bool", shape: [2, 3, 4] }, kpm: { kind: "float", shape: [4] } },
    args: ["q", "k", "v"], kwargs: { attn_mask: "am", key_padding_mask: "kpm", average_attn_weights: false },
  },
  "MHA need_weights false, float64": { kind: "mha", init: mha({ add_zero_attn: true }), dtype: "float64", seed: 7, inputs: { x: x(4, 2, E) }, args: ["x", "x", "x"], kwargs: { need_weights: false } },
  "MHA dropout 0.3 in training, after the same seed": { kind: "mha", init: mha({ dropout: 0.3 }), train: true, seed: 8, inputs: { x: x(5, 2, E) }, args: ["x", "x", "x"] },
  "MHA byte (uint8) attn_mask, as Python's deprecated form": {
    kind: "mha", init: mha({}), seed: 9, inputs: { x: x(4, 2, E), am: { kind: "uint8", shape: [4, 4] } }, args: ["x", "x", "x"], kwargs: { attn_mask: "am" },
  },
  "MHA eval under no_grad (Python's fast path), batch_first, key_padding_mask": {
    kind: "mha", init: mha({ batch_first: true }), seed: 10, no_grad: true,
    inputs: { x: x(2, 5, E), kpm: { kind: "bool", shape: [2, 5] } }, args: ["x", "x", "x"], kwargs: { key_padding_mask: "kpm" },
  },
  "MHA batch_first encoder-decoder attention (key is value)": {
    kind: "mha", init: mha({ batch_first: true }), seed: 11, inputs: { q: x(2, 3, E), kv: x(2, 6, E) }, args: ["q", "kv", "kv"],
  },
  "F.multi_head_attention_forward, packed weights, distinct q/k/v, training dropout": {
    kind: "mha", init: mha({ dropout: 0.2 }), functional: true, train: true, seed: 12,
    inputs: { q: x(3, 2, E), k: x(4, 2, E), v: x(4, 2, E), kpm: { kind: "bool", shape: [2, 4] } },
    args: ["q", "k", "v"], kwargs: { key_padding_mask: "kpm", average_attn_weights: false },
  },
  "F.multi_head_attention_forward, separate weights, unbatched": {
    kind: "mha", init: mha({ kdim: 3, vdim: 7 }), functional: true, seed: 13,
    inputs: { q: x(3, E), k: x(5, 3), v: x(5, 7) }, args: ["q", "k", "v"], kwargs: { need_weights: true },
  },
  "F.multi_head_attention_forward with static_k / static_v and add_zero_attn": {
    kind: "mha", init: mha({ add_zero_attn: true }), functional: true, seed: 15,
    inputs: { q: x(3, 2, E), kv: x(5, 2, E), sk: x(4, 6, 4), sv: x(4, 6, 4), kpm: { kind: "bool", shape: [2, 6] } },
    args: ["q", "kv", "kv"], kwargs: { static_k: "sk", static_v: "sv", key_padding_mask: "kpm" },
  },
  "TransformerEncoderLayer post-norm relu, causal mask and key padding, eval": {
    kind: "encoder_layer", init: layer(), seed: 20,
    inputs: { src: x(5, 2, E), mask: { kind: "causal", size: 5 }, kpm: { kind: "bool", shape: [2, 5] } }, args: ["src", "mask", "kpm"],
  },
  "TransformerEncoderLayer norm_first, gelu, batch_first, dropout 0.2 in training": {
    kind: "encoder_layer", init: layer({ norm_first: true, activation: "gelu", batch_first: true, dropout: 0.2 }), train: true, seed: 21,
    inputs: { src: x(2, 4, E) }, args: ["src"],
  },
  "TransformerEncoderLayer with a function activation (tanh), unbatched, eps 1e-3": {
    kind: "encoder_layer", init: layer({ activation: "tanh_fn", layer_norm_eps: 1e-3 }), seed: 22, inputs: { src: x(4, E) }, args: ["src"],
  },
  "TransformerEncoderLayer with a Module activation (nn.GELU), float64, training": {
    kind: "encoder_layer", init: layer({ activation: "gelu_module" }), dtype: "float64", train: true, seed: 23, inputs: { src: x(3, 2, E) }, args: ["src"],
  },
  "TransformerEncoderLayer eval under no_grad (Python's fast path), batch_first": {
    kind: "encoder_layer", init: layer({ batch_first: true }), no_grad: true, seed: 24,
    inputs: { src: x(2, 5, E), kpm: { kind: "bool", shape: [2, 5] } }, args: ["src"], kwargs: { src_key_padding_mask: "kpm" },
  },
  "TransformerDecoderLayer post-norm, every mask, eval": {
    kind: "decoder_layer", init: layer(), seed: 30,
    inputs: { tgt: x(4, 2, E), mem: x(6, 2, E), tm: { kind: "causal", size: 4 }, mm: { kind: "float", shape: [4, 6] }, tk: { kind: "bool", shape: [2, 4] }, mk: { kind: "bool", shape: [2, 6] } },
    args: ["tgt", "mem"], kwargs: { tgt_mask: "tm", memory_mask: "mm", tgt_key_padding_mask: "tk", memory_key_padding_mask: "mk" },
  },
  "TransformerDecoderLayer norm_first, gelu, batch_first, dropout 0.1 in training": {
    kind: "decoder_layer", init: layer({ norm_first: true, activation: "gelu", batch_first: true }), train: true, seed: 31,
    inputs: { tgt: x(2, 3, E), mem: x(2, 5, E) }, args: ["tgt", "mem"],
  },
  "TransformerEncoder of 2 layers with a final norm, mask and padding, dropout in training": {
    kind: "encoder", layer: layer(), num_layers: 2, norm: true, train: true, seed: 40,
    inputs: { src: x(5, 2, E), mask: { kind: "causal", size: 5 }, kpm: { kind: "bool", shape: [2, 5] } }, args: ["src"], kwargs: { mask: "mask", src_key_padding_mask: "kpm" },
  },
  "TransformerEncoder eval under no_grad, left-aligned padding (Python's nested-tensor path: zeros, cut to the longest)": {
    kind: "encoder", layer: layer({ batch_first: true }), num_layers: 2, norm: true, no_grad: true, seed: 41,
    inputs: { src: x(3, 6, E), kpm: { kind: "lengths", size: 6, lengths: [4, 2, 0] } }, args: ["src"], kwargs: { src_key_padding_mask: "kpm" },
  },
  "TransformerEncoder eval under no_grad, padding not left-aligned (no nested path)": {
    kind: "encoder", layer: layer({ batch_first: true }), num_layers: 1, no_grad: true, seed: 42,
    inputs: { src: x(2, 5, E), kpm: { kind: "bool", shape: [2, 5], p: 0.5 } }, args: ["src"], kwargs: { src_key_padding_mask: "kpm" },
  },
  "TransformerEncoder mask_check false, padding not left-aligned, eval under no_grad (rows taken as their first n positions)": {
    kind: "encoder", layer: layer({ batch_first: true }), num_layers: 1, init: { mask_check: false }, no_grad: true, seed: 44,
    inputs: { src: x(3, 5, E), kpm: { kind: "bool", shape: [3, 5], p: 0.5 } }, args: ["src"], kwargs: { src_key_padding_mask: "kpm" },
  },
  "TransformerEncoder float padding mask (0 / -inf), eval under no_grad, on the nested path": {
    kind: "encoder", layer: layer({ batch_first: true }), num_layers: 2, norm: true, no_grad: true, seed: 45,
    inputs: { src: x(2, 5, E), kpm: { kind: "lengths", size: 5, lengths: [3, 4], float: true } }, args: ["src"], kwargs: { src_key_padding_mask: "kpm" },
  },
  "TransformerEncoder float padding mask of nonzero values, eval under no_grad (all of it is padding on the nested path)": {
    kind: "encoder", layer: layer({ batch_first: true }), num_layers: 1, no_grad: true, seed: 46,
    inputs: { src: x(2, 5, E), kpm: { kind: "float", shape: [2, 5] } }, args: ["src"], kwargs: { src_key_padding_mask: "kpm" },
  },
  "TransformerEncoder enable_nested_tensor false, eval under no_grad": {
    kind: "encoder", layer: layer({ batch_first: true }), num_layers: 1, init: { enable_nested_tensor: false }, no_grad: true, seed: 43,
    inputs: { src: x(2, 5, E), kpm: { kind: "lengths", size: 5, lengths: [3, 4] } }, args: ["src"], kwargs: { src_key_padding_mask: "kpm" },
  },
  "TransformerDecoder of 2 layers with a final norm, masks": {
    kind: "decoder", layer: layer(), num_layers: 2, norm: true, seed: 50,
    inputs: { tgt: x(3, 2, E), mem: x(4, 2, E), tm: { kind: "causal", size: 3 }, mk: { kind: "bool", shape: [2, 4] } },
    args: ["tgt", "mem"], kwargs: { tgt_mask: "tm", memory_key_padding_mask: "mk" },
  },
  "Transformer 2+2 layers, every mask, dropout 0.1 in training": {
    kind: "transformer", init: { d_model: E, nhead: 2, num_encoder_layers: 2, num_decoder_layers: 2, dim_feedforward: 16 }, train: true, seed: 60,
    inputs: { src: x(5, 2, E), tgt: x(4, 2, E), tm: { kind: "causal", size: 4 }, sk: { kind: "bool", shape: [2, 5] }, tk: { kind: "bool", shape: [2, 4] }, mk: { kind: "bool", shape: [2, 5] } },
    args: ["src", "tgt"], kwargs: { tgt_mask: "tm", src_key_padding_mask: "sk", tgt_key_padding_mask: "tk", memory_key_padding_mask: "mk" },
  },
  "Transformer batch_first, norm_first, gelu, float64, eval": {
    kind: "transformer", init: { d_model: E, nhead: 4, num_encoder_layers: 1, num_decoder_layers: 2, dim_feedforward: 12, batch_first: true, norm_first: true, activation: "gelu", dropout: 0.0 },
    dtype: "float64", seed: 61, inputs: { src: x(2, 5, E), tgt: x(2, 3, E), mm: { kind: "float", shape: [3, 5] } }, args: ["src", "tgt"], kwargs: { memory_mask: "mm" },
  },
};

/** Calls PyTorch refuses: the test expects torch-ts to refuse them too, with PyTorch's message. */
export const BAD: Record<string, Case & { error: "TypeError" | "TorchError" }> = {
  "a 4-D query": { kind: "mha", init: mha({}), seed: 0, inputs: { x: x(2, 2, 2, E) }, args: ["x", "x", "x"], error: "TorchError" },
  "a batched query with 2-D key and value": { kind: "mha", init: mha({}), seed: 0, inputs: { q: x(3, 2, E), k: x(3, E) }, args: ["q", "k", "k"], error: "TorchError" },
  "a 1-D key_padding_mask for a batched query": {
    kind: "mha", init: mha({}), seed: 0, inputs: { x: x(3, 2, E), kpm: { kind: "bool", shape: [3] } }, args: ["x", "x", "x"], kwargs: { key_padding_mask: "kpm" }, error: "TorchError",
  },
  "a 2-D attn_mask of the wrong shape": {
    kind: "mha", init: mha({}), seed: 0, inputs: { x: x(4, 2, E), am: { kind: "bool", shape: [3, 3] } }, args: ["x", "x", "x"], kwargs: { attn_mask: "am" }, error: "TorchError",
  },
  "a 3-D attn_mask of the wrong shape": {
    kind: "mha", init: mha({}), seed: 0, inputs: { x: x(4, 2, E), am: { kind: "float", shape: [2, 4, 4] } }, args: ["x", "x", "x"], kwargs: { attn_mask: "am" }, error: "TorchError",
  },
  "an unbatched query with a 3-D attn_mask of the wrong shape": {
    kind: "mha", init: mha({}), seed: 0, inputs: { q: x(3, E), k: x(4, E), am: { kind: "float", shape: [4, 3, 4] } }, args: ["q", "k", "k"], kwargs: { attn_mask: "am" }, error: "TorchError",
  },
  "a query whose embedding is not embed_dim": { kind: "mha", init: mha({}), seed: 0, inputs: { x: x(3, 2, 6) }, args: ["x", "x", "x"], error: "TorchError" },
  "key and value of different shapes": { kind: "mha", init: mha({}), seed: 0, inputs: { q: x(3, 2, E), k: x(5, 2, E), v: x(4, 2, E) }, args: ["q", "k", "v"], error: "TorchError" },
  "a key_padding_mask of the wrong length": {
    kind: "mha", init: mha({}), seed: 0, inputs: { x: x(5, 2, E), kpm: { kind: "bool", shape: [2, 4] } }, args: ["x", "x", "x"], kwargs: { key_padding_mask: "kpm" }, error: "TorchError",
  },
  "an integer key_padding_mask": {
    kind: "mha", init: mha({}), seed: 0, inputs: { x: x(5, 2, E), kpm: { kind: "int", shape: [2, 5] } }, args: ["x", "x", "x"], kwargs: { key_padding_mask: "kpm" }, error: "TypeError",
  },
  "an int64 attn_mask": {
    kind: "mha", init: mha({}), seed: 0, inputs: { x: x(5, 2, E), am: { kind: "int", shape: [5, 5] } }, args: ["x", "x", "x"], kwargs: { attn_mask: "am" }, error: "TypeError",
  },
  "a key of other than kdim features": { kind: "mha", init: mha({ kdim: 6 }), seed: 0, inputs: { q: x(3, 2, E), k: x(4, 2, 5), v: x(4, 2, E) }, args: ["q", "k", "v"], error: "TorchError" },
  "embed_dim not divisible by num_heads": { kind: "mha", init: mha({ num_heads: 3 }), seed: 0, inputs: {}, args: [], error: "TypeError" },
  "an activation other than relu/gelu": { kind: "encoder_layer", init: layer({ activation: "tanh" }), seed: 0, inputs: {}, args: [], error: "TypeError" },
  "an integer src_key_padding_mask to an encoder layer": {
    kind: "encoder_layer", init: layer(), seed: 0, inputs: { src: x(3, 2, E), kpm: { kind: "int", shape: [2, 3] } }, args: ["src"], kwargs: { src_key_padding_mask: "kpm" }, error: "TypeError",
  },
  "src and tgt of different batch sizes": {
    kind: "transformer", init: { d_model: E, nhead: 2, num_encoder_layers: 1, num_decoder_layers: 1, dim_feedforward: 8 }, seed: 0,
    inputs: { src: x(3, 2, E), tgt: x(3, 3, E) }, args: ["src", "tgt"], error: "TorchError",
  },
  "src and tgt of other than d_model features": {
    kind: "transformer", init: { d_model: E, nhead: 2, num_encoder_layers: 1, num_decoder_layers: 1, dim_feedforward: 8, batch_first: true }, seed: 0,
    inputs: { src: x(2, 3, E), tgt: x(2, 3, 4) }, args: ["src", "tgt"], error: "TorchError",
  },
};

