import { describe, expect, it } from 'vitest';
import { quantizeQuery } from './query.js';
import { decodeTokens, referenceMaxSim, referenceScore } from './reference-f64.js';
import type { DocumentBatch } from './scorer.js';
import { assertFiniteVectors, quantizeRows, storeTokens } from './token-matrix.js';

const f32 = (rows: number[][]): Float32Array => Float32Array.from(rows.flat());

describe('float64 MaxSim reference', () => {
  it('sums each query token’s best document token (hand-computed)', () => {
    // q0 = (1,0), q1 = (0,1); d0 = (0.5,0.5), d1 = (1,0), d2 = (0,-1)
    // q0: best d1 (1); q1: best d0 (0.5) → 1.5
    const { score, matches } = referenceMaxSim(Float64Array.of(1, 0, 0, 1), Float64Array.of(0.5, 0.5, 1, 0, 0, -1), 2);
    expect(score).toBe(1.5);
    expect(matches).toEqual([
      { queryToken: 0, documentToken: 1, score: 1 },
      { queryToken: 1, documentToken: 0, score: 0.5 },
    ]);
  });

  it('ranks by score, breaks ties by sequence number, skips removed and filtered documents, cuts to k', () => {
    const batch: DocumentBatch = {
      tokens: storeTokens(f32([[1, 0], [0, 1], [1, 0], [0.5, 0.5], [0.25, 0]]), 2, 'f32'),
      lengths: Uint32Array.of(1, 1, 1, 1, 1),
      seqs: Uint32Array.of(10, 11, 12, 13, 14),
    };
    const query = { precision: 'f32' as const, dim: 2, rows: 1, values: f32([[1, 0]]) };
    const all = referenceScore(query, [batch], { k: 10 });
    expect(all.map((d) => d.seq)).toEqual([10, 12, 13, 14, 11]);
    expect(all.map((d) => d.score)).toEqual([1, 1, 0.5, 0.25, 0]);
    expect(referenceScore(query, [batch], { k: 2, removed: new Set([10]) }).map((d) => d.seq)).toEqual([12, 13]);
    expect(referenceScore(query, [batch], { k: 10, only: Uint32Array.of(11, 14) }).map((d) => d.seq)).toEqual([14, 11]);
    expect(referenceScore(query, [batch], { k: 0 })).toEqual([]);
  });

  it('scores int8 documents with the quantised query: (q_scale·d_scale)·Σ q_int·d_int', () => {
    const batch: DocumentBatch = {
      tokens: storeTokens(f32([[0.6, -0.8]]), 2, 'int8'),
      lengths: Uint32Array.of(1),
      seqs: Uint32Array.of(0),
    };
    const query = { precision: 'f32' as const, dim: 2, rows: 1, values: f32([[0.8, 0.6]]) };
    const q = quantizeQuery(query);
    expect(Array.from(q.values)).toEqual([63, 47]); // 0.6/0.8·63 = 47.25
    const d = batch.tokens.precision === 'int8' ? batch.tokens : undefined;
    expect(Array.from(d!.values)).toEqual([95, -127]); // 0.6/0.8·127 = 95.25
    const exact = (63 * 95 + 47 * -127) * q.scales[0]! * d!.scales[0]!;
    expect(referenceScore(query, [batch], { k: 1 })[0]!.score).toBeCloseTo(exact, 12);
  });
});

describe('stored token rows', () => {
  it('quantises symmetrically per row; a zero row has scale 0', () => {
    const { values, scales } = quantizeRows(f32([[2, -1, 0.5], [0, 0, 0]]), 3, 127);
    expect(Array.from(values)).toEqual([127, -64, 32, 0, 0, 0]); // -63.5 rounds away from zero; 31.75 → 32
    expect(scales[0]).toBe(Math.fround(2 / 127));
    expect(scales[1]).toBe(0);
  });

  it('decodes f16 and int8 rows back close to the input', () => {
    const values = f32([[0.1, -0.2, 0.3], [0.9, 0, -0.4]]);
    for (const precision of ['f16', 'int8'] as const) {
      const decoded = decodeTokens(storeTokens(values, 3, precision));
      for (let i = 0; i < values.length; i++) expect(Math.abs(decoded[i]! - values[i]!)).toBeLessThan(precision === 'f16' ? 3e-4 : 0.9 / 127);
    }
  });

  it('rejects NaN and ±Inf with the token and dimension named', () => {
    expect(() => assertFiniteVectors(f32([[0, 1], [NaN, 0]]), 2, 'documents[3].vectors')).toThrowError(
      /documents\[3\]\.vectors: token 1 has a non-finite value \(NaN\) at dimension 0/,
    );
    expect(() => storeTokens(f32([[Infinity, 0]]), 2, 'int8')).toThrowError(/non-finite value \(Infinity\)/);
    expect(() => storeTokens(new Float32Array(3), 2, 'f32')).toThrowError(/not a whole number of 2-dim rows/);
  });
});
