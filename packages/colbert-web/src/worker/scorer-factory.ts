import { createWasmScorer } from '../cpu/wasm-scorer.js';
import { createWebGpuScorer } from '../gpu/webgpu-scorer.js';
import type { BackendInfo } from '../protocol/encoder-api.js';
import type { Scorer } from '../scoring/scorer.js';
import type { StoredPrecision } from '../scoring/token-matrix.js';

/**
 * The scorer goes where the encoder went: on WebGPU it shares onnxruntime-web's device (one device per worker;
 * a second requestDevice on the same adapter can fail), otherwise it is the WebAssembly SIMD scorer.
 */
export async function createScorerFor(
  encoder: BackendInfo,
  device: GPUDevice | undefined,
  shape: { dim: number; precision: StoredPrecision },
): Promise<Scorer> {
  if (encoder.name === 'webgpu' && device) return createWebGpuScorer({ device, ...shape });
  return createWasmScorer(shape);
}

/** The CPU scorer, for when the GPU one is gone (device lost). */
export function createCpuScorer(shape: { dim: number; precision: StoredPrecision }): Promise<Scorer> {
  return createWasmScorer(shape);
}
