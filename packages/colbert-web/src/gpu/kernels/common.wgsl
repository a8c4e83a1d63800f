// Helpers every scorer kernel shares (prepended to each module).

// f32 → u32 whose unsigned order is the float order (−∞ < … < −0 < +0 < … < +∞), so atomicMax and radix
// select work on floats. 0u lies below every encoded float: a ready "no value yet".
fn ordered(f: f32) -> u32 {
  let b = bitcast<u32>(f);
  if ((b & 0x80000000u) != 0u) { return ~b; }
  return b | 0x80000000u;
}

fn unordered(u: u32) -> f32 {
  if ((u & 0x80000000u) != 0u) { return bitcast<f32>(u & 0x7fffffffu); }
  return bitcast<f32>(~u);
}

// Bit `index` of a bitset, given the word that holds it (`words[index >> 5u]`).
fn bit_of(word: u32, index: u32) -> bool {
  return (word & (1u << (index & 31u))) != 0u;
}
