import { expect, test } from '@playwright/test';
import type { Page, Route } from '@playwright/test';
import type { CreateEncoderOptions, ProgressEvent } from 'colbert-web';

// The model cache against Chromium's real Cache API, in the encoder's Web Worker: a model loaded once loads
// offline, a changed ETag is downloaded again, `cache: false` leaves the cache alone, a full quota only warns.

const MODEL = '/__shared/fixtures/colbert-tiny-golden/checkpoint/';
const MODEL_FILES = `**${MODEL}**`;
const TEXTS = [
  { text: 'what causes heart attacks?', kind: 'query' as const },
  { text: 'Coronary artery disease narrows the vessels that feed the heart muscle.', kind: 'document' as const },
];

type Download = Extract<ProgressEvent, { phase: 'download' }>;
interface LoadResult {
  vectors: number[][];
  downloads: Download[];
  error?: { code: string | undefined; subject: string | undefined; message: string; isColbertError: boolean };
}

async function openHarness(page: Page): Promise<void> {
  await page.goto('/harness/encoder.html');
  await page.waitForFunction(() => window.harnessReady === true);
}

/** Loads the fixture in a worker, encodes TEXTS, closes; returns the vectors and every download event. */
async function loadAndEncode(page: Page, options: Partial<CreateEncoderOptions> = {}): Promise<LoadResult> {
  return page.evaluate(
    async ({ model, texts, options }) => {
      const downloads: Download[] = [];
      try {
        const encoder = await window.colbert.createEncoder({ model, ...options, onProgress: (e) => e.phase === 'download' && downloads.push(e) });
        const encoded = await encoder.encode(texts);
        await encoder.close();
        return { vectors: encoded.map((e) => Array.from(e.vectors)), downloads };
      } catch (e) {
        const error = e as { code?: string; subject?: string; message: string };
        return { vectors: [], downloads, error: { code: error.code, subject: error.subject, message: error.message, isColbertError: e instanceof window.colbert.ColbertError } };
      }
    },
    { model: MODEL, texts: TEXTS, options },
  );
}

/** The URLs in the model cache, relative to the model. */
async function cachedPaths(page: Page): Promise<string[]> {
  return page.evaluate(async (model) => {
    if (!(await caches.has('colbert-web-models-v1'))) return [];
    const keys = await (await caches.open('colbert-web-models-v1')).keys();
    return keys.map((r) => r.url.slice(new URL(model, location.href).href.length)).sort();
  }, MODEL);
}

/** The last download event of each file. */
function lastPerFile(downloads: Download[]): Map<string, Download> {
  return new Map(downloads.map((e) => [e.file, e]));
}

function maxAbsDiff(a: number[][], b: number[][]): number {
  expect(b.map((v) => v.length)).toEqual(a.map((v) => v.length));
  return Math.max(...a.flatMap((row, i) => row.map((x, j) => Math.abs(x - b[i]![j]!))));
}

/** Blocks the model's files (the harness page itself still loads); counts what was blocked. */
async function blockModel(page: Page): Promise<{ blocked: string[] }> {
  const log = { blocked: [] as string[] };
  await page.context().route(MODEL_FILES, (route) => {
    log.blocked.push(new URL(route.request().url()).pathname.slice(MODEL.length));
    return route.abort('internetdisconnected');
  });
  return log;
}

test.beforeEach(async ({ page }) => {
  await openHarness(page);
  await page.evaluate(() => window.colbert.clearModelCache());
});

test('a model loaded once loads from the cache with the network blocked, with the same vectors', async ({ page }) => {
  const online = await loadAndEncode(page);
  expect(online.error).toBeUndefined();
  const weights = lastPerFile(online.downloads).get('model.safetensors')!;
  expect(weights).toMatchObject({ fromCache: false, loaded: 17547912, total: 17547912 });
  // Overall progress: the configs and tokenizer files were read before the weights.
  expect(weights.totalLoaded).toBeGreaterThan(17547912 + 700_000);
  expect(weights.totalBytes).toBe(weights.totalLoaded);
  expect(await cachedPaths(page)).toEqual(
    expect.arrayContaining(['1_Dense/config.json', '1_Dense/model.safetensors', 'config.json', 'model.safetensors', 'modules.json', 'tokenizer.json']),
  );

  await page.reload();
  await page.waitForFunction(() => window.harnessReady === true);
  const network = await blockModel(page);
  const offline = await loadAndEncode(page);
  expect(offline.error).toBeUndefined();
  expect(network.blocked).toEqual(expect.arrayContaining(['modules.json', 'model.safetensors'])); // it did try the network
  const files = lastPerFile(offline.downloads);
  expect([...files.keys()]).toEqual(expect.arrayContaining(['model.safetensors', '1_Dense/model.safetensors']));
  for (const event of files.values()) expect(event).toMatchObject({ fromCache: true });
  expect(files.get('model.safetensors')).toMatchObject({ loaded: 17547912, total: 17547912 });
  expect(maxAbsDiff(online.vectors, offline.vectors)).toBe(0);
});

test('revalidation: an unchanged ETag is served from the cache (304), a changed one is downloaded again', async ({ page }) => {
  // The dev server sends no validators; serve the model with ETags and answer If-None-Match like a CDN.
  const etags = new Map<string, string>();
  const conditional: string[] = [];
  await page.context().route(MODEL_FILES, async (route: Route) => {
    const path = new URL(route.request().url()).pathname.slice(MODEL.length);
    const etag = etags.get(path) ?? '"v1"';
    const ifNoneMatch = await route.request().headerValue('if-none-match');
    if (ifNoneMatch) conditional.push(path);
    if (ifNoneMatch === etag) return route.fulfill({ status: 304, headers: { etag } });
    const response = await route.fetch();
    return route.fulfill({ response, headers: { ...response.headers(), etag } });
  });

  const first = await loadAndEncode(page);
  expect(first.error).toBeUndefined();
  expect(lastPerFile(first.downloads).get('model.safetensors')?.fromCache).toBe(false);

  const unchanged = await loadAndEncode(page);
  expect(conditional).toEqual(expect.arrayContaining(['model.safetensors', 'tokenizer.json']));
  expect(lastPerFile(unchanged.downloads).get('model.safetensors')?.fromCache).toBe(true);

  etags.set('model.safetensors', '"v2"');
  const changed = await loadAndEncode(page);
  const files = lastPerFile(changed.downloads);
  expect(files.get('model.safetensors')?.fromCache).toBe(false);
  expect(files.get('1_Dense/model.safetensors')?.fromCache).toBe(true);
  expect(maxAbsDiff(first.vectors, changed.vectors)).toBe(0);
  const stored = await page.evaluate(async () => {
    const cache = await caches.open('colbert-web-models-v1');
    const match = await cache.match(new URL('/__shared/fixtures/colbert-tiny-golden/checkpoint/model.safetensors', location.href).href);
    return match?.headers.get('etag');
  });
  expect(stored).toBe('"v2"');
});

test('cache: false neither writes nor reads the cache', async ({ page }) => {
  const uncached = await loadAndEncode(page, { cache: false });
  expect(uncached.error).toBeUndefined();
  expect(await cachedPaths(page)).toEqual([]);
  expect(uncached.downloads.every((e) => e.fromCache === undefined)).toBe(true);
  expect(lastPerFile(uncached.downloads).get('model.safetensors')?.totalLoaded).toBeGreaterThan(17547912);

  await loadAndEncode(page); // now cached
  expect((await cachedPaths(page)).length).toBeGreaterThan(5);
  await blockModel(page);
  const blocked = await loadAndEncode(page, { cache: false });
  expect(blocked.error).toMatchObject({ code: 'MODEL_FILE_MISSING' });
});

test('with no cached copy and the network blocked, the load fails with MODEL_FILE_MISSING naming the file', async ({ page }) => {
  await blockModel(page);
  const result = await loadAndEncode(page);
  expect(result.error).toMatchObject({ isColbertError: true, code: 'MODEL_FILE_MISSING', subject: 'modules.json' });
  expect(result.error!.message).toContain('modules.json');
});

test('clearModelCache removes one model or all of them', async ({ page }) => {
  await loadAndEncode(page);
  const count = (await cachedPaths(page)).length;
  expect(count).toBeGreaterThan(5);
  expect(await page.evaluate(() => window.colbert.clearModelCache('/__shared/fixtures/other-model/'))).toBe(0);
  expect(await page.evaluate((model) => window.colbert.clearModelCache(model), MODEL)).toBe(count);
  expect(await cachedPaths(page)).toEqual([]);
});

test('a full storage quota does not fail the load: the weights load uncached and a warning says so', async ({ page }) => {
  // Storage.overrideQuotaForOrigin is a Chromium DevTools command; every project here runs Chromium.
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(page.url()).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 4_000_000 });
  try {
    const result = await loadAndEncode(page);
    expect(result.error).toBeUndefined();
    expect(result.vectors.length).toBe(2);
    const warned = result.downloads.filter((e) => e.warning);
    expect(warned.map((e) => [e.file, e.warning!.code])).toContainEqual(['model.safetensors', 'CACHE_QUOTA_EXCEEDED']);
    const paths = await cachedPaths(page);
    expect(paths).toContain('tokenizer.json');
    expect(paths).not.toContain('model.safetensors');
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  }
});
