import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressCorpus, trainCompression } from '../scoring/compressed/build-compressed.js';
import { CompressedCorpus } from '../scoring/compressed/compressed-corpus.js';
import { referenceSearchCompressed } from '../scoring/compressed/reference-f64.js';
import { searchCompressed } from '../scoring/compressed/compressed-search.js';
import { HeapColumns } from '../scoring/compressed/token-columns.js';
import { clusteredCorpus } from '../testing/clustered-corpus.js';
import { compressedRankingMismatch } from '../testing/ranking.js';
import { createCompressedKernels, type CompressedKernels } from './compressed-kernels.js';
import { CompressedMirror } from './compressed-mirror.js';
import { WasmArena } from './wasm-arena.js';

// One copy of a compressed corpus: once the kernels search it, its token columns and fine centroids live in their
// WebAssembly memory only; appends, grows, another corpus, close and dispose keep every byte (compared with a twin
// corpus that never leaves JavaScript arrays) and the search results (against the float64 oracle).

const dim = 64;
const data = clusteredCorpus({ seed: 5, dim, lengths: Array.from({ length: 400 }, (_, i) => 3 + ((i * 17) % 50)), words: 1024, queries: 1 });
const query = data.queries[0]!;
const tables = trainCompression(data.vectors, dim, { nbits: 2, centroids: 128, seed: 1 });
const rowsOf = (from: number, to: number): { vectors: Float32Array; lengths: Uint32Array; seqs: Uint32Array } => {
  const start = data.lengths.subarray(0, from).reduce((n, l) => n + l, 0);
  const end = start + data.lengths.subarray(from, to).reduce((n, l) => n + l, 0);
  return { vectors: data.vectors.subarray(start * dim, end * dim), lengths: data.lengths.subarray(from, to), seqs: data.seqs.subarray(from, to) };
};
const corpusOf = (documents: number): CompressedCorpus => {
  const corpus = CompressedCorpus.create(tables.table, tables.codec);
  corpus.append(rowsOf(0, documents));
  return corpus;
};
/** Everything the corpus persists, copied out (compared with a twin's). */
const contents = (corpus: CompressedCorpus): unknown => {
  const t = corpus.tables();
  return { centroids: Array.from(t.centroids.centroids), seqs: Array.from(t.seqs), tokenStart: Array.from(t.tokenStart), codes: Array.from(t.codes), residuals: Array.from(t.residuals), removed: Array.from(t.removed) };
};
const expectOracle = async (kernels: CompressedKernels, corpus: CompressedCorpus): Promise<void> => {
  for (const exact of [true, false]) {
    const expected = referenceSearchCompressed(corpus, query, { k: 10, exact });
    expect(compressedRankingMismatch((await kernels.search(corpus, query, { k: 10, exact })).hits, expected)).toBeUndefined();
    expect(compressedRankingMismatch(searchCompressed(corpus, query, { k: 10, exact }).hits, expected)).toBeUndefined();
  }
};

let kernels: CompressedKernels;
beforeAll(async () => {
  kernels = await createCompressedKernels({ threads: 2 });
});
afterAll(() => kernels.dispose());

describe('one copy of a compressed corpus', () => {
  it('moves the columns and centroids into the kernels memory on the first search, bytes unchanged', async () => {
    const corpus = corpusOf(300);
    const twin = corpusOf(300);
    const heapBefore = corpus.heapBytes;
    const memoryBefore = kernels.memoryBytes;
    await kernels.search(corpus, query, { k: 10 });
    expect(corpus.columnStore).toBeInstanceOf(CompressedMirror);
    // What left JavaScript: at least the codes, residuals, offsets and centroids, each once.
    const moved = corpus.tokens * (4 + corpus.residualBytes) + 4 * (corpus.size + 1) + tables.table.centroids.byteLength;
    expect(heapBefore - corpus.heapBytes).toBeGreaterThanOrEqual(moved);
    expect(kernels.memoryBytes - memoryBefore).toBeLessThan(1.25 * moved + (1 << 20));
    expect(contents(corpus)).toEqual(contents(twin));
    await expectOracle(kernels, corpus);
  });

  it('appends write into the kernels memory, grow in place past the room, and give the same bytes', async () => {
    const corpus = corpusOf(100);
    const twin = corpusOf(100);
    await kernels.search(corpus, query, { k: 10 });
    const mirror = corpus.columnStore as CompressedMirror;
    const generation = mirror.generation;
    const tokenStart = mirror.tokenStart;
    for (const [from, to] of [[100, 104], [104, 400]] as const) {
      corpus.append(rowsOf(from, to));
      twin.append(rowsOf(from, to));
    }
    // Many one-token documents: the offsets' room grows far more than the codes' room left, so the codes move up
    // over where the residuals were (the copy order must move the residuals first).
    const tiny = { vectors: data.vectors.subarray(0, 3000 * dim), lengths: new Uint32Array(3000).fill(1), seqs: Uint32Array.from({ length: 3000 }, (_, i) => 400 + i) };
    corpus.append(tiny);
    twin.append(tiny);
    corpus.remove([7, 250]);
    twin.remove([7, 250]);
    expect(corpus.columnStore).toBe(mirror);
    expect(mirror.generation).toBeGreaterThan(generation); // 300 documents did not fit the room of 100
    expect(mirror.tokenStart).toBe(tokenStart); // grown in place
    expect(contents(corpus)).toEqual(contents(twin));
    await expectOracle(kernels, corpus);
  });

  it('a grow while kernels may read copies the columns above, leaving the old ones intact, and settles back down', () => {
    const arena = new WasmArena(false, 1024);
    const corpus = corpusOf(50);
    const twin = corpusOf(50);
    const mirror = CompressedMirror.lay(arena, corpus);
    const old = { at: mirror.codes, codes: Array.from(corpus.codes) };
    mirror.busy = true;
    corpus.append(rowsOf(50, 400));
    twin.append(rowsOf(50, 400));
    expect(mirror.codes).toBeGreaterThan(old.at);
    expect(Array.from(arena.u32(old.at, old.codes.length))).toEqual(old.codes);
    expect(contents(corpus)).toEqual(contents(twin));
    const relocated = { at: mirror.tokenStart, top: arena.used };
    mirror.settle(); // still busy: stays
    expect(mirror.tokenStart).toBe(relocated.at);
    mirror.busy = false;
    mirror.settle();
    expect(mirror.tokenStart).toBeLessThan(old.at);
    expect(arena.used).toBeLessThan(relocated.top - 4 * old.codes.length); // the copy's old place is free again
    expect(contents(corpus)).toEqual(contents(twin));
  });

  it('another corpus takes the memory: the first moves back to JavaScript arrays, both stay searchable', async () => {
    const first = corpusOf(200);
    const second = compressCorpus(rowsOf(0, 150), dim, { nbits: 4, centroids: 32 });
    const twin = corpusOf(200);
    await kernels.search(first, query, { k: 10 });
    await kernels.search(second, query, { k: 10 });
    expect(first.columnStore).toBeInstanceOf(HeapColumns);
    expect(second.columnStore).toBeInstanceOf(CompressedMirror);
    expect(contents(first)).toEqual(contents(twin));
    await expectOracle(kernels, first);
    await expectOracle(kernels, second);
  });

  it('a closed corpus is not copied back out; disposed kernels hand their corpus back to JavaScript arrays', async () => {
    const closed = corpusOf(100);
    await kernels.search(closed, query, { k: 10 });
    const mirror = closed.columnStore as CompressedMirror;
    closed.close();
    expect(mirror.holds).toBe(false);
    expect([closed.size, closed.tokens]).toEqual([0, 0]);
    const other = await createCompressedKernels({ threads: 1 });
    const corpus = corpusOf(120);
    const twin = corpusOf(120);
    await other.search(corpus, query, { k: 10 });
    expect(corpus.columnStore).toBeInstanceOf(CompressedMirror);
    other.dispose();
    expect(corpus.columnStore).toBeInstanceOf(HeapColumns);
    expect(contents(corpus)).toEqual(contents(twin));
    await expectOracle(kernels, corpus);
  });
});
