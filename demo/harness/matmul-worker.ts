/// <reference lib="webworker" />
// The benchmark peer in a worker of its own, with the encoder's thread count.
import * as ort from 'onnxruntime-web';
import { timeMatMul } from '../../bench/peer-matmul.js';

self.onmessage = async (e: MessageEvent<{ m: number; k: number; n: number; repeats: number; runs: number; threads: number }>) => {
  const { m, k, n, repeats, runs, threads } = e.data;
  try {
    ort.env.wasm.numThreads = threads;
    self.postMessage({ samples: await timeMatMul(m, k, n, repeats, runs) });
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};
