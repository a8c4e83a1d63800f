// Explanations for the top documents: one thread per (document, query token) scans the document's rows for the
// best q·d, keeping the first on ties (as the reference does). Needs the precision prelude and common.wgsl.

override D4: u32;

struct Params {
  queryTokens: u32,
  count: u32,
  gridX: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// (result index, first row in the shard, rows, 0) per document.
@group(0) @binding(4) var<storage, read> items: array<vec4<u32>>;
// (document token, score bits) at result index × queryTokens + query token.
@group(0) @binding(5) var<storage, read_write> matches: array<vec2<u32>>;

@compute @workgroup_size(64)
fn explain(@builtin(global_invocation_id) gid: vec3<u32>) {
  let index = gid.x + gid.y * params.gridX * 64u;
  let itemIndex = index / max(1u, params.queryTokens);
  if (itemIndex >= params.count) { return; }
  let q = index % params.queryTokens;
  let item = items[itemIndex];
  var bestToken = 0u;
  var bestScore = 0.0;
  for (var r = 0u; r < item.z; r++) {
    let row = item.y + r;
    var acc = Acc(0);
    for (var i = 0u; i < D4; i++) {
      acc += dot_word(q * D4 + i, load_doc(row * D4 + i));
    }
    let s = to_score(acc, q, row);
    if (r == 0u || s > bestScore) {
      bestScore = s;
      bestToken = r;
    }
  }
  matches[item.x * params.queryTokens + q] = vec2<u32>(bestToken, bitcast<u32>(bestScore));
}
