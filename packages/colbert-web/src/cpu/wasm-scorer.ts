import { ColbertError, ErrorCode } from '../errors.js';
import type { DocumentBatch, ScoredDocument, ScoreOptions, Scorer, ScorerBackend } from '../scoring/scorer.js';
import { storedPrecisions, storeTokens, type F32TokenMatrix, type StoredPrecision } from '../scoring/token-matrix.js';
import { layoutQuery } from './query-layout.js';
import { hasRelaxedSimd, hasWasmSimd } from './simd-support.js';
import { ThreadPool } from './thread-pool.js';
import { topK } from './top-k.js';
import { validateBatch, validateK, validateQuery } from './validate.js';
import { openArena, type WasmArena } from './wasm-arena.js';
import { WasmCorpus } from './wasm-corpus.js';
import type { SimdLevel } from './simd-support.js';
import { instantiateMaxSim, maxsimModule, type MaxSimExports } from './wasm-kernels.js';

export interface CreateWasmScorerOptions {
  /** Vector dimension: a positive multiple of 16 (our models: 48, 64, 96, 128). */
  dim: number;
  precision: StoredPrecision;
  /**
   * Threads scoring at once, the calling one included. Default: the logical CPUs (at most 8) where shared memory
   * is available (cross-origin isolated pages, Node), else 1. Without shared memory it is always 1.
   */
  threads?: number;
  /** 'auto' (default) takes relaxed SIMD where it validates; 'relaxed' and 'plain' force one (tests, benchmarks). */
  simd?: 'auto' | SimdLevel;
}

/** The CPU scorer: the `Scorer` contract plus what tests and benchmarks look at. */
export interface WasmScorer extends Scorer {
  readonly backend: Extract<ScorerBackend, 'wasm-relaxed-simd' | 'wasm-simd'>;
  /** Threads that score (1: no helper threads). */
  readonly threads: number;
  /**
   * int8 only: every integer q·d between the quantised query and one document, [query token][document token],
   * computed by the kernel in use; plain and relaxed SIMD must agree exactly.
   */
  integerDots(query: F32TokenMatrix, seq: number): Promise<Int32Array>;
}

/** Job block and scratch below the arena's first allocation. */
const JOB = 0;
const HEADER = 1024;

function invalid(subject: string, message: string): ColbertError {
  return new ColbertError(ErrorCode.InvalidInput, `${subject}: ${message}`, { subject });
}

/**
 * A MaxSim scorer on the CPU: WebAssembly SIMD kernels over a corpus in WebAssembly memory, helper threads on a
 * shared memory where the page is cross-origin isolated (or in Node). Same results as the WebGPU scorer.
 *
 * @example
 * const scorer = await createWasmScorer({ dim: 96, precision: 'int8' });
 * await scorer.append({ tokens: storeTokens(vectors, 96, 'int8'), lengths, seqs });
 * const hits = await scorer.score(query, { k: 10, explain: true });
 */
export async function createWasmScorer(options: CreateWasmScorerOptions): Promise<WasmScorer> {
  const { dim, precision, simd = 'auto' } = options;
  if (!Number.isInteger(dim) || dim <= 0 || dim % 16 !== 0 || dim > 4096) throw invalid('dim', `dim must be a positive multiple of 16 up to 4096, got ${dim}.`);
  if (!storedPrecisions.includes(precision)) throw invalid('precision', `precision must be one of ${storedPrecisions.join(', ')}, got ${String(precision)}.`);
  if (!['auto', 'relaxed', 'plain'].includes(simd)) throw invalid('simd', `simd must be 'auto', 'relaxed' or 'plain', got ${String(simd)}.`);
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1)) {
    throw invalid('threads', `threads must be a positive integer, got ${options.threads}.`);
  }
  if (!hasWasmSimd()) throw new ColbertError(ErrorCode.BackendFailed, 'This JavaScript engine has no WebAssembly SIMD; the CPU scorer needs it (every current browser and Node ≥ 16 have it).');
  const relaxed = hasRelaxedSimd();
  if (simd === 'relaxed' && !relaxed) {
    throw invalid('simd', "relaxed SIMD is not available here (Node 20 needs --experimental-wasm-relaxed-simd); use 'auto' or 'plain'.");
  }
  const level: SimdLevel = simd === 'auto' ? (relaxed ? 'relaxed' : 'plain') : simd;
  const { arena, threads } = openArena(options.threads, HEADER);
  const module = await maxsimModule(level, threads > 1);
  const kernels = await instantiateMaxSim(module, arena.memory);
  let pool: ThreadPool | undefined;
  if (threads > 1) {
    // Workers can still be refused (a Content-Security-Policy without blob: workers): score on this thread alone.
    pool = await ThreadPool.create(threads - 1, module, arena.memory).catch(() => undefined);
  }
  warmUp(arena, kernels, dim, precision, level);
  return new CpuScorer(arena, kernels, pool, new WasmCorpus(arena, dim, precision), level);
}

/**
 * Runs the scoring kernel a few times on a small throwaway corpus, then forgets it. V8 first runs WebAssembly
 * through its baseline compiler and switches a function to optimised code only on a later call, once it has run
 * hot: without this the first search of a large corpus runs 3–6× slower than the next ones.
 */
function warmUp(arena: WasmArena, kernels: MaxSimExports, dim: number, precision: StoredPrecision, simd: SimdLevel): void {
  const corpus = new WasmCorpus(arena, dim, precision);
  const rows = 64 * 48;
  const values = new Float32Array(rows * dim).map((_, i) => Math.sin(i));
  corpus.append({ tokens: storeTokens(values, dim, precision), lengths: new Uint32Array(64).fill(48), seqs: Uint32Array.from({ length: 64 }, (_, i) => i) });
  const layout = layoutQuery({ precision: 'f32', dim, rows: 32, values: values.subarray(0, 32 * dim) }, precision === 'int8', simd);
  const at = arena.alloc(layout.values.byteLength + 4 * layout.scales.length);
  arena.bytes.set(layout.values, at);
  arena.f32(at + layout.values.byteLength, layout.scales.length).set(layout.scales);
  arena.bytes.fill(1, corpus.mask, corpus.mask + corpus.count);
  const kernel = precision === 'int8' ? kernels.scoreInt8 : kernels.scoreF32;
  for (let i = 0; i < 8; i++) {
    arena.u32(JOB, 11).set([0, 64, at, at + layout.values.byteLength, layout.groups, dim, corpus.pointers, corpus.lengths, corpus.mask, corpus.scores, corpus.count]);
    kernel(JOB);
  }
  arena.reset();
}

class CpuScorer implements WasmScorer {
  readonly backend: WasmScorer['backend'];
  readonly dim: number;
  readonly precision: StoredPrecision;
  private lastSeq = -1;
  /** Operations run one at a time: a score in flight on helper threads must not see blocks move. */
  private queue: Promise<unknown> = Promise.resolve();
  private scratch = { generation: -1, at: 0, bytes: 0 };
  private closed = false;

  constructor(
    private readonly arena: WasmArena,
    private readonly kernels: MaxSimExports,
    private readonly pool: ThreadPool | undefined,
    private readonly corpus: WasmCorpus,
    private readonly simd: SimdLevel,
  ) {
    this.backend = simd === 'relaxed' ? 'wasm-relaxed-simd' : 'wasm-simd';
    this.dim = corpus.dim;
    this.precision = corpus.precision;
  }

  get threads(): number {
    return (this.pool?.size ?? 0) + 1;
  }
  get documents(): number {
    return this.corpus.live;
  }
  get tokens(): number {
    return this.corpus.tokens;
  }

  private serial<T>(operation: () => T | Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new ColbertError(ErrorCode.Closed, 'This scorer was disposed; create a new one.'));
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  append(batch: DocumentBatch): Promise<void> {
    return this.serial(() => {
      validateBatch(batch, this.dim, this.precision, this.lastSeq);
      if (batch.seqs.length === 0) return;
      this.corpus.append(batch);
      this.lastSeq = batch.seqs[batch.seqs.length - 1]!;
    });
  }

  remove(seqs: ArrayLike<number>): void {
    this.corpus.remove(seqs);
  }

  compact(): Promise<void> {
    return this.serial(() => this.corpus.compact());
  }

  /** A region of at least `bytes` for the query and explanations, re-made after the corpus moved. */
  private scratchAt(bytes: number): number {
    if (this.scratch.generation !== this.corpus.generation || this.scratch.bytes < bytes) {
      const size = Math.max(bytes, 2 * this.scratch.bytes, 4096);
      this.scratch = { generation: this.corpus.generation, at: this.arena.alloc(size), bytes: size };
    }
    return this.scratch.at;
  }

  /** Writes the query and the job block; returns the query's padded groups and the explain output address. */
  private prepare(query: F32TokenMatrix, only?: Uint32Array): { groups: number; out: number } {
    const int8 = this.precision === 'int8';
    const layout = layoutQuery(query, int8, this.simd);
    const padded = layout.groups * 4;
    const valuesBytes = (layout.values.byteLength + 15) & ~15;
    const at = this.scratchAt(valuesBytes + 12 * padded + 64);
    this.arena.bytes.set(layout.values, at);
    this.arena.f32(at + valuesBytes, padded).set(layout.scales);
    const { corpus } = this;
    const mask = this.arena.bytes.subarray(corpus.mask, corpus.mask + corpus.count);
    if (only) {
      mask.fill(0);
      for (const seq of only) {
        const doc = corpus.indexOf(seq);
        if (doc >= 0) mask[doc] = corpus.alive[doc]!;
      }
    } else mask.set(corpus.alive.subarray(0, corpus.count));
    const threads = this.threads;
    const chunk = Math.max(1, Math.min(64, Math.ceil(corpus.count / (threads * 16))));
    this.arena.u32(JOB, 11).set([0, chunk, at, at + valuesBytes, layout.groups, this.dim, corpus.pointers, corpus.lengths, corpus.mask, corpus.scores, corpus.count]);
    return { groups: layout.groups, out: at + valuesBytes + 4 * padded };
  }

  score(query: F32TokenMatrix, options: ScoreOptions): Promise<ScoredDocument[]> {
    return this.serial(async () => {
      validateQuery(query, this.dim);
      validateK(options.k);
      if (options.signal?.aborted) throw new ColbertError(ErrorCode.Aborted, 'The search was aborted.', { cause: options.signal.reason });
      if (options.k === 0 || this.corpus.live === 0) return [];
      const { groups, out } = this.prepare(query, options.only);
      const kernel = this.precision === 'int8' ? 'scoreInt8' : 'scoreF32';
      if (this.pool) await this.pool.run(kernel, JOB, () => this.kernels[kernel](JOB));
      else this.kernels[kernel](JOB);
      const { corpus } = this;
      const scores = this.arena.f32(corpus.scores, corpus.count);
      const mask = this.arena.bytes.subarray(corpus.mask, corpus.mask + corpus.count);
      const best = topK(scores, mask, Math.min(options.k, corpus.count), corpus.count);
      return best.map((doc) => {
        const hit: ScoredDocument = { seq: corpus.seqs[doc]!, score: scores[doc]! };
        if (options.explain) hit.matches = this.explain(doc, query.rows, groups, out);
        return hit;
      });
    });
  }

  private explain(doc: number, rows: number, groups: number, out: number): ScoredDocument['matches'] {
    const padded = groups * 4;
    const explain = this.precision === 'int8' ? this.kernels.explainInt8 : this.kernels.explainF32;
    explain(JOB, doc, out, out + 4 * padded);
    const index = this.arena.i32(out, padded);
    const score = this.arena.f32(out + 4 * padded, padded);
    return Array.from({ length: rows }, (_, q) => ({ queryToken: q, documentToken: index[q]!, score: score[q]! }));
  }

  integerDots(query: F32TokenMatrix, seq: number): Promise<Int32Array> {
    return this.serial(() => {
      if (this.precision !== 'int8') throw invalid('precision', 'integer dot products exist only for int8 documents.');
      validateQuery(query, this.dim);
      const doc = this.corpus.indexOf(seq);
      if (doc < 0) throw invalid('seq', `no document with sequence number ${seq}.`);
      const length = this.corpus.length(doc);
      const padded = Math.ceil(query.rows / 4) * 4;
      // Reserve room for the dots first: scratch allocated after the query would leave its address stale.
      this.scratchAt(padded * query.dim * 2 + 12 * padded + 64 + 4 * padded * length);
      const { out } = this.prepare(query);
      this.kernels.dotsInt8(JOB, doc, out);
      return this.arena.i32(out, query.rows * length).slice();
    });
  }

  dispose(): void {
    this.closed = true;
    this.pool?.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
