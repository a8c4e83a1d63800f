import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ColbertError, ErrorCode } from '../errors.js';
import { poolTokens } from '../model/pooling/token-pooling.js';
import { randomStoreDocuments } from '../testing/random-documents.js';
import { testIdentity } from '../testing/test-identity.js';
import type { StoreDocument } from './add-input.js';
import { IndexFileReader } from './index-file-reader.js';
import { IndexFileWriter } from './index-file-writer.js';
import { openIndexStore } from './index-store.js';

const DIM = 16;
let n = 0;
const fresh = (): string => `pooled-${Date.now()}-${n++}`;

/** Random documents pooled at `factor` with the real pooling code: fewer rows, tokenRows per token. */
function pooledDocuments(seed: number, count: number, factor: number): StoreDocument[] {
  return randomStoreDocuments({ seed, count, dim: DIM }).map((doc) => {
    const { rows, vectors, rowOf } = poolTokens(doc.encoded.vectors, doc.encoded.rows, DIM, factor);
    return { ...doc, encoded: { ...doc.encoded, rows, vectors, tokenRows: rowOf } };
  });
}

async function rejection(promise: Promise<unknown>): Promise<ColbertError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ColbertError);
  return error as ColbertError;
}

describe('pooled index (poolFactor stored with the index)', () => {
  it('keeps its factor across opens; another factor is INDEX_MODEL_MISMATCH naming both', async () => {
    const name = fresh();
    const store = await openIndexStore(name, { identity: testIdentity(DIM), poolFactor: 2 });
    const docs = pooledDocuments(3, 12, 2);
    await store.add(docs);
    await store.close();
    const again = await openIndexStore(name, { identity: testIdentity(DIM) });
    expect(again.poolFactor).toBe(2);
    const stats = await again.stats();
    expect(stats.tokens).toBe(docs.reduce((s, d) => s + d.encoded.rows, 0));
    const [first] = await again.documents([0]);
    expect(first!.tokenRows).toEqual(docs[0]!.encoded.tokenRows);
    expect(first!.tokenIds).toEqual(docs[0]!.encoded.ids);
    await again.close();
    const mismatch = await rejection(openIndexStore(name, { identity: testIdentity(DIM), poolFactor: 3 }));
    expect(mismatch.code).toBe(ErrorCode.IndexModelMismatch);
    expect(mismatch.message).toContain('poolFactor 2');
    expect(mismatch.message).toContain('poolFactor 3');
    for (const bad of [0, 1.5, -1]) {
      expect((await rejection(openIndexStore(fresh(), { identity: testIdentity(DIM), poolFactor: bad }))).code).toBe(ErrorCode.InvalidInput);
    }
  });

  it('refuses documents pooled differently from the index', async () => {
    const pooled = await openIndexStore(fresh(), { identity: testIdentity(DIM), poolFactor: 2 });
    const plainInPooled = await rejection(pooled.add(randomStoreDocuments({ seed: 1, count: 1, dim: DIM })));
    expect(plainInPooled.subject).toBe('documents[0].encoded.tokenRows');
    const plain = await openIndexStore(fresh(), { identity: testIdentity(DIM) });
    expect(plain.poolFactor).toBe(1);
    expect((await rejection(plain.add(pooledDocuments(1, 1, 2)))).code).toBe(ErrorCode.InvalidInput);
    const broken = pooledDocuments(2, 1, 2)[0]!;
    const tokenRows = broken.encoded.tokenRows!.slice();
    tokenRows[3] = broken.encoded.rows;
    expect((await rejection(pooled.add([{ ...broken, encoded: { ...broken.encoded, tokenRows } }]))).message).toContain('outside');
    await Promise.all([pooled.close(), plain.close()]);
  });

  it('export → import carries the factor and every token row; the importing index takes the file’s factor', async () => {
    const source = await openIndexStore(fresh(), { identity: testIdentity(DIM), poolFactor: 3, segmentBytes: 2048 });
    const docs = pooledDocuments(9, 30, 3);
    await source.add(docs);
    const blob = await source.export();
    const target = await openIndexStore(fresh(), { identity: testIdentity(DIM) });
    expect(await target.import(blob)).toEqual({ documents: 30 });
    expect(target.poolFactor).toBe(3);
    const stored = await target.documents(docs.map((_, i) => i));
    stored.forEach((d, i) => {
      expect(d!.id).toBe(docs[i]!.id);
      expect(d!.tokenRows).toEqual(docs[i]!.encoded.tokenRows);
      expect(d!.spans).toEqual(docs[i]!.encoded.spans);
    });
    // The file says so in its identity chunk.
    const items = new IndexFileReader().push(new Uint8Array(await blob.arrayBuffer()));
    expect(items[0]).toMatchObject({ kind: 'identity', poolFactor: 3 });
    expect(items.filter((i) => i.kind === 'segment').length).toBeGreaterThan(1);
    await Promise.all([source.close(), target.close()]);
  });

  it('files without pooling are written exactly as before: no poolFactor in the identity, read back as 1', () => {
    const identity = testIdentity(DIM);
    const start = new IndexFileWriter().start(identity, 'int8');
    expect(new IndexFileWriter().start(identity, 'int8', 1)).toEqual(start);
    const text = new TextDecoder().decode(start.subarray(16 + 8, start.length - 4));
    expect(JSON.parse(text)).toEqual({ identity, precision: 'int8' });
    expect(new IndexFileReader().push(start)[0]).toMatchObject({ kind: 'identity', poolFactor: 1 });
  });
});
