/**
 * The pooled reference matrices of a golden fixture (../shared/fixtures/<name>/pooled, README §7), shared by the
 * Node tests and the browser specs. Test-only: not part of the package build.
 */
import type { ReferenceEntry } from './golden-reference.js';

export interface PooledEntry {
  readonly id: string;
  readonly text_index: number;
  readonly pool_factor: number;
  /** Rows pooled: the document's kept rows (n + 1 with the protected [CLS] row). */
  readonly input_rows: number;
  readonly shape: readonly [number, number];
  /** Start of the matrix in pooled.bin, in float32 elements. */
  readonly offset: number;
  /** scipy's cluster label of each input row after the protected one. */
  readonly clusters: readonly number[];
}

export interface PooledFile {
  readonly embedding_dim: number;
  readonly entries: readonly PooledEntry[];
}

/** The reference entry a pooled entry was computed from: the same text, encoded as a document. */
export function documentEntryOf(pooled: PooledEntry, entries: readonly ReferenceEntry[]): ReferenceEntry {
  const entry = entries.find((e) => e.mode === 'document' && e.text_index === pooled.text_index);
  if (!entry) throw new Error(`No document entry for pooled text ${pooled.text_index}`);
  return entry;
}

/**
 * Largest |Δ| between a pooled matrix and the reference rows, matching rows in order; `Infinity` when the row
 * counts differ.
 */
export function pooledDiff(got: Float32Array, rows: number, pooled: PooledEntry, bin: Float32Array): number {
  const [wantRows, dim] = pooled.shape;
  if (rows !== wantRows || got.length !== rows * dim) return Infinity;
  let max = 0;
  for (let i = 0; i < rows * dim; i++) max = Math.max(max, Math.abs(got[i]! - bin[pooled.offset + i]!));
  return max;
}
