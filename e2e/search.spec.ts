import { chromium, expect, test } from '@playwright/test';
import { destroyDeviceOnNextCommandEncoder } from './device-loss.js';
import { documentCount, expectSameRanking, openPlayground, scifactSlice, searchFor, type Ranked } from './playground.js';

// The playground as a user drives it, on 300 SciFact abstracts (../shared, not in the repo), default lexical model.

/** A sentence of at least 8 words from the middle of a document: what a user pastes to find it again. */
function copiedSentence(text: string): string {
  const sentences = text.split(/(?<=\.)\s+/).filter((s) => s.split(/\s+/).length >= 8);
  return (sentences[1] ?? sentences[0] ?? text).trim();
}

const fold = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

async function indexFile(page: import('@playwright/test').Page, file: string, expected: number): Promise<void> {
  await page.locator('#upload').setInputFiles(file);
  await expect(page.locator('#add-status')).toHaveAttribute('data-state', 'done', { timeout: 300_000 });
  expect(await documentCount(page)).toBe(expected);
}

test('300 SciFact abstracts: a copied sentence finds its document first, highlights hit the query words, the index survives a reload', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const file = test.info().outputPath('scifact-300.jsonl');
  const docs = scifactSlice(300, file);
  await openPlayground(page);
  await indexFile(page, file, 300);

  const probes = [docs[3]!, docs[150]!, docs[299]!];
  const before: Ranked[][] = [];
  for (const doc of probes) {
    const sentence = copiedSentence(doc.text);
    const hits = await searchFor(page, sentence);
    expect(hits[0]?.id, sentence).toBe(doc._id);
    expect(hits).toHaveLength(10);
    before.push(hits);
    // Every highlighted stretch of the top hit is text the query contains: spans point at the matched words.
    const marks = await page.locator('#hits > li.hit').first().locator('mark').allTextContents();
    expect(marks.length).toBeGreaterThan(5);
    for (const mark of marks) expect(fold(sentence), `highlight "${mark}"`).toContain(fold(mark));
  }
  await page.screenshot({ path: test.info().outputPath('playground-search.png'), fullPage: true });

  await page.reload();
  await expect(page.locator('#model-status')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  expect(await documentCount(page)).toBe(300);
  for (const [i, doc] of probes.entries()) expect(await searchFor(page, copiedSentence(doc.text))).toEqual(before[i]);
  expect(errors).toEqual([]);
});

test('export → clear → import gives the same results; WebGPU and an adapter-less browser rank the same', async ({ page, baseURL }) => {
  const file = test.info().outputPath('scifact-300.jsonl');
  const docs = scifactSlice(300, file);
  const queries = [copiedSentence(docs[10]!.text), 'cancer risk in children', 'protein folding in the brain', copiedSentence(docs[200]!.text)];
  await openPlayground(page);
  await indexFile(page, file, 300);
  const wasm: Ranked[][] = [];
  for (const q of queries) wasm.push(await searchFor(page, q));

  const download = page.waitForEvent('download');
  await page.locator('#export').click();
  const exported = test.info().outputPath('index.cwi');
  await (await download).saveAs(exported);
  await page.locator('#clear').click();
  await expect(page.locator('#doc-count')).toHaveAttribute('data-documents', '0');
  expect(await searchFor(page, queries[0]!)).toEqual([]);
  await page.locator('#import').setInputFiles(exported);
  await expect(page.locator('#doc-count')).toHaveAttribute('data-documents', '300', { timeout: 60_000 });
  for (const [i, q] of queries.entries()) expect(await searchFor(page, q)).toEqual(wasm[i]);

  // The same index scored on WebGPu (SwiftShader here), query encoded on WebGPU too.
  await openPlayground(page, 'webgpu');
  await expect(page.locator('#status-bar')).toHaveAttribute('data-encoder', 'webgpu');
  await expect(page.locator('#status-bar')).toHaveAttribute('data-scorer', 'webgpu');
  expect(await documentCount(page)).toBe(300);
  for (const [i, q] of queries.entries()) expectSameRanking(await searchFor(page, q), wasm[i]!, 1e-4);
  await page.screenshot({ path: test.info().outputPath('playground-webgpu.png'), fullPage: true });

  // The GPU device is lost (destroyed from inside the search worker's next command encoder, the usual way to
  // simulate it): the search still answers, with the same ranking, from the CPU scorer rebuilt from IndexedDB.
  await destroyDeviceOnNextCommandEncoder(page.workers().find((w) => w.url().includes('search-worker'))!);
  for (const [i, q] of queries.entries()) expectSameRanking(await searchFor(page, q), wasm[i]!, 1e-4);
  await expect(page.locator('#status-bar')).toHaveAttribute('data-scorer', /^wasm/);
  await expect(page.locator('#status-bar')).toHaveAttribute('data-encoder', 'wasm');

  // A browser without any WebGPU adapter imports the exported file and ranks the same.
  const bare = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const other = await (await bare.newContext({ baseURL: baseURL! })).newPage();
    await openPlayground(other);
    await expect(other.locator('#status-bar')).toContainText('WebGPU not used: no adapter');
    await expect(other.locator('#status-bar')).toHaveAttribute('data-scorer', /^wasm/);
    await other.locator('#import').setInputFiles(exported);
    await expect(other.locator('#doc-count')).toHaveAttribute('data-documents', '300', { timeout: 60_000 });
    for (const [i, q] of queries.entries()) expectSameRanking(await searchFor(other, q), wasm[i]!, 1e-4);
  } finally {
    await bare.close();
  }
});

test('offline after the first visit: the playground loads its model and index with the network blocked', async ({ page, context }) => {
  await openPlayground(page);
  await page.locator('#add-sample').click();
  await expect(page.locator('#add-status')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const online = await searchFor(page, 'why does bread rise');
  expect(online[0]?.id).toBe('bread');
  // The service worker installs during the first visit; its cache fills as the app is used.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await expect(page.locator('#model-status')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });

  await context.setOffline(true);
  await page.reload();
  await expect(page.locator('#model-status')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  expect(await documentCount(page)).toBe(36);
  expect(await searchFor(page, 'why does bread rise')).toEqual(online);
});
