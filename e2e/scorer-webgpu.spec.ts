import { expect, test } from '@playwright/test';
import type { ScorerCase } from '../demo/harness/scorer.js';

// The WGSL scorer kernels in headless Chromium on its WebGPU adapter (SwiftShader here, with
// --enable-unsafe-webgpu from playwright.config.ts), each case compared in the page with the float64 reference.

const DIMS = [48, 64, 96, 128];
const PRECISIONS = ['f32', 'f16', 'int8'] as const;
const spread = (n: number, max: number): number[] => Array.from({ length: n }, (_, i) => 1 + ((i * 37) % max));

const CASES: Array<{ name: string; case: ScorerCase; expectReturned?: number; expectError?: string }> = [
  ...DIMS.flatMap((dim) =>
    PRECISIONS.map((precision) => ({ name: `d=${dim} ${precision}`, case: { dim, precision, lengths: spread(30, 120), k: 10, explain: true } })),
  ),
  { name: 'no documents', case: { dim: 64, precision: 'f32', lengths: [], k: 5 }, expectReturned: 0 },
  { name: 'k = 0', case: { dim: 64, precision: 'f32', lengths: [3, 4], k: 0 }, expectReturned: 0 },
  { name: 'one document, k above the corpus', case: { dim: 96, precision: 'int8', lengths: [12], k: 50, explain: true }, expectReturned: 1 },
  { name: '1-token and 8,192-token documents', case: { dim: 128, precision: 'f16', lengths: [1, 8192, 1, 40], k: 4, explain: true }, expectReturned: 4 },
  { name: 'removed documents and the only filter', case: { dim: 64, precision: 'int8', lengths: spread(40, 90), k: 10, remove: [0, 1, 2, 3, 17], only: [1, 5, 6, 17, 20, 33] }, expectReturned: 4 },
  { name: 'appends in batches over small shards, then compact', case: { dim: 96, precision: 'f32', lengths: spread(40, 60), batches: 4, shardBytes: 50 * 96 * 4, remove: [4, 9, 30], compact: true, k: 12, explain: true } },
  { name: 'k above the corpus, 13 query tokens', case: { dim: 48, precision: 'f16', lengths: spread(25, 30), k: 100, queryTokens: 13 }, expectReturned: 25 },
  { name: 'NaN rejected on append', case: { dim: 48, precision: 'f32', lengths: [2, 2], k: 1, poison: 'nan' }, expectError: 'INVALID_INPUT' },
  { name: 'Inf rejected on append', case: { dim: 48, precision: 'f32', lengths: [2, 2], k: 1, poison: 'inf' }, expectError: 'INVALID_INPUT' },
];

test('WebGPU scorer cases match the float64 reference in Chromium', async ({ page }) => {
  await page.goto('/harness/scorer.html');
  await page.waitForFunction(() => window.harnessReady === true);
  for (const c of CASES) {
    const result = await page.evaluate((spec) => window.scorerHarness.runCase(spec), c.case);
    expect(result.adapter.architecture, 'adapter').toBeTruthy();
    expect.soft(result.errorCode, c.name).toBe(c.expectError);
    expect.soft(result.mismatch, c.name).toBeUndefined();
    if (c.expectReturned !== undefined) expect.soft(result.returned, c.name).toBe(c.expectReturned);
  }
});
