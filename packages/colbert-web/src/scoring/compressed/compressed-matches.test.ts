import { describe, expect, it } from 'vitest';
import { clusteredCorpus } from '../../testing/clustered-corpus.js';
import { compressCorpus } from './build-compressed.js';
import { compressedMatches } from './compressed-matches.js';
import { searchCompressed } from './compressed-search.js';

describe('compressed explanations', () => {
  for (const nbits of [2, 4] as const) {
    it(`nbits ${nbits}: one best document token per query token, adding up to the score the search gave`, () => {
      const dim = 64;
      const data = clusteredCorpus({ seed: 3 + nbits, dim, lengths: Array.from({ length: 120 }, (_, i) => 3 + ((i * 7) % 40)), words: 512, queries: 4, queryTokens: 12 });
      const corpus = compressCorpus(data, dim, { nbits, seed: 2 });
      for (const query of data.queries) {
        for (const hit of searchCompressed(corpus, query, { k: 5, exact: true }).hits) {
          const position = corpus.positionOf(hit.seq);
          const length = corpus.tokenStart[position + 1]! - corpus.tokenStart[position]!;
          const matches = compressedMatches(corpus, position, query);
          expect(matches.map((m) => m.queryToken)).toEqual(Array.from({ length: query.rows }, (_, q) => q));
          for (const m of matches) expect(m.documentToken >= 0 && m.documentToken < length).toBe(true);
          // Each match is at most its query token's best, so the sum reaching the search's MaxSim (computed through
          // lookup tables, not by decoding) means every match is the best one.
          const sum = matches.reduce((s, m) => s + m.score, 0);
          expect(Math.abs(sum - hit.score)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(hit.score)));
        }
      }
    });
  }
});
