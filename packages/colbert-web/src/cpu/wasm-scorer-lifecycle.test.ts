import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ColbertError, ErrorCode } from '../errors.js';
import { referenceScore } from '../scoring/reference-f64.js';
import type { DocumentBatch } from '../scoring/scorer.js';
import { storedPrecisions } from '../scoring/token-matrix.js';
import { randomBatch, randomQuery, seededRandom } from '../testing/random-corpus.js';
import { rankingMismatch } from '../testing/ranking.js';
import { hasRelaxedSimd } from './simd-support.js';
import { createWasmScorer } from './wasm-scorer.js';

const dim = 48;

async function rejects(promise: Promise<unknown> | (() => unknown), subject: string): Promise<void> {
  const error: unknown = await (typeof promise === 'function' ? Promise.resolve().then(promise) : promise).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ColbertError);
  expect((error as ColbertError).code).toBe(ErrorCode.InvalidInput);
  expect((error as ColbertError).subject).toBe(subject);
}

describe('WASM scorer: removal, filters, compaction', () => {
  for (const precision of storedPrecisions) {
    it(`${precision}: removed documents are never returned; \`only\` filters before top-k; compact keeps results`, async () => {
      const random = seededRandom(11);
      const a = randomBatch(random, Array.from({ length: 200 }, () => 1 + Math.floor(random() * 40)), dim, precision, 0);
      const b = randomBatch(random, Array.from({ length: 100 }, () => 1 + Math.floor(random() * 40)), dim, precision, 500);
      const query = randomQuery(random, 32, dim);
      const scorer = await createWasmScorer({ dim, precision, threads: 1 });
      await scorer.append(a);
      const top = await scorer.score(query, { k: 30 });
      // Remove the 10 best, plus unknown sequence numbers (ignored).
      const removed = new Set(top.slice(0, 10).map((h) => h.seq));
      scorer.remove([...removed, 9999, 250]);
      expect(scorer.documents).toBe(190);
      const afterRemove = await scorer.score(query, { k: 300 });
      expect(afterRemove).toHaveLength(190);
      expect(afterRemove.some((h) => removed.has(h.seq))).toBe(false);
      expect(rankingMismatch(afterRemove, referenceScore(query, [a], { k: 300, removed }))).toBeUndefined();
      // `only` names documents far down the ranking: they must all come back, not the top-k cut then filtered.
      const only = Uint32Array.from([...afterRemove.slice(-5).map((h) => h.seq), top[0]!.seq, 12345].sort((x, y) => x - y));
      const filtered = await scorer.score(query, { k: 3, only });
      expect(rankingMismatch(filtered, referenceScore(query, [a], { k: 3, removed, only }))).toBeUndefined();
      expect(filtered.every((h) => only.includes(h.seq) && !removed.has(h.seq))).toBe(true);
      const tokensBefore = scorer.tokens;
      await scorer.compact();
      expect(scorer.tokens).toBe(tokensBefore);
      expect(scorer.documents).toBe(190);
      expect(await scorer.score(query, { k: 300, explain: true })).toEqual(await scorer.score(query, { k: 300, explain: true }));
      expect(rankingMismatch(await scorer.score(query, { k: 300 }), afterRemove, { relative: 0, nearTie: 0 })).toBeUndefined();
      // Appending after compaction, and removing again.
      await scorer.append(b);
      scorer.remove([500, 501]);
      for (const seq of [500, 501]) removed.add(seq);
      const expected = referenceScore(query, [a, b], { k: 50, removed, explain: true });
      expect(rankingMismatch(await scorer.score(query, { k: 50, explain: true }), expected)).toBeUndefined();
      await scorer.compact();
      expect(rankingMismatch(await scorer.score(query, { k: 50 }), expected)).toBeUndefined();
      scorer.dispose();
    });
  }
});

describe('WASM scorer: bad input', () => {
  it('rejects NaN/Inf on append, naming the field', async () => {
    const scorer = await createWasmScorer({ dim, precision: 'f32', threads: 1 });
    for (const bad of [NaN, Infinity, -Infinity]) {
      const values = new Float32Array(2 * dim).fill(0.1);
      values[dim + 3] = bad;
      await rejects(scorer.append({ tokens: { precision: 'f32', dim, rows: 2, values }, lengths: Uint32Array.of(2), seqs: Uint32Array.of(1) }), 'tokens.values');
    }
    const f16 = await createWasmScorer({ dim, precision: 'f16', threads: 1 });
    const bits = new Uint16Array(dim).fill(0x3c00);
    bits[5] = 0x7c00; // +Inf
    await rejects(f16.append({ tokens: { precision: 'f16', dim, rows: 1, values: bits }, lengths: Uint32Array.of(1), seqs: Uint32Array.of(1) }), 'tokens.values');
    const int8 = await createWasmScorer({ dim, precision: 'int8', threads: 1 });
    await rejects(
      int8.append({ tokens: { precision: 'int8', dim, rows: 1, values: new Int8Array(dim), scales: Float32Array.of(NaN) }, lengths: Uint32Array.of(1), seqs: Uint32Array.of(1) }),
      'tokens.scales',
    );
    // Nothing was appended by the failed calls.
    expect([scorer.documents, f16.documents, int8.documents]).toEqual([0, 0, 0]);
    for (const s of [scorer, f16, int8]) s.dispose();
  });

  it('rejects wrong dim, precision, lengths, sequence numbers, queries and k', async () => {
    await rejects(createWasmScorer({ dim: 50, precision: 'f32' }), 'dim');
    await rejects(createWasmScorer({ dim, precision: 'bf16' as 'f32' }), 'precision');
    await rejects(createWasmScorer({ dim, precision: 'f32', threads: 0 }), 'threads');
    const scorer = await createWasmScorer({ dim, precision: 'f32', threads: 1 });
    const random = seededRandom(12);
    const good = randomBatch(random, [2, 3], dim, 'f32', 5);
    await rejects(scorer.append(randomBatch(random, [2], 64, 'f32')), 'tokens.dim');
    await rejects(scorer.append(randomBatch(random, [2], dim, 'int8')), 'tokens.precision');
    await rejects(scorer.append({ ...good, lengths: Uint32Array.of(2, 2) }), 'lengths');
    await rejects(scorer.append({ ...good, lengths: Uint32Array.of(5, 0) }), 'lengths[1]');
    await rejects(scorer.append({ ...good, seqs: Uint32Array.of(5) }), 'seqs');
    await rejects(scorer.append({ ...good, seqs: Uint32Array.of(6, 6) }), 'seqs[1]');
    await rejects(scorer.append({ ...good, tokens: { ...good.tokens, rows: 4 } as DocumentBatch['tokens'] }), 'tokens.values');
    await scorer.append(good);
    await rejects(scorer.append(randomBatch(random, [1], dim, 'f32', 6)), 'seqs[0]');
    await rejects(scorer.score(randomQuery(random, 4, 64), { k: 1 }), 'query.dim');
    const nan = randomQuery(random, 4, dim);
    nan.values[7] = NaN;
    await rejects(scorer.score(nan, { k: 1 }), 'query.values');
    await rejects(scorer.score(randomQuery(random, 4, dim), { k: -1 }), 'k');
    await rejects(scorer.score(randomQuery(random, 4, dim), { k: 1.5 }), 'k');
    const aborted = new AbortController();
    aborted.abort();
    await expect(scorer.score(randomQuery(random, 4, dim), { k: 1, signal: aborted.signal })).rejects.toMatchObject({ code: ErrorCode.Aborted });
    scorer.dispose();
    await expect(scorer.score(randomQuery(random, 4, dim), { k: 1 })).rejects.toMatchObject({ code: ErrorCode.Closed });
  });
});

describe('WASM scorer: threads', () => {
  for (const precision of ['f32', 'int8'] as const) {
    it(`${precision}: 1 thread and 3 threads give identical scores, also after append, remove and compact`, async () => {
      const random = seededRandom(13);
      const query = randomQuery(random, 32, 96);
      const one = await createWasmScorer({ dim: 96, precision, threads: 1 });
      const three = await createWasmScorer({ dim: 96, precision, threads: 3 });
      expect([one.threads, three.threads]).toEqual([1, 3]);
      const batches: DocumentBatch[] = [];
      for (let b = 0; b < 2; b++) {
        const batch = randomBatch(random, Array.from({ length: 800 }, () => 1 + Math.floor(random() * 120)), 96, precision, b * 1000);
        batches.push(batch);
        await Promise.all([one.append(batch), three.append(batch)]);
        const [x, y] = await Promise.all([one.score(query, { k: 2000, explain: true }), three.score(query, { k: 2000, explain: true })]);
        expect(y).toEqual(x);
        expect(rankingMismatch(x, referenceScore(query, batches, { k: 2000, removed: b ? new Set([3]) : undefined }))).toBeUndefined();
        one.remove([3, 1004]);
        three.remove([3, 1004]);
        await Promise.all([one.compact(), three.compact()]);
        expect(await three.score(query, { k: 100, only: Uint32Array.of(1, 2, 3, 1500) })).toEqual(await one.score(query, { k: 100, only: Uint32Array.of(1, 2, 3, 1500) }));
      }
      one.dispose();
      three.dispose();
    });
  }
});

describe('WASM scorer: SIMD level', () => {
  it("plain SIMD is always there; 'relaxed' is refused where it is not (Chromium compares the two: e2e/scorer-wasm.spec.ts)", async () => {
    const plain = await createWasmScorer({ dim, precision: 'int8', simd: 'plain', threads: 1 });
    expect(plain.backend).toBe('wasm-simd');
    plain.dispose();
    if (hasRelaxedSimd()) expect((await createWasmScorer({ dim, precision: 'int8', simd: 'relaxed' })).backend).toBe('wasm-relaxed-simd');
    else await rejects(createWasmScorer({ dim, precision: 'int8', simd: 'relaxed' }), 'simd');
  });

  it("Node 20's flagged relaxed SIMD is detected as wrong (it doubles dot products) and not used", () => {
    // A child process, since V8 flags are fixed at start-up. Node ≥ 22 has relaxed SIMD unflagged and right.
    const script = "import('./packages/colbert-web/src/cpu/simd-support.ts').then((m) => console.log(JSON.stringify([m.hasWasmSimd(), m.hasRelaxedSimd()])))";
    const out = execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    const [simd, relaxed] = JSON.parse(out.trim()) as [boolean, boolean];
    expect(simd).toBe(true);
    if (process.versions.node.startsWith('20.')) expect(relaxed).toBe(false);
  });
});
