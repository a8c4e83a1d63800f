// Exact MaxSim of a compressed index's documents, residuals decompressed inside the kernel. Needs common.wgsl.
//
// A token is decoded as the index defines it: per dimension i, its NBITS-bit bucket b_i (bits (i·NBITS) mod 32 of
// u32 word ⌊i·NBITS/32⌋ of the token's residual: the byte layout read little-endian), v_i = centroid_i +
// weight_i[b_i], and the token is v / ‖v‖. One workgroup per document, one thread per token (a document longer than
// WG tokens is walked WG tokens at a time). The query is walked in blocks of QB tokens; each thread decodes its
// token four dimensions at a time into registers, accumulating ‖v‖² and the QB dot products together, so the
// decoded vector is never stored. The document's maximum per query token is an atomicMax in workgroup memory over
// order-preserving u32 bits; thread 0 sums them in query-token order.
//
// In pruned mode (`pruned` = 1) the documents are the last candidate stage's selection; one that was only a filler
// of that selection (stage-3 score NONE: not a candidate) is scored NONE, and the dispatcher drops it.

const NONE: f32 = -3.4028234e38;
override WG: u32 = 64u;
override D4: u32;
override NBITS: u32;
// Query tokens per register block: one block holds a whole 32-token ColBERT query, so each token is decoded once
// (the dispatcher pads the query to a multiple of it).
const QB: u32 = 32u;

struct Params {
  queryTokens: u32,
  paddedTokens: u32,
  count: u32,
  gridX: u32,
  // Residual u32 words per token.
  words: u32,
  pruned: u32,
  // Index in `centroids` of the vec4 where the codec weights start.
  weightsAt: u32,
  pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> query: array<vec4<f32>>;
// The centroids, then dim × 2^NBITS reconstruction values, dimension-major: one binding for both, so the kernel
// stays within the default 8 storage buffers per stage (onnxruntime's device, which the scorer shares, has no more).
@group(0) @binding(2) var<storage, read> centroids: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> codes: array<u32>;
@group(0) @binding(5) var<storage, read> residuals: array<u32>;
// (slot, first token in the shard, tokens, 0) per document of the shard.
@group(0) @binding(6) var<storage, read> documents: array<vec4<u32>>;
@group(0) @binding(7) var<storage, read> allowed: array<u32>;
@group(0) @binding(8) var<storage, read> approximate: array<f32>;
@group(0) @binding(9) var<storage, read_write> scores: array<f32>;

var<workgroup> docInfo: vec4<u32>;
var<workgroup> best: array<atomic<u32>, QB>;

fn weight(i: u32) -> f32 {
  return centroids[params.weightsAt + (i >> 2u)][i & 3u];
}

// Dimensions 4g … 4g + 3 of a token coded `c` whose residual starts at word `at`, before normalising.
fn decode(c: u32, at: u32, g: u32) -> vec4<f32> {
  let buckets = 1u << NBITS;
  let mask = buckets - 1u;
  let bitIndex = g * 4u * NBITS;
  let w = residuals[at + (bitIndex >> 5u)] >> (bitIndex & 31u);
  let i = g * 4u * buckets;
  let r = vec4<f32>(
    weight(i + (w & mask)),
    weight(i + buckets + ((w >> NBITS) & mask)),
    weight(i + 2u * buckets + ((w >> (2u * NBITS)) & mask)),
    weight(i + 3u * buckets + ((w >> (3u * NBITS)) & mask)),
  );
  return centroids[c * D4 + g] + r;
}

@compute @workgroup_size(WG)
fn exact(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let index = wg.x + wg.y * params.gridX;
  if (lid == 0u) {
    // tokens = 0 marks a document to skip: past the end, not selected, or a filler scored NONE here.
    var info = vec4<u32>(0u);
    if (index < params.count) {
      info = documents[index];
      if (!bit_of(allowed[info.x >> 5u], info.x)) {
        info.z = 0u;
      } else if (params.pruned != 0u && approximate[info.x] == NONE) {
        scores[info.x] = NONE;
        info.z = 0u;
      }
    }
    docInfo = info;
  }
  let info = workgroupUniformLoad(&docInfo);
  if (info.z == 0u) { return; }
  var total = 0.0;
  for (var q0 = 0u; q0 < params.paddedTokens; q0 += QB) {
    if (lid < QB) { atomicStore(&best[lid], 0u); }
    workgroupBarrier();
    var top: array<f32, QB>;
    for (var j = 0u; j < QB; j++) { top[j] = NONE; }
    for (var t = lid; t < info.z; t += WG) {
      let token = info.y + t;
      let c = codes[token];
      let at = token * params.words;
      var acc: array<f32, QB>;
      // Zeroed explicitly: SwiftShader's compiler hoists the declaration out of the loop and keeps the last sums.
      for (var j = 0u; j < QB; j++) { acc[j] = 0.0; }
      var norm2 = 0.0;
      for (var g = 0u; g < D4; g++) {
        let d = decode(c, at, g);
        norm2 += dot(d, d);
        for (var j = 0u; j < QB; j++) { acc[j] += dot(query[(q0 + j) * D4 + g], d); }
      }
      let inverse = select(0.0, 1.0 / sqrt(norm2), norm2 > 0.0);
      for (var j = 0u; j < QB; j++) { top[j] = max(top[j], acc[j] * inverse); }
    }
    if (lid < info.z) {
      for (var j = 0u; j < QB; j++) { atomicMax(&best[j], ordered(top[j])); }
    }
    workgroupBarrier();
    if (lid == 0u) {
      for (var j = 0u; j < QB; j++) {
        if (q0 + j < params.queryTokens) { total += unordered(atomicLoad(&best[j])); }
      }
    }
    workgroupBarrier();
  }
  if (lid == 0u) { scores[info.x] = total; }
}
