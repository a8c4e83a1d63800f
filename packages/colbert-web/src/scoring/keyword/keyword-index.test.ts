import { describe, expect, test } from 'vitest';
import { SeededRandom } from '../compressed/seeded-random.js';
import { analyze } from './english-analyzer.js';
import { KeywordIndex } from './keyword-index.js';
import { segmentTerms } from './segment-terms.js';

const texts = [
  'cats chase mice', // cat chase mice (3)
  'the dog chases the cat and the cat runs', // dog chase cat cat run (5)
  'mice eat cheese', // mice eat chees (3)
  'nothing relevant here', // noth relev here (3)
];

function build(docs: readonly string[], seqs = docs.map((_, i) => i + 1)): KeywordIndex {
  const index = new KeywordIndex();
  index.append(Uint32Array.from(seqs), segmentTerms(docs.map(analyze)));
  return index;
}

describe('analyze (Lucene EnglishAnalyzer approximation)', () => {
  test('lowercases, drops stop words and possessives, stems, keeps decimals and in-word apostrophes', () => {
    expect(analyze("The Cat's running, and 2.5-fold increases; don't")).toEqual(['cat', 'run', '2.5', 'fold', 'increas', "don't"]);
    expect(analyze('')).toEqual([]);
  });
});

describe('BM25 (hand-computed)', () => {
  test('idf is ln(1 + (N − df + 0.5) / (df + 0.5))', () => {
    const index = build(texts);
    expect(index.idf('cat')).toBeCloseTo(Math.log(1 + (4 - 2 + 0.5) / (2 + 0.5)), 12);
    expect(index.idf('chees')).toBeCloseTo(Math.log(1 + (4 - 1 + 0.5) / 1.5), 12);
  });

  test('scores with k1 = 1.2, b = 0.75 and avgdl = 3.5', () => {
    const index = build(texts);
    const norm = (len: number): number => 1.2 * (1 - 0.75 + (0.75 * len) / 3.5);
    const idf = Math.log(1 + 2.5 / 2.5); // cat and mice: df 2 of 4
    const scores = index.score(analyze('cat mice'));
    expect(scores[0]).toBeCloseTo(idf / (1 + norm(3)) + idf / (1 + norm(3)), 12);
    expect(scores[1]).toBeCloseTo((idf * 2) / (2 + norm(5)), 12);
    expect(scores[2]).toBeCloseTo(idf / (1 + norm(3)), 12);
    expect(scores[3]).toBe(0);
  });

  test('a repeated query term counts twice; an unknown term adds nothing', () => {
    const index = build(texts);
    const once = index.score(['chees'])[2]!;
    expect(index.score(['chees', 'chees', 'zebra'])[2]).toBeCloseTo(2 * once, 12);
  });

  test('search: documents sharing a term, best first, ties by sequence number, k and `only` applied', () => {
    const index = build(['red apple', 'green apple', 'red red apple', 'pear'], [10, 20, 30, 40]);
    const hits = index.search(['appl'], { k: 10 });
    // Same tf, lengths 2 and 2 for 10 and 20 (tie → lower seq first); 30 is longer (3 terms).
    expect(hits.map((h) => h.seq)).toEqual([10, 20, 30]);
    expect(hits[0]!.score).toBe(hits[1]!.score);
    expect(index.search(['appl'], { k: 1 }).map((h) => h.seq)).toEqual([10]);
    expect(index.search(['appl'], { k: 10, only: Uint32Array.of(30, 40, 99) }).map((h) => h.seq)).toEqual([30]);
    expect(index.search(['zebra'], { k: 10 })).toEqual([]);
  });
});

describe('incremental', () => {
  test('appending in batches scores as one batch does; sequence numbers must increase', () => {
    const whole = build(texts);
    const parts = new KeywordIndex();
    parts.append(Uint32Array.of(1), segmentTerms([analyze(texts[0]!)]));
    parts.append(Uint32Array.of(2, 3, 4), segmentTerms(texts.slice(1).map(analyze)));
    expect(parts.score(analyze('cat mice cheese'))).toEqual(whole.score(analyze('cat mice cheese')));
    expect(() => parts.append(Uint32Array.of(4), segmentTerms([['x']]))).toThrow(/sequence number 4 does not follow 4/);
    expect(() => parts.append(Uint32Array.of(7, 6), segmentTerms([['x'], ['y']]))).toThrow(/6 does not follow 7/);
    expect(() => parts.append(Uint32Array.of(9), segmentTerms([]))).toThrow(/0 documents for 1/);
  });

  test('a removed document is never returned; statistics count it until compact(), which equals a fresh index', () => {
    const index = build(texts);
    const before = index.score(['mice']);
    expect(index.remove(1)).toBe(true);
    expect(index.remove(1)).toBe(false);
    expect(index.remove(77)).toBe(false);
    expect(index.documents).toBe(3);
    expect(index.search(['mice'], { k: 10 }).map((h) => h.seq)).toEqual([3]);
    // Lucene between merges: N, df and avgdl still include document 1.
    expect(index.score(['mice'])).toEqual(before);
    const compacted = index.compact();
    const fresh = build(texts.slice(1), [2, 3, 4]);
    expect(compacted.size).toBe(3);
    for (const q of ['mice', 'cat run', 'noth chees dog']) expect(compacted.search(q.split(' '), { k: 10 })).toEqual(fresh.search(q.split(' '), { k: 10 }));
    expect(compacted.terms).toBe(fresh.terms);
  });

  test('random appends, removes and compactions agree with a float64 BM25 over the live documents', () => {
    const rng = new SeededRandom(7);
    const random = (): number => rng.nextUint32() / 0x1_0000_0000;
    const vocabulary = Array.from({ length: 40 }, (_, i) => `t${i}`);
    const docs = new Map<number, string[]>();
    let index = new KeywordIndex();
    let seq = 0;
    const reference = (query: readonly string[], held: ReadonlyMap<number, readonly string[]>, live: ReadonlySet<number>): Map<number, number> => {
      const n = held.size;
      let total = 0;
      for (const terms of held.values()) total += terms.length;
      const avg = total / n || 1;
      const out = new Map<number, number>();
      for (const [s, terms] of held) {
        if (!live.has(s)) continue;
        let score = 0;
        for (const t of query) {
          const df = [...held.values()].filter((d) => d.includes(t)).length;
          const tf = terms.filter((x) => x === t).length;
          if (tf > 0) score += (Math.log(1 + (n - df + 0.5) / (df + 0.5)) * tf) / (tf + 1.2 * (1 - 0.75 + (0.75 * terms.length) / avg));
        }
        if (score > 0) out.set(s, score);
      }
      return out;
    };
    const live = new Set<number>();
    for (let round = 0; round < 30; round++) {
      const batch = Array.from({ length: 1 + Math.floor(random() * 4) }, () => Array.from({ length: 1 + Math.floor(random() * 12) }, () => vocabulary[Math.floor(random() * 40)]!));
      const seqs = batch.map(() => (seq += 1 + Math.floor(random() * 3)));
      index.append(Uint32Array.from(seqs), segmentTerms(batch));
      seqs.forEach((s, i) => (docs.set(s, batch[i]!), live.add(s)));
      for (const s of [...live]) if (random() < 0.1) (index.remove(s), live.delete(s));
      if (round % 10 === 9) {
        index = index.compact();
        for (const s of [...docs.keys()]) if (!live.has(s)) docs.delete(s);
      }
      const query = [vocabulary[Math.floor(random() * 40)]!, vocabulary[Math.floor(random() * 40)]!];
      const expected = reference(query, docs, live);
      const hits = index.search(query, { k: 1000 });
      expect(hits.map((h) => h.seq).sort((a, b) => a - b)).toEqual([...expected.keys()].sort((a, b) => a - b));
      for (const h of hits) expect(h.score).toBeCloseTo(expected.get(h.seq)!, 10);
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score > hits[i]!.score || (hits[i - 1]!.score === hits[i]!.score && hits[i - 1]!.seq < hits[i]!.seq)).toBe(true);
    }
  });
});
