import { expect, test, type Page } from '@playwright/test';
import type { SearchHandle } from 'colbert-web';
import { destroyDeviceOnNextCommandEncoder } from './device-loss.js';
import { expectSameRanking } from './playground.js';

// Issue #14 on the WebGPU scorer, in the real worker and IndexedDB, on SwiftShader's WebGPU: a compressed index
// (nbits 2, compressAt 300) opened under backend 'webgpu' is mirrored on the scorer's device and searched by the
// WGSL kernels, the query left on the GPU by the encoder (appends of coded segments to the GPU copy, in-memory
// compaction and device loss below the engine: worker/compressed-placement.test.ts). The same index (its exported file) opened under backend 'wasm' is searched by the WASM SIMD kernels.
// Pruned, exact, filtered and after a remove, the two give the same hits and scores. Then the device is lost: the
// WebGPU handle answers the same from the CPU. Sharing the file, rather than encoding twice, gives both the same
// codes: GPU- and WASM-encoded vectors differ by ~1e-6, which can move a residual across a bucket cutoff.

declare global {
  interface Window {
    compressedGpuSearch?: SearchHandle;
    compressedCpuSearch?: SearchHandle;
  }
}

const BASE = '/__shared/fixtures/colbert-tiny-golden/';

test.beforeEach(async ({ page }) => {
  await page.goto('/harness/encoder.html');
  await page.waitForFunction(() => window.harnessReady);
});

/** One round of searches on a handle of the page: pruned, exact and filtered, each with its `lastSearch`. */
function searchRound(page: Page, which: 'gpu' | 'cpu') {
  return page.evaluate(async (which) => {
    const search = which === 'gpu' ? window.compressedGpuSearch! : window.compressedCpuSearch!;
    const queries = ['late interaction in neural information retrieval', 'token vectors and their scores'];
    const round = [];
    for (const [name, options] of [['pruned', { k: 5 }], ['exact', { k: 5, exact: true }], ['filtered', { k: 4, filter: { group: [0, 2] } }]] as const) {
      for (const q of queries) {
        const hits = (await search.search(q, options)).map((h) => ({ id: h.id, score: h.score }));
        round.push({ name, q, hits, last: (await search.info()).lastSearch });
      }
    }
    return round;
  }, which);
}

test('a compressed index on the WebGPU scorer: searched on the GPU, the same hits as the WASM kernels, and after a device loss', async ({ page }) => {
  test.setTimeout(240_000);
  const built = await page.evaluate(async (base) => {
    const { createSearch } = window.colbert;
    const texts = ((await (await fetch(`${base}texts.json`)).json()) as Array<{ text: string }>).map((t) => t.text);
    const model = `${base}checkpoint/`;
    // The fixture's texts but its three of ~200 words, to keep encoding short (~600 tokens left).
    const docs = texts.map((text, i) => ({ id: `t${i}`, text, metadata: { group: i % 3 } })).filter((d) => d.text.split(' ').length < 100);
    const t0 = performance.now();
    // Dedicated, so the test can reach into its worker to lose the device; opened while the index is built.
    const opening = createSearch({ model, index: `compressed-gpu-${Math.random()}`, backend: 'webgpu', worker: 'dedicated' });
    // Built on WASM (SwiftShader's WebGPU encoder is slower): this handle is the WASM peer.
    const cpu = await createSearch({ model, index: `compressed-cpu-${Math.random()}`, backend: 'wasm', worker: 'shared', nbits: 2, compressAt: 300 });
    await cpu.add(docs);
    await cpu.compact(); // trains and codes every segment
    window.compressedCpuSearch = cpu;
    const gpu = await opening;
    await gpu.import(await cpu.export()); // the compressed corpus is mirrored on the scorer's device
    window.compressedGpuSearch = gpu;
    return { gpu: await gpu.info(), cpu: await cpu.info(), documents: docs.length, ms: Math.round(performance.now() - t0) };
  }, BASE);

  const expectSameRounds = (actual: Awaited<ReturnType<typeof searchRound>>, expected: typeof actual): void => {
    expect(actual.map((r) => [r.name, r.q, r.last?.pruned])).toEqual(expected.map((r) => [r.name, r.q, r.last?.pruned]));
    actual.forEach((r, i) => expectSameRanking(r.hits, expected[i]!.hits, { relative: 1e-4 }));
  };

  // The backend that actually ran (onnxruntime falls back silently): the encoder and both scorers on WebGPU.
  console.log(JSON.stringify({ buildMs: built.ms }));
  const n = built.documents;
  expect(n).toBe(37);
  expect(built.gpu).toMatchObject({ encoder: { name: 'webgpu' }, scorer: 'webgpu', compressedScorer: 'webgpu', nbits: 2, documents: n });
  expect(built.gpu.centroids).toBeGreaterThan(16);
  expect(built.cpu).toMatchObject({ encoder: { name: 'wasm' }, compressedScorer: 'wasm-simd', documents: n, tokens: built.gpu.tokens, centroids: built.gpu.centroids });

  const gpuBefore = await searchRound(page, 'gpu');
  const cpuBefore = await searchRound(page, 'cpu');
  expectSameRounds(gpuBefore, cpuBefore);
  expect(gpuBefore.filter((r) => r.name === 'pruned').every((r) => r.last?.pruned === true && r.hits.length === 5)).toBe(true);
  const exact = gpuBefore.filter((r) => r.name === 'exact');
  expect(exact.map((r) => r.last)).toEqual(Array(exact.length).fill({ pruned: false, candidates: n, scored: n }));
  for (const r of gpuBefore.filter((r) => r.name === 'filtered')) {
    expect(r.hits).toHaveLength(4);
    for (const h of r.hits) expect(Number(h.id.slice(1)) % 3).not.toBe(1);
  }

  // A remove tombstones on the GPU copy too: the removed documents never come back.
  const removed = [...exact.map((r) => r.hits[0]!.id), 't5'];
  const counts = await page.evaluate(async (ids) => {
    const cpu = window.compressedCpuSearch!;
    await window.compressedGpuSearch!.remove(ids);
    await cpu.remove(ids);
    const all = await window.compressedGpuSearch!.search('a search engine for documents', { k: 50, exact: true });
    return { all: all.map((h) => h.id), info: await window.compressedGpuSearch!.info() };
  }, removed);
  expect(counts.all).toHaveLength(n - new Set(removed).size);
  expect(counts.all.filter((id) => removed.includes(id))).toEqual([]);
  const gpuAfter = await searchRound(page, 'gpu');
  const cpuAfter = await searchRound(page, 'cpu');
  expectSameRounds(gpuAfter, cpuAfter);
  for (const r of gpuAfter) expect(r.hits.filter((h) => removed.includes(h.id))).toEqual([]);

  // Every one of those searches kept its query on the GPU; the WASM handle read every one from the CPU.
  const searches = 2 * gpuBefore.length + 1;
  const vectors = await page.evaluate(async () => {
    const cpu = window.compressedCpuSearch!;
    const counts = { gpu: (await window.compressedGpuSearch!.info()).queryVectors, cpu: (await cpu.info()).queryVectors };
    await cpu.close();
    return counts;
  });
  expect(vectors.gpu).toEqual({ gpu: searches, cpu: 0 });
  expect(vectors.cpu).toEqual({ gpu: 0, cpu: searches - 1 });

  // The device is lost in the middle of the next search: it answers the same, from the WASM kernels.
  await destroyDeviceOnNextCommandEncoder(page.workers().find((w) => w.url().includes('search-worker'))!);
  const gpuLost = await searchRound(page, 'gpu');
  expectSameRounds(gpuLost, cpuAfter);
  const lostInfo = await page.evaluate(async () => {
    const info = await window.compressedGpuSearch!.info();
    await window.compressedGpuSearch!.close();
    return info;
  });
  expect(lostInfo).toMatchObject({ encoder: { name: 'wasm' }, compressedScorer: 'wasm-simd', documents: n - new Set(removed).size });
  expect(lostInfo.scorer).toMatch(/^wasm/);
});
