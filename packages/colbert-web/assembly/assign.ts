// Token → centroid assignment for building a compressed index (src/cpu/assign-wasm.ts), bit for bit the same as
// scoring/compressed/assign-centroid.ts: every dot product is a float64 sum of exact float32 × float32 products in
// the same order (lane i of two f64x2 accumulators carries the running sum of dimensions ≡ i mod 4, combined
// (s0 + s1) + (s2 + s3)), the same two best coarse cells, ties to the lower id. Plain SIMD only: no relaxed
// instruction, so every engine gives the same codes.
import { claim, field } from './job';

/** Dot products of the float64 row at x with the rows at a and b, written as two f64 at `out`. */
// @ts-ignore: decorator
@inline function dotPair(x: usize, a: usize, b: usize, row: usize, out: usize): void {
  let a01 = f64x2.splat(0), a23 = f64x2.splat(0), b01 = f64x2.splat(0), b23 = f64x2.splat(0);
  for (let i: usize = 0; i < row; i += 32) {
    const x01 = v128.load(x + i);
    const x23 = v128.load(x + i + 16);
    a01 = f64x2.add(a01, f64x2.mul(x01, v128.load(a + i)));
    a23 = f64x2.add(a23, f64x2.mul(x23, v128.load(a + i + 16)));
    b01 = f64x2.add(b01, f64x2.mul(x01, v128.load(b + i)));
    b23 = f64x2.add(b23, f64x2.mul(x23, v128.load(b + i + 16)));
  }
  store<f64>(out, f64x2.extract_lane(a01, 0) + f64x2.extract_lane(a01, 1) + (f64x2.extract_lane(a23, 0) + f64x2.extract_lane(a23, 1)));
  store<f64>(out, f64x2.extract_lane(b01, 0) + f64x2.extract_lane(b01, 1) + (f64x2.extract_lane(b23, 0) + f64x2.extract_lane(b23, 1)), 8);
}

/**
 * The fine centroid of each token row: the best dot product among the fine centroids of its `probe` (1 or 2)
 * best non-empty coarse cells. Threads claim `chunk` rows at a time; each converts its row to float64 in its
 * scratch slot once (the slot: dim + cells + 1 f64).
 * Job: 1 chunk, 2 slot counter, 3 vectors (f32, rows × dim), 4 rows, 5 dim (multiple of 4), 6 coarse (f64),
 * 7 cells, 8 coarseStart (u32, cells + 1), 9 centroids (f64), 10 codes (u32, out), 11 scratch,
 * 12 scratch bytes per slot, 13 probe.
 */
export function assignCentroids(job: usize): void {
  const slot = <usize>claim(job + 8, 1);
  const chunk = <u32>field(job, 1);
  const vectors = field(job, 3);
  const rows = <u32>field(job, 4);
  const dim = field(job, 5);
  const coarse = field(job, 6);
  const cells = field(job, 7);
  const coarseStart = field(job, 8);
  const centroids = field(job, 9);
  const codes = field(job, 10);
  const x = field(job, 11) + slot * field(job, 12);
  const dots = x + (dim << 3);
  const probe = field(job, 13);
  const row = dim << 3;
  while (true) {
    const start = claim(job, chunk);
    if (start >= rows) break;
    const end = <usize>min(start + chunk, rows);
    for (let r = <usize>start; r < end; r++) {
      const from = vectors + r * (dim << 2);
      for (let i: usize = 0; i < dim; i += 4) {
        const v = v128.load(from + (i << 2));
        v128.store(x + (i << 3), f64x2.promote_low_f32x4(v));
        v128.store(x + (i << 3) + 16, f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 0, 1)));
      }
      // Every cell's dot product, two cells per pass (dots[cells] may receive a copy of the last one).
      for (let j: usize = 0; j < cells; j += 2) dotPair(x, coarse + j * row, coarse + min(j + 1, cells - 1) * row, row, dots + (j << 3));
      // The best two non-empty cells, in order (ties: the earlier cell first).
      let cell0: i32 = -1, cell1: i32 = -1;
      let dot0 = -Infinity, dot1 = -Infinity;
      for (let j: usize = 0; j < cells; j++) {
        if (load<u32>(coarseStart + (j << 2)) === load<u32>(coarseStart + (j << 2), 4)) continue; // empty
        const dot = load<f64>(dots + (j << 3));
        if (dot > dot0) {
          if (probe > 1) {
            dot1 = dot0;
            cell1 = cell0;
          }
          dot0 = dot;
          cell0 = <i32>j;
        } else if (probe > 1 && dot > dot1) {
          dot1 = dot;
          cell1 = <i32>j;
        }
      }
      let best: i32 = -1;
      let bestDot = -Infinity;
      for (let s = 0; s < 2; s++) {
        const cell = s === 0 ? cell0 : cell1;
        if (cell < 0) continue;
        const first = <usize>load<u32>(coarseStart + (<usize>cell << 2));
        const last = <usize>load<u32>(coarseStart + (<usize>cell << 2), 4);
        for (let c = first; c < last; c += 2) {
          const pair: usize = c + 1 < last ? 2 : 1;
          dotPair(x, centroids + c * row, centroids + (c + pair - 1) * row, row, dots);
          for (let u: usize = 0; u < pair; u++) {
            const dot = load<f64>(dots + (u << 3));
            const id = <i32>(c + u);
            if (dot > bestDot || (dot === bestDot && id < best)) {
              bestDot = dot;
              best = id;
            }
          }
        }
      }
      store<u32>(codes + (r << 2), <u32>best);
    }
  }
}
