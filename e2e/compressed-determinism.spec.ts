import { expect, test } from '@playwright/test';
import { compressedDigests } from '../demo/harness/compressed-digest.js';

// The compressed index's k-means, codec and coding are deterministic across runtimes: the same vectors and seed
// give byte-identical centroids, cutoffs, weights, codes and residuals in Chromium and in Node (so an index built
// by the CLI and one built in the browser agree). The WASM kernels (src/cpu/compressed-kernels.ts), run in a worker
// with a helper thread, train the same tables (k-means assignments on the kernel) and give the same codes and
// residuals as Node's TypeScript training and assignment, and the WASM search there ranks as the float64 reference.

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

  test(`d=${options.dim} nbits ${options.nbits}: the WASM kernels in a worker (2 threads) train Node's TypeScript tables, assign its codes and search as the float64 reference`, async ({ page }) => {
    const inWorker = await page.evaluate((o) => window.compressed.kernelChecksInWorker({ ...o, threads: 2 }), options);
    const inNode = await compressedDigests(options);
    const tables = { centroids: inNode['centroids'], coarse: inNode['coarse'], cutoffs: inNode['cutoffs'], weights: inNode['weights'] };
    expect(inWorker).toMatchObject({ threads: 2, crossOriginIsolated: true, ...tables, codes: inNode['codes'], residuals: inNode['residuals'], searches: 9, mismatches: [] });
  });
}
