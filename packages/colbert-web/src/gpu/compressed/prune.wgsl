// The candidate stages of the pruned search over a compressed index (PLAID's stages 1–3), on the centroid scores
// of centroid-scores.wgsl. Needs common.wgsl.
//
// `probe`: one workgroup per query token finds its `nprobe` best centroids (score descending, then centroid id
// ascending, as the CPU search orders them): nprobe rounds of a workgroup argmax over the 64-bit keys
// (ordered score, ~centroid) strictly below the previous round's key.
// `approximate`: one workgroup per document of a shard. A document is a candidate when one of its tokens is coded
// by a probed centroid (a scan of its codes, which is what an inverted list would give, with no list to keep on
// the device); a candidate gets both approximate scores, Σ_q max_t S[code_t, q] over its tokens with a relevant
// centroid (stage 2; 0 if none) and over all its tokens (stage 3), one thread per query token reading the
// contiguous scores of each token's centroid. Allowed non-candidates get NONE, below every real score, so a top-n
// over the allowed documents takes every candidate before any of them.
// `mark`: the slots of a top-n selection (topk.wgsl's unordered pairs) as a bitset, the next stage's filter.

// Below every score a document can have (sums of at most a few hundred values in [−1, 1]).
const NONE: f32 = -3.4028234e38;
const RELEVANT: u32 = 1u;
const PROBED: u32 = 2u;
override WG: u32 = 64u;

struct Params {
  centroids: u32,
  queryTokens: u32,
  paddedTokens: u32,
  nprobe: u32,
  count: u32,
  gridX: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> scores: array<f32>;
// One u32 per centroid: bit 0 when relevant (written 0 or 1 by centroid-scores.wgsl), bit 1 when probed (set
// here). One binding for both keeps `approximate` within the default 8 storage buffers per stage (onnxruntime's
// device, which the scorer shares, has no more).
@group(0) @binding(3) var<storage, read_write> centroidFlags: array<atomic<u32>>;
@group(0) @binding(4) var<storage, read> codes: array<u32>;
// (slot, first token in the shard, tokens, 0) per document of the shard.
@group(0) @binding(5) var<storage, read> documents: array<vec4<u32>>;
@group(0) @binding(6) var<storage, read> allowed: array<u32>;
@group(0) @binding(7) var<storage, read_write> stage2: array<f32>;
@group(0) @binding(8) var<storage, read_write> stage3: array<f32>;
@group(0) @binding(9) var<storage, read_write> candidates: atomic<u32>;
@group(0) @binding(10) var<storage, read> selected: array<vec2<u32>>;
@group(0) @binding(11) var<storage, read_write> marked: array<atomic<u32>>;

var<workgroup> keys: array<vec2<u32>, 256>;
var<workgroup> docInfo: vec4<u32>;
var<workgroup> flags: array<atomic<u32>, 2>;
var<workgroup> found: vec2<u32>;
var<workgroup> partial2: array<f32, WG>;
var<workgroup> partial3: array<f32, WG>;

fn greater(a: vec2<u32>, b: vec2<u32>) -> bool {
  return a.x > b.x || (a.x == b.x && a.y > b.y);
}

@compute @workgroup_size(256)
fn probe(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let q = wg.x;
  var bound = vec2<u32>(0xffffffffu, 0xffffffffu);
  for (var round = 0u; round < params.nprobe; round++) {
    var mine = vec2<u32>(0u, 0u);
    for (var c = lid; c < params.centroids; c += 256u) {
      let key = vec2<u32>(ordered(scores[c * params.paddedTokens + q]), ~c);
      if (greater(bound, key) && greater(key, mine)) { mine = key; }
    }
    keys[lid] = mine;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s >>= 1u) {
      if (lid < s && greater(keys[lid + s], keys[lid])) { keys[lid] = keys[lid + s]; }
      workgroupBarrier();
    }
    if (lid == 0u) { found = keys[0]; }
    let top = workgroupUniformLoad(&found);
    // (0, 0) is below every key of a real score: fewer centroids than nprobe.
    if (top.x == 0u) { break; }
    if (lid == 0u) { atomicOr(&centroidFlags[~top.y], PROBED); }
    bound = top;
  }
}

@compute @workgroup_size(WG)
fn approximate(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let index = wg.x + wg.y * params.gridX;
  if (lid == 0u) {
    // tokens = 0 marks a document to skip: past the end, removed or filtered out.
    var info = vec4<u32>(0u);
    if (index < params.count) {
      info = documents[index];
      if (!bit_of(allowed[info.x >> 5u], info.x)) { info.z = 0u; }
    }
    docInfo = info;
    atomicStore(&flags[0], 0u);
    atomicStore(&flags[1], 0u);
  }
  let info = workgroupUniformLoad(&docInfo);
  if (info.z == 0u) { return; }
  for (var t = lid; t < info.z; t += WG) {
    let c = codes[info.y + t];
    let f = atomicLoad(&centroidFlags[c]);
    if ((f & PROBED) != 0u) { atomicOr(&flags[0], 1u); }
    if ((f & RELEVANT) != 0u) { atomicOr(&flags[1], 1u); }
  }
  workgroupBarrier();
  if (lid == 0u) {
    let isCandidate = atomicLoad(&flags[0]) != 0u;
    found = vec2<u32>(select(0u, 1u, isCandidate), atomicLoad(&flags[1]));
    if (!isCandidate) {
      stage2[info.x] = NONE;
      stage3[info.x] = NONE;
    } else {
      atomicAdd(&candidates, 1u);
    }
  }
  let state = workgroupUniformLoad(&found);
  if (state.x == 0u) { return; }
  var sum2 = 0.0;
  var sum3 = 0.0;
  for (var q = lid; q < params.queryTokens; q += WG) {
    var best2 = NONE;
    var best3 = NONE;
    for (var t = 0u; t < info.z; t++) {
      let c = codes[info.y + t];
      let s = scores[c * params.paddedTokens + q];
      best3 = max(best3, s);
      if ((atomicLoad(&centroidFlags[c]) & RELEVANT) != 0u) { best2 = max(best2, s); }
    }
    sum2 += best2;
    sum3 += best3;
  }
  partial2[lid] = sum2;
  partial3[lid] = sum3;
  workgroupBarrier();
  if (lid == 0u) {
    var total2 = 0.0;
    var total3 = 0.0;
    for (var i = 0u; i < WG; i++) {
      total2 += partial2[i];
      total3 += partial3[i];
    }
    // No token with a relevant centroid: the CPU search scores stage 2 as 0.
    stage2[info.x] = select(0.0, total2, state.y != 0u);
    stage3[info.x] = total3;
  }
}

@compute @workgroup_size(256)
fn mark(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.gridX * 256u;
  if (i >= params.count) { return; }
  let slot = selected[i].x;
  atomicOr(&marked[slot >> 5u], 1u << (slot & 31u));
}
