import type { NearestKernel } from '../scoring/compressed/spherical-kmeans.js';
import { createCompressedKernels } from './compressed-kernels.js';
import { hasWasmSimd } from './simd-support.js';

/**
 * Runs `train` with k-means assignments on WebAssembly SIMD kernels of its own (created for it and disposed after,
 * so a worker's search kernels keep their corpus laid out while it trains), or with none (`undefined`: the
 * TypeScript assignment, the same tables bit for bit) where SIMD is missing or the kernels fail to start.
 *
 * @example
 * const trained = await withTrainingKernels((nearest) => trainCompressionStreamed(gather, rows, 128, { nbits: 2, nearest }));
 */
export async function withTrainingKernels<T>(train: (nearest: NearestKernel | undefined) => Promise<T>, options: { threads?: number } = {}): Promise<T> {
  const kernels = hasWasmSimd() ? await createCompressedKernels(options).catch(() => undefined) : undefined;
  try {
    return await train(kernels && ((points, dim, request) => kernels.nearestRows(points, dim, request)));
  } finally {
    kernels?.dispose();
  }
}
