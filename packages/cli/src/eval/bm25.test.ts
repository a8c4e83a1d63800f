import { describe, expect, test } from 'vitest';
import { analyze } from './english-analyzer.js';
import { Bm25Index, createBm25Ranker } from './bm25.js';

const docs = [
  { id: 'a', text: 'cats chase mice' }, // terms: cat chase mice (3)
  { id: 'b', text: 'the dog chases the cat and the cat runs' }, // dog chase cat cat run (5)
  { id: 'c', text: 'mice eat cheese' }, // mice eat chees (3)
  { id: 'd', text: 'nothing relevant here' }, // noth relev here (3)
];

describe('analyze (Lucene EnglishAnalyzer approximation)', () => {
  test('lowercases, drops stop words and possessives, stems, keeps decimals and in-word apostrophes', () => {
    expect(analyze("The Cat's running, and 2.5-fold increases; don't")).toEqual(['cat', 'run', '2.5', 'fold', 'increas', "don't"]);
    expect(analyze('')).toEqual([]);
  });
});

describe('BM25 (hand-computed)', () => {
  test('idf is ln(1 + (N − df + 0.5) / (df + 0.5))', () => {
    const index = new Bm25Index(docs);
    expect(index.idf('cat')).toBeCloseTo(Math.log(1 + (4 - 2 + 0.5) / (2 + 0.5)), 12);
    expect(index.idf('chees')).toBeCloseTo(Math.log(1 + (4 - 1 + 0.5) / 1.5), 12);
  });

  test('scores with k1 = 1.2, b = 0.75 and avgdl = 3.5', () => {
    const index = new Bm25Index(docs);
    const k1 = 1.2;
    const b = 0.75;
    const avg = (3 + 5 + 3 + 3) / 4;
    const norm = (len: number): number => k1 * (1 - b + (b * len) / avg);
    const idfCat = Math.log(1 + 2.5 / 2.5);
    const idfMice = Math.log(1 + 2.5 / 2.5);
    const scores = index.score('cat mice');
    expect(scores[0]).toBeCloseTo(idfCat / (1 + norm(3)) + idfMice / (1 + norm(3)), 12);
    expect(scores[1]).toBeCloseTo((idfCat * 2) / (2 + norm(5)), 12);
    expect(scores[2]).toBeCloseTo(idfMice / (1 + norm(3)), 12);
    expect(scores[3]).toBe(0);
  });

  test('a repeated query term counts twice; an unknown term adds nothing', () => {
    const index = new Bm25Index(docs);
    const once = index.score('cheese')[2]!;
    expect(index.score('cheese cheese zebra')[2]).toBeCloseTo(2 * once, 12);
  });

  test('the ranker returns top-k best first, ties in corpus order', async () => {
    const rank = createBm25Ranker(docs, { topK: 3 });
    const run = await rank([{ id: 'q', text: 'nothing' }, { id: 'r', text: 'zebra' }]);
    expect(run.get('q')!.map((d) => d.docId)).toEqual(['d', 'a', 'b']);
    // No term matches: every score is 0 and corpus order decides.
    expect(run.get('r')).toEqual([{ docId: 'a', score: 0 }, { docId: 'b', score: 0 }, { docId: 'c', score: 0 }]);
  });
});
