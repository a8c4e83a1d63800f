import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { encodeGolden } from './golden-encode.js';
import type { GoldenOutcome } from './golden-encode.js';

// Hugging Face–style ONNX exports (written by e2e/global-setup.ts beside the golden recipes, whose weights are the
// golden fixtures') loaded in a Chromium worker, on WASM and on WebGPU, against the golden references.

const MODELS = [
  { name: 'BERT, Dense applied after the export', url: '/__generated/tiny-exports/', reference: '/__shared/fixtures/colbert-tiny-golden/reference/' },
  { name: 'ModernBERT, Dense folded into the export', url: '/__generated/modernbert-exports/', reference: '/__shared/fixtures/modernbert-tiny-golden/reference/' },
] as const;

/** Every 4th reference text through the export `weights` on `backend`. */
function run(page: Page, url: string, reference: string, weights: 'onnx' | 'onnx-fp16' | 'onnx-int8', backend: 'wasm' | 'webgpu' | 'auto'): Promise<GoldenOutcome> {
  return encodeGolden(page, { url, reference, weights, backend });
}

test.beforeEach(async ({ page }) => {
  await page.goto('/harness/encoder.html');
  await page.waitForFunction(() => window.harnessReady === true);
});

for (const { name, url, reference } of MODELS) {
  test(`${name}: fp32 / fp16 / int8 exports on WASM`, async ({ page }) => {
    const fp32 = await run(page, url, reference, 'onnx', 'wasm');
    expect(fp32).toMatchObject({ backend: 'wasm', idMismatches: [] });
    expect(fp32.maxAbs).toBeLessThanOrEqual(1e-5);
    const fp16 = await run(page, url, reference, 'onnx-fp16', 'wasm');
    expect(fp16.minCosine).toBeGreaterThanOrEqual(0.999);
    const int8 = await run(page, url, reference, 'onnx-int8', 'wasm');
    expect(int8.minCosine).toBeGreaterThanOrEqual(0.99);
    console.log(`${name} (wasm): fp32 max |Δ| ${fp32.maxAbs.toExponential(2)}, fp16 min cos ${fp16.minCosine.toFixed(6)}, int8 min cos ${int8.minCosine.toFixed(5)}`);
  });

  test(`${name}: fp32 / fp16 exports on WebGPU; int8 refused there`, async ({ page }) => {
    const fp32 = await run(page, url, reference, 'onnx', 'webgpu');
    expect(fp32).toMatchObject({ backend: 'webgpu', idMismatches: [] });
    expect(fp32.maxAbs).toBeLessThanOrEqual(1e-4);
    const fp16 = await run(page, url, reference, 'onnx-fp16', 'webgpu');
    expect(fp16.minCosine).toBeGreaterThanOrEqual(0.999);
    expect([fp32.fallbackNodes, fp16.fallbackNodes]).toEqual([0, 0]);
    // onnxruntime-web's WebGPU EP computes the int8 graph wrongly (cosine ≈ −0.3): forced WebGPU refuses it with a
    // typed error, 'auto' runs it on WASM.
    const refused = await page.evaluate(async (url) => {
      try {
        await window.colbert.createEncoder({ model: url, backend: 'webgpu', weights: 'onnx-int8', cache: false });
        return null;
      } catch (e) {
        return { code: (e as { code?: string }).code, message: (e as Error).message };
      }
    }, url);
    expect(refused?.code).toBe('MODEL_UNSUPPORTED');
    expect(refused?.message).toContain('model_quantized.onnx');
    const int8 = await run(page, url, reference, 'onnx-int8', 'auto');
    expect(int8.backend).toBe('wasm');
    expect(int8.minCosine).toBeGreaterThanOrEqual(0.99);
    console.log(`${name} (webgpu): fp32 max |Δ| ${fp32.maxAbs.toExponential(2)}, fp16 min cos ${fp16.minCosine.toFixed(6)} (0 CPU fallback nodes each)`);
  });
}
