import { throwIfAborted } from '../../errors.js';
import type { DownloadWarning, OperationOptions, ProgressCallback } from '../../protocol/progress.js';
import type { ModelFiles } from './model-files.js';
import { isMissingFile } from './model-files.js';
import { urlFiles } from './url-files.js';
import type { UrlFilesOptions } from './url-files.js';

/** The Cache API cache that keeps downloaded model files; the suffix changes if what is stored changes. */
export const MODEL_CACHE_NAME = 'colbert-web-models-v1';

/**
 * Response headers that identify a file's version, most specific first. A Hugging Face LFS file's
 * `x-linked-etag` is its sha256; `x-repo-commit` changes with every commit to the repository, so it only
 * decides when the file has nothing more specific (it would re-download the weights for a README edit).
 */
const VERSION_HEADERS = ['x-linked-etag', 'etag', 'last-modified', 'x-repo-commit'] as const;

export interface CachedFilesOptions extends UrlFilesOptions {
  /** Replaces `globalThis.caches` (tests). */
  caches?: CacheStorage;
}

/**
 * Files under a base URL, kept in the Cache API so a model downloaded once also loads offline.
 *
 * Each file is stored under its URL with the headers that identify its version (ETag, Last-Modified, and for
 * Hugging Face `x-linked-etag` / `x-repo-commit`). Online, every read revalidates with one conditional GET
 * (`If-None-Match`, else `If-Modified-Since`): a 304, or a 200 whose version matches (hosts that ignore the
 * condition; the body is cancelled unread), serves the cached copy; anything newer is downloaded and replaces
 * it. A file stored without any version header is downloaded again whenever the network answers. When the
 * request fails (offline, DNS, CORS) or the host answers 5xx, the cached copy is served. A 404 (or 410) replaces
 * whatever is stored by a 404 marker, so offline the file is still known to be absent; `exists` is that same GET.
 *
 * Without the Cache API (Node, insecure contexts) this is `urlFiles` with overall progress, and never an error.
 * A file that cannot be stored (quota) still loads; its progress event carries a `warning`.
 *
 * @example
 * const files = cachedFiles('https://huggingface.co/lightonai/colbert-small/resolve/main');
 * await files.read('model.safetensors', { onProgress: (e) => e.phase === 'download' && show(e.fromCache) });
 */
export function cachedFiles(baseUrl: string, options: CachedFilesOptions = {}): ModelFiles {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const storage = options.caches ?? (typeof caches === 'undefined' ? undefined : caches);
  const network = urlFiles(base, options);
  if (!storage || !/^https?:/.test(base)) return withDownloadTotals(network);
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  // Opening can still fail (storage disabled, opaque origin): then the files are simply not cached.
  const opened = storage.open(MODEL_CACHE_NAME).catch(() => undefined);

  const files: ModelFiles = {
    location: base,
    async read(path, opts: OperationOptions = {}) {
      throwIfAborted(opts.signal);
      const cache = await opened;
      if (!cache) return network.read(path, opts);
      const url = new URL(path, base).href;
      const outcome: Outcome = { fromCache: false };
      const revalidating = urlFiles(base, { fetch: (_input, init) => revalidate(cache, url, init ?? {}, doFetch, outcome) });
      const { onProgress } = opts;
      const tagged: ProgressCallback | undefined =
        onProgress && ((e) => onProgress(e.phase === 'download' ? { ...e, fromCache: outcome.fromCache } : e));
      const bytes = await revalidating.read(path, { ...opts, onProgress: tagged });
      if (outcome.store) {
        const warning = await store(cache, url, path, bytes, outcome.store);
        if (warning) onProgress?.({ phase: 'download', file: path, loaded: bytes.byteLength, total: bytes.byteLength, fromCache: false, warning });
      }
      return bytes;
    },
    // One GET, as a read: a present file is then stored, an absent one remembered (a stored 404) for offline use.
    async exists(path) {
      try {
        await files.read(path);
        return true;
      } catch (error) {
        if (isMissingFile(error)) return false;
        throw error;
      }
    },
  };
  return withDownloadTotals(files);
}

/** What revalidating one file decided: where its bytes come from, and what to store once they are read. */
interface Outcome {
  fromCache: boolean;
  store?: Headers;
}

/** The fetch that `urlFiles` runs for one cached read: the cached copy, or the network's answer to store. */
async function revalidate(cache: Cache, url: string, init: RequestInit, doFetch: typeof fetch, outcome: Outcome): Promise<Response> {
  const found = await cache.match(url).catch(() => undefined);
  const cached = found?.ok ? found : undefined;
  const conditions = cached ? conditionalHeaders(cached.headers) : {};
  let response: Response;
  try {
    response = await doFetch(url, { ...init, headers: conditions });
  } catch (cause) {
    if (init.signal?.aborted) throw cause;
    // Offline: a stored 404 marks a file the host said was absent (an optional file), so the load goes on without it.
    if (!cached) {
      if (found?.status === 404) return found;
      throw cause;
    }
    // A cross-origin host may refuse the conditional headers in its CORS preflight: ask once without them.
    if (Object.keys(conditions).length > 0 && !sameOrigin(url)) {
      try {
        response = await doFetch(url, init);
      } catch {
        return serveCached(cached, outcome);
      }
    } else {
      return serveCached(cached, outcome);
    }
  }
  if (response.status === 404 || response.status === 410) {
    // The host says the file is gone: any cached copy is no longer the model at this URL.
    await cache.put(url, new Response(null, { status: 404 })).catch(() => undefined);
    return response;
  }
  if (!cached) {
    if (response.ok) outcome.store = response.headers;
    return response;
  }
  if (response.status === 304) {
    // Read the empty body to its end: cancelling it would show the request as aborted, though nothing was wasted.
    await response.arrayBuffer().catch(() => undefined);
    return serveCached(cached, outcome);
  }
  if (response.ok && sameVersion(cached.headers, response.headers)) {
    void response.body?.cancel().catch(() => undefined);
    return serveCached(cached, outcome);
  }
  if (response.ok) {
    outcome.store = response.headers;
    return response;
  }
  // 5xx and other trouble on the host's side: keep working from the cached copy.
  void response.body?.cancel().catch(() => undefined);
  return serveCached(cached, outcome);
}

function serveCached(cached: Response, outcome: Outcome): Response {
  outcome.fromCache = true;
  return cached;
}

function conditionalHeaders(stored: Headers): Record<string, string> {
  const etag = stored.get('etag');
  if (etag) return { 'if-none-match': etag };
  const modified = stored.get('last-modified');
  return modified ? { 'if-modified-since': modified } : {};
}

/** Same version when the most specific version header both responses carry is equal (weak ETags compare by value). */
function sameVersion(stored: Headers, fresh: Headers): boolean {
  for (const name of VERSION_HEADERS) {
    const a = stored.get(name);
    const b = fresh.get(name);
    if (a !== null && b !== null) return strip(a) === strip(b);
  }
  return false;
}

function strip(value: string): string {
  return value.replace(/^W\//, '');
}

function sameOrigin(url: string): boolean {
  return typeof location !== 'undefined' && new URL(url).origin === location.origin;
}

/** Stores a downloaded file with its version headers; a failure becomes a warning, never an error. */
async function store(cache: Cache, url: string, path: string, bytes: Uint8Array, from: Headers): Promise<DownloadWarning | undefined> {
  const headers = new Headers({ 'content-length': String(bytes.byteLength) });
  for (const name of [...VERSION_HEADERS, 'content-type']) {
    const value = from.get(name);
    if (value !== null) headers.set(name, value);
  }
  try {
    await cache.put(url, new Response(bytes as Uint8Array<ArrayBuffer>, { headers }));
    return undefined;
  } catch (error) {
    // An older version of the file may still be stored: drop it rather than serve it offline beside newer files.
    await cache.delete(url).catch(() => false);
    const name = (error as { name?: unknown }).name;
    if (name === 'QuotaExceededError') {
      return {
        code: 'CACHE_QUOTA_EXCEEDED',
        message: `${path} (${bytes.byteLength} bytes) was not cached: the browser's storage quota is full. The model works but needs the network next time; clearModelCache() frees space.`,
      };
    }
    return { code: 'CACHE_WRITE_FAILED', message: `${path} was not cached: ${(error as Error).message}. The model works but needs the network next time.` };
  }
}

/**
 * Adds overall progress to a source's download events: `totalLoaded` / `totalBytes` over every file read
 * through it so far (files read without a progress callback, such as the JSON configs, count once read).
 */
export function withDownloadTotals(files: ModelFiles): ModelFiles {
  let done = 0;
  return {
    location: files.location,
    exists: (path) => files.exists(path),
    async read(path, options: OperationOptions = {}) {
      const { onProgress } = options;
      const counted: ProgressCallback | undefined =
        onProgress &&
        ((e) =>
          onProgress(
            e.phase === 'download' ? { ...e, totalLoaded: done + e.loaded, totalBytes: e.total === undefined ? undefined : done + e.total } : e,
          ));
      const bytes = await files.read(path, { ...options, onProgress: counted });
      done += bytes.byteLength;
      return bytes;
    },
  };
}

/**
 * Removes cached model files: every file of every model, or those under one model's base URL (resolved
 * against the page like `createEncoder`'s `model`). Resolves to the number of entries removed; 0 where the
 * Cache API is unavailable.
 *
 * @example
 * import { clearModelCache } from 'colbert-web';
 * await clearModelCache('https://huggingface.co/org/model/resolve/main'); // one model
 * await clearModelCache(); // all of them
 */
export async function clearModelCache(url?: string): Promise<number> {
  if (typeof caches === 'undefined' || !(await caches.has(MODEL_CACHE_NAME))) return 0;
  const cache = await caches.open(MODEL_CACHE_NAME);
  const keys = await cache.keys();
  if (url === undefined) {
    await caches.delete(MODEL_CACHE_NAME);
    return keys.length;
  }
  const resolved = typeof location === 'undefined' ? url : new URL(url, location.href).href;
  const prefix = resolved.endsWith('/') ? resolved : `${resolved}/`;
  const removed = keys.filter((request) => request.url.startsWith(prefix));
  await Promise.all(removed.map((request) => cache.delete(request)));
  return removed.length;
}
