import { afterAll, beforeAll, expect } from 'vitest';
import { createCompressedKernels, type CompressedKernels } from '../cpu/compressed-kernels.js';

/**
 * Compressed-index kernels on 1 and on 2 threads for a vitest file, keyed by thread count: created before its
 * tests (checking each got its threads) and disposed after.
 *
 * @example
 * const kernels = kernelsPerThreadCount();
 * it('…', async () => expect(await kernels[2]!.assignCentroids(table, vectors)).toEqual(expected));
 */
export function kernelsPerThreadCount(): Record<number, CompressedKernels> {
  const kernels: Record<number, CompressedKernels> = {};
  beforeAll(async () => {
    kernels[1] = await createCompressedKernels({ threads: 1 });
    kernels[2] = await createCompressedKernels({ threads: 2 });
    expect([kernels[1].threads, kernels[2].threads]).toEqual([1, 2]);
  });
  afterAll(() => {
    kernels[1]?.dispose();
    kernels[2]?.dispose();
  });
  return kernels;
}
