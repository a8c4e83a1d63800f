import { ColbertError, ErrorCode } from '../errors.js';
import { bytesOf, crc32 } from './crc32.js';
import type { DocumentRecord } from './records.js';

const encoder = new TextEncoder();

/** What add() stores per document besides its vectors. */
export interface DocumentFields {
  readonly id: string;
  readonly text: string | null;
  readonly metadata: string | null;
  readonly truncated: boolean;
  readonly spans: Int32Array;
  readonly tokenIds: Int32Array;
  /** Pooled documents: per token, its row. */
  readonly tokenRows?: Int32Array | undefined;
}

function recordCrc(seq: number, f: DocumentFields): number {
  const head = encoder.encode(JSON.stringify([seq, f.id, f.text, f.metadata, f.truncated, f.tokenIds.length]));
  const crc = crc32(bytesOf(f.tokenIds), crc32(bytesOf(f.spans), crc32(head)));
  // Records without pooling keep the checksum they always had.
  return f.tokenRows ? crc32(bytesOf(f.tokenRows), crc) : crc;
}

/** A document record with its checksum. */
export function makeDocumentRecord(seq: number, fields: DocumentFields): DocumentRecord {
  return {
    seq,
    id: fields.id,
    text: fields.text,
    metadata: fields.metadata,
    truncated: fields.truncated,
    tokens: fields.tokenIds.length,
    spans: fields.spans,
    tokenIds: fields.tokenIds,
    ...(fields.tokenRows ? { tokenRows: fields.tokenRows } : {}),
    crc: recordCrc(seq, fields),
  };
}

/** Throws INDEX_CORRUPT when a stored record no longer matches its checksum. */
export function verifyDocumentRecord(record: DocumentRecord, index: string): void {
  const ok =
    record.spans instanceof Int32Array &&
    record.tokenIds instanceof Int32Array &&
    record.spans.length === 2 * record.tokens &&
    record.tokenIds.length === record.tokens &&
    (record.tokenRows === undefined || (record.tokenRows instanceof Int32Array && record.tokenRows.length === record.tokens)) &&
    recordCrc(record.seq, record) === record.crc;
  if (!ok) {
    throw new ColbertError(
      ErrorCode.IndexCorrupt,
      `Index "${index}": the stored record of document seq ${record.seq} fails its checksum. Clear the index (or re-import it) and re-add the documents.`,
      { subject: `documents/${record.seq}` },
    );
  }
}

/** UTF-8 bytes of a record's id, text and metadata (the "records" section of stats). */
export function recordTextBytes(f: Pick<DocumentFields, 'id' | 'text' | 'metadata'>): number {
  return encoder.encode(f.id).length + (f.text === null ? 0 : encoder.encode(f.text).length) + (f.metadata === null ? 0 : encoder.encode(f.metadata).length);
}
