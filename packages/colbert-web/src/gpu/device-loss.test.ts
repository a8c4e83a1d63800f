import { expect, it } from 'vitest';
import { ColbertError, ErrorCode } from '../errors.js';
import { nodeScorerDevice } from '../testing/node-webgpu.js';
import { randomBatch, randomQuery, seededRandom } from '../testing/random-corpus.js';
import { compressCorpus } from '../scoring/compressed/build-compressed.js';
import { clusteredCorpus } from '../testing/clustered-corpus.js';
import { GpuCompressedCorpus } from './compressed/compressed-corpus-gpu.js';
import { searchCompressedGpu } from './compressed/search-compressed-gpu.js';
import { GpuContext } from './context.js';
import { createWebGpuScorer } from './webgpu-scorer.js';

// Its own file: the test destroys its device, which the other GPU tests share.

it('a lost device makes score() and the compressed search throw BACKEND_FAILED saying so, and resolves `lost`; dispose() is not a loss', async () => {
  const device = await nodeScorerDevice();
  const context = new GpuContext(device);
  context.dispose();
  expect(await context.ended).toEqual({ kind: 'disposed' });

  const random = seededRandom(1);
  const scorer = await createWebGpuScorer({ device, dim: 64, precision: 'int8' });
  await scorer.append(randomBatch(random, [3, 4, 5], 64, 'int8'));
  const query = randomQuery(random, 8, 64);
  expect(await scorer.score(query, { k: 2 })).toHaveLength(2);
  const data = clusteredCorpus({ seed: 2, dim: 64, lengths: [3, 4, 5, 6], words: 64 });
  const compressed = GpuCompressedCorpus.fromCorpus(new GpuContext(device), compressCorpus(data, 64, { nbits: 2, centroids: 8 }));
  expect((await searchCompressedGpu(compressed, query, { k: 2 })).hits).toHaveLength(2);
  // Another owner of a shared device (onnxruntime) destroying it is a loss to the scorer.
  device.destroy();
  const lost = await scorer.lost;
  expect(lost.reason).toBe('destroyed');
  const error = await scorer.score(query, { k: 2 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ColbertError);
  expect((error as ColbertError).code).toBe(ErrorCode.BackendFailed);
  expect((error as ColbertError).message).toMatch(/device was lost/);
  // The compressed search on the same device: the same typed loss, before and at dispatch.
  await expect(searchCompressedGpu(compressed, query, { k: 2 })).rejects.toMatchObject({ code: ErrorCode.BackendFailed, subject: 'device' });
  expect(() => compressed.append({ seqs: Uint32Array.of(9), tokenStart: Uint32Array.of(0, 1), codes: Uint32Array.of(0), residuals: new Uint8Array(compressed.residualBytes) })).toThrowError(
    expect.objectContaining({ code: ErrorCode.BackendFailed }),
  );
  compressed.dispose();
  scorer.dispose();
});
