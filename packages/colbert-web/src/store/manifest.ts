import { ColbertError, ErrorCode } from '../errors.js';
import type { StoredPrecision } from '../scoring/token-matrix.js';
import type { ModelIdentity } from './model-identity.js';
import type { IndexDb, IndexSchema } from './schema.js';
import type { Manifest } from './records.js';
import type { IDBPTransaction } from 'idb';

export type CommitTransaction = IDBPTransaction<IndexSchema, ('manifest' | 'segments' | 'documents' | 'tables')[], 'readwrite'>;

/** The manifest of a new, empty index. */
export function emptyManifest(identity: ModelIdentity, precision: StoredPrecision, poolFactor = 1, nbits?: 2 | 4): Manifest {
  return { identity, precision, ...(poolFactor > 1 ? { poolFactor } : {}), ...(nbits ? { nbits } : {}), generation: 0, nextSeq: 0, nextSegment: 0, segments: [], tombstones: new Uint32Array(0), tombstonedTokens: 0 };
}

/** The manifest with `poolFactor` set (the field is left out at 1, as in indexes written before pooling). */
export function withPoolFactor(m: Manifest, poolFactor: number): Manifest {
  const { poolFactor: _old, ...rest } = m;
  return poolFactor > 1 ? { ...rest, poolFactor } : rest;
}

/** Throws INDEX_MODEL_MISMATCH when an index of `stored` pooling is opened asking for `wanted`. */
export function assertSamePoolFactor(stored: number, wanted: number, what: string): void {
  if (stored === wanted) return;
  throw new ColbertError(
    ErrorCode.IndexModelMismatch,
    `${what} was built with poolFactor ${stored} but is being opened with poolFactor ${wanted}. Open it with poolFactor ${stored} (or without poolFactor), or clear it and re-add the documents.`,
    { subject: 'poolFactor' },
  );
}

/**
 * The residual bits an index opened with `wanted` compresses with: an index created with nbits keeps them (asking
 * for others is INDEX_MODEL_MISMATCH naming both); one created without takes `wanted` (it compresses once it
 * crosses the threshold, converting through compaction); undefined: never compressed.
 */
export function settleNbits(stored: 2 | 4 | undefined, wanted: 2 | 4 | undefined, what: string): 2 | 4 | undefined {
  if (wanted === undefined || stored === wanted) return stored;
  if (stored === undefined) return wanted;
  throw new ColbertError(
    ErrorCode.IndexModelMismatch,
    `${what} compresses with nbits ${stored} but is being opened with nbits ${wanted}. Open it with nbits ${stored} (or without nbits), or clear it and re-add the documents.`,
    { subject: 'nbits' },
  );
}

/** Whether `seq` is in the sorted tombstone list. */
export function isTombstoned(tombstones: Uint32Array, seq: number): boolean {
  let lo = 0;
  let hi = tombstones.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = tombstones[mid]!;
    if (v === seq) return true;
    if (v < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Sorted union of tombstones and new seqs. */
export function withTombstones(tombstones: Uint32Array, seqs: Iterable<number>): Uint32Array {
  const set = new Set<number>(tombstones);
  for (const s of seqs) set.add(s);
  return Uint32Array.from([...set].sort((a, b) => a - b));
}

/** Tombstones minus `purged` (documents compaction dropped for good). */
export function withoutTombstones(tombstones: Uint32Array, purged: ReadonlySet<number>): Uint32Array {
  return tombstones.filter((s) => !purged.has(s));
}

/** The manifest as committed now (undefined for a database that was never initialised). */
export async function readManifest(db: IndexDb): Promise<Manifest | undefined> {
  return db.get('manifest', 'manifest');
}

/**
 * The one atomic step that makes writes visible: a small read-modify-write of the manifest with strict
 * durability (flushed to disk before it resolves). `expectedGeneration` guards against a writer that lost its
 * lock: the manifest must be the one this writer started from.
 */
export async function commitManifest(
  db: IndexDb,
  index: string,
  expectedGeneration: number,
  update: (tx: CommitTransaction, current: Manifest) => Promise<Manifest>,
): Promise<Manifest> {
  const tx = db.transaction(['manifest', 'segments', 'documents', 'tables'], 'readwrite', { durability: 'strict' });
  // Rejections surface through tx.done too; swallow this handle so an early abort is not reported unhandled.
  tx.done.catch(() => undefined);
  const current = await tx.objectStore('manifest').get('manifest');
  if (!current || current.generation !== expectedGeneration) {
    tx.abort();
    throw new ColbertError(
      ErrorCode.StorageFailed,
      `Index "${index}" changed while this write was in progress (another writer without the lock?); nothing was committed. Retry.`,
      { subject: index },
    );
  }
  const next = await update(tx, current);
  await tx.objectStore('manifest').put(next, 'manifest');
  await tx.done;
  return next;
}
