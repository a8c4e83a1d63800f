import { CompressedCorpus } from '../scoring/compressed/compressed-corpus.js';
import type { ResidualCodec } from '../scoring/compressed/residual-codec.js';
import type { CentroidTable } from '../scoring/compressed/train-centroids.js';
import { codeRows } from '../store/code-rows.js';
import { codedVectorBytes, startsOf, tableBytes } from '../store/coded-segment.js';

/** Documents coded as the store keeps them: one record per segment (codes, residuals, lengths, seqs). */
export interface StoredCoded {
  segments: { seqs: Uint32Array; lengths: Uint32Array; codes: Uint32Array; residuals: Uint8Array }[];
  /** Bytes of the segments' vector sections plus the shared tables record, as IndexedDB and a .cwi hold them. */
  diskBytes: number;
}

/**
 * Codes `vectors` (documents of `lengths` tokens, sequence numbers 0, 1, …) with trained tables into segments of
 * about `segmentTokens` tokens each, as the store's conversion does (code-rows.ts; `codes`, when given, are the
 * centroid assignment already, e.g. from the WASM kernel), and sums their stored bytes (coded-segment.ts).
 * Test and benchmark helper.
 */
export function storeCoded(tables: { table: CentroidTable; codec: ResidualCodec }, vectors: Float32Array, lengths: Uint32Array, segmentTokens: number, codes?: Uint32Array): StoredCoded {
  const dim = tables.table.dim;
  const segments: StoredCoded['segments'] = [];
  let diskBytes = tableBytes(tables);
  for (let doc = 0, row = 0; doc < lengths.length; ) {
    let end = doc;
    let rows = 0;
    while (end < lengths.length && (rows === 0 || rows + lengths[end]! <= segmentTokens)) rows += lengths[end++]!;
    const part = lengths.slice(doc, end);
    const seqs = Uint32Array.from(part, (_, i) => doc + i);
    const rowsOf = vectors.subarray(row * dim, (row + rows) * dim);
    const segment = { seqs, lengths: part, ...codeRows(tables, rowsOf, part, seqs, codes?.subarray(row, row + rows)) };
    segments.push(segment);
    diskBytes += codedVectorBytes(segment);
    doc = end;
    row += rows;
  }
  return { segments, diskBytes };
}

/** A corpus opened from stored segments, appended one at a time as the search worker's mirror does. */
export function openStored(tables: { table: CentroidTable; codec: ResidualCodec }, stored: StoredCoded): CompressedCorpus {
  const corpus = CompressedCorpus.create(tables.table, tables.codec);
  for (const s of stored.segments) corpus.appendCoded({ seqs: s.seqs, tokenStart: startsOf(s.lengths), codes: s.codes, residuals: s.residuals });
  return corpus;
}

/** Bytes a search holds for one corpus: the kernels' WebAssembly memory and what the corpus holds in JavaScript (tables included). */
export function searchBytes(corpus: CompressedCorpus, kernelBytes: number): { wasm: number; heap: number; total: number } {
  return { wasm: kernelBytes, heap: corpus.heapBytes, total: kernelBytes + corpus.heapBytes };
}
