/**
 * Compressing a stored index: training the shared tables from rows sampled out of the stored segments
 * (`trainIndex`), then coding the segments that still hold vectors, oldest first, one commit per segment
 * (`convertIndex`). Each step commits on its own, so a crash or an abort loses at most the step in progress and
 * calling again resumes from the manifest; searches read the committed segments throughout.
 */
import { ColbertError, ErrorCode, throwIfAborted } from '../errors.js';
import { trainCompressionStreamed, type TrainingKernels } from '../scoring/compressed/build-compressed.js';
import { codeRows, decodeRows, float32Rows, gatherRows } from './code-rows.js';
import { mergeLiveCoded } from './coded-merge.js';
import { residualBytes } from '../scoring/compressed/residual-codec.js';
import { codedSegmentToBatch, codedVectorBytes, makeCodedSegmentRecord, makeTablesRecord, tableBytes, tablesFromRecord } from './coded-segment.js';
import type { SharedTables } from './coded-segment.js';
import { mergeLive, rewrittenEntry } from './compaction.js';
import { recordTextBytes } from './document-record.js';
import { commitManifest, withoutTombstones } from './manifest.js';
import type { Manifest, SegmentEntry, StoredSegment } from './records.js';
import { segmentToBatch } from './segment-record.js';
import { storageError } from './storage-errors.js';
import { currentManifest, deleteUncommitted } from './store-context.js';
import type { StoreContext } from './store-context.js';
import { withWriteLock } from './write-lock.js';

/** Compaction re-trains the tables once the live rows have grown this many times past those they were trained on. */
export const RETRAIN_FACTOR = 4;

export interface TrainIndexOptions {
  /**
   * Train new tables although the index has some, if it has grown `RETRAIN_FACTOR` times since (compaction's
   * policy): sampled from every stored row, coded ones decoded; `convertIndex` then re-codes every segment.
   */
  retrain?: boolean;
  /** Seeds the samples and k-means (default 0): the same stored rows give the same tables everywhere. */
  seed?: number;
  /** Lloyd iterations per level (default 4). */
  iterations?: number;
  /** Awaited after every Lloyd iteration: how a worker lets searches run during training. */
  pause?: () => Promise<void>;
  /** Runs training's heavy steps (e.g. `withTrainingKernels`'s WebAssembly ones); TypeScript without. Same tables. */
  kernels?: TrainingKernels;
  signal?: AbortSignal;
}

/** Whether compaction's policy asks for new tables: trained, and the live rows grown `RETRAIN_FACTOR` times since. */
export function retrainDue(m: Pick<Manifest, 'compression' | 'segments' | 'tombstonedTokens'>): boolean {
  const live = m.segments.reduce((n, s) => n + s.tokens, 0) - m.tombstonedTokens;
  return m.compression !== undefined && live >= RETRAIN_FACTOR * m.compression.trainedTokens;
}

/** The segments training samples, in manifest (sequence-number) order: the uncoded ones, or all when re-training. */
function sampledSegments(m: Manifest, retrain: boolean): SegmentEntry[] {
  return retrain ? [...m.segments] : m.segments.filter((s) => s.tables === undefined);
}

/** The float32 rows of a stored segment: vectors decoded, or codes decoded with their tables. */
async function segmentRows(ctx: StoreContext, m: Manifest, entry: SegmentEntry): Promise<Float32Array> {
  const db = await ctx.db();
  const record = await db.get('segments', entry.id);
  const expected = { ...entry, precision: m.precision, dim: m.identity.dim };
  if (entry.tables === undefined) return float32Rows(segmentToBatch(record, expected, ctx.index, ctx.verify).tokens);
  const tables = tablesFromRecord(await db.get('tables', entry.tables), entry.tables, ctx.index, ctx.verify);
  const batch = codedSegmentToBatch(record, expected, tables, ctx.index, ctx.verify);
  return decodeRows(tables, batch.codes, batch.residuals);
}

/**
 * Trains the shared tables on the index's stored vector rows (with `retrain`, once due, on every row) and commits
 * them (not yet any coded segment: see `convertIndex`). Rows are sampled from the segments as committed when
 * training starts; adds may commit meanwhile. Resolves to false when there was nothing to do (no `nbits`, trained
 * and no re-training due, or no rows).
 */
export async function trainIndex(ctx: StoreContext, options: TrainIndexOptions = {}): Promise<boolean> {
  // A compaction or import between reading the manifest and sampling it changes the rows: sample again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await trainOnce(ctx, options);
    } catch (error) {
      if (!(error instanceof ColbertError && error.subject === CHANGED) || attempt === 5) throw error;
    }
  }
}

const CHANGED = 'segments changed while sampling';

async function trainOnce(ctx: StoreContext, options: TrainIndexOptions): Promise<boolean> {
  const { signal } = options;
  throwIfAborted(signal);
  const start = await currentManifest(ctx);
  const nbits = start.nbits;
  const retrain = options.retrain === true && retrainDue(start);
  if (nbits === undefined || (start.compression && !retrain)) return false;
  const segments = sampledSegments(start, retrain);
  const tokens = segments.reduce((n, s) => n + s.tokens, 0);
  if (tokens === 0) return false;
  // The samples are read under the write lock (a compaction could delete a segment mid-read), training is not.
  let trained: { table: SharedTables['table']; codec: SharedTables['codec'] };
  try {
    trained = await trainCompressionStreamed(
      (lists) => withWriteLock(ctx.index, async () => {
        const m = await currentManifest(ctx);
        if (m.generation !== start.generation && !sameSegments(sampledSegments(m, retrain), segments)) throw changedUnderneath(ctx.index);
        return gatherRows(segments, (i) => segmentRows(ctx, m, segments[i]!), lists, m.identity.dim);
      }),
      tokens,
      start.identity.dim,
      { nbits, seed: options.seed ?? 0, ...(options.iterations ? { iterations: options.iterations } : {}), ...(options.kernels ? { kernels: options.kernels } : {}), pause: async () => {
        throwIfAborted(signal);
        await options.pause?.();
      } },
    );
  } catch (error) {
    throw storageError(error, `training the compression of index "${ctx.index}"`);
  }
  throwIfAborted(signal);
  return withWriteLock(ctx.index, async () => {
    const db = await ctx.db();
    const m = await currentManifest(ctx);
    // Someone else trained meanwhile: theirs stand.
    if (m.compression?.tables !== start.compression?.tables) return false;
    const id = m.nextSegment;
    const record = makeTablesRecord(id, trained.table, trained.codec);
    try {
      await commitManifest(db, ctx.index, m.generation, async (tx, current) => {
        await tx.objectStore('tables').put(record);
        const compression = { tables: id, nbits, centroids: trained.table.centroids.length / trained.table.dim, trainedTokens: tokens, tableBytes: tableBytes(trained) };
        return { ...current, generation: current.generation + 1, nextSegment: current.nextSegment + 1, compression };
      });
    } catch (error) {
      throw storageError(error, `saving the compression tables of index "${ctx.index}"`);
    }
    ctx.channel.announce({ generation: m.generation + 1, kind: 'compact' });
    return true;
  });
}

function sameSegments(a: readonly SegmentEntry[], b: readonly SegmentEntry[]): boolean {
  return a.length >= b.length && b.every((s, i) => a[i]!.id === s.id);
}

function changedUnderneath(index: string): ColbertError {
  return new ColbertError(ErrorCode.StorageFailed, `Index "${index}" was compacted or replaced while its compression was sampling its rows; train again.`, { subject: CHANGED });
}

/** Codes the oldest segment not coded with the current tables (vectors, or codes of earlier tables); undefined when none is left. */
async function convertStep(ctx: StoreContext): Promise<{ documents: number } | undefined> {
  return withWriteLock(ctx.index, async () => {
    const db = await ctx.db();
    const m = await currentManifest(ctx);
    const compression = m.compression;
    const entry = compression && m.segments.find((s) => s.tables !== compression.tables);
    if (!compression || !entry) return undefined;
    try {
      const tx = db.transaction(['segments', 'tables'], 'readonly');
      const [record, tablesRecord] = await Promise.all([tx.objectStore('segments').get(entry.id), tx.objectStore('tables').get(compression.tables)]);
      await tx.done;
      const tables = tablesFromRecord(tablesRecord, compression.tables, ctx.index, true);
      const live = await liveRows(ctx, m, entry, record);
      const purgedRecords = await Promise.all(live.purged.map((seq) => db.get('documents', seq)));
      const newId = m.nextSegment;
      let replacement: SegmentEntry | undefined;
      if (live.seqs.length > 0) {
        const coded = makeCodedSegmentRecord(newId, tables, { lengths: live.lengths, seqs: live.seqs, ...codeRows(tables, live.vectors, live.lengths, live.seqs) });
        await db.put('segments', coded);
        replacement = rewrittenEntry(newId, [entry], { seqs: live.seqs, rows: live.rows, vectorBytes: codedVectorBytes(coded), tables: tables.id }, purgedRecords);
      }
      const purgedTokens = purgedRecords.reduce((n, r) => n + (r?.tokens ?? 0), 0);
      await commitManifest(db, ctx.index, m.generation, async (write, current) => {
        const at = current.segments.findIndex((s) => s.id === entry.id);
        const segments = current.segments.filter((s) => s.id !== entry.id);
        if (replacement) segments.splice(at, 0, replacement);
        // Tables no segment uses any more (the last segment of the previous training was re-coded) go too.
        const unused = entry.tables !== undefined && !segments.some((s) => s.tables === entry.tables) ? [write.objectStore('tables').delete(entry.tables)] : [];
        await Promise.all([write.objectStore('segments').delete(entry.id), ...unused, ...live.purged.map((seq) => write.objectStore('documents').delete(seq))]);
        return {
          ...current,
          generation: current.generation + 1,
          nextSegment: current.nextSegment + 1,
          segments,
          tombstones: withoutTombstones(current.tombstones, new Set(live.purged)),
          tombstonedTokens: current.tombstonedTokens - purgedTokens,
        };
      });
      ctx.channel.announce({ generation: m.generation + 1, kind: 'compact' });
      return { documents: live.seqs.length };
    } catch (error) {
      await deleteUncommitted(db, m).catch(() => undefined);
      throw storageError(error, `compressing index "${ctx.index}"`);
    }
  });
}

/** A segment's live documents as float32 rows (vectors decoded, or codes decoded with their own tables). */
async function liveRows(ctx: StoreContext, m: Manifest, entry: SegmentEntry, record: StoredSegment | undefined): Promise<{ vectors: Float32Array; rows: number; lengths: Uint32Array; seqs: Uint32Array; purged: number[] }> {
  const expected = { ...entry, precision: m.precision, dim: m.identity.dim };
  if (entry.tables === undefined) {
    const live = mergeLive([segmentToBatch(record, expected, ctx.index, true)], m.tombstones);
    return { vectors: float32Rows(live.tokens), rows: live.tokens.rows, lengths: live.lengths, seqs: live.seqs, purged: live.purged };
  }
  const old = tablesFromRecord(await (await ctx.db()).get('tables', entry.tables), entry.tables, ctx.index, true);
  const live = mergeLiveCoded([codedSegmentToBatch(record, expected, old, ctx.index, true)], m.tombstones, residualBytes(old.table.dim, old.codec.nbits));
  return { vectors: decodeRows(old, live.codes, live.residuals), rows: live.codes.length, lengths: live.lengths, seqs: live.seqs, purged: live.purged };
}

export interface ConvertOptions {
  signal?: AbortSignal;
  /** Segments coded so far and the segments that held vectors when it started. */
  onProgress?: (event: { phase: 'compact'; loaded: number; total: number }) => void;
  /** Stop after this many segments (default: all); the engine codes one per background task. */
  maxSteps?: number;
}

/**
 * Codes every segment that still holds vectors with the current tables, oldest first, one commit each. Resolves to
 * the segments coded (0 when the index is not trained or nothing is left).
 */
export async function convertIndex(ctx: StoreContext, options: ConvertOptions = {}): Promise<number> {
  const { signal, onProgress, maxSteps = Infinity } = options;
  const m = await currentManifest(ctx);
  const total = m.compression ? m.segments.filter((s) => s.tables !== m.compression!.tables).length : 0;
  let steps = 0;
  while (steps < maxSteps) {
    throwIfAborted(signal);
    if (!(await convertStep(ctx))) break;
    steps++;
    onProgress?.({ phase: 'compact', loaded: steps, total: Math.max(total, steps) });
  }
  return steps;
}
