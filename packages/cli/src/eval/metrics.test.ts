import { describe, expect, test } from 'vitest';
import { compareCodePoints, evaluateRun, METRIC_NAMES, queryMetrics, trecOrder } from './metrics.js';
import type { Qrels } from './metrics.js';
import type { Run } from './ranker.js';

const judged = (entries: Array<[string, number]>): Map<string, number> => new Map(entries);
const run = (entries: Record<string, Array<[string, number]>>): Run =>
  new Map(Object.entries(entries).map(([q, docs]) => [q, docs.map(([docId, score]) => ({ docId, score }))]));

describe('queryMetrics (hand-computed)', () => {
  test('graded relevance: gain = grade, log2(rank + 1) discount, ideal from the qrels', () => {
    // Ranked: x (non-relevant), a (grade 2), b (grade 1). Qrels also hold c (grade 2, never retrieved).
    const m = queryMetrics(['x', 'a', 'b'], judged([['a', 2], ['b', 1], ['c', 2], ['z', 0]]));
    const dcg = 2 / Math.log2(3) + 1 / Math.log2(4);
    const idcg = 2 + 2 / Math.log2(3) + 1 / Math.log2(4);
    expect(m['ndcg@10']).toBeCloseTo(dcg / idcg, 12);
    expect(m['mrr@10']).toBe(1 / 2);
    // Precision at the relevant ranks: 1/2 (a), 2/3 (b); three relevant documents in the qrels.
    expect(m['map@100']).toBeCloseTo((1 / 2 + 2 / 3) / 3, 12);
    expect(m['recall@1']).toBe(0);
    expect(m['recall@3']).toBeCloseTo(2 / 3, 12);
    expect(m['recall@10']).toBeCloseTo(2 / 3, 12);
    expect(m['precision@1']).toBe(0);
    expect(m['precision@3']).toBeCloseTo(2 / 3, 12);
    // Fewer than k retrieved: still divided by k.
    expect(m['precision@5']).toBeCloseTo(2 / 5, 12);
    expect(m['precision@10']).toBeCloseTo(2 / 10, 12);
    expect(m['accuracy@1']).toBe(0);
    expect(m['accuracy@3']).toBe(1);
  });

  test('a perfect ranking scores 1 on nDCG, MRR, MAP; recall@1 is 1/#relevant', () => {
    const m = queryMetrics(['a', 'b'], judged([['a', 1], ['b', 1]]));
    expect(m['ndcg@10']).toBeCloseTo(1, 12);
    expect(m['mrr@10']).toBe(1);
    expect(m['map@100']).toBeCloseTo(1, 12);
    expect(m['recall@1']).toBe(0.5);
    expect(m['recall@3']).toBe(1);
  });

  test('a relevant document below rank 10 counts for MAP@100 but not nDCG@10, MRR@10 or @10 cutoffs', () => {
    const ranked = Array.from({ length: 12 }, (_, i) => `n${i}`);
    ranked[10] = 'a'; // rank 11
    const m = queryMetrics(ranked, judged([['a', 1]]));
    expect(m['ndcg@10']).toBe(0);
    expect(m['mrr@10']).toBe(0);
    expect(m['recall@10']).toBe(0);
    expect(m['accuracy@10']).toBe(0);
    expect(m['map@100']).toBeCloseTo(1 / 11, 12);
  });

  test('nothing retrieved: every metric is 0', () => {
    const m = queryMetrics([], judged([['a', 1]]));
    for (const name of METRIC_NAMES) expect(m[name]).toBe(0);
  });

  test('grade 0 is judged non-relevant; documents missing from the qrels are non-relevant', () => {
    const m = queryMetrics(['z', 'unknown', 'a'], judged([['a', 1], ['z', 0]]));
    expect(m['mrr@10']).toBeCloseTo(1 / 3, 12);
    expect(m['ndcg@10']).toBeCloseTo(1 / Math.log2(4), 12);
  });
});

describe('trecOrder: pytrec_eval ties (score descending, then document id descending in byte order)', () => {
  test('ties go to the larger id, compared as strings, not numbers', () => {
    const ordered = trecOrder([
      { docId: '9', score: 1 },
      { docId: '10', score: 1 },
      { docId: '2', score: 3 },
      { docId: '11', score: 1 },
    ]);
    expect(ordered.map((d) => d.docId)).toEqual(['2', '9', '11', '10']);
  });

  test('code point order, as strcmp on UTF-8 (an astral character sorts after U+FFFD)', () => {
    expect(compareCodePoints('\u{1F600}', '\uFFFD')).toBeGreaterThan(0);
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
    expect(compareCodePoints('a', 'b')).toBeLessThan(0);
  });
});

describe('evaluateRun', () => {
  const qrels: Qrels = new Map([
    ['q1', judged([['d1', 1]])],
    ['q2', judged([['d2', 1], ['d3', 1]])],
    ['q3', judged([['d4', 0]])], // no relevant document: skipped
  ]);

  test('ties are re-ordered like pytrec_eval by default; the run order is kept with ties: "run"', () => {
    // q1: d1 and d0 tie; pytrec_eval puts d1 (larger id) first. The run lists d0 first.
    const r = run({ q1: [['d0', 5], ['d1', 5]], q2: [['d3', 2], ['x', 1], ['d2', 0.5]] });
    const trec = evaluateRun(qrels, r);
    expect(trec.perQuery.get('q1')!['mrr@10']).toBe(1);
    expect(evaluateRun(qrels, r, { ties: 'run' }).perQuery.get('q1')!['mrr@10']).toBe(0.5);
    expect(trec.queries).toBe(2);
    expect(trec.skipped).toBe(1);
    expect(trec.perQuery.has('q3')).toBe(false);
    // q2: relevant at ranks 1 and 3 → AP = (1 + 2/3) / 2.
    expect(trec.perQuery.get('q2')!['map@100']).toBeCloseTo((1 + 2 / 3) / 2, 12);
    expect(trec.mean['map@100']).toBeCloseTo((1 + (1 + 2 / 3) / 2) / 2, 12);
  });

  test('a judged query missing from the run scores 0 and still counts in the mean', () => {
    const r = run({ q1: [['d1', 1]] });
    const result = evaluateRun(qrels, r);
    expect(result.queries).toBe(2);
    expect(result.perQuery.get('q2')!['ndcg@10']).toBe(0);
    expect(result.mean['ndcg@10']).toBeCloseTo(0.5, 12);
  });

  test('an empty run scores 0; empty qrels give no queries', () => {
    expect(evaluateRun(qrels, new Map()).mean['ndcg@10']).toBe(0);
    const none = evaluateRun(new Map(), new Map());
    expect(none.queries).toBe(0);
    expect(none.mean['recall@1']).toBe(0);
  });

  test('a document ranked twice, or a NaN score, is an error naming the query', () => {
    expect(() => evaluateRun(qrels, run({ q1: [['d1', 1], ['d1', 0.5]] }))).toThrow(/Query q1: document d1 is ranked twice/);
    expect(() => evaluateRun(qrels, run({ q1: [['d1', Number.NaN]] }))).toThrow(/Query q1/);
  });
});
