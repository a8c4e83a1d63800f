import { describe, expect, test } from 'vitest';
import { createBm25Ranker } from './bm25.js';

// BM25 itself (hand-computed scores, the analyzer, incremental updates) is tested beside the SDK's keyword index.
const docs = [
  { id: 'a', text: 'cats chase mice' },
  { id: 'b', text: 'the dog chases the cat and the cat runs' },
  { id: 'c', text: 'mice eat cheese' },
  { id: 'd', text: 'nothing relevant here' },
];

describe('the BM25 eval ranker', () => {
  test('returns top-k best first, ties in corpus order', async () => {
    const rank = createBm25Ranker(docs, { topK: 3 });
    const run = await rank([{ id: 'q', text: 'nothing' }, { id: 'r', text: 'zebra' }, { id: 's', text: 'cat' }]);
    expect(run.get('q')!.map((d) => d.docId)).toEqual(['d', 'a', 'b']);
    // No term matches: every score is 0 and corpus order decides.
    expect(run.get('r')).toEqual([{ docId: 'a', score: 0 }, { docId: 'b', score: 0 }, { docId: 'c', score: 0 }]);
    // b has "cat" twice in 5 terms, a once in 3: b first.
    expect(run.get('s')!.map((d) => d.docId)).toEqual(['b', 'a', 'c']);
  });

  test('k1 and b reach the index: with b = 0 length no longer matters', async () => {
    const rank = createBm25Ranker([{ id: 'short', text: 'cat' }, { id: 'long', text: 'cat dog bird fish' }], { b: 0 });
    const [first, second] = (await rank([{ id: 'q', text: 'cat' }])).get('q')!;
    expect(first!.score).toBe(second!.score);
  });
});
