// MaxSim kernels for the CPU scorer (packages/colbert-web/src/cpu/). AssemblyScript, compiled four times by
// scripts/build-wasm.mjs: plain or relaxed SIMD × private or shared memory. The memory is imported and laid out
// by the TypeScript side (cpu/wasm-layout.ts); nothing here allocates.
//
// A job is a block of u32 fields in memory (see JOB_* below) so that worker threads receive one pointer.
// Query tokens are padded to a multiple of 4 and processed 4 at a time against one document token: the four dot
// products accumulate in four vectors across the dimension, then one transpose-reduce turns them into one vector
// of four dots — no horizontal add per (query, document) pair, and the running max for 4 query tokens stays in a
// register. Documents are claimed in chunks from an atomic counter, so threads slowed by other processes do not
// hold the others up.

const JOB_COUNTER: u32 = 0; // next document to claim (atomic in shared builds)
const JOB_CHUNK: u32 = 4; // documents claimed at a time
const JOB_QUERY: u32 = 8; // query values: f32 [groups·4·dim] | int8 plain: i16 | int8 relaxed: u8 (q + 64)
const JOB_QSCALE: u32 = 12; // f32 per padded query token (f32 path: 1, or 0 for padding)
const JOB_GROUPS: u32 = 16; // padded query tokens / 4
const JOB_DIM: u32 = 20;
const JOB_DOC_PTR: u32 = 24; // u32 per document: byte address of its block
const JOB_DOC_LEN: u32 = 28; // u32 per document: token count
const JOB_MASK: u32 = 32; // u8 per document: 1 = score it
const JOB_SCORES: u32 = 36; // f32 per document (out); −∞ where masked
const JOB_DOCS: u32 = 40; // document count

/** [Σa, Σb, Σc, Σd] of four i32x4 / f32x4 accumulators: two interleaves, two half-swaps, three adds. */
// @ts-ignore: decorator
@inline function reduce4i(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = i32x4.add(v128.shuffle<i32>(a, b, 0, 4, 1, 5), v128.shuffle<i32>(a, b, 2, 6, 3, 7));
  const cd = i32x4.add(v128.shuffle<i32>(c, d, 0, 4, 1, 5), v128.shuffle<i32>(c, d, 2, 6, 3, 7));
  return i32x4.add(v128.shuffle<i64>(ab, cd, 0, 2), v128.shuffle<i64>(ab, cd, 1, 3));
}

// @ts-ignore: decorator
@inline function reduce4f(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<i32>(a, b, 0, 4, 1, 5), v128.shuffle<i32>(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(v128.shuffle<i32>(c, d, 0, 4, 1, 5), v128.shuffle<i32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<i64>(ab, cd, 0, 2), v128.shuffle<i64>(ab, cd, 1, 3));
}

/** Four query tokens (rows of `dim` f32 at q) · one document token: [q0·d, q1·d, q2·d, q3·d]. */
// @ts-ignore: decorator
@inline function dots4f(q: usize, d: usize, dim: usize): v128 {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  const row = dim << 2;
  for (let i: usize = 0; i < row; i += 16) {
    const x = v128.load(d + i);
    if (ASC_FEATURE_RELAXED_SIMD) {
      a0 = f32x4.relaxed_madd(x, v128.load(q + i), a0);
      a1 = f32x4.relaxed_madd(x, v128.load(q + row + i), a1);
      a2 = f32x4.relaxed_madd(x, v128.load(q + 2 * row + i), a2);
      a3 = f32x4.relaxed_madd(x, v128.load(q + 3 * row + i), a3);
    } else {
      a0 = f32x4.add(a0, f32x4.mul(x, v128.load(q + i)));
      a1 = f32x4.add(a1, f32x4.mul(x, v128.load(q + row + i)));
      a2 = f32x4.add(a2, f32x4.mul(x, v128.load(q + 2 * row + i)));
      a3 = f32x4.add(a3, f32x4.mul(x, v128.load(q + 3 * row + i)));
    }
  }
  return reduce4f(a0, a1, a2, a3);
}

/**
 * Four query tokens · one int8 document token (at d, `sum` = Σ of its values), as exact integers.
 * Relaxed: the query is stored as q + 64 ∈ [1, 127], the 7-bit operand, so the instruction is deterministic
 * everywhere; Σ d·(q + 64) − 64·Σd = Σ d·q. Plain: the query is stored widened to i16 and the document is
 * widened on load; `dot_i16x8_s` multiplies and adds pairs.
 */
// @ts-ignore: decorator
@inline function dots4i(q: usize, d: usize, dim: usize, sum: i32): v128 {
  let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
  if (ASC_FEATURE_RELAXED_SIMD) {
    for (let i: usize = 0; i < dim; i += 16) {
      const x = v128.load(d + i);
      a0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(x, v128.load(q + i), a0);
      a1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(x, v128.load(q + dim + i), a1);
      a2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(x, v128.load(q + 2 * dim + i), a2);
      a3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(x, v128.load(q + 3 * dim + i), a3);
    }
    return i32x4.sub(reduce4i(a0, a1, a2, a3), i32x4.splat(sum << 6));
  }
  const row = dim << 1;
  for (let i: usize = 0; i < dim; i += 8) {
    const x = v128.load8x8_s(d + i);
    const j = i << 1;
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x, v128.load(q + j)));
    a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x, v128.load(q + row + j)));
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x, v128.load(q + 2 * row + j)));
    a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x, v128.load(q + 3 * row + j)));
  }
  return reduce4i(a0, a1, a2, a3);
}

/** Bytes of one padded query group (4 tokens) in the query buffer. */
// @ts-ignore: decorator
@inline function groupBytes(dim: usize, int8: bool): usize {
  return int8 ? (ASC_FEATURE_RELAXED_SIMD ? dim << 2 : dim << 3) : dim << 4;
}

/**
 * f32: the best [q0·d, q1·d, q2·d, q3·d] over a document's tokens, two document tokens at a time: eight
 * independent accumulators hide the add (or fused multiply-add) latency that four alone would wait on, and each
 * query load serves two tokens.
 */
// @ts-ignore: decorator
@inline function groupMaxF32(q: usize, block: usize, len: usize, dim: usize): v128 {
  const row = dim << 2;
  let best = f32x4.splat(-Infinity);
  let t: usize = 0;
  for (; t + 1 < len; t += 2) {
    const d = block + t * row;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
    for (let i: usize = 0; i < row; i += 16) {
      const x = v128.load(d + i);
      const y = v128.load(d + row + i);
      let w = v128.load(q + i);
      if (ASC_FEATURE_RELAXED_SIMD) {
        a0 = f32x4.relaxed_madd(x, w, a0);
        b0 = f32x4.relaxed_madd(y, w, b0);
        w = v128.load(q + row + i);
        a1 = f32x4.relaxed_madd(x, w, a1);
        b1 = f32x4.relaxed_madd(y, w, b1);
        w = v128.load(q + 2 * row + i);
        a2 = f32x4.relaxed_madd(x, w, a2);
        b2 = f32x4.relaxed_madd(y, w, b2);
        w = v128.load(q + 3 * row + i);
        a3 = f32x4.relaxed_madd(x, w, a3);
        b3 = f32x4.relaxed_madd(y, w, b3);
      } else {
        a0 = f32x4.add(a0, f32x4.mul(x, w));
        b0 = f32x4.add(b0, f32x4.mul(y, w));
        w = v128.load(q + row + i);
        a1 = f32x4.add(a1, f32x4.mul(x, w));
        b1 = f32x4.add(b1, f32x4.mul(y, w));
        w = v128.load(q + 2 * row + i);
        a2 = f32x4.add(a2, f32x4.mul(x, w));
        b2 = f32x4.add(b2, f32x4.mul(y, w));
        w = v128.load(q + 3 * row + i);
        a3 = f32x4.add(a3, f32x4.mul(x, w));
        b3 = f32x4.add(b3, f32x4.mul(y, w));
      }
    }
    best = f32x4.pmax(best, f32x4.pmax(reduce4f(a0, a1, a2, a3), reduce4f(b0, b1, b2, b3)));
  }
  if (t < len) best = f32x4.pmax(best, dots4f(q, block + t * row, dim));
  return best;
}

/** int8: as groupMaxF32, two document tokens at a time; each token's dots scaled by its f32 scale. */
// @ts-ignore: decorator
@inline function groupMaxInt8(q: usize, block: usize, len: usize, dim: usize): v128 {
  const scales = block + len * dim;
  const sums = scales + (len << 2);
  let best = f32x4.splat(-Infinity);
  let t: usize = 0;
  for (; t + 1 < len; t += 2) {
    const d = block + t * dim;
    let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
    let b0 = i32x4.splat(0), b1 = i32x4.splat(0), b2 = i32x4.splat(0), b3 = i32x4.splat(0);
    if (ASC_FEATURE_RELAXED_SIMD) {
      for (let i: usize = 0; i < dim; i += 16) {
        const x = v128.load(d + i);
        const y = v128.load(d + dim + i);
        let w = v128.load(q + i);
        a0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(x, w, a0);
        b0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(y, w, b0);
        w = v128.load(q + dim + i);
        a1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(x, w, a1);
        b1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(y, w, b1);
        w = v128.load(q + 2 * dim + i);
        a2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(x, w, a2);
        b2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(y, w, b2);
        w = v128.load(q + 3 * dim + i);
        a3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(x, w, a3);
        b3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(y, w, b3);
      }
    } else {
      const row = dim << 1;
      for (let i: usize = 0; i < dim; i += 8) {
        const x = v128.load8x8_s(d + i);
        const y = v128.load8x8_s(d + dim + i);
        const j = i << 1;
        let w = v128.load(q + j);
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x, w));
        b0 = i32x4.add(b0, i32x4.dot_i16x8_s(y, w));
        w = v128.load(q + row + j);
        a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x, w));
        b1 = i32x4.add(b1, i32x4.dot_i16x8_s(y, w));
        w = v128.load(q + 2 * row + j);
        a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x, w));
        b2 = i32x4.add(b2, i32x4.dot_i16x8_s(y, w));
        w = v128.load(q + 3 * row + j);
        a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x, w));
        b3 = i32x4.add(b3, i32x4.dot_i16x8_s(y, w));
      }
    }
    let s0 = reduce4i(a0, a1, a2, a3);
    let s1 = reduce4i(b0, b1, b2, b3);
    if (ASC_FEATURE_RELAXED_SIMD) {
      s0 = i32x4.sub(s0, i32x4.splat(load<i32>(sums + (t << 2)) << 6));
      s1 = i32x4.sub(s1, i32x4.splat(load<i32>(sums + (t << 2), 4) << 6));
    }
    const f0 = f32x4.mul(f32x4.convert_i32x4_s(s0), f32x4.splat(load<f32>(scales + (t << 2))));
    const f1 = f32x4.mul(f32x4.convert_i32x4_s(s1), f32x4.splat(load<f32>(scales + (t << 2), 4)));
    best = f32x4.pmax(best, f32x4.pmax(f0, f1));
  }
  if (t < len) {
    const dots = dots4i(q, block + t * dim, dim, load<i32>(sums + (t << 2)));
    best = f32x4.pmax(best, f32x4.mul(f32x4.convert_i32x4_s(dots), f32x4.splat(load<f32>(scales + (t << 2)))));
  }
  return best;
}

// @ts-ignore: decorator
@inline function groupMax(job: usize, g: usize, block: usize, len: usize, int8: bool): v128 {
  const dim = <usize>load<u32>(job, JOB_DIM);
  const q = <usize>load<u32>(job, JOB_QUERY) + g * groupBytes(dim, int8);
  return int8 ? groupMaxInt8(q, block, len, dim) : groupMaxF32(q, block, len, dim);
}

// @ts-ignore: decorator
@inline function maxsim(job: usize, doc: usize, int8: bool): f32 {
  const block = <usize>load<u32>(<usize>load<u32>(job, JOB_DOC_PTR) + (doc << 2));
  const len = <usize>load<u32>(<usize>load<u32>(job, JOB_DOC_LEN) + (doc << 2));
  const qscale = <usize>load<u32>(job, JOB_QSCALE);
  const groups = <usize>load<u32>(job, JOB_GROUPS);
  let total = f32x4.splat(0);
  for (let g: usize = 0; g < groups; g++) {
    total = f32x4.add(total, f32x4.mul(groupMax(job, g, block, len, int8), v128.load(qscale + (g << 4))));
  }
  return f32x4.extract_lane(total, 0) + f32x4.extract_lane(total, 1) + (f32x4.extract_lane(total, 2) + f32x4.extract_lane(total, 3));
}

/** Claims chunks of documents until none are left; writes each one's score (−∞ where the mask is 0). */
// @ts-ignore: decorator
@inline function scoreAll(job: usize, int8: bool): void {
  const chunk = load<u32>(job, JOB_CHUNK);
  const docs = load<u32>(job, JOB_DOCS);
  const mask = <usize>load<u32>(job, JOB_MASK);
  const scores = <usize>load<u32>(job, JOB_SCORES);
  while (true) {
    let start: u32;
    if (ASC_FEATURE_THREADS) start = atomic.add<u32>(job + JOB_COUNTER, chunk);
    else {
      start = load<u32>(job, JOB_COUNTER);
      store<u32>(job, start + chunk, JOB_COUNTER);
    }
    if (start >= docs) break;
    const end = min(start + chunk, docs);
    for (let doc = <usize>start; doc < <usize>end; doc++) {
      store<f32>(scores + (doc << 2), load<u8>(mask + doc) ? maxsim(job, doc, int8) : -Infinity);
    }
  }
}

export function scoreF32(job: usize): void {
  scoreAll(job, false);
}

export function scoreInt8(job: usize): void {
  scoreAll(job, true);
}

/**
 * For one document: per padded query token, the index of the first document token with the best scaled dot
 * (i32 at outIndex) and that dot times the query token's scale (f32 at outScore).
 */
// @ts-ignore: decorator
@inline function explain(job: usize, doc: usize, outIndex: usize, outScore: usize, int8: bool): void {
  const block = <usize>load<u32>(<usize>load<u32>(job, JOB_DOC_PTR) + (doc << 2));
  const len = <usize>load<u32>(<usize>load<u32>(job, JOB_DOC_LEN) + (doc << 2));
  const dim = <usize>load<u32>(job, JOB_DIM);
  const qscale = <usize>load<u32>(job, JOB_QSCALE);
  const groups = <usize>load<u32>(job, JOB_GROUPS);
  for (let g: usize = 0; g < groups; g++) {
    const q = <usize>load<u32>(job, JOB_QUERY) + g * groupBytes(dim, int8);
    let best = f32x4.splat(-Infinity);
    let at = i32x4.splat(0);
    for (let t: usize = 0; t < len; t++) {
      let s: v128;
      if (int8) {
        const scales = block + len * dim;
        const dots = dots4i(q, block + t * dim, dim, load<i32>(scales + (len << 2) + (t << 2)));
        s = f32x4.mul(f32x4.convert_i32x4_s(dots), f32x4.splat(load<f32>(scales + (t << 2))));
      } else {
        s = dots4f(q, block + t * (dim << 2), dim);
      }
      const better = f32x4.gt(s, best);
      best = v128.bitselect(s, best, better);
      at = v128.bitselect(i32x4.splat(<i32>t), at, better);
    }
    v128.store(outIndex + (g << 4), at);
    v128.store(outScore + (g << 4), f32x4.mul(best, v128.load(qscale + (g << 4))));
  }
}

export function explainF32(job: usize, doc: usize, outIndex: usize, outScore: usize): void {
  explain(job, doc, outIndex, outScore, false);
}

export function explainInt8(job: usize, doc: usize, outIndex: usize, outScore: usize): void {
  explain(job, doc, outIndex, outScore, true);
}

/** Every integer q·d of one int8 document, [padded query token][document token]: lets tests compare paths. */
export function dotsInt8(job: usize, doc: usize, out: usize): void {
  const block = <usize>load<u32>(<usize>load<u32>(job, JOB_DOC_PTR) + (doc << 2));
  const len = <usize>load<u32>(<usize>load<u32>(job, JOB_DOC_LEN) + (doc << 2));
  const dim = <usize>load<u32>(job, JOB_DIM);
  const groups = <usize>load<u32>(job, JOB_GROUPS);
  const sums = block + len * dim + (len << 2);
  for (let g: usize = 0; g < groups; g++) {
    const q = <usize>load<u32>(job, JOB_QUERY) + g * groupBytes(dim, true);
    for (let t: usize = 0; t < len; t++) {
      const dots = dots4i(q, block + t * dim, dim, load<i32>(sums + (t << 2)));
      const o = out + ((g * 4 * len + t) << 2);
      store<i32>(o, i32x4.extract_lane(dots, 0));
      store<i32>(o + (len << 2), i32x4.extract_lane(dots, 1));
      store<i32>(o + (len << 3), i32x4.extract_lane(dots, 2));
      store<i32>(o + len * 12, i32x4.extract_lane(dots, 3));
    }
  }
}
