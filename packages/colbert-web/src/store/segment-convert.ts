import type { PreparedDocument } from './add-input.js';
import { buildSegment, finishSegment } from './add-input.js';
import type { BuiltSegment } from './add-input.js';
import { makeDocumentRecord } from './document-record.js';
import type { FileSegment } from './index-file-segment.js';
import type { DocumentRecord, SegmentRecord } from './records.js';
import { makeSegmentRecord } from './segment-record.js';
import type { StoredPrecision, TokenMatrix } from '../scoring/token-matrix.js';

/** A stored segment (vectors + its documents' records, in order) as a file segment. */
export function recordsToFileSegment(record: SegmentRecord, documents: readonly DocumentRecord[]): FileSegment {
  const rows = record.lengths.reduce((n, l) => n + l, 0);
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
  const { precision, dim } = record;
  const tokens = (precision === 'int8' ? { precision, dim, rows, values: record.values, scales: record.scales } : { precision, dim, rows, values: record.values }) as TokenMatrix;
  return {
    seqs: record.seqs,
    lengths: record.lengths,
    tokens,
    documents: documents.map((d) => ({ id: d.id, text: d.text, metadata: d.metadata, truncated: d.truncated })),
    spans,
    tokenIds,
    ...(tokenRows ? { tokenRows, tokenCounts: Uint32Array.from(documents, (d) => d.tokens) } : {}),
  };
}

/** A file segment as a store segment with new sequence numbers from `firstSeq` (order kept). */
export function fileSegmentToRecords(s: FileSegment, id: number, firstSeq: number): BuiltSegment {
  const seqs = Uint32Array.from(s.seqs, (_, i) => firstSeq + i);
  const record = makeSegmentRecord(id, s.tokens, s.lengths, seqs);
  let at = 0;
  const documents = s.documents.map((d, i) => {
    const n = s.tokenCounts ? s.tokenCounts[i]! : s.lengths[i]!;
    const fields = { ...d, spans: s.spans.slice(2 * at, 2 * (at + n)), tokenIds: s.tokenIds.slice(at, at + n), ...(s.tokenRows ? { tokenRows: s.tokenRows.slice(at, at + n) } : {}) };
    at += n;
    return makeDocumentRecord(firstSeq + i, fields);
  });
  return finishSegment(record, documents);
}

/** Validated documents → a file segment (the CLI's path; quantised exactly as the browser store does). */
export function documentsToFileSegment(docs: readonly PreparedDocument[], firstSeq: number, dim: number, precision: StoredPrecision): FileSegment {
  const built = buildSegment(0, firstSeq, docs, dim, precision);
  return recordsToFileSegment(built.record, built.documents);
}
