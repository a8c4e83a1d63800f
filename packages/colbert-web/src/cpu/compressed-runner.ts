import type { CompressedCorpus } from '../scoring/compressed/compressed-corpus.js';
import { CompressedMirror } from './compressed-mirror.js';
import type { ThreadPool } from './thread-pool.js';
import type { WasmArena } from './wasm-arena.js';
import type { CompressedExports } from './wasm-kernels.js';

/** The job block's address; the arena's allocations start above it. */
export const JOB = 0;
export const JOB_BYTES = 1024;

/**
 * What the compressed-index kernels run on: one arena, the kernels instantiated on it, the helper threads
 * (optional), the corpus laid out in it and the scratch above. One operation at a time (the caller serialises).
 *
 * @example
 * await runner.run('centroidScores', [0, 16, 0, query, groups, dim, centroids, k, out, rows, cmax]);
 */
export class KernelRunner {
  private mirror: CompressedMirror | undefined;
  private scratch = { at: 0, bytes: 0 };

  constructor(
    readonly arena: WasmArena,
    private readonly kernels: CompressedExports,
    private readonly pool: ThreadPool | undefined,
  ) {}

  /** Threads that run a parallel kernel, this one included. */
  get threads(): number {
    return (this.pool?.size ?? 0) + 1;
  }

  /** `corpus` in the arena, copied (or its appends) if it is not there yet; scratch taken before is lost then. */
  mirrorOf(corpus: CompressedCorpus): CompressedMirror {
    if (!this.mirror?.sync(corpus)) {
      this.mirror = CompressedMirror.lay(this.arena, corpus);
      this.scratch = { at: 0, bytes: 0 };
    }
    return this.mirror;
  }

  /** Forgets the corpus and the scratch: the whole arena is the caller's (assignment lays out its own tables). */
  clear(): void {
    this.mirror = undefined;
    this.scratch = { at: 0, bytes: 0 };
    this.arena.reset();
  }

  /** A region of at least `bytes` above the corpus, reused across calls (valid until `mirrorOf` lays out again). */
  scratchAt(bytes: number): number {
    if (this.scratch.bytes < bytes) {
      const size = Math.max(bytes, 2 * this.scratch.bytes, 1 << 16);
      this.scratch = { at: this.arena.alloc(size), bytes: size };
    }
    return this.scratch.at;
  }

  /**
   * Writes the job block (`fields`, with the claim counters 0 and 2 zeroed; `floats` as f32 at their index) and
   * runs `kernel`, on every thread when `parallel`.
   */
  async run(kernel: keyof CompressedExports, fields: number[], parallel = true, floats: Record<number, number> = {}): Promise<void> {
    const block = this.arena.u32(JOB, fields.length);
    block.set(fields);
    block[0] = 0;
    block[2] = 0;
    for (const [i, value] of Object.entries(floats)) this.arena.f32(JOB + 4 * Number(i), 1)[0] = value;
    if (parallel && this.pool) await this.pool.run(kernel, JOB, () => this.kernels[kernel](JOB));
    else this.kernels[kernel](JOB);
  }

  dispose(): void {
    this.pool?.dispose();
  }
}
