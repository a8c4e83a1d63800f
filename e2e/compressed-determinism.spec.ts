import { expect, test } from '@playwright/test';
import { compressedDigests } from '../demo/harness/compressed-digest.js';

// The compressed index's k-means, codec and coding are deterministic across runtimes: the same vectors and seed
// give byte-identical centroids, cutoffs, weights, codes and residuals in Chromium and in Node (so an index built
// by the CLI and one built in the browser agree).

test.beforeEach(async ({ page }) => {
  await page.goto('/harness/compressed.html');
  await page.waitForFunction(() => window.compressedReady === true);
});

for (const options of [
  { seed: 3, dim: 96, documents: 400, nbits: 2 },
  { seed: 8, dim: 128, documents: 300, nbits: 4 },
]) {
  test(`d=${options.dim} nbits ${options.nbits}: Chromium trains and codes the same bytes as Node`, async ({ page }) => {
    const inBrowser = await page.evaluate((o) => window.compressed.compressedDigests(o), options);
    const inNode = await compressedDigests(options);
    expect(inNode['centroidCount']).toBeGreaterThan(256);
    expect(inBrowser).toEqual(inNode);
  });
}
