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
  /** BERT: int64 [batch, seq] token types; absent, every token is type 0 (a constant row). ModernBERT has none. */
  readonly tokenTypeIds?: string;
}

/** Knobs of the graph that do not change its result beyond float rounding (tests use them to reach every path). */
export interface EncoderGraphOptions {
  /**
   * ModernBERT: the most queries per chunk of the banded sliding-window attention (default
   * max(256, 2·local_attention)); see `modernBertGraph` for the memory this bounds.
   */
  readonly localAttentionChunk?: number;
  /**
   * Linears whose checkpoint weights are int8 rows (`optimize-model --weights int8`) run as DynamicQuantizeLinear +
   * MatMulInteger (int8 compute) instead of a float32 Gemm of the dequantised weights. Only for CPU backends
   * (onnxruntime-web WASM, onnxruntime-node): WebGPU has no MatMulInteger kernel. Default false.
   */
  readonly int8Compute?: boolean;
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
  const hidden = backboneGraph(g, checkpoint.backbone, { inputIds, attentionMask }, options);
  const embeddings = denseGraph(g, checkpoint.dense, hidden);
  g.output(embeddings, EMBEDDINGS, OnnxDataType.Float, ['batch', 'sequence', checkpoint.dim]);
  return g.build();
}

/**
 * Whether any of the backbone's Linears is stored as int8 rows (an `optimize-model --weights int8` checkpoint), so
 * that `int8Compute` changes the graph.
 *
 * @example
 * const int8Compute = backend !== 'webgpu' && hasInt8Linears(checkpoint.backbone);
 */
export function hasInt8Linears(backbone: Backbone): boolean {
  return backbone.weights.layers.some((layer: object) => Object.values(layer).some((part) => (part as { int8?: unknown } | undefined)?.int8 !== undefined));
}

/**
 * Adds a backbone, and the attention key mask it needs, to a graph whose token inputs are already declared;
 * returns its last hidden state, float32 [batch, seq, hidden]. `buildEncoderGraph` is this plus the Dense head;
 * tools that write backbone-only models (the fixture generator's Hugging Face–style ONNX exports) use it alone.
 *
 * @example
 * const g = new GraphBuilder('bert-export');
 * const inputIds = g.input('input_ids', OnnxDataType.Int64, ['batch_size', 'sequence_length']);
 * const attentionMask = g.input('attention_mask', OnnxDataType.Int64, ['batch_size', 'sequence_length']);
 * g.output(backboneGraph(g, checkpoint.backbone, { inputIds, attentionMask }), 'last_hidden_state', OnnxDataType.Float, ['batch_size', 'sequence_length', 128]);
 */
export function backboneGraph(g: GraphBuilder, backbone: Backbone, inputs: Omit<EncoderGraphInputs, 'keyMaskBias'>, options: EncoderGraphOptions = {}): string {
  // f32min where the mask is 0, 0 where it is 1, shaped [B, 1, 1, L] to broadcast over heads and query positions.
  // A lookup rather than (1 − mask)·f32min: the WebGPU EP has no int64 Cast, which would put a node on the CPU.
  const bias = g.op('Gather', [g.float32([F32_MIN, 0], [2]), inputs.attentionMask]);
  const keyMaskBias = g.op('Unsqueeze', [bias, g.int64([1, 2])], {}, { name: 'key_mask_bias' });
  return (BACKBONE_GRAPHS[backbone.kind] as BackboneGraph<typeof backbone>)(g, backbone, { ...inputs, keyMaskBias }, options);
}
