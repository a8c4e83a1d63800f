import { expect, test } from '@playwright/test';
import { openPlayground, searchFor } from './playground.js';

// The playground's ranking switch: keyword hits are BM25's (every one holds a query word, marked, and says it was
// found by keyword), hybrid hits say which rankings found them, semantic hits say nothing of the sort.
test('semantic / keyword / hybrid switch: keyword hits hold the query word, hybrid hits name their rankings', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openPlayground(page);
  await page.locator('#add-sample').click();
  await expect(page.locator('#doc-count')).toHaveAttribute('data-documents', '36');
  const found = () => page.locator('#hits > li.hit .found').allTextContents();

  const semantic = await searchFor(page, 'sourdough bread');
  expect(semantic.length).toBe(10);
  expect(await found()).toEqual([]);

  await page.locator('#search-mode').selectOption('keyword');
  const keyword = await searchFor(page, 'bread');
  expect(keyword.length).toBeGreaterThan(0);
  expect(keyword.length).toBeLessThan(10); // only documents with the word
  expect(await found()).toEqual(keyword.map(() => 'keyword'));
  for (const item of await page.locator('#hits > li.hit').all()) await expect(item.locator('mark', { hasText: /^breads?$/i }).first()).toBeVisible();

  await page.locator('#search-mode').selectOption('hybrid');
  const hybrid = await searchFor(page, 'sourdough bread');
  expect(hybrid.length).toBe(10);
  const names = await found();
  expect(names).toContain('semantic + keyword');
  expect(names.every((n) => ['semantic', 'keyword', 'semantic + keyword'].includes(n))).toBe(true);
  expect(errors).toEqual([]);
});
