/**
 * The CPU scorer benchmark's measurements, the same in Node (bench/scorer-cpu.ts) and in Chromium (through
 * demo/harness/cpu-scorer.html): a corpus with the given token lengths, seeded unit vectors, a query of
 * `queryTokens` tokens; per path, `runs` timed searches (k = 10) after one untimed warm-up.
 */
import type * as Ort from 'onnxruntime-web';
import { createWasmScorer } from '../packages/colbert-web/src/cpu/wasm-scorer.js';
import { storeTokens, type F32TokenMatrix, type StoredPrecision } from '../packages/colbert-web/src/scoring/token-matrix.js';
import { randomQuery, randomUnitRows, seededRandom } from '../packages/colbert-web/src/testing/random-corpus.js';
import { createPeerMaxSim } from './peer-maxsim.js';

export interface CpuBenchOptions {
  lengths: number[];
  dim: number;
  queryTokens: number;
  runs: number;
  /** Thread counts to measure the WASM scorer with (1 and "all"). */
  threads: number[];
  /** Timed runs of the plain JavaScript loop (slow) and of the onnxruntime-web peer; 0 skips them. */
  jsRuns: number;
  peerRuns: number;
  /** Threads onnxruntime-web may use (set before its first session; fixed for the process or page). */
  peerThreads: number;
}

export interface CpuBenchRow {
  path: string;
  precision: StoredPrecision;
  threads: number;
  backend: string;
  samplesMs: number[];
  /** WASM rows: creating the scorer (compile, threads, warm-up) and appending the corpus, apart from searches. */
  createMs?: number;
  appendMs?: number;
  /** Corpus bytes one search reads. */
  bytes: number;
  /** Sanity check of the JS loop and the peer: the share of the WASM f32 top 10 in their own top 10. */
  top10Overlap?: number;
}

function top10(scores: Float32Array): number[] {
  return Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, 10);
}

function overlap(a: readonly number[], b: readonly number[]): number {
  return a.filter((x) => b.includes(x)).length / Math.max(1, b.length);
}

async function time(runs: number, search: () => Promise<unknown>): Promise<number[]> {
  await search();
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    await search();
    samples.push(performance.now() - started);
  }
  return samples;
}

/** Σ_q max_d q·d per document, plain typed-array loops: what a careful JavaScript implementation does. */
function jsMaxSim(query: Float32Array, rows: number, vectors: Float32Array, lengths: readonly number[], dim: number): Float32Array {
  const scores = new Float32Array(lengths.length);
  let start = 0;
  for (let doc = 0; doc < lengths.length; doc++) {
    const end = start + lengths[doc]!;
    let total = 0;
    for (let q = 0; q < rows; q++) {
      let best = -Infinity;
      for (let t = start; t < end; t++) {
        let dot = 0;
        for (let i = 0, a = q * dim, b = t * dim; i < dim; i++) dot += query[a + i]! * vectors[b + i]!;
        if (dot > best) best = dot;
      }
      total += best;
    }
    scores[doc] = total;
    start = end;
  }
  return scores;
}

/** The benchmark's corpus and query: seeded, so the peer can make the same data in a worker of its own. */
function benchData(lengths: readonly number[], dim: number, queryTokens: number): { vectors: Float32Array; query: F32TokenMatrix } {
  const random = seededRandom(dim);
  const vectors = randomUnitRows(random, lengths.reduce((a, b) => a + b, 0), dim);
  return { vectors, query: randomQuery(random, queryTokens, dim) };
}

export type PeerOptions = Pick<CpuBenchOptions, 'lengths' | 'dim' | 'queryTokens' | 'peerRuns' | 'peerThreads'>;

export interface PeerResult {
  samplesMs: number[];
  paddedBytes: number;
  top10: number[];
}

/**
 * The onnxruntime-web peer on the benchmark's data. In Chromium it runs in a worker (demo/harness/cpu-peer-worker.ts),
 * as onnxruntime-web is meant to: on the page's main thread its thread pool has to spin instead of wait.
 */
export async function runPeerBench(ort: typeof Ort, options: PeerOptions): Promise<PeerResult> {
  const { lengths, dim, queryTokens } = options;
  const { vectors, query } = benchData(lengths, dim, queryTokens);
  ort.env.wasm.numThreads = options.peerThreads;
  const peer = await createPeerMaxSim(ort, vectors, lengths, dim, queryTokens);
  let scores: Float32Array = new Float32Array(0);
  const samplesMs = await time(options.peerRuns, async () => (scores = await peer.score(query.values, queryTokens)));
  await peer.release();
  return { samplesMs, paddedBytes: peer.paddedBytes, top10: top10(scores) };
}

export async function runCpuBench(options: CpuBenchOptions, peer: (options: PeerOptions) => Promise<PeerResult>): Promise<CpuBenchRow[]> {
  const { lengths, dim, queryTokens, runs } = options;
  const tokens = lengths.reduce((a, b) => a + b, 0);
  const { vectors, query } = benchData(lengths, dim, queryTokens);
  const seqs = Uint32Array.from(lengths, (_, i) => i);
  const rows: CpuBenchRow[] = [];
  let exactTop10: number[] = [];
  for (const precision of ['int8', 'f32'] as const) {
    const stored = storeTokens(vectors, dim, precision);
    for (const threads of options.threads) {
      let started = performance.now();
      const scorer = await createWasmScorer({ dim, precision, threads });
      const createMs = performance.now() - started;
      started = performance.now();
      await scorer.append({ tokens: stored, lengths: Uint32Array.from(lengths), seqs });
      const appendMs = performance.now() - started;
      const samplesMs = await time(runs, () => scorer.score(query, { k: 10 }));
      if (precision === 'f32') exactTop10 = (await scorer.score(query, { k: 10 })).map((hit) => hit.seq);
      const bytes = precision === 'int8' ? tokens * (dim + 8) : tokens * dim * 4;
      rows.push({ path: 'wasm', precision, threads: scorer.threads, backend: scorer.backend, samplesMs, bytes, createMs, appendMs });
      scorer.dispose();
    }
  }
  if (options.jsRuns > 0) {
    let scores: Float32Array = new Float32Array(0);
    const samplesMs = await time(options.jsRuns, () => Promise.resolve((scores = jsMaxSim(query.values, queryTokens, vectors, lengths, dim))));
    rows.push({ path: 'js loop', precision: 'f32', threads: 1, backend: 'javascript', samplesMs, bytes: tokens * dim * 4, top10Overlap: overlap(top10(scores), exactTop10) });
  }
  if (options.peerRuns > 0) {
    const result = await peer(options);
    rows.push({
      path: 'onnxruntime-web MatMul+ReduceMax', precision: 'f32', threads: options.peerThreads, backend: 'ort wasm', samplesMs: result.samplesMs,
      bytes: result.paddedBytes, top10Overlap: overlap(result.top10, exactTop10),
    });
  }
  return rows;
}
