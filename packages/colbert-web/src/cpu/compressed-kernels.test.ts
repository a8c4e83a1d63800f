import { describe, expect, it } from 'vitest';
import type { ScoredDocument } from '../scoring/scorer.js';
import { ErrorCode } from '../errors.js';
import { assignCentroids } from '../scoring/compressed/assign-centroid.js';
import { compressCorpus, trainCompression } from '../scoring/compressed/build-compressed.js';
import { referenceSearchCompressed } from '../scoring/compressed/reference-f64.js';
import { searchCompressed } from '../scoring/compressed/compressed-search.js';
import { clusteredCorpus } from '../testing/clustered-corpus.js';
import { compressedRankingMismatch } from '../testing/ranking.js';
import { kernelsPerThreadCount } from '../testing/kernels-per-thread-count.js';
import { createCompressedKernels } from './compressed-kernels.js';

const expectSameRanking = (actual: readonly ScoredDocument[], expected: readonly ScoredDocument[]): void => expect(compressedRankingMismatch(actual, expected)).toBeUndefined();

// The WebAssembly compressed-index kernels against the float64 oracle (reference-f64.ts), as
// compressed-search.test.ts checks the TypeScript search, on 1 and 2 threads; assignment against the TypeScript
// assignment, code for code.

const kernels = kernelsPerThreadCount();

for (const [dim, nbits] of [[64, 2], [96, 4], [128, 2], [128, 4]] as const) {
  describe(`WASM compressed search, d = ${dim}, nbits ${nbits}`, () => {
    const data = clusteredCorpus({ seed: dim + nbits, dim, lengths: Array.from({ length: 300 }, (_, i) => 4 + ((i * 13) % 60)), words: 2048, queries: 3 });
    const corpus = compressCorpus(data, dim, { nbits, seed: 9 });

    it('exact mode equals the float64 reference, on 1 and 2 threads', async () => {
      for (const query of data.queries) {
        const expected = referenceSearchCompressed(corpus, query, { k: 25, exact: true });
        for (const threads of [1, 2]) {
          const result = await kernels[threads]!.search(corpus, query, { k: 25, exact: true });
          expect(result).toMatchObject({ pruned: false, candidates: 300, scored: 300 });
          expectSameRanking(result.hits, expected);
        }
      }
    });

    it('pruned mode equals the float64 reference and counts what the TypeScript search counts, on 1 and 2 threads', async () => {
      for (const query of data.queries) {
        for (const settings of [{}, { nprobe: 1, ndocs: 40 }, { nprobe: 4, ndocs: 100, centroidThreshold: 0.3 }]) {
          const expected = referenceSearchCompressed(corpus, query, { k: 10, ...settings });
          const ts = searchCompressed(corpus, query, { k: 10, ...settings });
          for (const threads of [1, 2]) {
            const result = await kernels[threads]!.search(corpus, query, { k: 10, ...settings });
            expect(result).toMatchObject({ pruned: true, candidates: ts.candidates, scored: ts.scored });
            expectSameRanking(result.hits, expected);
          }
        }
      }
    });

    it('assignment gives the TypeScript codes exactly, on 1 and 2 threads', async () => {
      const { table } = trainCompression(data.vectors, dim, { nbits, seed: 4, centroids: 300 });
      const expected = assignCentroids(table, data.vectors);
      expect(new Set(expected).size).toBeGreaterThan(100);
      for (const threads of [1, 2]) expect(await kernels[threads]!.assignCentroids(table, data.vectors)).toEqual(expected);
    });
  });
}

describe('WASM compressed search: filters, appends, limits', () => {
  const dim = 64;
  const data = clusteredCorpus({ seed: 5, dim, lengths: Array.from({ length: 120 }, (_, i) => 5 + (i % 20)), words: 512, queries: 2 });
  const corpus = compressCorpus(data, dim, { nbits: 2, centroids: 64 });
  const query = data.queries[0]!;

  it('never returns removed documents or documents outside `only`, in both modes, 1 and 2 threads', async () => {
    const top = searchCompressed(corpus, query, { k: 5, exact: true }).hits.map((h) => h.seq);
    corpus.remove(top.slice(0, 2));
    const only = Uint32Array.from([top[2]!, top[3]!, top[0]!, 77, 78]);
    for (const threads of [1, 2]) {
      for (const exact of [true, false]) {
        const all = await kernels[threads]!.search(corpus, query, { k: 120, exact });
        expect(all.hits.some((h) => top.slice(0, 2).includes(h.seq))).toBe(false);
        const filtered = (await kernels[threads]!.search(corpus, query, { k: 10, exact, only, nprobe: 64, ndocs: 120 })).hits.map((h) => h.seq);
        expect(new Set(filtered)).toEqual(new Set([top[2]!, top[3]!, 77, 78]));
        expectSameRanking((await kernels[threads]!.search(corpus, query, { k: 10, exact, only })).hits, referenceSearchCompressed(corpus, query, { k: 10, exact, only }));
      }
    }
    expect((await kernels[1]!.search(corpus, query, { k: 0 })).hits).toEqual([]);
  });

  it('sees documents appended after a search (the copy in WebAssembly memory follows the corpus) and another corpus', async () => {
    const half = data.lengths.subarray(0, 60).reduce((n, l) => n + l, 0);
    const second = compressCorpus(data, dim, { nbits: 4, centroids: 64 });
    const growing = compressCorpus({ vectors: data.vectors.subarray(0, half * dim), lengths: data.lengths.subarray(0, 60), seqs: data.seqs.subarray(0, 60) }, dim, { nbits: 4, centroids: 64 });
    for (const threads of [1, 2]) {
      expectSameRanking((await kernels[threads]!.search(second, query, { k: 10 })).hits, referenceSearchCompressed(second, query, { k: 10 }));
    }
    const before = await kernels[2]!.search(growing, query, { k: 10, exact: true });
    expectSameRanking(before.hits, referenceSearchCompressed(growing, query, { k: 10, exact: true }));
    growing.append({ vectors: data.vectors.subarray(half * dim), lengths: data.lengths.subarray(60), seqs: data.seqs.subarray(60) });
    const after = await kernels[2]!.search(growing, query, { k: 10, exact: true });
    expect(after.scored).toBe(120);
    expectSameRanking(after.hits, referenceSearchCompressed(growing, query, { k: 10, exact: true }));
  });

  it('rejects a query of another dimension, bad thread counts, and calls after dispose', async () => {
    await expect(kernels[1]!.search(corpus, { precision: 'f32', dim: 32, rows: 1, values: new Float32Array(32) }, { k: 1 })).rejects.toMatchObject({ code: ErrorCode.InvalidInput, subject: 'query' });
    await expect(createCompressedKernels({ threads: 0 })).rejects.toMatchObject({ code: ErrorCode.InvalidInput, subject: 'threads' });
    const disposable = await createCompressedKernels({ threads: 1 });
    disposable.dispose();
    await expect(disposable.search(corpus, query, { k: 1 })).rejects.toMatchObject({ code: ErrorCode.Closed });
  });
});
