import { throwIfAborted } from '../errors.js';
import type { DocumentBatch } from '../scoring/scorer.js';
import type { TokenMatrix } from '../scoring/token-matrix.js';
import { recordTextBytes } from './document-record.js';
import { commitManifest, isTombstoned, withoutTombstones } from './manifest.js';
import type { DocumentRecord, Manifest, SegmentEntry, StoredSegment } from './records.js';
import { codedSegmentToBatch, codedVectorBytes, makeCodedSegmentRecord, tablesFromRecord } from './coded-segment.js';
import { mergeLiveCoded } from './coded-merge.js';
import { residualBytes } from '../scoring/compressed/residual-codec.js';
import { makeSegmentRecord, segmentToBatch, segmentVectorBytes } from './segment-record.js';
import { storageError } from './storage-errors.js';
import { currentManifest, deleteUncommitted, putSegment } from './store-context.js';
import type { StoreContext } from './store-context.js';
import { withWriteLock } from './write-lock.js';

export interface CompactProgressEvent {
  phase: 'compact';
  /** Steps (segment groups) committed so far, and the steps planned. */
  loaded: number;
  total: number;
}

export interface CompactOptions {
  signal?: AbortSignal;
  onProgress?: (event: CompactProgressEvent) => void;
}

export interface CompactResult {
  /** Old segments replaced. */
  readonly segmentsRewritten: number;
  /** Removed documents whose rows and records were freed. */
  readonly documentsPurged: number;
}

/**
 * The next run of adjacent segments worth rewriting: one holding removed documents, or small ones, extended by
 * its small neighbours while the result stays under `segmentBytes`. Undefined when there is nothing to do.
 */
export function nextCompactionGroup(m: Manifest, segmentBytes: number): SegmentEntry[] | undefined {
  const segs = m.segments;
  const dead = (s: SegmentEntry): number => countTombstonesIn(m.tombstones, s);
  const live = (s: SegmentEntry): number => (s.vectorBytes * (s.documents - dead(s))) / Math.max(1, s.documents);
  const small = (s: SegmentEntry): boolean => s.vectorBytes < segmentBytes / 4;
  for (let i = 0; i < segs.length; i++) {
    const first = segs[i]!;
    const group = [first];
    let bytes = live(first);
    // Only segments coded the same way merge (vectors with vectors, codes of one table with codes of that table).
    for (let j = i + 1; j < segs.length && segs[j]!.tables === first.tables && small(segs[j]!) && bytes + live(segs[j]!) <= segmentBytes; j++) {
      group.push(segs[j]!);
      bytes += live(segs[j]!);
    }
    if (dead(first) > 0 || (small(first) && group.length > 1)) return group;
  }
  return undefined;
}

function countTombstonesIn(tombstones: Uint32Array, s: SegmentEntry): number {
  let n = 0;
  for (const t of tombstones) if (t >= s.firstSeq && t <= s.lastSeq) n++;
  return n;
}

/** The live documents of several batches, rows copied bit for bit into one matrix (compaction, export). */
export function mergeLive(batches: readonly DocumentBatch[], tombstones: Uint32Array): { tokens: TokenMatrix; lengths: Uint32Array; seqs: Uint32Array; purged: number[] } {
  const first = batches[0]!.tokens;
  const { dim, precision } = first;
  const keep: { batch: DocumentBatch; row: number; length: number; seq: number }[] = [];
  const purged: number[] = [];
  for (const batch of batches) {
    let row = 0;
    batch.seqs.forEach((seq, i) => {
      const length = batch.lengths[i]!;
      if (isTombstoned(tombstones, seq)) purged.push(seq);
      else keep.push({ batch, row, length, seq });
      row += length;
    });
  }
  const rows = keep.reduce((n, k) => n + k.length, 0);
  const values = precision === 'f32' ? new Float32Array(rows * dim) : precision === 'f16' ? new Uint16Array(rows * dim) : new Int8Array(rows * dim);
  const scales = new Float32Array(precision === 'int8' ? rows : 0);
  let at = 0;
  for (const k of keep) {
    const t = k.batch.tokens;
    values.set(t.values.subarray(k.row * dim, (k.row + k.length) * dim) as never, at * dim);
    if (t.precision === 'int8') scales.set(t.scales.subarray(k.row, k.row + k.length), at);
    at += k.length;
  }
  const tokens = (precision === 'int8' ? { precision, dim, rows, values, scales } : { precision, dim, rows, values }) as TokenMatrix;
  return { tokens, lengths: Uint32Array.from(keep, (k) => k.length), seqs: Uint32Array.from(keep, (k) => k.seq), purged };
}

/** The live documents of a group of segments coded alike, as one new record (none when nothing lives). */
async function mergeGroup(
  ctx: StoreContext,
  m: Manifest,
  group: readonly SegmentEntry[],
  records: readonly (StoredSegment | undefined)[],
  id: number,
): Promise<{ record: StoredSegment | undefined; seqs: Uint32Array; rows: number; purged: number[] }> {
  const tablesId = group[0]!.tables;
  if (tablesId === undefined) {
    const merged = mergeLive(group.map((s, i) => segmentToBatch(records[i], { ...s, precision: m.precision, dim: m.identity.dim }, ctx.index, true)), m.tombstones);
    const record = merged.seqs.length > 0 ? makeSegmentRecord(id, merged.tokens, merged.lengths, merged.seqs) : undefined;
    return { record, seqs: merged.seqs, rows: merged.tokens.rows, purged: merged.purged };
  }
  const tables = tablesFromRecord(await (await ctx.db()).get('tables', tablesId), tablesId, ctx.index, true);
  const merged = mergeLiveCoded(group.map((s, i) => codedSegmentToBatch(records[i], { ...s, dim: m.identity.dim }, tables, ctx.index, true)), m.tombstones, residualBytes(tables.table.dim, tables.codec.nbits));
  const record = merged.seqs.length > 0 ? makeCodedSegmentRecord(id, tables, merged) : undefined;
  return { record, seqs: merged.seqs, rows: merged.codes.length, purged: merged.purged };
}

/**
 * The manifest entry of a segment rewriting `replaced` (compaction, coding): its documents' `seqs` and `rows`, and
 * the span and record bytes of the replaced segments minus those of the purged documents' records.
 */
export function rewrittenEntry(
  id: number,
  replaced: readonly SegmentEntry[],
  written: { seqs: Uint32Array; rows: number; vectorBytes: number; tables: number | undefined },
  purgedRecords: readonly (DocumentRecord | undefined)[],
): SegmentEntry {
  const sum = (f: (s: SegmentEntry) => number): number => replaced.reduce((n, s) => n + f(s), 0);
  return {
    id,
    documents: written.seqs.length,
    tokens: written.rows,
    firstSeq: written.seqs[0]!,
    lastSeq: written.seqs[written.seqs.length - 1]!,
    vectorBytes: written.vectorBytes,
    spanBytes: sum((s) => s.spanBytes) - purgedRecords.reduce((n, r) => n + (r ? r.spans.byteLength + r.tokenIds.byteLength : 0), 0),
    recordBytes: sum((s) => s.recordBytes) - purgedRecords.reduce((n, r) => n + (r ? recordTextBytes(r) : 0), 0),
    ...(written.tables === undefined ? {} : { tables: written.tables }),
  };
}

/** One compaction step under the write lock: rewrite one group, commit, delete the old segments. */
async function compactStep(ctx: StoreContext): Promise<{ rewritten: number; purged: number } | undefined> {
  return withWriteLock(ctx.index, async () => {
    const db = await ctx.db();
    const m = await currentManifest(ctx);
    const group = nextCompactionGroup(m, ctx.segmentBytes);
    if (!group) return undefined;
    try {
      const tx = db.transaction(['segments'], 'readonly');
      const records = await Promise.all(group.map((s) => tx.objectStore('segments').get(s.id)));
      await tx.done;
      const newId = m.nextSegment;
      const merged = await mergeGroup(ctx, m, group, records, newId);
      const purgedRecords = await Promise.all(merged.purged.map((seq) => db.get('documents', seq)));
      let entry: SegmentEntry | undefined;
      if (merged.record) {
        const record = merged.record;
        await putSegment(db, record, []);
        entry = rewrittenEntry(newId, group, { seqs: merged.seqs, rows: merged.rows, vectorBytes: 'codes' in record ? codedVectorBytes(record) : segmentVectorBytes(record), tables: group[0]!.tables }, purgedRecords);
      }
      const groupIds = new Set(group.map((s) => s.id));
      const purgedSet = new Set(merged.purged);
      const purgedTokens = purgedRecords.reduce((n, r) => n + (r?.tokens ?? 0), 0);
      await commitManifest(db, ctx.index, m.generation, async (ctx2, current) => {
        const at = current.segments.findIndex((s) => groupIds.has(s.id));
        const segments = current.segments.filter((s) => !groupIds.has(s.id));
        if (entry) segments.splice(at, 0, entry);
        // Old segments and the purged records go in the same commit: nothing unreachable is left behind.
        await Promise.all([...group.map((s) => ctx2.objectStore('segments').delete(s.id)), ...merged.purged.map((seq) => ctx2.objectStore('documents').delete(seq))]);
        return {
          ...current,
          generation: current.generation + 1,
          nextSegment: current.nextSegment + 1,
          segments,
          tombstones: withoutTombstones(current.tombstones, purgedSet),
          tombstonedTokens: current.tombstonedTokens - purgedTokens,
        };
      });
      ctx.channel.announce({ generation: m.generation + 1, kind: 'compact' });
      return { rewritten: group.length, purged: merged.purged.length };
    } catch (error) {
      await deleteUncommitted(db, m).catch(() => undefined);
      throw storageError(error, `compacting index "${ctx.index}"`);
    }
  });
}

/**
 * Compacts step by step. Each step takes the write lock only for itself, so adds from other tabs interleave and
 * searches keep reading the committed segments; stopping (abort, crash) loses at most the step in progress,
 * and calling compact() again resumes from the current manifest.
 */
export async function compactIndex(ctx: StoreContext, options: CompactOptions): Promise<CompactResult> {
  const { signal, onProgress } = options;
  let planned = 0;
  {
    // A plan for progress reporting only: each step re-reads the manifest under the lock.
    let m = await currentManifest(ctx);
    let guard = m.segments.length;
    while (guard-- > 0) {
      const g = nextCompactionGroup(m, ctx.segmentBytes);
      if (!g) break;
      planned++;
      const ids = new Set(g.map((s) => s.id));
      m = { ...m, segments: m.segments.filter((s) => !ids.has(s.id)) };
    }
  }
  let steps = 0;
  let segmentsRewritten = 0;
  let documentsPurged = 0;
  for (;;) {
    throwIfAborted(signal);
    const step = await compactStep(ctx);
    if (!step) break;
    steps++;
    segmentsRewritten += step.rewritten;
    documentsPurged += step.purged;
    onProgress?.({ phase: 'compact', loaded: steps, total: Math.max(planned, steps) });
  }
  return { segmentsRewritten, documentsPurged };
}
