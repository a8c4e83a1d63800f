import { expect, test } from '@playwright/test';

// Issue #3: with the encoder and the scorer on WebGPU, a search's query vectors go from onnxruntime's output buffer
// to the scorer without a readback (SearchInfo.queryVectors counts which path ran), and rank as on WASM.

test.beforeEach(async ({ page }) => {
  await page.goto('/harness/encoder.html');
  await page.waitForFunction(() => window.harnessReady);
});

test('WebGPU search keeps the query on the GPU and ranks as WASM does', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const { createSearch } = window.colbert;
    const model = new URL('/models/lexical/', location.href).href;
    const documents = [
      'heart attack risk and aspirin',
      'bread dough rises with yeast',
      'heart shaped bread for valentines',
      'aspirin thins the blood',
      'yeast is a fungus used in baking',
      'the valentines day market sells flowers',
    ].map((text, i) => ({ id: `d${i}`, text }));
    const queries = ['heart bread', 'aspirin risk', 'yeast baking fungus'];
    const run = async (backend: 'webgpu' | 'wasm', precision: 'f32' | 'int8') => {
      const search = await createSearch({ model, index: `gpu-query-${backend}-${precision}-${Math.random()}`, backend, precision });
      try {
        await search.add(documents);
        const hits = [];
        for (const q of queries) hits.push((await search.search(q, { k: 6, explain: true })).map((h) => ({ id: h.id, score: h.score, tokens: h.matches?.map((m) => m.queryToken) })));
        const info = await search.info();
        return { hits, encoder: info.encoder.name, scorer: info.scorer, queryVectors: info.queryVectors };
      } finally {
        await search.close();
      }
    };
    return { gpu: { f32: await run('webgpu', 'f32'), int8: await run('webgpu', 'int8') }, cpu: { f32: await run('wasm', 'f32'), int8: await run('wasm', 'int8') } };
  });
  for (const precision of ['f32', 'int8'] as const) {
    const gpu = result.gpu[precision];
    const cpu = result.cpu[precision];
    expect(gpu).toMatchObject({ encoder: 'webgpu', scorer: 'webgpu', queryVectors: { gpu: 3, cpu: 0 } });
    expect(cpu.queryVectors).toEqual({ gpu: 0, cpu: 3 });
    gpu.hits.forEach((hits, q) => {
      expect(hits.map((h) => h.id)).toEqual(cpu.hits[q]!.map((h) => h.id));
      expect(hits.map((h) => h.tokens)).toEqual(cpu.hits[q]!.map((h) => h.tokens));
      // int8: the stored integers of GPU- and WASM-encoded vectors may differ by one at a rounding boundary.
      const tolerance = precision === 'f32' ? 1e-4 : 1e-2;
      hits.forEach((h, i) => expect(Math.abs(h.score - cpu.hits[q]![i]!.score)).toBeLessThanOrEqual(tolerance));
    });
  }
});
