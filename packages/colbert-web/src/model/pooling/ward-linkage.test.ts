import { describe, expect, test } from 'vitest';
import { randomUnitRows, seededRandom } from '../../testing/random-corpus.js';
import { fclusterMaxclust } from './fcluster-maxclust.js';
import { condensedIndex, wardLinkage } from './ward-linkage.js';

/** Euclidean distances of points on a line, condensed. */
function lineDistances(points: readonly number[]): Float64Array {
  const out: number[] = [];
  points.forEach((a, i) => points.slice(i + 1).forEach((b) => out.push(Math.abs(a - b))));
  return Float64Array.from(out);
}

/**
 * Float64 reference: the textbook greedy agglomeration (merge the globally closest pair, Lance–Williams Ward update),
 * O(n³), with clusters named as scipy names them (observations 0…n−1, merge k → n + k).
 */
function greedyWard(condensed: Float64Array, n: number): number[][] {
  const dist = new Map<string, number>();
  const key = (a: number, b: number): string => (a < b ? `${a},${b}` : `${b},${a}`);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) dist.set(key(i, j), condensed[condensedIndex(n, i, j)]!);
  const size = new Map<number, number>(Array.from({ length: n }, (_, i) => [i, 1]));
  const rows: number[][] = [];
  for (let k = 0; k < n - 1; k++) {
    const active = [...size.keys()];
    let best = [-1, -1, Infinity];
    for (const a of active) for (const b of active) if (a < b && dist.get(key(a, b))! < best[2]!) best = [a, b, dist.get(key(a, b))!];
    const [x, y, h] = best as [number, number, number];
    const [nx, ny] = [size.get(x)!, size.get(y)!];
    const id = n + k;
    for (const i of active) {
      if (i === x || i === y) continue;
      const ni = size.get(i)!;
      const [dxi, dyi] = [dist.get(key(i, x))!, dist.get(key(i, y))!];
      dist.set(key(i, id), Math.sqrt(((ni + nx) * dxi ** 2 + (ni + ny) * dyi ** 2 - ni * h ** 2) / (nx + ny + ni)));
    }
    size.delete(x);
    size.delete(y);
    size.set(id, nx + ny);
    rows.push([x, y, h, nx + ny]);
  }
  return rows;
}

const rowsOf = (z: Float64Array): number[][] => Array.from({ length: z.length / 4 }, (_, i) => Array.from(z.subarray(i * 4, i * 4 + 4)));

describe('wardLinkage', () => {
  test('points 0, 1, 10, 12 on a line: the merges and heights Ward gives by hand', () => {
    const { z } = wardLinkage(lineDistances([0, 1, 10, 12]), 4);
    const rows = rowsOf(z);
    expect(rows[0]).toEqual([0, 1, 1, 2]);
    expect(rows[1]).toEqual([2, 3, 2, 2]);
    // Ward between {0, 1} and {10, 12}: sqrt(2·2·2 / 4) · |0.5 − 11| = sqrt(2) · 10.5.
    expect(rows[2]!.slice(0, 2)).toEqual([4, 5]);
    expect(rows[2]![2]).toBeCloseTo(Math.SQRT2 * 10.5, 12);
    expect(rows[2]![3]).toBe(4);
  });

  test('equals the greedy O(n³) float64 reference on cosine distances of unit rows', () => {
    const random = seededRandom(11);
    for (const n of [2, 3, 7, 40, 120]) {
      const dim = 16;
      const rows = randomUnitRows(random, n, dim);
      const condensed = new Float64Array((n * (n - 1)) / 2);
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          let dot = 0;
          for (let c = 0; c < dim; c++) dot += rows[i * dim + c]! * rows[j * dim + c]!;
          condensed[condensedIndex(n, i, j)] = 1 - dot;
        }
      }
      const want = greedyWard(condensed, n);
      const got = rowsOf(wardLinkage(condensed.slice(), n).z);
      got.forEach((row, k) => {
        expect(row.slice(0, 2), `n=${n} merge ${k}`).toEqual(want[k]!.slice(0, 2));
        expect(row[2]).toBeCloseTo(want[k]![2]!, 12);
        expect(row[3]).toBe(want[k]![3]);
      });
    }
  });

  test('rejects fewer than two observations and a wrong distance count', () => {
    expect(() => wardLinkage(new Float64Array(0), 1)).toThrow(RangeError);
    expect(() => wardLinkage(new Float64Array(2), 3)).toThrow(RangeError);
  });
});

describe('fclusterMaxclust', () => {
  test('points 0, 1, 10, 12 at k = 2: the two pairs, numbered in walk order', () => {
    expect(Array.from(fclusterMaxclust(wardLinkage(lineDistances([0, 1, 10, 12]), 4), 2))).toEqual([1, 1, 2, 2]);
  });

  test("scipy's walk numbers a merge's inner cluster before its leaf: 0, 10, 11, 30 at k = 2", () => {
    // Merges: (10, 11), then 0 joins them, then 30 joins all; the root is (30, {0, 10, 11}).
    expect(Array.from(fclusterMaxclust(wardLinkage(lineDistances([0, 10, 11, 30]), 4), 2))).toEqual([1, 1, 1, 2]);
  });

  test('k = 1 is one cluster; k ≥ n keeps every observation apart', () => {
    const linkage = wardLinkage(lineDistances([0, 1, 10, 12, 30]), 5);
    expect(Array.from(fclusterMaxclust(linkage, 1))).toEqual([1, 1, 1, 1, 1]);
    expect(Array.from(fclusterMaxclust(linkage, 5))).toEqual([1, 2, 3, 4, 5]);
    // [1, 4, 5] (scipy gh-12651): k = 2 keeps 4 and 5 together, reached first.
    expect(Array.from(fclusterMaxclust(wardLinkage(lineDistances([1, 4, 5]), 3), 2))).toEqual([2, 1, 1]);
    expect(Array.from(fclusterMaxclust(wardLinkage(lineDistances([0, 1]), 2), 1))).toEqual([1, 1]);
  });
});
