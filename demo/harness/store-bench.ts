// Store benchmark entry points (bench/store-browser.ts drives them): the store, and a peer that keeps the same
// int8 vectors one IndexedDB record per document.
import { openDB } from 'idb';
import { openIndexStore } from '../../packages/colbert-web/src/store/index-store.js';
import { storeTokens } from '../../packages/colbert-web/src/scoring/token-matrix.js';
import { randomStoreDocuments } from '../../packages/colbert-web/src/testing/random-documents.js';
import { testIdentity } from '../../packages/colbert-web/src/testing/test-identity.js';

const CHUNK = 500;

function* chunks(tokens: number, dim: number, seed: number): Generator<ReturnType<typeof randomStoreDocuments>> {
  let total = 0;
  for (let c = 0; total < tokens; c++) {
    const docs = randomStoreDocuments({ seed: seed + c, count: CHUNK, dim, minTokens: 64, maxTokens: 128, idPrefix: `c${c}-` });
    total += docs.reduce((n, d) => n + d.encoded.rows, 0);
    yield docs;
  }
}

/** Adds ~`tokens` tokens in adds of 500 documents; only add() time is measured. */
export async function storeWrite(name: string, tokens: number, dim: number, seed: number): Promise<{ ms: number; tokens: number; documents: number; stats: unknown }> {
  const store = await openIndexStore(name, { identity: testIdentity(dim) });
  let ms = 0;
  let written = 0;
  let documents = 0;
  for (const docs of chunks(tokens, dim, seed)) {
    const t = performance.now();
    await store.add(docs);
    ms += performance.now() - t;
    written += docs.reduce((n, d) => n + d.encoded.rows, 0);
    documents += docs.length;
  }
  const stats = await store.stats();
  await store.close();
  return { ms, tokens: written, documents, stats };
}

/** Cold open + load into memory ready for a scorer (typed arrays per segment). */
export async function storeLoad(name: string, dim: number): Promise<{ openMs: number; loadMs: number; tokens: number; reads: number }> {
  const t0 = performance.now();
  const store = await openIndexStore(name, { identity: testIdentity(dim) });
  const t1 = performance.now();
  const loaded = await store.load();
  const t2 = performance.now();
  await store.close();
  return { openMs: t1 - t0, loadMs: t2 - t1, tokens: loaded.batches.reduce((n, b) => n + b.tokens.rows, 0), reads: loaded.batches.length };
}

interface PeerRecord {
  id: string;
  values: Int8Array;
  scales: Float32Array;
}

/** The peer: the same int8 rows, one record per document, written 500 per transaction. */
export async function peerWrite(name: string, tokens: number, dim: number, seed: number): Promise<{ ms: number; tokens: number }> {
  const db = await openDB(name, 1, { upgrade: (d) => void d.createObjectStore('docs', { keyPath: 'id' }) });
  let ms = 0;
  let written = 0;
  for (const docs of chunks(tokens, dim, seed)) {
    const records: PeerRecord[] = docs.map((d) => {
      const t = storeTokens(d.encoded.vectors, dim, 'int8');
      return { id: d.id, values: t.values as Int8Array, scales: (t as { scales: Float32Array }).scales };
    });
    const t = performance.now();
    const tx = db.transaction('docs', 'readwrite', { durability: 'strict' });
    await Promise.all(records.map((r) => tx.store.put(r)));
    await tx.done;
    ms += performance.now() - t;
    written += docs.reduce((n, d) => n + d.encoded.rows, 0);
  }
  db.close();
  return { ms, tokens: written };
}

/** The peer's cold load: getAll, then packed into one matrix as a scorer wants it. */
export async function peerLoad(name: string, dim: number): Promise<{ openMs: number; loadMs: number; tokens: number }> {
  const t0 = performance.now();
  const db = await openDB(name, 1);
  const t1 = performance.now();
  const records = (await db.getAll('docs')) as PeerRecord[];
  const rows = records.reduce((n, r) => n + r.scales.length, 0);
  const values = new Int8Array(rows * dim);
  const scales = new Float32Array(rows);
  let at = 0;
  for (const r of records) {
    values.set(r.values, at * dim);
    scales.set(r.scales, at);
    at += r.scales.length;
  }
  const t2 = performance.now();
  db.close();
  return { openMs: t1 - t0, loadMs: t2 - t1, tokens: rows };
}
