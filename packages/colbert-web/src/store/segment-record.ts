import { ColbertError, ErrorCode } from '../errors.js';
import type { DocumentBatch } from '../scoring/scorer.js';
import type { StoredPrecision, TokenMatrix } from '../scoring/token-matrix.js';
import { crc32Of } from './crc32.js';
import type { SegmentRecord, StoredSegment } from './records.js';

/** Bytes per stored value. */
export function valueBytes(precision: StoredPrecision): number {
  return precision === 'f32' ? 4 : precision === 'f16' ? 2 : 1;
}

function segmentCrc(r: Omit<SegmentRecord, 'crc' | 'id'>): number {
  return crc32Of(r.scales ? [r.lengths, r.seqs, r.values, r.scales] : [r.lengths, r.seqs, r.values]);
}

/** A segment record for a packed token matrix, with its checksum. */
export function makeSegmentRecord(id: number, tokens: TokenMatrix, lengths: Uint32Array, seqs: Uint32Array): SegmentRecord {
  const body = { precision: tokens.precision, dim: tokens.dim, lengths, seqs, values: tokens.values, scales: tokens.precision === 'int8' ? tokens.scales : null };
  return { id, ...body, crc: segmentCrc(body) };
}

/** Logical bytes of a segment's vector section (values, scales, lengths, seqs). */
export function segmentVectorBytes(r: Pick<SegmentRecord, 'values' | 'scales' | 'lengths' | 'seqs'>): number {
  return r.values.byteLength + (r.scales?.byteLength ?? 0) + r.lengths.byteLength + r.seqs.byteLength;
}

export function segmentCorrupt(index: string, id: number, why: string): ColbertError {
  return new ColbertError(
    ErrorCode.IndexCorrupt,
    `Index "${index}": segment ${id} ${why}. Clear the index (or re-import it) and re-add the documents.`,
    { subject: `segments/${id}` },
  );
}

/**
 * Checks a stored segment (shape, then checksum when `verify`) and views it as a scorer batch (no copy).
 * `expected` is what the manifest says the segment holds.
 */
export function segmentToBatch(
  stored: StoredSegment | undefined,
  expected: { id: number; documents: number; tokens: number; precision: StoredPrecision; dim: number },
  index: string,
  verify: boolean,
): DocumentBatch {
  if (!stored) throw segmentCorrupt(index, expected.id, 'is listed in the manifest but missing');
  if ('codes' in stored) throw segmentCorrupt(index, expected.id, 'holds codes where its manifest entry says vectors');
  const record = stored;
  const { lengths, seqs, values, scales, dim, precision } = record;
  const rows = expected.tokens;
  const shapeOk =
    precision === expected.precision &&
    dim === expected.dim &&
    lengths instanceof Uint32Array &&
    seqs instanceof Uint32Array &&
    lengths.length === expected.documents &&
    seqs.length === expected.documents &&
    values.length === rows * dim &&
    (precision === 'int8' ? scales instanceof Float32Array && scales.length === rows : scales === null);
  if (!shapeOk) throw segmentCorrupt(index, expected.id, 'does not have the shape its manifest entry says');
  if (verify && segmentCrc(record) !== record.crc) throw segmentCorrupt(index, expected.id, 'fails its checksum');
  let tokens: TokenMatrix;
  if (precision === 'int8') tokens = { precision, dim, rows, values: values as Int8Array, scales: scales! };
  else if (precision === 'f16') tokens = { precision, dim, rows, values: values as Uint16Array };
  else tokens = { precision, dim, rows, values: values as Float32Array };
  return { tokens, lengths, seqs };
}
