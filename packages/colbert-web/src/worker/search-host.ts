import { transfer } from 'comlink';
import { ColbertError, ErrorCode } from '../errors.js';
import type { ModelSource } from '../protocol/encoder-api.js';
import type { ProgressCallback } from '../protocol/progress.js';
import type { AddOptions, DocumentInput, Hit, IndexRerankOptions, OpenSearchOptions, RerankCandidate, SearchInfo, SearchOptions, TokenSimilarities, WorkerInfo } from '../protocol/search-api.js';
import { SearchEngine, engineHost } from './search-engine.js';
import { SharedRegistry } from './shared-registry.js';
import type { Lease } from './shared-registry.js';

/** Options as they cross the boundary: comlink handles a signal or a callback only as a whole argument. */
type Plain<T> = Omit<T, 'signal' | 'onProgress'>;

const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

/** Everything one worker serves: one engine per index (and options), one encoder per model, one task queue. */
export class SearchHost {
  readonly engines = new SharedRegistry<SearchEngine>();
  readonly shared = engineHost();

  constructor(readonly kind: WorkerInfo['kind']) {}

  /** The API of one client (a tab's handle); the dedicated worker has one, the shared worker one per connection. */
  session(): SearchSession {
    return new SearchSession(this);
  }
}

/**
 * One handle's view of the worker. Its operations run on the shared engine with a signal that also fires when
 * the handle goes away (closed, or its tab gone: `abandonWhenReleased`), so a closed tab's add stops after the step
 * in flight while other tabs' work goes on.
 */
class SearchSession {
  private lease: Lease<SearchEngine> | undefined;
  private readonly gone = new AbortController();

  constructor(private readonly host: SearchHost) {}

  async open(model: ModelSource, options: Plain<Omit<OpenSearchOptions, 'model'>>, signal?: AbortSignal, onProgress?: ProgressCallback): Promise<void> {
    if (this.lease) throw new ColbertError(ErrorCode.InvalidInput, 'This handle already serves an index.');
    const key = JSON.stringify({ model: typeof model === 'string' ? model : `files#${Math.random()}`, ...options });
    this.lease = await this.host.engines.acquire(
      key,
      (sig, progress) => SearchEngine.open(model, { ...options, signal: sig, onProgress: progress }, this.host.shared),
      { signal: this.signal(signal), ...optional('onProgress', onProgress) },
    );
  }

  /**
   * Calls `abandon` when a Web Lock the client holds for its lifetime is released: the tab closed or crashed
   * (a SharedWorker hears nothing else when a page goes away).
   */
  abandonWhenReleased(lockName: string): void {
    if (typeof navigator === 'undefined' || !navigator.locks) return;
    void navigator.locks.request(lockName, async () => this.close());
  }

  add(documents: readonly DocumentInput[], options: Plain<AddOptions>, signal?: AbortSignal, onProgress?: ProgressCallback): Promise<void> {
    return this.engine().add(documents, { ...options, signal: this.signal(signal), ...optional('onProgress', onProgress) });
  }

  search(query: string, options: Omit<SearchOptions, 'signal'>, signal?: AbortSignal): Promise<Hit[]> {
    return this.engine().search(query, { ...options, signal: this.signal(signal) });
  }

  rerank(query: string, candidates: readonly RerankCandidate[], options: Omit<IndexRerankOptions, 'signal'>, signal?: AbortSignal): Promise<Hit[]> {
    return this.engine().rerank(query, candidates, { ...options, signal: this.signal(signal) });
  }

  async similarities(query: string, id: string): Promise<TokenSimilarities> {
    const s = await this.engine().similarities(query, id);
    return transfer(s, [s.values.buffer as ArrayBuffer]);
  }

  remove(ids: readonly string[]): Promise<void> {
    return this.engine().remove(ids);
  }

  clear(): Promise<void> {
    return this.engine().clear();
  }

  compact(signal?: AbortSignal, onProgress?: ProgressCallback): Promise<{ documentsPurged: number }> {
    return this.engine().compact({ signal: this.signal(signal), ...optional('onProgress', onProgress) });
  }

  export(): Promise<Blob> {
    return this.engine().export();
  }

  import(source: string | Blob, signal?: AbortSignal, onProgress?: ProgressCallback): Promise<void> {
    return this.engine().import(source, { signal: this.signal(signal), ...optional('onProgress', onProgress) });
  }

  async info(): Promise<SearchInfo> {
    const lease = this.current();
    const info = await lease.value.info();
    const isolated = typeof crossOriginIsolated === 'boolean' && crossOriginIsolated;
    return { ...info, worker: { kind: this.host.kind, clients: lease.users, crossOriginIsolated: isolated } };
  }

  /** Releases this handle's use of the engine (the engine closes with its last user); its running work is aborted. */
  async close(): Promise<void> {
    this.gone.abort(new ColbertError(ErrorCode.Closed, 'The handle that started this operation was closed.'));
    const lease = this.lease;
    this.lease = undefined;
    await lease?.release();
  }

  private current(): Lease<SearchEngine> {
    if (!this.lease) throw new ColbertError(ErrorCode.Closed, 'No index is open for this handle; call createSearch() again.');
    return this.lease;
  }

  private engine(): SearchEngine {
    return this.current().value;
  }

  /** The caller's signal, or this handle going away, whichever fires first. */
  private signal(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([signal, this.gone.signal]) : this.gone.signal;
  }
}

export type { SearchSession };
export type SearchWorkerApi = Pick<SearchSession, 'open' | 'add' | 'search' | 'rerank' | 'similarities' | 'remove' | 'clear' | 'compact' | 'export' | 'import' | 'info' | 'close' | 'abandonWhenReleased'>;
