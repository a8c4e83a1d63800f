import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors.js';
import { compressCorpus } from '../scoring/compressed/build-compressed.js';
import type { CompressedSearchOptions } from '../scoring/compressed/compressed-search.js';
import { referenceSearchCompressed } from '../scoring/compressed/reference-f64.js';
import type { F32TokenMatrix } from '../scoring/token-matrix.js';
import type { CodedBatch, SharedTables } from '../store/coded-segment.js';
import { clusteredCorpus } from '../testing/clustered-corpus.js';
import { nodeDefaultLimitsDevice } from '../testing/node-webgpu.js';
import { compressedRankingMismatch } from '../testing/ranking.js';
import { CompressedCorpora } from './compressed-corpora.js';

// The engine's compressed corpora placed on a WebGPU device with the default limits (8 storage buffers per stage:
// what onnxruntime-web's device, which the scorer shares, offers), under Node on SwiftShader: appended in stored
// segments, tombstoned, compacted in memory, searched with CPU and GPU-resident queries, then the device is lost.
// Every result is compared with the float64 reference over the same compressed documents.

const dim = 96;
const data = clusteredCorpus({ seed: 21, dim, lengths: Array.from({ length: 100 }, (_, i) => 2 + ((i * 7) % 30)), words: 512, queries: 2 });
// The oracle's copy: the same codes, the same tombstones as the corpora under test.
const reference = compressCorpus(data, dim, { nbits: 2, seed: 3, centroids: 128 });
const shared: SharedTables = { id: 1, table: reference.table, codec: reference.codec };
const tables = new Map([[shared.id, shared]]);

/** Documents from..to of the reference as the stored segment the mirror would append. */
function segment(from: number, to: number): CodedBatch {
  const t = reference.tables();
  const first = t.tokenStart[from]!;
  const last = t.tokenStart[to]!;
  const tokenStart = t.tokenStart.slice(from, to + 1).map((x) => x - first);
  return {
    tables: shared.id,
    seqs: t.seqs.slice(from, to),
    lengths: Uint32Array.from({ length: to - from }, (_, i) => tokenStart[i + 1]! - tokenStart[i]!),
    tokenStart,
    codes: t.codes.slice(first, last),
    residuals: t.residuals.slice(first * reference.residualBytes, last * reference.residualBytes),
  };
}

let device: GPUDevice;
const corpora = new CompressedCorpora();
beforeAll(async () => {
  device = await nodeDefaultLimitsDevice();
  corpora.placement.use(device);
});
afterAll(() => {
  corpora.placement.release();
  device.destroy();
});

async function expectReference(query: F32TokenMatrix, options: CompressedSearchOptions & { k: number }): Promise<void> {
  const { hits } = await corpora.search(query, options);
  expect(compressedRankingMismatch(hits, referenceSearchCompressed(reference, query, options))).toBeUndefined();
}

describe('compressed corpora on a default-limits WebGPU device', () => {
  it('searches on the GPU as segments are appended, after removes, and after an in-memory compaction', async () => {
    expect(device.limits.maxStorageBuffersPerShaderStage).toBe(8);
    for (const [from, to] of [[0, 40], [40, 41], [41, 100]] as const) expect(corpora.append(segment(from, to), tables)).toBe(true);
    expect(corpora.placement.backend).toBe('webgpu');
    expect(corpora.placement.device).toBe(device);
    const [query] = data.queries as [F32TokenMatrix];
    await expectReference(query, { k: 10 });
    await expectReference(query, { k: 10, exact: true });
    await expectReference(query, { k: 8, nprobe: 2, ndocs: 16, only: Uint32Array.from([3, 5, 8, 13, 21, 34, 55, 89]) });

    const top = (await corpora.search(query, { k: 3, exact: true })).hits.map((h) => h.seq);
    corpora.remove(top);
    reference.remove(top);
    await expectReference(query, { k: 10 });
    // 80 of 100 removed: tidy() compacts the corpus in memory and uploads the compacted copy in its place.
    const gone = Array.from({ length: 80 }, (_, i) => i + 10);
    corpora.remove(gone);
    reference.remove(gone);
    corpora.tidy();
    for (const exact of [false, true]) await expectReference(query, { k: 10, exact });
    const all = await corpora.search(query, { k: 100, exact: true });
    expect(all.hits.map((h) => h.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i).filter((s) => !top.includes(s) && (s < 10 || s >= 90)));
  });

  it('a query already on the device gives the same hits as the same query from the CPU', async () => {
    const query = data.queries[1]!;
    const buffer = device.createBuffer({ size: query.values.byteLength + 256, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(buffer, 256, query.values.buffer, query.values.byteOffset, query.values.byteLength);
    const onDevice = await corpora.search({ buffer, offset: 256, rows: query.rows, dim }, { k: 10 });
    expect(onDevice).toEqual(await corpora.search(query, { k: 10 }));
    buffer.destroy();
  });

  it('after a device loss: searches run on the CPU kernels with the same answer; a GPU query is BACKEND_FAILED', async () => {
    const query = data.queries[1]!;
    const before = await corpora.search(query, { k: 10 });
    const buffer = device.createBuffer({ size: query.values.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    device.destroy();
    await device.lost;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(corpora.placement.backend).not.toBe('webgpu');
    expect(corpora.placement.device).toBeUndefined();
    const after = await corpora.search(query, { k: 10 });
    expect(compressedRankingMismatch(after.hits, before.hits)).toBeUndefined();
    await expectReference(query, { k: 10 });
    await expect(corpora.search({ buffer, rows: query.rows, dim }, { k: 10 })).rejects.toMatchObject({ code: ErrorCode.BackendFailed });
  });
});
