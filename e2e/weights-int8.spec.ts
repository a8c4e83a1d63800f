import { expect, test } from '@playwright/test';
import { encodeGolden } from './golden-encode.js';

// `optimize-model --weights int8` copies of the golden recipes (written by e2e/global-setup.ts) in a Chromium worker:
// on WASM the Linears compute in int8 (DynamicQuantizeLinear + MatMulInteger, `info().model.int8Compute`); on WebGPU
// (SwiftShader), which has no MatMulInteger kernel, the same checkpoint runs its dequantised float32 weights with no
// node put on the CPU. Both against the fp32 golden references.

// floor: the smallest per-row cosine with the fp32 reference on WASM (int8 compute). Measured here on every 4th
// golden text: BERT 0.99967 (WebGPU float32 0.99980), ModernBERT 0.99703 (WebGPU 0.99947, 190 nodes on the GPU);
// the spec encodes every 8th to stay short.
const MODELS = [
  { name: 'BERT', url: '/__generated/tiny-int8/', reference: '/__shared/fixtures/colbert-tiny-golden/reference/', floor: 0.999 },
  { name: 'ModernBERT', url: '/__generated/modernbert-int8/', reference: '/__shared/fixtures/modernbert-tiny-golden/reference/', floor: 0.99 },
] as const;

test.beforeEach(async ({ page }) => {
  await page.goto('/harness/encoder.html');
  await page.waitForFunction(() => window.harnessReady === true);
});

for (const { name, url, reference, floor } of MODELS) {
  test(`${name} int8 checkpoint: int8 compute on WASM, float32 on WebGPU without CPU nodes, rows within cosine ${floor} of fp32`, async ({ page }) => {
    const wasm = await encodeGolden(page, { url, reference, backend: 'wasm', every: 8 });
    expect(wasm).toMatchObject({ backend: 'wasm', int8Compute: true, idMismatches: [] });
    expect(wasm.minCosine).toBeGreaterThanOrEqual(floor);

    const webgpu = await encodeGolden(page, { url, reference, backend: 'webgpu', every: 8 });
    expect(webgpu).toMatchObject({ backend: 'webgpu', int8Compute: false, idMismatches: [], cpuFallback: [] });
    expect(webgpu.gpuNodes).toBeGreaterThan(0);
    // Dequantised int8 weights in float32: closer to fp32 than int8 compute.
    expect(webgpu.minCosine).toBeGreaterThan(wasm.minCosine);
    console.log(`${name} int8: min cos vs fp32 ${wasm.minCosine.toFixed(5)} (wasm, int8 compute), ${webgpu.minCosine.toFixed(5)} (webgpu, float32); ${webgpu.gpuNodes} nodes on WebGPU, 0 CPU fallbacks`);
  });
}
