import { describe, expect, it } from 'vitest';
import { clusteredCorpus } from '../../testing/clustered-corpus.js';
import { compressedRankingMismatch } from '../../testing/ranking.js';
import { seededRandom } from '../../testing/random-corpus.js';
import type { F32TokenMatrix } from '../token-matrix.js';
import { adaptiveSearch, minimumCandidates } from './adaptive-search.js';
import { compressCorpus } from './build-compressed.js';
import { searchCompressed, type CompressedSearchOptions } from './compressed-search.js';
import { referenceSearchCompressed } from './reference-f64.js';
import { pruningDefaults } from './search-defaults.js';

describe('adaptive candidate generation', () => {
  const dim = 64;
  const data = clusteredCorpus({ seed: 5, dim, lengths: Array.from({ length: 400 }, (_, i) => 4 + ((i * 13) % 40)), words: 2048, queries: 0 });
  const corpus = compressCorpus(data, dim, { nbits: 2, seed: 1 });
  // One query token in a random direction: its nearest centroid's list holds a handful of documents, as the
  // query tokens of a model with diffuse vectors do.
  const random = seededRandom(11);
  const values = Float32Array.from({ length: dim }, () => random() - 0.5);
  const norm = Math.hypot(...values);
  const query: F32TokenMatrix = { precision: 'f32', dim, rows: 1, values: values.map((v) => v / norm) };
  const recorded = (calls: CompressedSearchOptions[]) => (o: CompressedSearchOptions) => {
    calls.push(o);
    return searchCompressed(corpus, query, o);
  };

  it('probes 4× more centroids until the candidates reach the minimum, and ranks as the reference does at that width', async () => {
    const k = 10;
    const plain = searchCompressed(corpus, query, { k, nprobe: 1 });
    const wanted = minimumCandidates(k, pruningDefaults(k, corpus.documents).ndocs, corpus.documents);
    expect(plain.candidates).toBeLessThan(wanted);
    const calls: CompressedSearchOptions[] = [];
    const result = await adaptiveSearch(recorded(calls), corpus, { k, nprobe: 1 });
    expect(result.pruned).toBe(true);
    expect(result.candidates).toBeGreaterThanOrEqual(wanted);
    const widths = calls.map((c) => c.nprobe);
    expect(widths.slice(0, 2)).toEqual([1, 4]);
    for (let i = 2; i < widths.length; i++) expect(widths[i]).toBe(Math.min(corpus.centroidCount, 4 * widths[i - 1]!));
    expect(compressedRankingMismatch(result.hits, referenceSearchCompressed(corpus, query, { k, nprobe: widths.at(-1)! }))).toBeUndefined();
  });

  it('leaves a search with enough candidates alone, and widens a narrow filter until it finds every allowed document', async () => {
    const calls: CompressedSearchOptions[] = [];
    await adaptiveSearch(recorded(calls), corpus, { k: 10, nprobe: corpus.centroidCount });
    expect(calls).toHaveLength(1);
    // Three allowed documents: the minimum is all three, so probing widens until the lists hold them.
    const only = Uint32Array.from([3, 150, 399]);
    const narrow: CompressedSearchOptions[] = [];
    const result = await adaptiveSearch(recorded(narrow), corpus, { k: 10, only, nprobe: 1 });
    expect(narrow.length).toBeGreaterThan(1);
    expect(result).toMatchObject({ pruned: true, candidates: 3 });
    expect(result.hits.map((h) => h.seq).sort((a, b) => a - b)).toEqual([3, 150, 399]);
  });
});
