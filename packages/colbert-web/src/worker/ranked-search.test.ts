import { describe, expect, test } from 'vitest';
import type { ColbertTokenizer } from '../model/tokenizer.js';
import type { StoredDocument } from '../store/store-reads.js';
import { KeywordMirror } from './keyword-mirror.js';
import { rankedSearch } from './ranked-search.js';
import type { SemanticRanking } from './ranked-search.js';
import { validateSearchOptions } from './validate-input.js';

const texts = new Map([
  [1, 'Heart attack and aspirin'],
  [2, 'bread rises with yeast'],
  [3, 'a heart shaped bread'],
  [4, 'rivers and stones'],
]);

function stored(seq: number): StoredDocument {
  return { seq, id: `d${seq}`, text: texts.get(seq), metadata: undefined, truncated: false, spans: new Int32Array(0), tokenIds: new Int32Array(0) };
}

/** A context whose semantic ranking is given (the model's scores are not what these tests are about). */
function context(semantic: { seq: number; score: number }[], options: { only?: Uint32Array; gone?: number[] } = {}) {
  const keyword = new KeywordMirror();
  keyword.append([...texts].map(([seq, text]) => ({ seq, text })));
  const asked: number[] = [];
  return {
    asked,
    only: options.only,
    keyword,
    semantic: (k: number): Promise<SemanticRanking> => {
      asked.push(k);
      return Promise.resolve({ scored: semantic.slice(0, k), query: { tokens: [], kinds: [] } });
    },
    documents: (seqs: readonly number[]) => Promise.resolve(seqs.map((s) => (options.gone?.includes(s) ? undefined : stored(s)))),
    tokenizer: {} as ColbertTokenizer,
  };
}

describe('rankedSearch', () => {
  test('keyword: no semantic ranking asked, found/rankings/keywordMatches on each hit', async () => {
    const ctx = context([]);
    const hits = await rankedSearch('hearts', validateSearchOptions('hearts', { mode: 'keyword' }), ctx);
    expect(ctx.asked).toEqual([]);
    expect(hits.map((h) => h.id).sort()).toEqual(['d1', 'd3']);
    for (const hit of hits) {
      expect(hit.found).toEqual(['keyword']);
      expect(hit.rankings?.semantic).toBeUndefined();
      expect(hit.keywordMatches).toEqual([{ term: 'heart', start: hit.id === 'd1' ? 0 : 2, end: hit.id === 'd1' ? 5 : 7 }]);
    }
    expect(hits.map((h) => h.rankings?.keyword?.rank)).toEqual([1, 2]);
  });

  test('hybrid: both rankings max(k, 100) deep, RRF over the union, hits removed meanwhile left out', async () => {
    const ctx = context([{ seq: 4, score: 9 }, { seq: 3, score: 8 }, { seq: 2, score: 1 }], { gone: [2] });
    const hits = await rankedSearch('heart', validateSearchOptions('heart', { mode: 'hybrid', k: 3 }), ctx);
    expect(ctx.asked).toEqual([100]);
    // keyword: d1 and d3 (equal lengths: seq order); semantic: d4, d3, d2 (d2 gone by the time documents are read).
    const byId = new Map(hits.map((h) => [h.id, h]));
    expect(hits.map((h) => h.id)).toEqual(['d3', 'd1', 'd4']);
    expect(byId.get('d3')!.found).toEqual(['semantic', 'keyword']);
    expect(byId.get('d3')!.score).toBeCloseTo(1 / 62 + 1 / 62, 15);
    expect(byId.get('d1')!.found).toEqual(['keyword']);
    expect(byId.get('d1')!.score).toBeCloseTo(1 / 61, 15);
    expect(byId.get('d4')!.found).toEqual(['semantic']);
    expect(byId.get('d4')!.keywordMatches).toBeUndefined();
  });

  test('hybrid weighted: semanticWeight 1 orders by the model alone; filters reach the keyword ranking', async () => {
    const ctx = context([{ seq: 4, score: 9 }, { seq: 3, score: 8 }, { seq: 1, score: 1 }], { only: Uint32Array.of(1, 4) });
    const hits = await rankedSearch('heart', validateSearchOptions('heart', { mode: 'hybrid', fusion: 'weighted', semanticWeight: 1 }), ctx);
    expect(hits[0]!.id).toBe('d4');
    expect(hits[0]!.score).toBe(1);
    // The filter allows d1 and d4: d3 shares "heart" but the keyword ranking never saw it.
    expect(hits.find((h) => h.id === 'd3')!.found).toEqual(['semantic']);
    expect(hits.find((h) => h.id === 'd1')!.found).toEqual(['semantic', 'keyword']);
  });
});

describe('validateSearchOptions: mode, fusion, semanticWeight', () => {
  test('defaults, and INVALID_INPUT naming the field', () => {
    expect(validateSearchOptions('q', {})).toMatchObject({ mode: 'semantic', fusion: 'rrf', semanticWeight: 0.5 });
    expect(() => validateSearchOptions('q', { mode: 'lexical' as never })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', subject: 'mode' }));
    expect(() => validateSearchOptions('q', { fusion: 'max' as never })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', subject: 'fusion' }));
    expect(() => validateSearchOptions('q', { semanticWeight: 1.5 })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', subject: 'semanticWeight' }));
    expect(() => validateSearchOptions('q', { semanticWeight: Number.NaN })).toThrow(expect.objectContaining({ subject: 'semanticWeight' }));
  });
});
