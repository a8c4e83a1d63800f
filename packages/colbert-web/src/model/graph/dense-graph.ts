import type { DenseActivation, DenseLayer } from '../dense.js';
import type { GraphBuilder } from './graph-builder.js';
import { geluErf } from './graph-builder.js';
import { attr } from './onnx-proto.js';

export interface DenseGraphOptions {
  /** Divide every row by its L2 norm after the last module (default true: PyLate's output). */
  readonly normalize?: boolean;
}

/**
 * Adds PyLate's projection head: each Dense module in modules.json order, y = activation(x·Wᵀ + b), then
 * every row divided by its L2 norm, y / √(Σ y²), with no epsilon, as the reference does. Takes and
 * returns [batch, seq, width] tensors; the output width is the last module's out_features.
 *
 * @example
 * const embeddings = denseGraph(builder, checkpoint.dense, hidden);
 */
export function denseGraph(g: GraphBuilder, layers: readonly DenseLayer[], hidden: string, options: DenseGraphOptions = {}): string {
  const normalize = options.normalize ?? true;
  const last = layers.at(-1);
  if (last === undefined) return normalize ? l2Normalize(g, hidden) : hidden;
  const batchSeq = g.op('Shape', [hidden], { start: attr.int(0), end: attr.int(2) }, { name: 'dense_batch_seq' });
  // Gemm wants 2-D input; flattening [B, L, H] → [B·L, H] is free in onnxruntime (Reshape aliases its input).
  let y = g.op('Reshape', [hidden, g.int64([-1, layers[0]!.inFeatures])]);
  for (const layer of layers) {
    const weight = g.addInitializer(`${layer.path}.linear.weight`, layer.weight, [layer.outFeatures, layer.inFeatures]);
    const inputs = [y, weight];
    if (layer.bias) inputs.push(g.addInitializer(`${layer.path}.linear.bias`, layer.bias, [layer.outFeatures]));
    y = activation(g, g.op('Gemm', inputs, { transB: attr.int(1) }, { name: `${layer.path}.linear` }), layer.activation);
  }
  const outputShape = g.op('Concat', [batchSeq, g.int64([last.outFeatures])], { axis: attr.int(0) });
  return g.op('Reshape', [normalize ? l2Normalize(g, y) : y, outputShape], {}, { name: 'projected' });
}

/** y / √(Σ y²) over the last axis. */
function l2Normalize(g: GraphBuilder, y: string): string {
  const sumSquares = g.op('ReduceSum', [g.op('Mul', [y, y]), g.int64([-1])], { keepdims: attr.int(1) }, { name: 'sum_squares' });
  return g.op('Div', [y, g.op('Sqrt', [sumSquares])], {}, { name: 'normalized' });
}

function activation(g: GraphBuilder, x: string, kind: DenseActivation): string {
  switch (kind) {
    case 'identity':
      return x;
    case 'tanh':
      return g.op('Tanh', [x]);
    case 'relu':
      return g.op('Relu', [x]);
    case 'sigmoid':
      return g.op('Sigmoid', [x]);
    case 'gelu':
      // torch.nn.GELU() defaults to the exact erf form.
      return geluErf(g, x);
  }
}
