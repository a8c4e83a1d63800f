import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quantizeQuery } from '../scoring/query.js';
import { scorerDims, storedPrecisions, type F32TokenMatrix } from '../scoring/token-matrix.js';
import { nodeScorerDevice } from '../testing/node-webgpu.js';
import { randomBatch, randomQuery, seededRandom } from '../testing/random-corpus.js';
import { GpuContext } from './context.js';
import { encodeQuantizeQuery } from './kernels/quantize-query.js';
import { QUERY_BLOCK, type GpuQuery } from './query-buffers.js';
import { Scratch } from './scratch.js';
import { createWebGpuScorer } from './webgpu-scorer.js';

// A query already on the device (as the encoder leaves it with 'gpu-buffer' outputs) against the same query from
// the CPU: Dawn under Node, SwiftShader here.

let device: GPUDevice;
beforeAll(async () => {
  device = await nodeScorerDevice();
});
afterAll(() => device.destroy());

/** Bytes in front of the query in its buffer, so that `offset` is exercised. */
const OFFSET = 256;

function onDevice(query: F32TokenMatrix): GpuQuery & { buffer: GPUBuffer } {
  const buffer = device.createBuffer({
    label: 'test query',
    size: OFFSET + Math.max(16, query.values.byteLength),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(buffer, OFFSET, new Float32Array(query.values));
  return { buffer, offset: OFFSET, rows: query.rows, dim: query.dim };
}

async function quantizeOnGpu(query: F32TokenMatrix): Promise<{ values: Int8Array; scales: Float32Array; padded: number }> {
  const context = new GpuContext(device, { label: 'test' });
  const scratch = new Scratch(context);
  const gpu = onDevice(query);
  try {
    const padded = Math.ceil(query.rows / QUERY_BLOCK) * QUERY_BLOCK;
    const encoder = device.createCommandEncoder();
    const out = encodeQuantizeQuery(encoder, { context, scratch, source: gpu.buffer, offset: OFFSET / 4, rows: query.rows, padded, dim: query.dim });
    device.queue.submit([encoder.finish()]);
    const values = new Int8Array(await context.readBack(out.values, 0, padded * query.dim, 'values'));
    const scales = new Float32Array(await context.readBack(out.scales, 0, padded * 4, 'scales'));
    return { values, scales, padded };
  } finally {
    scratch.release();
    context.dispose();
    gpu.buffer.destroy();
  }
}

async function expectSameQuantisation(query: F32TokenMatrix): Promise<void> {
  const expected = quantizeQuery(query);
  const actual = await quantizeOnGpu(query);
  const n = query.rows * query.dim;
  expect(actual.values.subarray(0, n)).toEqual(expected.values);
  expect(actual.values.subarray(n).every((v) => v === 0)).toBe(true);
  expect(actual.scales.subarray(0, query.rows)).toEqual(expected.scales);
  expect(actual.scales.subarray(query.rows).every((v) => v === 0)).toBe(true);
}

/** Rows whose values sit on (or one float from) the ½ boundaries of their row's scale, where division errors show. */
function boundaryRows(random: () => number, rows: number, dim: number): F32TokenMatrix {
  const values = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const max = Math.fround(0.05 + random() * 3);
    const scale = Math.fround(max / 63);
    values[r * dim] = random() < 0.5 ? max : -max;
    for (let j = 1; j < dim; j++) {
      const half = (Math.floor(random() * 63) + 0.5) * scale * (random() < 0.5 ? -1 : 1);
      const nudge = Math.floor(random() * 3) - 1;
      const f = new Float32Array([half]);
      new Int32Array(f.buffer)[0]! += nudge;
      values[r * dim + j] = f[0]!;
    }
  }
  return { precision: 'f32', dim, rows, values };
}

describe('quantize-query.wgsl gives quantizeQuery’s integers and scales', () => {
  for (const dim of scorerDims) {
    it(`d=${dim}: random rows, ½-boundary rows, zero rows`, async () => {
      const random = seededRandom(dim);
      await expectSameQuantisation(randomQuery(random, 13, dim));
      await expectSameQuantisation(boundaryRows(random, 512, dim));
      // Unnormalised rows of very different magnitudes, and an all-zero row.
      const wide = randomQuery(random, 64, dim);
      for (let r = 0; r < 64; r++) for (let j = 0; j < dim; j++) wide.values[r * dim + j] = wide.values[r * dim + j]! * 2 ** (r - 32);
      wide.values.fill(0, 5 * dim, 6 * dim);
      await expectSameQuantisation(wide);
    });
  }
});

describe('WebGPU scorer: a GPU-resident query scores as the same query from the CPU', () => {
  for (const dim of scorerDims) {
    for (const precision of storedPrecisions) {
      it(`d=${dim} ${precision}`, async () => {
        const random = seededRandom(dim * 3 + precision.length);
        const scorer = await createWebGpuScorer({ device, dim, precision });
        try {
          await scorer.append(randomBatch(random, Array.from({ length: 40 }, () => 1 + Math.floor(random() * 120)), dim, precision));
          for (const rows of [32, 13]) {
            const query = randomQuery(random, rows, dim);
            const gpu = onDevice(query);
            try {
              for (const options of [{ k: 10, explain: true }, { k: 40 }]) {
                expect(await scorer.score(gpu, options)).toEqual(await scorer.score(query, options));
              }
            } finally {
              gpu.buffer.destroy();
            }
          }
        } finally {
          scorer.dispose();
        }
      });
    }
  }

  it('rejects a GPU query of the wrong dim or too small a buffer, naming the field', async () => {
    const scorer = await createWebGpuScorer({ device, dim: 64, precision: 'int8' });
    const gpu = onDevice(randomQuery(seededRandom(9), 4, 64));
    try {
      await expect(scorer.score({ ...gpu, dim: 96 }, { k: 1 })).rejects.toMatchObject({ code: 'INVALID_INPUT', subject: 'query.dim' });
      await expect(scorer.score({ ...gpu, rows: 400 }, { k: 1 })).rejects.toMatchObject({ code: 'INVALID_INPUT', subject: 'query.buffer' });
    } finally {
      gpu.buffer.destroy();
      scorer.dispose();
    }
  });
});
