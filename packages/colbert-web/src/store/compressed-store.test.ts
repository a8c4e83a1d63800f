import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { ColbertError, ErrorCode } from '../errors.js';
import { trainCompression } from '../scoring/compressed/build-compressed.js';
import { CompressedCorpus } from '../scoring/compressed/compressed-corpus.js';
import { decodeTokens } from '../scoring/reference-f64.js';
import { referenceDecodeToken } from '../scoring/compressed/reference-f64.js';
import { storeTokens } from '../scoring/token-matrix.js';
import { randomStoreDocuments } from '../testing/random-documents.js';
import { testIdentity } from '../testing/test-identity.js';
import type { StoreDocument } from './add-input.js';
import { openIndexStore } from './index-store.js';
import type { IndexStore } from './index-store.js';
import { emptyManifest } from './manifest.js';
import type { CodedSegmentRecord, Manifest } from './records.js';
import { databaseName } from './schema.js';
import type { LoadedIndex } from './store-reads.js';
import { makeSegmentRecord } from './segment-record.js';

let counter = 0;
const fresh = (): string => `compressed-${Date.now()}-${counter++}`;
const DIM = 16;
const TRAIN = { iterations: 2 };

async function open(name: string, nbits: 2 | 4 | null = 2): Promise<IndexStore> {
  return openIndexStore(name, { identity: testIdentity(DIM), segmentBytes: 4096, ...(nbits ? { nbits } : {}) });
}

/** The float32 rows the store codes: int8 + scale decoded, as an independent path computes them. */
function storedRows(docs: readonly StoreDocument[]): Float32Array {
  const parts = docs.map((d) => Float32Array.from(decodeTokens(storeTokens(d.encoded.vectors, DIM, 'int8'))));
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** seq → codes and residuals of each live coded document of a load. */
function codedBySeq(loaded: LoadedIndex): Map<number, { codes: number[]; residuals: number[] }> {
  const dead = new Set(loaded.tombstones);
  const out = new Map<number, { codes: number[]; residuals: number[] }>();
  for (const b of loaded.coded) {
    const bytes = b.residuals.length / b.codes.length;
    b.seqs.forEach((seq, i) => {
      if (dead.has(seq)) return;
      const [from, to] = [b.tokenStart[i]!, b.tokenStart[i + 1]!];
      out.set(seq, { codes: Array.from(b.codes.subarray(from, to)), residuals: Array.from(b.residuals.subarray(from * bytes, to * bytes)) });
    });
  }
  return out;
}

describe('compressed index in IndexedDB (fake-indexeddb)', () => {
  it('trains from stored rows, codes every segment as an in-memory corpus of the same rows would, and keeps ids', async () => {
    const store = await open(fresh(), 4);
    const docs = randomStoreDocuments({ seed: 11, count: 60, dim: DIM });
    await store.add(docs);
    expect((await store.stats()).centroids).toBe(0);
    expect(await store.train(TRAIN)).toBe(true);
    expect(await store.train(TRAIN)).toBe(false);
    const segments = (await store.load()).segments.length;
    expect(await store.convert()).toBe(segments);
    const loaded = await store.load();
    expect(loaded.batches).toHaveLength(0);
    expect(loaded.tables.size).toBe(1);

    // The oracle: the same stored rows trained and coded in memory by the compressed module alone.
    const rows = storedRows(docs);
    const { table, codec } = trainCompression(rows, DIM, { nbits: 4, ...TRAIN });
    const [tables] = [...loaded.tables.values()];
    expect(Array.from(tables!.table.centroids)).toEqual(Array.from(table.centroids));
    expect(Array.from(tables!.codec.cutoffs)).toEqual(Array.from(codec.cutoffs));
    const corpus = CompressedCorpus.create(table, codec);
    corpus.append({ vectors: rows, lengths: Uint32Array.from(docs, (d) => d.encoded.rows), seqs: Uint32Array.from(docs.keys()) });
    const coded = codedBySeq(loaded);
    const bytes = corpus.residualBytes;
    docs.forEach((_, seq) => {
      const [from, to] = [corpus.tokenStart[seq]!, corpus.tokenStart[seq + 1]!];
      expect(coded.get(seq)).toEqual({ codes: Array.from(corpus.codes.subarray(from, to)), residuals: Array.from(corpus.residuals.subarray(from * bytes, to * bytes)) });
    });
    const stats = await store.stats();
    expect(stats).toMatchObject({ nbits: 4, centroids: table.centroids.length / DIM, documents: 60, codedTokens: stats.tokens });
    // codes (4 B) + residuals (16·4/8 = 8 B) per token, plus the shared tables and 8 B per document.
    expect(stats.bytes.vectors).toBe(stats.tokens * 12 + 60 * 8 + table.centroids.byteLength + table.coarse.byteLength + table.coarseStart.byteLength + codec.cutoffs.byteLength + codec.weights.byteLength);
    expect((await store.documents([7]))[0]?.id).toBe('doc-7');
    await store.close();
  });

  it('adds after training land as vectors, are coded with the same tables, and removes, upserts and compaction keep working', async () => {
    const store = await open(fresh());
    const docs = randomStoreDocuments({ seed: 12, count: 40, dim: DIM });
    await store.add(docs);
    await store.train(TRAIN);
    await store.convert();
    const before = codedBySeq(await store.load());
    const tablesBefore = [...(await store.load()).tables.keys()];
    await store.add(randomStoreDocuments({ seed: 13, count: 10, dim: DIM, firstIndex: 40 }));
    await store.add(randomStoreDocuments({ seed: 14, count: 2, dim: DIM, firstIndex: 3 })); // upsert doc-3, doc-4
    await store.remove(['doc-10']);
    let loaded = await store.load();
    expect(loaded.batches.length).toBeGreaterThan(0);
    expect(await store.convert()).toBeGreaterThan(0);
    loaded = await store.load();
    expect(loaded.batches).toHaveLength(0);
    expect([...loaded.tables.keys()]).toEqual(tablesBefore);
    const after = codedBySeq(loaded);
    expect(after.has(3) || after.has(4) || after.has(10)).toBe(false);
    expect(after.size).toBe(40 + 10 + 2 - 3);
    for (const [seq, c] of before) if (seq !== 3 && seq !== 4 && seq !== 10) expect(after.get(seq)).toEqual(c);
    const compacted = await store.compact();
    // The coded segments holding the replaced doc-3, doc-4 and the removed doc-10 are rewritten without them.
    expect(compacted.documentsPurged).toBe(3);
    const merged = await store.load();
    expect(codedBySeq(merged)).toEqual(after);
    expect((await store.stats()).tombstones).toBe(0);
    // A small segment of vectors never merges into a small coded one (the last coded segment holds 2 documents).
    await store.add(randomStoreDocuments({ seed: 17, count: 1, dim: DIM, firstIndex: 90 }));
    await store.compact();
    const last = (await store.load()).segments.slice(-2);
    expect(last.map((s) => s.tables === undefined)).toEqual([false, true]);
    await store.close();
  });

  it('re-trains once grown 4× (every row sampled, codes decoded), re-codes oldest first, resumes after a crash mid-way', async () => {
    const name = fresh();
    const store = await open(name);
    await store.add(randomStoreDocuments({ seed: 18, count: 10, dim: DIM }));
    await store.train(TRAIN);
    await store.convert();
    const first = (await store.load()).segments[0]!.tables!;
    expect(await store.train({ ...TRAIN, retrain: true })).toBe(false); // not grown yet
    await store.add(randomStoreDocuments({ seed: 19, count: 40, dim: DIM, firstIndex: 10 }));
    await store.convert();
    const before = await store.load();
    expect(await store.train({ ...TRAIN, retrain: true })).toBe(true);
    const second = (await store.stats()).tables!;
    expect(second).not.toBe(first);

    // The oracle: every stored row as the reference decodes it (codes of the first tables) — then trained and coded in memory.
    const reference = CompressedCorpus.create(before.tables.get(first)!.table, before.tables.get(first)!.codec);
    for (const b of before.coded) reference.appendCoded(b);
    const rows = new Float32Array(reference.tokens * DIM);
    for (let t = 0; t < reference.tokens; t++) rows.set(Float32Array.from(referenceDecodeToken(reference, t)), t * DIM);
    const { table, codec } = trainCompression(rows, DIM, { nbits: 2, ...TRAIN });
    const expected = CompressedCorpus.create(table, codec);
    expected.append({ vectors: rows, lengths: Uint32Array.from({ length: reference.size }, (_, d) => reference.tokenStart[d + 1]! - reference.tokenStart[d]!), seqs: reference.seqs.slice() });

    // A crash after one re-coding step, and a torn write of the next one (a segment no manifest lists).
    expect(await store.convert({ maxSteps: 1 })).toBe(1);
    const db = await store.context.db();
    const m = (await db.get('manifest', 'manifest')) as Manifest;
    await db.put('segments', { ...((await db.get('segments', m.segments.at(-1)!.id)) as CodedSegmentRecord), id: m.nextSegment });
    await store.close();
    const reopened = await open(name);
    expect(reopened.opened.orphanSegments).toBe(1);
    const mixed = await reopened.load();
    expect(mixed.tables.size).toBe(2);
    expect(mixed.coded.reduce((n, b) => n + b.seqs.length, 0)).toBe(50);
    expect(await reopened.convert()).toBeGreaterThan(0);
    const done = await reopened.load();
    expect([...done.tables.keys()]).toEqual([second]);
    expect(await (await reopened.context.db()).get('tables', first)).toBeUndefined();
    const coded = codedBySeq(done);
    expect(coded.size).toBe(50);
    const bytes = expected.residualBytes;
    for (let d = 0; d < expected.size; d++) {
      const [from, to] = [expected.tokenStart[d]!, expected.tokenStart[d + 1]!];
      expect(coded.get(expected.seqs[d]!)).toEqual({ codes: Array.from(expected.codes.subarray(from, to)), residuals: Array.from(expected.residuals.subarray(from * bytes, to * bytes)) });
    }
    await reopened.close();
  });

  it('a corrupt code, a damaged segment or missing tables are INDEX_CORRUPT, never a wrong load', async () => {
    const name = fresh();
    const store = await open(name);
    await store.add(randomStoreDocuments({ seed: 15, count: 20, dim: DIM }));
    await store.train(TRAIN);
    await store.convert();
    const db = await store.context.db();
    const m = (await db.get('manifest', 'manifest')) as Manifest;
    const segment = (await db.get('segments', m.segments[0]!.id)) as CodedSegmentRecord;
    const fail = async (): Promise<ColbertError> => (await store.load().catch((e: unknown) => e)) as ColbertError;

    const flipped = segment.codes.slice();
    flipped[0] = flipped[0]! ^ 1;
    await db.put('segments', { ...segment, codes: flipped });
    expect(await fail()).toMatchObject({ code: ErrorCode.IndexCorrupt, subject: `segments/${segment.id}` });

    // A code past the centroids with a matching checksum still fails, on the table it names.
    const unchecked = await openIndexStore(name, { identity: testIdentity(DIM), verify: false });
    const beyond = segment.codes.slice();
    beyond[1] = m.compression!.centroids;
    await db.put('segments', { ...segment, codes: beyond });
    const error = (await unchecked.load().catch((e: unknown) => e)) as ColbertError;
    expect(error).toBeInstanceOf(ColbertError);
    expect(error).toMatchObject({ code: ErrorCode.IndexCorrupt, subject: 'codes' });
    const short = { ...segment, residuals: segment.residuals.subarray(1) };
    await db.put('segments', short);
    expect(await unchecked.load().catch((e: unknown) => e)).toMatchObject({ code: ErrorCode.IndexCorrupt, subject: 'residuals' });

    await db.put('segments', segment);
    await store.load();
    await db.delete('tables', m.compression!.tables);
    expect(await fail()).toMatchObject({ code: ErrorCode.IndexCorrupt, subject: `tables/${m.compression!.tables}` });
    await unchecked.close();
    await store.close();
  });

  it('opens an index written by schema version 1 (no tables store, no nbits) and compresses it once asked to', async () => {
    const name = fresh();
    const docs = randomStoreDocuments({ seed: 16, count: 12, dim: DIM });
    const v1 = await openDB(databaseName(name), 1, {
      upgrade(database) {
        database.createObjectStore('manifest');
        database.createObjectStore('segments', { keyPath: 'id' });
        database.createObjectStore('documents', { keyPath: 'seq' }).createIndex('id', 'id', { unique: false });
      },
    });
    const tokens = storeTokens(docs[0]!.encoded.vectors, DIM, 'int8');
    const record = makeSegmentRecord(0, tokens, Uint32Array.of(tokens.rows), Uint32Array.of(0));
    await v1.put('manifest', { ...emptyManifest(testIdentity(DIM), 'int8'), generation: 1, nextSeq: 1, nextSegment: 1, segments: [{ id: 0, documents: 1, tokens: tokens.rows, firstSeq: 0, lastSeq: 0, vectorBytes: 1, spanBytes: 0, recordBytes: 0 }] }, 'manifest');
    await v1.put('segments', record);
    v1.close();

    const plain = await open(name, null);
    expect((await plain.load()).batches[0]!.tokens.values).toEqual(tokens.values);
    expect((await plain.stats()).nbits).toBeNull();
    expect(await plain.train()).toBe(false);
    await plain.close();
    const compressing = await open(name, 2);
    expect((await compressing.stats()).nbits).toBe(2);
    expect(await open(name, 4).catch((e: unknown) => e)).toMatchObject({ code: ErrorCode.IndexModelMismatch, subject: 'nbits' });
    expect(await openIndexStore(name, { identity: testIdentity(DIM), nbits: 3 as 2 }).catch((e: unknown) => e)).toMatchObject({ code: ErrorCode.InvalidInput, subject: 'nbits' });
    await compressing.close();
  });
});
