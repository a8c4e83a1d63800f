// Stage 1 of the compressed search (src/cpu/compressed-search-wasm.ts): the query × centroid scores and the
// probed centroids. Query rows are padded to a multiple of 4 (P = 4·groups, zero rows); S is centroid-major,
// S[c·P + q], so a token's scores for every query row are contiguous vectors for the later stages.
import { claim, field, reduce4f } from './job';

/** Lanes of the last query group that are real rows, as an all-ones mask per lane. */
// @ts-ignore: decorator
@inline function realLanes(rows: usize, groups: usize): v128 {
  const tail = <i32>(rows - ((groups - 1) << 2));
  return i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(tail));
}

// @ts-ignore: decorator
@inline function maxLane(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

/** Four query rows (at q, `row` bytes apart) · one centroid row at x. */
// @ts-ignore: decorator
@inline function dots4(q: usize, x: usize, row: usize): v128 {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  for (let i: usize = 0; i < row; i += 16) {
    const v = v128.load(x + i);
    a0 = f32x4.add(a0, f32x4.mul(v, v128.load(q + i)));
    a1 = f32x4.add(a1, f32x4.mul(v, v128.load(q + row + i)));
    a2 = f32x4.add(a2, f32x4.mul(v, v128.load(q + 2 * row + i)));
    a3 = f32x4.add(a3, f32x4.mul(v, v128.load(q + 3 * row + i)));
  }
  return reduce4f(a0, a1, a2, a3);
}

/**
 * S = Q·Cᵀ and, per centroid, its best score over the real query rows (cmax, for stage 2's threshold). Threads
 * claim `chunk` centroids at a time; two centroids per pass share each query load.
 * Job: 1 chunk, 3 query (f32, P × dim), 4 groups, 5 dim, 6 centroids (f32, k × dim), 7 k, 8 S (out), 9 rows,
 * 10 cmax (f32 per centroid, out).
 */
export function centroidScores(job: usize): void {
  const chunk = <u32>field(job, 1);
  const query = field(job, 3);
  const groups = field(job, 4);
  const row = field(job, 5) << 2;
  const centroids = field(job, 6);
  const k = <u32>field(job, 7);
  const out = field(job, 8);
  const real = realLanes(field(job, 9), groups);
  const cmax = field(job, 10);
  const stride = groups << 4;
  const none = f32x4.splat(-Infinity);
  while (true) {
    const start = claim(job, chunk);
    if (start >= k) break;
    const end = <usize>min(start + chunk, k);
    let c = <usize>start;
    for (; c + 1 < end; c += 2) {
      const x = centroids + c * row;
      let m0 = none, m1 = none;
      for (let g: usize = 0; g < groups; g++) {
        const q = query + g * 4 * row;
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
        let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
        for (let i: usize = 0; i < row; i += 16) {
          const u = v128.load(x + i);
          const v = v128.load(x + row + i);
          let w = v128.load(q + i);
          a0 = f32x4.add(a0, f32x4.mul(u, w));
          b0 = f32x4.add(b0, f32x4.mul(v, w));
          w = v128.load(q + row + i);
          a1 = f32x4.add(a1, f32x4.mul(u, w));
          b1 = f32x4.add(b1, f32x4.mul(v, w));
          w = v128.load(q + 2 * row + i);
          a2 = f32x4.add(a2, f32x4.mul(u, w));
          b2 = f32x4.add(b2, f32x4.mul(v, w));
          w = v128.load(q + 3 * row + i);
          a3 = f32x4.add(a3, f32x4.mul(u, w));
          b3 = f32x4.add(b3, f32x4.mul(v, w));
        }
        let r0 = reduce4f(a0, a1, a2, a3);
        let r1 = reduce4f(b0, b1, b2, b3);
        v128.store(out + c * stride + (g << 4), r0);
        v128.store(out + (c + 1) * stride + (g << 4), r1);
        if (g + 1 === groups) {
          r0 = v128.bitselect(r0, none, real);
          r1 = v128.bitselect(r1, none, real);
        }
        m0 = f32x4.pmax(m0, r0);
        m1 = f32x4.pmax(m1, r1);
      }
      store<f32>(cmax + (c << 2), maxLane(m0));
      store<f32>(cmax + ((c + 1) << 2), maxLane(m1));
    }
    if (c < end) {
      let m = none;
      for (let g: usize = 0; g < groups; g++) {
        let r = dots4(query + g * 4 * row, centroids + c * row, row);
        v128.store(out + c * stride + (g << 4), r);
        if (g + 1 === groups) r = v128.bitselect(r, none, real);
        m = f32x4.pmax(m, r);
      }
      store<f32>(cmax + (c << 2), maxLane(m));
    }
  }
}

/**
 * Per real query row, its `nprobe` best centroids (ties: the lower id), as compressed-search.ts's probing does;
 * the union goes to `probed` (u8 per centroid, zeroed by the caller) and, each once, to `list`; field 12 receives
 * the list's length. One thread: a vector compare against each row's current n-th best skips almost every score.
 * Job: 3 S, 4 groups, 5 rows, 6 k, 7 nprobe, 8 top scores (f32, P × nprobe, scratch), 9 top ids (i32, scratch),
 * 10 probed (out), 11 list (u32, out), 12 list length (out), 13 thresholds (f32 per padded row, scratch).
 */
export function probe(job: usize): void {
  const scores = field(job, 3);
  const groups = field(job, 4);
  const rows = field(job, 5);
  const k = field(job, 6);
  const n = field(job, 7);
  const topScore = field(job, 8);
  const topId = field(job, 9);
  const probed = field(job, 10);
  const list = field(job, 11);
  const threshold = field(job, 13);
  const padded = groups << 2;
  for (let q: usize = 0; q < padded; q++) {
    store<f32>(threshold + (q << 2), q < rows ? -Infinity : Infinity);
    for (let j: usize = 0; j < n; j++) {
      store<f32>(topScore + ((q * n + j) << 2), -Infinity);
      store<i32>(topId + ((q * n + j) << 2), -1);
    }
  }
  for (let c: usize = 0; c < k; c++) {
    const at = scores + c * (padded << 2);
    for (let g: usize = 0; g < groups; g++) {
      if (!v128.any_true(f32x4.gt(v128.load(at + (g << 4)), v128.load(threshold + (g << 4))))) continue;
      for (let q = g << 2; q < (g << 2) + 4; q++) {
        const score = load<f32>(at + (q << 2));
        if (!(score > load<f32>(threshold + (q << 2)))) continue;
        const top = topScore + ((q * n) << 2);
        const ids = topId + ((q * n) << 2);
        let j = n - 1;
        while (j > 0 && score > load<f32>(top + ((j - 1) << 2))) {
          store<f32>(top + (j << 2), load<f32>(top + ((j - 1) << 2)));
          store<i32>(ids + (j << 2), load<i32>(ids + ((j - 1) << 2)));
          j--;
        }
        store<f32>(top + (j << 2), score);
        store<i32>(ids + (j << 2), <i32>c);
        store<f32>(threshold + (q << 2), load<f32>(top + ((n - 1) << 2)));
      }
    }
  }
  let count: u32 = 0;
  for (let q: usize = 0; q < rows; q++) {
    for (let j: usize = 0; j < n; j++) {
      const c = load<i32>(topId + ((q * n + j) << 2));
      if (c < 0 || load<u8>(probed + <usize>c)) continue;
      store<u8>(probed + <usize>c, 1);
      store<u32>(list + (<usize>count << 2), <u32>c);
      count++;
    }
  }
  store<u32>(job + 48, count);
}
