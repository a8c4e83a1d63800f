import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { expect, type Page } from '@playwright/test';

export interface Ranked {
  id: string;
  score: number;
}

export interface SciFactDoc {
  _id: string;
  title: string;
  text: string;
}

/** The first `n` SciFact abstracts (../shared, never copied into the repo), as a .jsonl file the demo can upload. */
export function scifactSlice(n: number, path: string): SciFactDoc[] {
  const lines = gunzipSync(readFileSync(new URL('../../shared/data/scifact/corpus.jsonl.gz', import.meta.url))).toString('utf8').split('\n');
  const docs = lines.slice(0, n).map((l) => JSON.parse(l) as SciFactDoc);
  writeFileSync(path, docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
  return docs;
}

/** Opens the playground with the built-in model (and `backend`, and an index of `poolFactor`), waiting until it is ready. */
export async function openPlayground(page: Page, backend: 'auto' | 'webgpu' | 'wasm' = 'auto', poolFactor = 1): Promise<void> {
  await page.goto('/');
  await expect(page.locator('#model-status')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  if (backend !== 'auto' || poolFactor !== 1) {
    await page.locator('#backend').selectOption(backend);
    await page.locator('#pool-factor').selectOption(String(poolFactor));
    await page.locator('#load').click();
    await expect(page.locator('#model-status')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  }
}

export async function documentCount(page: Page): Promise<number> {
  return Number(await page.locator('#doc-count').getAttribute('data-documents'));
}

/** Types a query and returns the hits the page shows (id and full-precision score), best first. */
export async function searchFor(page: Page, query: string): Promise<Ranked[]> {
  // Forget the last answer first, so a repeated query (after a filter change, a delete) waits for a new one.
  await page.locator('#hits').evaluate((el) => delete (el as HTMLElement).dataset['query']);
  await page.locator('#query').fill(query);
  await page.locator('#query').dispatchEvent('input');
  await expect(page.locator('#hits')).toHaveAttribute('data-query', query.trim(), { timeout: 60_000 });
  return page.locator('#hits > li.hit').evaluateAll((items) =>
    items.map((li) => ({ id: (li as HTMLElement).dataset['id']!, score: Number((li as HTMLElement).dataset['score']) })),
  );
}

/**
 * Equal rankings up to near-ties: same length, scores within `tolerance`, and where ids differ at a rank, the
 * two documents' scores are within `tolerance` of each other (either order is right).
 */
/**
 * The same hits in the same order up to near-ties: every score within `tolerance` (absolute, or `{ relative }` of
 * the expected score) of the expected one at its rank, and a different document at a rank only where its own
 * expected score is that close too.
 */
export function expectSameRanking(actual: Ranked[], expected: Ranked[], tolerance: number | { relative: number }): void {
  expect(actual.length).toBe(expected.length);
  const scoreOf = new Map(expected.map((r) => [r.id, r.score]));
  actual.forEach((a, i) => {
    const e = expected[i]!;
    const allowed = typeof tolerance === 'number' ? tolerance : tolerance.relative * Math.abs(e.score);
    expect(Math.abs(a.score - e.score), `rank ${i} score`).toBeLessThanOrEqual(allowed);
    if (a.id !== e.id) expect(Math.abs((scoreOf.get(a.id) ?? a.score) - e.score), `rank ${i}: ${a.id} vs ${e.id}`).toBeLessThanOrEqual(allowed);
  });
}
