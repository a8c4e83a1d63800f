/**
 * Token pooling of one encoded document (PyLate's `encode(..., pool_factor)`), keeping track of which tokens each
 * pooled row stands for so explanations can point at all of them.
 *
 * A document split into windows (longDocuments 'split') is pooled window by window: each window is a matrix PyLate
 * could have produced, and the n² distances stay bounded by the window (document_length rows). Only the first
 * window holds the [CLS] row, so only it has a protected row. A window longer than {@link MAX_POOLED_ROWS} (a
 * model whose document_length is 32k, say, in 'truncate' mode) is pooled in consecutive runs of that many rows:
 * a 32k-row matrix at once would need ~4.3 GB of distances, more than a browser tab can allocate.
 */
import { ColbertError, ErrorCode } from '../../errors.js';
import type { EncodedText } from '../prepared.js';
import { PROTECTED_ROWS, poolTokens } from './token-pooling.js';

/** Rows pooled together at most: 8192² / 2 float64 distances are 268 MB. */
export const MAX_POOLED_ROWS = 8192;

/**
 * Pools a document's rows; `windows` are the row counts of its model windows, in order (one entry when it was not
 * split). The result's `ids`, `tokens` and `spans` still describe every token; `tokenRows[t]` is the row token t
 * was pooled into. A factor of 1 returns the document unchanged.
 *
 * @example
 * const pooled = poolDocument(encoded, [encoded.rows], 2); // ~half the rows
 */
export function poolDocument(encoded: EncodedText, windows: readonly number[], factor: number): EncodedText {
  assertPoolFactor(factor, 'poolFactor');
  if (factor === 1) return encoded;
  const { dim } = encoded;
  const parts: Float32Array[] = [];
  const tokenRows = new Int32Array(encoded.ids.length);
  let from = 0;
  let rows = 0;
  for (const windowRows of windows) {
    for (let start = 0; start < windowRows; start += MAX_POOLED_ROWS) {
      const length = Math.min(MAX_POOLED_ROWS, windowRows - start);
      const at = from + start;
      const pooled = poolTokens(encoded.vectors.subarray(at * dim, (at + length) * dim), length, dim, factor, at === 0 ? PROTECTED_ROWS : 0);
      pooled.rowOf.forEach((row, i) => (tokenRows[at + i] = rows + row));
      parts.push(pooled.vectors);
      rows += pooled.rows;
    }
    from += windowRows;
  }
  const vectors = new Float32Array(rows * dim);
  parts.reduce((offset, part) => (vectors.set(part, offset), offset + part.length), 0);
  return { ...encoded, rows, vectors, tokenRows };
}

/** Throws INVALID_INPUT unless `factor` is an integer ≥ 1, naming `subject`. */
export function assertPoolFactor(factor: unknown, subject: string): asserts factor is number {
  if (!Number.isSafeInteger(factor) || (factor as number) < 1) {
    throw new ColbertError(ErrorCode.InvalidInput, `${subject} must be an integer ≥ 1 (1: no pooling, 2: about half the tokens); got ${String(factor)}.`, { subject });
  }
}

/** The tokens (indices into ids/tokens/spans) of each row, in document order; rows without pooling are their token. */
export function rowMembers(encoded: Pick<EncodedText, 'rows' | 'ids'> & { readonly tokenRows?: Int32Array | undefined }): number[][] {
  const members = Array.from({ length: encoded.rows }, (): number[] => []);
  for (let t = 0; t < encoded.ids.length; t++) members[encoded.tokenRows ? encoded.tokenRows[t]! : t]!.push(t);
  return members;
}
