import { ColbertError, ErrorCode, throwIfAborted } from '../errors.js';
import type { StoredPrecision } from '../scoring/token-matrix.js';
import type { OperationOptions } from '../protocol/progress.js';
import type { CompressionState, DocumentRecord, Manifest, SegmentEntry } from './records.js';
import { codedSegmentToBatch, makeTablesRecord, tableBytes, tablesFromRecord } from './coded-segment.js';
import type { SharedTables } from './coded-segment.js';
import { mergeLiveCoded } from './coded-merge.js';
import { residualBytes } from '../scoring/compressed/residual-codec.js';
import { mergeLive } from './compaction.js';
import { invalidFile } from './index-file-format.js';
import { IndexFileReader } from './index-file-reader.js';
import { IndexFileWriter } from './index-file-writer.js';
import { commitManifest, withPoolFactor } from './manifest.js';
import { assertSameModel } from './model-identity.js';
import { segmentToBatch } from './segment-record.js';
import { codedToFileSegment, fileCodedSegmentToRecords, fileSegmentToRecords, recordsToFileSegment } from './segment-convert.js';
import { storageError } from './storage-errors.js';
import { currentManifest, deleteUncommitted, putSegment } from './store-context.js';
import type { StoreContext } from './store-context.js';
import { withWriteLock } from './write-lock.js';
import { isTombstoned } from './manifest.js';
import { makeSegmentRecord } from './segment-record.js';

async function* byteStream(source: string | Blob, signal: AbortSignal | undefined): AsyncGenerator<{ bytes: Uint8Array; total: number | undefined }> {
  let body: ReadableStream<Uint8Array>;
  let total: number | undefined;
  if (typeof source === 'string') {
    let response: Response;
    try {
      response = await fetch(source, { signal });
    } catch (cause) {
      throw invalidFile(`could not fetch ${source} (${(cause as Error).message})`);
    }
    if (!response.ok || !response.body) throw invalidFile(`fetching ${source} answered HTTP ${response.status}`);
    const length = Number(response.headers.get('content-length'));
    total = Number.isFinite(length) && length > 0 ? length : undefined;
    body = response.body;
  } else {
    body = source.stream();
    total = source.size;
  }
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield { bytes: value, total };
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Replaces the index with a portable index file (URL or Blob), streaming: each segment is checked and written
 * uncommitted as it arrives; only a complete, valid file built with this model is committed, in one manifest
 * transaction. Anything else throws (INDEX_FILE_INVALID, INDEX_MODEL_MISMATCH, QUOTA_EXCEEDED, ABORTED) and
 * leaves the index as it was. Sequence numbers are renumbered from the index's next one, in file order.
 */
export async function importIndexFile(ctx: StoreContext, source: string | Blob, options: OperationOptions = {}): Promise<{ documents: number; precision: StoredPrecision; poolFactor: number; nbits: 2 | 4 | undefined }> {
  const { signal, onProgress } = options;
  throwIfAborted(signal);
  return withWriteLock(ctx.index, async () => {
    const db = await ctx.db();
    const m = await currentManifest(ctx);
    const reader = new IndexFileReader();
    const entries: SegmentEntry[] = [];
    let seq = m.nextSeq;
    let segment = m.nextSegment;
    let precision = m.precision;
    let poolFactor = m.poolFactor ?? 1;
    let nbits: 2 | 4 | undefined;
    let tables: SharedTables | undefined;
    let compression: CompressionState | undefined;
    let loaded = 0;
    try {
      for await (const { bytes, total } of byteStream(source, signal)) {
        throwIfAborted(signal);
        for (const item of reader.push(bytes)) {
          if (item.kind === 'identity') {
            assertSameModel(item.identity, m.identity, 'The index file');
            precision = item.precision;
            poolFactor = item.poolFactor;
            nbits = item.nbits;
          } else if (item.kind === 'tables') {
            // Written uncommitted like the segments: deleteUncommitted removes it if the import fails.
            tables = { id: segment++, table: item.table, codec: item.codec };
            await db.put('tables', makeTablesRecord(tables.id, item.table, item.codec));
            const { table, codec } = item;
            compression = { tables: tables.id, nbits: codec.nbits as 2 | 4, centroids: table.centroids.length / table.dim, trainedTokens: item.trainedTokens, tableBytes: tableBytes(item) };
          } else if (item.kind === 'coded-segment') {
            const built = fileCodedSegmentToRecords(item.segment, segment++, seq, tables!);
            seq += item.segment.seqs.length;
            await putSegment(db, built.record, built.documents);
            entries.push(built.entry);
          } else if (item.kind === 'segment') {
            const built = fileSegmentToRecords(item.segment, segment++, seq);
            seq += item.segment.seqs.length;
            await putSegment(db, built.record, built.documents);
            entries.push(built.entry);
          }
        }
        loaded += bytes.length;
        onProgress?.({ phase: 'import', loaded, total });
      }
      reader.finish();
      throwIfAborted(signal);
      await commitManifest(db, ctx.index, m.generation, async (tx, current) => {
        // The previous contents go in the same commit as the new manifest: all or nothing.
        await Promise.all([
          tx.objectStore('segments').delete(IDBKeyRange.upperBound(m.nextSegment, true)),
          tx.objectStore('tables').delete(IDBKeyRange.upperBound(m.nextSegment, true)),
          tx.objectStore('documents').delete(IDBKeyRange.upperBound(m.nextSeq, true)),
        ]);
        // The file's settings replace the index's: its nbits (none: never compressed) and its tables (none: untrained).
        const { nbits: _n, compression: _c, ...rest } = withPoolFactor(current, poolFactor);
        return {
          ...rest,
          ...(nbits ? { nbits } : {}),
          ...(compression ? { compression } : {}),
          precision,
          generation: current.generation + 1,
          nextSeq: seq,
          nextSegment: segment,
          segments: entries,
          tombstones: new Uint32Array(0),
          tombstonedTokens: 0,
        };
      });
    } catch (error) {
      await deleteUncommitted(db, m).catch(() => undefined);
      throw storageError(error, `importing an index file into index "${ctx.index}"`);
    }
    ctx.channel.announce({ generation: m.generation + 1, kind: 'import' });
    return { documents: seq - m.nextSeq, precision, poolFactor, nbits };
  });
}

/**
 * The live documents as one portable index file (removed ones left out, seqs kept). Holds the write lock while
 * reading so no compaction or import swaps segments underneath; searches keep running.
 */
export async function exportIndexFile(ctx: StoreContext, options: { signal?: AbortSignal } = {}): Promise<Blob> {
  return withWriteLock(ctx.index, async () => {
    const db = await ctx.db();
    const m = await currentManifest(ctx);
    const writer = new IndexFileWriter();
    const parts: BlobPart[] = [writer.start(m.identity, m.precision, m.poolFactor ?? 1, m.nbits) as Uint8Array<ArrayBuffer>];
    let tables: SharedTables | undefined;
    if (m.compression) {
      const id = m.compression.tables;
      let record;
      try {
        record = await db.get('tables', id);
      } catch (error) {
        throw storageError(error, `exporting index "${ctx.index}"`);
      }
      tables = tablesFromRecord(record, id, ctx.index, true);
      parts.push(writer.tables({ ...tables, trainedTokens: m.compression.trainedTokens }) as Uint8Array<ArrayBuffer>);
    }
    for (const entry of m.segments) {
      throwIfAborted(options.signal);
      let record;
      let docs;
      try {
        const tx = db.transaction(['segments', 'documents'], 'readonly');
        [record, docs] = await Promise.all([tx.objectStore('segments').get(entry.id), tx.objectStore('documents').getAll(IDBKeyRange.bound(entry.firstSeq, entry.lastSeq))]);
        await tx.done;
      } catch (error) {
        throw storageError(error, `exporting index "${ctx.index}"`);
      }
      const expected = { ...entry, precision: m.precision, dim: m.identity.dim };
      if (entry.tables !== undefined) {
        if (entry.tables !== tables?.id) throw new ColbertError(ErrorCode.IndexCorrupt, `Index "${ctx.index}": segment ${entry.id} is coded with tables that are not current. Compact the index, then export.`, { subject: `segments/${entry.id}` });
        const live = mergeLiveCoded([codedSegmentToBatch(record, expected, tables, ctx.index, true)], m.tombstones, residualBytes(tables.table.dim, tables.codec.nbits));
        if (live.seqs.length === 0) continue;
        parts.push(writer.codedSegment(codedToFileSegment(live, liveRecords(ctx, entry, m, live.seqs, docs)), tables) as Uint8Array<ArrayBuffer>);
        continue;
      }
      const live = mergeLive([segmentToBatch(record, expected, ctx.index, true)], m.tombstones);
      if (live.seqs.length === 0) continue;
      const rec = makeSegmentRecord(entry.id, live.tokens, live.lengths, live.seqs);
      parts.push(writer.segment(recordsToFileSegment(rec, liveRecords(ctx, entry, m, live.seqs, docs))) as Uint8Array<ArrayBuffer>);
    }
    parts.push(writer.end() as Uint8Array<ArrayBuffer>);
    return new Blob(parts, { type: 'application/octet-stream' });
  });
}

/** The records of a segment's live documents, in order; a live document without a record is INDEX_CORRUPT. */
function liveRecords(ctx: StoreContext, entry: SegmentEntry, m: Manifest, seqs: Uint32Array, docs: readonly DocumentRecord[]): DocumentRecord[] {
  const bySeq = new Map(docs.map((d) => [d.seq, d]));
  const liveDocs = Array.from(seqs, (s) => bySeq.get(s));
  if (liveDocs.some((d) => !d || isTombstoned(m.tombstones, d.seq))) {
    throw new ColbertError(ErrorCode.IndexCorrupt, `Index "${ctx.index}": segment ${entry.id} has documents without records. Clear the index and re-add them.`, { subject: `segments/${entry.id}` });
  }
  return liveDocs as DocumentRecord[];
}
