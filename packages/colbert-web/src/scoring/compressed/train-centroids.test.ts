import { describe, expect, it } from 'vitest';
import { clusteredCorpus } from '../../testing/clustered-corpus.js';
import { assignCentroid } from './assign-centroid.js';
import { SeededRandom, sampleIndices } from './seeded-random.js';
import { sphericalKMeans } from './spherical-kmeans.js';
import { centroidCount, trainCentroids, trainingSample, trainingSampleSize } from './train-centroids.js';

const bytes = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('seeded sampling', () => {
  it('draws distinct ascending indices, the same for the same seed, others for another', () => {
    const a = sampleIndices(1000, 100, new SeededRandom(7));
    expect(a.length).toBe(100);
    expect(new Set(a).size).toBe(100);
    for (let i = 1; i < a.length; i++) expect(a[i]!).toBeGreaterThan(a[i - 1]!);
    expect(a[a.length - 1]!).toBeLessThan(1000);
    expect(sampleIndices(1000, 100, new SeededRandom(7))).toEqual(a);
    expect(sampleIndices(1000, 100, new SeededRandom(8))).not.toEqual(a);
    expect(Array.from(sampleIndices(5, 10, new SeededRandom(1)))).toEqual([0, 1, 2, 3, 4]);
  });

  it('mulberry32 gives its published first outputs for seed 0', () => {
    // The reference implementation (bryc/code, mulberry32) yields 1144304738, 1416247, 958946056 from seed 0.
    const random = new SeededRandom(0);
    expect([random.nextUint32(), random.nextUint32(), random.nextUint32()]).toEqual([1144304738, 1416247, 958946056]);
  });
});

describe('centroid count and sample (PLAID scaling)', () => {
  it('is 2^⌊log2(16·√n)⌋', () => {
    expect(centroidCount(0)).toBe(1);
    expect(centroidCount(1)).toBe(16);
    expect(centroidCount(1_000_000)).toBe(8192); // 16,000 → 2^13
    expect(centroidCount(1_290_000)).toBe(16384); // 18,172 → 2^14
    expect(centroidCount(10_000_000)).toBe(32768); // 50,596 → 2^15
    expect(trainingSampleSize(1_290_000, 16384)).toBe(262_144);
    expect(trainingSampleSize(1000, 16384)).toBe(1000);
  });
});

describe('spherical k-means', () => {
  it('converges to unit centroids that are the normalised sums of their nearest points (Lloyd fixed point)', () => {
    const points = clusteredCorpus({ seed: 2, dim: 8, lengths: [200], words: 6, topicWords: 6, noise: 0.1 }).vectors;
    const members = Uint32Array.from({ length: 200 }, (_, i) => i);
    const centroids = sphericalKMeans(points, 8, members, 6, { seed: 3, iterations: 30 });
    const sums = new Float64Array(6 * 8);
    for (let p = 0; p < 200; p++) {
      let best = 0;
      let bestDot = -Infinity;
      for (let c = 0; c < 6; c++) {
        let dot = 0;
        for (let i = 0; i < 8; i++) dot += points[p * 8 + i]! * centroids[c * 8 + i]!;
        if (dot > bestDot) [best, bestDot] = [c, dot];
      }
      for (let i = 0; i < 8; i++) sums[best * 8 + i]! += points[p * 8 + i]!;
    }
    for (let c = 0; c < 6; c++) {
      const norm = Math.hypot(...sums.subarray(c * 8, c * 8 + 8));
      for (let i = 0; i < 8; i++) expect(centroids[c * 8 + i]!).toBeCloseTo(sums[c * 8 + i]! / norm, 9);
    }
  });
});

describe('two-level centroids', () => {
  const corpus = clusteredCorpus({ seed: 11, dim: 64, lengths: Array.from({ length: 120 }, (_, i) => 10 + (i % 30)), words: 512 });
  const tokens = corpus.lengths.reduce((a, b) => a + b, 0);
  const sample = trainingSample(tokens, 256, 5);

  it('is bit-identical for the same input and seed, and differs for another seed', () => {
    const a = trainCentroids(corpus.vectors, 64, sample, { seed: 5, centroids: 256 });
    const b = trainCentroids(corpus.vectors, 64, Uint32Array.from(sample), { seed: 5, centroids: 256 });
    expect(bytes(b.centroids)).toEqual(bytes(a.centroids));
    expect(bytes(b.coarse)).toEqual(bytes(a.coarse));
    expect(b.coarseStart).toEqual(a.coarseStart);
    const c = trainCentroids(corpus.vectors, 64, sample, { seed: 6, centroids: 256 });
    expect(bytes(c.centroids)).not.toEqual(bytes(a.centroids));
  });

  it('holds at most k unit centroids in √k coarse cells, and assigns tokens near their best centroid', () => {
    const table = trainCentroids(corpus.vectors, 64, sample, { seed: 5, centroids: 256 });
    const k = table.centroids.length / 64;
    expect(table.coarseStart.length - 1).toBe(16);
    expect(k).toBeLessThanOrEqual(256);
    expect(k).toBeGreaterThan(256 - 16);
    expect(table.coarseStart[16]).toBe(k);
    for (let c = 0; c < k; c++) expect(Math.hypot(...table.centroids.subarray(c * 64, (c + 1) * 64))).toBeCloseTo(1, 5);
    // Two-level assignment against the exhaustive best centroid: the same dot product for nearly every token.
    let same = 0;
    let loss = 0;
    for (let t = 0; t < tokens; t++) {
      let best = -Infinity;
      for (let c = 0; c < k; c++) {
        let dot = 0;
        for (let i = 0; i < 64; i++) dot += corpus.vectors[t * 64 + i]! * table.centroids[c * 64 + i]!;
        best = Math.max(best, dot);
      }
      const got = assignCentroid(table, corpus.vectors, t);
      let dot = 0;
      for (let i = 0; i < 64; i++) dot += corpus.vectors[t * 64 + i]! * table.centroids[got * 64 + i]!;
      if (dot >= best - 1e-9) same++;
      loss += best - dot;
    }
    expect(same / tokens).toBeGreaterThan(0.95);
    expect(loss / tokens).toBeLessThan(0.01);
  });
});
