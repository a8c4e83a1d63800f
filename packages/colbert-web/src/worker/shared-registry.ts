import { ColbertError, ErrorCode } from '../errors.js';
import type { ProgressEvent } from '../protocol/progress.js';

/** A use of a shared value; `release()` (once) lets it close when nobody else uses it. */
export interface Lease<T> {
  readonly value: T;
  /** How many leases on this value are held now (this one included, until released). */
  readonly users: number;
  release(): Promise<void>;
}

export type SharedLoader<T> = (signal: AbortSignal, onProgress: (event: ProgressEvent) => void) => Promise<T>;

interface Entry<T> {
  readonly loading: Promise<T>;
  readonly controller: AbortController;
  readonly listeners: Set<(event: ProgressEvent) => void>;
  users: number;
}

/**
 * Values that several callers share by key (one engine per index, one encoder per model in a worker that
 * serves many tabs): the first `acquire` loads, later ones wait for the same load and hear its progress; the
 * value closes when the last lease is released. A caller that aborts stops waiting; the load itself is aborted
 * only when no caller waits for it any more.
 */
export class SharedRegistry<T extends { close(): Promise<void> }> {
  private readonly entries = new Map<string, Entry<T>>();

  async acquire(key: string, load: SharedLoader<T>, options: { signal?: AbortSignal; onProgress?: (event: ProgressEvent) => void } = {}): Promise<Lease<T>> {
    const { signal, onProgress } = options;
    if (signal?.aborted) throw aborted(signal);
    const entry = this.entries.get(key) ?? this.start(key, load);
    entry.users++;
    if (onProgress) entry.listeners.add(onProgress);
    let value: T;
    try {
      value = await raceAbort(entry.loading, signal);
    } catch (error) {
      this.leave(key, entry);
      throw error;
    } finally {
      if (onProgress) entry.listeners.delete(onProgress);
    }
    let released = false;
    return {
      value,
      get users() {
        return entry.users;
      },
      release: async () => {
        if (released) return;
        released = true;
        if (this.leave(key, entry)) await value.close();
      },
    };
  }

  /** Keys loading or loaded now (for tests and info). */
  get size(): number {
    return this.entries.size;
  }

  private start(key: string, load: SharedLoader<T>): Entry<T> {
    const controller = new AbortController();
    const listeners = new Set<(event: ProgressEvent) => void>();
    const loading = load(controller.signal, (event) => listeners.forEach((l) => l(event)));
    const entry: Entry<T> = { loading, controller, listeners, users: 0 };
    this.entries.set(key, entry);
    // A load nobody waits for any more: close what it produced, forget a failure.
    loading.then(
      (value) => {
        if (entry.users === 0) void value.close();
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry;
  }

  /** Drops one user; returns true when that was the last one (the entry is forgotten, its load aborted if running). */
  private leave(key: string, entry: Entry<T>): boolean {
    entry.users--;
    if (entry.users > 0) return false;
    if (this.entries.get(key) === entry) this.entries.delete(key);
    entry.controller.abort();
    return true;
  }
}

function aborted(signal: AbortSignal): ColbertError {
  return new ColbertError(ErrorCode.Aborted, 'The operation was aborted.', { cause: signal.reason });
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(aborted(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
