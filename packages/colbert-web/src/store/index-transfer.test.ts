import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { randomStoreDocuments } from '../testing/random-documents.js';
import { testIdentity } from '../testing/test-identity.js';
import { openIndexStore } from './index-store.js';
import type { LoadedIndex } from './store-reads.js';

const DIM = 16;
let n = 0;
const fresh = (): string => `transfer-${Date.now()}-${n++}`;

function flat(l: LoadedIndex): { seqs: number[]; values: number[]; scales: number[] } {
  const dead = new Set(l.tombstones);
  const out = { seqs: [] as number[], values: [] as number[], scales: [] as number[] };
  for (const b of l.batches) {
    let row = 0;
    b.seqs.forEach((s, i) => {
      const len = b.lengths[i]!;
      if (!dead.has(s) && b.tokens.precision === 'int8') {
        out.seqs.push(s);
        out.values.push(...b.tokens.values.subarray(row * DIM, (row + len) * DIM));
        out.scales.push(...b.tokens.scales.subarray(row, row + len));
      }
      row += len;
    });
  }
  return out;
}

describe('import / export', () => {
  it('export → import into another index gives the same live documents bit for bit', async () => {
    const a = await openIndexStore(fresh(), { identity: testIdentity(DIM), segmentBytes: 4096 });
    await a.add(randomStoreDocuments({ seed: 21, count: 50, dim: DIM }));
    await a.remove(['doc-3', 'doc-30']);
    const blob = await a.export();
    const b = await openIndexStore(fresh(), { identity: testIdentity(DIM) });
    await b.add(randomStoreDocuments({ seed: 22, count: 5, dim: DIM, idPrefix: 'old-' }));
    const progress: number[] = [];
    expect(await b.import(blob, { onProgress: (e) => progress.push(e.loaded) })).toEqual({ documents: 48 });
    expect(progress.at(-1)).toBe(blob.size);
    const fa = flat(await a.load());
    const fb = flat(await b.load());
    expect(fb.values).toEqual(fa.values);
    expect(fb.scales).toEqual(fa.scales);
    // Renumbered after b's own seqs (never reused), order kept.
    expect(fb.seqs[0]).toBe(5);
    const [first] = await b.documents([fb.seqs[0]!]);
    expect(first?.id).toBe('doc-0');
    expect((await b.stats()).documents).toBe(48);
    expect((await b.documents([0]))[0]).toBeUndefined();
    await a.close();
    await b.close();
  });

  it('a truncated, tampered or other-model file is refused and the index is unchanged', async () => {
    const a = await openIndexStore(fresh(), { identity: testIdentity(DIM) });
    await a.add(randomStoreDocuments({ seed: 23, count: 20, dim: DIM }));
    const bytes = new Uint8Array(await (await a.export()).arrayBuffer());
    const b = await openIndexStore(fresh(), { identity: testIdentity(DIM) });
    await b.add(randomStoreDocuments({ seed: 24, count: 3, dim: DIM }));
    const before = flat(await b.load());
    const tampered = bytes.slice();
    tampered[200] = tampered[200]! ^ 4;
    await expect(b.import(new Blob([bytes.slice(0, bytes.length - 10)]))).rejects.toMatchObject({ code: 'INDEX_FILE_INVALID' });
    await expect(b.import(new Blob([tampered]))).rejects.toMatchObject({ code: 'INDEX_FILE_INVALID' });
    const other = await openIndexStore(fresh(), { identity: testIdentity(DIM, 'c'.repeat(64)) });
    await expect(other.import(new Blob([bytes]))).rejects.toMatchObject({ code: 'INDEX_MODEL_MISMATCH' });
    expect(flat(await b.load())).toEqual(before);
    const db = await b.context.db();
    expect((await db.getAllKeys('segments')).length).toBe(1);
    expect(await db.count('documents')).toBe(3);
    await Promise.all([a.close(), b.close(), other.close()]);
  });
});
