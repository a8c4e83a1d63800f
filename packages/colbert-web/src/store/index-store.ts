import { ColbertError, ErrorCode, throwIfAborted } from '../errors.js';
import type { OperationOptions } from '../protocol/progress.js';
import type { StoredPrecision } from '../scoring/token-matrix.js';
import { storedPrecisions } from '../scoring/token-matrix.js';
import type { StoreDocument } from './add-input.js';
import { prepareDocuments } from './add-input.js';
import { ChangeChannel } from './change-channel.js';
import type { ChangeListener } from './change-channel.js';
import type { CompactOptions, CompactResult } from './compaction.js';
import { compactIndex } from './compaction.js';
import { exportIndexFile, importIndexFile } from './index-transfer.js';
import { assertSamePoolFactor, emptyManifest, readManifest, settleNbits } from './manifest.js';
import { assertNbits } from '../scoring/compressed/residual-codec.js';
import { convertIndex, trainIndex } from './compression.js';
import type { ConvertOptions, TrainIndexOptions } from './compression.js';
import { assertPoolFactor } from '../model/pooling/pool-document.js';
import type { ModelIdentity } from './model-identity.js';
import { assertSameModel, parseIdentity } from './model-identity.js';
import type { IndexDb } from './schema.js';
import { openIndexDb } from './schema.js';
import { storageError } from './storage-errors.js';
import type { HeldIndex } from './sync-plan.js';
import type { StoreContext } from './store-context.js';
import { currentManifest, deleteUncommitted } from './store-context.js';
import type { IndexChanges, IndexStats, LoadedIndex, StoredDocument } from './store-reads.js';
import { loadChanges, loadIndex, readDocuments, statsOf } from './store-reads.js';
import { addDocuments, clearDocuments, removeDocuments } from './store-writes.js';
import { withWriteLock } from './write-lock.js';

/** 4 MiB of vectors per segment: 1M int8 tokens at d=128 load in ~33 reads, and one add never holds much more. */
export const DEFAULT_SEGMENT_BYTES = 4 * 1024 * 1024;

export interface OpenIndexStoreOptions {
  /** The model the caller encodes with; an index built with another model is refused (INDEX_MODEL_MISMATCH). */
  identity: ModelIdentity;
  /** Precision of a new index (default 'int8'); an existing index keeps its own. */
  precision?: StoredPrecision;
  /**
   * Token pooling factor of a new index (default 1). An existing index keeps its own; asking for another one is
   * INDEX_MODEL_MISMATCH naming both.
   */
  poolFactor?: number;
  /**
   * Residual bits (2 or 4) of an index that compresses once it crosses the threshold; unset: stored as vectors
   * forever (as before compression). See `settleNbits` for existing indexes.
   */
  nbits?: 2 | 4;
  signal?: AbortSignal;
  /** Target bytes of stored vectors per segment (default 4 MiB). */
  segmentBytes?: number;
  /** Verify segment checksums on load (default true; costs ~0.1 s per 100 MB). */
  verify?: boolean;
}

/** What opening found and removed: leftovers of writes that never committed. */
export interface OpenReport {
  readonly orphanSegments: number;
  readonly orphanDocuments: number;
}

/**
 * One index in IndexedDB: append-only segments made visible by an atomic manifest commit. Safe across tabs
 * (one writer at a time through Web Locks; others hear commits through `onChange`).
 */
export class IndexStore implements AsyncDisposable {
  private connection: Promise<IndexDb> | undefined;
  private closed = false;
  private readonly ctx: StoreContext;

  /** @internal Use `openIndexStore`. */
  constructor(
    readonly name: string,
    readonly identity: ModelIdentity,
    private storedPrecision: StoredPrecision,
    private storedPoolFactor: number,
    readonly opened: OpenReport,
    connection: IndexDb,
    options: { segmentBytes: number; verify: boolean },
  ) {
    this.connection = Promise.resolve(connection);
    const channel = new ChangeChannel(name);
    this.ctx = { index: name, db: () => this.db(), channel, segmentBytes: options.segmentBytes, verify: options.verify };
  }

  /** Stored precision (set when the index was created; an import may change it). */
  get precision(): StoredPrecision {
    return this.storedPrecision;
  }

  /** Token pooling factor every document of this index is encoded with (1: none; an import may change it). */
  get poolFactor(): number {
    return this.storedPoolFactor;
  }

  private async db(): Promise<IndexDb> {
    if (this.closed) throw new ColbertError(ErrorCode.Closed, `Index "${this.name}" was closed; open it again.`, { subject: this.name });
    // Reopened lazily after another tab's upgrade (blocking) or a browser-side close (terminated).
    this.connection ??= openIndexDb(this.name, this.connectionEvents());
    return this.connection;
  }

  /** @internal */
  connectionEvents(): { onVersionChange(): void; onTerminated(): void } {
    const drop = (): void => {
      this.connection = undefined;
    };
    return { onVersionChange: drop, onTerminated: drop };
  }

  /** Adds (or, for an id already present, replaces) documents; resolves once they are committed. */
  async add(documents: readonly StoreDocument[], options: OperationOptions = {}): Promise<{ seqs: Uint32Array }> {
    const prepared = prepareDocuments(documents, this.identity.dim, this.storedPoolFactor);
    return { seqs: await addDocuments(this.ctx, prepared, options) };
  }

  /** Removes the documents with these ids (tombstones; compaction frees their space). */
  async remove(ids: readonly string[]): Promise<{ removed: number }> {
    return { removed: await removeDocuments(this.ctx, ids) };
  }

  async clear(): Promise<void> {
    await clearDocuments(this.ctx);
  }

  /** Every committed vector for the scorer: one DocumentBatch per segment, plus tombstoned seqs. */
  async load(): Promise<LoadedIndex> {
    return loadIndex(this.ctx);
  }

  /** What was committed since `held` (another tab's adds arrive as new segments only; see `planSync`). */
  async loadChanges(held: HeldIndex): Promise<IndexChanges> {
    return loadChanges(this.ctx, held);
  }

  /** Id, text, metadata, spans and truncation of the given sequence numbers (undefined for removed ones). */
  async documents(seqs: ArrayLike<number>): Promise<(StoredDocument | undefined)[]> {
    return readDocuments(this.ctx, seqs);
  }

  async stats(): Promise<IndexStats> {
    return statsOf(await currentManifest(this.ctx));
  }

  /** Trains the compression tables from the stored rows (nbits indexes; false when there was nothing to do). */
  async train(options: TrainIndexOptions = {}): Promise<boolean> {
    return trainIndex(this.ctx, options);
  }

  /** Codes segments that hold vectors with the trained tables, oldest first; resolves to how many it coded. */
  async convert(options: ConvertOptions = {}): Promise<number> {
    return convertIndex(this.ctx, options);
  }

  /** Rewrites segments without their removed documents; one commit per step, so it can stop and resume. */
  async compact(options: CompactOptions = {}): Promise<CompactResult> {
    return compactIndex(this.ctx, options);
  }

  /**
   * Replaces the whole index with a portable index file (URL or Blob) built with the same model. Nothing
   * changes unless the whole file is valid; `onProgress` reports bytes read (phase 'import').
   */
  async import(source: string | Blob, options: OperationOptions = {}): Promise<{ documents: number }> {
    const result = await importIndexFile(this.ctx, source, options);
    this.storedPrecision = result.precision;
    this.storedPoolFactor = result.poolFactor;
    return { documents: result.documents };
  }

  /** The live documents as one portable index file. */
  async export(options: { signal?: AbortSignal } = {}): Promise<Blob> {
    return exportIndexFile(this.ctx, options);
  }

  /** Calls `listener` when another tab or worker commits to this index. Returns the unsubscribe function. */
  onChange(listener: ChangeListener): () => void {
    return this.ctx.channel.listen(listener);
  }

  /** @internal For import/export and tests. */
  get context(): StoreContext {
    return this.ctx;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.ctx.channel.close();
    const connection = this.connection;
    this.connection = undefined;
    (await connection?.catch(() => undefined))?.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Opens or creates an index. Under the write lock, it creates the manifest of a new index, refuses one built with
 * another model, and deletes what interrupted writes left (segments and documents no manifest reaches).
 *
 * @example
 * const store = await openIndexStore('notes', { identity: await modelIdentity(files, encoder.checkpoint) });
 * const { seqs } = await store.add([{ id: 'n1', text, encoded }]);
 * const { batches, tombstones } = await store.load();
 */
export async function openIndexStore(name: string, options: OpenIndexStoreOptions): Promise<IndexStore> {
  if (typeof name !== 'string' || name === '') throw new ColbertError(ErrorCode.InvalidInput, 'name: must be a non-empty string.', { subject: 'name' });
  const identity = parseIdentity(options?.identity, (why) => new ColbertError(ErrorCode.InvalidInput, `identity: ${why}.`, { subject: 'identity' }));
  const precision = options.precision ?? 'int8';
  if (!storedPrecisions.includes(precision)) throw new ColbertError(ErrorCode.InvalidInput, `precision: must be one of ${storedPrecisions.join(', ')}.`, { subject: 'precision' });
  if (options.poolFactor !== undefined) assertPoolFactor(options.poolFactor, 'poolFactor');
  if (options.nbits !== undefined) assertNbits(options.nbits, 'nbits');
  const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  if (!Number.isSafeInteger(segmentBytes) || segmentBytes < 1024) throw new ColbertError(ErrorCode.InvalidInput, 'segmentBytes: must be an integer ≥ 1024.', { subject: 'segmentBytes' });
  throwIfAborted(options.signal);
  let store: IndexStore | undefined;
  const events = { onVersionChange: () => store?.connectionEvents().onVersionChange(), onTerminated: () => store?.connectionEvents().onTerminated() };
  let db: IndexDb;
  try {
    db = await openIndexDb(name, events);
  } catch (error) {
    throw storageError(error, `opening index "${name}"`);
  }
  try {
    const { manifest, report } = await withWriteLock(name, async () => {
      let m = await readManifest(db);
      if (!m) {
        m = emptyManifest(identity, precision, options.poolFactor, options.nbits);
        await db.put('manifest', m, 'manifest');
      }
      assertSameModel(m.identity, identity, `Index "${name}"`);
      if (options.poolFactor !== undefined) assertSamePoolFactor(m.poolFactor ?? 1, options.poolFactor, `Index "${name}"`);
      const nbits = settleNbits(m.nbits, options.nbits, `Index "${name}"`);
      if (nbits !== m.nbits) {
        m = { ...m, nbits: nbits! };
        await db.put('manifest', m, 'manifest');
      }
      const removed = await deleteUncommitted(db, m);
      return { manifest: m, report: { orphanSegments: removed.segments, orphanDocuments: removed.documents } };
    });
    store = new IndexStore(name, manifest.identity, manifest.precision, manifest.poolFactor ?? 1, report, db, { segmentBytes, verify: options.verify ?? true });
    return store;
  } catch (error) {
    db.close();
    throw storageError(error, `opening index "${name}"`);
  }
}
