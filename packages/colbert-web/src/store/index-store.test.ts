import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ColbertError } from '../errors.js';
import { storeTokens } from '../scoring/token-matrix.js';
import type { TokenMatrix } from '../scoring/token-matrix.js';
import { randomStoreDocuments } from '../testing/random-documents.js';
import { testIdentity } from '../testing/test-identity.js';
import type { StoreDocument } from './add-input.js';
import { openIndexStore } from './index-store.js';
import type { IndexStore } from './index-store.js';
import { putSegment } from './store-context.js';
import { makeSegmentRecord } from './segment-record.js';
import { rowsBySeq } from '../testing/stored-rows.js';
import type { SegmentRecord } from './records.js';

let counter = 0;
const fresh = (): string => `test-${Date.now()}-${counter++}`;
const DIM = 16;

function expected(doc: StoreDocument, precision: 'int8' | 'f16' | 'f32' = 'int8'): { values: number[]; scales: number[] } {
  const t: TokenMatrix = storeTokens(doc.encoded.vectors, DIM, precision);
  return { values: Array.from(t.values), scales: t.precision === 'int8' ? Array.from(t.scales) : [] };
}

async function open(name: string, extra: { segmentBytes?: number; precision?: 'int8' | 'f16' | 'f32' } = {}): Promise<IndexStore> {
  return openIndexStore(name, { identity: testIdentity(DIM), ...extra });
}

describe('IndexStore (fake-indexeddb)', () => {
  it('adds, loads bit-exact vectors per segment, and returns documents by seq', async () => {
    const name = fresh();
    const store = await open(name, { segmentBytes: 4096 });
    const docs = randomStoreDocuments({ seed: 1, count: 40, dim: DIM });
    const { seqs } = await store.add(docs);
    expect(Array.from(seqs)).toEqual(docs.map((_, i) => i));
    const loaded = await store.load();
    expect(loaded.batches.length).toBeGreaterThan(1);
    const rows = rowsBySeq(loaded);
    docs.forEach((d, i) => expect(rows.get(i)).toEqual(expected(d)));
    const [first, missing] = await store.documents([3, 999]);
    expect(first).toMatchObject({ id: 'doc-3', text: docs[3]!.text, metadata: docs[3]!.metadata, truncated: docs[3]!.encoded.truncated });
    expect(Array.from(first!.spans)).toEqual(Array.from(docs[3]!.encoded.spans));
    expect(missing).toBeUndefined();
    const stats = await store.stats();
    expect(stats.documents).toBe(40);
    expect(stats.tokens).toBe(docs.reduce((n, d) => n + d.encoded.rows, 0));
    expect(stats.bytes.vectors).toBeGreaterThan(stats.tokens * (DIM + 4));
    await store.close();
  });

  it('upsert tombstones the old seq and assigns a new one; remove tombstones; seqs are never reused', async () => {
    const store = await open(fresh());
    const docs = randomStoreDocuments({ seed: 2, count: 5, dim: DIM });
    await store.add(docs);
    const again = randomStoreDocuments({ seed: 3, count: 2, dim: DIM });
    const { seqs } = await store.add(again);
    expect(Array.from(seqs)).toEqual([5, 6]);
    let loaded = await store.load();
    expect(Array.from(loaded.tombstones)).toEqual([0, 1]);
    expect((await store.documents([0, 5]))[0]).toBeUndefined();
    expect((await store.remove(['doc-4', 'nope'])).removed).toBe(1);
    expect((await store.stats()).documents).toBe(4);
    await store.clear();
    expect((await store.stats()).documents).toBe(0);
    expect(Array.from((await store.add(docs.slice(0, 1))).seqs)).toEqual([7]);
    loaded = await store.load();
    expect(loaded.batches.length).toBe(1);
    await store.close();
  });

  it('keeps f16 and f32 bit-exact', async () => {
    for (const precision of ['f16', 'f32'] as const) {
      const store = await open(fresh(), { precision });
      const docs = randomStoreDocuments({ seed: 4, count: 6, dim: DIM });
      await store.add(docs);
      const rows = rowsBySeq(await store.load());
      docs.forEach((d, i) => expect(rows.get(i)).toEqual(expected(d, precision)));
      await store.close();
    }
  });

  it('refuses another model, bad input, and work after close', async () => {
    const name = fresh();
    const store = await open(name);
    await store.close();
    await expect(openIndexStore(name, { identity: testIdentity(DIM, 'b'.repeat(64)) })).rejects.toMatchObject({ code: 'INDEX_MODEL_MISMATCH' });
    const again = await open(name);
    const [doc] = randomStoreDocuments({ seed: 5, count: 1, dim: DIM });
    await expect(again.add([{ ...doc!, encoded: { ...doc!.encoded, spans: new Int32Array(1) } }])).rejects.toMatchObject({ code: 'INVALID_INPUT', subject: 'documents[0].encoded.spans' });
    await expect(again.add([doc!, doc!])).rejects.toMatchObject({ subject: 'documents[1].id' });
    await again.close();
    await expect(again.load()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('deletes uncommitted segments and documents on open; a corrupted segment is INDEX_CORRUPT', async () => {
    const name = fresh();
    const store = await open(name);
    const docs = randomStoreDocuments({ seed: 6, count: 3, dim: DIM });
    await store.add(docs);
    const db = await store.context.db();
    // What a crash between segment write and manifest commit leaves behind.
    const orphan = makeSegmentRecord(99, storeTokens(docs[0]!.encoded.vectors, DIM, 'int8'), new Uint32Array([docs[0]!.encoded.rows]), new Uint32Array([3]));
    const { makeDocumentRecord } = await import('./document-record.js');
    await putSegment(db, orphan, [makeDocumentRecord(3, { id: 'ghost', text: null, metadata: null, truncated: false, spans: new Int32Array(2 * docs[0]!.encoded.rows), tokenIds: new Int32Array(docs[0]!.encoded.rows) })]);
    await store.close();
    const reopened = await open(name);
    expect(reopened.opened).toEqual({ orphanSegments: 1, orphanDocuments: 1 });
    expect((await reopened.stats()).documents).toBe(3);
    const rdb = await reopened.context.db();
    const seg = (await rdb.get('segments', 0)) as SegmentRecord;
    const flipped = new Int8Array(seg.values as Int8Array);
    flipped[5] = (flipped[5]! ^ 1) as number;
    await rdb.put('segments', { ...seg, values: flipped });
    const error = await reopened.load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ColbertError);
    expect(error).toMatchObject({ code: 'INDEX_CORRUPT', subject: 'segments/0' });
    await reopened.close();
  });

  it('compaction drops removed rows, keeps ids, seqs and every other vector bit-exact, and survives reopen', async () => {
    const name = fresh();
    const store = await open(name, { segmentBytes: 2048 });
    const docs = randomStoreDocuments({ seed: 7, count: 60, dim: DIM });
    for (let i = 0; i < 60; i += 10) await store.add(docs.slice(i, i + 10));
    await store.remove(docs.filter((_, i) => i % 3 === 0).map((d) => d.id));
    const before = rowsBySeq(await store.load());
    const events: number[] = [];
    const result = await store.compact({ onProgress: (e) => events.push(e.loaded) });
    expect(result.documentsPurged).toBe(20);
    expect(events.length).toBeGreaterThan(0);
    await store.close();
    const reopened = await open(name, { segmentBytes: 2048 });
    const after = await reopened.load();
    expect(after.tombstones.length).toBe(0);
    expect(rowsBySeq(after)).toEqual(before);
    const seqs = [...before.keys()];
    const hits = await reopened.documents(seqs);
    expect(hits.map((h) => h?.id)).toEqual(seqs.map((s) => `doc-${s}`));
    expect((await reopened.stats()).documents).toBe(40);
    await reopened.close();
  });

  it('loadChanges returns only new segments after another store appends, and a reset after compaction', async () => {
    const name = fresh();
    const a = await open(name);
    const b = await open(name);
    await a.add(randomStoreDocuments({ seed: 8, count: 4, dim: DIM }));
    const seen = await b.load();
    const heard = new Promise((resolve) => b.onChange(resolve));
    await a.add(randomStoreDocuments({ seed: 9, count: 2, dim: DIM, idPrefix: 'x-' }));
    expect(await heard).toMatchObject({ kind: 'add', index: name });
    const changes = await b.loadChanges(seen);
    expect(changes.kind).toBe('delta');
    if (changes.kind === 'delta') {
      expect(changes.index.batches.map((x) => Array.from(x.seqs))).toEqual([[4, 5]]);
      expect(changes.vanished).toEqual([]);
    }
    if (changes.kind !== 'delta') throw new Error('expected a delta');
    const held = changes.index;
    expect(await b.loadChanges(held)).toEqual({ kind: 'unchanged' });
    await a.remove(['doc-0']);
    await a.compact();
    // Compaction merged both segments: a reader that held both learns which documents survive, loads no vectors;
    // one that held only the first cannot follow the merge piecewise and loads everything.
    const compacted = await b.loadChanges(held);
    expect(compacted.kind).toBe('delta');
    if (compacted.kind === 'delta') {
      expect(compacted.vanished.map((s) => s.id)).toEqual(held.segments.map((s) => s.id));
      expect([...compacted.survivors].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5]);
      expect(compacted.index.batches).toEqual([]);
    }
    const behind = await b.loadChanges(seen);
    expect(behind.kind).toBe('reload');
    if (behind.kind === 'reload') expect(behind.index.batches.flatMap((x) => Array.from(x.seqs))).toEqual([1, 2, 3, 4, 5]);
    await a.close();
    await b.close();
  });
});
