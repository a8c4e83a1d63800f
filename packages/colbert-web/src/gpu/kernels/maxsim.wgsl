// Fused MaxSim. Needs the precision prelude (precision.ts: Acc, load_doc, dot_word, to_score and the query/docs
// bindings) and common.wgsl.
//
// Pass 1 (`maxsim`): one workgroup per tile of up to WG tokens of one document, one thread per token. Each
// thread keeps QB query-token accumulators in registers, so a document row is read once per QB query tokens;
// the tile's maximum per query token is an atomicMax in workgroup memory over order-preserving u32 bits, and
// one u32 per (tile, query token) goes to `tileMax`. Pass 2 (`combine`): one thread per document takes the
// maximum over its tiles per query token and sums. The similarity matrix never leaves registers.

override WG: u32 = 64u;
override D4: u32;
// Query tokens per register block; the query is padded with zero rows to a multiple of it.
const QB: u32 = 8u;

struct Params {
  queryTokens: u32,
  paddedTokens: u32,
  count: u32,
  gridX: u32,
  useFilter: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// (slot, first row in the shard, rows, 0) per tile / (slot, first tile, tiles, 0) per document of the shard.
@group(0) @binding(4) var<storage, read> tiles: array<vec4<u32>>;
@group(0) @binding(5) var<storage, read> live: array<u32>;
@group(0) @binding(6) var<storage, read> allowed: array<u32>;
@group(0) @binding(7) var<storage, read_write> tileMax: array<u32>;
@group(0) @binding(8) var<storage, read> documents: array<vec4<u32>>;
@group(0) @binding(9) var<storage, read_write> scores: array<f32>;

var<workgroup> best: array<atomic<u32>, QB>;
var<workgroup> tileInfo: vec4<u32>;

fn is_candidate(slot: u32) -> bool {
  return bit_of(live[slot >> 5u], slot) && (params.useFilter == 0u || bit_of(allowed[slot >> 5u], slot));
}

@compute @workgroup_size(WG)
fn maxsim(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let index = wg.x + wg.y * params.gridX;
  if (lid == 0u) {
    // rows = 0 marks a tile to skip: past the end, or a removed / filtered-out document.
    var info = vec4<u32>(0u);
    if (index < params.count) {
      info = tiles[index];
      if (!is_candidate(info.x)) { info.z = 0u; }
    }
    tileInfo = info;
  }
  if (lid < QB) { atomicStore(&best[lid], 0u); }
  let info = workgroupUniformLoad(&tileInfo);
  if (info.z == 0u) { return; }
  let inside = lid < info.z;
  // Threads past the document's end compute on its last row and discard the result: no branch around the loop.
  let row = info.y + min(lid, info.z - 1u);
  for (var q0 = 0u; q0 < params.paddedTokens; q0 += QB) {
    var acc: array<Acc, QB>;
    // Zeroed explicitly: SwiftShader's compiler hoists the declaration out of the loop and keeps the last block's sums.
    for (var j = 0u; j < QB; j++) { acc[j] = Acc(0); }
    for (var i = 0u; i < D4; i++) {
      let d = load_doc(row * D4 + i);
      let qi = q0 * D4 + i;
      for (var j = 0u; j < QB; j++) {
        acc[j] += dot_word(qi + j * D4, d);
      }
    }
    if (inside) {
      for (var j = 0u; j < QB; j++) {
        atomicMax(&best[j], ordered(to_score(acc[j], q0 + j, row)));
      }
    }
    workgroupBarrier();
    if (lid < QB) {
      tileMax[index * params.paddedTokens + q0 + lid] = atomicExchange(&best[lid], 0u);
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(WG)
fn combine(@builtin(global_invocation_id) gid: vec3<u32>) {
  let index = gid.x + gid.y * params.gridX * WG;
  if (index >= params.count) { return; }
  let doc = documents[index];
  if (!is_candidate(doc.x)) { return; }
  var total = 0.0;
  for (var q = 0u; q < params.queryTokens; q++) {
    var m = 0u;
    for (var t = doc.y; t < doc.y + doc.z; t++) {
      m = max(m, tileMax[t * params.paddedTokens + q]);
    }
    total += unordered(m);
  }
  scores[doc.x] = total;
}
