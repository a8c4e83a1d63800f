import { readFileSync } from 'node:fs';
import { IndexFileReader } from 'colbert-web/node';
import type { FileCodedSegment, FileDocument, FileIdentity, FileSegment, FileTables } from 'colbert-web/node';
import { ColbertError, ErrorCode } from 'colbert-web/node';

/** A whole portable index file, checked chunk by chunk (a truncated or tampered file is a typed error). */
export interface IndexFileContents {
  identity: FileIdentity;
  segments: FileSegment[];
  /** Compressed files (version 2 with nbits, over the threshold): the tables and the compressed segments. */
  tables?: FileTables;
  coded: FileCodedSegment[];
}

export function readIndexFile(file: string): IndexFileContents {
  const reader = new IndexFileReader();
  let identity: FileIdentity | undefined;
  const segments: FileSegment[] = [];
  const coded: FileCodedSegment[] = [];
  let tables: FileTables | undefined;
  for (const item of reader.push(new Uint8Array(readFileSync(file)))) {
    if (item.kind === 'identity') identity = item;
    else if (item.kind === 'tables') tables = item;
    else if (item.kind === 'coded-segment') coded.push(item.segment);
    else if (item.kind === 'segment') segments.push(item.segment);
  }
  reader.finish();
  if (!identity) throw new ColbertError(ErrorCode.IndexFileInvalid, `${file} has no model identity chunk.`, { subject: file });
  return { identity, segments, coded, ...(tables ? { tables } : {}) };
}

/** Sequence number → the file's document record, across all segments. */
export function documentsBySeq(segments: readonly Pick<FileSegment, 'seqs' | 'documents'>[]): Map<number, FileDocument> {
  const bySeq = new Map<number, FileDocument>();
  for (const s of segments) s.documents.forEach((d, i) => bySeq.set(s.seqs[i]!, d));
  return bySeq;
}
