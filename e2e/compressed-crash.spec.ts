import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import config from '../playwright.config.js';
import { killBrowser } from './kill-browser.js';

// Crash safety of a re-training compaction of a compressed index (issue #14): the worker is terminated (its page
// closed) or the whole browser SIGKILLed at moments spread over an uninterrupted re-training's duration. Reopened,
// the index holds every acknowledged document, answers searches at once, and one compaction then gives exactly the
// tables and scores of the run that was never interrupted (training is deterministic). Real worker, IndexedDB,
// WASM kernels and the golden fixture model (harness: demo/harness/compressed-crash.ts).

async function openHarness(page: Page): Promise<void> {
  await page.goto('/harness/encoder.html');
  await page.waitForFunction(() => window.harnessReady);
}

type Settled = Awaited<ReturnType<Window['crash']['settle']>>;

/** The uninterrupted run on `page`: how long its re-training compaction takes and what the index then answers. */
async function uninterrupted(page: Page, index: string): Promise<{ ms: number; settled: Settled; all: string[] }> {
  await page.evaluate((i) => window.crash.grow(i), index);
  const ms = await page.evaluate(() => window.crash.compact());
  const settled = await page.evaluate((i) => window.crash.settle(i), index);
  return { ms, settled, all: await page.evaluate(() => window.crash.allIds()) };
}

function expectRecovered(after: Settled, reference: { settled: Settled; all: string[] }, label: string): void {
  // Nothing acknowledged is lost, and the index answers before anything is redone.
  expect(after.beforeCompact, label).toEqual(reference.all);
  expect(after.documents, label).toBe(reference.all.length);
  expect(after.found, label).toEqual(reference.all);
  // The finished re-training is the uninterrupted one: same centroids, same scores.
  expect(after.centroids, label).toBe(reference.settled.centroids);
  for (const id of reference.all) expect(after.scores[id], `${label}: ${id}`).toBeCloseTo(reference.settled.scores[id]!, 5);
}

test('terminating the worker during a re-training compaction (twice at set moments, once as the new tables commit) loses nothing and resumes', async ({ page, context }) => {
  test.setTimeout(300_000);
  await openHarness(page);
  const reference = await uninterrupted(page, `crash-ref-${Date.now()}`);
  expect(reference.settled.centroids).toBeGreaterThan(0);
  const states: string[] = [];
  for (const when of [0.1, 0.5, 'tables committed'] as const) {
    const index = `crash-worker-${String(when)}-${Date.now()}`;
    const doomed = await context.newPage();
    await openHarness(doomed);
    const firstTables = await doomed.evaluate((i) => window.crash.grow(i, 'dedicated'), index);
    await doomed.evaluate(() => window.crash.startCompact());
    const stored = (): Promise<string> => page.evaluate(([i, t]) => window.crash.storedState(i, t), [index, firstTables] as const);
    if (when === 'tables committed') while ((await stored()) === 'first tables');
    else await doomed.waitForTimeout(Math.round(when * reference.ms));
    await doomed.close(); // terminates its dedicated worker mid-compaction
    const state = await stored();
    states.push(`${String(when)}: ${state}`);
    expectRecovered(await page.evaluate((i) => window.crash.settle(i), index), reference, `killed at ${String(when)} (${state})`);
  }
  console.log(`re-training ${Math.round(reference.ms)} ms; killed in: ${states.join('; ')}`);
  // The kills must have interrupted something, or this test proves nothing.
  expect(states.some((s) => !s.endsWith('all re-coded'))).toBe(true);
});

test('SIGKILL of the browser during a re-training compaction loses nothing and resumes', async ({ baseURL }) => {
  test.setTimeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'colbert-crash-profile-'));
  const launch = config.use?.launchOptions ?? {};
  const start = async (): Promise<{ page: Page; close: () => Promise<void>; closed: Promise<unknown> }> => {
    const context = await chromium.launchPersistentContext(dir, { executablePath: launch.executablePath, args: launch.args, baseURL });
    const page = context.pages()[0] ?? (await context.newPage());
    await openHarness(page);
    return { page, close: () => context.close(), closed: new Promise((resolve) => context.on('close', resolve)) };
  };
  try {
    const states: string[] = [];
    let browser = await start();
    const reference = await uninterrupted(browser.page, 'crash-browser-ref');
    for (const fraction of [0.4]) {
      const index = `crash-browser-${fraction}`;
      const firstTables = await browser.page.evaluate((i) => window.crash.grow(i), index);
      await browser.page.evaluate(() => window.crash.startCompact());
      await browser.page.waitForTimeout(Math.round(fraction * reference.ms));
      killBrowser(dir);
      await browser.closed;
      browser = await start();
      const state = await browser.page.evaluate(([i, t]) => window.crash.storedState(i, t), [index, firstTables] as const);
      states.push(`${fraction}: ${state}`);
      expectRecovered(await browser.page.evaluate((i) => window.crash.settle(i), index), reference, `browser killed at ${fraction} (${state})`);
    }
    await browser.close();
    console.log(`re-training ${Math.round(reference.ms)} ms; browser killed in: ${states.join('; ')}`);
    expect(states.some((s) => !s.endsWith('all re-coded'))).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
