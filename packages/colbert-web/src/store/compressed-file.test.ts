import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors.js';
import { trainCompression } from '../scoring/compressed/build-compressed.js';
import { CompressedCorpus } from '../scoring/compressed/compressed-corpus.js';
import { randomStoreDocuments } from '../testing/random-documents.js';
import { testIdentity } from '../testing/test-identity.js';
import { prepareDocuments } from './add-input.js';
import { IndexFileReader } from './index-file-reader.js';
import type { FileItem } from './index-file-reader.js';
import type { FileCodedSegment } from './index-file-segment.js';
import type { FileTables } from './index-file-tables.js';
import { IndexFileWriter } from './index-file-writer.js';
import { openIndexStore } from './index-store.js';
import { documentsToFileSegment } from './segment-convert.js';
import type { LoadedIndex } from './store-reads.js';

const DIM = 16;
let n = 0;
const fresh = (): string => `cfile-${Date.now()}-${n++}`;

/** In file order: each live document's id → its codes and residuals (coded) or int8 values (vectors). */
async function contents(store: Awaited<ReturnType<typeof openIndexStore>>): Promise<[string, string, number[]][]> {
  const loaded: LoadedIndex = await store.load();
  const dead = new Set(loaded.tombstones);
  const rows: [number, string, number[]][] = [];
  for (const b of loaded.coded) {
    const bytes = b.residuals.length / b.codes.length;
    b.seqs.forEach((seq, i) => {
      const [from, to] = [b.tokenStart[i]!, b.tokenStart[i + 1]!];
      if (!dead.has(seq)) rows.push([seq, 'coded', [...b.codes.subarray(from, to), ...b.residuals.subarray(from * bytes, to * bytes)]]);
    });
  }
  for (const b of loaded.batches) {
    let row = 0;
    b.seqs.forEach((seq, i) => {
      const len = b.lengths[i]!;
      if (!dead.has(seq)) rows.push([seq, 'vectors', Array.from(b.tokens.values.subarray(row * DIM, (row + len) * DIM))]);
      row += len;
    });
  }
  rows.sort((a, b) => a[0] - b[0]);
  const docs = await store.documents(rows.map((r) => r[0]));
  return rows.map((r, i) => [docs[i]!.id, r[1], r[2]]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function readAll(bytes: Uint8Array): FileItem[] {
  const reader = new IndexFileReader();
  const items = reader.push(bytes);
  reader.finish();
  return items;
}

/** A small compressed file written by hand: tables, one compressed segment (codes possibly tampered), a SEGM. */
function handMade(options: { code?: number; segmentFirst?: boolean; version1?: boolean; coarseStart?: Uint32Array } = {}): Uint8Array {
  const docs = prepareDocuments(randomStoreDocuments({ seed: 41, count: 8, dim: DIM }), DIM);
  const vectors = new Float32Array(docs.flatMap((d) => Array.from(d.vectors)));
  const lengths = Uint32Array.from(docs, (d) => d.vectors.length / DIM);
  const { table, codec } = trainCompression(vectors, DIM, { nbits: 2, iterations: 1 });
  const corpus = CompressedCorpus.create(table, codec);
  corpus.append({ vectors, lengths, seqs: Uint32Array.from(docs.keys()) });
  const tables: FileTables = { table: { ...table, ...(options.coarseStart ? { coarseStart: options.coarseStart } : {}) }, codec, trainedTokens: vectors.length / DIM };
  const plain = documentsToFileSegment(docs.slice(0, 4), 0, DIM, 'int8');
  const codes = corpus.codes.slice(0, plain.tokens.rows);
  if (options.code !== undefined) codes[1] = options.code;
  const coded: FileCodedSegment = { ...plain, codes, residuals: corpus.residuals.slice(0, plain.tokens.rows * corpus.residualBytes) };
  const later = documentsToFileSegment(docs.slice(4), 4, DIM, 'int8');
  const w = new IndexFileWriter();
  const start = w.start(testIdentity(DIM), 'int8', 1, options.version1 ? undefined : 2);
  const segments = options.segmentFirst ? [w.segment(documentsToFileSegment(docs.slice(0, 4), 0, DIM, 'int8')), w.codedSegment({ ...coded, seqs: Uint32Array.of(4, 5, 6, 7) }, tables)] : [w.codedSegment(coded, tables), w.segment(later)];
  return concat([start, w.tables(tables), ...segments, w.end()]);
}

describe('compressed .cwi files (version 2)', () => {
  it('export → import keeps codes, residuals, vectors, tombstones out, the tables and nbits; plain files stay version 1', async () => {
    const a = await openIndexStore(fresh(), { identity: testIdentity(DIM), segmentBytes: 4096, nbits: 2 });
    await a.add(randomStoreDocuments({ seed: 42, count: 40, dim: DIM }));
    await a.train({ iterations: 2 });
    await a.convert();
    await a.add(randomStoreDocuments({ seed: 43, count: 6, dim: DIM, firstIndex: 40 })); // an uncoded tail
    await a.remove(['doc-2', 'doc-41']);
    const blob = await a.export();
    const bytes = new Uint8Array(await blob.arrayBuffer());
    expect(new DataView(bytes.buffer).getUint32(8, true)).toBe(2);
    const kinds = readAll(bytes).map((i) => i.kind);
    expect(kinds[0]).toBe('identity');
    expect(kinds[1]).toBe('tables');
    expect(kinds.lastIndexOf('coded-segment')).toBeLessThan(kinds.indexOf('segment'));

    const b = await openIndexStore(fresh(), { identity: testIdentity(DIM) });
    await b.add(randomStoreDocuments({ seed: 44, count: 3, dim: DIM, idPrefix: 'old-' }));
    expect(await b.import(blob)).toEqual({ documents: 44 });
    expect(await contents(b)).toEqual(await contents(a));
    const [sa, sb] = [await a.stats(), await b.stats()];
    expect(sb).toMatchObject({ nbits: 2, centroids: sa.centroids, documents: 44, tokens: sa.tokens });
    // The imported index goes on compressing with the file's tables: its tail codes like the original's would.
    expect(await b.convert()).toBeGreaterThan(0);
    expect(await a.convert()).toBeGreaterThan(0);
    expect(await contents(b)).toEqual(await contents(a));

    const plain = await openIndexStore(fresh(), { identity: testIdentity(DIM) });
    await plain.add(randomStoreDocuments({ seed: 45, count: 3, dim: DIM }));
    const plainBytes = new Uint8Array(await (await plain.export()).arrayBuffer());
    expect(new DataView(plainBytes.buffer).getUint32(8, true)).toBe(1);
    // Importing a version-1 file drops the compression: the index holds what the file says.
    await b.import(new Blob([plainBytes]));
    expect(await b.stats()).toMatchObject({ nbits: null, centroids: 0, documents: 3 });
    for (const s of [a, b, plain]) await s.close();
  });

  it('reads a hand-made file and rejects a code past the centroids, bad tables and misplaced chunks as INDEX_FILE_INVALID', async () => {
    expect(readAll(handMade()).map((i) => i.kind)).toEqual(['identity', 'tables', 'coded-segment', 'segment', 'end']);
    const cases: [string, Uint8Array, RegExp][] = [
      ['a code past the centroids', handMade({ code: 1_000_000 }), /names centroid 1000000/],
      ['offsets of the coarse cells going backwards', handMade({ coarseStart: Uint32Array.of(0, 5, 3, 9) }), /compression tables/],
      ['a compressed segment after a segment of vectors', handMade({ segmentFirst: true }), /after a segment of vectors/],
      ['tables in a version 1 file', handMade({ version1: true }), /compression tables where none may be/],
    ];
    for (const [what, bytes, message] of cases) {
      let error: unknown;
      try {
        readAll(bytes);
      } catch (e) {
        error = e;
      }
      expect(error, what).toMatchObject({ code: ErrorCode.IndexFileInvalid });
      expect((error as Error).message, what).toMatch(message);
      // Nothing of a bad file reaches an index.
      const store = await openIndexStore(fresh(), { identity: testIdentity(DIM) });
      await store.add(randomStoreDocuments({ seed: 46, count: 2, dim: DIM }));
      await expect(store.import(new Blob([bytes as Uint8Array<ArrayBuffer>]))).rejects.toMatchObject({ code: ErrorCode.IndexFileInvalid });
      expect((await store.stats()).documents).toBe(2);
      await store.close();
    }
  });
});
