import type { BertBackbone, Norm } from '../bert.js';
import type { EncoderGraphInputs, EncoderGraphOptions } from './build-graph.js';
import type { GraphBuilder } from './graph-builder.js';
import { geluErf } from './graph-builder.js';
import { linearNode } from './linear-node.js';
import { attr } from './onnx-proto.js';

/**
 * Adds a post-LayerNorm BERT encoder (Hugging Face `BertModel`, pooler unused, dropout off) to the graph
 * and returns the name of its last hidden state, float32 [batch, seq, hidden].
 *
 * Hidden states are kept as 2-D [batch·seq, hidden] matrices between layers so every Linear is one node
 * (`linearNode`: a `Gemm` with `transB = 1`, `MatMulNBits` for 4-bit weights, or `MatMulInteger` for int8 ones
 * with `int8Compute`) that takes the checkpoint's
 * [out, in] weights as stored.
 *
 * @example
 * const hidden = bertGraph(builder, checkpoint.backbone, inputs);
 */
export function bertGraph(g: GraphBuilder, backbone: BertBackbone, inputs: EncoderGraphInputs, options: EncoderGraphOptions = {}): string {
  const linear = { int8Compute: options.int8Compute };
  const { config, weights } = backbone;
  const h = config.hiddenSize;
  const heads = config.numHeads;
  const headDim = h / heads;
  const eps = config.layerNormEps;

  // Embeddings: (word[id] + token_type[type]) + position[0..L-1], in the reference's order of additions.
  // The encoder's token types are all 0, so that term is one constant row instead of a Gather.
  const word = g.op('Gather', [g.addInitializer('embeddings.word_embeddings.weight', weights.wordEmbeddings, [config.vocabSize, h]), inputs.inputIds], { axis: attr.int(0) }, { name: 'word_embeddings' });
  const tokenType =
    inputs.tokenTypeIds === undefined
      ? g.addInitializer('embeddings.token_type_embeddings.row0', weights.tokenTypeEmbeddings.subarray(0, h), [h])
      : g.op('Gather', [g.addInitializer('embeddings.token_type_embeddings.weight', weights.tokenTypeEmbeddings, [config.typeVocabSize, h]), inputs.tokenTypeIds], { axis: attr.int(0) }, { name: 'token_type_embeddings' });
  // Positions 0..L-1 are the first L rows of the table: Slice it with L read from the input's shape.
  const positionTable = g.addInitializer('embeddings.position_embeddings.weight', weights.positionEmbeddings, [config.maxPositions, h]);
  const seqLength = g.op('Shape', [inputs.inputIds], { start: attr.int(1), end: attr.int(2) }, { name: 'seq_length' });
  const positions = g.op('Slice', [positionTable, g.int64([0]), seqLength, g.int64([0])], {}, { name: 'position_embeddings' });
  const embedded = g.op('Add', [g.op('Add', [word, tokenType]), positions], {}, { name: 'embeddings_sum' });
  let x = layerNorm(g, g.op('Reshape', [embedded, g.int64([-1, h])]), weights.embeddingNorm, eps, 'embeddings.LayerNorm');

  // [batch, seq, 3·heads, headDim] for splitting the fused Q/K/V projection into heads.
  const batchSeq = g.op('Shape', [inputs.inputIds], {}, { name: 'batch_seq' });
  const qkvShape = g.op('Concat', [batchSeq, g.int64([3 * heads, headDim])], { axis: attr.int(0) }, { name: 'qkv_shape' });
  const scale = g.float32([Math.sqrt(headDim)], []);

  weights.layers.forEach((layer, i) => {
    const p = `encoder.layer.${i}`;
    // One Gemm for Q, K and V: the three [H, H] weights stacked into [3H, H] (rows q, then k, then v).
    const qkv = linearNode(g, x, [layer.query, layer.key, layer.value], `${p}.attention.qkv`, linear);
    // [N, 3H] → [B, L, 3·heads, d] → [B, 3·heads, L, d]; heads 0..n-1 are Q, n..2n-1 K, 2n..3n-1 V.
    const qkvHeads = g.op('Transpose', [g.op('Reshape', [qkv, qkvShape])], { perm: attr.ints([0, 2, 1, 3]) });
    const [q, k, v] = g.addNode('Split', [qkvHeads, g.int64([heads, heads, heads])], { axis: attr.int(1) }, { outputs: 3, name: `${p}.attention.qkv_heads` }) as [string, string, string];
    const kT = g.op('Transpose', [k], { perm: attr.ints([0, 1, 3, 2]) });
    // scores = Q·Kᵀ / √d + mask; masked keys get f32 min, so softmax gives them exactly zero weight.
    const scores = g.op('Add', [g.op('Div', [g.op('MatMul', [q, kT]), scale]), inputs.keyMaskBias], {}, { name: `${p}.attention.scores` });
    const probs = g.op('Softmax', [scores], { axis: attr.int(-1) });
    // [B, heads, L, d] → [B, L, heads, d] → [N, H]: heads concatenated in order.
    const context = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: attr.ints([0, 2, 1, 3]) }), g.int64([-1, h])], {}, { name: `${p}.attention.context` });
    const attended = linearNode(g, context, [layer.attentionOutput], `${p}.attention.output.dense`, linear);
    x = layerNorm(g, g.op('Add', [attended, x]), layer.attentionNorm, eps, `${p}.attention.output.LayerNorm`);

    const intermediate = geluErf(g, linearNode(g, x, [layer.intermediate], `${p}.intermediate.dense`, linear));
    const output = linearNode(g, intermediate, [layer.output], `${p}.output.dense`, linear);
    x = layerNorm(g, g.op('Add', [output, x]), layer.outputNorm, eps, `${p}.output.LayerNorm`);
  });

  const outputShape = g.op('Concat', [batchSeq, g.int64([h])], { axis: attr.int(0) }, { name: 'hidden_shape' });
  return g.op('Reshape', [x, outputShape], {}, { name: 'last_hidden_state' });
}

function layerNorm(g: GraphBuilder, x: string, norm: Norm, eps: number, name: string): string {
  const h = norm.weight.length;
  const scaleName = g.addInitializer(`${name}.weight`, norm.weight, [h]);
  const biasName = g.addInitializer(`${name}.bias`, norm.bias, [h]);
  return g.op('LayerNormalization', [x, scaleName, biasName], { axis: attr.int(-1), epsilon: attr.float(eps) }, { name });
}
