import { ColbertError, ErrorCode } from '../errors.js';
import type { SerializedColbertError } from '../errors.js';
import type { IndexStore } from '../store/index-store.js';

/** Delays before retrying a catch-up that failed in the background (then the next operation tries again). */
const RETRY_MS = [50, 200, 1000, 3000];

/**
 * Keeps an engine's mirror in step with the store without ever failing silently. A commit notice from another
 * context queues one background catch-up (notices that arrive meanwhile fold into it); one that fails is retried
 * a few times; every operation also catches up first (`now`), so a lost notice (a sleeping tab, a closed channel,
 * no BroadcastChannel at all) is healed by comparing the manifest, and a failure that persists reaches the caller as
 * a typed error and `info().sync.error`.
 */
export class SyncKeeper {
  private failure: ColbertError | undefined;
  private queued = false;
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private unsubscribe: () => void = () => {};
  private closed = false;

  /**
   * @param sync brings the mirror up to the committed manifest (call only from inside a scheduled task)
   * @param inBackground runs a task on the engine's scheduler at background priority
   */
  constructor(
    private readonly index: string,
    private readonly sync: () => Promise<unknown>,
    private readonly inBackground: (task: () => Promise<void>) => Promise<void>,
  ) {}

  /** Catches up whenever another context announces a commit to this index. */
  listen(store: Pick<IndexStore, 'onChange'>): void {
    this.unsubscribe = store.onChange(() => this.notice());
  }

  /** The last catch-up's failure, if it has not succeeded since. */
  get error(): SerializedColbertError | undefined {
    return this.failure?.toJSON();
  }

  /** Queues one background catch-up (coalesced). */
  notice(): void {
    if (this.queued || this.closed) return;
    this.queued = true;
    void this.inBackground(async () => {
      this.queued = false;
      await this.attempt();
    });
  }

  /** Catches up now, inside an operation's task; a failure rejects with a typed error. */
  async now(): Promise<void> {
    try {
      await this.sync();
      this.succeeded();
    } catch (error) {
      throw this.failed(error);
    }
  }

  /** Catches up after this engine's own commit: the commit stands, so a failure is kept for the next call and retried. */
  async afterCommit(): Promise<void> {
    await this.attempt();
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    clearTimeout(this.timer);
  }

  private async attempt(): Promise<void> {
    if (this.closed) return;
    try {
      await this.sync();
      this.succeeded();
    } catch (error) {
      this.failed(error);
      const delay = RETRY_MS[this.attempts++];
      if (delay !== undefined) this.timer = setTimeout(() => this.notice(), delay);
    }
  }

  private succeeded(): void {
    this.failure = undefined;
    this.attempts = 0;
  }

  private failed(error: unknown): ColbertError {
    const code = error instanceof ColbertError ? error.code : ErrorCode.StorageFailed;
    const why = error instanceof Error ? error.message : String(error);
    this.failure = new ColbertError(code, `Index "${this.index}" could not load what was committed to it elsewhere: ${why}`, { subject: this.index, cause: error });
    return this.failure;
  }
}
