import { expect, test } from '@playwright/test';
import { encodeGolden } from './golden-encode.js';

// `optimize-model --weights q4` copies of the golden recipes (written by e2e/global-setup.ts: backbone Linears as
// MatMulNBits blocks) loaded in a Chromium worker, on WASM and on WebGPU (SwiftShader), against the fp32 golden
// references. Forced backends are checked by what ran: a session that fell back to WASM, or a MatMulNBits put on
// the CPU inside the WebGPU session, fails the test.

// floor: the smallest per-row cosine with the fp32 reference. Measured here on every 8th encode: BERT 0.983 (0.9805
// in Node over all 80), ModernBERT 0.949 (its GeGLU multiplies two quantised projections).
const MODELS = [
  { name: 'BERT', url: '/__generated/tiny-q4/', reference: '/__shared/fixtures/colbert-tiny-golden/reference/', floor: 0.98 },
  { name: 'ModernBERT', url: '/__generated/modernbert-q4/', reference: '/__shared/fixtures/modernbert-tiny-golden/reference/', floor: 0.94 },
] as const;

test.beforeEach(async ({ page }) => {
  await page.goto('/harness/encoder.html');
  await page.waitForFunction(() => window.harnessReady === true);
});

for (const { name, url, reference, floor } of MODELS) {
  test(`${name} q4 checkpoint: MatMulNBits on WASM and on WebGPU, each row within cosine ${floor} of fp32`, async ({ page }) => {
    const wasm = await encodeGolden(page, { url, reference, backend: 'wasm', every: 8 });
    expect(wasm).toMatchObject({ backend: 'wasm', idMismatches: [] });
    expect(wasm.minCosine).toBeGreaterThanOrEqual(floor);
    expect(wasm.minCosine).toBeLessThan(0.9999); // 4-bit weights did load: fp32 gives 1 − 1e-7

    const webgpu = await encodeGolden(page, { url, reference, backend: 'webgpu', every: 8 });
    expect(webgpu).toMatchObject({ backend: 'webgpu', idMismatches: [], cpuFallback: [] });
    expect(webgpu.gpuNodes).toBeGreaterThan(0);
    expect(webgpu.minCosine).toBeGreaterThanOrEqual(floor);
    // The two backends run the same blocks: their vectors agree far closer than either does with fp32.
    let worst = 0;
    webgpu.vectors.forEach((v, i) => v.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - wasm.vectors[i]![j]!)))));
    expect(worst).toBeLessThan(1e-3);
    console.log(`${name} q4: min cos vs fp32 ${wasm.minCosine.toFixed(5)} (wasm), ${webgpu.minCosine.toFixed(5)} (webgpu); max |webgpu − wasm| ${worst.toExponential(2)}; ${webgpu.gpuNodes} nodes on WebGPU, 0 CPU fallbacks`);
  });
}
