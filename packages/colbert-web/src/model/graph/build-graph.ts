import type { Backbone, Checkpoint } from '../checkpoint.js';
import { bertGraph } from './bert-graph.js';
import { denseGraph } from './dense-graph.js';
import { GraphBuilder } from './graph-builder.js';
import { modernBertGraph } from './modernbert-graph.js';
import { OnnxDataType, attr } from './onnx-proto.js';

/** Graph input: token ids, int64 [batch, seq]. */
export const INPUT_IDS = 'input_ids';
/** Graph input: 1 for keys that may be attended, 0 for padding / query expansion; int64 [batch, seq]. */
export const ATTENTION_MASK = 'attention_mask';
/** Graph output: L2-normalised token embeddings, float32 [batch, seq, dim]. */
export const EMBEDDINGS = 'embeddings';

/** Tensor names a backbone builder starts from. */
export interface EncoderGraphInputs {
  /** int64 [batch, seq]. */
  readonly inputIds: string;
  /** int64 [batch, seq]. */
  readonly attentionMask: string;
  /**
   * float32 [batch, 1, 1, seq], added to attention scores: 0 for attended keys, f32 min for masked ones
   * (Hugging Face's `(1 − mask)·finfo.min`), so masked keys get exactly zero softmax weight.
   */
  readonly keyMaskBias: string;
}

/** Knobs of the graph that do not change its result beyond float rounding (tests use them to reach every path). */
export interface EncoderGraphOptions {
  /**
   * ModernBERT: the most queries per chunk of the banded sliding-window attention (default
   * max(256, 2·local_attention)); see `modernBertGraph` for the memory this bounds.
   */
  readonly localAttentionChunk?: number;
}

/** Adds a backbone to the graph and returns its last hidden state, float32 [batch, seq, hidden]. */
export type BackboneGraph<B extends Backbone> = (builder: GraphBuilder, backbone: B, inputs: EncoderGraphInputs, options: EncoderGraphOptions) => string;

/** One graph builder per backbone kind; a new architecture is a new file and one entry here. */
const BACKBONE_GRAPHS: { readonly [K in Backbone['kind']]: BackboneGraph<Extract<Backbone, { kind: K }>> } = {
  bert: bertGraph,
  modernbert: modernBertGraph,
};

/** The most negative float32, -3.4028234663852886e38. */
const F32_MIN = -3.4028234663852886e38;

/**
 * Builds the ONNX model for a checkpoint: backbone, Dense stack and L2 normalisation, with inputs
 * `input_ids` and `attention_mask` (int64 [batch, seq]) and output `embeddings` (float32 [batch, seq, dim]).
 * Batch and sequence length are symbolic; seq must not exceed the backbone's max_position_embeddings (loadCheckpoint
 * checks that query_length and document_length do not).
 *
 * The weights are copied once, into the returned bytes.
 *
 * @example
 * const session = await ort.InferenceSession.create(buildEncoderGraph(checkpoint));
 * const { embeddings } = await session.run({ input_ids: ids, attention_mask: mask });
 */
export function buildEncoderGraph(checkpoint: Checkpoint, options: EncoderGraphOptions = {}): Uint8Array {
  const g = new GraphBuilder(`colbert-${checkpoint.backbone.kind}`);
  const inputIds = g.input(INPUT_IDS, OnnxDataType.Int64, ['batch', 'sequence']);
  const attentionMask = g.input(ATTENTION_MASK, OnnxDataType.Int64, ['batch', 'sequence']);

  // (1 − mask)·f32min, shaped [B, 1, 1, L] to broadcast over heads and query positions.
  const notAttended = g.op('Sub', [g.float32([1], []), g.op('Cast', [attentionMask], { to: attr.int(OnnxDataType.Float) })]);
  const bias = g.op('Mul', [notAttended, g.float32([F32_MIN], [])]);
  const keyMaskBias = g.op('Unsqueeze', [bias, g.int64([1, 2])], {}, { name: 'key_mask_bias' });

  const backbone = checkpoint.backbone;
  const hidden = (BACKBONE_GRAPHS[backbone.kind] as BackboneGraph<typeof backbone>)(g, backbone, { inputIds, attentionMask, keyMaskBias }, options);
  const embeddings = denseGraph(g, checkpoint.dense, hidden);
  g.output(embeddings, EMBEDDINGS, OnnxDataType.Float, ['batch', 'sequence', checkpoint.dim]);
  return g.build();
}
