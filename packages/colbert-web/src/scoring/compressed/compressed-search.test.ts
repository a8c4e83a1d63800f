import { describe, expect, it } from 'vitest';
import type { ScoredDocument } from '../scorer.js';
import { ErrorCode } from '../../errors.js';
import { clusteredCorpus } from '../../testing/clustered-corpus.js';
import { compressedRankingMismatch } from '../../testing/ranking.js';
import { compressCorpus } from './build-compressed.js';
import { searchCompressed } from './compressed-search.js';
import { referenceSearchCompressed } from './reference-f64.js';
import { pruningDefaults } from './search-defaults.js';

const expectSameRanking = (actual: readonly ScoredDocument[], expected: readonly ScoredDocument[]): void => expect(compressedRankingMismatch(actual, expected)).toBeUndefined();

for (const [dim, nbits] of [[64, 2], [96, 4], [128, 2]] as const) {
  describe(`compressed search, d = ${dim}, nbits ${nbits}`, () => {
    const data = clusteredCorpus({ seed: dim + nbits, dim, lengths: Array.from({ length: 300 }, (_, i) => 4 + ((i * 13) % 60)), words: 2048, queries: 6 });
    const corpus = compressCorpus(data, dim, { nbits, seed: 9 });

    it('exact: every live document scored on its decoded tokens, equal to the float64 reference', () => {
      for (const query of data.queries) {
        const result = searchCompressed(corpus, query, { k: 25, exact: true });
        expect(result).toMatchObject({ pruned: false, candidates: 300, scored: 300 });
        expectSameRanking(result.hits, referenceSearchCompressed(corpus, query, { k: 25, exact: true }));
      }
    });

    it('pruned: the same stages as the float64 reference give the same ranking', () => {
      for (const query of data.queries) {
        for (const settings of [{}, { nprobe: 1, ndocs: 40 }, { nprobe: 4, ndocs: 100, centroidThreshold: 0.3 }]) {
          const result = searchCompressed(corpus, query, { k: 10, ...settings });
          expect(result.pruned).toBe(true);
          expect(result.scored).toBeLessThanOrEqual(Math.max(10, Math.ceil((settings.ndocs ?? pruningDefaults(10, 300).ndocs) / 4)));
          expect(result.candidates).toBeGreaterThanOrEqual(result.scored);
          expectSameRanking(result.hits, referenceSearchCompressed(corpus, query, { k: 10, ...settings }));
        }
      }
    });

    it('pruned search finds most of the exact top 10 (≥ 0.85 here: topics make many near-equal documents; SciFact is measured in bench/)', () => {
      let overlap = 0;
      for (const query of data.queries) {
        const exact = new Set(searchCompressed(corpus, query, { k: 10, exact: true }).hits.map((h) => h.seq));
        overlap += searchCompressed(corpus, query, { k: 10 }).hits.filter((h) => exact.has(h.seq)).length / 10;
      }
      expect(overlap / data.queries.length).toBeGreaterThanOrEqual(0.85);
    });
  });
}

describe('compressed search filters and limits', () => {
  const dim = 64;
  const data = clusteredCorpus({ seed: 5, dim, lengths: Array.from({ length: 120 }, (_, i) => 5 + (i % 20)), words: 512, queries: 2 });
  const corpus = compressCorpus(data, dim, { nbits: 2, centroids: 64 });
  const query = data.queries[0]!;

  it('never returns removed documents or documents outside `only`, in both modes', () => {
    const top = searchCompressed(corpus, query, { k: 5, exact: true }).hits.map((h) => h.seq);
    corpus.remove(top.slice(0, 2));
    const only = Uint32Array.from([top[2]!, top[3]!, top[0]!, 77, 78]);
    for (const exact of [true, false]) {
      const all = searchCompressed(corpus, query, { k: 120, exact });
      expect(all.hits.some((h) => top.slice(0, 2).includes(h.seq))).toBe(false);
      const filtered = searchCompressed(corpus, query, { k: 10, exact, only, nprobe: 64, ndocs: 120 }).hits.map((h) => h.seq);
      expect(new Set(filtered)).toEqual(new Set([top[2]!, top[3]!, 77, 78]));
      expectSameRanking(searchCompressed(corpus, query, { k: 10, exact, only }).hits, referenceSearchCompressed(corpus, query, { k: 10, exact, only }));
    }
    expect(searchCompressed(corpus, query, { k: 0 }).hits).toEqual([]);
  });

  it('rejects a query of another dimension with INVALID_INPUT', () => {
    expect(() => searchCompressed(corpus, { precision: 'f32', dim: 32, rows: 1, values: new Float32Array(32) }, { k: 1 })).toThrowError(
      expect.objectContaining({ code: ErrorCode.InvalidInput, subject: 'query' }),
    );
  });

  it('defaults scale with k and stay within the corpus', () => {
    expect(pruningDefaults(10, 100_000)).toEqual({ nprobe: 2, centroidThreshold: 0.5, ndocs: 256 });
    expect(pruningDefaults(100, 100_000)).toEqual({ nprobe: 3, centroidThreshold: 0.45, ndocs: 1024 });
    expect(pruningDefaults(2000, 100_000)).toEqual({ nprobe: 5, centroidThreshold: 0.4, ndocs: 8000 });
    expect(pruningDefaults(10, 50).ndocs).toBe(50);
  });
});
