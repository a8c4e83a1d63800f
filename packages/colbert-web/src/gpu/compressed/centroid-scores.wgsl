// Query × centroid scores S = Q·Cᵀ of a compressed index, and which centroids are "relevant" (score at least the
// threshold with some query token: stage 2 of the pruned search counts only their tokens). Needs common.wgsl.
//
// One thread per centroid, WG centroids per workgroup. The query is walked in blocks of QB tokens: each block is
// staged once in workgroup memory and shared by the WG threads, each of which keeps QB accumulators in registers
// and reads its centroid row once per block. Scores are centroid-major (`scores[c · paddedTokens + q]`): a
// document token's scores for all query tokens are contiguous, as the approximate-score kernel reads them.

override WG: u32 = 64u;
override D4: u32;
// Query tokens per register block; the query is padded with zero rows to a multiple of it.
const QB: u32 = 8u;

struct Params {
  centroids: u32,
  queryTokens: u32,
  paddedTokens: u32,
  gridX: u32,
  // A centroid is relevant when some query token scores at least this (an f32, rounded so that f32 ≥ it exactly
  // when the float64 threshold is reached).
  threshold: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> query: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> centroids: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> scores: array<f32>;
// One u32 per centroid, 1 when relevant: written by its own thread, so no atomics.
@group(0) @binding(4) var<storage, read_write> relevant: array<u32>;

var<workgroup> block: array<vec4<f32>, QB * D4>;

@compute @workgroup_size(WG)
fn centroid_scores(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let c = (wg.x + wg.y * params.gridX) * WG + lid;
  let inside = c < params.centroids;
  // Threads past the last centroid compute on it and discard the result: every thread reaches every barrier.
  let row = min(c, params.centroids - 1u);
  var best = -3.4028234e38;
  for (var q0 = 0u; q0 < params.paddedTokens; q0 += QB) {
    workgroupBarrier();
    for (var i = lid; i < QB * D4; i += WG) { block[i] = query[q0 * D4 + i]; }
    workgroupBarrier();
    var acc: array<f32, QB>;
    // Zeroed explicitly: SwiftShader's compiler hoists the declaration out of the loop and keeps the last block's sums.
    for (var j = 0u; j < QB; j++) { acc[j] = 0.0; }
    for (var i = 0u; i < D4; i++) {
      let x = centroids[row * D4 + i];
      for (var j = 0u; j < QB; j++) { acc[j] += dot(block[j * D4 + i], x); }
    }
    if (inside) {
      for (var j = 0u; j < QB; j++) {
        scores[c * params.paddedTokens + q0 + j] = acc[j];
        if (q0 + j < params.queryTokens) { best = max(best, acc[j]); }
      }
    }
  }
  if (inside) { relevant[c] = select(0u, 1u, best >= params.threshold); }
}
