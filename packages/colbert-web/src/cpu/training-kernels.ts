import type { TrainingKernels } from '../scoring/compressed/build-compressed.js';
import { createCompressedKernels } from './compressed-kernels.js';
import { hasWasmSimd } from './simd-support.js';

/**
 * Runs `train` with WebAssembly SIMD kernels of its own for training's heavy steps (created for it and disposed
 * after, so a worker's search kernels keep their corpus laid out while it trains), or with none (`undefined`:
 * TypeScript, the same tables bit for bit) where SIMD is missing or the kernels fail to start.
 *
 * @example
 * const trained = await withTrainingKernels((kernels) => trainCompressionStreamed(gather, rows, 128, { nbits: 2, kernels }));
 */
// Typed by what training uses (TrainingKernels), so the Node entry's declarations need no WebAssembly types.
export async function withTrainingKernels<T>(train: (kernels: TrainingKernels | undefined) => Promise<T>, options: { threads?: number } = {}): Promise<T> {
  const kernels = hasWasmSimd() ? await createCompressedKernels(options).catch(() => undefined) : undefined;
  try {
    return await train(kernels);
  } finally {
    kernels?.dispose();
  }
}
