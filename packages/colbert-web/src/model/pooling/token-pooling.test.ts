import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, test } from 'vitest';
import { SHARED_FIXTURES, readFixtureJson, readFloats } from '../../testing/golden-fixture.js';
import type { PooledFile } from '../../testing/golden-pooled.js';
import { documentEntryOf, pooledDiff } from '../../testing/golden-pooled.js';
import type { ReferenceFile } from '../../testing/golden-reference.js';
import { expectedRows } from '../../testing/golden-reference.js';
import { seededRandom } from '../../testing/random-corpus.js';
import { poolTokens } from './token-pooling.js';

let reference: ReferenceFile;
let referenceBin: Float32Array;
let pooled: PooledFile;
let pooledBin: Float32Array;

beforeAll(async () => {
  reference = (await readFixtureJson('colbert-tiny-golden', 'reference/reference.json')) as ReferenceFile;
  referenceBin = await readFloats(`${SHARED_FIXTURES}colbert-tiny-golden/reference/reference.bin`);
  pooled = JSON.parse(await readFile(`${SHARED_FIXTURES}colbert-tiny-golden/pooled/pooled.json`, 'utf8')) as PooledFile;
  pooledBin = await readFloats(`${SHARED_FIXTURES}colbert-tiny-golden/pooled/pooled.bin`);
});

/** A document's kept rows (reference rows minus skiplist rows), back to back. */
function keptRows(index: number): { rows: number; vectors: Float32Array } {
  const entry = documentEntryOf(pooled.entries[index]!, reference.entries);
  const { vectors } = expectedRows(entry, referenceBin);
  const out = new Float32Array(vectors.length * reference.embedding_dim);
  vectors.forEach((row, r) => out.set(row, r * reference.embedding_dim));
  return { rows: vectors.length, vectors: out };
}

describe('poolTokens against PyLate + scipy (colbert-tiny-golden/pooled)', () => {
  test('every entry at factors 2 and 3: same clusters as scipy, rows within 1e-5 in PyLate order', () => {
    expect(pooled.entries).toHaveLength(80);
    expect(new Set(pooled.entries.map((e) => e.pool_factor))).toEqual(new Set([2, 3]));
    let worst = 0;
    pooled.entries.forEach((entry, i) => {
      const { rows, vectors } = keptRows(i);
      expect(rows, entry.id).toBe(entry.input_rows);
      const result = poolTokens(vectors, rows, reference.embedding_dim, entry.pool_factor);
      expect(result.rows, `${entry.id} f=${entry.pool_factor}`).toBe(entry.shape[0]);
      // Pooled entries map each non-protected row to its cluster label, which is its output row.
      if (result.rows < rows) expect(Array.from(result.rowOf.subarray(1)), entry.id).toEqual(entry.clusters);
      const diff = pooledDiff(result.vectors, result.rows, entry, pooledBin);
      expect(diff, `${entry.id} f=${entry.pool_factor}`).toBeLessThan(1e-5);
      worst = Math.max(worst, diff);
    });
    console.info(`pooling parity: 80 entries, max |Δ| ${worst.toExponential(2)}`);
  });

  test('factor 1 and documents too short to pool come back unchanged', () => {
    const { rows, vectors } = keptRows(pooled.entries.findIndex((e) => e.id === 'd-plain'));
    const same = poolTokens(vectors, rows, reference.embedding_dim, 1);
    expect(same.rows).toBe(rows);
    expect(same.vectors).toBe(vectors);
    expect(Array.from(same.rowOf)).toEqual(Array.from({ length: rows }, (_, i) => i));
    // [CLS] + 2 rows at factor 2: k = 1 < 2, so the two merge.
    expect(poolTokens(vectors.slice(0, 3 * reference.embedding_dim), 3, reference.embedding_dim, 2).rows).toBe(2);
    // [CLS] + 1 row: k = 1 ≥ n, nothing to pool.
    expect(poolTokens(vectors.slice(0, 2 * reference.embedding_dim), 2, reference.embedding_dim, 3).rows).toBe(2);
  });

  test('each pooled row is the mean of its members, [CLS] stays first, not re-normalised', () => {
    const random = seededRandom(7);
    const dim = 8;
    const rows = 41;
    const vectors = new Float32Array(rows * dim);
    for (let r = 0; r < rows; r++) {
      let norm = 0;
      for (let c = 0; c < dim; c++) norm += (vectors[r * dim + c] = random() - 0.5) ** 2;
      for (let c = 0; c < dim; c++) vectors[r * dim + c]! /= Math.sqrt(norm);
    }
    const result = poolTokens(vectors, rows, dim, 3);
    expect(result.rows).toBe(1 + 13);
    expect(Array.from(result.vectors.subarray(0, dim))).toEqual(Array.from(vectors.subarray(0, dim)));
    for (let out = 1; out < result.rows; out++) {
      const members = Array.from(result.rowOf.keys()).filter((i) => result.rowOf[i] === out);
      expect(members.length).toBeGreaterThan(0);
      for (let c = 0; c < dim; c++) {
        const mean = members.reduce((s, i) => s + vectors[i * dim + c]!, 0) / members.length;
        expect(result.vectors[out * dim + c]).toBeCloseTo(mean, 6);
      }
    }
  });
});
