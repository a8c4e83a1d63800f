import { describe, expect, it } from 'vitest';
import { ColbertError, ErrorCode } from '../../errors.js';
import { clusteredCorpus } from '../../testing/clustered-corpus.js';
import { trainCompression } from './build-compressed.js';
import { CompressedCorpus } from './compressed-corpus.js';
import type { CompressedTables } from './compressed-tables.js';
import { searchCompressed } from './compressed-search.js';
import { referenceDecodeToken } from './reference-f64.js';

const dim = 64;
const data = clusteredCorpus({ seed: 21, dim, lengths: Array.from({ length: 160 }, (_, i) => 8 + ((i * 7) % 40)), words: 1024, queries: 4 });
const tokens = data.lengths.reduce((a, b) => a + b, 0);
const trained = { 2: trainCompression(data.vectors, dim, { nbits: 2, centroids: 128 }), 4: trainCompression(data.vectors, dim, { nbits: 4, centroids: 128 }) };

function slice(from: number, to: number): { vectors: Float32Array; lengths: Uint32Array; seqs: Uint32Array } {
  const start = data.lengths.subarray(0, from).reduce((a, b) => a + b, 0);
  const end = data.lengths.subarray(0, to).reduce((a, b) => a + b, 0);
  return { vectors: data.vectors.subarray(start * dim, end * dim), lengths: data.lengths.subarray(from, to), seqs: data.seqs.subarray(from, to) };
}

function build(nbits: 2 | 4): CompressedCorpus {
  const corpus = CompressedCorpus.create(trained[nbits].table, trained[nbits].codec);
  corpus.append(slice(0, 160));
  return corpus;
}

function errorOf(run: () => unknown): ColbertError {
  try {
    run();
  } catch (error) {
    if (error instanceof ColbertError) return error;
    throw error;
  }
  throw new Error('expected a ColbertError');
}

describe('compressed corpus', () => {
  it('decodes a hand-built token as normalize(centroid + bucket weights)', () => {
    const table = { dim: 4, coarse: Float32Array.of(1, 0, 0, 0), coarseStart: Uint32Array.of(0, 2), centroids: Float32Array.of(1, 0, 0, 0, 0, 1, 0, 0) };
    const codec = { dim: 4, nbits: 2, cutoffs: Float32Array.from({ length: 12 }, (_, j) => [-0.1, 0, 0.1][j % 3]!), weights: Float32Array.from({ length: 16 }, (_, j) => [-0.2, -0.05, 0.05, 0.2][j % 4]!) };
    const corpus = CompressedCorpus.create(table, codec);
    // (1, 0.3, 0, 0): centroid 0; residual (0, 0.3, 0, 0) → buckets 1, 3, 1, 1 → weights −0.05, 0.2, −0.05, −0.05.
    corpus.append({ vectors: Float32Array.of(1, 0.3, 0, 0), lengths: Uint32Array.of(1), seqs: Uint32Array.of(4) });
    expect(Array.from(corpus.codes)).toEqual([0]);
    expect(Array.from(corpus.residuals)).toEqual([0b01_01_11_01]);
    const norm = Math.sqrt(0.95 ** 2 + 0.2 ** 2 + 2 * 0.05 ** 2);
    const decoded = referenceDecodeToken(corpus, 0);
    [0.95 / norm, 0.2 / norm, -0.05 / norm, -0.05 / norm].forEach((x, i) => expect(decoded[i]!).toBeCloseTo(x, 7));
    const { hits } = searchCompressed(corpus, { precision: 'f32', dim: 4, rows: 1, values: Float32Array.of(1, 0, 0, 0) }, { k: 1, exact: true });
    expect(hits).toHaveLength(1);
    expect(hits[0]!.seq).toBe(4);
    expect(hits[0]!.score).toBeCloseTo(0.95 / norm, 6);
  });

  for (const nbits of [2, 4] as const) {
    it(`nbits ${nbits}: decoded tokens stay close to the originals; ${nbits === 2 ? 16 : 32} + 4 bytes a token`, () => {
      const corpus = build(nbits);
      expect(corpus.tokens).toBe(tokens);
      expect(corpus.residualBytes).toBe((dim * nbits) / 8);
      let cosine = 0;
      let centroidOnly = 0;
      for (let t = 0; t < tokens; t++) {
        const decoded = referenceDecodeToken(corpus, t);
        for (let i = 0; i < dim; i++) {
          cosine += decoded[i]! * data.vectors[t * dim + i]!;
          centroidOnly += corpus.table.centroids[corpus.codes[t]! * dim + i]! * data.vectors[t * dim + i]!;
        }
      }
      // 128 centroids for 1,024 word directions: the centroid alone is a poor code (mean cosine 0.48); the
      // residuals bring it to 0.92 (2 bits) and 0.99 (4 bits).
      expect(centroidOnly / tokens).toBeLessThan(0.6);
      expect(cosine / tokens).toBeGreaterThan(nbits === 2 ? 0.9 : 0.98);
    });
  }

  it('appends in batches to the same codes and residuals as one batch, without touching the centroids', () => {
    const whole = build(2);
    const { table, codec } = trained[2];
    const before = table.centroids.slice();
    const parts = CompressedCorpus.create(table, codec);
    for (const [from, to] of [[0, 1], [1, 70], [70, 160]] as const) parts.append(slice(from, to));
    expect(parts.codes).toEqual(whole.codes);
    expect(parts.residuals).toEqual(whole.residuals);
    expect(parts.tokenStart).toEqual(whole.tokenStart);
    expect(table.centroids).toEqual(before);
    // Another nbits over the same centroids can take these codes instead of assigning again.
    const four = CompressedCorpus.create(table, trained[4].codec);
    four.append(slice(0, 160), whole.codes);
    expect(four.codes).toEqual(whole.codes);
    expect(errorOf(() => four.append(slice(0, 1), Uint32Array.of(0)))).toMatchObject({ code: ErrorCode.InvalidInput });
    const tooHigh = whole.codes.slice(0, data.lengths[0]!).fill(whole.centroidCount);
    expect(errorOf(() => CompressedCorpus.create(table, codec).append(slice(0, 1), tooHigh))).toMatchObject({ code: ErrorCode.InvalidInput, subject: 'codes' });
  });

  it('lists, per centroid, exactly the documents with a token coded by it, ascending', () => {
    const corpus = build(4);
    const expected: number[][] = Array.from({ length: corpus.centroidCount }, () => []);
    for (let d = 0; d < corpus.size; d++) {
      for (let t = corpus.tokenStart[d]!; t < corpus.tokenStart[d + 1]!; t++) {
        const list = expected[corpus.codes[t]!]!;
        if (list[list.length - 1] !== d) list.push(d);
      }
    }
    for (let c = 0; c < corpus.centroidCount; c++) expect(Array.from(corpus.cell(c))).toEqual(expected[c]);
  });

  it('tombstones, compacts (same sequence numbers and results) and reopens from its tables', () => {
    const corpus = build(2);
    corpus.remove([3, 4, 100, 9999]);
    expect(corpus.documents).toBe(157);
    const query = data.queries[0]!;
    const before = searchCompressed(corpus, query, { k: 20, exact: true }).hits;
    expect(before.some((h) => [3, 4, 100].includes(h.seq))).toBe(false);
    const compacted = corpus.compact();
    expect(compacted.size).toBe(157);
    expect(Array.from(compacted.seqs)).toEqual(Array.from(data.seqs).filter((s) => ![3, 4, 100].includes(s)));
    expect(searchCompressed(compacted, query, { k: 20, exact: true }).hits).toEqual(before);
    const reopened = CompressedCorpus.open(corpus.tables());
    expect(reopened.documents).toBe(157);
    expect(Array.from(reopened.tables().removed)).toEqual([3, 4, 100]);
    expect(searchCompressed(reopened, query, { k: 20 }).hits).toEqual(searchCompressed(corpus, query, { k: 20 }).hits);
  });

  it('rejects bad appends with INVALID_INPUT naming the field', () => {
    const corpus = build(2);
    const one = slice(0, 1);
    expect(errorOf(() => corpus.append(one))).toMatchObject({ code: ErrorCode.InvalidInput, subject: 'seqs[0]' });
    expect(errorOf(() => corpus.append({ ...one, seqs: Uint32Array.of(500), lengths: Uint32Array.of(0) }))).toMatchObject({ subject: 'lengths[0]' });
    expect(errorOf(() => corpus.append({ ...one, seqs: Uint32Array.of(500), lengths: Uint32Array.of(one.lengths[0]! + 1) }))).toMatchObject({ subject: 'vectors' });
    const nan = one.vectors.slice();
    nan[5] = NaN;
    expect(errorOf(() => corpus.append({ vectors: nan, lengths: one.lengths, seqs: Uint32Array.of(500) }))).toMatchObject({ subject: 'vectors' });
    expect(corpus.size).toBe(160);
  });

  it('bounds-checks every table on open: a corrupt code, offset, size or value is INDEX_CORRUPT naming the table', () => {
    const good = build(4).tables();
    const cases: Array<[string, (t: CompressedTables) => void]> = [
      ['codes', (t) => (t.codes[17] = 128)],
      ['tokenStart', (t) => (t.tokenStart[5] = t.codes.length + 3)],
      ['tokenStart', (t) => (t.tokenStart[t.tokenStart.length - 1] = t.codes.length - 1)],
      ['tokenStart', (t) => (t.tokenStart = t.tokenStart.subarray(1))],
      ['residuals', (t) => (t.residuals = t.residuals.subarray(1))],
      ['seqs', (t) => (t.seqs[9] = t.seqs[8]!)],
      ['centroids', (t) => (t.centroids = { ...t.centroids, centroids: t.centroids.centroids.map((x, i) => (i === 7 ? NaN : x)) })],
      ['coarseStart', (t) => (t.centroids = { ...t.centroids, coarseStart: t.centroids.coarseStart.map((x, i, a) => (i === a.length - 1 ? x + 1 : x)) })],
      ['weights', (t) => (t.codec = { ...t.codec, weights: t.codec.weights.subarray(1) })],
      ['codec', (t) => (t.codec = { ...t.codec, nbits: 3 })],
    ];
    for (const [table, damage] of cases) {
      const tables = { ...good, seqs: good.seqs.slice(), tokenStart: good.tokenStart.slice(), codes: good.codes.slice() };
      damage(tables);
      const error = errorOf(() => CompressedCorpus.open(tables));
      expect(error.code).toBe(ErrorCode.IndexCorrupt);
      expect(error.subject).toBe(table);
    }
    expect(CompressedCorpus.open(good).tokens).toBe(tokens);
  });
});
