// Stages 2–4 of the compressed search (src/cpu/compressed-search-wasm.ts), over a list of document positions
// that threads claim in chunks: the approximate score gathered from S (centroid-major, S[c·P + q]) and the exact
// MaxSim on residuals decoded inside the kernel. Scores leave as float64 sums over the real query rows in row
// order, as decompressed-maxsim.ts adds them.
import { addLanes, claim, field, floatField } from './job';

/**
 * Σ_q max over a document's tokens of S[code, q] (PLAID's approximate score), counting only tokens whose
 * centroid's best score (cmax) reaches the threshold when `prune` is set (0 when none does).
 * Job: 1 chunk, 3 documents (u32 positions), 4 count, 5 tokenStart, 6 codes, 7 S, 8 groups, 9 cmax,
 * 10 threshold (f32), 11 prune (0 or 1), 12 scores (f64 per listed document, out), 13 rows.
 */
// @ts-ignore: decorator
@inline function approximateOne(job: usize, i: usize, from: usize, to: usize): void {
  const codes = field(job, 6);
  const scores = field(job, 7);
  const groups = field(job, 8);
  const cmax = field(job, 9);
  const threshold = floatField(job, 10);
  const prune = field(job, 11) !== 0;
  const rows = field(job, 13);
  const stride = groups << 4;
  let counted = false;
  let total: f64 = 0;
  for (let g: usize = 0; g < groups; g++) {
    let best = f32x4.splat(-Infinity);
    const lane = scores + (g << 4);
    for (let t = from; t < to; t++) {
      const c = <usize>load<u32>(codes + (t << 2));
      if (prune && !(load<f32>(cmax + (c << 2)) >= threshold)) continue;
      counted = true;
      best = f32x4.pmax(best, v128.load(lane + c * stride));
    }
    total = addLanes(total, best, min<usize>(4, rows - (g << 2)));
  }
  store<f64>(field(job, 12) + (i << 3), counted ? total : 0);
}

/**
 * Claims chunks of the listed documents (job fields 1 chunk, 3 positions, 4 count, 5 tokenStart) until none are
 * left and scores each: exactly (`exactOne`, with this thread's scratch slot) or approximately.
 */
// @ts-ignore: decorator
@inline function scoreDocuments(job: usize, exact: bool): void {
  const best = exact ? field(job, 17) + <usize>claim(job + 8, 1) * field(job, 18) : 0;
  const chunk = <u32>field(job, 1);
  const docs = field(job, 3);
  const count = <u32>field(job, 4);
  const starts = field(job, 5);
  while (true) {
    const start = claim(job, chunk);
    if (start >= count) break;
    const end = <usize>min(start + chunk, count);
    for (let i = <usize>start; i < end; i++) {
      const doc = <usize>load<u32>(docs + (i << 2));
      const from = <usize>load<u32>(starts + (doc << 2));
      const to = <usize>load<u32>(starts + (doc << 2), 4);
      if (exact) exactOne(job, i, from, to, best);
      else approximateOne(job, i, from, to);
    }
  }
}

export function approximateScores(job: usize): void {
  scoreDocuments(job, false);
}

/**
 * Per query, per residual byte p and byte value v, the P-vector Σ over the dimensions i packed in that byte of
 * q_i · weight_i(bucket of i in v): T[(p·256 + v)·P + q]. Threads claim residual bytes.
 * Job: 3 transposed query (f32, dim × P), 4 groups, 5 dim, 6 nbits, 7 weights (f32, dim × 2^nbits), 8 T (out).
 */
export function residualTable(job: usize): void {
  const transposed = field(job, 3);
  const groups = field(job, 4);
  const dim = field(job, 5);
  const nbits = field(job, 6);
  const weights = field(job, 7);
  const out = field(job, 8);
  const buckets = <usize>1 << nbits;
  const perByte = <usize>8 / nbits;
  const bytes = (dim * nbits) >> 3;
  const stride = groups << 4;
  while (true) {
    const p = <usize>claim(job, 1);
    if (p >= bytes) break;
    for (let v: usize = 0; v < 256; v++) {
      const at = out + (p * 256 + v) * stride;
      for (let g: usize = 0; g < groups; g++) {
        let sum = f32x4.splat(0);
        for (let s: usize = 0; s < perByte; s++) {
          const i = p * perByte + s;
          const w = load<f32>(weights + ((i * buckets + ((v >> (s * nbits)) & (buckets - 1))) << 2));
          sum = f32x4.add(sum, f32x4.mul(v128.load(transposed + i * stride + (g << 4)), f32x4.splat(w)));
        }
        v128.store(at + (g << 4), sum);
      }
    }
  }
}

/**
 * 1 / ‖centroid + weights(residual)‖ of one token: `decode` holds, per residual byte p and value v, the weights of
 * the dimensions packed in it (4 f32 at nbits 2, 2 at nbits 4), so decoding is one vector add per 4 dimensions.
 */
// @ts-ignore: decorator
@inline function inverseNorm(centroid: usize, residual: usize, bytes: usize, decode: usize, nbits: usize): f32 {
  let n2 = f32x4.splat(0);
  if (nbits === 2) {
    for (let p: usize = 0; p < bytes; p++) {
      const x = f32x4.add(v128.load(centroid + (p << 4)), v128.load(decode + ((p * 256 + <usize>load<u8>(residual + p)) << 4)));
      n2 = f32x4.add(n2, f32x4.mul(x, x));
    }
  } else {
    for (let p: usize = 0; p < bytes; p += 2) {
      let w = v128.load64_zero(decode + ((p * 256 + <usize>load<u8>(residual + p)) << 3));
      w = v128.load64_lane(decode + (((p + 1) * 256 + <usize>load<u8>(residual + p + 1)) << 3), w, 1);
      const x = f32x4.add(v128.load(centroid + (p << 3)), w);
      n2 = f32x4.add(n2, f32x4.mul(x, x));
    }
  }
  const norm2 = <f64>f32x4.extract_lane(n2, 0) + <f64>f32x4.extract_lane(n2, 1) + (<f64>f32x4.extract_lane(n2, 2) + <f64>f32x4.extract_lane(n2, 3));
  return norm2 > 0 ? <f32>(1 / Math.sqrt(norm2)) : 0;
}

/**
 * Exact MaxSim of each listed document on its decoded tokens normalize(centroid + weights), never materialised:
 * q·decoded = (S[code, q] + Σ_p T[p, residual byte p][q]) / ‖centroid + weights‖. Each thread keeps its running
 * maxima in its own scratch slot.
 * Job: 1 chunk, 2 slot counter, 3 documents, 4 count, 5 tokenStart, 6 codes, 7 S, 8 groups, 9 rows,
 * 10 residuals, 11 residual bytes per token, 12 T, 13 centroids (f32, k × dim), 14 decode table, 15 dim,
 * 16 nbits, 17 scratch, 18 scratch bytes per slot, 19 scores (f64 per listed document, out).
 */
// @ts-ignore: decorator
@inline function exactOne(job: usize, i: usize, from: usize, to: usize, best: usize): void {
  const codes = field(job, 6);
  const scores = field(job, 7);
  const groups = field(job, 8);
  const rows = field(job, 9);
  const residuals = field(job, 10);
  const bytes = field(job, 11);
  const table = field(job, 12);
  const centroids = field(job, 13);
  const decode = field(job, 14);
  const row = field(job, 15) << 2;
  const nbits = field(job, 16);
  const stride = groups << 4;
  const byteStride = stride << 8;
  for (let g: usize = 0; g < groups; g++) v128.store(best + (g << 4), f32x4.splat(-Infinity));
  for (let t = from; t < to; t++) {
    const c = <usize>load<u32>(codes + (t << 2));
    const residual = residuals + t * bytes;
    const inverse = f32x4.splat(inverseNorm(centroids + c * row, residual, bytes, decode, nbits));
    for (let g: usize = 0; g < groups; g++) {
      let dot = v128.load(scores + c * stride + (g << 4));
      const lane = table + (g << 4);
      for (let p: usize = 0; p < bytes; p++) dot = f32x4.add(dot, v128.load(lane + p * byteStride + <usize>load<u8>(residual + p) * stride));
      v128.store(best + (g << 4), f32x4.pmax(v128.load(best + (g << 4)), f32x4.mul(dot, inverse)));
    }
  }
  let total: f64 = 0;
  for (let g: usize = 0; g < groups; g++) total = addLanes(total, v128.load(best + (g << 4)), min<usize>(4, rows - (g << 2)));
  store<f64>(field(job, 19) + (i << 3), total);
}

export function exactScores(job: usize): void {
  scoreDocuments(job, true);
}
