// Job blocks of the compressed-index kernels (compressed.ts): u32 fields, field 0 the next item to claim and
// field 2 the next per-thread scratch slot (both atomic in shared builds, zeroed by the caller before each run).

/** Claims `n` items from the counter at `at`: the first one's index (≥ the total when none are left). */
// @ts-ignore: decorator
@inline export function claim(at: usize, n: u32): u32 {
  if (ASC_FEATURE_THREADS) return atomic.add<u32>(at, n);
  const first = load<u32>(at);
  store<u32>(at, first + n);
  return first;
}

/** Field `i` of a job block as an address or count. */
// @ts-ignore: decorator
@inline export function field(job: usize, i: u32): usize {
  return <usize>load<u32>(job + (<usize>i << 2));
}

/** Field `i` of a job block as an f32. */
// @ts-ignore: decorator
@inline export function floatField(job: usize, i: u32): f32 {
  return load<f32>(job + (<usize>i << 2));
}

/** [Σa, Σb, Σc, Σd] of four f32x4 accumulators. */
// @ts-ignore: decorator
@inline export function reduce4f(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<i32>(a, b, 0, 4, 1, 5), v128.shuffle<i32>(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(v128.shuffle<i32>(c, d, 0, 4, 1, 5), v128.shuffle<i32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<i64>(ab, cd, 0, 2), v128.shuffle<i64>(ab, cd, 1, 3));
}

/** `sum` plus the lanes of `v` that stand for real query rows (`real` of 4, from lane 0), one at a time in float64. */
// @ts-ignore: decorator
@inline export function addLanes(sum: f64, v: v128, real: usize): f64 {
  sum += <f64>f32x4.extract_lane(v, 0);
  if (real > 1) sum += <f64>f32x4.extract_lane(v, 1);
  if (real > 2) sum += <f64>f32x4.extract_lane(v, 2);
  if (real > 3) sum += <f64>f32x4.extract_lane(v, 3);
  return sum;
}
