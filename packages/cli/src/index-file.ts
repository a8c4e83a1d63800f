import { readFileSync } from 'node:fs';
import { IndexFileReader } from 'colbert-web/node';
import type { FileDocument, FileIdentity, FileSegment } from 'colbert-web/node';
import { ColbertError, ErrorCode } from 'colbert-web/node';

/** A whole portable index file, checked chunk by chunk (a truncated or tampered file is a typed error). */
export interface IndexFileContents {
  identity: FileIdentity;
  segments: FileSegment[];
}

export function readIndexFile(file: string): IndexFileContents {
  const reader = new IndexFileReader();
  let identity: FileIdentity | undefined;
  const segments: FileSegment[] = [];
  for (const item of reader.push(new Uint8Array(readFileSync(file)))) {
    if (item.kind === 'identity') identity = item;
    else if (item.kind === 'segment') segments.push(item.segment);
  }
  reader.finish();
  if (!identity) throw new ColbertError(ErrorCode.IndexFileInvalid, `${file} has no model identity chunk.`, { subject: file });
  return { identity, segments };
}

/** Sequence number → the file's document record, across all segments. */
export function documentsBySeq(segments: readonly FileSegment[]): Map<number, FileDocument> {
  const bySeq = new Map<number, FileDocument>();
  for (const s of segments) s.documents.forEach((d, i) => bySeq.set(s.seqs[i]!, d));
  return bySeq;
}
