import { ColbertError, ErrorCode } from '../errors.js';
import { withTrainingKernels } from '../cpu/training-kernels.js';
import type { IndexStore } from '../store/index-store.js';
import type { IndexMirror } from './index-mirror.js';
import { RETRAIN_FACTOR } from '../store/compression.js';

/**
 * Compresses an `nbits` index in the background once it is due: trains the tables when the index first holds
 * `compressAt` rows (outside the task queue, pausing after every Lloyd iteration for a queued task, so searches
 * run between iterations; the assignments on WebAssembly kernels of its own where SIMD is available), then codes the segments of vectors one per background task, oldest first. Every step
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
  whenDue(retrain = false): void {
    if (this.running || this.stopped || !this.due(retrain)) return;
    this.failure = undefined;
    this.running = this.run(retrain)
      .catch((error: unknown) => {
        this.failure = error;
      })
      .finally(() => {
        this.running = undefined;
      });
  }

  /**
   * Starts what is due and waits for it; rejects with what stopped it. Compaction calls this with `retrain`: its
   * policy re-trains once the index has grown `RETRAIN_FACTOR` times past the rows its tables were trained on.
   */
  async finish(retrain = false): Promise<void> {
    await this.running;
    this.whenDue(retrain);
    await this.running;
    if (this.failure !== undefined && !this.stopped) throw this.failure;
  }

  /** Stops after the step in flight (the engine is closing). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private due(retrain: boolean): boolean {
    const stats = this.mirror.stats;
    if (stats.nbits === null) return false;
    if (stats.centroids === 0) return stats.tokens >= this.compressAt;
    return this.mirror.uncodedSegments > 0 || (retrain && stats.tokens >= RETRAIN_FACTOR * stats.trainedTokens);
  }

  private async run(retrain: boolean): Promise<void> {
    if (this.mirror.stats.centroids === 0 || retrain) {
      await withTrainingKernels((kernels) =>
        this.store.train({
          retrain,
          ...(kernels ? { kernels } : {}),
          pause: () =>
            this.inBackground(async () => {
              if (this.stopped) throw new ColbertError(ErrorCode.Aborted, 'Compression training stopped: the index is closing.');
            }),
        }),
      );
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
