import { ColbertError, ErrorCode } from '../errors.js';
import type { DocumentBatch } from '../scoring/scorer.js';
import { assertFiniteVectors, type F32TokenMatrix, type StoredPrecision } from '../scoring/token-matrix.js';

function invalid(subject: string, message: string): ColbertError {
  return new ColbertError(ErrorCode.InvalidInput, `${subject}: ${message}`, { subject });
}

/**
 * Rejects a batch the scorer cannot hold, naming the field: wrong precision or dim, lengths that do not add up,
 * sequence numbers out of order, non-finite values. int8 and f16 values are stored values already: int8 rows
 * cannot be non-finite but their scales can; f16 bits can encode NaN/±Inf (exponent all ones).
 *
 * @example
 * validateBatch(batch, 96, 'int8', lastSeq); // throws ColbertError INVALID_INPUT, subject 'seqs[3]'
 */
export function validateBatch(batch: DocumentBatch, dim: number, precision: StoredPrecision, lastSeq: number): void {
  const { tokens, lengths, seqs } = batch;
  if (tokens.precision !== precision) throw invalid('tokens.precision', `this scorer stores ${precision} vectors, got ${tokens.precision}; convert with storeTokens().`);
  if (tokens.dim !== dim) throw invalid('tokens.dim', `this scorer's vectors have ${dim} dimensions, got ${tokens.dim}.`);
  if (!Number.isInteger(tokens.rows) || tokens.rows < 0 || tokens.values.length !== tokens.rows * dim) {
    throw invalid('tokens.values', `${tokens.values.length} values is not ${tokens.rows} rows × ${dim}.`);
  }
  if (lengths.length !== seqs.length) throw invalid('seqs', `${seqs.length} sequence numbers for ${lengths.length} documents.`);
  let rows = 0;
  let previous = lastSeq;
  for (let i = 0; i < lengths.length; i++) {
    if (lengths[i]! < 1) throw invalid(`lengths[${i}]`, 'a document needs at least one token.');
    rows += lengths[i]!;
    if (seqs[i]! <= previous) throw invalid(`seqs[${i}]`, `sequence number ${seqs[i]} is not above the previous one (${previous}); they must strictly increase across appends.`);
    previous = seqs[i]!;
  }
  if (rows !== tokens.rows) throw invalid('lengths', `the lengths add up to ${rows} tokens but the batch has ${tokens.rows} rows.`);
  if (tokens.precision === 'f32') assertFiniteVectors(tokens.values, dim, 'tokens.values');
  else if (tokens.precision === 'int8') {
    if (tokens.scales.length !== tokens.rows) throw invalid('tokens.scales', `${tokens.scales.length} scales for ${tokens.rows} rows.`);
    assertFiniteVectors(tokens.scales, 1, 'tokens.scales');
  } else {
    const bits = tokens.values;
    for (let i = 0; i < bits.length; i++) {
      if ((bits[i]! & 0x7c00) === 0x7c00) {
        throw invalid('tokens.values', `token ${Math.floor(i / dim)} has a non-finite float16 value at dimension ${i % dim}; vectors must be finite.`);
      }
    }
  }
}

/**
 * The query must be float32 rows of this dim, all finite.
 *
 * @example
 * validateQuery(query, 96); // subject 'query.dim' when it is not
 */
export function validateQuery(query: F32TokenMatrix, dim: number): void {
  if (query.precision !== 'f32') throw invalid('query.precision', `queries are float32 rows, got ${String(query.precision)}.`);
  if (query.dim !== dim) throw invalid('query.dim', `this scorer's vectors have ${dim} dimensions, got ${query.dim}.`);
  if (query.values.length !== query.rows * dim) throw invalid('query.values', `${query.values.length} values is not ${query.rows} rows × ${dim}.`);
  assertFiniteVectors(query.values, dim, 'query.values');
}

/**
 * k: a non-negative integer, or Infinity for every document.
 *
 * @example
 * validateK(10);
 */
export function validateK(k: number): void {
  if (!(k === Infinity || (Number.isInteger(k) && k >= 0))) throw invalid('k', `k must be a non-negative integer, got ${k}.`);
}
