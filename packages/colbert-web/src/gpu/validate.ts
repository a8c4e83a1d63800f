import { ColbertError, ErrorCode } from '../errors.js';
import type { DocumentBatch } from '../scoring/scorer.js';
import { assertFiniteVectors, type F32TokenMatrix, type StoredPrecision } from '../scoring/token-matrix.js';
import type { GpuQuery } from './query-buffers.js';

function invalid(subject: string, message: string): ColbertError {
  return new ColbertError(ErrorCode.InvalidInput, `${subject}: ${message}`, { subject });
}

/**
 * Rejects a batch the GPU scorer cannot hold, naming the field: wrong precision or dim, lengths that do not add
 * up, sequence numbers not strictly increasing past `lastSeq`, non-finite values (f32 values, f16 bit patterns,
 * int8 scales).
 *
 * @example
 * validateBatch(batch, 96, 'int8', corpus.lastSeq); // throws ColbertError(INVALID_INPUT) naming e.g. batch.seqs[3]
 */
export function validateBatch(batch: DocumentBatch, dim: number, precision: StoredPrecision, lastSeq: number | undefined): void {
  const { tokens, lengths, seqs } = batch;
  if (tokens.precision !== precision) throw invalid('batch.tokens.precision', `this scorer stores ${precision}, got ${tokens.precision}.`);
  if (tokens.dim !== dim) throw invalid('batch.tokens.dim', `this scorer's vectors have ${dim} dimensions, got ${tokens.dim}.`);
  if (!Number.isInteger(tokens.rows) || tokens.values.length !== tokens.rows * dim) {
    throw invalid('batch.tokens.values', `expected ${tokens.rows} rows of ${dim} values, got ${tokens.values.length} values.`);
  }
  if (lengths.length !== seqs.length) throw invalid('batch.seqs', `${seqs.length} sequence numbers for ${lengths.length} documents.`);
  let rows = 0;
  let previous = lastSeq ?? -1;
  for (let i = 0; i < lengths.length; i++) {
    if (lengths[i]! < 1) throw invalid(`batch.lengths[${i}]`, 'a document has at least one token.');
    if (seqs[i]! <= previous) throw invalid(`batch.seqs[${i}]`, `sequence numbers must increase strictly (${seqs[i]} after ${previous}).`);
    previous = seqs[i]!;
    rows += lengths[i]!;
  }
  if (rows !== tokens.rows) throw invalid('batch.lengths', `lengths add up to ${rows} tokens, but the batch has ${tokens.rows}.`);
  if (tokens.precision === 'f32') assertFiniteVectors(tokens.values, dim, 'batch.tokens.values');
  else if (tokens.precision === 'f16') {
    const at = tokens.values.findIndex((bits) => (bits & 0x7c00) === 0x7c00);
    if (at >= 0) throw invalid('batch.tokens.values', `token ${Math.floor(at / dim)} has a non-finite float16 value at dimension ${at % dim}; vectors must be finite.`);
  } else {
    if (tokens.scales.length !== tokens.rows) throw invalid('batch.tokens.scales', `${tokens.scales.length} scales for ${tokens.rows} rows.`);
    assertFiniteVectors(tokens.scales, 1, 'batch.tokens.scales');
  }
}

/**
 * Rejects a query the scorer cannot score: not float32, wrong dim or length, or non-finite values.
 *
 * @example
 * validateQuery(query, 96);
 */
export function validateQuery(query: F32TokenMatrix, dim: number): void {
  if (query.precision !== 'f32') throw invalid('query.precision', `queries are float32 rows, got ${query.precision}.`);
  if (query.dim !== dim) throw invalid('query.dim', `this scorer's vectors have ${dim} dimensions, got ${query.dim}.`);
  if (query.values.length !== query.rows * dim) throw invalid('query.values', `expected ${query.rows} rows of ${dim} values, got ${query.values.length}.`);
  assertFiniteVectors(query.values, dim, 'query.values');
}

/**
 * Rejects a GPU-resident query whose shape does not fit this scorer or its buffer. Its values stay on the GPU and
 * are not checked: the encoder's are finite, L2-normalised rows.
 *
 * @example
 * validateGpuQuery({ buffer, rows: 32, dim: 96 }, 96);
 */
export function validateGpuQuery(query: GpuQuery, dim: number): void {
  const offset = query.offset ?? 0;
  if (query.dim !== dim) throw invalid('query.dim', `this scorer's vectors have ${dim} dimensions, got ${query.dim}.`);
  if (!Number.isInteger(query.rows) || query.rows < 0) throw invalid('query.rows', `must be a non-negative integer, got ${query.rows}.`);
  if (!Number.isInteger(offset) || offset < 0 || offset % 4 !== 0) throw invalid('query.offset', `must be a non-negative multiple of 4 bytes, got ${offset}.`);
  const needed = offset + query.rows * dim * 4;
  if (query.buffer.size < needed) throw invalid('query.buffer', `holds ${query.buffer.size} bytes, the query needs ${needed}.`);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
  if ((query.buffer.usage & usage) !== usage) throw invalid('query.buffer', 'needs STORAGE and COPY_SRC usage.');
}
