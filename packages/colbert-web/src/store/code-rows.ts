/**
 * What every compressing path shares (the browser's store and the CLI's file builder), so the two give the same
 * tables and the same codes for the same stored rows: decoding stored vectors to float32, gathering sampled rows
 * one segment at a time, and coding a segment's rows with trained tables.
 */
import { CompressedCorpus } from '../scoring/compressed/compressed-corpus.js';
import type { ResidualCodec } from '../scoring/compressed/residual-codec.js';
import type { CentroidTable } from '../scoring/compressed/train-centroids.js';
import { decodeTokens } from '../scoring/reference-f64.js';
import type { TokenMatrix } from '../scoring/token-matrix.js';

/** The float32 rows of stored vectors (int8: integer × scale, rounded once), as compression codes them. */
export function float32Rows(tokens: TokenMatrix): Float32Array {
  return Float32Array.from(decodeTokens(tokens));
}

/**
 * Gathers each list of rows (ascending indices over the rows of `segments`, back to back), reading only the
 * segments that hold some, one at a time: never more than one segment plus the gathered rows in memory.
 */
export async function gatherRows(segments: readonly { readonly tokens: number }[], read: (segment: number) => Promise<TokenMatrix>, lists: readonly Uint32Array[], dim: number): Promise<Float32Array[]> {
  const outs = lists.map((rows) => new Float32Array(rows.length * dim));
  const next = lists.map(() => 0);
  let base = 0;
  for (const [s, segment] of segments.entries()) {
    const end = base + segment.tokens;
    if (lists.some((rows, l) => next[l]! < rows.length && rows[next[l]!]! < end)) {
      const values = float32Rows(await read(s));
      lists.forEach((rows, l) => {
        let i = next[l]!;
        for (; i < rows.length && rows[i]! < end; i++) outs[l]!.set(values.subarray((rows[i]! - base) * dim, (rows[i]! - base + 1) * dim), i * dim);
        next[l] = i;
      });
    }
    base = end;
  }
  return outs;
}

/** Codes stored vectors of documents (`lengths` rows each, sequence numbers `seqs`) with trained tables. */
export function codeRows(tables: { table: CentroidTable; codec: ResidualCodec }, tokens: TokenMatrix, lengths: Uint32Array, seqs: Uint32Array): { codes: Uint32Array; residuals: Uint8Array } {
  const corpus = CompressedCorpus.create(tables.table, tables.codec);
  corpus.append({ vectors: float32Rows(tokens), lengths, seqs });
  return { codes: corpus.codes, residuals: corpus.residuals };
}
