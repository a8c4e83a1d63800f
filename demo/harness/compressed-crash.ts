// The steps of e2e/compressed-crash.spec.ts: a compressed index grown past its re-training point, a compaction that
// re-trains it (awaited, or left running for the spec to kill the worker or the browser), what IndexedDB holds after
// a kill, and what the reopened index answers. Test code: not part of the demo.
import { createSearch, type SearchHandle } from 'colbert-web';

const DOCUMENTS = 100;
const QUERY = 'late interaction in neural information retrieval';
const FIXTURE = '/__shared/fixtures/colbert-tiny-golden/';

let open: SearchHandle | undefined;

async function documents(): Promise<Array<{ id: string; text: string }>> {
  const texts = ((await (await fetch(`${FIXTURE}texts.json`)).json()) as Array<{ text: string }>).map((t) => t.text);
  return Array.from({ length: DOCUMENTS }, (_, i) => ({ id: `d${i}`, text: `${texts[i % texts.length]!} ${texts[(i * 7 + 3) % texts.length]!}` }));
}

/** A spec kills a dedicated worker by closing its page; everything else shares one worker (the model loads once). */
type WorkerKind = 'shared' | 'dedicated';

const openIndex = (index: string, worker: WorkerKind): Promise<SearchHandle> => createSearch({ model: `${FIXTURE}checkpoint/`, index, backend: 'wasm', worker, nbits: 2, compressAt: 50 });

/**
 * Trains the index on its first 3 documents, then adds the rest (far past RETRAIN_FACTOR × the trained rows): the
 * next compaction re-trains and re-codes everything. Returns the id of the first tables.
 */
export async function grow(index: string, worker: WorkerKind = 'shared'): Promise<number> {
  const docs = await documents();
  open = await openIndex(index, worker);
  await open.add(docs.slice(0, 3));
  await open.compact();
  await open.add(docs.slice(3));
  return (await readManifest(index)).compression!.tables;
}

/** Runs the re-training compaction and closes the index; resolves to the compaction's milliseconds. */
export async function compact(): Promise<number> {
  const t0 = performance.now();
  await open!.compact();
  const ms = performance.now() - t0;
  await open!.close();
  return ms;
}

/** Starts the re-training compaction and returns at once (the spec kills what runs it). */
export function startCompact(): void {
  void open!.compact().catch(() => undefined);
}

interface StoredState {
  compression?: { tables: number; centroids: number };
  segments: Array<{ tables?: number }>;
}

function readManifest(index: string): Promise<StoredState> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(`colbert-web/index/${index}`);
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const db = request.result;
      const get = db.transaction('manifest').objectStore('manifest').get('manifest');
      get.onerror = () => reject(get.error);
      get.onsuccess = () => {
        db.close();
        resolve(get.result as StoredState);
      };
    };
  });
}

/** Where the killed compaction had got to, as IndexedDB holds it (read before the index is opened again). */
export async function storedState(index: string, firstTables: number): Promise<'first tables' | 'new tables, segments re-coding' | 'new tables, all re-coded'> {
  const m = await readManifest(index);
  const tables = m.compression!.tables;
  if (tables === firstTables) return 'first tables';
  return m.segments.every((s) => s.tables === tables) ? 'new tables, all re-coded' : 'new tables, segments re-coding';
}

/**
 * Opens the index again (after a kill, or the uninterrupted run's), lets a compaction finish what is due, and
 * returns its documents, what an exact search over all of them finds, and the centroids.
 */
export async function settle(index: string): Promise<{ documents: number; found: string[]; scores: Record<string, number>; centroids: number; beforeCompact: string[] }> {
  const search = await openIndex(index, 'shared');
  try {
    const beforeCompact = (await search.search(QUERY, { k: DOCUMENTS })).map((h) => h.id).sort();
    await search.compact();
    const info = await search.info();
    const hits = await search.search(QUERY, { k: DOCUMENTS, exact: true });
    return { documents: info.documents, found: hits.map((h) => h.id).sort(), scores: Object.fromEntries(hits.map((h) => [h.id, h.score])), centroids: info.centroids, beforeCompact };
  } finally {
    await search.close();
  }
}

export const allIds = (): string[] => Array.from({ length: DOCUMENTS }, (_, i) => `d${i}`).sort();
