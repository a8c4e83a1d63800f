// In-page checks of the WebAssembly MaxSim scorer against the float64 reference, for e2e/scorer-wasm.spec.ts:
// each returns plain data (mismatch descriptions, not booleans) so a failing spec says what differed.
import { createWasmScorer, type CreateWasmScorerOptions } from '../../packages/colbert-web/src/cpu/wasm-scorer.js';
import { referenceScore } from '../../packages/colbert-web/src/scoring/reference-f64.js';
import type { DocumentBatch, ScoredDocument } from '../../packages/colbert-web/src/scoring/scorer.js';
import type { StoredPrecision } from '../../packages/colbert-web/src/scoring/token-matrix.js';
import { randomBatch, randomQuery, seededRandom } from '../../packages/colbert-web/src/testing/random-corpus.js';
import { rankingMismatch } from '../../packages/colbert-web/src/testing/ranking.js';

export interface ReferenceCheck {
  backend: string;
  threads: number;
  mismatches: string[];
}

function matchesMismatch(actual: readonly ScoredDocument[], expected: readonly ScoredDocument[]): string | undefined {
  const bySeq = new Map(expected.map((e) => [e.seq, e.matches!]));
  for (const hit of actual) {
    for (const [q, m] of (hit.matches ?? []).entries()) {
      const e = bySeq.get(hit.seq)?.[q];
      if (e && Math.abs(m.score - e.score) > 1e-4 * Math.max(1, Math.abs(e.score))) return `seq ${hit.seq} q${q}: ${m.score} vs ${e.score}`;
      if (e && m.documentToken !== e.documentToken && Math.abs(m.score - e.score) > 1e-5) return `seq ${hit.seq} q${q}: token ${m.documentToken} vs ${e.documentToken}`;
    }
  }
  return undefined;
}

/** A corpus with 1-token and 8,192-token documents, searched before and after removals, with `only`, k = 0 and k > corpus. */
export async function checkAgainstReference(dim: number, precision: StoredPrecision, options: Partial<CreateWasmScorerOptions> = {}): Promise<ReferenceCheck> {
  const random = seededRandom(dim + precision.length);
  const lengths = [1, 8192, ...Array.from({ length: 300 }, () => 1 + Math.floor(random() * 120))];
  const first = randomBatch(random, lengths.slice(0, 150), dim, precision, 0);
  const second = randomBatch(random, lengths.slice(150), dim, precision, 1000);
  const scorer = await createWasmScorer({ dim, precision, ...options });
  const mismatches: string[] = [];
  const check = (label: string, actual: ScoredDocument[], expected: ScoredDocument[]): void => {
    const why = rankingMismatch(actual, expected) ?? matchesMismatch(actual, expected);
    if (why) mismatches.push(`${label}: ${why}`);
  };
  const query = randomQuery(random, 32, dim);
  await scorer.append(first);
  check('first append', await scorer.score(query, { k: 10, explain: true }), referenceScore(query, [first], { k: 10, explain: true }));
  await scorer.append(second);
  const removed = new Set([0, 1, 1003]);
  scorer.remove([...removed]);
  const batches: DocumentBatch[] = [first, second];
  check('after removal', await scorer.score(query, { k: 10, explain: true }), referenceScore(query, batches, { k: 10, explain: true, removed }));
  const only = Uint32Array.of(1, 5, 7, 1010, 1200, 4000);
  check('only', await scorer.score(query, { k: 4, only }), referenceScore(query, batches, { k: 4, only, removed }));
  if ((await scorer.score(query, { k: 0 })).length !== 0) mismatches.push('k = 0 returned documents');
  check('k > corpus', await scorer.score(query, { k: 10_000 }), referenceScore(query, batches, { k: 10_000, removed }));
  await scorer.compact();
  check('after compact', await scorer.score(query, { k: 10 }), referenceScore(query, batches, { k: 10, removed }));
  const result = { backend: scorer.backend, threads: scorer.threads, mismatches };
  scorer.dispose();
  return result;
}

/** Plain and relaxed SIMD on the same int8 corpus: every integer q·d, and every document's score, compared exactly. */
export async function comparePaths(dim: number): Promise<{ backends: string[]; documents: number; dots: number; differingDots: number; differingScores: number }> {
  const random = seededRandom(dim * 31);
  const batch = randomBatch(random, Array.from({ length: 400 }, () => 1 + Math.floor(random() * 200)), dim, 'int8');
  const query = randomQuery(random, 29, dim); // not a multiple of 4: padding included
  const scorers = await Promise.all((['plain', 'relaxed'] as const).map((simd) => createWasmScorer({ dim, precision: 'int8', simd, threads: 1 })));
  for (const s of scorers) await s.append(batch);
  const [plain, relaxed] = scorers as [typeof scorers[0], typeof scorers[0]];
  let dots = 0;
  let differingDots = 0;
  for (const seq of batch.seqs) {
    const [a, b] = [await plain.integerDots(query, seq), await relaxed.integerDots(query, seq)];
    dots += a.length;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differingDots++;
  }
  const [x, y] = [await plain.score(query, { k: 400, explain: true }), await relaxed.score(query, { k: 400, explain: true })];
  const differingScores = x.filter((hit, i) => hit.seq !== y[i]?.seq || hit.score !== y[i]?.score || JSON.stringify(hit.matches) !== JSON.stringify(y[i]?.matches)).length;
  const backends = scorers.map((s) => s.backend);
  for (const s of scorers) s.dispose();
  return { backends, documents: batch.seqs.length, dots, differingDots, differingScores };
}

/** One thread and `threads` threads on the same corpus: results compared exactly. */
export async function compareThreads(precision: StoredPrecision, threads: number): Promise<{ threads: number[]; differing: number; compared: number }> {
  const random = seededRandom(77);
  const batch = randomBatch(random, Array.from({ length: 1500 }, () => 1 + Math.floor(random() * 150)), 96, precision);
  const query = randomQuery(random, 32, 96);
  const scorers = await Promise.all([1, threads].map((t) => createWasmScorer({ dim: 96, precision, threads: t })));
  for (const s of scorers) await s.append(batch);
  const [a, b] = await Promise.all(scorers.map((s) => s.score(query, { k: 1500, explain: true })));
  const differing = a!.filter((hit, i) => JSON.stringify(hit) !== JSON.stringify(b![i])).length;
  const result = { threads: scorers.map((s) => s.threads), differing, compared: a!.length };
  for (const s of scorers) s.dispose();
  return result;
}
