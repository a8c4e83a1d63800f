import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../errors.js';
import { compressCorpus } from '../../scoring/compressed/build-compressed.js';
import type { CompressedCorpus } from '../../scoring/compressed/compressed-corpus.js';
import { searchCompressed, type CompressedSearchOptions } from '../../scoring/compressed/compressed-search.js';
import type { CompressedTables } from '../../scoring/compressed/compressed-tables.js';
import { referenceSearchCompressed } from '../../scoring/compressed/reference-f64.js';
import type { F32TokenMatrix } from '../../scoring/token-matrix.js';
import { clusteredCorpus } from '../../testing/clustered-corpus.js';
import { nodeScorerDevice } from '../../testing/node-webgpu.js';
import { compressedRankingMismatch } from '../../testing/ranking.js';
import { GpuContext } from '../context.js';
import { float32AtLeast } from './centroid-scores.js';
import { GpuCompressedCorpus, type CodedDocuments } from './compressed-corpus-gpu.js';
import { searchCompressedGpu } from './search-compressed-gpu.js';

// The compressed-index kernels on real WebGPU (Dawn under Node, SwiftShader here), every result compared with the
// float64 oracle `referenceSearchCompressed` over the same compressed corpus. Corpora are small: SwiftShader is slow.

let device: GPUDevice;
let context: GpuContext;
beforeAll(async () => {
  device = await nodeScorerDevice();
  context = new GpuContext(device, { label: 'compressed test' });
});
afterAll(() => {
  context.dispose();
  device.destroy();
});

async function expectReference(gpu: GpuCompressedCorpus, cpu: CompressedCorpus, query: F32TokenMatrix, options: CompressedSearchOptions): Promise<void> {
  const result = await searchCompressedGpu(gpu, query, options);
  expect(compressedRankingMismatch(result.hits, referenceSearchCompressed(cpu, query, options))).toBeUndefined();
  // The stages keep what the CPU search keeps (its candidate count comes from the inverted lists, ours from the codes).
  const { candidates, scored, pruned } = searchCompressed(cpu, query, options);
  expect(result).toMatchObject({ candidates, scored, pruned });
}

/** Documents from..to of persisted tables, token offsets rebased to 0: what a later append brings. */
function slice(tables: CompressedTables, from: number, to: number, residualBytes: number): CodedDocuments {
  const first = tables.tokenStart[from]!;
  const last = tables.tokenStart[to]!;
  return {
    seqs: tables.seqs.slice(from, to),
    tokenStart: tables.tokenStart.slice(from, to + 1).map((t) => t - first),
    codes: tables.codes.slice(first, last),
    residuals: tables.residuals.slice(first * residualBytes, last * residualBytes),
  };
}

for (const [dim, nbits] of [[64, 2], [96, 4], [128, 2], [128, 4]] as const) {
  describe(`GPU compressed search, d = ${dim}, nbits ${nbits}`, () => {
    const data = clusteredCorpus({ seed: dim + nbits, dim, lengths: Array.from({ length: 90 }, (_, i) => 3 + ((i * 13) % 45)), words: 1024, queries: 2 });
    const cpu = compressCorpus(data, dim, { nbits, seed: 9, centroids: 256 });
    let gpu: GpuCompressedCorpus;
    beforeAll(() => {
      gpu = GpuCompressedCorpus.fromCorpus(context, cpu);
    });
    afterAll(() => gpu.dispose());

    it('exact: every live document scored on residuals decoded in the kernel, equal to the float64 reference', async () => {
      for (const query of data.queries) await expectReference(gpu, cpu, query, { k: 20, exact: true });
    });

    it('pruned: the GPU stages give the float64 reference ranking and the CPU search stage sizes', async () => {
      for (const query of data.queries) {
        for (const settings of [{}, { nprobe: 1, ndocs: 24 }, { nprobe: 4, ndocs: 60, centroidThreshold: 0.3 }, { nprobe: 8, ndocs: 16, centroidThreshold: 0.7 }]) {
          await expectReference(gpu, cpu, query, { k: 10, ...settings });
        }
      }
    });
  });
}

describe('GPU compressed search over long documents', () => {
  // Longer than a workgroup's 64 tokens (the exact kernel walks them in chunks) and than the 32 threads of the
  // approximate kernel, next to 1-token documents.
  const dim = 96;
  const data = clusteredCorpus({ seed: 11, dim, lengths: [1, 300, 65, 64, 130, 1, 200, 7, 129, 250, 3, 90, 180, 33, 64, 160], words: 256, topicWords: 32, queries: 2 });
  const cpu = compressCorpus(data, dim, { nbits: 4, centroids: 128 });

  it('documents of 1 to 300 tokens equal the reference in exact and pruned mode', async () => {
    const gpu = GpuCompressedCorpus.fromCorpus(context, cpu);
    for (const query of data.queries) {
      await expectReference(gpu, cpu, query, { k: 16, exact: true });
      await expectReference(gpu, cpu, query, { k: 5, nprobe: 2, ndocs: 8 });
    }
    gpu.dispose();
  });
});

describe('GPU compressed corpus: appends, shards, tombstones, filters', () => {
  const dim = 64;
  const data = clusteredCorpus({ seed: 5, dim, lengths: Array.from({ length: 80 }, (_, i) => 2 + (i % 20)), words: 512, queries: 2 });
  const cpu = compressCorpus(data, dim, { nbits: 2, centroids: 64 });
  const query = data.queries[0]!;

  it('appends in batches over shards of ~200 tokens equal one upload, and removed / filtered documents never come back', async () => {
    const tables = cpu.tables();
    const gpu = GpuCompressedCorpus.create(context, cpu.table, cpu.codec, { shardBytes: 200 * cpu.residualBytes });
    for (const [from, to] of [[0, 30], [30, 31], [31, 80]] as const) gpu.append(slice(tables, from, to, cpu.residualBytes));
    expect(gpu.shards.length).toBeGreaterThan(2);
    expect(gpu.tokens).toBe(cpu.tokens);
    await expectReference(gpu, cpu, query, { k: 15, exact: true });
    await expectReference(gpu, cpu, query, { k: 15, nprobe: 3 });

    const top = (await searchCompressedGpu(gpu, query, { k: 5, exact: true })).hits.map((h) => h.seq);
    gpu.remove(top.slice(0, 2));
    cpu.remove(top.slice(0, 2));
    expect(gpu.documents).toBe(78);
    const only = Uint32Array.from([top[2]!, top[3]!, top[0]!, 70, 71]);
    for (const exact of [true, false]) {
      const all = await searchCompressedGpu(gpu, query, { k: 80, exact, nprobe: 64, ndocs: 80 });
      expect(all.hits).toHaveLength(78);
      expect(all.hits.some((h) => top.slice(0, 2).includes(h.seq))).toBe(false);
      const filtered = await searchCompressedGpu(gpu, query, { k: 10, exact, only, nprobe: 64, ndocs: 80 });
      expect(new Set(filtered.hits.map((h) => h.seq))).toEqual(new Set([top[2]!, top[3]!, 70, 71]));
      await expectReference(gpu, cpu, query, { k: 10, exact, only });
      await expectReference(gpu, cpu, query, { k: 10, exact, only, nprobe: 1, ndocs: 10 });
    }
    expect((await searchCompressedGpu(gpu, query, { k: 0 })).hits).toEqual([]);
    const inUse = context.memory().inUseBytes;
    const held = gpu.bytes;
    expect(held).toBeGreaterThan(cpu.tokens * (4 + cpu.residualBytes));
    gpu.dispose();
    expect(context.memory().inUseBytes).toBe(inUse - held);
  });

  it('queries of 13 and 40 tokens (a partial block of 32, two blocks) equal the reference in both modes', async () => {
    const gpu = GpuCompressedCorpus.fromCorpus(context, cpu);
    const [a, b] = data.queries as [F32TokenMatrix, F32TokenMatrix];
    const short = { ...a, rows: 13, values: a.values.slice(0, 13 * dim) };
    const long = { ...a, rows: 40, values: Float32Array.of(...a.values, ...b.values.subarray(0, 8 * dim)) };
    for (const q of [short, long]) {
      await expectReference(gpu, cpu, q, { k: 10, exact: true });
      await expectReference(gpu, cpu, q, { k: 10, nprobe: 2, ndocs: 30 });
    }
    gpu.dispose();
  });

  it('a query already on the device gives the same hits as one from the CPU', async () => {
    const gpu = GpuCompressedCorpus.fromCorpus(context, cpu);
    const buffer = device.createBuffer({ size: query.values.byteLength + 64, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(buffer, 64, query.values.buffer, query.values.byteOffset, query.values.byteLength);
    const onDevice = await searchCompressedGpu(gpu, { buffer, offset: 64, rows: query.rows, dim }, { k: 10 });
    expect(onDevice).toEqual(await searchCompressedGpu(gpu, query, { k: 10 }));
    buffer.destroy();
    gpu.dispose();
  });

  it('a corrupt table is rejected before anything is uploaded: INDEX_CORRUPT naming it', () => {
    const tables = cpu.tables();
    const before = context.memory().inUseBytes;
    const codes = tables.codes.slice();
    codes[7] = cpu.centroidCount;
    expect(() => GpuCompressedCorpus.open(context, { ...tables, codes })).toThrowError(expect.objectContaining({ code: ErrorCode.IndexCorrupt, subject: 'codes' }));
    expect(context.memory().inUseBytes).toBe(before);

    const gpu = GpuCompressedCorpus.create(context, cpu.table, cpu.codec);
    const batch = slice(tables, 0, 10, cpu.residualBytes);
    const held = gpu.bytes;
    batch.codes[3] = 1_000_000;
    expect(() => gpu.append(batch)).toThrowError(expect.objectContaining({ code: ErrorCode.IndexCorrupt, subject: 'codes' }));
    expect(() => gpu.append({ ...slice(tables, 0, 10, cpu.residualBytes), residuals: new Uint8Array(5) })).toThrowError(expect.objectContaining({ code: ErrorCode.IndexCorrupt, subject: 'residuals' }));
    expect([gpu.size, gpu.tokens, gpu.bytes]).toEqual([0, 0, held]);
    gpu.append(slice(tables, 0, 10, cpu.residualBytes));
    expect(() => gpu.append(slice(tables, 5, 12, cpu.residualBytes))).toThrowError(expect.objectContaining({ code: ErrorCode.InvalidInput, subject: 'seqs[0]' }));
    gpu.dispose();
  });

  it('rejects bad queries and k, honours an aborted signal, and refuses work after dispose', async () => {
    const gpu = GpuCompressedCorpus.fromCorpus(context, cpu);
    const wrong = { precision: 'f32' as const, dim: 32, rows: 1, values: new Float32Array(32) };
    await expect(searchCompressedGpu(gpu, wrong, { k: 1 })).rejects.toMatchObject({ code: ErrorCode.InvalidInput, subject: 'query.dim' });
    await expect(searchCompressedGpu(gpu, query, { k: -1 })).rejects.toMatchObject({ code: ErrorCode.InvalidInput, subject: 'k' });
    await expect(searchCompressedGpu(gpu, query, { k: 3, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: ErrorCode.Aborted });
    gpu.dispose();
    expect(() => gpu.remove([1])).toThrowError(expect.objectContaining({ code: ErrorCode.Closed }));
  });

  it('rounds the stage-2 threshold to the float32 that compares as the float64 does', () => {
    for (const t of [0.5, 0.45, 0.3, -0.3, 1e-46]) {
      const f = new Float32Array(new Uint32Array([float32AtLeast(t)]).buffer)[0]!;
      expect(f).toBeGreaterThanOrEqual(t);
      // The float32 just below it is below t: nothing in between.
      const below = new Float32Array(new Uint32Array([float32AtLeast(t) + (f > 0 ? -1 : 1)]).buffer)[0]!;
      expect(below).toBeLessThan(t);
    }
  });
});
