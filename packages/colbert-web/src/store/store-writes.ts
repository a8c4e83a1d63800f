import { ColbertError, ErrorCode, throwIfAborted } from '../errors.js';
import type { OperationOptions } from '../protocol/progress.js';
import type { PreparedDocument } from './add-input.js';
import { buildSegment, groupIntoSegments } from './add-input.js';
import type { CommitTransaction } from './manifest.js';
import { commitManifest, isTombstoned, withTombstones } from './manifest.js';
import type { Manifest, SegmentEntry } from './records.js';
import { storageError } from './storage-errors.js';
import { currentManifest, deleteUncommitted, putSegment } from './store-context.js';
import type { StoreContext } from './store-context.js';
import { withWriteLock } from './write-lock.js';

/** Live seqs (committed, not tombstoned) stored under each id, with their token counts. */
async function liveSeqsOf(tx: CommitTransaction, m: Manifest, ids: readonly string[]): Promise<{ seqs: number[]; tokens: number }> {
  const index = tx.objectStore('documents').index('id');
  const keyLists = await Promise.all(ids.map((id) => index.getAllKeys(id)));
  const seqs = keyLists.flat().filter((s) => s < m.nextSeq && !isTombstoned(m.tombstones, s));
  const records = await Promise.all(seqs.map((s) => tx.objectStore('documents').get(s)));
  return { seqs, tokens: records.reduce((n, r) => n + (r?.tokens ?? 0), 0) };
}

/**
 * Appends documents as new segments, then commits them (and tombstones the old versions of re-added ids) in one
 * manifest transaction. Resolves after that commit; on any failure the uncommitted segments are deleted.
 */
export async function addDocuments(ctx: StoreContext, docs: readonly PreparedDocument[], options: OperationOptions): Promise<Uint32Array> {
  const { signal, onProgress } = options;
  throwIfAborted(signal);
  if (docs.length === 0) return new Uint32Array(0);
  return withWriteLock(ctx.index, async () => {
    const db = await ctx.db();
    const m = await currentManifest(ctx);
    const dim = m.identity.dim;
    const entries: SegmentEntry[] = [];
    let seq = m.nextSeq;
    let segment = m.nextSegment;
    try {
      let written = 0;
      for (const group of groupIntoSegments(docs, dim, m.precision, ctx.segmentBytes)) {
        throwIfAborted(signal);
        const built = buildSegment(segment++, seq, group, dim, m.precision);
        seq += group.length;
        await putSegment(db, built.record, built.documents);
        entries.push(built.entry);
        written += group.length;
        // Written, not yet searchable: 'index' reports committed documents, so the last step comes after commit.
        if (written < docs.length) onProgress?.({ phase: 'index', loaded: 0, total: docs.length });
      }
      throwIfAborted(signal);
      await commitManifest(db, ctx.index, m.generation, async (tx, current) => {
        const replaced = await liveSeqsOf(
          tx,
          current,
          docs.map((d) => d.fields.id),
        );
        return {
          ...current,
          generation: current.generation + 1,
          nextSeq: seq,
          nextSegment: segment,
          segments: [...current.segments, ...entries],
          tombstones: withTombstones(current.tombstones, replaced.seqs),
          tombstonedTokens: current.tombstonedTokens + replaced.tokens,
        };
      });
    } catch (error) {
      await deleteUncommitted(db, m).catch(() => undefined);
      throw storageError(error, `adding ${docs.length} documents to index "${ctx.index}"`);
    }
    onProgress?.({ phase: 'index', loaded: docs.length, total: docs.length });
    ctx.channel.announce({ generation: m.generation + 1, kind: 'add' });
    return Uint32Array.from({ length: docs.length }, (_, i) => m.nextSeq + i);
  });
}

/** Tombstones every live document stored under these ids; unknown ids are ignored. Returns how many went. */
export async function removeDocuments(ctx: StoreContext, ids: readonly string[]): Promise<number> {
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
    throw new ColbertError(ErrorCode.InvalidInput, 'ids: must be an array of strings.', { subject: 'ids' });
  }
  if (ids.length === 0) return 0;
  return withWriteLock(ctx.index, async () => {
    const db = await ctx.db();
    const m = await currentManifest(ctx);
    let removed = 0;
    try {
      await commitManifest(db, ctx.index, m.generation, async (tx, current) => {
        const gone = await liveSeqsOf(tx, current, ids);
        removed = gone.seqs.length;
        return {
          ...current,
          generation: current.generation + 1,
          tombstones: withTombstones(current.tombstones, gone.seqs),
          tombstonedTokens: current.tombstonedTokens + gone.tokens,
        };
      });
    } catch (error) {
      throw storageError(error, `removing ${ids.length} ids from index "${ctx.index}"`);
    }
    ctx.channel.announce({ generation: m.generation + 1, kind: 'remove' });
    return removed;
  });
}

/** Deletes every document in one transaction; sequence numbers keep counting (they are never reused). */
export async function clearDocuments(ctx: StoreContext): Promise<void> {
  await withWriteLock(ctx.index, async () => {
    const db = await ctx.db();
    const m = await currentManifest(ctx);
    try {
      await commitManifest(db, ctx.index, m.generation, async (tx, current) => {
        await Promise.all([tx.objectStore('segments').clear(), tx.objectStore('documents').clear(), tx.objectStore('tables').clear()]);
        // An empty index is small again: the next one to cross the threshold trains its own tables.
        const { compression: _dropped, ...rest } = current;
        return { ...rest, generation: current.generation + 1, segments: [], tombstones: new Uint32Array(0), tombstonedTokens: 0 };
      });
    } catch (error) {
      throw storageError(error, `clearing index "${ctx.index}"`);
    }
    ctx.channel.announce({ generation: m.generation + 1, kind: 'clear' });
  });
}
