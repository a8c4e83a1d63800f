import { describe, expect, test } from 'vitest';
import type { ColbertTokenizer } from '../model/tokenizer.js';
import type { DocumentInput, Hit } from '../protocol/search-api.js';
import type { StoredDocument } from '../store/store-reads.js';
import { rerankInIndex } from './index-rerank.js';
import type { RerankContext } from './index-rerank.js';

const ids = new Map([['a', 1], ['b', 2], ['c', 3]]);
const stored = new Map([[1, 0.5], [2, 3], [3, 2]]);

/** Indexed documents score `stored`; outside ones `text.length` (the scoring itself is tested elsewhere). */
function context(): RerankContext & { only: number[][]; outside: string[][] } {
  const only: number[][] = [];
  const outside: string[][] = [];
  const doc = (seq: number): StoredDocument => ({ seq, id: [...ids].find(([, s]) => s === seq)![0], text: '', metadata: undefined, truncated: false, spans: new Int32Array(0), tokenIds: new Int32Array(0) });
  return {
    only,
    outside,
    seqOf: (id) => ids.get(id),
    semantic: (seqs) => {
      only.push([...seqs]);
      const scored = [...seqs].map((seq) => ({ seq, score: stored.get(seq)! })).sort((x, y) => y.score - x.score);
      return Promise.resolve({ scored, query: { tokens: [], kinds: [] } });
    },
    documents: (seqs) => Promise.resolve(seqs.map(doc)),
    encoder: {
      tokenizer: {} as ColbertTokenizer,
      rerank: (_query: string, candidates: readonly DocumentInput[]): Promise<Hit[]> => {
        outside.push(candidates.map((c) => c.id));
        return Promise.resolve(candidates.map((c) => ({ id: c.id, score: c.text.length, text: c.text, metadata: undefined, truncated: false, matches: [] })));
      },
    },
  };
}

describe('rerankInIndex', () => {
  test('ids are scored among exactly themselves, texts are encoded; one MaxSim order, cut to k', async () => {
    const ctx = context();
    const hits = await rerankInIndex('q', ['c', { id: 'x', text: 'abcd' }, 'a', 'b'], { k: 3 }, ctx);
    expect(ctx.only).toEqual([[1, 3, 2].sort()]);
    expect(ctx.outside).toEqual([['x']]);
    expect(hits.map((h) => [h.id, h.score])).toEqual([['x', 4], ['b', 3], ['c', 2]]);
  });

  test('equal scores keep the candidates’ order; nothing to score asks nothing', async () => {
    const ctx = context();
    const hits = await rerankInIndex('q', [{ id: 'y', text: 'abc' }, 'b'], {}, ctx);
    expect(hits.map((h) => h.id)).toEqual(['y', 'b']);
    expect(await rerankInIndex('q', [], {}, ctx)).toEqual([]);
    expect(ctx.only).toEqual([[2]]);
  });

  test('an unknown id, a repeat or a bad k is INVALID_INPUT naming it', async () => {
    const ctx = context();
    await expect(rerankInIndex('q', ['a', 'zz'], {}, ctx)).rejects.toMatchObject({ code: 'INVALID_INPUT', subject: 'candidates[1]', message: expect.stringContaining('"zz"') });
    await expect(rerankInIndex('q', ['a', { id: 'a', text: 't' }], {}, ctx)).rejects.toMatchObject({ code: 'INVALID_INPUT', subject: 'candidates[1]' });
    await expect(rerankInIndex('q', [42 as never], {}, ctx)).rejects.toMatchObject({ code: 'INVALID_INPUT', subject: 'candidates[0]' });
    await expect(rerankInIndex('q', ['a'], { k: -1 }, ctx)).rejects.toMatchObject({ code: 'INVALID_INPUT', subject: 'k' });
    expect(ctx.only).toEqual([]);
  });
});
