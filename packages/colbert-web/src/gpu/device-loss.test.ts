import { expect, it } from 'vitest';
import { ColbertError, ErrorCode } from '../errors.js';
import { nodeScorerDevice } from '../testing/node-webgpu.js';
import { randomBatch, randomQuery, seededRandom } from '../testing/random-corpus.js';
import { GpuContext } from './context.js';
import { createWebGpuScorer } from './webgpu-scorer.js';

// Its own file: the test destroys its device, which the other GPU tests share.

it('a lost device makes score() throw BACKEND_FAILED saying so, and resolves `lost`; dispose() is not a loss', async () => {
  const device = await nodeScorerDevice();
  const context = new GpuContext(device);
  context.dispose();
  expect(await context.ended).toEqual({ kind: 'disposed' });

  const random = seededRandom(1);
  const scorer = await createWebGpuScorer({ device, dim: 64, precision: 'int8' });
  await scorer.append(randomBatch(random, [3, 4, 5], 64, 'int8'));
  const query = randomQuery(random, 8, 64);
  expect(await scorer.score(query, { k: 2 })).toHaveLength(2);
  // Another owner of a shared device (onnxruntime) destroying it is a loss to the scorer.
  device.destroy();
  const lost = await scorer.lost;
  expect(lost.reason).toBe('destroyed');
  const error = await scorer.score(query, { k: 2 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ColbertError);
  expect((error as ColbertError).code).toBe(ErrorCode.BackendFailed);
  expect((error as ColbertError).message).toMatch(/device was lost/);
  scorer.dispose();
});
