/**
 * Reading the golden reference fixtures (../shared/fixtures/<name>/reference) and comparing encoder output
 * with them, shared by the Node tests and the browser harness. Test-only: not part of the package build.
 */

export interface ReferenceEntry {
  readonly id: string;
  readonly mode: 'query' | 'document';
  /** Index of the text in texts.json (each text has a query and a document entry). */
  readonly text_index: number;
  readonly text: string;
  readonly shape: readonly [number, number];
  /** Start of the matrix in reference.bin, in float32 elements. */
  readonly offset: number;
  readonly n_tokens: number;
  readonly token_ids: readonly number[];
  readonly tokens: readonly string[];
  readonly skiplist_rows?: readonly number[];
}

export interface ReferenceFile {
  readonly embedding_dim: number;
  readonly entries: readonly ReferenceEntry[];
}

/** The rows PyLate (Python) returns for an entry: all rows for queries; documents without skiplist rows (§4.6). */
export function expectedRows(entry: ReferenceEntry, bin: Float32Array): { ids: number[]; vectors: Float32Array[] } {
  const [rows, dim] = entry.shape;
  const skip = new Set(entry.mode === 'document' ? (entry.skiplist_rows ?? []) : []);
  const ids: number[] = [];
  const vectors: Float32Array[] = [];
  for (let r = 0; r < rows; r++) {
    if (skip.has(r)) continue;
    ids.push(entry.token_ids[r]!);
    vectors.push(bin.subarray(entry.offset + r * dim, entry.offset + (r + 1) * dim));
  }
  return { ids, vectors };
}

export interface Comparison {
  /** Largest |Δ| over every compared component. */
  readonly maxAbs: number;
  /** Entries whose kept token ids or row counts differ from the reference. */
  readonly idMismatches: readonly string[];
  readonly comparedRows: number;
}

/** Compares encoded texts (same order as `entries`) with the reference. */
export function compareWithReference(
  entries: readonly ReferenceEntry[],
  bin: Float32Array,
  encoded: ReadonlyArray<{ ids: ArrayLike<number>; vectors: Float32Array; rows: number; dim: number }>,
): Comparison {
  let maxAbs = 0;
  let comparedRows = 0;
  const idMismatches: string[] = [];
  entries.forEach((entry, i) => {
    const got = encoded[i]!;
    const want = expectedRows(entry, bin);
    const gotIds = Array.from(got.ids);
    if (got.rows !== want.ids.length || gotIds.some((id, k) => id !== want.ids[k])) {
      idMismatches.push(`${entry.id}/${entry.mode}`);
      return;
    }
    want.vectors.forEach((row, r) => {
      for (let c = 0; c < got.dim; c++) maxAbs = Math.max(maxAbs, Math.abs(got.vectors[r * got.dim + c]! - row[c]!));
      comparedRows++;
    });
  });
  return { maxAbs, idMismatches, comparedRows };
}
