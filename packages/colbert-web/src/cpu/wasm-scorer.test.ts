import { describe, expect, it } from 'vitest';
import { referenceScore } from '../scoring/reference-f64.js';
import type { DocumentBatch, ScoredDocument, TokenMatch } from '../scoring/scorer.js';
import { scorerDims, storedPrecisions, storeTokens } from '../scoring/token-matrix.js';
import { randomBatch, randomQuery, randomUnitRows, seededRandom } from '../testing/random-corpus.js';
import { rankingMismatch, topKOverlap } from '../testing/ranking.js';
import { quantizeQuery } from '../scoring/query.js';
import { createWasmScorer } from './wasm-scorer.js';

/** Every returned match names the reference's best document token, or one whose score ties it. */
function explanationMismatch(actual: readonly ScoredDocument[], expected: readonly ScoredDocument[]): string | undefined {
  const bySeq = new Map(expected.map((e) => [e.seq, e.matches!]));
  for (const hit of actual) {
    const reference = bySeq.get(hit.seq);
    if (!reference) continue; // a near-tie swap at the cut; its ranking was already checked
    if (hit.matches?.length !== reference.length) return `seq ${hit.seq}: ${hit.matches?.length} matches, expected ${reference.length}`;
    for (const [q, m] of hit.matches.entries()) {
      const e: TokenMatch = reference[q]!;
      if (Math.abs(m.score - e.score) > 1e-4 * Math.max(1, Math.abs(e.score))) return `seq ${hit.seq} q${q}: score ${m.score} vs ${e.score}`;
      if (m.queryToken !== q || (m.documentToken !== e.documentToken && Math.abs(m.score - e.score) > 1e-5)) {
        return `seq ${hit.seq} q${q}: token ${m.documentToken} vs ${e.documentToken}`;
      }
    }
  }
  return undefined;
}

describe('WASM scorer: every dim × stored precision against the float64 reference', () => {
  for (const dim of scorerDims) {
    for (const precision of storedPrecisions) {
      it(`d=${dim} ${precision}`, async () => {
        const random = seededRandom(dim * 7 + precision.length);
        const lengths = Array.from({ length: 120 }, () => 1 + Math.floor(random() * 80));
        const batch = randomBatch(random, lengths, dim, precision, 10);
        const scorer = await createWasmScorer({ dim, precision, threads: 1 });
        await scorer.append(batch);
        expect(scorer.documents).toBe(120);
        expect(scorer.tokens).toBe(lengths.reduce((a, b) => a + b));
        // 32 query tokens (whole groups of 4) and 5 (padded to 8).
        for (const rows of [32, 5]) {
          const query = randomQuery(random, rows, dim);
          const actual = await scorer.score(query, { k: 10, explain: true });
          const expected = referenceScore(query, [batch], { k: 10, explain: true });
          expect(rankingMismatch(actual, expected)).toBeUndefined();
          expect(explanationMismatch(actual, expected)).toBeUndefined();
          const all = await scorer.score(query, { k: 1000 });
          expect(rankingMismatch(all, referenceScore(query, [batch], { k: 1000 }))).toBeUndefined();
        }
        scorer.dispose();
      });
    }
  }
});

describe('WASM scorer: corpus shapes', () => {
  const dim = 64;
  it('0 documents, k = 0, and k larger than the corpus', async () => {
    const random = seededRandom(1);
    const query = randomQuery(random, 32, dim);
    const scorer = await createWasmScorer({ dim, precision: 'int8', threads: 1 });
    expect(await scorer.score(query, { k: 10 })).toEqual([]);
    const batch = randomBatch(random, [3, 9, 27], dim, 'int8');
    await scorer.append(batch);
    expect(await scorer.score(query, { k: 0 })).toEqual([]);
    const all = await scorer.score(query, { k: 50 });
    expect(all).toHaveLength(3);
    expect(rankingMismatch(all, referenceScore(query, [batch], { k: 50 }))).toBeUndefined();
    scorer.dispose();
  });

  it('1 document; documents of 1 token and of 8,192 tokens', async () => {
    for (const precision of storedPrecisions) {
      const random = seededRandom(2);
      const query = randomQuery(random, 32, dim);
      const one = randomBatch(random, [1], dim, precision);
      const long = randomBatch(random, [8192, 1, 300], dim, precision, 1);
      const scorer = await createWasmScorer({ dim, precision, threads: 1 });
      await scorer.append(one);
      expect(rankingMismatch(await scorer.score(query, { k: 5 }), referenceScore(query, [one], { k: 5 }))).toBeUndefined();
      await scorer.append(long);
      const actual = await scorer.score(query, { k: 5, explain: true });
      const expected = referenceScore(query, [one, long], { k: 5, explain: true });
      expect(rankingMismatch(actual, expected)).toBeUndefined();
      expect(explanationMismatch(actual, expected)).toBeUndefined();
      scorer.dispose();
    }
  });

  it('equal scores are ordered by sequence number, also when k cuts through the tie', async () => {
    const random = seededRandom(3);
    const rows = randomUnitRows(random, 4, dim);
    const same = new Float32Array(5 * 4 * dim);
    for (let i = 0; i < 5; i++) same.set(rows, i * 4 * dim);
    const batch: DocumentBatch = { tokens: storeTokens(same, dim, 'f32'), lengths: Uint32Array.of(4, 4, 4, 4, 4), seqs: Uint32Array.of(3, 5, 8, 13, 21) };
    const scorer = await createWasmScorer({ dim, precision: 'f32', threads: 1 });
    await scorer.append(batch);
    const hits = await scorer.score(randomQuery(random, 8, dim), { k: 3 });
    expect(hits.map((h) => h.seq)).toEqual([3, 5, 8]);
    expect(new Set(hits.map((h) => h.score)).size).toBe(1);
    scorer.dispose();
  });

  it('many documents (3,000) in several appends, appended after a search', async () => {
    const random = seededRandom(4);
    const query = randomQuery(random, 32, 96);
    const scorer = await createWasmScorer({ dim: 96, precision: 'f32', threads: 1 });
    const batches: DocumentBatch[] = [];
    for (let b = 0; b < 3; b++) {
      const batch = randomBatch(random, Array.from({ length: 1000 }, () => 1 + Math.floor(random() * 60)), 96, 'f32', b * 1000);
      batches.push(batch);
      await scorer.append(batch);
      const actual = await scorer.score(query, { k: 20 });
      expect(rankingMismatch(actual, referenceScore(query, batches, { k: 20 }))).toBeUndefined();
    }
    scorer.dispose();
  });
});

/**
 * Text-like token vectors: each token is a noisy copy of a word vector, words drawn Zipf-style from a vocabulary,
 * so documents that share a query's words score clearly higher — as with a real ColBERT model, and unlike
 * `randomUnitRows`, where every document is a near-tie of every other.
 */
function wordTokens(random: () => number, vocabulary: Float32Array, rows: number, dim: number): Float32Array {
  const words = vocabulary.length / dim;
  const out = new Float32Array(rows * dim);
  for (let t = 0; t < rows; t++) {
    const word = Math.min(words - 1, Math.floor(Math.exp(random() * Math.log(words))) - 1);
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const x = vocabulary[word * dim + j]! + (0.5 * (random() * 2 - 1)) / Math.sqrt(dim / 3);
      out[t * dim + j] = x;
      norm += x * x;
    }
    for (let j = 0; j < dim; j++) out[t * dim + j] = out[t * dim + j]! / Math.sqrt(norm);
  }
  return out;
}

async function int8Overlap(vectors: Float32Array, lengths: number[], queries: Float32Array[], dim: number): Promise<number> {
  const seqs = Uint32Array.from(lengths, (_, i) => i);
  const exact = await createWasmScorer({ dim, precision: 'f32', threads: 1 });
  const int8 = await createWasmScorer({ dim, precision: 'int8', threads: 1 });
  await exact.append({ tokens: storeTokens(vectors, dim, 'f32'), lengths: Uint32Array.from(lengths), seqs });
  await int8.append({ tokens: storeTokens(vectors, dim, 'int8'), lengths: Uint32Array.from(lengths), seqs });
  let overlap = 0;
  for (const values of queries) {
    const query = { precision: 'f32' as const, dim, rows: values.length / dim, values };
    overlap += topKOverlap(await int8.score(query, { k: 10 }), await exact.score(query, { k: 10 }));
  }
  exact.dispose();
  int8.dispose();
  return overlap / queries.length;
}

describe('WASM scorer: int8 against the exact float32 ranking', () => {
  const dim = 96;
  it('top-10 overlap ≥ 0.98 on text-like unit vectors (mean over 30 queries)', async () => {
    const random = seededRandom(5);
    const vocabulary = randomUnitRows(random, 3000, dim, 16);
    const lengths = Array.from({ length: 2000 }, () => 20 + Math.floor(random() * 200));
    const vectors = wordTokens(random, vocabulary, lengths.reduce((a, b) => a + b), dim);
    const queries = Array.from({ length: 30 }, () => wordTokens(random, vocabulary, 32, dim));
    expect(await int8Overlap(vectors, lengths, queries, dim)).toBeGreaterThanOrEqual(0.98);
  });

  it('top-10 overlap ≥ 0.95 where every document nearly ties (randomUnitRows; measured 0.97)', async () => {
    // Here the 10th and 11th scores differ by ~0.1 %, the size of the int8 rounding: the ±63 query alone keeps
    // 0.98, int8 documents alone 0.99, both 0.97 (a ±127 query would give 0.975).
    const random = seededRandom(5);
    const lengths = Array.from({ length: 2000 }, () => 20 + Math.floor(random() * 200));
    const vectors = randomUnitRows(random, lengths.reduce((a, b) => a + b), dim);
    const queries = Array.from({ length: 30 }, () => randomQuery(random, 32, dim).values);
    expect(await int8Overlap(vectors, lengths, queries, dim)).toBeGreaterThanOrEqual(0.95);
  });

  it('integer dot products are exact (the plain-SIMD path)', async () => {
    const dim = 48;
    const random = seededRandom(6);
    const batch = randomBatch(random, [7, 1, 33], dim, 'int8', 1);
    const query = randomQuery(random, 6, dim);
    const scorer = await createWasmScorer({ dim, precision: 'int8', threads: 1, simd: 'plain' });
    await scorer.append(batch);
    const q = quantizeQuery(query).values;
    const d = batch.tokens.values as Int8Array;
    let row = 0;
    for (const [i, length] of batch.lengths.entries()) {
      const dots = await scorer.integerDots(query, batch.seqs[i]!);
      const expected = new Int32Array(6 * length);
      for (let a = 0; a < 6; a++) {
        for (let t = 0; t < length; t++) {
          let s = 0;
          for (let j = 0; j < dim; j++) s += q[a * dim + j]! * d[(row + t) * dim + j]!;
          expected[a * length + t] = s;
        }
      }
      expect(dots).toEqual(expected);
      row += length;
    }
    scorer.dispose();
  });
});
