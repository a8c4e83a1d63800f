import { chromium, expect, test } from '@playwright/test';
import { destroyDeviceOnNextCommandEncoder } from './device-loss.js';
import type { Page } from '@playwright/test';
import type { BackendInfo, RemoteEncoder } from 'colbert-web';

// The encoder on WebGPU in a real Chromium Web Worker. Headless Chromium here has one adapter, SwiftShader (WebGPU
// emulated on the CPU, no shader-f16), and only when launched with --enable-unsafe-webgpu (playwright.config.ts);
// the last block launches without it.

const FIXTURES = ['colbert-tiny-golden', 'modernbert-tiny-golden'] as const;


declare global {
  interface Window {
    webgpuEncoder?: RemoteEncoder;
  }
}

async function openHarness(page: Page): Promise<void> {
  await page.goto('/harness/encoder.html');
  await page.waitForFunction(() => window.harnessReady === true);
}

/**
 * Texts each parity test encodes (every `step`-th, as query and as document), to keep this file near two minutes on
 * SwiftShader: on the dev server all 40 texts of the BERT fixture (80 encodes, about a minute) and every 8th of
 * ModernBERT's (its 80 encodes take about two minutes; the subset keeps a 256-token document, which takes the
 * sliding-window attention path); on the production build, where only the worker bundling differs, every 16th.
 */
function parityStep(fixture: string, project: string): number {
  if (project !== 'dev') return 16;
  return fixture === 'colbert-tiny-golden' ? 1 : 8;
}

/** Encodes every `step`-th text of the fixture, as query and as document, and compares them with the reference. */
function encodeGolden(page: Page, fixture: string, backend: 'auto' | 'webgpu' | 'wasm', step = 1) {
  return page.evaluate(
    async ([base, backend, step]) => {
      const ref = await (await fetch(`${base}reference/reference.json`)).json();
      const bin = new Float32Array(await (await fetch(`${base}reference/reference.bin`)).arrayBuffer());
      const entries = ref.entries.filter((e: { text_index: number }) => e.text_index % step === 0);
      const started = performance.now();
      const encoder = await window.colbert.createEncoder({ model: `${base}checkpoint/`, backend });
      const loadMs = performance.now() - started;
      const inputs = entries.map((e: { text: string; mode: 'query' | 'document' }) => ({ text: e.text, kind: e.mode }));
      const encoded = await encoder.encode(inputs);
      const encodeMs = performance.now() - started - loadMs;
      const { backend: info } = await encoder.info();
      await encoder.close();
      return { comparison: window.golden.compareWithReference(entries, bin, encoded), backend: info, entries: entries.length, loadMs, encodeMs };
    },
    [`/__shared/fixtures/${fixture}/`, backend, step] as const,
  );
}

function expectSwiftShader(backend: BackendInfo): void {
  if (backend.name !== 'webgpu') throw new Error(`expected webgpu, got ${JSON.stringify(backend)}`);
  expect(backend.adapter).toMatchObject({ vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true });
}

test.describe('with a WebGPU adapter (SwiftShader)', () => {
  test.beforeEach(async ({ page }) => openHarness(page));

  for (const fixture of FIXTURES) {
    test(`${fixture}: texts as query and document match the reference within 1e-4 on WebGPU, and only shape arithmetic runs on the CPU`, async ({ page }, testInfo) => {
      const result = await encodeGolden(page, fixture, 'webgpu', parityStep(fixture, testInfo.project.name));
      expectSwiftShader(result.backend);
      if (result.backend.name !== 'webgpu') return;
      expect(result.comparison.idMismatches).toEqual([]);
      expect(result.comparison.comparedRows).toBeGreaterThan(result.entries);
      expect(result.comparison.maxAbs).toBeLessThanOrEqual(1e-4);
      const placement = result.backend.placement!;
      expect(placement).not.toBeNull();
      // No node reads tensor contents on the CPU; shape arithmetic on the CPU is expected and not a fallback.
      expect(placement.cpuFallback).toEqual([]);
      expect(result.backend.fallbackNodes).toBe(placement.cpuFallback.length);
      expect(placement.gpu).toBeGreaterThan(20);
      console.log(
        `${fixture} on WebGPU: max |Δ| ${result.comparison.maxAbs.toExponential(2)} over ${result.entries} encodes, ${result.comparison.comparedRows} rows ` +
          `(load ${Math.round(result.loadMs)} ms, encode ${Math.round(result.encodeMs)} ms); nodes: ${placement.gpu} GPU, ` +
          `${placement.cpuShape.length} CPU shape arithmetic, CPU fallback ${JSON.stringify(placement.cpuFallback)}`,
      );
    });
  }

  test("'auto' leaves a software adapter for WASM and says so", async ({ page }) => {
    const result = await encodeGolden(page, 'colbert-tiny-golden', 'auto', 20);
    expect(result.backend).toMatchObject({ name: 'wasm', webgpuSkipped: 'software-adapter' });
    expect(result.comparison.maxAbs).toBeLessThanOrEqual(1e-5);
  });

  test('a lost device mid-run: the request in flight and the next ones still return correct vectors, on WASM', async ({ page }) => {
    const base = '/__shared/fixtures/colbert-tiny-golden/';
    await page.evaluate(async (base) => {
      window.webgpuEncoder = await window.colbert.createEncoder({ model: `${base}checkpoint/`, backend: 'webgpu' });
      await window.webgpuEncoder.encode([{ text: 'warm up the shaders', kind: 'query' }]);
    }, base);
    // The device lives in the worker, owned by onnxruntime: destroy it from inside the next command encoder it
    // creates, which is in the middle of the next run (the standard way to simulate a device loss).
    // The encoder's worker is the first one; onnxruntime's WASM threads come after it and, in the production build,
    // share its script URL (they block in Atomics.wait, so evaluating there never returns).
    const worker = page.workers().find((w) => w.url().includes('encoder-worker'))!;
    const name = await destroyDeviceOnNextCommandEncoder(worker);
    expect(name).toBe('colbert-web encoder');
    const result = await page.evaluate(async (base) => {
      const encoder = window.webgpuEncoder!;
      const ref = await (await fetch(`${base}reference/reference.json`)).json();
      const bin = new Float32Array(await (await fetch(`${base}reference/reference.bin`)).arrayBuffer());
      const entries = ref.entries.filter((e: { text_index: number }) => e.text_index % 8 === 0);
      const inputs = entries.map((e: { text: string; mode: 'query' | 'document' }) => ({ text: e.text, kind: e.mode }));
      const before = (await encoder.info()).backend;
      const inFlight = window.golden.compareWithReference(entries, bin, await encoder.encode(inputs));
      const next = window.golden.compareWithReference(entries, bin, await encoder.encode(inputs));
      const after = (await encoder.info()).backend;
      await encoder.close();
      return { before, inFlight, next, after, entries: entries.length };
    }, base);
    expectSwiftShader(result.before);
    for (const comparison of [result.inFlight, result.next]) {
      expect(comparison.idMismatches).toEqual([]);
      expect(comparison.comparedRows).toBeGreaterThan(result.entries);
      expect(comparison.maxAbs).toBeLessThanOrEqual(1e-5);
    }
    expect(result.after).toMatchObject({ name: 'wasm', webgpuSkipped: 'device-lost', deviceLost: { reason: 'destroyed' } });
  });
});

test.describe('without a WebGPU adapter', () => {
  test("forced 'webgpu' is a typed WEBGPU_UNAVAILABLE error; 'auto' runs WASM and says why", async ({ baseURL }) => {
    // The configured launch arguments minus --enable-unsafe-webgpu: Chromium then offers no adapter.
    const browser = await chromium.launch({
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ baseURL: baseURL! });
      await openHarness(page);
      const result = await page.evaluate(async () => {
        const model = '/__shared/fixtures/colbert-tiny-golden/checkpoint/';
        const adapter = navigator.gpu ? await navigator.gpu.requestAdapter() : undefined;
        let error: { isColbertError: boolean; code?: string; message: string } | undefined;
        try {
          await window.colbert.createEncoder({ model, backend: 'webgpu' });
        } catch (e) {
          error = { isColbertError: e instanceof window.colbert.ColbertError, code: (e as { code?: string }).code, message: (e as Error).message };
        }
        const encoder = await window.colbert.createEncoder({ model, backend: 'auto' });
        const [encoded] = await encoder.encode([{ text: 'still encodes', kind: 'query' }]);
        const { backend } = await encoder.info();
        await encoder.close();
        return { hasApi: navigator.gpu !== undefined, adapter: adapter ?? null, error, backend, rows: encoded!.rows };
      });
      expect(result.adapter).toBeNull();
      expect(result.error).toMatchObject({ isColbertError: true, code: 'WEBGPU_UNAVAILABLE' });
      expect(result.error!.message).toContain("backend 'auto'");
      expect(result.backend).toMatchObject({ name: 'wasm', ...(result.hasApi ? { webgpuSkipped: 'no-adapter' } : {}) });
      expect(result.rows).toBe(32);
      console.log(`no adapter: navigator.gpu ${result.hasApi ? 'present' : 'absent'}; auto → ${JSON.stringify(result.backend)}`);
    } finally {
      await browser.close();
    }
  });
});
