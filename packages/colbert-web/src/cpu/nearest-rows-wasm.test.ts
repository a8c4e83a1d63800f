import { describe, expect, it } from 'vitest';
import { trainCompression, trainCompressionWith } from '../scoring/compressed/build-compressed.js';
import { nearestRows, normalizeRows, type NearestRequest } from '../scoring/compressed/spherical-kmeans.js';
import { clusteredCorpus } from '../testing/clustered-corpus.js';
import { seededRandom } from '../testing/random-corpus.js';
import { kernelsPerThreadCount } from '../testing/kernels-per-thread-count.js';

// k-means training's assignment step on the WebAssembly assign kernel (one coarse cell holding every centroid)
// against the TypeScript `nearestRows`, index for index, and whole trainings on it against the TypeScript trainer,
// table bit for bit, on 1 and 2 threads.

const bytes = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

const kernels = kernelsPerThreadCount();

describe('nearestRows on the WASM kernel', () => {
  const dim = 96;
  const random = seededRandom(21);
  const rowCount = 20_000; // more than one 16,384-row batch
  const points = Float32Array.from({ length: rowCount * dim }, () => random() * 2 - 1);

  it('gives the TypeScript indices for scattered rows, float64 centroids, a zero centroid and exact ties', async () => {
    const k = 200;
    const centroids = new Float64Array((k + 5) * dim); // rows past k must be ignored
    for (let i = 0; i < centroids.length; i++) centroids[i] = random() * 2 - 1;
    normalizeRows(centroids, dim);
    centroids.copyWithin(7 * dim, 3 * dim, 4 * dim); // 7 ties 3: the lower index wins
    centroids.copyWithin(250 * dim, 40 * dim, 41 * dim);
    centroids.fill(0, 11 * dim, 12 * dim);
    // Every 13th point is a copy of centroid 3 or 40 (rounded to f32), so the tied rows are its nearest.
    for (let r = 0; r < rowCount; r += 13) for (let i = 0; i < dim; i++) points[r * dim + i] = centroids[((r & 1) === 0 ? 3 : 40) * dim + i]!;
    const rows = Uint32Array.from({ length: 18_000 }, (_, i) => (i * 7919) % rowCount).sort();
    const runs = Uint32Array.from([...rows.subarray(0, 5000), ...Array.from({ length: 12_000 }, (_, i) => 8000 + i)]);
    for (const request of [{ rows, centroids, k }, { rows: runs, centroids, k }, { rows: rows.subarray(0, 3), centroids, k: 1 }] satisfies NearestRequest[]) {
      const expected = nearestRows(points, dim, request);
      if (request.k > 1) {
        expect(new Set(expected).size).toBeGreaterThan(k / 2);
        expect(expected).toContain(3);
        expect(expected).toContain(40);
        expect(expected).not.toContain(7);
        expect(expected).not.toContain(250);
      }
      for (const threads of [1, 2]) expect(await kernels[threads]!.nearestRows(points, dim, request)).toEqual(expected);
    }
  });

  it('sums in the fixed order (s0 + s1) + (s2 + s3), so near-ties fall as the TypeScript trainer decides', async () => {
    // Against a row of ones the dot products are the centroid's sums, and 2^-53 vanishes or not by the order:
    // [1, u, -1, u] (u = 2^-53) sums to u in this order (2u pairing s0 + s2, s1 + s3), [u, 1, u, -1] to u (0 left to
    // right). Each is set against a constant row that wins if, and only if, another order were used.
    const u = 2 ** -53;
    const ones = new Float32Array(dim).fill(1);
    const rows = Uint32Array.of(0);
    const pad = (values: number[]): number[] => [...values, ...new Array<number>(dim - 4).fill(0)];
    const pairing = { rows, centroids: Float64Array.from([...pad([1, u, -1, u]), ...pad([1.5 * u, 0, 0, 0])]), k: 2 };
    const leftToRight = { rows, centroids: Float64Array.from([...pad([u, 1, u, -1]), ...pad([0.5 * u, 0, 0, 0])]), k: 2 };
    for (const [request, expected] of [[pairing, 1], [leftToRight, 0]] as const) {
      expect(Array.from(nearestRows(ones, dim, request))).toEqual([expected]);
      for (const threads of [1, 2]) expect(Array.from(await kernels[threads]!.nearestRows(ones, dim, request))).toEqual([expected]);
    }
  });

  it('runs a dimension that is not a multiple of 4 on TypeScript (same answer)', async () => {
    const request = { rows: Uint32Array.from({ length: 500 }, (_, i) => i), centroids: normalizeRows(Float64Array.from({ length: 20 * 30 }, () => random() - 0.5), 30), k: 20 };
    const odd = points.subarray(0, 500 * 30);
    expect(await kernels[2]!.nearestRows(odd, 30, request)).toEqual(nearestRows(odd, 30, request));
  });
});

describe('training with the WASM assignment', () => {
  for (const [dim, nbits] of [[128, 2], [96, 4]] as const) {
    it(`gives the TypeScript trainer's tables bit for bit, d = ${dim}, on 1 and 2 threads`, async () => {
      const data = clusteredCorpus({ seed: dim, dim, lengths: Array.from({ length: 250 }, (_, i) => 8 + ((i * 17) % 50)), words: 2048 });
      const expected = trainCompression(data.vectors, dim, { nbits, seed: 3, centroids: 256 });
      expect(expected.table.coarseStart.length - 1).toBe(16);
      for (const threads of [1, 2]) {
        let requests = 0;
        let pauses = 0;
        const got = await trainCompressionWith(data.vectors, dim, {
          nbits,
          seed: 3,
          centroids: 256,
          kernels: {
            nearestRows: (points, d, request) => {
              requests++;
              return kernels[threads]!.nearestRows(points, d, request);
            },
            assignCentroids: (table, vectors) => kernels[threads]!.assignCentroids(table, vectors),
          },
          pause: async () => {
            pauses++;
          },
        });
        expect(bytes(got.table.centroids)).toEqual(bytes(expected.table.centroids));
        expect(bytes(got.table.coarse)).toEqual(bytes(expected.table.coarse));
        expect(got.table.coarseStart).toEqual(expected.table.coarseStart);
        expect(got.codec).toEqual(expected.codec);
        // 4 coarse iterations, the sample's cells, 4 per non-empty cell; a pause after each.
        const cells = new Set(Array.from({ length: 16 }, (_, j) => j).filter((j) => expected.table.coarseStart[j] !== expected.table.coarseStart[j + 1])).size;
        expect(requests).toBe(5 + 4 * cells);
        expect(pauses).toBe(requests);
      }
    });
  }
});
