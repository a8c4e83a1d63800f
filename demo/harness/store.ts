// Exposes the IndexedDB store to Playwright (e2e/store.spec.ts, bench/store-browser.ts) through page.evaluate.
// A test page, not part of the demo.
import { openDB } from 'idb';
import { openIndexStore } from '../../packages/colbert-web/src/store/index-store.js';
import { databaseName } from '../../packages/colbert-web/src/store/schema.js';
import type { IndexSchema } from '../../packages/colbert-web/src/store/schema.js';
import type { SegmentRecord } from '../../packages/colbert-web/src/store/records.js';
import { randomStoreDocuments } from '../../packages/colbert-web/src/testing/random-documents.js';
import { testIdentity } from '../../packages/colbert-web/src/testing/test-identity.js';
import type { BatchSpec } from './store-checks.js';
import { checkIndex, orphans } from './store-checks.js';
import * as bench from './store-bench.js';

export interface WorkerRun {
  acked: number[];
  finished: boolean;
  error?: string;
}

/**
 * Runs the writer worker over `batches` and terminates it `killAfterMs` after it opened the index (never, when
 * undefined). Resolves with the batches whose add() resolved before the end.
 */
function runWorker(name: string, dim: number, segmentBytes: number, batches: BatchSpec[], killAfterMs?: number): Promise<WorkerRun> {
  const worker = new Worker(new URL('./store-worker.ts', import.meta.url), { type: 'module' });
  const run: WorkerRun = { acked: [], finished: false };
  return new Promise((resolve) => {
    const end = (): void => {
      worker.terminate();
      resolve(run);
    };
    worker.onmessage = (event: MessageEvent<{ type: string; batch?: number; message?: string }>) => {
      const m = event.data;
      if (m.type === 'opened' && killAfterMs !== undefined) setTimeout(end, killAfterMs);
      if (m.type === 'ack') run.acked.push(m.batch!);
      if (m.type === 'done') {
        run.finished = true;
        end();
      }
      if (m.type === 'error') {
        run.error = m.message;
        end();
      }
    };
    worker.postMessage({ name, dim, segmentBytes, batches });
  });
}

declare global {
  interface Window {
    onStoreAck?: (batch: number) => void;
  }
}

/** Adds batches from this page, one add() each, calling window.onStoreAck after each commit. */
async function addBatches(name: string, dim: number, batches: BatchSpec[], segmentBytes = 1 << 20): Promise<number[]> {
  const store = await openIndexStore(name, { identity: testIdentity(dim), segmentBytes });
  const acked: number[] = [];
  try {
    for (let i = 0; i < batches.length; i++) {
      const b = batches[i]!;
      await store.add(randomStoreDocuments({ seed: b.seed, count: b.count, dim, idPrefix: b.prefix }));
      acked.push(i);
      window.onStoreAck?.(i);
    }
  } finally {
    await store.close();
  }
  return acked;
}

async function deleteIndex(name: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const request = indexedDB.deleteDatabase(databaseName(name));
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error ?? new Error('deleteDatabase failed'));
  });
}

/** Flips one bit of a stored segment's vectors (what disk corruption looks like to the store). */
async function corruptSegment(name: string): Promise<number> {
  const db = await openDB<IndexSchema>(databaseName(name));
  try {
    const [key] = await db.getAllKeys('segments');
    const seg = (await db.get('segments', key!)) as SegmentRecord;
    const values = new Int8Array(seg.values as Int8Array);
    values[values.length >> 1] = values[values.length >> 1]! ^ 2;
    await db.put('segments', { ...seg, values });
    return key!;
  } finally {
    db.close();
  }
}

/** Tries an add and reports its error code (or 'ok'), then whether a later small add and load still work. */
async function addExpectingError(name: string, dim: number, batch: BatchSpec): Promise<string> {
  const store = await openIndexStore(name, { identity: testIdentity(dim), segmentBytes: 1 << 20 });
  try {
    await store.add(randomStoreDocuments({ seed: batch.seed, count: batch.count, dim, idPrefix: batch.prefix }));
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  } finally {
    await store.close();
  }
}

/** remove → compact → (caller reopens and checks). */
async function removeAndCompact(name: string, dim: number, ids: string[]): Promise<{ purged: number; rewritten: number }> {
  const store = await openIndexStore(name, { identity: testIdentity(dim), segmentBytes: 1 << 20 });
  try {
    await store.remove(ids);
    const r = await store.compact();
    return { purged: r.documentsPurged, rewritten: r.segmentsRewritten };
  } finally {
    await store.close();
  }
}

async function loadCode(name: string, dim: number): Promise<string> {
  const store = await openIndexStore(name, { identity: testIdentity(dim) });
  try {
    await store.load();
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  } finally {
    await store.close();
  }
}

const harness = { bench, runWorker, addBatches, checkIndex, orphans, deleteIndex, corruptSegment, addExpectingError, removeAndCompact, loadCode, openIndexStore, randomStoreDocuments, testIdentity };

declare global {
  interface Window {
    storeHarness: typeof harness;
    storeHarnessReady: boolean;
  }
}

window.storeHarness = harness;
window.storeHarnessReady = true;
