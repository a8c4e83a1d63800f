/**
 * Where the engine's compressed searches run. While the mirror's scorer is the WebGPU scorer, every compressed
 * corpus has a copy on that scorer's device (`GpuCompressedCorpus`), kept in step with the CPU corpus (appends as
 * segments are coded, tombstones, in-memory compactions, clear), and is searched there with `searchCompressedGpu`,
 * the query possibly still on the device. Otherwise, and as soon as that device is lost, on the CPU kernels
 * (`compressed-seam.ts`). The CPU corpora stay the source of truth: a GPU copy can always be rebuilt from them.
 */
import { ColbertError, ErrorCode } from '../errors.js';
import { GpuContext } from '../gpu/context.js';
import { GpuCompressedCorpus, type CodedDocuments } from '../gpu/compressed/compressed-corpus-gpu.js';
import { searchCompressedGpu } from '../gpu/compressed/search-compressed-gpu.js';
import type { GpuQuery } from '../gpu/query-buffers.js';
import type { CompressedCorpus } from '../scoring/compressed/compressed-corpus.js';
import type { CompressedSearchOptions, CompressedSearchResult } from '../scoring/compressed/compressed-search.js';
import type { F32TokenMatrix } from '../scoring/token-matrix.js';
import { compressedSearchBackend, searchCompressedCorpus } from './compressed-seam.js';

/** What runs compressed searches (`info().compressedScorer`). */
export type CompressedBackend = 'webgpu' | 'wasm-simd' | 'typescript';

export class CompressedPlacement {
  private context: GpuContext | undefined;
  private readonly copies = new Map<CompressedCorpus, GpuCompressedCorpus>();

  /** The device compressed searches run on (a `GpuQuery` must be on it), or undefined on the CPU. */
  get device(): GPUDevice | undefined {
    return this.usableContext()?.device;
  }

  get backend(): CompressedBackend {
    return this.usableContext() ? 'webgpu' : compressedSearchBackend();
  }

  /**
   * Moves compressed searching onto `device` (the WebGPU scorer's), or to the CPU when undefined. Copies on a
   * previous device are dropped; the mirror appends every corpus again after a new scorer is made.
   */
  use(device: GPUDevice | undefined): void {
    if (device === this.context?.device) return;
    this.release();
    // Its own context on the shared device (never destroyed by it): the compressed buffers are counted apart.
    if (device) this.context = new GpuContext(device, { ownsDevice: false, label: 'colbert-web compressed' });
  }

  /** Mirrors documents just appended to `corpus` (the whole corpus when it has no copy yet). */
  appended(corpus: CompressedCorpus, coded: CodedDocuments): void {
    const context = this.usableContext();
    if (!context) return;
    try {
      const copy = this.copies.get(corpus);
      if (copy) copy.append(coded);
      else this.copies.set(corpus, GpuCompressedCorpus.fromCorpus(context, corpus));
    } catch (error) {
      // A shape or size this device cannot hold (dim × nbits not whole u32 words, tables past its largest binding):
      // compressed searches stay on the CPU, which holds every corpus anyway. Corrupt codes never get here (the CPU
      // corpus checked them first).
      if (!(error instanceof ColbertError) || error.code !== ErrorCode.InvalidInput) throw error;
      this.release();
    }
  }

  removed(corpus: CompressedCorpus, seqs: ArrayLike<number>): void {
    if (this.usableContext()) this.copies.get(corpus)?.remove(seqs);
  }

  /** `fresh` (a compaction of `old`) replaces it: its copy is uploaded once, without the tombstoned documents. */
  replaced(old: CompressedCorpus, fresh: CompressedCorpus): void {
    this.dropped(old);
    const context = this.usableContext();
    if (context && fresh.size > 0) this.copies.set(fresh, GpuCompressedCorpus.fromCorpus(context, fresh));
  }

  dropped(corpus: CompressedCorpus): void {
    this.copies.get(corpus)?.dispose();
    this.copies.delete(corpus);
  }

  clear(): void {
    for (const copy of this.copies.values()) copy.dispose();
    this.copies.clear();
  }

  /**
   * Searches `corpus` where it is placed: its GPU copy, or the CPU kernels. A query on the GPU needs the GPU copy
   * (BACKEND_FAILED otherwise, like a lost device: the engine then reloads on the CPU and encodes the query again).
   */
  search(corpus: CompressedCorpus, query: F32TokenMatrix | GpuQuery, options: CompressedSearchOptions): Promise<CompressedSearchResult> {
    const copy = this.usableContext() ? this.copies.get(corpus) : undefined;
    if (copy) return searchCompressedGpu(copy, query, options);
    if ('buffer' in query) throw new ColbertError(ErrorCode.BackendFailed, 'The query vectors are on a GPU device the compressed index is not on; search again.', { subject: 'device' });
    return searchCompressedCorpus(corpus, query, options);
  }

  /** Releases every GPU copy and the context (the device itself belongs to the scorer). */
  release(): void {
    this.clear();
    this.context?.dispose();
    this.context = undefined;
  }

  /** The context while its device works; after a loss the copies are let go and searches run on the CPU. */
  private usableContext(): GpuContext | undefined {
    const context = this.context;
    if (context?.lost) this.release();
    return this.context;
  }
}
