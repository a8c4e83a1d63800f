/**
 * Compressed segments and the shared tables as IndexedDB records: making them (with checksums) and reading them
 * back bounds-checked, so nothing downstream indexes a table with an unchecked code or offset.
 */
import { ColbertError, ErrorCode } from '../errors.js';
import { validateCodedRows, validateSharedTables } from '../scoring/compressed/compressed-tables.js';
import { residualBytes, type ResidualCodec } from '../scoring/compressed/residual-codec.js';
import type { CentroidTable } from '../scoring/compressed/train-centroids.js';
import { crc32Of } from './crc32.js';
import type { CodedSegmentRecord, StoredSegment, TablesRecord } from './records.js';
import { segmentCorrupt } from './segment-record.js';

/** One stored compressed segment, checked, as the mirror appends it to the corpus of its tables. */
export interface CodedBatch {
  readonly tables: number;
  readonly seqs: Uint32Array;
  readonly lengths: Uint32Array;
  /** lengths.length + 1 token offsets from 0. */
  readonly tokenStart: Uint32Array;
  readonly codes: Uint32Array;
  readonly residuals: Uint8Array;
}

/** Trained tables as the scoring code uses them. */
export interface SharedTables {
  readonly id: number;
  readonly table: CentroidTable;
  readonly codec: ResidualCodec;
}

function codedCrc(r: Pick<CodedSegmentRecord, 'lengths' | 'seqs' | 'codes' | 'residuals'>): number {
  return crc32Of([r.lengths, r.seqs, r.codes, r.residuals]);
}

function tablesCrc(r: Pick<TablesRecord, 'coarse' | 'coarseStart' | 'centroids' | 'cutoffs' | 'weights'>): number {
  return crc32Of([r.coarse, r.coarseStart, r.centroids, r.cutoffs, r.weights]);
}

/** A compressed segment record with its checksum. */
export function makeCodedSegmentRecord(id: number, tables: SharedTables, rows: { lengths: Uint32Array; seqs: Uint32Array; codes: Uint32Array; residuals: Uint8Array }): CodedSegmentRecord {
  const body = { lengths: rows.lengths, seqs: rows.seqs, codes: rows.codes, residuals: rows.residuals };
  return { id, kind: 'coded', tables: tables.id, dim: tables.table.dim, nbits: tables.codec.nbits, ...body, crc: codedCrc(body) };
}

/** The tables record of trained tables, with its checksum. */
export function makeTablesRecord(id: number, table: CentroidTable, codec: ResidualCodec): TablesRecord {
  const body = { coarse: table.coarse, coarseStart: table.coarseStart, centroids: table.centroids, cutoffs: codec.cutoffs, weights: codec.weights };
  return { id, dim: table.dim, nbits: codec.nbits, ...body, crc: tablesCrc(body) };
}

/** Bytes of the shared tables (what every token of the index shares). */
export function tableBytes(t: Pick<SharedTables, 'table' | 'codec'>): number {
  return t.table.coarse.byteLength + t.table.coarseStart.byteLength + t.table.centroids.byteLength + t.codec.cutoffs.byteLength + t.codec.weights.byteLength;
}

/** Bytes of a coded segment's vector section (codes, residuals, lengths, seqs). */
export function codedVectorBytes(r: Pick<CodedSegmentRecord, 'codes' | 'residuals' | 'lengths' | 'seqs'>): number {
  return r.codes.byteLength + r.residuals.byteLength + r.lengths.byteLength + r.seqs.byteLength;
}

/** token offsets of per-document lengths. */
export function startsOf(lengths: Uint32Array): Uint32Array {
  const starts = new Uint32Array(lengths.length + 1);
  for (let i = 0; i < lengths.length; i++) starts[i + 1] = starts[i]! + lengths[i]!;
  return starts;
}

/**
 * Checks a stored tables record (types, checksum, then every table against the others) and views it as the
 * scoring code's tables. Anything wrong is INDEX_CORRUPT naming `tables/<id>` or the bad table.
 */
export function tablesFromRecord(record: TablesRecord | undefined, id: number, index: string, verify: boolean): SharedTables {
  const subject = `tables/${id}`;
  const bad = (why: string): ColbertError =>
    new ColbertError(ErrorCode.IndexCorrupt, `Index "${index}": compression tables ${id} ${why}. Clear the index (or re-import it) and re-add the documents.`, { subject });
  if (!record) throw bad('are listed in the manifest but missing');
  const typed =
    record.coarse instanceof Float32Array &&
    record.coarseStart instanceof Uint32Array &&
    record.centroids instanceof Float32Array &&
    record.cutoffs instanceof Float32Array &&
    record.weights instanceof Float32Array;
  if (!typed || record.id !== id) throw bad('do not have the shape of a tables record');
  if (verify && tablesCrc(record) !== record.crc) throw bad('fail their checksum');
  const table: CentroidTable = { dim: record.dim, coarse: record.coarse, coarseStart: record.coarseStart, centroids: record.centroids };
  const codec: ResidualCodec = { dim: record.dim, nbits: record.nbits, cutoffs: record.cutoffs, weights: record.weights };
  validateSharedTables(table, codec);
  return { id, table, codec };
}

/**
 * Checks a stored compressed segment against its manifest entry and its (checked) tables: shape, checksum, then
 * every code and offset. A mismatch is INDEX_CORRUPT naming the segment (or the bad table).
 */
export function codedSegmentToBatch(
  stored: StoredSegment | undefined,
  expected: { id: number; documents: number; tokens: number; dim: number },
  tables: SharedTables,
  index: string,
  verify: boolean,
): CodedBatch {
  if (!stored) throw segmentCorrupt(index, expected.id, 'is listed in the manifest but missing');
  if (!('codes' in stored)) throw segmentCorrupt(index, expected.id, 'holds vectors where its manifest entry says codes');
  const { lengths, seqs, codes, residuals } = stored;
  const shapeOk =
    stored.tables === tables.id &&
    stored.dim === expected.dim &&
    stored.nbits === tables.codec.nbits &&
    lengths instanceof Uint32Array &&
    seqs instanceof Uint32Array &&
    codes instanceof Uint32Array &&
    residuals instanceof Uint8Array &&
    lengths.length === expected.documents &&
    seqs.length === expected.documents &&
    codes.length === expected.tokens;
  if (!shapeOk) throw segmentCorrupt(index, expected.id, 'does not have the shape its manifest entry says');
  if (verify && codedCrc(stored) !== stored.crc) throw segmentCorrupt(index, expected.id, 'fails its checksum');
  const tokenStart = startsOf(lengths);
  validateCodedRows({ centroids: tables.table.centroids.length / tables.table.dim, residualBytes: residualBytes(tables.table.dim, tables.codec.nbits) }, { seqs, tokenStart, codes, residuals });
  return { tables: tables.id, seqs, lengths, tokenStart, codes, residuals };
}
