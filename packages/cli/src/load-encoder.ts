import { loadEncoderFrom } from 'colbert-web/node';
import type { BackendInfo, Encoder, NodeBackend } from 'colbert-web/node';
import { choice, threadsFlag } from './flags.js';

/** The flags every encoding command takes. */
export const ENCODER_FLAGS = {
  model: { type: 'string' },
  backend: { type: 'string', default: 'native' },
  threads: { type: 'string' },
} as const;

/** Loads `--model` on `--backend` with `--threads`, and says on stderr what runs. */
export async function loadCommandEncoder(model: string, values: { backend: string; threads?: string | undefined }): Promise<Encoder> {
  const backend = choice<NodeBackend>('--backend', values.backend, ['native', 'wasm']);
  const started = performance.now();
  const encoder = await loadEncoderFrom(model, { backend, ...threadsFlag(values.threads) });
  process.stderr.write(`model ${encoder.model.location} (dim ${encoder.model.dim}) on ${describeBackend(encoder.backend)}, loaded in ${Math.round(performance.now() - started)} ms\n`);
  return encoder;
}

/** "native (onnxruntime-node 1.30.0, cpu, 16 threads)" or "wasm (onnxruntime-web, 4 threads, SIMD)". */
export function describeBackend(backend: BackendInfo): string {
  if (backend.name === 'native') {
    const cuda = backend.cudaSkipped && backend.cudaSkipped !== 'not installed' ? `; CUDA failed: ${backend.cudaSkipped}` : '';
    return `native (onnxruntime-node ${backend.version}, ${backend.provider}, ${backend.threads} thread(s)${cuda})`;
  }
  return `${backend.name} (onnxruntime-web, ${backend.threads} thread(s)${backend.simd ? ', SIMD' : ''})`;
}
