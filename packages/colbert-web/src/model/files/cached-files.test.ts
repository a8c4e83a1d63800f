import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ColbertError, ErrorCode } from '../../errors.js';
import type { DownloadProgressEvent, ProgressEvent } from '../../protocol/progress.js';
import { filesFromSource } from '../load-model.js';
import { cachedFiles, MODEL_CACHE_NAME } from './cached-files.js';
import { loadOnce } from './load-once.js';

// Node has no Cache API, so these tests run the revalidation logic against a small in-memory stand-in and a
// real HTTP server; e2e/model-cache.spec.ts runs the same code against Chromium's Cache API.

interface Stored {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
}

/** Map-backed stand-in for one Cache (only what cached-files uses); `failPut` simulates a full quota. */
class MemoryCache {
  readonly entries = new Map<string, Stored>();
  failPut: Error | undefined;

  async match(url: string): Promise<Response | undefined> {
    const e = this.entries.get(url);
    return e && new Response(e.status === 200 ? (e.body as Uint8Array<ArrayBuffer>) : null, { status: e.status, headers: e.headers });
  }
  async put(url: string, response: Response): Promise<void> {
    const body = new Uint8Array(await response.arrayBuffer());
    if (this.failPut) throw this.failPut;
    this.entries.set(url, { status: response.status, headers: [...response.headers], body });
  }
  async delete(url: string): Promise<boolean> {
    return this.entries.delete(url);
  }
}

function memoryCacheStorage(cache: MemoryCache): CacheStorage {
  const storage = { open: async (name: string) => (name === MODEL_CACHE_NAME ? cache : new MemoryCache()) };
  return storage as unknown as CacheStorage;
}

interface ServedFile {
  body: Uint8Array;
  etag?: string;
  /** Answer 200 even when If-None-Match matches (hosts that ignore conditions). */
  ignoreConditions?: boolean;
}

const served = new Map<string, ServedFile>();
const requests: { method: string; path: string; ifNoneMatch: string | undefined }[] = [];
let server: Server;
let base: string;
let offline = false;
let cache: MemoryCache;
let storage: CacheStorage;

/** Fetch that can be "unplugged": rejects like a browser offline. */
const switchableFetch: typeof fetch = (input, init) =>
  offline ? Promise.reject(new TypeError('Failed to fetch')) : fetch(input, init);

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
    requests.push({ method: req.method ?? 'GET', path, ifNoneMatch: req.headers['if-none-match'] });
    const file = served.get(path);
    if (!file) {
      res.writeHead(404).end('not found');
      return;
    }
    const headers: Record<string, string> = { 'content-length': String(file.body.byteLength), 'content-type': 'application/octet-stream' };
    if (file.etag) headers['etag'] = file.etag;
    if (file.etag && !file.ignoreConditions && req.headers['if-none-match'] === file.etag) {
      res.writeHead(304, { etag: file.etag }).end();
      return;
    }
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : Buffer.from(file.body));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/model/`;
});

afterAll(async () => {
  await new Promise((done) => server.close(done));
});

beforeEach(() => {
  served.clear();
  requests.length = 0;
  offline = false;
  cache = new MemoryCache();
  storage = memoryCacheStorage(cache);
});

const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * seed) % 251);

async function readWithEvents(path: string): Promise<{ data: Uint8Array; events: DownloadProgressEvent[] }> {
  const events: DownloadProgressEvent[] = [];
  const files = cachedFiles(base, { caches: storage, fetch: switchableFetch });
  const data = await files.read(path, { onProgress: (e: ProgressEvent) => e.phase === 'download' && events.push(e) });
  return { data, events };
}

describe('cachedFiles', () => {
  test('stores a download, then revalidates with If-None-Match and serves the cached copy on 304', async () => {
    served.set('model/model.safetensors', { body: bytes(5000), etag: '"v1"' });
    const first = await readWithEvents('model.safetensors');
    expect(first.data).toEqual(bytes(5000));
    expect(first.events.every((e) => e.fromCache === false)).toBe(true);
    expect(cache.entries.get(`${base}model.safetensors`)?.headers).toContainEqual(['etag', '"v1"']);

    const second = await readWithEvents('model.safetensors');
    expect(second.data).toEqual(bytes(5000));
    expect(second.events.at(-1)).toMatchObject({ fromCache: true, loaded: 5000, total: 5000, totalLoaded: 5000, totalBytes: 5000 });
    expect(requests.at(-1)).toEqual({ method: 'GET', path: 'model/model.safetensors', ifNoneMatch: '"v1"' });
  });

  test('a changed ETag downloads the new file and replaces the cached one', async () => {
    served.set('model/model.safetensors', { body: bytes(3000), etag: '"v1"' });
    await readWithEvents('model.safetensors');
    served.set('model/model.safetensors', { body: bytes(3000, 7), etag: '"v2"' });
    const changed = await readWithEvents('model.safetensors');
    expect(changed.data).toEqual(bytes(3000, 7));
    expect(changed.events.at(-1)?.fromCache).toBe(false);
    expect(cache.entries.get(`${base}model.safetensors`)?.headers).toContainEqual(['etag', '"v2"']);
    offline = true;
    expect((await readWithEvents('model.safetensors')).data).toEqual(bytes(3000, 7));
  });

  test('a host that ignores If-None-Match but sends the same ETag is served from the cache', async () => {
    served.set('model/tokenizer.json', { body: bytes(2000), etag: 'W/"abc"', ignoreConditions: true });
    await readWithEvents('tokenizer.json');
    const again = await readWithEvents('tokenizer.json');
    expect(again.data).toEqual(bytes(2000));
    expect(again.events.at(-1)?.fromCache).toBe(true);
  });

  test('a file stored without ETag or Last-Modified is downloaded again while online', async () => {
    served.set('model/config.json', { body: bytes(100) });
    await readWithEvents('config.json');
    served.set('model/config.json', { body: bytes(100, 3) });
    const again = await readWithEvents('config.json');
    expect(again.data).toEqual(bytes(100, 3));
    expect(again.events.at(-1)?.fromCache).toBe(false);
  });

  test('offline: cached files are read and exist; an uncached file fails with MODEL_FILE_MISSING naming it', async () => {
    served.set('model/config.json', { body: bytes(64), etag: '"c"' });
    const files = cachedFiles(base, { caches: storage, fetch: switchableFetch });
    await files.read('config.json');
    expect(await files.exists('special_tokens_map.json')).toBe(false); // 404 online: remembered as absent
    offline = true;
    expect(await files.read('config.json')).toEqual(bytes(64));
    expect(await files.exists('config.json')).toBe(true);
    expect(await files.exists('special_tokens_map.json')).toBe(false);
    const error = await files.read('modules.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ColbertError);
    expect(error).toMatchObject({ code: ErrorCode.ModelFileMissing, subject: 'modules.json' });
    expect((error as Error).message).toContain('modules.json');
    await expect(files.exists('tokenizer_config.json')).rejects.toMatchObject({ code: ErrorCode.ModelFileMissing, subject: 'tokenizer_config.json' });
  });

  test('a file the host no longer has is replaced in the cache by a 404 marker and reported missing, online and offline', async () => {
    served.set('model/1_Dense/config.json', { body: bytes(10), etag: '"d"' });
    await readWithEvents('1_Dense/config.json');
    served.delete('model/1_Dense/config.json');
    await expect(readWithEvents('1_Dense/config.json')).rejects.toMatchObject({ code: ErrorCode.ModelFileMissing, subject: '1_Dense/config.json' });
    expect(cache.entries.get(`${base}1_Dense/config.json`)).toMatchObject({ status: 404, body: new Uint8Array() });
    offline = true;
    await expect(readWithEvents('1_Dense/config.json')).rejects.toMatchObject({ code: ErrorCode.ModelFileMissing, subject: '1_Dense/config.json' });
  });

  test('a full quota does not fail the read: the file loads uncached and a warning event says so', async () => {
    served.set('model/model.safetensors', { body: bytes(4000), etag: '"v1"' });
    cache.failPut = new DOMException('quota', 'QuotaExceededError');
    const { data, events } = await readWithEvents('model.safetensors');
    expect(data).toEqual(bytes(4000));
    expect(events.at(-1)?.warning?.code).toBe('CACHE_QUOTA_EXCEEDED');
    expect(events.at(-1)?.warning?.message).toContain('model.safetensors');
    expect(cache.entries.size).toBe(0);
  });

  test('overall progress adds up every file read through one source', async () => {
    served.set('model/config.json', { body: bytes(300), etag: '"a"' });
    served.set('model/model.safetensors', { body: bytes(7000), etag: '"b"' });
    const files = cachedFiles(base, { caches: storage, fetch: switchableFetch });
    await files.read('config.json'); // no callback, still counted
    const events: DownloadProgressEvent[] = [];
    await files.read('model.safetensors', { onProgress: (e) => e.phase === 'download' && events.push(e) });
    expect(events.at(-1)).toMatchObject({ loaded: 7000, total: 7000, totalLoaded: 7300, totalBytes: 7300 });
  });

  test('without the Cache API it reads from the network, with overall progress and no error', async () => {
    served.set('model/config.json', { body: bytes(50) });
    const events: DownloadProgressEvent[] = [];
    const files = cachedFiles(base); // Node: no globalThis.caches
    expect(await files.read('config.json', { onProgress: (e) => e.phase === 'download' && events.push(e) })).toEqual(bytes(50));
    expect(events.at(-1)).toMatchObject({ totalLoaded: 50, totalBytes: 50 });
    expect(events.at(-1)?.fromCache).toBeUndefined();
  });
});

describe('loadOnce', () => {
  /** What a load does: optional files probed, required ones read, then the identity hash reads them again. */
  async function load(): Promise<{ exists: boolean[]; config: Uint8Array }> {
    const files = loadOnce(cachedFiles(base, { caches: storage, fetch: switchableFetch }));
    const exists = [await files.exists('tokenizer_config.json'), await files.exists('special_tokens_map.json')];
    const config = await files.read('config.json');
    await files.read('model.safetensors');
    exists.push(await files.exists('model.safetensors'));
    await Promise.all([files.read('config.json'), files.read('model.safetensors'), files.read('tokenizer_config.json')]);
    return { exists, config };
  }

  test('one GET per file per load and no HEAD: exists() is that GET, a second read is the first one', async () => {
    served.set('model/config.json', { body: bytes(30), etag: '"c"' });
    served.set('model/model.safetensors', { body: bytes(4000), etag: '"w"' });
    served.set('model/tokenizer_config.json', { body: bytes(20), etag: '"t"' });
    const first = await load();
    expect(first.exists).toEqual([true, false, true]);
    expect(first.config).toEqual(bytes(30));
    const asked = (): string[] => requests.map((r) => `${r.method} ${r.path} ${r.ifNoneMatch ?? '-'}`).sort();
    expect(asked()).toEqual([
      'GET model/config.json -',
      'GET model/model.safetensors -',
      'GET model/special_tokens_map.json -',
      'GET model/tokenizer_config.json -',
    ]);
    // The next load revalidates each stored file once; the absent one is asked once more (it may have appeared).
    requests.length = 0;
    const second = await load();
    expect(second.exists).toEqual([true, false, true]);
    expect(asked()).toEqual([
      'GET model/config.json "c"',
      'GET model/model.safetensors "w"',
      'GET model/special_tokens_map.json -',
      'GET model/tokenizer_config.json "t"',
    ]);
    // Offline, the stored 404 still says the optional file is absent, so the load goes on.
    offline = true;
    expect((await load()).exists).toEqual([true, false, true]);
  });

  test('a failed request is not remembered: the next read in the same load asks again', async () => {
    served.set('model/config.json', { body: bytes(30) });
    const files = loadOnce(cachedFiles(base, { caches: storage, fetch: switchableFetch }));
    offline = true;
    await expect(files.exists('config.json')).rejects.toMatchObject({ code: ErrorCode.ModelFileMissing, subject: 'config.json' });
    offline = false;
    expect(await files.read('config.json')).toEqual(bytes(30));
  });
});

describe('filesFromSource', () => {
  test('cache must be a boolean', () => {
    expect(() => filesFromSource(base, { cache: 'yes' as unknown as boolean })).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput, subject: 'cache' }));
    expect(filesFromSource(base, { cache: false }).location).toBe(base);
  });
});
