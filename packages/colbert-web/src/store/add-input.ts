import { ColbertError, ErrorCode } from '../errors.js';
import type { EncodedText } from '../model/prepared.js';
import type { Metadata } from '../protocol/search-api.js';
import { assertFiniteVectors, storeTokens } from '../scoring/token-matrix.js';
import type { StoredPrecision } from '../scoring/token-matrix.js';
import type { DocumentFields } from './document-record.js';
import { makeDocumentRecord, recordTextBytes } from './document-record.js';
import type { DocumentRecord, SegmentEntry, SegmentRecord } from './records.js';
import { makeSegmentRecord, segmentVectorBytes, valueBytes } from './segment-record.js';

/** A document to store: your id, optional text and metadata, and the encoder's output for it. */
export interface StoreDocument {
  readonly id: string;
  readonly text?: string;
  readonly metadata?: Metadata | undefined;
  readonly encoded: Pick<EncodedText, 'ids' | 'spans' | 'vectors' | 'rows' | 'dim' | 'truncated' | 'tokenRows'>;
}

/** A validated document: its record fields and float32 rows. */
export interface PreparedDocument {
  readonly fields: DocumentFields;
  readonly vectors: Float32Array;
}

function invalid(subject: string, message: string): ColbertError {
  return new ColbertError(ErrorCode.InvalidInput, `${subject}: ${message}`, { subject });
}

/** Checks documents at the store's boundary, naming the offending field (`documents[3].encoded.spans`). */
export function prepareDocuments(docs: readonly StoreDocument[], dim: number, poolFactor = 1): PreparedDocument[] {
  if (!Array.isArray(docs)) throw invalid('documents', 'must be an array.');
  const seen = new Set<string>();
  return docs.map((doc, i) => {
    const at = `documents[${i}]`;
    if (typeof doc?.id !== 'string' || doc.id === '') throw invalid(`${at}.id`, 'must be a non-empty string.');
    if (seen.has(doc.id)) throw invalid(`${at}.id`, `"${doc.id}" appears twice in one add(); pass each id once.`);
    seen.add(doc.id);
    if (doc.text !== undefined && typeof doc.text !== 'string') throw invalid(`${at}.text`, 'must be a string when given.');
    let metadata: string | null = null;
    if (doc.metadata !== undefined) {
      try {
        metadata = JSON.stringify(doc.metadata);
      } catch (cause) {
        throw invalid(`${at}.metadata`, `must be JSON-serialisable (${(cause as Error).message}).`);
      }
      if (typeof metadata !== 'string' || !metadata.startsWith('{')) throw invalid(`${at}.metadata`, 'must be a plain object.');
    }
    const e = doc.encoded;
    if (!e || !(e.vectors instanceof Float32Array)) throw invalid(`${at}.encoded.vectors`, 'must be a Float32Array.');
    if (e.dim !== dim) throw invalid(`${at}.encoded.dim`, `is ${e.dim} but this index stores ${dim}-dim vectors.`);
    if (!Number.isSafeInteger(e.rows) || e.rows < 1) throw invalid(`${at}.encoded.rows`, 'a document needs at least one token.');
    if (e.vectors.length !== e.rows * dim) throw invalid(`${at}.encoded.vectors`, `has ${e.vectors.length} values, expected rows × dim = ${e.rows * dim}.`);
    const tokens = checkTokenRows(e, poolFactor, `${at}.encoded`);
    if (!(e.spans instanceof Int32Array) || e.spans.length !== 2 * tokens) throw invalid(`${at}.encoded.spans`, `must be an Int32Array of 2 × tokens = ${2 * tokens}.`);
    if (!(e.ids instanceof Int32Array) || e.ids.length !== tokens) throw invalid(`${at}.encoded.ids`, `must be an Int32Array of tokens = ${tokens}.`);
    assertFiniteVectors(e.vectors, dim, `${at}.encoded.vectors`);
    return {
      fields: { id: doc.id, text: doc.text ?? null, metadata, truncated: e.truncated === true, spans: e.spans.slice(), tokenIds: e.ids.slice(), ...(e.tokenRows ? { tokenRows: e.tokenRows.slice() } : {}) },
      vectors: e.vectors,
    };
  });
}

/**
 * The token count of an encoded document: its rows, or in a pooled index (poolFactor > 1, where every document
 * carries `tokenRows`) the length of tokenRows, whose entries must cover rows 0 … rows − 1.
 */
function checkTokenRows(e: StoreDocument['encoded'], poolFactor: number, at: string): number {
  if (poolFactor === 1) {
    if (e.tokenRows !== undefined) throw invalid(`${at}.tokenRows`, 'this index does not pool tokens (poolFactor 1): encode without poolFactor.');
    return e.rows;
  }
  const rows = e.tokenRows;
  if (!(rows instanceof Int32Array)) throw invalid(`${at}.tokenRows`, `this index pools tokens (poolFactor ${poolFactor}): encode with the same poolFactor.`);
  const seen = new Uint8Array(e.rows);
  for (const row of rows) {
    if (!(row >= 0 && row < e.rows)) throw invalid(`${at}.tokenRows`, `holds row ${row}, outside 0 … ${e.rows - 1}.`);
    seen[row] = 1;
  }
  if (seen.includes(0)) throw invalid(`${at}.tokenRows`, 'leaves a row without tokens.');
  return rows.length;
}

/** Splits documents into runs whose stored vectors stay under `segmentBytes` (a document is never split). */
export function groupIntoSegments<T extends { vectors: Float32Array }>(docs: readonly T[], dim: number, precision: StoredPrecision, segmentBytes: number): T[][] {
  const perToken = dim * valueBytes(precision) + (precision === 'int8' ? 4 : 0);
  const groups: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const doc of docs) {
    const b = (doc.vectors.length / dim) * perToken;
    if (current.length > 0 && bytes + b > segmentBytes) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(doc);
    bytes += b;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** A written-but-not-yet-committed segment: its records and its manifest entry. */
export interface BuiltSegment {
  readonly record: SegmentRecord;
  readonly documents: DocumentRecord[];
  readonly entry: SegmentEntry;
}

/** Quantises a group's rows in one pass (row-wise, so identical to per-document) and numbers the documents. */
export function buildSegment(id: number, firstSeq: number, docs: readonly PreparedDocument[], dim: number, precision: StoredPrecision): BuiltSegment {
  const rows = docs.reduce((n, d) => n + d.vectors.length / dim, 0);
  const all = new Float32Array(rows * dim);
  const lengths = new Uint32Array(docs.length);
  const seqs = new Uint32Array(docs.length);
  let at = 0;
  docs.forEach((d, i) => {
    all.set(d.vectors, at);
    at += d.vectors.length;
    lengths[i] = d.vectors.length / dim;
    seqs[i] = firstSeq + i;
  });
  const record = makeSegmentRecord(id, storeTokens(all, dim, precision), lengths, seqs);
  return finishSegment(record, docs.map((d, i) => makeDocumentRecord(firstSeq + i, d.fields)));
}

/** The manifest entry of a segment and its document records. */
export function finishSegment(record: SegmentRecord, documents: DocumentRecord[]): BuiltSegment {
  const tokens = record.precision === 'int8' ? record.scales!.length : record.values.length / record.dim;
  return { record, documents, entry: segmentEntry(record.id, record.seqs, tokens, segmentVectorBytes(record), documents) };
}

/** The manifest entry of a segment of `tokens` rows holding these documents (their records in order). */
export function segmentEntry(id: number, seqs: Uint32Array, tokens: number, vectorBytes: number, documents: readonly DocumentRecord[]): SegmentEntry {
  return {
    id,
    documents: seqs.length,
    tokens,
    firstSeq: seqs[0] ?? 0,
    lastSeq: seqs[seqs.length - 1] ?? 0,
    vectorBytes,
    spanBytes: documents.reduce((n, d) => n + d.spans.byteLength + d.tokenIds.byteLength, 0),
    recordBytes: documents.reduce((n, d) => n + recordTextBytes(d), 0),
  };
}
