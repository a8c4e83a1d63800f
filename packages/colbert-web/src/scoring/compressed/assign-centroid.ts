import { rowDot } from './spherical-kmeans.js';
import type { CentroidTable } from './train-centroids.js';

/** Coarse cells searched for a token's centroid: its best two, so a token near a cell border finds its centroid. */
export const ASSIGN_PROBE = 2;

/**
 * The fine centroid of row `row` of `vectors`: the best dot product among the fine centroids of its
 * `ASSIGN_PROBE` best non-empty coarse cells (ties: the lower id). float64 accumulation in a fixed order, so every runtime
 * assigns the same id.
 */
export function assignCentroid(table: CentroidTable, vectors: Float32Array, row: number): number {
  const { dim, coarse, coarseStart, centroids } = table;
  const cells = coarseStart.length - 1;
  const probe = Math.min(ASSIGN_PROBE, cells);
  const topCell = new Int32Array(probe).fill(-1);
  const topDot = new Float64Array(probe).fill(-Infinity);
  for (let j = 0; j < cells; j++) {
    if (coarseStart[j] === coarseStart[j + 1]) continue; // a cell the sample left empty holds no centroid
    const dot = rowDot(vectors, row, coarse, j, dim);
    let at = probe;
    while (at > 0 && dot > topDot[at - 1]!) at--;
    if (at === probe) continue;
    topDot.copyWithin(at + 1, at, probe - 1);
    topCell.copyWithin(at + 1, at, probe - 1);
    topDot[at] = dot;
    topCell[at] = j;
  }
  let best = -1;
  let bestDot = -Infinity;
  for (const j of topCell) {
    if (j < 0) continue;
    for (let c = coarseStart[j]!; c < coarseStart[j + 1]!; c++) {
      const dot = rowDot(vectors, row, centroids, c, dim);
      if (dot > bestDot || (dot === bestDot && c < best)) {
        bestDot = dot;
        best = c;
      }
    }
  }
  return best;
}

/** The fine centroid of every row of `vectors` (nbits-independent: corpora of other nbits can share them). */
export function assignCentroids(table: CentroidTable, vectors: Float32Array): Uint32Array {
  const codes = new Uint32Array(vectors.length / table.dim);
  for (let row = 0; row < codes.length; row++) codes[row] = assignCentroid(table, vectors, row);
  return codes;
}
