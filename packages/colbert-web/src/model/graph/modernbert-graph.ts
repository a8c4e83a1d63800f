import { ColbertError, ErrorCode } from '../../errors.js';
import type { ModernBertBackbone, ModernBertConfig, OptionalBiasNorm } from '../modernbert.js';
import type { EncoderGraphInputs, EncoderGraphOptions } from './build-graph.js';
import type { GraphBuilder } from './graph-builder.js';
import { geluErf } from './graph-builder.js';
import { linearNode } from './linear-node.js';
import { attr } from './onnx-proto.js';

/**
 * Adds a ModernBERT encoder (Hugging Face `ModernBertModel`, fixtures README §6.3) to the graph and returns
 * its last hidden state, float32 [batch, seq, hidden]: token embeddings + LayerNorm, then pre-norm layers
 * (fused Wqkv, rotary embeddings, global or sliding-window attention, GeGLU MLP), then the final norm.
 *
 * Memory of the attention, per forward pass of B sequences of L tokens, h heads (float32):
 * - global layers materialise the full score matrix, B·h·L² floats, and its softmax; the encoder's
 *   maxBatchTokens (B·L ≤ 8,192 by default) bounds that by h·8,192·L (at 2,000 tokens and 6 heads, 390 MB).
 *   One 8,192-token sequence with 12 heads needs 3.2 GB per score tensor, beyond WASM's 4 GB once the softmax
 *   copy is counted: encode such documents in `longDocuments: 'split'` windows;
 * - local layers never build an L×L matrix. Queries are cut into n = ⌈L / C⌉ chunks of c = ⌈L / n⌉ rows
 *   (C = `localAttentionChunk`, default max(256, 2·local_attention)); chunk i attends to the c + 2p keys
 *   around it (p = min(⌊local_attention/2⌋, (n−1)·c)), gathered from K and V padded by p on each side. Scores
 *   are B·h·n·c·(c + 2p) ≤ B·h·(L + n)·(C + local_attention) floats: linear in L (at 8,192 tokens, 12 heads and a
 *   128 window, 150 MB instead of 3.2 GB). The window and padding mask is one shared tensor of
 *   B·n·c·(c + 2p) floats, computed once per forward pass and used by every local layer. A sequence up to C
 *   tokens is a single chunk with p = 0, which is exactly the dense computation.
 *
 * Masking: keys of padding / expansion positions get f32 min added, as in BERT. Keys outside the window get
 * −∞, so a query whose window holds no attended key (a `[MASK]` row with a window narrower than the query,
 * or a batch `[PAD]` row) spreads its attention over its window, as the reference does (README §6.3).
 *
 * Hidden states stay 2-D [batch·seq, hidden] between layers so every Linear is one `Gemm` with `transB = 1`
 * on the checkpoint's [out, in] weights.
 *
 * @example
 * const hidden = modernBertGraph(builder, checkpoint.backbone, inputs);
 */
export function modernBertGraph(g: GraphBuilder, backbone: ModernBertBackbone, inputs: EncoderGraphInputs, options: EncoderGraphOptions = {}): string {
  const linear = { int8Compute: options.int8Compute };
  const { config, weights } = backbone;
  const h = config.hiddenSize;
  const heads = config.numHeads;
  const headDim = h / heads;
  const eps = config.normEps;

  const tokens = g.op('Gather', [g.addInitializer('embeddings.tok_embeddings.weight', weights.wordEmbeddings, [config.vocabSize, h]), inputs.inputIds], { axis: attr.int(0) }, { name: 'tok_embeddings' });
  let x = layerNorm(g, g.op('Reshape', [tokens, g.int64([-1, h])]), weights.embeddingNorm, eps, 'embeddings.norm');

  const batchSeq = g.op('Shape', [inputs.inputIds], {}, { name: 'batch_seq' });
  const seqLength = g.op('Shape', [inputs.inputIds], { start: attr.int(1), end: attr.int(2) }, { name: 'seq_length' });
  const qkvShape = g.op('Concat', [batchSeq, g.int64([3 * heads, headDim])], { axis: attr.int(0) }, { name: 'qkv_shape' });
  const scale = g.float32([Math.sqrt(headDim)], []);
  const rotary = new RotaryTables(g, config, seqLength);
  const anyLocal = config.layerIsGlobal.some((global) => !global);
  const local = anyLocal ? localAttentionPlan(g, config, inputs, seqLength, options.localAttentionChunk) : undefined;

  weights.layers.forEach((layer, i) => {
    const p = `layers.${i}`;
    const isGlobal = config.layerIsGlobal[i]!;
    const normed = layer.attentionNorm ? layerNorm(g, x, layer.attentionNorm, eps, `${p}.attn_norm`) : x;
    const qkv = linearNode(g, normed, [layer.qkv], `${p}.attn.Wqkv`, linear);
    // [N, 3H] → [B, L, 3·heads, d] → [B, 3·heads, L, d]: heads 0..n-1 are Q, n..2n-1 K, 2n..3n-1 V.
    const qkvHeads = g.op('Transpose', [g.op('Reshape', [qkv, qkvShape])], { perm: attr.ints([0, 2, 1, 3]) });
    const [qk, v] = g.addNode('Split', [qkvHeads, g.int64([2 * heads, heads])], { axis: attr.int(1) }, { outputs: 2, name: `${p}.attn.qk_v` }) as [string, string];
    const rotated = rotary.apply(qk, isGlobal ? config.globalRopeTheta : config.localRopeTheta, `${p}.attn.rotary`);
    const [q, k] = g.addNode('Split', [rotated, g.int64([heads, heads])], { axis: attr.int(1) }, { outputs: 2, name: `${p}.attn.q_k` }) as [string, string];
    const context = isGlobal ? globalAttention(g, q, k, v, scale, inputs.keyMaskBias, p) : local!.attend(q, k, v, scale, p);
    // [B, heads, L, d] → [B, L, heads, d] → [N, H]: heads concatenated in order.
    const merged = g.op('Reshape', [g.op('Transpose', [context], { perm: attr.ints([0, 2, 1, 3]) }), g.int64([-1, h])], {}, { name: `${p}.attn.context` });
    x = g.op('Add', [x, linearNode(g, merged, [layer.attentionOutput], `${p}.attn.Wo`, linear)], {}, { name: `${p}.attn.residual` });

    // GeGLU: the first I outputs of Wi go through GELU, the second I are the gate.
    const inner = linearNode(g, layerNorm(g, x, layer.mlpNorm, eps, `${p}.mlp_norm`), [layer.mlpIn], `${p}.mlp.Wi`, linear);
    const inter = config.intermediateSize;
    const [input, gate] = g.addNode('Split', [inner, g.int64([inter, inter])], { axis: attr.int(1) }, { outputs: 2, name: `${p}.mlp.input_gate` }) as [string, string];
    const gated = g.op('Mul', [geluErf(g, input), gate], {}, { name: `${p}.mlp.gated` });
    x = g.op('Add', [x, linearNode(g, gated, [layer.mlpOut], `${p}.mlp.Wo`, linear)], {}, { name: `${p}.mlp.residual` });
  });

  const final = layerNorm(g, x, weights.finalNorm, eps, 'final_norm');
  const outputShape = g.op('Concat', [batchSeq, g.int64([h])], { axis: attr.int(0) }, { name: 'hidden_shape' });
  return g.op('Reshape', [final, outputShape], {}, { name: 'last_hidden_state' });
}

/** Full attention: softmax(Q·Kᵀ/√d + key mask)·V over [B, heads, L, d]. */
function globalAttention(g: GraphBuilder, q: string, k: string, v: string, scale: string, keyMaskBias: string, p: string): string {
  const kT = g.op('Transpose', [k], { perm: attr.ints([0, 1, 3, 2]) });
  const scores = g.op('Add', [g.op('Div', [g.op('MatMul', [q, kT]), scale]), keyMaskBias], {}, { name: `${p}.attn.scores` });
  return g.op('MatMul', [g.op('Softmax', [scores], { axis: attr.int(-1) }), v]);
}

/**
 * Rotary embedding, rotate-half layout: x' = x·cos + swap(x)·sin±, where swap exchanges the two halves of each
 * head and sin± is −sin on the first half and +sin on the second, so x'[k] = x[k]·cos − x[k+d/2]·sin and
 * x'[k+d/2] = x[k+d/2]·cos + x[k]·sin. The tables have max_position_embeddings rows (angles in float64,
 * rounded to float32) and are sliced to the sequence length once per base and forward pass.
 */
class RotaryTables {
  private readonly tables = new Map<number, { cos: string; sin: string }>();

  constructor(
    private readonly g: GraphBuilder,
    private readonly config: ModernBertConfig,
    private readonly seqLength: string,
  ) {}

  /** Rotates Q and K together: `qk` is [B, 2·heads, L, d]. */
  apply(qk: string, base: number, name: string): string {
    const g = this.g;
    const half = this.config.hiddenSize / this.config.numHeads / 2;
    const { cos, sin } = this.table(base);
    const [first, second] = g.addNode('Split', [qk, g.int64([half, half])], { axis: attr.int(-1) }, { outputs: 2, name: `${name}.halves` }) as [string, string];
    const swapped = g.op('Concat', [second, first], { axis: attr.int(-1) });
    return g.op('Add', [g.op('Mul', [qk, cos]), g.op('Mul', [swapped, sin])], {}, { name });
  }

  private table(base: number): { cos: string; sin: string } {
    let table = this.tables.get(base);
    if (table === undefined) {
      const g = this.g;
      const { cos, sin } = rotaryTables(base, this.config.maxPositions, this.config.hiddenSize / this.config.numHeads);
      const dims = [this.config.maxPositions, this.config.hiddenSize / this.config.numHeads];
      const slice = (tensor: string, name: string): string => g.op('Slice', [tensor, g.int64([0]), this.seqLength, g.int64([0])], {}, { name });
      table = {
        cos: slice(g.addInitializer(`rotary.${base}.cos`, cos, dims), `rotary.${base}.cos_l`),
        sin: slice(g.addInitializer(`rotary.${base}.sin_signed`, sin, dims), `rotary.${base}.sin_signed_l`),
      };
      this.tables.set(base, table);
    }
    return table;
  }
}

/**
 * cos and signed sin tables [positions, d]: entry (t, i) uses angle t·θ_k with k = i mod d/2 and
 * θ_k = base^(−2k/d), computed in float64 and rounded to float32; the sin table is negated on i < d/2.
 *
 * @example
 * const { cos, sin } = rotaryTables(10_000, 512, 32);
 */
export function rotaryTables(base: number, positions: number, headDim: number): { cos: Float32Array; sin: Float32Array } {
  const half = headDim / 2;
  const cos = new Float32Array(positions * headDim);
  const sin = new Float32Array(positions * headDim);
  const inverse = Array.from({ length: half }, (_, k) => base ** ((-2 * k) / headDim));
  for (let t = 0; t < positions; t++) {
    for (let k = 0; k < half; k++) {
      const angle = t * inverse[k]!;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[t * headDim + k] = c;
      cos[t * headDim + half + k] = c;
      sin[t * headDim + k] = -s;
      sin[t * headDim + half + k] = s;
    }
  }
  return { cos, sin };
}

/** The shared part of every local layer: chunk geometry, key indices and the window + padding mask. */
interface LocalAttentionPlan {
  /** Sliding-window attention of [B, heads, L, d] tensors; returns [B, heads, L, d]. */
  attend(q: string, k: string, v: string, scale: string, name: string): string;
}

/**
 * Builds, once per forward pass, what the banded local attention needs (see {@link modernBertGraph}):
 * n chunks of c queries, each with c + 2p keys. All sizes are computed in the graph from the sequence length.
 */
function localAttentionPlan(g: GraphBuilder, config: ModernBertConfig, inputs: EncoderGraphInputs, seqLength: string, chunkOption: number | undefined): LocalAttentionPlan {
  const window = Math.floor(config.localAttention / 2);
  const maxChunk = chunkOption ?? Math.max(256, 2 * config.localAttention);
  if (!Number.isSafeInteger(maxChunk) || maxChunk < 1) {
    throw new ColbertError(ErrorCode.InvalidInput, `localAttentionChunk must be a positive integer (got ${String(chunkOption)}).`, { subject: 'localAttentionChunk' });
  }
  const scalar = (value: number): string => g.int64([value], []);
  const oneD = (s: string): string => g.op('Unsqueeze', [s, g.int64([0])]);
  const headDim = config.hiddenSize / config.numHeads;

  // n = ⌈L / C⌉ chunks of c = ⌈L / n⌉ queries (padded to n·c); p = min(window, (n − 1)·c) keys of context each side.
  const length = g.op('Squeeze', [seqLength, g.int64([0])], {}, { name: 'local.length' });
  const chunks = g.op('Div', [g.op('Add', [length, scalar(maxChunk - 1)]), scalar(maxChunk)], {}, { name: 'local.chunks' });
  const chunk = g.op('Div', [g.op('Add', [length, g.op('Sub', [chunks, scalar(1)])]), chunks], {}, { name: 'local.chunk' });
  const queryPad = g.op('Sub', [g.op('Mul', [chunks, chunk]), length], {}, { name: 'local.query_pad' });
  const context = g.op('Min', [scalar(window), g.op('Mul', [g.op('Sub', [chunks, scalar(1)]), chunk])], {}, { name: 'local.context' });
  const span = g.op('Add', [chunk, g.op('Mul', [context, scalar(2)])], {}, { name: 'local.span' });
  const keyEndPad = g.op('Add', [context, queryPad]);

  // Key index of (chunk i, slot j) in the padded sequence: i·c + j, for j < c + 2p.
  const range = (limit: string, name: string): string => g.op('Range', [scalar(0), limit, scalar(1)], {}, { name });
  const chunkStarts = g.op('Unsqueeze', [g.op('Mul', [range(chunks, 'local.chunk_index'), chunk]), g.int64([1])]);
  const slots = g.op('Unsqueeze', [range(span, 'local.slot'), g.int64([0])]);
  const keyIndex = g.op('Add', [chunkStarts, slots], {}, { name: 'local.key_index' });

  // Window mask [c, c + 2p]: query slot r of a chunk sits at padded index r + p, key slot j at j.
  const querySlots = g.op('Unsqueeze', [range(chunk, 'local.query_slot'), g.int64([1])]);
  const distance = g.op('Abs', [g.op('Sub', [g.op('Sub', [slots, context]), querySlots])]);
  const windowBias = g.op('Where', [g.op('Greater', [distance, scalar(window)]), g.float32([-Infinity], []), g.float32([0], [])], {}, { name: 'local.window_bias' });
  // Key padding mask [B, 1, n, 1, c + 2p]: f32 min for padding keys, −∞ past either end of the sequence.
  const keyBias = g.op('Squeeze', [inputs.keyMaskBias, g.int64([1, 2])]);
  const keyBiasPadded = g.op('Pad', [keyBias, g.op('Concat', [g.int64([0]), oneD(context), g.int64([0]), oneD(keyEndPad)], { axis: attr.int(0) }), g.float32([-Infinity], [])]);
  const chunkKeyBias = g.op('Unsqueeze', [g.op('Gather', [keyBiasPadded, keyIndex], { axis: attr.int(1) }), g.int64([1, 3])]);
  const bias = g.op('Add', [windowBias, chunkKeyBias], {}, { name: 'local.bias' });

  const queryPads = g.op('Concat', [g.int64([0, 0, 0, 0, 0, 0]), oneD(queryPad), g.int64([0])], { axis: attr.int(0) }, { name: 'local.query_pads' });
  const keyPads = g.op('Concat', [g.int64([0, 0]), oneD(context), g.int64([0, 0, 0]), oneD(keyEndPad), g.int64([0])], { axis: attr.int(0) }, { name: 'local.key_pads' });
  const chunkShape = g.op('Concat', [g.int64([0, 0]), oneD(chunks), oneD(chunk), g.int64([headDim])], { axis: attr.int(0) }, { name: 'local.chunk_shape' });
  const gatherKeys = (t: string): string => g.op('Gather', [g.op('Pad', [t, keyPads]), keyIndex], { axis: attr.int(2) });

  return {
    attend(q, k, v, scale, name) {
      const queries = g.op('Reshape', [g.op('Pad', [q, queryPads]), chunkShape], {}, { name: `${name}.attn.query_chunks` });
      const keysT = g.op('Transpose', [gatherKeys(k)], { perm: attr.ints([0, 1, 2, 4, 3]) });
      const scores = g.op('Add', [g.op('Div', [g.op('MatMul', [queries, keysT]), scale]), bias], {}, { name: `${name}.attn.scores` });
      const out = g.op('MatMul', [g.op('Softmax', [scores], { axis: attr.int(-1) }), gatherKeys(v)]);
      const unchunked = g.op('Reshape', [out, g.int64([0, 0, -1, headDim])]);
      return g.op('Slice', [unchunked, g.int64([0]), seqLength, g.int64([2])], {}, { name: `${name}.attn.local_context` });
    },
  };
}

/** LayerNorm with weight and, when the checkpoint has none (norm_bias false), a shared zero bias. */
function layerNorm(g: GraphBuilder, x: string, norm: OptionalBiasNorm, eps: number, name: string): string {
  const h = norm.weight.length;
  const scale = g.addInitializer(`${name}.weight`, norm.weight, [h]);
  const bias = norm.bias ? g.addInitializer(`${name}.bias`, norm.bias, [h]) : g.float32(new Array<number>(h).fill(0));
  return g.op('LayerNormalization', [x, scale, bias], { axis: attr.int(-1), epsilon: attr.float(eps) }, { name });
}
