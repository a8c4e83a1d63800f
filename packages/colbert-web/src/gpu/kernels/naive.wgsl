// The naive MaxSim, for the benchmark's comparison and as a second oracle in tests: the full similarity matrix
// (one thread per document token × query token) written to memory, then a max reduction per (document, query
// token) and a sum per document, each its own dispatch. Needs the precision prelude and common.wgsl.

override WG: u32 = 64u;
override D4: u32;

struct Params {
  queryTokens: u32,
  rows: u32,
  count: u32,
  gridX: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// q × rows + row.
@group(0) @binding(4) var<storage, read_write> similarity: array<f32>;
// (slot, first row in the shard, rows, 0) per document of the shard.
@group(0) @binding(5) var<storage, read> documents: array<vec4<u32>>;
// document × queryTokens + q.
@group(0) @binding(6) var<storage, read_write> maxima: array<f32>;
@group(0) @binding(7) var<storage, read_write> scores: array<f32>;

fn flat_index(gid: vec3<u32>) -> u32 {
  return gid.x + gid.y * params.gridX * WG;
}

@compute @workgroup_size(WG)
fn similarities(@builtin(global_invocation_id) gid: vec3<u32>) {
  let index = flat_index(gid);
  if (index >= params.rows * params.queryTokens) { return; }
  let row = index % params.rows;
  let q = index / params.rows;
  var acc = Acc(0);
  for (var i = 0u; i < D4; i++) {
    acc += dot_word(q * D4 + i, load_doc(row * D4 + i));
  }
  similarity[index] = to_score(acc, q, row);
}

@compute @workgroup_size(WG)
fn maxima_pass(@builtin(global_invocation_id) gid: vec3<u32>) {
  let index = flat_index(gid);
  if (index >= params.count * params.queryTokens) { return; }
  let doc = documents[index / params.queryTokens];
  let base = (index % params.queryTokens) * params.rows + doc.y;
  var m = similarity[base];
  for (var r = 1u; r < doc.z; r++) { m = max(m, similarity[base + r]); }
  maxima[index] = m;
}

@compute @workgroup_size(WG)
fn sums(@builtin(global_invocation_id) gid: vec3<u32>) {
  let index = flat_index(gid);
  if (index >= params.count) { return; }
  var total = 0.0;
  for (var q = 0u; q < params.queryTokens; q++) { total += maxima[index * params.queryTokens + q]; }
  scores[documents[index].x] = total;
}
