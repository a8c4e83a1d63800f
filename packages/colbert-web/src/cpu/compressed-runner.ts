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
  private scratch: { at: number; bytes: number; generation: number; mirror: CompressedMirror | undefined } = { at: 0, bytes: 0, generation: 0, mirror: undefined };

  constructor(
    readonly arena: WasmArena,
    private readonly kernels: CompressedExports,
    private readonly pool: ThreadPool | undefined,
  ) {}

  /** Threads that run a parallel kernel, this one included. */
  get threads(): number {
    return (this.pool?.size ?? 0) + 1;
  }

  /**
   * The mirror holding `corpus`'s columns, laid out (the corpus's columns moved in) if it is not this runner's
   * yet; the corpus held before moves its columns back to JavaScript arrays first. Scratch taken before is lost
   * when the columns were laid out or moved.
   */
  mirrorOf(corpus: CompressedCorpus): CompressedMirror {
    const held = this.mirror;
    if (held?.holds && held.corpus === corpus) held.settle();
    else {
      if (held?.holds) held.corpus.moveColumns();
      this.mirror = CompressedMirror.lay(this.arena, corpus);
    }
    const mirror = this.mirror!;
    if (this.scratch.generation !== mirror.generation || this.scratch.mirror !== mirror) this.scratch = { at: 0, bytes: 0, generation: mirror.generation, mirror };
    return mirror;
  }

  /**
   * Runs `operation` with `corpus` laid out and its columns pinned (a grow copies them elsewhere instead of moving
   * them while kernels on other threads may read them).
   */
  async withCorpus<T>(corpus: CompressedCorpus, operation: (mirror: CompressedMirror) => Promise<T>): Promise<T> {
    const mirror = this.mirrorOf(corpus);
    mirror.busy = true;
    try {
      return await operation(mirror);
    } finally {
      mirror.busy = false;
    }
  }

  /**
   * Runs `operation` on regions it allocates above everything laid out, given back when it ends (assignment lays
   * out its tables there, and a corpus held here stays where it is).
   */
  async temporarily<T>(operation: () => Promise<T>): Promise<T> {
    const top = this.arena.used;
    try {
      return await operation();
    } finally {
      this.arena.setTop(top);
    }
  }

  /** Forgets the corpus (its columns move back to JavaScript arrays) and the scratch. */
  clear(): void {
    if (this.mirror?.holds) this.mirror.corpus.moveColumns();
    this.mirror = undefined;
    this.scratch = { at: 0, bytes: 0, generation: 0, mirror: undefined };
    this.arena.reset();
  }

  /** A region of at least `bytes` above the corpus, reused across calls (valid until `mirrorOf` lays out again). */
  scratchAt(bytes: number): number {
    if (this.scratch.bytes < bytes) {
      const size = Math.max(bytes, 2 * this.scratch.bytes, 1 << 16);
      this.scratch = { ...this.scratch, at: this.arena.alloc(size), bytes: size };
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
    // A corpus held here stays searchable (on the TypeScript search, or other kernels).
    if (this.mirror?.holds) this.mirror.corpus.moveColumns();
    this.mirror = undefined;
    this.pool?.dispose();
  }
}
