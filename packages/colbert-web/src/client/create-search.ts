import { proxy } from 'comlink';
import { ColbertError, ErrorCode } from '../errors.js';
import { startWorker } from './worker-handle.js';
import type { OperationOptions } from '../protocol/progress.js';
import type { AddOptions, DocumentInput, OpenSearchOptions, SearchApi, SearchOptions } from '../protocol/search-api.js';
import type { SearchWorkerApi } from '../worker/search-worker.js';
import { requestPersistentStorage } from './persistent-storage.js';

/** The main-thread handle on one index, served by its own Web Worker. */
export interface SearchHandle extends SearchApi, AsyncDisposable {}

/**
 * Starts a Web Worker for one index: loads the model, opens (or creates) the IndexedDB index and loads its
 * vectors for scoring. Every call after that runs in the worker; the main thread only posts messages.
 *
 * @example
 * const search = await createSearch({ model: 'https://huggingface.co/org/model/resolve/main', index: 'notes' });
 * await search.add([{ id: 'n1', text: 'Aspirin lowers the risk of a second heart attack.' }]);
 * const hits = await search.search('heart attack', { k: 5, explain: true });
 * hits[0]?.matches?.forEach((m) => console.log(m.queryToken, '→', hits[0]!.text!.slice(m.start, m.end)));
 */
export async function createSearch(options: OpenSearchOptions): Promise<SearchHandle> {
  const handleOf = startWorker<SearchWorkerApi>(
    new Worker(new URL('../worker/search-worker.js', import.meta.url), { type: 'module', name: `colbert-web index ${options.index ?? 'default'}` }),
  );
  const { remote, worker } = handleOf;
  const { model, signal, onProgress, ...rest } = options;
  try {
    await Promise.race([remote.open(model, rest, signal, onProgress && proxy(onProgress)), handleOf.failedToStart]);
  } catch (error) {
    worker.terminate();
    throw error;
  }
  // Storage persistence is a main-thread API; without it the browser may evict the index under pressure.
  void requestPersistentStorage();

  const open = (): typeof remote => {
    if (handleOf.closed) throw new ColbertError(ErrorCode.Closed, 'This search index was closed; call createSearch() again.');
    return remote;
  };
  const handle: SearchHandle = {
    async add(documents: readonly DocumentInput[], { signal, onProgress, ...plain }: AddOptions = {}) {
      return open().add(documents, plain, signal, onProgress && proxy(onProgress));
    },
    async search(query: string, { signal, ...plain }: SearchOptions = {}) {
      return open().search(query, plain, signal);
    },
    async similarities(query: string, id: string) {
      return open().similarities(query, id);
    },
    async remove(ids: readonly string[]) {
      return open().remove(ids);
    },
    async clear() {
      return open().clear();
    },
    async compact({ signal, onProgress }: OperationOptions = {}) {
      return open().compact(signal, onProgress && proxy(onProgress));
    },
    async export() {
      return open().export();
    },
    async import(source: string | Blob, { signal, onProgress }: OperationOptions = {}) {
      return open().import(source, signal, onProgress && proxy(onProgress));
    },
    async info() {
      return open().info();
    },
    close: () => handleOf.close(() => remote.close()),
    [Symbol.asyncDispose]() {
      return handle.close();
    },
  };
  return handle;
}

