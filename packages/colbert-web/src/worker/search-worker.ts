/// <reference lib="webworker" />
import { expose, transfer } from 'comlink';
import { ColbertError, ErrorCode } from '../errors.js';
import type { ModelSource } from '../protocol/encoder-api.js';
import type { ProgressCallback } from '../protocol/progress.js';
import type { AddOptions, DocumentInput, OpenSearchOptions, SearchOptions } from '../protocol/search-api.js';
import { installTransferHandlers } from '../protocol/transfer-handlers.js';
import { SearchEngine } from './search-engine.js';

installTransferHandlers();

let engine: SearchEngine | undefined;

function current(): SearchEngine {
  if (!engine) throw new ColbertError(ErrorCode.Closed, 'No index is open in this worker; call open() first.');
  return engine;
}

/** Options as they cross the boundary: comlink handles a signal or a callback only as a whole argument. */
type Plain<T> = Omit<T, 'signal' | 'onProgress'>;

const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

/** What the search worker exposes: `open` once, then the `SearchApi` methods with signals/callbacks split out. */
const api = {
  async open(model: ModelSource, options: Plain<Omit<OpenSearchOptions, 'model'>>, signal?: AbortSignal, onProgress?: ProgressCallback): Promise<void> {
    if (engine) throw new ColbertError(ErrorCode.InvalidInput, 'This worker already serves an index.');
    engine = await SearchEngine.open(model, { ...options, ...optional('signal', signal), ...optional('onProgress', onProgress) });
  },
  add(documents: readonly DocumentInput[], options: Plain<AddOptions>, signal?: AbortSignal, onProgress?: ProgressCallback) {
    return current().add(documents, { ...options, ...optional('signal', signal), ...optional('onProgress', onProgress) });
  },
  search(query: string, options: Omit<SearchOptions, 'signal'>, signal?: AbortSignal) {
    return current().search(query, { ...options, ...optional('signal', signal) });
  },
  async similarities(query: string, id: string) {
    const s = await current().similarities(query, id);
    return transfer(s, [s.values.buffer as ArrayBuffer]);
  },
  remove(ids: readonly string[]) {
    return current().remove(ids);
  },
  clear() {
    return current().clear();
  },
  compact(signal?: AbortSignal, onProgress?: ProgressCallback) {
    return current().compact({ ...optional('signal', signal), ...optional('onProgress', onProgress) });
  },
  export() {
    return current().export();
  },
  import(source: string | Blob, signal?: AbortSignal, onProgress?: ProgressCallback) {
    return current().import(source, { ...optional('signal', signal), ...optional('onProgress', onProgress) });
  },
  info() {
    return current().info();
  },
  async close() {
    await engine?.close();
    engine = undefined;
  },
};

export type SearchWorkerApi = typeof api;

expose(api);
