import { expect, test } from '@playwright/test';

// The demo as a newcomer sees it: the built-in offline lexical model loads, a query's tokens and vectors show.

test('the demo loads the offline lexical model and shows a query\'s tokens, spans and vectors', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.locator('#model-status')).toHaveAttribute('data-state', 'ready');
  await expect(page.locator('#status-bar')).toContainText('backend: wasm');
  await expect(page.locator('#status-bar')).toContainText('offline lexical');
  await expect(page.locator('#shape')).toHaveText('32 × 128');
  const heart = page.locator('.token-row[data-token="heart"]');
  await expect(heart).toHaveCount(1);
  await expect(heart.locator('.span')).toHaveText('"heart"');
  await expect(page.locator('.token-row[data-token="[MASK]"]').first()).toHaveClass(/special/);
  await expect(heart.locator('.vector span')).toHaveCount(128);

  await page.locator('#kind').selectOption('document');
  await page.locator('#text').fill('Myocardial infarction: Café study.');
  await expect(page.locator('.token-row[data-token="cafe"] .span')).toHaveText('"Café"');
  // Documents drop skiplist rows (punctuation), as PyLate does.
  await expect(page.locator('.token-row[data-token=":"]')).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath('demo.png'), fullPage: true });
  expect(errors).toEqual([]);
});
