import { expect, test } from '@playwright/test';
import { openPlayground, searchFor } from './playground.js';

// The playground with a pooled index: the pool factor chosen when the index is created, the sample corpus stored
// as about half the rows, highlights on every token of a matched pooled row, heatmap columns headed by their tokens.
test('pool factor 2: fewer rows, the same top hit, highlights and a heatmap of pooled columns', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openPlayground(page);
  await page.locator('#add-sample').click();
  await expect(page.locator('#doc-count')).toHaveAttribute('data-documents', '36');
  const bar = page.locator('#status-bar');
  const plainRows = Number((await bar.textContent())!.match(/36 docs, (\d+) tokens/)![1]);

  await openPlayground(page, 'auto', 2);
  await page.locator('#add-sample').click();
  await expect(page.locator('#doc-count')).toHaveAttribute('data-documents', '36');
  await expect(bar).toContainText('pool factor 2');
  const pooledRows = Number((await bar.textContent())!.match(/36 docs, (\d+) rows/)![1]);
  expect(pooledRows).toBeLessThan(plainRows * 0.6);
  expect(pooledRows).toBeGreaterThan(plainRows * 0.4);

  const hits = await searchFor(page, 'why does sourdough bread rise?');
  expect(hits[0]!.id).toBe('sourdough');
  const top = page.locator('#hits > li.hit').first();
  await expect(top.locator('mark', { hasText: /^bread$/i }).first()).toBeVisible();
  await top.getByRole('button', { name: 'token heatmap' }).click();
  await expect(top.locator('.heatmap tbody tr')).toHaveCount(32);
  const tokensPerColumn = await top.locator('.heatmap thead th[data-tokens]').evaluateAll((ths) => ths.map((th) => Number((th as HTMLElement).dataset['tokens'])));
  // [CLS] alone first, then pooled columns; together they hold every token of the document.
  expect(tokensPerColumn[0]).toBe(1);
  expect(tokensPerColumn.some((n) => n > 1)).toBe(true);
  await expect(top.locator('.heatmap thead th.pooled').first()).toContainText('·');
  expect(errors).toEqual([]);
});
