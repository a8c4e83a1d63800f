// Benchmark helpers for bench/encoder-browser.ts, loaded by the harness page: the encoder in its worker,
// and the peer (a plain onnxruntime-web MatMul) measured in a worker of its own with the same threads.

import type { BackendInfo } from 'colbert-web';

export interface EncoderBenchResult {
  coldLoadMs: number;
  warmLoadMs: number[];
  encodeMs: number[];
  tokens: number;
  backend: BackendInfo;
}

/** Loads the model twice (cold: first worker, compiles WASM; warm: files and code cached), then encodes `runs` times. */
export async function benchEncoder(model: string, documents: string[], runs: number): Promise<EncoderBenchResult> {
  const { createEncoder } = window.colbert;
  const load = async (): Promise<{ ms: number; encoder: Awaited<ReturnType<typeof createEncoder>> }> => {
    const started = performance.now();
    const encoder = await createEncoder({ model, backend: 'wasm' });
    return { ms: performance.now() - started, encoder };
  };
  const cold = await load();
  await cold.encoder.close();
  const warmLoadMs: number[] = [];
  let current = await load();
  warmLoadMs.push(current.ms);
  await current.encoder.close();
  current = await load();
  warmLoadMs.push(current.ms);
  const inputs = documents.map((text) => ({ text, kind: 'document' as const }));
  const first = await current.encoder.encode(inputs.slice(0, 2));
  void first;
  const encodeMs: number[] = [];
  let tokens = 0;
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    const out = await current.encoder.encode(inputs);
    encodeMs.push(performance.now() - started);
    tokens = out.reduce((n, e) => n + e.rows, 0);
  }
  const { backend } = await current.encoder.info();
  await current.encoder.close();
  return { coldLoadMs: cold.ms, warmLoadMs, encodeMs, tokens, backend };
}

/** The peer: GFLOP/s of one [m,k]×[k,n] MatMul in onnxruntime-web, in a worker, `repeats` runs per sample. */
export async function benchMatMul(m: number, k: number, n: number, repeats: number, runs: number, threads: number): Promise<number[]> {
  const worker = new Worker(new URL('./matmul-worker.ts', import.meta.url), { type: 'module' });
  const result = await new Promise<number[]>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<{ samples?: number[]; error?: string }>) => (e.data.samples ? resolve(e.data.samples) : reject(new Error(e.data.error)));
    worker.postMessage({ m, k, n, repeats, runs, threads });
  });
  worker.terminate();
  return result;
}
