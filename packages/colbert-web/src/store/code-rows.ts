/**
 * What every compressing path shares (the browser's store and the CLI's file builder), so the two give the same
 * tables and the same codes for the same stored rows: decoding stored vectors to float32, gathering sampled rows
 * one segment at a time, and coding a segment's rows with trained tables.
 */
import { CompressedCorpus } from '../scoring/compressed/compressed-corpus.js';
import { residualBucket, residualBytes, type ResidualCodec } from '../scoring/compressed/residual-codec.js';
import type { CentroidTable } from '../scoring/compressed/train-centroids.js';
import { decodeTokens } from '../scoring/reference-f64.js';
import type { TokenMatrix } from '../scoring/token-matrix.js';

/**
 * The float32 rows of stored vectors (int8: integer × scale in float64, rounded once), as compression codes them:
 * decoded straight into float32 (no float64 copy of the segment).
 */
export function float32Rows(tokens: TokenMatrix): Float32Array {
  return decodeTokens(tokens, new Float32Array(tokens.values.length));
}

/**
 * Gathers each list of rows (ascending indices over the rows of `segments`, back to back), reading only the
 * segments that hold some, one at a time: never more than one segment plus the gathered rows in memory.
 */
export async function gatherRows(segments: readonly { readonly tokens: number }[], read: (segment: number) => Promise<Float32Array>, lists: readonly Uint32Array[], dim: number): Promise<Float32Array[]> {
  const outs = lists.map((rows) => new Float32Array(rows.length * dim));
  const next = lists.map(() => 0);
  let base = 0;
  for (const [s, segment] of segments.entries()) {
    const end = base + segment.tokens;
    if (lists.some((rows, l) => next[l]! < rows.length && rows[next[l]!]! < end)) {
      const values = await read(s);
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

/**
 * Codes float32 rows of documents (`lengths` rows each, sequence numbers `seqs`) with trained tables (`codes`: the
 * centroid assignment, if already made, e.g. by the WASM kernel).
 */
export function codeRows(tables: { table: CentroidTable; codec: ResidualCodec }, vectors: Float32Array, lengths: Uint32Array, seqs: Uint32Array, codes?: Uint32Array): { codes: Uint32Array; residuals: Uint8Array } {
  const corpus = CompressedCorpus.create(tables.table, tables.codec);
  corpus.append({ vectors, lengths, seqs }, codes);
  return { codes: corpus.codes, residuals: corpus.residuals };
}

/**
 * Coded rows decoded as the index defines them, normalize(centroid + weights[bucket]) (float64, rounded to float32
 * once): what re-training samples and re-codes, since a coded index keeps no original vectors.
 */
export function decodeRows(tables: { table: CentroidTable; codec: ResidualCodec }, codes: Uint32Array, residuals: Uint8Array): Float32Array {
  const { dim, centroids } = tables.table;
  const { nbits, weights } = tables.codec;
  const bytes = residualBytes(dim, nbits);
  const out = new Float32Array(codes.length * dim);
  const row = new Float64Array(dim);
  for (let t = 0; t < codes.length; t++) {
    const code = codes[t]!;
    let norm = 0;
    for (let i = 0; i < dim; i++) {
      row[i] = centroids[code * dim + i]! + weights[i * 2 ** nbits + residualBucket(residuals, t * bytes, i, nbits)]!;
      norm += row[i]! * row[i]!;
    }
    norm = Math.sqrt(norm);
    for (let i = 0; i < dim; i++) out[t * dim + i] = norm > 0 ? row[i]! / norm : 0;
  }
  return out;
}
