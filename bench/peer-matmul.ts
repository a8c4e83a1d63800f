/** The benchmark peer: one plain [m, k] × [k, n] MatMul in onnxruntime-web, timed the way the encoder is. */
import * as ort from 'onnxruntime-web';
import { GraphBuilder } from '../packages/colbert-web/src/model/graph/graph-builder.js';
import { OnnxDataType } from '../packages/colbert-web/src/model/graph/onnx-proto.js';

function matmulModel(m: number, k: number, n: number): Uint8Array {
  const g = new GraphBuilder('peer-matmul');
  const a = g.input('a', OnnxDataType.Float, [m, k]);
  const w = g.addInitializer('w', Float32Array.from({ length: k * n }, (_, i) => Math.sin(i) * 0.05), [k, n]);
  g.output(g.op('MatMul', [a, w]), 'y', OnnxDataType.Float, [m, n]);
  return g.build();
}

/** Milliseconds per sample, each sample `repeats` runs after one warm-up run. */
export async function timeMatMul(m: number, k: number, n: number, repeats: number, runs: number): Promise<number[]> {
  const session = await ort.InferenceSession.create(matmulModel(m, k, n), { executionProviders: ['wasm'] });
  const feed = { a: new ort.Tensor('float32', Float32Array.from({ length: m * k }, (_, i) => Math.cos(i)), [m, k]) };
  try {
    await session.run(feed);
    const samples: number[] = [];
    for (let r = 0; r < runs; r++) {
      const started = performance.now();
      for (let i = 0; i < repeats; i++) await session.run(feed);
      samples.push(performance.now() - started);
    }
    return samples;
  } finally {
    await session.release();
  }
}
