// The query for int8 corpora, quantised on the GPU exactly as scoring/query.ts `quantizeQuery` does on the CPU:
// per row scale = fround(max|x| / 63), q = round-half-away-from-zero(x / scale) clamped to ±63, four values packed
// per u32 (byte 0 = dimension 0). Rows from `rows` to `padded` are written as zeros.
//
// WGSL division is only accurate to 2.5 ULP, so neither the scale nor x / scale can come from `/` alone: the scale
// is divided in integers (correctly rounded, as fround(max / 63) is), and each q is an estimate corrected by exact
// integer comparisons of |x| with (q ± ½) · scale, which is what rounding the float64 quotient decides.

override D4: u32;        // 4-value groups per row (dim / 4)
override WG: u32 = 32u;  // threads per row, at least D4

struct Params {
  rows: u32,
  padded: u32,
  offset: u32,           // first f32 of the query in `source`
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> source: array<f32>;
@group(0) @binding(2) var<storage, read_write> values: array<u32>;
@group(0) @binding(3) var<storage, read_write> scales: array<f32>;

var<workgroup> maxima: array<f32, WG>;

const LIMIT: u32 = 63u;

// x ≥ 0 as significand · 2^exponent (significand < 2^24, the hidden bit included for normal numbers).
struct Split { significand: u32, exponent: i32 }

fn split(x: f32) -> Split {
  let bits = bitcast<u32>(x);
  let biased = i32((bits >> 23u) & 0xffu);
  let fraction = bits & 0x7fffffu;
  if (biased == 0) { return Split(fraction, -149); }
  return Split(fraction | 0x800000u, biased - 150);
}

// fround(m / 63) for a normal m > 0 whose quotient is normal: (M · 256) / 63 in integers, rounded to 24 bits,
// to nearest with ties to even.
fn divide_by_limit(m: f32) -> f32 {
  let s = split(m);
  let numerator = s.significand << 8u;            // < 2^32
  let quotient = numerator / LIMIT;               // 26 or 27 bits
  let remainder = numerator % LIMIT;
  let drop = select(2u, 3u, quotient >= (1u << 26u));
  let low = quotient & ((1u << drop) - 1u);
  let half = 1u << (drop - 1u);
  var kept = quotient >> drop;
  if (low > half || (low == half && (remainder != 0u || (kept & 1u) == 1u))) { kept += 1u; }
  return ldexp(f32(kept), s.exponent - 8 + i32(drop));
}

// |x| ≥ (n + ½) · scale, exactly: X · 2^(b − a + 1) ≥ (2n + 1) · S for |x| = X · 2^b, scale = S · 2^a (S ≥ 2^23).
fn at_least_half_above(x: Split, n: u32, scale: Split) -> bool {
  let right = (2u * n + 1u) * scale.significand;  // ≤ 127 · (2^24 − 1) < 2^31
  let shift = x.exponent - scale.exponent + 1;
  if (shift < 0) { return false; }               // X · 2^shift < 2^23 ≤ right
  if (shift >= 8 || x.significand > (0xffffffffu >> u32(shift))) { return true; }  // ≥ 2^31 > right
  return (x.significand << u32(shift)) >= right;
}

fn quantize(x: f32, scale: f32, scaleSplit: Split, exact: bool) -> i32 {
  let magnitude = abs(x);
  var n = u32(floor(magnitude / scale + 0.5));
  if (exact) {
    let m = split(magnitude);
    if (at_least_half_above(m, n, scaleSplit)) { n += 1u; }
    else if (n > 0u && !at_least_half_above(m, n - 1u, scaleSplit)) { n -= 1u; }
  }
  let q = i32(min(n, LIMIT));
  return select(q, -q, x < 0.0);
}

@compute @workgroup_size(WG)
fn quantize_query(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let row = group.x;
  let word = row * D4 + lane;
  if (row >= params.rows) {
    if (lane < D4) { values[word] = 0u; }
    if (lane == 0u) { scales[row] = 0.0; }
    return;
  }
  var x = vec4<f32>(0.0);
  if (lane < D4) {
    let at = params.offset + word * 4u;
    x = vec4<f32>(source[at], source[at + 1u], source[at + 2u], source[at + 3u]);
  }
  let a = abs(x);
  maxima[lane] = max(max(a.x, a.y), max(a.z, a.w));
  workgroupBarrier();
  var m = 0.0;
  for (var i = 0u; i < D4; i++) { m = max(m, maxima[i]); }
  // The integer division needs a normal max and quotient (max ≥ 63 · 2^−126); below that, plain division.
  let exact = m >= 63.0 * 1.1754943508222875e-38;
  let scale = select(m / f32(LIMIT), divide_by_limit(m), exact);
  if (lane == 0u) { scales[row] = scale; }
  if (lane >= D4) { return; }
  if (scale == 0.0) { values[word] = 0u; return; }
  let s = split(scale);
  let q = vec4<i32>(quantize(x.x, scale, s, exact), quantize(x.y, scale, s, exact), quantize(x.z, scale, s, exact), quantize(x.w, scale, s, exact));
  values[word] = (u32(q.x) & 0xffu) | ((u32(q.y) & 0xffu) << 8u) | ((u32(q.z) & 0xffu) << 16u) | ((u32(q.w) & 0xffu) << 24u);
}
