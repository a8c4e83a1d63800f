// What the store browser tests check after a crash, compaction or import: every acknowledged batch present and
// bit-exact, no batch half-present, no segment or record outside the manifest.
import { openDB } from 'idb';
import { databaseName } from '../../packages/colbert-web/src/store/schema.js';
import type { IndexSchema } from '../../packages/colbert-web/src/store/schema.js';
import { openIndexStore } from '../../packages/colbert-web/src/store/index-store.js';
import { storeTokens } from '../../packages/colbert-web/src/scoring/token-matrix.js';
import { randomStoreDocuments } from '../../packages/colbert-web/src/testing/random-documents.js';
import { rowsBySeq } from '../../packages/colbert-web/src/testing/stored-rows.js';
import { testIdentity } from '../../packages/colbert-web/src/testing/test-identity.js';

/** A batch of seeded documents (ids `${prefix}${i}`), added with one add(). */
export interface BatchSpec {
  seed: number;
  count: number;
  prefix: string;
}

export interface CheckReport {
  documents: number;
  /** Batches fully present, by index. */
  present: number[];
  /** Problems found (empty when consistent). */
  problems: string[];
  orphansRemovedOnOpen: { orphanSegments: number; orphanDocuments: number };
  segments: number;
}


const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => Object.is(v, b[i]));

/**
 * Opens the index (which removes uncommitted leftovers), then checks it against the batch specs: `acked` batches
 * must be present bit-exact; every other batch all-or-nothing; `removed` ids absent; no orphans in IndexedDB.
 */
export async function checkIndex(name: string, dim: number, batches: readonly BatchSpec[], acked: readonly number[], removed: readonly string[] = []): Promise<CheckReport> {
  const store = await openIndexStore(name, { identity: testIdentity(dim) });
  const problems: string[] = [];
  const loaded = await store.load();
  const rows = rowsBySeq(loaded);
  const seqs = [...rows.keys()];
  const docs = await store.documents(seqs);
  const byId = new Map<string, { seq: number; text: string | undefined }>();
  docs.forEach((d, i) => {
    if (!d) return problems.push(`seq ${seqs[i]} has vectors but no record`);
    if (byId.has(d.id)) problems.push(`id ${d.id} is live twice`);
    byId.set(d.id, { seq: seqs[i]!, text: d.text });
  });
  const gone = new Set(removed);
  const present: number[] = [];
  batches.forEach((spec, b) => {
    const expected = randomStoreDocuments({ seed: spec.seed, count: spec.count, dim, idPrefix: spec.prefix });
    const live = expected.filter((d) => !gone.has(d.id));
    const found = live.filter((d) => byId.has(d.id));
    if (found.length === live.length && live.length > 0) present.push(b);
    else if (found.length > 0) problems.push(`batch ${b} is half-present (${found.length}/${live.length})`);
    if (acked.includes(b) && found.length !== live.length) problems.push(`acknowledged batch ${b} is missing`);
    for (const d of found) {
      const hit = byId.get(d.id)!;
      const want = storeTokens(d.encoded.vectors, dim, 'int8');
      const got = rows.get(hit.seq)!;
      if (!same(got.values, want.values) || (want.precision === 'int8' && !same(got.scales, want.scales))) problems.push(`${d.id} vectors differ`);
      if (hit.text !== d.text) problems.push(`${d.id} text differs`);
    }
  });
  for (const id of removed) if (byId.has(id)) problems.push(`removed ${id} is still live`);
  const stats = await store.stats();
  if (stats.documents !== byId.size) problems.push(`stats say ${stats.documents} documents, load has ${byId.size}`);
  const report = { documents: byId.size, present, problems, orphansRemovedOnOpen: store.opened, segments: loaded.segments.length };
  await store.close();
  problems.push(...(await orphans(name)));
  return report;
}

/** Raw IndexedDB: segments the manifest does not list, records at or past nextSeq. */
export async function orphans(name: string): Promise<string[]> {
  const db = await openDB<IndexSchema>(databaseName(name));
  try {
    const m = await db.get('manifest', 'manifest');
    if (!m) return ['no manifest'];
    const listed = new Set(m.segments.map((s) => s.id));
    const keys = await db.getAllKeys('segments');
    const out = keys.filter((k) => !listed.has(k)).map((k) => `orphan segment ${k}`);
    const tail = await db.count('documents', IDBKeyRange.lowerBound(m.nextSeq));
    if (tail > 0) out.push(`${tail} orphan document records`);
    return out;
  } finally {
    db.close();
  }
}
