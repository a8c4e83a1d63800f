import { expect, test } from '@playwright/test';
import { searchFor } from './playground.js';

// The playground as a newcomer meets it: the built-in model loads, the sample corpus indexes, a search shows
// highlighted hits, the heatmap opens, the topic filter and delete work.
test('the playground indexes the sample corpus and searches it, with highlights, heatmap, filter and delete', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.locator('#model-status')).toHaveAttribute('data-state', 'ready');
  const bar = page.locator('#status-bar');
  await expect(bar).toContainText('encoder: wasm');
  await expect(bar).toContainText('offline lexical (not semantic)');
  await expect(bar).toHaveAttribute('data-scorer', /^wasm-(relaxed-)?simd$/);

  await page.locator('#add-sample').click();
  await expect(page.locator('#add-status')).toHaveAttribute('data-state', 'done');
  await expect(page.locator('#doc-count')).toHaveAttribute('data-documents', '36');
  await expect(bar).toContainText('index: 36 docs');

  const hits = await searchFor(page, 'why does sourdough bread rise?');
  expect(hits[0]!.id).toBe('sourdough');
  const top = page.locator('#hits > li.hit').first();
  await expect(top.locator('mark', { hasText: /^bread$/i }).first()).toBeVisible();
  await expect(top.locator('mark', { hasText: /^rise$/i }).first()).toBeVisible();
  await top.getByRole('button', { name: 'token heatmap' }).click();
  // One row per query token (32 with [MASK] expansion), one column per document token, one best cell per row.
  await expect(top.locator('.heatmap tbody tr')).toHaveCount(32);
  await expect(top.locator('.heatmap td.best')).toHaveCount(32);
  await expect(bar).toContainText(/last query: [\d.]+ ms/);
  await page.screenshot({ path: test.info().outputPath('playground.png'), fullPage: true });

  await page.locator('#filter-topic').fill('health');
  const health = await searchFor(page, 'why does sourdough bread rise?');
  expect(health.length).toBe(7);
  expect(health.map((h) => h.id)).not.toContain('sourdough');

  await page.locator('#filter-topic').fill('');
  expect((await searchFor(page, 'why does sourdough bread rise?'))[0]!.id).toBe('sourdough');
  await top.getByRole('button', { name: 'delete' }).click();
  await expect(page.locator('#doc-count')).toHaveAttribute('data-documents', '35');
  expect((await searchFor(page, 'why does sourdough bread rise?')).map((h) => h.id)).not.toContain('sourdough');
  expect(errors).toEqual([]);
});
