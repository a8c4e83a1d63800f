/** What another tab (or worker) committed to the same index. */
export interface IndexChange {
  readonly index: string;
  /** The manifest generation after the commit. */
  readonly generation: number;
  readonly kind: 'add' | 'remove' | 'clear' | 'compact' | 'import';
}

export type ChangeListener = (change: IndexChange) => void;

/**
 * Commit notices between contexts on one origin through a BroadcastChannel. A BroadcastChannel does not deliver
 * to itself, so a store only hears other stores' commits (another tab, worker, or another open in this context).
 */
export class ChangeChannel {
  private readonly channel: BroadcastChannel | undefined;
  private readonly listeners = new Set<ChangeListener>();

  constructor(private readonly index: string) {
    if (typeof BroadcastChannel === 'undefined') return;
    this.channel = new BroadcastChannel(`colbert-web/index/${index}`);
    this.channel.onmessage = (event: MessageEvent<IndexChange>) => {
      const change = event.data;
      if (change?.index !== this.index) return;
      for (const listener of this.listeners) listener(change);
    };
  }

  /** Tells the other contexts about a commit. */
  announce(change: Omit<IndexChange, 'index'>): void {
    this.channel?.postMessage({ index: this.index, ...change } satisfies IndexChange);
  }

  /** Returns the unsubscribe function. */
  listen(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.listeners.clear();
    this.channel?.close();
  }
}
