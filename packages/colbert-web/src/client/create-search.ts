import { proxy } from 'comlink';
import { ColbertError, ErrorCode } from '../errors.js';
import { connectSharedWorker, startWorker } from './worker-handle.js';
import { validateDocuments } from '../protocol/validate-documents.js';
import type { WorkerHandle } from './worker-handle.js';
import type { ModelSource } from '../protocol/encoder-api.js';
import type { OperationOptions } from '../protocol/progress.js';
import type { AddOptions, DocumentInput, IndexRerankOptions, OpenSearchOptions, RerankCandidate, SearchApi, SearchOptions, WorkerInfo } from '../protocol/search-api.js';
import type { SearchWorkerApi } from '../worker/search-host.js';
import { requestPersistentStorage } from './persistent-storage.js';
import { holdTabLock } from './tab-lock.js';

/** The main-thread handle on one index, served by a SharedWorker (every tab of the origin) or a worker of its own. */
export interface SearchHandle extends SearchApi, AsyncDisposable {}

/**
 * Opens an index: loads the model in a worker, opens (or creates) the IndexedDB index and loads its vectors for
 * scoring. One SharedWorker can serve every tab of this origin (one model load, one in-memory index per index
 * name; see `worker`); either way every tab sees every tab's commits. Every call after that runs in the worker.
 *
 * @example
 * const search = await createSearch({ model: 'https://huggingface.co/org/model/resolve/main', index: 'notes' });
 * await search.add([{ id: 'n1', text: 'Aspirin lowers the risk of a second heart attack.' }]);
 * const hits = await search.search('heart attack', { k: 5, explain: true });
 * hits[0]?.matches?.forEach((m) => console.log(m.queryToken, '→', hits[0]!.text!.slice(m.start, m.end)));
 */
export async function createSearch(options: OpenSearchOptions): Promise<SearchHandle> {
  const { model, signal, onProgress, worker: wanted = 'auto', ...rest } = options;
  if (wanted !== 'auto' && wanted !== 'shared' && wanted !== 'dedicated') {
    throw new ColbertError(ErrorCode.InvalidInput, `worker must be 'auto', 'shared' or 'dedicated' (got ${String(wanted)}).`, { subject: 'worker' });
  }
  const name = `colbert-web index ${options.index ?? 'default'}`;
  const open = async (handle: WorkerHandle<SearchWorkerApi>): Promise<void> => {
    try {
      await Promise.race([handle.remote.open(pageRelative(model), rest, signal, onProgress && proxy(onProgress)), handle.failedToStart]);
    } catch (error) {
      handle.disconnect();
      throw error;
    }
  };
  let handleOf: WorkerHandle<SearchWorkerApi> | undefined;
  let fallback: WorkerInfo['fallback'];
  if (wanted === 'dedicated') fallback = undefined;
  else if (typeof SharedWorker === 'undefined') fallback = 'unavailable';
  else if (wanted === 'auto' && typeof crossOriginIsolated === 'boolean' && crossOriginIsolated) fallback = 'cross-origin-isolated';
  else {
    const shared = await startShared();
    try {
      await open(shared);
      handleOf = shared;
    } catch (error) {
      // A shared worker whose script never ran (a bundler that did not emit it, no module SharedWorker): use a
      // dedicated one. Anything the engine itself reported (a bad model, an aborted open) is the answer.
      if (!shared.startFailed) throw error;
      fallback = 'failed-to-start';
    }
  }
  if (!handleOf) {
    handleOf = startWorker<SearchWorkerApi>(new Worker(new URL('../worker/search-worker.js', import.meta.url), { type: 'module', name }));
    await open(handleOf);
  }
  // Storage persistence is a main-thread API; without it the browser may evict the index under pressure.
  void requestPersistentStorage();
  return searchHandle(handleOf, fallback);
}

/** Connects to the origin's shared engine, holding a lock that tells it when this handle's page goes away. */
async function startShared(): Promise<WorkerHandle<SearchWorkerApi>> {
  const lock = await holdTabLock();
  const worker = new SharedWorker(new URL('../worker/search-shared-worker.js', import.meta.url), { type: 'module', name: 'colbert-web' });
  const handle = connectSharedWorker<SearchWorkerApi>(worker, () => lock?.release());
  if (lock) void handle.remote.abandonWhenReleased(lock.name);
  return handle;
}

/** A relative model URL means relative to the page (a worker would resolve it against its own script). */
function pageRelative(model: ModelSource): ModelSource {
  if (typeof model !== 'string' || typeof location === 'undefined' || !/^(\/|\.\.?\/)/.test(model)) return model;
  return new URL(model, location.href).href;
}

function searchHandle(handleOf: WorkerHandle<SearchWorkerApi>, fallback: WorkerInfo['fallback']): SearchHandle {
  const { remote } = handleOf;
  const open = (): typeof remote => {
    if (handleOf.closed) throw new ColbertError(ErrorCode.Closed, 'This search index was closed; call createSearch() again.');
    return remote;
  };
  const handle: SearchHandle = {
    async add(documents: readonly DocumentInput[], { signal, onProgress, ...plain }: AddOptions = {}) {
      // Checked here too, so a value that cannot be posted (a function) is a ColbertError, not a DataCloneError.
      return open().add(validateDocuments(documents), plain, signal, onProgress && proxy(onProgress));
    },
    async search(query: string, { signal, ...plain }: SearchOptions = {}) {
      return open().search(query, plain, signal);
    },
    async similarities(query: string, id: string) {
      return open().similarities(query, id);
    },
    async rerank(query: string, candidates: readonly RerankCandidate[], { signal, ...plain }: IndexRerankOptions = {}) {
      return open().rerank(query, candidates, plain, signal);
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
      const info = await open().info();
      return fallback ? { ...info, worker: { ...info.worker, fallback } } : info;
    },
    close: () => handleOf.close(() => remote.close()),
    [Symbol.asyncDispose]() {
      return handle.close();
    },
  };
  return handle;
}
