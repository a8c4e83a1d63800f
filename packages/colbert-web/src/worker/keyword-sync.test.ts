import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import type { StoreDocument } from '../store/add-input.js';
import { openIndexStore } from '../store/index-store.js';
import type { IndexStore } from '../store/index-store.js';
import { randomStoreDocuments } from '../testing/random-documents.js';
import { testIdentity } from '../testing/test-identity.js';
import { IndexMirror } from './index-mirror.js';
import { KeywordMirror } from './keyword-mirror.js';
import { createCpuScorer } from './scorer-factory.js';

// The keyword index through the sync path the vectors take, on a real store (fake-indexeddb): two mirrors on one
// index stand for two tabs. After every commit both must hold exactly a fresh index of the live documents' texts.
const DIM = 16;
let counter = 0;

async function open(name: string, nbits?: 2): Promise<{ store: IndexStore; mirror: IndexMirror }> {
  const store = await openIndexStore(name, { identity: testIdentity(DIM), segmentBytes: 4096, ...(nbits ? { nbits } : {}) });
  const mirror = await IndexMirror.open(store, ({ precision }) => createCpuScorer({ dim: DIM, precision }));
  return { store, mirror };
}

/** Texts over a small vocabulary, so queries share terms with many documents. */
function documents(seed: number, count: number, firstIndex = 0): StoreDocument[] {
  const words = ['heart', 'bread', 'river', 'stone', 'music', 'cloud'];
  return randomStoreDocuments({ seed, count, dim: DIM, firstIndex }).map((d, i) => ({
    ...d,
    text: Array.from({ length: 2 + ((seed + i) % 5) }, (_, w) => words[(seed * 7 + i * 3 + w * w) % words.length]!).join(' '),
  }));
}

function expectLive(mirror: IndexMirror, live: ReadonlyMap<string, string | undefined>, query = 'heart river'): void {
  const fresh = new KeywordMirror();
  // Seqs of the mirror's own table, in order: the fresh index ranks ties the same way.
  const entries = [...live].map(([id, text]) => ({ seq: mirror.table.seqOf(id)!, text }));
  expect(entries.every((e) => e.seq !== undefined)).toBe(true);
  fresh.append(entries);
  expect(mirror.keyword.documents).toBe(live.size);
  expect(mirror.keyword.search(query, { k: 1000 })).toEqual(fresh.search(query, { k: 1000 }));
}

describe('keyword index through IndexMirror.sync', () => {
  test('adds, upserts, removes, compaction, clear and import reach both mirrors', async () => {
    const name = `kw-sync-${counter++}`;
    const a = await open(name);
    const b = await open(name);
    const live = new Map<string, string | undefined>();
    const add = async (docs: StoreDocument[]): Promise<void> => {
      await a.store.add(docs);
      for (const d of docs) live.set(d.id, d.text);
    };
    const check = async (): Promise<void> => {
      await Promise.all([a.mirror.sync(), b.mirror.sync()]);
      expectLive(a.mirror, live);
      expectLive(b.mirror, live);
    };
    await add(documents(1, 40));
    await check();
    await add(documents(2, 10, 35)); // 5 upserts (doc-35 … doc-39), 5 new
    await check();
    await b.store.remove(['doc-1', 'doc-2', 'doc-36']);
    ['doc-1', 'doc-2', 'doc-36'].forEach((id) => live.delete(id));
    await check();
    await a.store.compact();
    await check();
    const file = await b.store.export();
    await a.store.clear();
    const cleared = new Map(live);
    live.clear();
    await check();
    await b.store.import(file);
    cleared.forEach((text, id) => live.set(id, text));
    await check();
    // A full reload (a device loss, or a sync that cannot follow) starts the keyword index over too.
    await a.mirror.reload();
    expectLive(a.mirror, live);
    // A tab opened now, with nothing seen before, scores the same.
    const c = await open(name);
    expectLive(c.mirror, live);
    expect(c.mirror.keyword.search('heart', { k: 5 })).toEqual(a.mirror.keyword.search('heart', { k: 5 }));
    for (const x of [a, b, c]) {
      x.mirror.dispose();
      await x.store.close();
    }
  });

  test('coding segments (a compressed index training and converting) leaves the keyword index as it was', async () => {
    const name = `kw-sync-${counter++}`;
    const a = await open(name, 2);
    const b = await open(name, 2);
    const docs = documents(3, 60);
    await a.store.add(docs);
    const live = new Map(docs.map((d) => [d.id, d.text]));
    expect(await a.store.train({ iterations: 2 })).toBe(true);
    await a.store.convert();
    await Promise.all([a.mirror.sync(), b.mirror.sync()]);
    expect(b.mirror.compressed.documents).toBe(60);
    expectLive(a.mirror, live);
    expectLive(b.mirror, live);
    const more = documents(4, 10, 55);
    await b.store.add(more);
    for (const d of more) live.set(d.id, d.text);
    await Promise.all([a.mirror.sync(), b.mirror.sync()]);
    expectLive(a.mirror, live);
    expectLive(b.mirror, live);
    for (const x of [a, b]) {
      x.mirror.dispose();
      await x.store.close();
    }
  });
});
