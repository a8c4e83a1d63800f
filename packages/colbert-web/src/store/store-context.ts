import { ColbertError, ErrorCode } from '../errors.js';
import type { ChangeChannel } from './change-channel.js';
import { readManifest } from './manifest.js';
import type { IndexDb } from './schema.js';
import type { DocumentRecord, Manifest, StoredSegment } from './records.js';

/** What the store's operations share: the index name, a (re)opening connection, the change channel, settings. */
export interface StoreContext {
  readonly index: string;
  db(): Promise<IndexDb>;
  readonly channel: ChangeChannel;
  /** Target bytes of stored vectors per segment. */
  readonly segmentBytes: number;
  /** Verify checksums on load() (default true). */
  readonly verify: boolean;
}

/** The committed manifest, or INDEX_CORRUPT if it vanished (the database was deleted under us). */
export async function currentManifest(ctx: StoreContext): Promise<Manifest> {
  const m = await readManifest(await ctx.db());
  if (!m) {
    throw new ColbertError(ErrorCode.IndexCorrupt, `Index "${ctx.index}" has no manifest (was its database deleted?). Open it again.`, { subject: ctx.index });
  }
  return m;
}

/** Writes one segment and its document records. Strict durability: a manifest committed later may point at it. */
export async function putSegment(db: IndexDb, record: StoredSegment, documents: readonly DocumentRecord[]): Promise<void> {
  const tx = db.transaction(['segments', 'documents'], 'readwrite', { durability: 'strict' });
  tx.done.catch(() => undefined);
  const segments = tx.objectStore('segments');
  const docs = tx.objectStore('documents');
  const puts: Promise<unknown>[] = [segments.put(record)];
  for (const d of documents) puts.push(docs.put(d));
  await Promise.all(puts);
  await tx.done;
}

/**
 * Deletes what an uncommitted write left behind: segments the manifest does not list and document records at
 * or past its nextSeq. Only safe while holding the write lock (another writer's in-flight segments look the same).
 */
export async function deleteUncommitted(db: IndexDb, manifest: Manifest): Promise<{ segments: number; documents: number }> {
  const tx = db.transaction(['segments', 'documents', 'tables'], 'readwrite');
  tx.done.catch(() => undefined);
  const listed = new Set(manifest.segments.map((s) => s.id));
  const keys = await tx.objectStore('segments').getAllKeys();
  const orphans = keys.filter((k) => !listed.has(k));
  // Tables are reachable from the manifest's compression state or from a listed coded segment.
  const usedTables = new Set([...manifest.segments.flatMap((s) => (s.tables === undefined ? [] : [s.tables])), ...(manifest.compression ? [manifest.compression.tables] : [])]);
  const orphanTables = (await tx.objectStore('tables').getAllKeys()).filter((k) => !usedTables.has(k));
  const tail = IDBKeyRange.lowerBound(manifest.nextSeq);
  const documents = await tx.objectStore('documents').count(tail);
  await Promise.all([...orphans.map((k) => tx.objectStore('segments').delete(k)), ...orphanTables.map((k) => tx.objectStore('tables').delete(k)), tx.objectStore('documents').delete(tail)]);
  await tx.done;
  return { segments: orphans.length, documents };
}
