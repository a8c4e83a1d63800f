import { expect, test } from '@playwright/test';

// The WebAssembly MaxSim scorer in Chromium, where relaxed SIMD is real and the page is cross-origin isolated
// (threads on a shared memory), against the float64 reference (demo/harness/cpu-scorer-checks.ts).

test.beforeEach(async ({ page }) => {
  await page.goto('/harness/cpu-scorer.html');
  await page.waitForFunction(() => window.cpuScorerReady === true);
});

test('Chromium runs relaxed SIMD, cross-origin isolated, with shared memory', async ({ page }) => {
  const support = await page.evaluate(() => window.cpuScorer.support());
  expect(support).toMatchObject({ simd: true, relaxedSimd: true, sharedMemory: true, crossOriginIsolated: true });
});

for (const dim of [48, 64, 96, 128]) {
  for (const precision of ['f32', 'f16', 'int8'] as const) {
    test(`d=${dim} ${precision}: relaxed SIMD with threads matches the reference (1- and 8,192-token documents, removal, only, k, compact)`, async ({ page }) => {
      const result = await page.evaluate(([d, p]) => window.cpuScorer.checks.checkAgainstReference(d, p, { threads: 3 }), [dim, precision] as const);
      expect(result.backend).toBe('wasm-relaxed-simd');
      expect(result.threads).toBe(3);
      expect(result.mismatches).toEqual([]);
    });
  }
}

test('plain SIMD, one thread, matches the reference too', async ({ page }) => {
  for (const precision of ['f32', 'int8'] as const) {
    const result = await page.evaluate((p) => window.cpuScorer.checks.checkAgainstReference(96, p, { threads: 1, simd: 'plain' }), precision);
    expect(result).toMatchObject({ backend: 'wasm-simd', threads: 1, mismatches: [] });
  }
});

for (const dim of [48, 64, 96, 128]) {
  test(`d=${dim}: plain and relaxed SIMD give identical integer dot products and identical int8 scores`, async ({ page }) => {
    const result = await page.evaluate((d) => window.cpuScorer.checks.comparePaths(d), dim);
    expect(result.backends).toEqual(['wasm-simd', 'wasm-relaxed-simd']);
    expect(result.dots).toBeGreaterThan(1000);
    expect(result.differingDots).toBe(0);
    expect(result.differingScores).toBe(0);
  });
}

test('1 thread and 4 threads give identical results (f32 and int8)', async ({ page }) => {
  for (const precision of ['f32', 'int8'] as const) {
    const result = await page.evaluate((p) => window.cpuScorer.checks.compareThreads(p, 4), precision);
    expect(result.threads).toEqual([1, 4]);
    expect(result.compared).toBe(1500);
    expect(result.differing).toBe(0);
  }
});
