import type { LoadedIndex } from '../store/store-reads.js';

/** seq → the stored rows (values and, for int8, scales) of each live document of a load(). For tests. */
export function rowsBySeq(loaded: LoadedIndex): Map<number, { values: number[]; scales: number[] }> {
  const out = new Map<number, { values: number[]; scales: number[] }>();
  const dead = new Set(loaded.tombstones);
  for (const b of loaded.batches) {
    let row = 0;
    b.seqs.forEach((seq, i) => {
      const n = b.lengths[i]!;
      const t = b.tokens;
      if (!dead.has(seq)) {
        out.set(seq, {
          values: Array.from(t.values.subarray(row * t.dim, (row + n) * t.dim)),
          scales: t.precision === 'int8' ? Array.from(t.scales.subarray(row, row + n)) : [],
        });
      }
      row += n;
    });
  }
  return out;
}
