import { ColbertError, ErrorCode } from '../errors.js';
import { assignCentroids } from '../scoring/compressed/assign-centroid.js';
import type { CompressedCorpus } from '../scoring/compressed/compressed-corpus.js';
import { searchCompressed, type CompressedSearchOptions, type CompressedSearchResult } from '../scoring/compressed/compressed-search.js';
import { nearestRows, type NearestRequest } from '../scoring/compressed/spherical-kmeans.js';
import type { CentroidTable } from '../scoring/compressed/train-centroids.js';
import type { F32TokenMatrix } from '../scoring/token-matrix.js';
import { assignCentroidsWasm, nearestRowsWasm, type AssignOptions } from './assign-wasm.js';
import { JOB_BYTES, KernelRunner } from './compressed-runner.js';
import { searchCompressedWasm } from './compressed-search-wasm.js';
import { hasWasmSimd } from './simd-support.js';
import { ThreadPool } from './thread-pool.js';
import { warmUpCompressed } from './compressed-warm-up.js';
import { openArena } from './wasm-arena.js';
import { compressedModule, instantiateCompressed } from './wasm-kernels.js';

export interface CreateCompressedKernelsOptions {
  /**
   * Threads at once, the calling one included. Default: the logical CPUs (at most 8) where shared memory is
   * available (cross-origin isolated pages, Node), else 1. Without shared memory it is always 1.
   */
  threads?: number;
}

/** The compressed index's CPU kernels: the same search and assignment as the TypeScript ones, on WebAssembly SIMD. */
export interface CompressedKernels extends Disposable {
  /** Threads that run the kernels (1: no helper threads). */
  readonly threads: number;
  /**
   * Bytes of WebAssembly memory the kernels hold: the corpus last searched (its token columns live there, not in
   * JavaScript arrays, from its first search on), its tables, scratch, and room left.
   */
  readonly memoryBytes: number;
  /**
   * `searchCompressed(corpus, query, options)` on the kernels: same stages, defaults and result. The corpus's
   * token columns move into WebAssembly memory on first use (one copy: its appends are written there); another
   * corpus searched later takes its place, and the previous one's columns move back to JavaScript arrays.
   * A dimension that is not a multiple of 4 runs the TypeScript search.
   */
  search(corpus: CompressedCorpus, query: F32TokenMatrix, options: CompressedSearchOptions): Promise<CompressedSearchResult>;
  /** `assignCentroids(table, vectors)`, the same codes bit for bit (signal and progress between batches). */
  assignCentroids(table: CentroidTable, vectors: Float32Array, options?: AssignOptions): Promise<Uint32Array>;
  /**
   * `nearestRows(points, dim, request)`, k-means training's assignment step, the same indices bit for bit (these
   * kernels are `TrainingKernels` for `trainCompressionStreamed`). The points must be finite. Like `assignCentroids`, it takes
   * the whole WebAssembly memory: a corpus a search laid out is copied again by the next search, so a worker
   * trains on kernels of its own.
   */
  nearestRows(points: Float32Array, dim: number, request: NearestRequest): Promise<Uint32Array>;
  dispose(): void;
}

/**
 * The compressed index's WebAssembly SIMD kernels, on helper threads sharing one memory where the page is
 * cross-origin isolated (or in Node). Operations run one at a time, in call order.
 *
 * @example
 * const kernels = await createCompressedKernels({ threads: 2 });
 * const { hits } = await kernels.search(corpus, query, { k: 10 });
 * kernels.dispose();
 */
export async function createCompressedKernels(options: CreateCompressedKernelsOptions = {}): Promise<CompressedKernels> {
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1)) {
    throw new ColbertError(ErrorCode.InvalidInput, `threads: threads must be a positive integer, got ${options.threads}.`, { subject: 'threads' });
  }
  if (!hasWasmSimd()) throw new ColbertError(ErrorCode.BackendFailed, 'This JavaScript engine has no WebAssembly SIMD; the compressed kernels need it (every current browser and Node ≥ 16 have it).');
  const { arena, threads } = openArena(options.threads, JOB_BYTES);
  const module = await compressedModule(threads > 1);
  const kernels = await instantiateCompressed(module, arena.memory);
  // Workers can still be refused (a Content-Security-Policy without blob: workers): run on this thread alone.
  const pool = threads > 1 ? await ThreadPool.create(threads - 1, module, arena.memory).catch(() => undefined) : undefined;
  const runner = new KernelRunner(arena, kernels, pool);
  await warmUpCompressed(runner);
  return new WasmCompressedKernels(runner);
}

class WasmCompressedKernels implements CompressedKernels {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly runner: KernelRunner) {}

  get threads(): number {
    return this.runner.threads;
  }

  get memoryBytes(): number {
    return this.runner.arena.memory.buffer.byteLength;
  }

  private serial<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new ColbertError(ErrorCode.Closed, 'These compressed kernels were disposed; create new ones.'));
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  search(corpus: CompressedCorpus, query: F32TokenMatrix, options: CompressedSearchOptions): Promise<CompressedSearchResult> {
    if (corpus.dim % 4 !== 0) return this.serial(() => Promise.resolve(searchCompressed(corpus, query, options)));
    return this.serial(() => searchCompressedWasm(this.runner, corpus, query, options));
  }

  assignCentroids(table: CentroidTable, vectors: Float32Array, options?: AssignOptions): Promise<Uint32Array> {
    if (table.dim % 4 !== 0) return this.serial(() => Promise.resolve(assignCentroids(table, vectors)));
    return this.serial(() => assignCentroidsWasm(this.runner, table, vectors, options));
  }

  nearestRows(points: Float32Array, dim: number, request: NearestRequest): Promise<Uint32Array> {
    if (dim % 4 !== 0) return this.serial(() => Promise.resolve(nearestRows(points, dim, request)));
    return this.serial(() => nearestRowsWasm(this.runner, points, dim, request));
  }

  dispose(): void {
    this.closed = true;
    this.runner.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
