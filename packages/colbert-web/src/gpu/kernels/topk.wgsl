// Top-k over one score per document slot, by score descending then slot ascending (slots are in sequence-number
// order, so this is the ranking order). Needs common.wgsl.
//
// Each document's key is 64 bits, (ordered score, ~slot): unique, so "the k largest keys" is exactly the answer,
// ties included. `histogram` + `select_digit`, run 8 times, are a radix select of the k-th largest key, 8 bits a
// pass, most significant first, entirely on the GPU (the state buffer carries the prefix found so far). `compact`
// then appends every document with key ≥ that threshold: exactly k of them, unordered. `rank` orders them: each
// of the k counts the keys above its own (O(k²), tiled through workgroup memory; the dispatcher uses it for
// k ≤ 4096 and sorts larger read-backs on the CPU).

struct Params {
  count: u32,
  k: u32,
  selectAll: u32,
  useFilter: u32,
}

struct State {
  prefixHi: u32,
  prefixLo: u32,
  need: u32,
  digitPass: u32,
  selectedCount: atomic<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> scores: array<f32>;
@group(0) @binding(2) var<storage, read> live: array<u32>;
@group(0) @binding(3) var<storage, read> allowed: array<u32>;
@group(0) @binding(4) var<storage, read> seqs: array<u32>;
@group(0) @binding(5) var<storage, read_write> state: State;
@group(0) @binding(6) var<storage, read_write> hist: array<atomic<u32>, 256>;
// (slot, score bits) of the selected documents, unordered.
@group(0) @binding(7) var<storage, read_write> selected: array<vec2<u32>>;
// (seq, score bits) in ranking order.
@group(0) @binding(8) var<storage, read_write> ranked: array<vec2<u32>>;

var<workgroup> localHist: array<atomic<u32>, 256>;
var<workgroup> tileKeys: array<vec2<u32>, 256>;

fn is_candidate(slot: u32) -> bool {
  return bit_of(live[slot >> 5u], slot) && (params.useFilter == 0u || bit_of(allowed[slot >> 5u], slot));
}

// −0 and +0 tie, as they do for the CPU scorers' comparison.
fn key_of(slot: u32, score: f32) -> vec2<u32> {
  return vec2<u32>(ordered(select(score, 0.0, score == 0.0)), ~slot);
}

fn greater(a: vec2<u32>, b: vec2<u32>) -> bool {
  return a.x > b.x || (a.x == b.x && a.y > b.y);
}

fn top_mask(bits: u32) -> u32 {
  if (bits == 0u) { return 0u; }
  if (bits >= 32u) { return 0xffffffffu; }
  return ~(0xffffffffu >> bits);
}

fn matches_prefix(key: vec2<u32>, prefix: vec2<u32>, digitPass: u32) -> bool {
  let bits = digitPass * 8u;
  if (bits <= 32u) { return (key.x & top_mask(bits)) == (prefix.x & top_mask(bits)); }
  return key.x == prefix.x && (key.y & top_mask(bits - 32u)) == (prefix.y & top_mask(bits - 32u));
}

fn digit_of(key: vec2<u32>, digitPass: u32) -> u32 {
  if (digitPass < 4u) { return (key.x >> (24u - 8u * digitPass)) & 255u; }
  return (key.y >> (24u - 8u * (digitPass - 4u))) & 255u;
}

@compute @workgroup_size(256)
fn histogram(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32,
             @builtin(num_workgroups) groups: vec3<u32>) {
  atomicStore(&localHist[lid], 0u);
  workgroupBarrier();
  let prefix = vec2<u32>(state.prefixHi, state.prefixLo);
  let digitPass = state.digitPass;
  for (var slot = gid.x; slot < params.count; slot += groups.x * 256u) {
    if (!is_candidate(slot)) { continue; }
    let key = key_of(slot, scores[slot]);
    if (matches_prefix(key, prefix, digitPass)) {
      atomicAdd(&localHist[digit_of(key, digitPass)], 1u);
    }
  }
  workgroupBarrier();
  let n = atomicLoad(&localHist[lid]);
  if (n != 0u) { atomicAdd(&hist[lid], n); }
}

// One thread: 256 bins are too few to be worth a parallel scan.
@compute @workgroup_size(1)
fn select_digit() {
  var need = state.need;
  var chosen = 0u;
  for (var b = 256u; b > 0u; b--) {
    let n = atomicLoad(&hist[b - 1u]);
    if (need <= n) {
      chosen = b - 1u;
      break;
    }
    need -= n;
  }
  let digitPass = state.digitPass;
  if (digitPass < 4u) {
    state.prefixHi |= chosen << (24u - 8u * digitPass);
  } else {
    state.prefixLo |= chosen << (24u - 8u * (digitPass - 4u));
  }
  state.need = need;
  state.digitPass = digitPass + 1u;
  for (var b = 0u; b < 256u; b++) { atomicStore(&hist[b], 0u); }
}

@compute @workgroup_size(256)
fn compact(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let threshold = vec2<u32>(state.prefixHi, state.prefixLo);
  for (var slot = gid.x; slot < params.count; slot += groups.x * 256u) {
    if (!is_candidate(slot)) { continue; }
    let score = scores[slot];
    let key = key_of(slot, score);
    if (params.selectAll != 0u || !greater(threshold, key)) {
      let at = atomicAdd(&state.selectedCount, 1u);
      selected[at] = vec2<u32>(slot, bitcast<u32>(score));
    }
  }
}

@compute @workgroup_size(256)
fn rank(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let m = params.k;
  let i = gid.x;
  var mine = vec2<u32>(0u);
  var entry = vec2<u32>(0u);
  if (i < m) {
    entry = selected[i];
    mine = key_of(entry.x, bitcast<f32>(entry.y));
  }
  var above = 0u;
  for (var base = 0u; base < m; base += 256u) {
    if (base + lid < m) {
      let other = selected[base + lid];
      tileKeys[lid] = key_of(other.x, bitcast<f32>(other.y));
    }
    workgroupBarrier();
    let n = min(256u, m - base);
    for (var t = 0u; t < n; t++) {
      if (greater(tileKeys[t], mine)) { above++; }
    }
    workgroupBarrier();
  }
  if (i < m) { ranked[above] = vec2<u32>(seqs[entry.x], entry.y); }
}
