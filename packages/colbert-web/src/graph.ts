/**
 * colbert-web/graph: the ONNX graph toolkit the encoder's models are built with (writer, builder, backbone and
 * Dense graphs), for tools that write ONNX files, such as the fixture generator's Hugging Face–style exports.
 * Apps do not need it.
 *
 * @example
 * import { GraphBuilder, OnnxDataType, backboneGraph, encodeModel } from 'colbert-web/graph';
 * const g = new GraphBuilder('bert-export');
 * const inputIds = g.input('input_ids', OnnxDataType.Int64, ['batch_size', 'sequence_length']);
 * const attentionMask = g.input('attention_mask', OnnxDataType.Int64, ['batch_size', 'sequence_length']);
 * g.output(backboneGraph(g, checkpoint.backbone, { inputIds, attentionMask }), 'last_hidden_state', OnnxDataType.Float, ['batch_size', 'sequence_length', 128]);
 * const bytes = encodeModel(g.modelSpec());
 */
export { ATTENTION_MASK, EMBEDDINGS, INPUT_IDS, backboneGraph, buildEncoderGraph } from './model/graph/build-graph.js';
export type { EncoderGraphInputs, EncoderGraphOptions } from './model/graph/build-graph.js';
export { denseGraph } from './model/graph/dense-graph.js';
export type { DenseGraphOptions } from './model/graph/dense-graph.js';
export { GraphBuilder, geluErf } from './model/graph/graph-builder.js';
export type { AddNodeOptions } from './model/graph/graph-builder.js';
export { OnnxDataType, attr, encodeModel } from './model/graph/onnx-proto.js';
export type { AttributeSpec, GraphSpec, ModelSpec, NodeSpec, OpsetSpec, TensorArray, TensorData, TensorSpec, ValueInfoSpec } from './model/graph/onnx-proto.js';
export { readOnnxSignature } from './model/onnx-signature.js';
export type { OnnxSignature, OnnxValueInfo } from './model/onnx-signature.js';
