/**
 * The benchmark peer: one plain [m, k] × [k, n] MatMul in onnxruntime-web (WASM) or onnxruntime-node (CPU provider),
 * timed the way the encoder is.
 */
import native from 'onnxruntime-node';
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

/** Where the peer runs: WASM with the runtime's threads, or natively with `threads` intra-op threads. */
export type PeerRuntime = { readonly name: 'wasm' } | { readonly name: 'native'; readonly threads: number };

/** Milliseconds per sample, each sample `repeats` runs after one warm-up run. */
export async function timeMatMul(m: number, k: number, n: number, repeats: number, runs: number, runtime: PeerRuntime = { name: 'wasm' }): Promise<number[]> {
  const a = Float32Array.from({ length: m * k }, (_, i) => Math.cos(i));
  let session: ort.InferenceSession;
  let feed: Record<string, ort.Tensor>;
  if (runtime.name === 'native') {
    session = await native.InferenceSession.create(matmulModel(m, k, n), { executionProviders: ['cpu'], intraOpNumThreads: runtime.threads });
    feed = { a: new native.Tensor('float32', a, [m, k]) };
  } else {
    session = await ort.InferenceSession.create(matmulModel(m, k, n), { executionProviders: ['wasm'] });
    feed = { a: new ort.Tensor('float32', a, [m, k]) };
  }
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
