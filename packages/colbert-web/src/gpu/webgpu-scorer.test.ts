import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ColbertError, ErrorCode } from '../errors.js';
import { referenceScore } from '../scoring/reference-f64.js';
import type { DocumentBatch, ScoredDocument, ScoreOptions } from '../scoring/scorer.js';
import { scorerDims, storedPrecisions, storeTokens, type F32TokenMatrix, type StoredPrecision } from '../scoring/token-matrix.js';
import { nodeScorerDevice } from '../testing/node-webgpu.js';
import { randomBatch, randomQuery, seededRandom } from '../testing/random-corpus.js';
import { rankingMismatch, topKOverlap } from '../testing/ranking.js';
import { GPU_RANK_LIMIT } from './kernels/topk.js';
import { createWebGpuScorer, type CreateWebGpuScorerOptions, type WebGpuScorer } from './webgpu-scorer.js';

// The WGSL kernels on real WebGPU: Dawn under Node (npm `webgpu`), SwiftShader here. Every result is compared with
// the float64 reference over the same batches.

let device: GPUDevice;
beforeAll(async () => {
  device = await nodeScorerDevice();
});
afterAll(() => device.destroy());

async function scorerWith(options: Omit<CreateWebGpuScorerOptions, 'device'>, batches: readonly DocumentBatch[]): Promise<WebGpuScorer> {
  const scorer = await createWebGpuScorer({ ...options, device });
  for (const batch of batches) await scorer.append(batch);
  return scorer;
}

/** Lengths with the spread of real documents: mostly tens to a hundred or two tokens, some single tokens. */
function lengths(random: () => number, count: number, max = 160): number[] {
  return Array.from({ length: count }, () => (random() < 0.1 ? 1 : 1 + Math.floor(random() * max)));
}

/**
 * A query about one document of the corpus, as real queries are: each token one of that document's tokens plus
 * as much noise again, normalised. (Queries unrelated to the corpus leave the top 10 a string of near-ties, where
 * the ±63 query quantisation alone keeps ~97%, GPU or CPU alike.)
 */
function queryAbout(random: () => number, batch: DocumentBatch, docLengths: readonly number[]): F32TokenMatrix {
  const { dim } = batch.tokens;
  const doc = Math.floor(random() * docLengths.length);
  const first = docLengths.slice(0, doc).reduce((a, b) => a + b, 0);
  const noise = randomQuery(random, 32, dim).values;
  const values = new Float32Array(32 * dim);
  for (let r = 0; r < 32; r++) {
    const row = first + Math.floor(random() * docLengths[doc]!);
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const x = (batch.tokens.values as Float32Array)[row * dim + j]! + 0.8 * noise[r * dim + j]!;
      values[r * dim + j] = x;
      norm += x * x;
    }
    for (let j = 0; j < dim; j++) values[r * dim + j] = values[r * dim + j]! / Math.sqrt(norm);
  }
  return { precision: 'f32', dim, rows: 32, values };
}

function expectRanking(actual: ScoredDocument[], expected: ScoredDocument[]): void {
  expect(rankingMismatch(actual, expected)).toBeUndefined();
}

/** Explanations agree with the reference's, except where the chosen token ties the reference's within 1e-5. */
function expectMatches(actual: ScoredDocument[], expected: ScoredDocument[]): void {
  const bySeq = new Map(expected.map((e) => [e.seq, e.matches!]));
  for (const a of actual) {
    const reference = bySeq.get(a.seq);
    if (!reference) continue;
    expect(a.matches).toHaveLength(reference.length);
    a.matches!.forEach((m, q) => {
      const r = reference[q]!;
      expect(m.queryToken).toBe(q);
      expect(Math.abs(m.score - r.score)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(r.score)));
      if (m.documentToken !== r.documentToken) expect(Math.abs(m.score - r.score)).toBeLessThanOrEqual(1e-5);
    });
  }
}

async function compare(scorer: WebGpuScorer, query: F32TokenMatrix, batches: readonly DocumentBatch[], options: ScoreOptions & { removed?: ReadonlySet<number> }): Promise<ScoredDocument[]> {
  const { removed, ...scoreOptions } = options;
  const actual = await scorer.score(query, scoreOptions);
  const expected = referenceScore(query, batches, options);
  expectRanking(actual, expected);
  if (options.explain) expectMatches(actual, expected);
  return actual;
}

describe('WebGPU scorer: every dim × stored precision', () => {
  for (const dim of scorerDims) {
    for (const precision of storedPrecisions) {
      it(`d=${dim} ${precision}: top-k and explanations match the float64 reference`, async () => {
        const random = seededRandom(dim * 7 + precision.length);
        const batches = [randomBatch(random, lengths(random, 40), dim, precision)];
        const scorer = await scorerWith({ dim, precision }, batches);
        try {
          // 13 query tokens: not a multiple of the kernel's 8-token register block.
          for (const rows of [32, 13]) {
            const query = randomQuery(random, rows, dim);
            await compare(scorer, query, batches, { k: 10, explain: true });
            await compare(scorer, query, batches, { k: 100 });
          }
        } finally {
          scorer.dispose();
        }
      });
    }
  }
});

describe('WebGPU scorer: corpus shapes', () => {
  it('0 documents, and k = 0, give no results', async () => {
    const random = seededRandom(1);
    const scorer = await scorerWith({ dim: 64, precision: 'f32' }, []);
    expect(await scorer.score(randomQuery(random, 8, 64), { k: 10 })).toEqual([]);
    await scorer.append(randomBatch(random, [5, 7], 64, 'f32'));
    expect(await scorer.score(randomQuery(random, 8, 64), { k: 0 })).toEqual([]);
    scorer.dispose();
  });

  it('1 document', async () => {
    const random = seededRandom(2);
    const batches = [randomBatch(random, [17], 96, 'int8', 5)];
    const scorer = await scorerWith({ dim: 96, precision: 'int8' }, batches);
    const [top] = await compare(scorer, randomQuery(random, 32, 96), batches, { k: 3, explain: true });
    expect(top?.seq).toBe(5);
    scorer.dispose();
  });

  it('documents of 1 token and of 8,192 tokens', async () => {
    const random = seededRandom(3);
    for (const precision of storedPrecisions) {
      const batches = [randomBatch(random, [1, 8192, 1, 1, 300, 1], 128, precision)];
      const scorer = await scorerWith({ dim: 128, precision }, batches);
      await compare(scorer, randomQuery(random, 32, 128), batches, { k: 6, explain: true });
      scorer.dispose();
    }
  });

  it('equal scores are ordered by sequence number, also when k cuts through the tie', async () => {
    const random = seededRandom(4);
    const one = randomBatch(random, [9], 48, 'f16');
    const copies = 300;
    const values = new Uint16Array(one.tokens.values.length * copies);
    for (let i = 0; i < copies; i++) values.set(one.tokens.values as Uint16Array, i * one.tokens.values.length);
    const batch: DocumentBatch = {
      tokens: { precision: 'f16', dim: 48, rows: 9 * copies, values },
      lengths: new Uint32Array(copies).fill(9),
      seqs: Uint32Array.from({ length: copies }, (_, i) => 10 + 3 * i),
    };
    const scorer = await scorerWith({ dim: 48, precision: 'f16' }, [batch]);
    const query = randomQuery(random, 8, 48);
    scorer.remove([10, 16]);
    const top = await scorer.score(query, { k: 5 });
    expect(top.map((t) => t.seq)).toEqual([13, 19, 22, 25, 28]);
    expect(new Set(top.map((t) => t.score)).size).toBe(1);
    scorer.dispose();
  });

  it(`k above ${GPU_RANK_LIMIT} (ranked on the CPU after read-back) and k above the corpus`, async () => {
    const random = seededRandom(5);
    const batches = [randomBatch(random, new Array<number>(GPU_RANK_LIMIT + 300).fill(1), 48, 'f32')];
    const scorer = await scorerWith({ dim: 48, precision: 'f32' }, batches);
    const query = randomQuery(random, 4, 48);
    await compare(scorer, query, batches, { k: GPU_RANK_LIMIT + 100 });
    await compare(scorer, query, batches, { k: 1e6 });
    scorer.dispose();
  });
});

describe('WebGPU scorer: the live mask', () => {
  it('removed documents are never returned; the only filter applies before top-k; compact keeps results', async () => {
    const random = seededRandom(6);
    const batches = [randomBatch(random, lengths(random, 60), 64, 'int8')];
    const scorer = await scorerWith({ dim: 64, precision: 'int8' }, batches);
    const query = randomQuery(random, 32, 64);
    const before = await scorer.score(query, { k: 10 });
    const removed = new Set(before.slice(0, 5).map((r) => r.seq).concat([40, 41, 999]));
    scorer.remove([...removed]);
    expect(scorer.documents).toBe(60 - [...removed].filter((seq) => seq < 60).length);
    const after = await compare(scorer, query, batches, { k: 10, removed });
    for (const r of after) expect(removed.has(r.seq)).toBe(false);
    const only = Uint32Array.of(3, 7, 40, before[0]!.seq, 59, 59, 1234);
    const filtered = await compare(scorer, query, batches, { k: 10, only, removed, explain: true });
    expect(filtered.map((r) => r.seq).sort((a, b) => a - b)).toEqual([3, 7, 59].filter((seq) => !removed.has(seq)));
    const tokens = scorer.tokens;
    await scorer.compact();
    expect(scorer.tokens).toBeLessThan(tokens);
    await compare(scorer, query, batches, { k: 10, removed, explain: true });
    await compare(scorer, query, batches, { k: 100, only, removed });
    scorer.dispose();
  });

  it('append after search, across shards and buffer growth, and compact across shards', async () => {
    const random = seededRandom(7);
    // 40 rows of 96 f32 per shard: every few documents start a new binding.
    const scorer = await scorerWith({ dim: 96, precision: 'f32', shardBytes: 40 * 96 * 4 }, []);
    const grow = await scorerWith({ dim: 96, precision: 'f32' }, []);
    const batches: DocumentBatch[] = [];
    const query = randomQuery(random, 16, 96);
    for (let b = 0; b < 4; b++) {
      const batch = randomBatch(random, lengths(random, 12, 40), 96, 'f32', b * 100);
      batches.push(batch);
      await scorer.append(batch);
      await grow.append(batch);
      await compare(scorer, query, batches, { k: 8, explain: true });
    }
    expect(scorer.shards).toBeGreaterThan(4);
    // 1,024-row first shard buffer, grown on the GPU past it.
    const big = randomBatch(random, lengths(random, 20, 200), 96, 'f32', 1000);
    batches.push(big);
    await grow.append(big);
    expect(grow.shards).toBe(1);
    await compare(grow, query, batches.slice(), { k: 30, explain: true });
    const removed = new Set([0, 1, 2, 100, 205, 311, 1005]);
    grow.remove([...removed]);
    await scorer.append(big);
    scorer.remove([...removed]);
    await scorer.compact();
    await grow.compact();
    for (const s of [scorer, grow]) await compare(s, query, batches, { k: 25, removed, explain: true });
    scorer.dispose();
    grow.dispose();
  });
});

describe('WebGPU scorer: input checks and kernels', () => {
  it('rejects NaN/Inf vectors, wrong dim or precision, bad k and a bad query with INVALID_INPUT', async () => {
    const scorer = await scorerWith({ dim: 48, precision: 'f32' }, []);
    const random = seededRandom(8);
    const ok = randomBatch(random, [2, 3], 48, 'f32');
    const bad = (values: Float32Array): DocumentBatch => ({ ...ok, tokens: { ...ok.tokens, precision: 'f32', values } });
    const nan = (ok.tokens.values as Float32Array).slice();
    nan[50] = Number.NaN;
    const inf = (ok.tokens.values as Float32Array).slice();
    inf[7] = Infinity;
    const code = async (p: Promise<unknown> | (() => unknown)): Promise<unknown> => {
      try {
        await (typeof p === 'function' ? p() : p);
      } catch (e) {
        return e instanceof ColbertError ? e.code : e;
      }
      return 'no error';
    };
    expect(await code(scorer.append(bad(nan)))).toBe(ErrorCode.InvalidInput);
    expect(await code(scorer.append(bad(inf)))).toBe(ErrorCode.InvalidInput);
    expect(await code(scorer.append(randomBatch(random, [2], 64, 'f32')))).toBe(ErrorCode.InvalidInput);
    expect(await code(scorer.append(randomBatch(random, [2], 48, 'int8')))).toBe(ErrorCode.InvalidInput);
    expect(await code(createWebGpuScorer({ device, dim: 50, precision: 'f32' }))).toBe(ErrorCode.InvalidInput);
    const f16 = await scorerWith({ dim: 48, precision: 'f16' }, []);
    const half = storeTokens(new Float32Array(48).fill(1e6), 48, 'f16');
    expect(await code(f16.append({ tokens: half, lengths: Uint32Array.of(1), seqs: Uint32Array.of(0) }))).toBe(ErrorCode.InvalidInput);
    const int8 = await scorerWith({ dim: 48, precision: 'int8' }, []);
    const q8 = storeTokens(new Float32Array(48).fill(0.5), 48, 'int8');
    q8.precision === 'int8' && (q8.scales[0] = Number.NaN);
    expect(await code(int8.append({ tokens: q8, lengths: Uint32Array.of(1), seqs: Uint32Array.of(0) }))).toBe(ErrorCode.InvalidInput);
    await scorer.append(ok);
    expect(await code(scorer.append(ok))).toBe(ErrorCode.InvalidInput); // sequence numbers must increase
    const query = randomQuery(random, 4, 48);
    expect(await code(scorer.score(query, { k: -1 }))).toBe(ErrorCode.InvalidInput);
    expect(await code(scorer.score({ ...query, values: query.values.map((v, i) => (i === 3 ? Number.NaN : v)) }, { k: 1 }))).toBe(ErrorCode.InvalidInput);
    expect(scorer.documents).toBe(2);
    for (const s of [scorer, f16, int8]) s.dispose();
    expect(await code(scorer.score(query, { k: 1 }))).toBe(ErrorCode.Closed);
  });

  for (const precision of storedPrecisions) {
    it(`the naive kernel gives the same ranking (${precision}, several shards)`, async () => {
      const random = seededRandom(9);
      const batches = [randomBatch(random, lengths(random, 50), 64, precision)];
      const scorer = await scorerWith({ dim: 64, precision, kernel: 'naive', shardBytes: 2000 * 64 * 4 }, batches);
      await compare(scorer, randomQuery(random, 32, 64), batches, { k: 20, explain: true });
      scorer.dispose();
    });
  }

  it('int8 keeps ≥ 98% of the exact f32 top 10 on normalised data', async () => {
    const random = seededRandom(10);
    const docLengths = lengths(random, 300, 120);
    const f32 = randomBatch(random, docLengths, 96, 'f32');
    const int8: DocumentBatch = { ...f32, tokens: storeTokens(f32.tokens.values as Float32Array, 96, 'int8') };
    const scorer = await scorerWith({ dim: 96, precision: 'int8' }, [int8]);
    let overlap = 0;
    const queries = 20;
    for (let i = 0; i < queries; i++) {
      const query = queryAbout(random, f32, docLengths);
      overlap += topKOverlap(await scorer.score(query, { k: 10 }), referenceScore(query, [f32], { k: 10 }));
    }
    expect(overlap / queries).toBeGreaterThanOrEqual(0.98);
    scorer.dispose();
  });
});
