/// <reference lib="webworker" />
// The benchmark peer: a plain onnxruntime-web MatMul session in a worker, timed like the encoder.
import * as ort from 'onnxruntime-web';
import { matmulInput } from '../../bench/peer-matmul.js';

self.onmessage = async (e: MessageEvent<{ model: Uint8Array; m: number; k: number; repeats: number; runs: number; threads: number }>) => {
  const { model, m, k, repeats, runs, threads } = e.data;
  try {
    ort.env.wasm.numThreads = threads;
    const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
    const feed = { a: new ort.Tensor('float32', matmulInput(m, k), [m, k]) };
    await session.run(feed);
    const samples: number[] = [];
    for (let r = 0; r < runs; r++) {
      const started = performance.now();
      for (let i = 0; i < repeats; i++) await session.run(feed);
      samples.push(performance.now() - started);
    }
    await session.release();
    self.postMessage({ samples });
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};
