import { ColbertError, ErrorCode } from '../errors.js';
import type { IndexStore } from '../store/index-store.js';
import type { IndexMirror } from './index-mirror.js';

/**
 * Compresses an `nbits` index in the background once it is due: trains the tables when the index first holds
 * `compressAt` rows (outside the task queue, pausing after every Lloyd iteration for a queued task, so searches
 * run between iterations), then codes the segments of vectors one per background task, oldest first. Every step
 * commits on its own: a closed or crashed worker leaves a valid index, and the next open goes on from there.
 */
export class CompressionKeeper {
  private running: Promise<void> | undefined;
  private stopped = false;
  private failure: unknown;

  /**
   * @param inBackground runs a task on the engine's queue at background priority and brings the mirror up to
   *   what it committed
   */
  constructor(
    private readonly store: IndexStore,
    private readonly mirror: IndexMirror,
    private readonly compressAt: number,
    private readonly inBackground: (task: () => Promise<void>) => Promise<void>,
  ) {}

  /** Starts compressing if the index is due and nothing is running (never waits). */
  whenDue(): void {
    if (this.running || this.stopped || !this.due()) return;
    this.failure = undefined;
    this.running = this.run()
      .catch((error: unknown) => {
        this.failure = error;
      })
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Starts what is due and waits for it; rejects with what stopped it (compaction calls this). */
  async finish(): Promise<void> {
    this.whenDue();
    await this.running;
    if (this.failure !== undefined && !this.stopped) throw this.failure;
  }

  /** Stops after the step in flight (the engine is closing). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private due(): boolean {
    const stats = this.mirror.stats;
    if (stats.nbits === null) return false;
    return stats.centroids === 0 ? stats.tokens >= this.compressAt : this.mirror.uncodedSegments > 0;
  }

  private async run(): Promise<void> {
    if (this.mirror.stats.centroids === 0) {
      await this.store.train({
        pause: () =>
          this.inBackground(async () => {
            if (this.stopped) throw new ColbertError(ErrorCode.Aborted, 'Compression training stopped: the index is closing.');
          }),
      });
      await this.inBackground(async () => {});
    }
    let coded = 1;
    while (coded > 0 && !this.stopped) {
      await this.inBackground(async () => {
        coded = await this.store.convert({ maxSteps: 1 });
      });
    }
  }
}
