import { expect, test } from '@playwright/test';

// The compressed index's WGSL kernels (centroid scores, probing and approximate stages, in-kernel residual
// decompression) in headless Chromium on its WebGPU adapter (SwiftShader here, --enable-unsafe-webgpu from
// playwright.config.ts): exact and pruned searches, with tombstones and an `only` filter, equal the float64
// reference in the page.

test.beforeEach(async ({ page }) => {
  await page.goto('/harness/compressed.html');
  await page.waitForFunction(() => window.compressedReady === true);
});

for (const options of [
  { seed: 4, dim: 96, nbits: 2, documents: 60 },
  { seed: 7, dim: 128, nbits: 4, documents: 50 },
]) {
  test(`d=${options.dim} nbits ${options.nbits}: WGSL compressed search equals the float64 reference on the page's adapter`, async ({ page }) => {
    const result = await page.evaluate((o) => window.compressed.compressedGpuCase(o), options);
    expect(result.adapter.vendor || result.adapter.architecture, 'a WebGPU adapter ran the kernels').toBeTruthy();
    expect(result.documents).toBe(options.documents - 3);
    expect(result.bytes).toBeGreaterThan(0);
    expect(result.searches).toBe(8);
    expect(result.hits).toBeGreaterThan(30);
    expect(result.mismatches).toEqual([]);
  });
}
