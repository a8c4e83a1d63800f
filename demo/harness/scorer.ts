// Runs the WebGPU scorer's data-driven cases in the page for e2e/scorer-webgpu.spec.ts: each case builds a seeded
// corpus, scores it on the GPU and compares with the float64 reference. A test page, not part of the demo.
import { createWebGpuScorer } from '../../packages/colbert-web/src/gpu/webgpu-scorer.js';
import { requestScorerDevice } from '../../packages/colbert-web/src/gpu/request-device.js';
import { isColbertError } from '../../packages/colbert-web/src/errors.js';
import { referenceScore } from '../../packages/colbert-web/src/scoring/reference-f64.js';
import type { DocumentBatch, ScoredDocument } from '../../packages/colbert-web/src/scoring/scorer.js';
import type { StoredPrecision } from '../../packages/colbert-web/src/scoring/token-matrix.js';
import { randomBatch, randomQuery, seededRandom } from '../../packages/colbert-web/src/testing/random-corpus.js';
import { rankingMismatch } from '../../packages/colbert-web/src/testing/ranking.js';

export interface ScorerCase {
  dim: number;
  precision: StoredPrecision;
  /** Token count of each document, appended in `batches` batches. */
  lengths: number[];
  batches?: number;
  k: number;
  queryTokens?: number;
  shardBytes?: number;
  remove?: number[];
  only?: number[];
  explain?: boolean;
  compact?: boolean;
  /** A value to poison the first vector with: the append must fail with INVALID_INPUT. */
  poison?: 'nan' | 'inf';
}

export interface CaseResult {
  mismatch: string | undefined;
  returned: number;
  errorCode?: string;
  adapter: { vendor: string; architecture: string };
}

let device: Promise<GPUDevice> | undefined;

/** Explanation mismatches beyond near-ties (1e-5), as text. */
function matchMismatch(actual: ScoredDocument[], expected: ScoredDocument[]): string | undefined {
  const bySeq = new Map(expected.map((e) => [e.seq, e.matches ?? []]));
  for (const a of actual) {
    for (const [q, m] of (a.matches ?? []).entries()) {
      const r = bySeq.get(a.seq)?.[q];
      if (!r) return `seq ${a.seq}: no reference match for query token ${q}`;
      if (Math.abs(m.score - r.score) > 1e-4 * Math.max(1, Math.abs(r.score))) return `seq ${a.seq} q${q}: ${m.score} vs ${r.score}`;
      if (m.documentToken !== r.documentToken && Math.abs(m.score - r.score) > 1e-5) return `seq ${a.seq} q${q}: token ${m.documentToken} vs ${r.documentToken}`;
    }
  }
  return undefined;
}

async function runCase(c: ScorerCase): Promise<CaseResult> {
  device ??= requestScorerDevice();
  const gpuDevice = await device;
  const adapter = { vendor: gpuDevice.adapterInfo.vendor, architecture: gpuDevice.adapterInfo.architecture };
  const random = seededRandom(c.dim * 31 + c.lengths.length);
  const scorer = await createWebGpuScorer({ device: gpuDevice, dim: c.dim, precision: c.precision, ...(c.shardBytes ? { shardBytes: c.shardBytes } : {}) });
  try {
    const batches: DocumentBatch[] = [];
    const per = Math.ceil(c.lengths.length / (c.batches ?? 1));
    for (let first = 0; first < c.lengths.length; first += per) {
      const batch = randomBatch(random, c.lengths.slice(first, first + per), c.dim, c.precision, first);
      if (c.poison && batch.tokens.precision === 'f32') batch.tokens.values[0] = c.poison === 'nan' ? Number.NaN : Infinity;
      batches.push(batch);
      await scorer.append(batch);
    }
    const removed = new Set(c.remove ?? []);
    scorer.remove([...removed]);
    if (c.compact) await scorer.compact();
    const query = randomQuery(random, c.queryTokens ?? 32, c.dim);
    const options = { k: c.k, explain: c.explain ?? false, ...(c.only ? { only: Uint32Array.from(c.only) } : {}) };
    const actual = await scorer.score(query, options);
    const expected = referenceScore(query, batches, { ...options, removed });
    return { mismatch: rankingMismatch(actual, expected) ?? matchMismatch(actual, expected), returned: actual.length, adapter };
  } catch (error) {
    if (isColbertError(error)) return { mismatch: undefined, returned: 0, errorCode: error.code, adapter };
    throw error;
  } finally {
    scorer.dispose();
  }
}

declare global {
  interface Window {
    scorerHarness: { runCase: typeof runCase };
    harnessReady: boolean;
  }
}

window.scorerHarness = { runCase };
window.harnessReady = true;
