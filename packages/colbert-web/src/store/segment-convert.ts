import type { PreparedDocument } from './add-input.js';
import { buildSegment, finishSegment, segmentEntry } from './add-input.js';
import type { BuiltSegment } from './add-input.js';
import { makeDocumentRecord } from './document-record.js';
import type { FileCodedSegment, FileSegment, SegmentBody } from './index-file-segment.js';
import type { CodedSegmentRecord, DocumentRecord, SegmentEntry, SegmentRecord } from './records.js';
import { codedVectorBytes, makeCodedSegmentRecord } from './coded-segment.js';
import type { SharedTables } from './coded-segment.js';
import { makeSegmentRecord } from './segment-record.js';
import type { StoredPrecision, TokenMatrix } from '../scoring/token-matrix.js';

/** Per-token arrays and record fields of stored documents (in order) as a file segment body. */
function bodyOf(seqs: Uint32Array, lengths: Uint32Array, documents: readonly DocumentRecord[]): SegmentBody {
  const count = documents.reduce((n, d) => n + d.tokens, 0);
  const pooled = documents.some((d) => d.tokenRows);
  const spans = new Int32Array(2 * count);
  const tokenIds = new Int32Array(count);
  const tokenRows = pooled ? new Int32Array(count) : undefined;
  let at = 0;
  for (const d of documents) {
    spans.set(d.spans, 2 * at);
    tokenIds.set(d.tokenIds, at);
    if (tokenRows && d.tokenRows) tokenRows.set(d.tokenRows, at);
    at += d.tokens;
  }
  return {
    seqs,
    lengths,
    documents: documents.map((d) => ({ id: d.id, text: d.text, metadata: d.metadata, truncated: d.truncated })),
    spans,
    tokenIds,
    ...(tokenRows ? { tokenRows, tokenCounts: Uint32Array.from(documents, (d) => d.tokens) } : {}),
  };
}

/** A stored segment (vectors + its documents' records, in order) as a file segment. */
export function recordsToFileSegment(record: SegmentRecord, documents: readonly DocumentRecord[]): FileSegment {
  const rows = record.lengths.reduce((n, l) => n + l, 0);
  const { precision, dim } = record;
  const tokens = (precision === 'int8' ? { precision, dim, rows, values: record.values, scales: record.scales } : { precision, dim, rows, values: record.values }) as TokenMatrix;
  return { ...bodyOf(record.seqs, record.lengths, documents), tokens };
}

/** Live coded documents and their records (in order) as a file's compressed segment. */
export function codedToFileSegment(rows: { seqs: Uint32Array; lengths: Uint32Array; codes: Uint32Array; residuals: Uint8Array }, documents: readonly DocumentRecord[]): FileCodedSegment {
  return { ...bodyOf(rows.seqs, rows.lengths, documents), codes: rows.codes, residuals: rows.residuals };
}

/** A file segment's documents as records numbered from `firstSeq` (order kept). */
function recordsOf(s: SegmentBody, firstSeq: number): DocumentRecord[] {
  let at = 0;
  return s.documents.map((d, i) => {
    const n = s.tokenCounts ? s.tokenCounts[i]! : s.lengths[i]!;
    const fields = { ...d, spans: s.spans.slice(2 * at, 2 * (at + n)), tokenIds: s.tokenIds.slice(at, at + n), ...(s.tokenRows ? { tokenRows: s.tokenRows.slice(at, at + n) } : {}) };
    at += n;
    return makeDocumentRecord(firstSeq + i, fields);
  });
}

/** A file segment as a store segment with new sequence numbers from `firstSeq` (order kept). */
export function fileSegmentToRecords(s: FileSegment, id: number, firstSeq: number): BuiltSegment {
  const seqs = Uint32Array.from(s.seqs, (_, i) => firstSeq + i);
  return finishSegment(makeSegmentRecord(id, s.tokens, s.lengths, seqs), recordsOf(s, firstSeq));
}

/** A file's compressed segment as a stored one coded with `tables`, renumbered from `firstSeq`. */
export function fileCodedSegmentToRecords(s: FileCodedSegment, id: number, firstSeq: number, tables: SharedTables): { record: CodedSegmentRecord; documents: DocumentRecord[]; entry: SegmentEntry } {
  const seqs = Uint32Array.from(s.seqs, (_, i) => firstSeq + i);
  const record = makeCodedSegmentRecord(id, tables, { lengths: s.lengths, seqs, codes: s.codes, residuals: s.residuals });
  const documents = recordsOf(s, firstSeq);
  return { record, documents, entry: { ...segmentEntry(id, seqs, s.codes.length, codedVectorBytes(record), documents), tables: tables.id } };
}

/** Validated documents → a file segment (the CLI's path; quantised exactly as the browser store does). */
export function documentsToFileSegment(docs: readonly PreparedDocument[], firstSeq: number, dim: number, precision: StoredPrecision): FileSegment {
  const built = buildSegment(0, firstSeq, docs, dim, precision);
  return recordsToFileSegment(built.record, built.documents);
}
