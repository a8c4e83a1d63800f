/** The benchmark peer: one plain [m, k] × [k, n] MatMul as an ONNX model, fed by input `a`. */
import { GraphBuilder } from '../packages/colbert-web/src/model/graph/graph-builder.js';
import { OnnxDataType } from '../packages/colbert-web/src/model/graph/onnx-proto.js';

export function matmulModel(m: number, k: number, n: number): Uint8Array {
  const g = new GraphBuilder('peer-matmul');
  const a = g.input('a', OnnxDataType.Float, [m, k]);
  const w = g.addInitializer('w', Float32Array.from({ length: k * n }, (_, i) => Math.sin(i) * 0.05), [k, n]);
  g.output(g.op('MatMul', [a, w]), 'y', OnnxDataType.Float, [m, n]);
  return g.build();
}

export function matmulInput(m: number, k: number): Float32Array {
  return Float32Array.from({ length: m * k }, (_, i) => Math.cos(i));
}
