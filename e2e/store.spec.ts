import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import config from '../playwright.config.js';
import { killBrowser } from './kill-browser.js';
import { seededRandom } from '../packages/colbert-web/src/testing/random-corpus.js';
import type { BatchSpec } from '../demo/harness/store-checks.js';

// The IndexedDB store in real Chromium: crash safety (worker terminated, browser SIGKILLed), two writers,
// corruption, quota exhaustion, compaction. Seeded: a failure reproduces with the same timings' seed.

const DIM = 64;
const SEGMENT = 64 * 1024; // small segments: a kill lands between segment writes and the manifest commit often

async function openHarness(page: Page): Promise<void> {
  await page.goto('/harness/store.html');
  await page.waitForFunction(() => window.storeHarnessReady === true);
}

const batches = (prefix: string, n: number, count: number, seed: number): BatchSpec[] =>
  Array.from({ length: n }, (_, i) => ({ seed: seed + i, count, prefix: `${prefix}b${i}-` }));

test.beforeEach(async ({ page }) => openHarness(page));

test('(a) terminating the writer worker mid-add, 20 times at seeded random moments, never loses or half-writes', async ({ page }) => {
  const random = seededRandom(6);
  const name = `crash-worker-${Date.now()}`;
  const all: BatchSpec[] = [];
  const acked: number[] = [];
  // Calibrate: how long does an uninterrupted run take here?
  const started = Date.now();
  const warm = batches('warm-', 2, 120, 1000);
  const first = await page.evaluate(([n, d, s, b]) => window.storeHarness.runWorker(n, d, s, b), [name, DIM, SEGMENT, warm] as const);
  expect(first.finished).toBe(true);
  const runMs = Date.now() - started;
  all.push(...warm);
  acked.push(0, 1);
  let orphanRuns = 0;
  for (let round = 0; round < 20; round++) {
    const specs = batches(`r${round}-`, 2, 120, 2000 + round * 10);
    const killAfter = Math.floor(random() * runMs);
    const run = await page.evaluate(([n, d, s, b, k]) => window.storeHarness.runWorker(n, d, s, b, k), [name, DIM, SEGMENT, specs, killAfter] as const);
    const base = all.length;
    all.push(...specs);
    acked.push(...run.acked.map((i) => base + i));
    const report = await page.evaluate(([n, d, b, a]) => window.storeHarness.checkIndex(n, d, b, a), [name, DIM, all, acked] as const);
    expect(report.problems, `round ${round} (killed after ${killAfter} ms)`).toEqual([]);
    if (report.orphansRemovedOnOpen.orphanSegments > 0) orphanRuns++;
  }
  console.log(`worker kills: ${acked.length}/${all.length} batches acknowledged; ${orphanRuns} of 20 reopens removed uncommitted segments (run ≈ ${runMs} ms)`);
  await page.evaluate((n) => window.storeHarness.deleteIndex(n), name);
});

test('(b) SIGKILL of the whole browser on a persistent profile during writes, 5 times', async ({ baseURL }) => {
  const dir = mkdtempSync(join(tmpdir(), 'colbert-store-profile-'));
  const launch = config.use?.launchOptions ?? {};
  const random = seededRandom(7);
  const name = 'crash-browser';
  const all: BatchSpec[] = [];
  const acked: number[] = [];
  try {
    for (let round = 0; round <= 5; round++) {
      const context = await chromium.launchPersistentContext(dir, { executablePath: launch.executablePath, args: launch.args, baseURL });
      const page = context.pages()[0] ?? (await context.newPage());
      const base = all.length;
      await page.exposeFunction('reportAck', (i: number) => acked.push(base + i));
      await openHarness(page);
      const report = await page.evaluate(([n, d, b, a]) => window.storeHarness.checkIndex(n, d, b, a), [name, DIM, all, acked] as const);
      expect(report.problems, `after kill ${round}`).toEqual([]);
      if (round === 5) {
        await context.close();
        break;
      }
      const specs = batches(`k${round}-`, 6, 100, 5000 + round * 10);
      all.push(...specs);
      await page.evaluate(([n, d, b, s]) => {
        window.onStoreAck = (i) => void (window as unknown as { reportAck(i: number): Promise<void> }).reportAck(i);
        void window.storeHarness.addBatches(n, d, b, s);
      }, [name, DIM, specs, SEGMENT] as const);
      await page.waitForTimeout(150 + Math.floor(random() * 900));
      const closed = new Promise((resolve) => context.on('close', resolve));
      killBrowser(dir);
      await closed;
    }
    console.log(`browser kills: ${acked.length}/${all.length} batches acknowledged before the kills`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two pages writing the same index at once end consistent (re-added ids replaced whole)', async ({ page, context }) => {
  const name = `two-writers-${Date.now()}`;
  const other = await context.newPage();
  await openHarness(other);
  const a = [...batches('a-', 4, 80, 100), { seed: 900, count: 40, prefix: 'shared-' }];
  const b = [...batches('b-', 4, 80, 200), { seed: 901, count: 40, prefix: 'shared-' }];
  const [ackA, ackB] = await Promise.all([
    page.evaluate(([n, d, s]) => window.storeHarness.addBatches(n, d, s, 64 * 1024), [name, DIM, a] as const),
    other.evaluate(([n, d, s]) => window.storeHarness.addBatches(n, d, s, 64 * 1024), [name, DIM, b] as const),
  ]);
  expect(ackA.length + ackB.length).toBe(10);
  const own = [...a.slice(0, 4), ...b.slice(0, 4)];
  const report = await page.evaluate(([n, d, s]) => window.storeHarness.checkIndex(n, d, s, [0, 1, 2, 3, 4, 5, 6, 7]), [name, DIM, own] as const);
  expect(report.problems).toEqual([]);
  expect(report.documents).toBe(8 * 80 + 40);
  const shared = await Promise.all(
    [a[4]!, b[4]!].map((spec) => page.evaluate(([n, d, s]) => window.storeHarness.checkIndex(n, d, [s], [0]), [name, DIM, spec] as const)),
  );
  // Exactly one writer's version of the shared ids is live, whole and bit-exact.
  expect(shared.filter((r) => r.problems.length === 0)).toHaveLength(1);
  await page.evaluate((n) => window.storeHarness.deleteIndex(n), name);
});

test('a corrupted segment is detected by its checksum and reported as INDEX_CORRUPT', async ({ page }) => {
  const name = `corrupt-${Date.now()}`;
  await page.evaluate(([n, d, s]) => window.storeHarness.addBatches(n, d, s), [name, DIM, batches('c-', 2, 50, 300)] as const);
  expect(await page.evaluate(([n, d]) => window.storeHarness.loadCode(n, d), [name, DIM] as const)).toBe('ok');
  await page.evaluate((n) => window.storeHarness.corruptSegment(n), name);
  expect(await page.evaluate(([n, d]) => window.storeHarness.loadCode(n, d), [name, DIM] as const)).toBe('INDEX_CORRUPT');
  await page.evaluate((n) => window.storeHarness.deleteIndex(n), name);
});

test('quota exhaustion (CDP) is QUOTA_EXCEEDED and leaves a consistent, usable store', async ({ page, baseURL }) => {
  const name = `quota-${Date.now()}`;
  const base = batches('q-', 2, 60, 400);
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(baseURL!).origin;
  // A fresh page context per test: this origin starts empty here, so 2 MB holds the base batches, not the big one.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 2 * 1024 * 1024 });
  expect(await page.evaluate(([n, d, s]) => window.storeHarness.addBatches(n, d, s), [name, DIM, base] as const)).toEqual([0, 1]);
  try {
    const big = { seed: 401, count: 3000, prefix: 'big-' };
    expect(await page.evaluate(([n, d, s]) => window.storeHarness.addExpectingError(n, d, s), [name, DIM, big] as const)).toBe('QUOTA_EXCEEDED');
    let report = await page.evaluate(([n, d, s]) => window.storeHarness.checkIndex(n, d, s, [0, 1]), [name, DIM, [...base, big]] as const);
    expect(report.problems).toEqual([]);
    const small = { seed: 402, count: 5, prefix: 'small-' };
    expect(await page.evaluate(([n, d, s]) => window.storeHarness.addExpectingError(n, d, s), [name, DIM, small] as const)).toBe('ok');
    report = await page.evaluate(([n, d, s]) => window.storeHarness.checkIndex(n, d, s, [0, 1, 2]), [name, DIM, [...base, small]] as const);
    expect(report.problems).toEqual([]);
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  }
  await page.evaluate((n) => window.storeHarness.deleteIndex(n), name);
});

test('delete + compaction + reopen keeps every other document bit-exact under its id', async ({ page }) => {
  const name = `compact-${Date.now()}`;
  const specs = batches('m-', 5, 60, 500);
  await page.evaluate(([n, d, s]) => window.storeHarness.addBatches(n, d, s, 64 * 1024), [name, DIM, specs] as const);
  const removed = specs.flatMap((s) => Array.from({ length: s.count }, (_, i) => `${s.prefix}${i}`)).filter((_, i) => i % 3 === 1);
  const result = await page.evaluate(([n, d, r]) => window.storeHarness.removeAndCompact(n, d, r), [name, DIM, removed] as const);
  expect(result.purged).toBe(removed.length);
  const report = await page.evaluate(([n, d, s, r]) => window.storeHarness.checkIndex(n, d, s, [0, 1, 2, 3, 4], r), [name, DIM, specs, removed] as const);
  expect(report.problems).toEqual([]);
  expect(report.documents).toBe(300 - removed.length);
  await page.evaluate((n) => window.storeHarness.deleteIndex(n), name);
});
