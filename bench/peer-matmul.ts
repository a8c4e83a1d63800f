/**
 * The benchmark peer: one plain [m, k] × [k, n] MatMul in onnxruntime-web, timed the way the encoder is. Runs in
 * Node and in the browser harness (demo/harness/matmul-worker.ts): onnxruntime-node's twin is peer-matmul-native.ts.
 */
import * as ort from 'onnxruntime-web';
import { GraphBuilder } from '../packages/colbert-web/src/model/graph/graph-builder.js';
import { OnnxDataType } from '../packages/colbert-web/src/model/graph/onnx-proto.js';

export function matmulModel(m: number, k: number, n: number): Uint8Array {
  const g = new GraphBuilder('peer-matmul');
  const a = g.input('a', OnnxDataType.Float, [m, k]);
  const w = g.addInitializer('w', Float32Array.from({ length: k * n }, (_, i) => Math.sin(i) * 0.05), [k, n]);
  g.output(g.op('MatMul', [a, w]), 'y', OnnxDataType.Float, [m, n]);
  return g.build();
}

/** The peer's input `a`. */
export function matmulInput(m: number, k: number): Float32Array {
  return Float32Array.from({ length: m * k }, (_, i) => Math.cos(i));
}

/** Milliseconds per sample, each sample `repeats` runs after one warm-up run; the session is released after. */
export async function timeSession(session: { run(feed: Record<string, ort.Tensor>): Promise<unknown>; release(): Promise<void> }, feed: Record<string, ort.Tensor>, repeats: number, runs: number): Promise<number[]> {
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

/** Milliseconds per sample of the MatMul on onnxruntime-web's WASM backend (its current thread count). */
export async function timeMatMul(m: number, k: number, n: number, repeats: number, runs: number): Promise<number[]> {
  const session = await ort.InferenceSession.create(matmulModel(m, k, n), { executionProviders: ['wasm'] });
  return timeSession(session, { a: new ort.Tensor('float32', matmulInput(m, k), [m, k]) }, repeats, runs);
}
